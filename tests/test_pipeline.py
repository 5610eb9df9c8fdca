"""End to end: seeds -> spaCy -> Great Expectations -> DuckDB through the Prefect flow."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from tests.conftest import SEED

SEED_QUOTE_OPENINGS = ("I spoke with", "Like everyone else", "These are difficult", "I take this opportunity")


def query(warehouse, sql, params=None):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture
def seeded(run_flow, seeds_copy, tmp_path):
    warehouse = tmp_path / "wh" / "wirehouse.duckdb"
    summary = run_flow(seeds_copy, warehouse)
    return warehouse, summary


def test_seed_article_is_stored_with_its_body_intact(seeded):
    warehouse, summary = seeded
    assert summary["status"] == "completed"
    assert summary["documents_loaded"] == 1
    rows = query(warehouse, "SELECT body, title, char_count, sentence_count, word_count FROM article")
    assert len(rows) == 1
    body, title, char_count, sentence_count, word_count = rows[0]
    assert body == SEED.read_text(encoding="utf-8").strip()
    assert title is None  # the seed's first line is a sentence, not a headline
    assert char_count == len(body)
    assert sentence_count >= 15 and word_count > 400


def test_seed_people_are_person_entities(seeded):
    warehouse, _ = seeded
    people = {row[0] for row in query(warehouse, "SELECT canonical_name FROM entity WHERE label = 'PERSON'")}
    assert {"Yair Lapid", "Antony Blinken", "Naftali Bennett"} <= people


def test_seed_quotes_have_exact_offsets(seeded):
    warehouse, _ = seeded
    body = query(warehouse, "SELECT body FROM article")[0][0]
    quotes = query(warehouse, "SELECT quote_text, start_char, end_char FROM quote ORDER BY start_char")
    for opening in SEED_QUOTE_OPENINGS:
        matching = [q for q in quotes if q[0].startswith(opening)]
        assert matching, f"no quote starting with {opening!r}"
    for text, start, end in quotes:
        assert body[start:end] == text


def test_every_mention_slices_the_body(seeded):
    warehouse, _ = seeded
    bad = query(warehouse, """
        SELECT m.mention_text FROM entity_mention m JOIN article a USING (article_id)
        WHERE substr(a.body, m.start_char + 1, m.end_char - m.start_char) <> m.mention_text""")
    assert bad == []


def test_run_is_recorded_with_model_and_counts(seeded):
    warehouse, summary = seeded
    (status, model_version, seen, loaded, accounting_ok, counts), = query(
        warehouse, "SELECT status, model_version, documents_seen, documents_loaded, accounting_ok, counts "
                   "FROM pipeline_run")
    assert status == "completed" and accounting_ok
    assert model_version.endswith("==3.8.0")
    assert (seen, loaded) == (1, 1)
    assert json.loads(counts)["tables"]["article"] == 1


def test_second_run_skips_unchanged_documents_and_changes_nothing(run_flow, seeded, seeds_copy):
    warehouse, _ = seeded
    tables = ("article", "sentence", "entity", "entity_mention", "quote", "rejected_document")
    before = {t: query(warehouse, f"SELECT count(*) FROM {t}")[0][0] for t in tables}
    second = run_flow(seeds_copy, warehouse)
    after = {t: query(warehouse, f"SELECT count(*) FROM {t}")[0][0] for t in tables}
    assert after == before
    assert second["documents_skipped"] == 1 and second["documents_loaded"] == 0
    # no spaCy work: nothing was sent to enrichment, so nothing was audited or published
    assert second["batches_published"] == 0


def test_same_text_in_two_files_is_stored_once(run_flow, seeds_copy, tmp_path):
    shutil.copy(SEED, seeds_copy / "copy-of-seed.txt")
    warehouse = tmp_path / "dup.duckdb"
    summary = run_flow(seeds_copy, warehouse)
    assert query(warehouse, "SELECT count(*) FROM article")[0][0] == 1
    assert summary["rejected_by_reason"] == {"duplicate": 1}
    assert summary["accounting_ok"]
    reason, detail = query(warehouse, "SELECT reason, detail FROM rejected_document")[0]
    assert reason == "duplicate" and "stored once" in detail


def test_jsonl_with_three_articles_loads_three_rows(run_flow, tmp_path):
    seeds = tmp_path / "jsonl-seeds"
    seeds.mkdir()
    lines = [
        {"id": "a1", "title": "Rates", "date": "2024-03-01T10:00:00Z", "source": "Wire", "url": "https://x/1",
         "text": "The central bank raised rates on Monday, Governor Ann Smith said in London."},
        {"id": "a2", "text": "\"We will not back down,\" Mayor John Doe told reporters in Chicago on Friday."},
        {"id": "a3", "text": "Apple and Microsoft reported higher profits for the quarter, analysts said."},
    ]
    (seeds / "wire.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    warehouse = tmp_path / "jsonl.duckdb"
    summary = run_flow(seeds, warehouse)
    assert summary["documents_loaded"] == 3
    rows = query(warehouse, "SELECT external_id, title, source_line, published_at, date_basis FROM article "
                            "ORDER BY source_line")
    assert [row[0] for row in rows] == ["a1", "a2", "a3"]
    assert rows[0][1] == "Rates" and rows[0][3].isoformat() == "2024-03-01T10:00:00"
    assert [row[2] for row in rows] == [1, 2, 3]
    assert [row[4] for row in rows] == ["published", None, None]  # the date the source gives, and none


def test_articles_sharing_entities_load_in_one_batch(run_flow, tmp_path):
    seeds = tmp_path / "shared-entities"
    seeds.mkdir()
    for n, city in enumerate(("Paris", "Berlin", "Madrid")):
        (seeds / f"{n}.txt").write_text(f"Prime Minister Naftali Bennett met leaders in {city} on Monday, "
                                        f"and Bennett said Israel would help Ukraine.")
    warehouse = tmp_path / "shared.duckdb"
    summary = run_flow(seeds, warehouse, batch_size=10)
    assert summary["documents_loaded"] == 3 and summary["batches_quarantined"] == 0
    (mentions, articles), = query(warehouse, "SELECT mention_count, article_count FROM entity "
                                             "WHERE canonical_name = 'Naftali Bennett'")
    assert (mentions, articles) == (6, 3)


def test_one_person_across_runs_and_articles(run_flow, seeds_copy, tmp_path):
    warehouse = tmp_path / "people.duckdb"
    run_flow(seeds_copy, warehouse)
    run_flow(seeds_copy, warehouse)  # the seed again: skipped, counts unchanged
    (seeds_copy / "second.txt").write_text("Naftali Bennett visited Kyiv on Friday. Bennett met aid workers there.")
    run_flow(seeds_copy, warehouse)
    rows = query(warehouse, "SELECT entity_id, label, article_count, mention_count FROM entity "
                            "WHERE canonical_name = 'Naftali Bennett'")
    assert len(rows) == 1
    entity_id, label, article_count, mention_count = rows[0]
    assert label == "PERSON" and article_count == 2
    assert mention_count == query(warehouse, "SELECT count(*) FROM entity_mention WHERE entity_id = ?",
                                  [entity_id])[0][0]
    assert query(warehouse, "SELECT count(*) FROM entity WHERE canonical_name IN ('Blinken', 'Lapid') "
                            "AND label IN ('GPE', 'ORG')") == [(0,)]
