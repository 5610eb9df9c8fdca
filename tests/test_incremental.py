"""The planner's rules: skip unchanged, reject duplicates, replace changed files."""

from wirehouse.transforms.incremental import Planner, WarehouseIndex
from wirehouse.transforms.records import Article, article_id_for


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
