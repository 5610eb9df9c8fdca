"""Write-audit-publish through the real flow: bad batches are quarantined, the rest load,
and every document is accounted for."""

from __future__ import annotations

import dataclasses
import json
import shutil

import duckdb
import pytest
from spacy.language import Language

from tests.conftest import SEED
from wirehouse.transforms.nlp import DEFAULT_MODEL, load_pipeline
from wirehouse.warehouse import doctor

MARKER = "Corrupted-in-staging"


@Language.component("wirehouse_test_corrupt_quotes")
def corrupt_quotes(doc):
    """Push the quotes of marked documents outside the body, as a broken extractor would."""
    if MARKER in doc.text:
        doc._.quotes = [dataclasses.replace(q, start_char=q.start_char + 100_000, end_char=q.end_char + 100_000)
                        for q in doc._.quotes]
    return doc


def three_documents_one_marked(seeds):
    """a.txt and c.txt are clean; b.txt carries the marker that corrupts its quotes."""
    seeds.mkdir()
    (seeds / "a.txt").write_text('"We will win this race," Mayor Ann Smith said in Boston on Monday.')
    (seeds / "b.txt").write_text(f'"Prices will rise again," Governor John Doe told reporters. {MARKER}.')
    (seeds / "c.txt").write_text('"The bridge opens in May," engineer Maria Lopez said in Denver.')
    return seeds


@pytest.fixture
def corrupting_pipeline():
    nlp = load_pipeline(DEFAULT_MODEL)
    nlp.add_pipe("wirehouse_test_corrupt_quotes", last=True)
    yield
    nlp.remove_pipe("wirehouse_test_corrupt_quotes")


def rows(warehouse, sql):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_corrupted_batch_is_quarantined_and_the_others_are_published(run_flow, corrupting_pipeline, tmp_path):
    seeds = three_documents_one_marked(tmp_path / "seeds")
    warehouse = tmp_path / "w.duckdb"
    summary = run_flow(seeds, warehouse, batch_size=1)

    assert summary["batches_published"] == 2 and summary["batches_quarantined"] == 1
    assert summary["rejected_by_reason"] == {"failed_validation": 1}
    assert summary["accounting_ok"]
    sources = sorted(r[0].rsplit("/", 1)[-1] for r in rows(warehouse, "SELECT source_path FROM article"))
    assert sources == ["a.txt", "c.txt"]
    # nothing of the bad batch reached the warehouse tables
    for table in ("entity_mention", "quote", "sentence"):
        assert rows(warehouse, f"SELECT count(*) FROM {table} WHERE article_id NOT IN "
                               "(SELECT article_id FROM article)") == [(0,)]
    assert rows(warehouse, "SELECT count(*) FROM quote WHERE quote_text LIKE 'Prices%'") == [(0,)]
    quarantined = rows(warehouse, "SELECT table_name, failed_expectations, row_json FROM quarantine "
                                  "WHERE table_name = 'quote'")
    assert len(quarantined) == 1
    assert "offsets_in_body" in quarantined[0][1]
    assert json.loads(quarantined[0][2])["quote_text"].startswith("Prices will rise")
    reason, detail = rows(warehouse, "SELECT reason, detail FROM rejected_document")[0]
    assert reason == "failed_validation" and "offsets_in_body" in detail
    failures = rows(warehouse, "SELECT suite, column_name FROM validation_result WHERE NOT success "
                               "AND severity = 'critical'")
    assert ("quote", "offsets_in_body") in failures


def test_accounting_holds_on_a_folder_of_mixed_bad_input(run_flow, tmp_path):
    seeds = tmp_path / "mixed"
    (seeds / "nested" / "deeper").mkdir(parents=True)
    shutil.copy(SEED, seeds / "seed.txt")
    shutil.copy(SEED, seeds / "nested" / "seed-again.txt")  # duplicate
    (seeds / "empty.txt").write_bytes(b"")
    (seeds / "blank.txt").write_text("   \n\n")
    (seeds / "nested" / "blob.txt").write_bytes(bytes(range(256)) * 4)
    (seeds / "nested" / "deeper" / "feed.jsonl").write_text(
        json.dumps({"text": "Ministers met in Paris on Tuesday to discuss the budget."}) + "\n"
        + "{not json}\n" + json.dumps({"title": "no text"}) + "\n")
    (seeds / "old.txt").write_bytes("\u201cIt is over,\u201d said Jean Dupont.".encode("cp1252"))
    warehouse = tmp_path / "mixed.duckdb"

    first = run_flow(seeds, warehouse)
    assert first["documents_seen"] == 9
    assert first["documents_loaded"] == 3
    assert first["rejected_by_reason"] == {"binary": 1, "duplicate": 1, "empty": 1, "malformed_json": 1,
                                           "missing_text": 1, "whitespace_only": 1}
    assert first["accounting_ok"]
    stored = rows(warehouse, "SELECT reason, count(*) FROM rejected_document GROUP BY reason ORDER BY reason")
    assert stored == [("binary", 1), ("duplicate", 1), ("empty", 1), ("malformed_json", 1), ("missing_text", 1),
                      ("whitespace_only", 1)]
    assert rows(warehouse, "SELECT encoding FROM article WHERE source_path LIKE '%old.txt'")[0][0].startswith("cp1252")

    second = run_flow(seeds, warehouse)
    assert (second["documents_seen"], second["documents_skipped"], second["documents_rejected"]) == (9, 3, 6)
    run = rows(warehouse, "SELECT documents_seen, documents_loaded, documents_skipped, documents_rejected, "
                          "accounting_ok FROM pipeline_run ORDER BY started_at")
    assert run == [(9, 3, 0, 6, True), (9, 0, 3, 6, True)]
    # the warehouse as a whole: every input any run saw is stored or rejected
    assert rows(warehouse, "SELECT count(*) FROM source_seen") == [(9,)]
    report = doctor.examine(warehouse)
    assert report.healthy and "unaccounted_source" not in report.checks(), report.render()


def test_articles_that_fail_are_set_apart_and_the_rest_of_their_batch_is_audited_again(
        run_flow, corrupting_pipeline, tmp_path):
    seeds = three_documents_one_marked(tmp_path / "seeds")
    warehouse = tmp_path / "w.duckdb"
    summary = run_flow(seeds, warehouse, batch_size=10)

    assert summary["batches_quarantined"] == 1 and summary["batches_published"] == 1
    assert summary["documents_loaded"] == 2 and summary["rejected_by_reason"] == {"failed_validation": 1}
    assert sorted(r[0].rsplit("/", 1)[-1] for r in rows(warehouse, "SELECT source_path FROM article")) \
        == ["a.txt", "c.txt"]
    assert rows(warehouse, "SELECT DISTINCT table_name FROM quarantine ORDER BY 1") \
        == [("article",), ("attribution",), ("entity",), ("entity_mention",), ("entity_resolution",), ("quote",), ("sentence",)]
    assert rows(warehouse, "SELECT count(DISTINCT article_id) FROM quarantine WHERE article_id IS NOT NULL") == [(1,)]
    # the failed batch and the re-staged rest were both audited and recorded
    assert rows(warehouse, "SELECT count(*) FROM validation_result WHERE suite = 'quote' "
                           "AND column_name = 'offsets_in_body'") == [(2,)]
