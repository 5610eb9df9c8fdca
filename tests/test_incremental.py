"""The planner's rules: skip unchanged, reject duplicates, replace changed files."""

from wirehouse.transforms.incremental import Planner, WarehouseIndex
from wirehouse.transforms.records import Article, Rejection, article_id_for
from wirehouse.transforms.source_spellings import SourceSpellings


def article(text: str, path: str = "/s/a.txt", line: int | None = None) -> Article:
    return Article(article_id_for(text), path, line, None, text)


def test_new_article_is_enriched():
    plan = Planner(WarehouseIndex(), "v1").plan([article("New text.")])
    assert len(plan.to_enrich) == 1 and not plan.skipped and not plan.rejected


def test_unchanged_article_is_skipped():
    stored = article("Same text.")
    index = WarehouseIndex.from_rows([(stored.article_id, stored.source_key, "v1")])
    plan = Planner(index, "v1").plan([article("Same text.")])
    assert plan.skipped == [stored] and not plan.to_enrich


def test_new_enrichment_version_re_enriches_and_replaces():
    stored = article("Same text.")
    index = WarehouseIndex.from_rows([(stored.article_id, stored.source_key, "v1")])
    plan = Planner(index, "v2").plan([stored])
    assert plan.to_enrich == [stored] and set(plan.replaces) == {stored.article_id}


def test_changed_file_replaces_its_old_article():
    old = article("Old text.")
    index = WarehouseIndex.from_rows([(old.article_id, old.source_key, "v1")])
    new = article("New text.")
    plan = Planner(index, "v1").plan([new])
    assert plan.to_enrich == [new] and set(plan.replaces) == {old.article_id}


def test_duplicate_within_a_run_is_rejected():
    plan = Planner(WarehouseIndex(), "v1").plan([article("Twin.", "/s/a.txt"), article("Twin.", "/s/b.txt")])
    assert len(plan.to_enrich) == 1
    assert [r.reason for r in plan.rejected] == ["duplicate"] and "/s/a.txt" in plan.rejected[0].detail


def test_duplicate_of_a_stored_article_from_another_file_is_rejected():
    stored = article("Twin.", "/s/a.txt")
    index = WarehouseIndex.from_rows([(stored.article_id, stored.source_key, "v1")])
    planner = Planner(index, "v1")
    plan = planner.plan([article("Twin.", "/s/b.txt")])
    assert [r.reason for r in plan.rejected] == ["duplicate"]


def test_jsonl_lines_are_separate_sources():
    planner = Planner(WarehouseIndex(), "v1")
    plan = planner.plan([article("One.", "/s/f.jsonl", 1), article("Two.", "/s/f.jsonl", 2)])
    assert [a.source_key for a in plan.to_enrich] == ["/s/f.jsonl#1", "/s/f.jsonl#2"]


def test_missing_sources_are_those_not_seen_under_the_root():
    gone, kept, elsewhere = article("Gone.", "/s/gone.txt"), article("Kept.", "/s/kept.txt"), article("X.", "/t/x.txt")
    index = WarehouseIndex.from_rows([(a.article_id, a.source_key, "v1") for a in (gone, kept, elsewhere)])
    planner = Planner(index, "v1")
    planner.plan([kept])
    assert planner.missing_sources("/s") == ["/s/gone.txt"]


# Two spellings of one folder: "/w/main/../seeds" is "/w/seeds", and "/link" points to it.
FOLDERS = {"/w/main/../seeds": "/w/seeds", "/link": "/w/seeds", "/w/seeds": "/w/seeds"}


def spelt_planner(stored: list[Article], read: list[str], version: str = "v1", seen: tuple[str, ...] = ()) -> Planner:
    """A planner for a run reading the files at `read`, given what the warehouse holds."""
    index = WarehouseIndex.from_rows([(a.article_id, a.source_key, "v1") for a in stored])
    spellings = SourceSpellings(index.by_source, [*index.by_source, *seen], read,
                                lambda folder: FOLDERS.get(folder, folder))
    return Planner(index, version, spellings=spellings)


def test_a_file_read_through_another_spelling_keeps_its_stored_key():
    stored = article("Same text.", "/w/seeds/a.txt")
    for spelt in ("/w/main/../seeds/a.txt", "/link/a.txt"):
        plan = spelt_planner([stored], [spelt]).plan([article("Same text.", spelt)])
        assert plan.skipped == [stored] and not plan.rejected and not plan.to_enrich
    plan = spelt_planner([stored], ["/link/a.txt"], "v2").plan([article("Same text.", "/link/a.txt")])
    assert plan.to_enrich == [stored] and plan.replaces == {stored.article_id: "/w/seeds/a.txt"}


def test_a_changed_file_read_through_another_spelling_replaces_its_article():
    old = article("Old text.", "/w/seeds/a.jsonl", 3)
    spelt = "/w/main/../seeds/a.jsonl"
    plan = spelt_planner([old], [spelt]).plan([article("New text.", spelt, 3)])
    [new] = plan.to_enrich
    assert new.source_key == "/w/seeds/a.jsonl#3" and plan.replaces == {old.article_id: "/w/seeds/a.jsonl#3"}


def test_a_file_read_twice_in_one_run_keeps_the_second_reading_apart():
    """A folder linked inside the seeds folder: the reading under the stored spelling keeps
    the key, the other is a duplicate under its own, in either order."""
    stored = article("Same text.", "/w/seeds/a.txt")
    readings = [article("Same text.", "/link/a.txt"), stored]
    for order in (readings, readings[::-1]):
        plan = spelt_planner([stored], [a.source_path for a in order]).plan(order)
        assert plan.skipped == [stored] and [r.source_key for r in plan.rejected] == ["/link/a.txt"]
        assert plan.forgotten == []


def test_other_spellings_holding_only_rejections_are_forgotten_and_never_other_files():
    stored = article("Same text.", "/w/seeds/a.txt")
    seen = ("/w/main/../seeds/a.txt", "/link/a.txt", "/link/b.txt", "/elsewhere/a.txt")
    for spelt in ("/w/seeds/a.txt", "/link/a.txt"):
        plan = spelt_planner([stored], [spelt], seen=seen).plan([article("Same text.", spelt)])
        assert plan.skipped == [stored] and sorted(plan.forgotten) == ["/link/a.txt", "/w/main/../seeds/a.txt"]


def test_a_file_only_ever_rejected_keeps_the_spelling_it_was_rejected_under():
    rejected = Rejection("/link/empty.txt", None, "empty", "no text")
    plan = spelt_planner([], ["/link/empty.txt"], seen=("/w/seeds/empty.txt",)).plan([], [rejected])
    assert [r.source_key for r in plan.rejected] == ["/w/seeds/empty.txt"] and plan.forgotten == []


def test_stored_sources_under_another_spelling_of_the_root_are_missing_when_unseen():
    gone, kept = article("Gone.", "/w/seeds/gone.txt"), article("Kept.", "/w/seeds/kept.txt")
    planner = spelt_planner([gone, kept], ["/link/kept.txt"])
    planner.plan([article("Kept.", "/link/kept.txt")])
    assert planner.missing_sources("/link") == ["/w/seeds/gone.txt"]
    assert planner.missing_sources("/w/main/../seeds") == ["/w/seeds/gone.txt"]
    assert planner.missing_sources("/w/other") == []


def test_a_duplicate_of_another_file_keeps_the_spelling_of_the_articles_folder():
    original, twin = article("Twin.", "/w/seeds/a.txt"), article("Twin.", "/w/main/../seeds/b.txt")
    seen = ("/w/seeds/b.txt", "/w/main/../seeds/b.txt")  # rejected under both spellings before
    plan = spelt_planner([original], [twin.source_path], seen=seen).plan([twin])
    assert [r.source_key for r in plan.rejected] == ["/w/seeds/b.txt"] and plan.forgotten == ["/w/main/../seeds/b.txt"]
