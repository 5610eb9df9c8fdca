"""Enrichment through every task runner gives the same warehouse as the default."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from tests.conftest import PROJECT

TABLE_CONTENTS = {
    "article": "SELECT article_id, source_path, title, body, word_count, sentence_count FROM article",
    "entity": "SELECT entity_id, canonical_name, label, mention_count, article_count FROM entity",
    "entity_mention": "SELECT article_id, entity_id, start_char, end_char, label, raw_label, role FROM entity_mention",
    "quote": "SELECT quote_id, quote_text, speaker_name, speaker_entity_id, attribution, confidence FROM quote",
}


def contents(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {table: sorted(con.execute(sql).fetchall(), key=repr) for table, sql in TABLE_CONTENTS.items()}
    finally:
        con.close()


@pytest.fixture
def three_articles(seeds_copy):
    (seeds_copy / "b.txt").write_text('"We will win this race," Mayor Ann Smith said in Boston on Monday.')
    (seeds_copy / "c.txt").write_text('"The bridge opens in May," engineer Maria Lopez told reporters in Denver.')
    return seeds_copy


@pytest.mark.slow
@pytest.mark.parametrize("runner", ["process", "dask"])
def test_runner_gives_the_same_warehouse_as_the_thread_runner(run_flow, three_articles, tmp_path, runner):
    baseline = run_flow(three_articles, tmp_path / "thread.duckdb", batch_size=1)
    # one batch of three, enriched as three chunks spread over the two workers
    other = run_flow(three_articles, tmp_path / f"{runner}.duckdb", batch_size=3, runner=runner, workers=2)
    assert baseline["documents_loaded"] == other["documents_loaded"] == 3
    assert contents(tmp_path / f"{runner}.duckdb") == contents(tmp_path / "thread.duckdb")


def test_a_batch_is_cut_into_even_chunks_for_the_workers():
    from wirehouse.flows.runners import CHUNKS_PER_WORKER, enrichment_chunks
    from wirehouse.flows.settings import Settings

    articles = list(range(500))
    chunks = enrichment_chunks(articles, Settings(runner="process", workers=2))
    assert len(chunks) == 2 * CHUNKS_PER_WORKER
    assert [a for chunk in chunks for a in chunk] == articles
    assert max(map(len, chunks)) - min(map(len, chunks)) <= 7
    assert enrichment_chunks(articles, Settings(runner="thread")) == [articles]
    assert enrichment_chunks(articles[:3], Settings(runner="dask", workers=2)) == [[0], [1], [2]]


def test_a_batch_is_cut_coarse_while_enough_documents_follow_it():
    """One task per worker while the documents after the batch can fill the workers that finish
    first; finer near the end, so the workers finish together."""
    from wirehouse.flows.runners import CHUNKS_PER_WORKER, enrichment_chunks
    from wirehouse.flows.settings import Settings

    articles = list(range(500))
    two, four = Settings(runner="process", workers=2), Settings(runner="process", workers=4)
    assert [len(c) for c in enrichment_chunks(articles, two, documents_after=250)] == [250, 250]
    assert len(enrichment_chunks(articles, two, documents_after=249)) == 2 * CHUNKS_PER_WORKER
    assert len(enrichment_chunks(articles, four, documents_after=375)) == 4
    assert len(enrichment_chunks(articles, four, documents_after=374)) == 4 * CHUNKS_PER_WORKER
    assert enrichment_chunks(articles, Settings(runner="thread"), documents_after=0) == [articles]


def test_each_batch_is_sent_knowing_the_next():
    from wirehouse.flows.pipeline import with_next

    assert list(with_next(iter("abc"))) == [("a", "b"), ("b", "c"), ("c", None)]
    assert list(with_next(iter(""))) == []


def test_the_module_workers_import_leaves_out_the_audit_and_warehouse_stacks():
    """Spawned workers import wirehouse.flows.pipeline (Prefect pickles the flow run context): GX,
    pandas, DuckDB and Arrow there would cost every worker about 90 MB it never uses."""
    heavy = ("great_expectations", "pandas", "duckdb", "pyarrow")
    code = f"import sys, wirehouse.flows.pipeline; print([m for m in {heavy!r} if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
