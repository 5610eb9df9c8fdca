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
        planner = spelt_planner([stored], [spelt], seen=(spelt,))
        plan = planner.plan([article("Same text.", spelt)])
        assert plan.skipped == [stored] and not plan.rejected and not plan.to_enrich
        assert planner.to_forget == {spelt}  # the rejection an older version left there
    plan = spelt_planner([stored], ["/link/a.txt"], "v2").plan([article("Same text.", "/link/a.txt")])
    assert plan.to_enrich == [stored] and plan.replaces == {stored.article_id: "/w/seeds/a.txt"}


def test_a_changed_file_read_through_another_spelling_replaces_its_article():
    old = article("Old text.", "/w/seeds/a.jsonl", 3)
    spelt = "/w/main/../seeds/a.jsonl"
    plan = spelt_planner([old], [spelt]).plan([article("New text.", spelt, 3)])
    [new] = plan.to_enrich
    assert new.source_key == "/w/seeds/a.jsonl#3" and plan.replaces == {old.article_id: "/w/seeds/a.jsonl#3"}


def test_a_file_read_twice_in_one_run_keeps_each_reading_under_its_own_spelling():
    """A folder linked inside the seeds folder: the reading under the stored spelling keeps
    the key, the other is a duplicate under its own, in either order."""
    stored = article("Same text.", "/w/seeds/a.txt")
    readings = [article("Same text.", "/link/a.txt"), stored]
    for order in (readings, readings[::-1]):
        planner = spelt_planner([stored], [a.source_path for a in order], seen=("/link/a.txt",))
        plan = planner.plan(order)
        assert plan.skipped == [stored] and [r.source_key for r in plan.rejected] == ["/link/a.txt"]
        assert planner.to_forget == set()


def test_documents_split_between_spellings_each_keep_theirs_and_nothing_is_missing():
    """Lines 1-3 of a feed stored through one spelling, line 4 through another (its lines 1-3
    rejected there as duplicates of themselves): a run through either finds all four."""
    a, b = "/w/seeds/feed.jsonl", "/w/main/../seeds/feed.jsonl"
    lines = [article(text, a, n) for n, text in enumerate(["One.", "Two.", "Three."], 1)]
    fourth = article("Four.", b, 4)
    for spelt in (a, b):
        planner = spelt_planner([*lines, fourth], [spelt], seen=tuple(f"{b}#{n}" for n in (1, 2, 3)))
        plan = planner.plan([article(x.body, spelt, x.source_line) for x in (*lines, fourth)])
        assert plan.skipped == [*lines, fourth] and not plan.rejected
        assert planner.missing_sources(str(spelt).rsplit("/", 1)[0]) == []
        assert planner.to_forget == {f"{b}#{n}" for n in (1, 2, 3)}


def test_of_two_stored_versions_the_one_holding_the_text_read_is_kept_and_the_other_is_missing():
    old, new = article("Old text.", "/w/seeds/a.txt"), article("New text.", "/w/main/../seeds/a.txt")
    planner = spelt_planner([old, new], ["/w/seeds/a.txt"])
    plan = planner.plan([article("New text.", "/w/seeds/a.txt")])
    assert plan.skipped == [new] and not plan.rejected
    assert planner.missing_sources("/w/seeds") == ["/w/seeds/a.txt"]  # the older version: --prune deletes it


def test_other_spellings_holding_only_rejections_are_forgotten_and_never_other_files():
    stored = article("Same text.", "/w/seeds/a.txt")
    seen = ("/w/main/../seeds/a.txt", "/link/a.txt", "/link/b.txt", "/elsewhere/a.txt")
    for spelt in ("/w/seeds/a.txt", "/link/a.txt"):
        planner = spelt_planner([stored], [spelt], seen=seen)
        assert planner.plan([article("Same text.", spelt)]).skipped == [stored]
        assert planner.to_forget == {"/link/a.txt", "/w/main/../seeds/a.txt"}


def test_a_document_only_ever_rejected_is_rejected_under_the_spelling_read():
    rejected = Rejection("/link/empty.txt", None, "empty", "no text")
    planner = spelt_planner([], ["/link/empty.txt"], seen=("/w/seeds/empty.txt",))
    plan = planner.plan([], [rejected])
    assert plan.rejected == [rejected] and planner.to_forget == {"/w/seeds/empty.txt"}


def test_stored_sources_under_another_spelling_of_the_root_are_missing_when_unseen():
    gone, kept = article("Gone.", "/w/seeds/gone.txt"), article("Kept.", "/w/seeds/kept.txt")
    planner = spelt_planner([gone, kept], ["/link/kept.txt"])
    planner.plan([article("Kept.", "/link/kept.txt")])
    assert planner.missing_sources("/link") == ["/w/seeds/gone.txt"]
    assert planner.missing_sources("/w/main/../seeds") == ["/w/seeds/gone.txt"]
    elsewhere = spelt_planner([gone, kept], ["/w/other/x.txt"])
    elsewhere.plan([article("X.", "/w/other/x.txt")])
    assert elsewhere.missing_sources("/w/other") == []
    # a seeds folder holding a link to the stored folder: its removed files are missing too
    FOLDERS["/data/link"] = "/w/seeds"
    try:
        planner = spelt_planner([gone, kept], ["/data/link/kept.txt"])
        planner.plan([article("Kept.", "/data/link/kept.txt")])
        assert planner.missing_sources("/data") == ["/w/seeds/gone.txt"]
    finally:
        del FOLDERS["/data/link"]


def test_a_file_read_twice_and_stored_under_a_third_spelling_is_stored_once():
    """Neither reading is spelt as stored: the first takes the stored key, the second keeps
    its own spelling, a duplicate of the first (it had been a duplicate of itself)."""
    stored = article("Same text.", "/w/main/../seeds/a.txt")
    readings = [article("Same text.", "/link/a.txt"), article("Same text.", "/w/seeds/a.txt")]
    plan = spelt_planner([stored], [a.source_path for a in readings]).plan(readings)
    assert plan.skipped == [stored] and [r.source_key for r in plan.rejected] == ["/w/seeds/a.txt"]


def test_a_feed_that_changed_while_read_keeps_its_lines_however_spelt():
    one, three = article("One.", "/w/seeds/f.jsonl", 1), article("Three.", "/w/seeds/f.jsonl", 3)
    spelt = "/w/main/../seeds/f.jsonl"
    planner = spelt_planner([one, three], [spelt])
    planner.plan([article("One.", spelt, 1)], [Rejection(spelt, 2, "changed_while_reading", "changed")])
    assert planner.missing_sources("/w/main/../seeds") == ["/w/seeds/f.jsonl#3"]
    assert planner.missing_sources("/w/main/../seeds", unfinished=[spelt]) == []


def test_a_documents_own_spelling_holding_its_text_is_kept_over_an_older_version_elsewhere():
    new, old = article("New text.", "/w/seeds/a.txt"), article("Old text.", "/w/main/../seeds/a.txt")
    planner = spelt_planner([new, old], ["/w/seeds/a.txt"])
    plan = planner.plan([article("New text.", "/w/seeds/a.txt")])
    assert plan.skipped == [new] and not plan.rejected
    assert planner.missing_sources("/w/seeds") == ["/w/main/../seeds/a.txt"]


def test_a_feed_line_deleted_moves_the_lines_after_it():
    """The text read at #2 was stored at #3: it moved, and #3 (never read again) is not missing."""
    a, b, c = (article(t, "/w/seeds/f.jsonl", n) for n, t in enumerate(("Alpha.", "Beta.", "Gamma."), 1))
    planner = spelt_planner([a, b, c], ["/w/seeds/f.jsonl"])
    plan = planner.plan([article("Alpha.", "/w/seeds/f.jsonl", 1), article("Gamma.", "/w/seeds/f.jsonl", 2)])
    assert not plan.rejected and [x.source_key for x in plan.to_enrich] == ["/w/seeds/f.jsonl#2"]
    assert set(plan.replaces) == {b.article_id, c.article_id}  # Beta goes; Gamma is stored again under #2
    assert planner.missing_sources("/w/seeds") == []


def test_a_row_inserted_at_the_top_stores_every_row_under_its_new_position_in_one_run():
    c1, c2 = article("Row one.", "/w/seeds/t.csv", 1), article("Row two.", "/w/seeds/t.csv", 2)
    read = [article(t, "/w/seeds/t.csv", n) for n, t in enumerate(("Row zero.", "Row one.", "Row two."), 1)]
    planner = spelt_planner([c1, c2], ["/w/seeds/t.csv"])
    plan = planner.plan(read)
    assert not plan.rejected and plan.to_enrich == read
    assert {c1.article_id, c2.article_id} <= set(plan.replaces)
    assert planner.missing_sources("/w/seeds") == []


def test_a_renamed_file_is_stored_under_its_new_name_and_the_old_one_is_not_missing():
    old = article("Same text.", "/w/seeds/rename_me.txt")
    planner = Planner(WarehouseIndex.from_rows([(old.article_id, old.source_key, "v1")]), "v1",
                      spellings=SourceSpellings([old.source_key], [old.source_key], ["/w/seeds/renamed.txt"],
                                                lambda folder: folder), root="/w/seeds")
    plan = planner.plan([article("Same text.", "/w/seeds/renamed.txt")])
    assert not plan.rejected and [x.source_key for x in plan.to_enrich] == ["/w/seeds/renamed.txt"]
    assert planner.missing_sources("/w/seeds") == []


def test_a_text_stored_from_a_file_still_read_or_outside_the_seeds_folder_stays_a_duplicate():
    stored = article("Twin.", "/w/seeds/a.txt")
    for read, root in ((["/w/seeds/a.txt", "/w/seeds/b.txt"], "/w/seeds"), (["/w/other/b.txt"], "/w/other")):
        planner = Planner(WarehouseIndex.from_rows([(stored.article_id, stored.source_key, "v1")]), "v1",
                          spellings=SourceSpellings([stored.source_key], [], read, lambda folder: folder), root=root)
        plan = planner.plan([article("Twin.", read[-1])])
        assert [r.reason for r in plan.rejected] == ["duplicate"] and "already in the warehouse" in plan.rejected[0].detail


def test_a_source_read_earlier_holding_new_text_gives_up_its_old_text():
    """#1 now holds new text, so the text it held, read at #2, is no duplicate of it."""
    one = article("First.", "/w/seeds/x.txt")
    planner = spelt_planner([one], ["/w/seeds/x.txt", "/w/seeds/y.txt"])
    plan = planner.plan([article("Changed.", "/w/seeds/x.txt"), article("First.", "/w/seeds/y.txt")])
    assert not plan.rejected and [x.source_key for x in plan.to_enrich] == ["/w/seeds/x.txt", "/w/seeds/y.txt"]


def test_a_feeds_first_line_deleted_moves_every_line_after_it():
    a, b, c = (article(t, "/w/seeds/f.jsonl", n) for n, t in enumerate(("Alpha.", "Beta.", "Gamma."), 1))
    planner = spelt_planner([a, b, c], ["/w/seeds/f.jsonl"])
    read = [article("Beta.", "/w/seeds/f.jsonl", 1), article("Gamma.", "/w/seeds/f.jsonl", 2)]
    plan = planner.plan(read)
    assert not plan.rejected and plan.to_enrich == read and a.article_id in plan.replaces
    assert planner.missing_sources("/w/seeds") == []


def test_a_page_being_extracted_keeps_its_text_from_a_duplicate_read_beside_it():
    """A changed page's article is known once extracted: a text file holding its stored text
    is a duplicate of it, not the text's new home (it would take the page's URL and dates)."""
    from wirehouse.transforms.records import Page

    text = article("Harbour text.", "/w/seeds/t.txt")
    index = WarehouseIndex.from_rows([(text.article_id, "/w/seeds/p.html", "v1", "old-hash")])
    spellings = SourceSpellings(index.by_source, index.by_source, ["/w/seeds/p.html", "/w/seeds/t.txt"],
                                lambda folder: folder)
    planner = Planner(index, "v1", spellings=spellings, root="/w/seeds")
    plan = planner.plan([Page("/w/seeds/p.html", None, b"<html>new bytes</html>", "new-hash"), text])
    assert [r.source_key for r in plan.rejected] == ["/w/seeds/t.txt"] and plan.rejected[0].reason == "duplicate"
    planner.admit([article("Harbour text.", "/w/seeds/p.html")], plan)
    assert [a.source_key for a in plan.to_enrich] == ["/w/seeds/p.html"]
