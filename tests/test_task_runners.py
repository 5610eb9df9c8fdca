"""Where enrichment runs and what a failure there costs: an existing Dask cluster (the
scale-out path) gives the warehouse the in-process run gives, a batch whose task fails
costs only its own documents, and only I/O tasks retry.

tests/test_runners.py compares the local process pool and a LocalCluster started by the
flow with the thread runner."""

from __future__ import annotations

import duckdb
import pytest

from wirehouse.flows import pipeline

DOCS = {
    "a.txt": '"We will win this race," Mayor Ann Smith said in Boston on Monday.',
    "b.txt": '"The bridge opens in May," engineer Maria Lopez told reporters in Denver.',
    "c.txt": "Apple and Microsoft reported higher profits for the quarter, analysts in New York said.",
}
# every column but the ones that name the run or the time of loading
VOLATILE = {"run_id", "ingested_at"}
TABLES = ("article", "sentence", "entity", "entity_mention", "quote")


def contents(warehouse) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        found = {}
        for table in TABLES:
            columns = [row[0] for row in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [table]).fetchall() if row[0] not in VOLATILE]
            rows = con.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
            found[table] = sorted(rows, key=repr)
        return found
    finally:
        con.close()


@pytest.fixture
def three_docs(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name, text in DOCS.items():
        (seeds / name).write_text(text, encoding="utf-8")
    return seeds


def test_only_io_tasks_retry():
    io_tasks = (pipeline.open_warehouse, pipeline.begin_run, pipeline.write_batch, pipeline.record_rejections,
                pipeline.forget_rejections, pipeline.prune_removed, pipeline.finish_run)
    compute_tasks = (pipeline.enrich_batch, pipeline.audit_batch, pipeline.write_run_report,
                     pipeline.publish_run_artifacts)
    assert all(task.retries >= 1 for task in io_tasks)
    assert all(not task.retries for task in compute_tasks)


def test_a_failing_batch_costs_only_its_own_documents(run_flow, three_docs, tmp_path, monkeypatch):
    real_enrich = pipeline.enrich_batch

    @pipeline.task(name="enrich-batch")
    def enrich_or_fail(articles, model):
        if any(article.source_path.endswith("b.txt") for article in articles):
            raise RuntimeError("worker lost")
        return real_enrich.fn(articles, model)

    monkeypatch.setattr(pipeline, "enrich_batch", enrich_or_fail)
    warehouse = tmp_path / "failing.duckdb"
    summary = run_flow(three_docs, warehouse, batch_size=1)

    assert summary["status"] == "completed_with_rejections" and summary["accounting_ok"]
    assert (summary["documents_loaded"], summary["documents_rejected"]) == (2, 1)
    assert summary["rejected_by_reason"] == {"enrichment_error": 1}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        paths = sorted(row[0].rsplit("/", 1)[-1] for row in con.execute("SELECT source_path FROM article").fetchall())
        rejected = con.execute("SELECT source_key, reason, detail FROM rejected_document").fetchall()
    finally:
        con.close()
    assert paths == ["a.txt", "c.txt"]
    ((key, reason, detail),) = rejected
    assert key.endswith("b.txt") and reason == "enrichment_error" and "worker lost" in detail

    monkeypatch.setattr(pipeline, "enrich_batch", real_enrich)  # the next run picks the document up
    again = run_flow(three_docs, warehouse, batch_size=1)
    assert (again["documents_loaded"], again["documents_skipped"], again["documents_rejected"]) == (1, 2, 0)


@pytest.mark.slow
def test_existing_dask_cluster_gives_the_same_warehouse_as_the_in_process_run(run_flow, three_docs, tmp_path):
    from distributed import LocalCluster

    from tests.test_web_ingest import article_page

    (three_docs / "d.html").write_text(article_page(), encoding="utf-8")  # extracted where enrichment runs
    baseline = run_flow(three_docs, tmp_path / "thread.duckdb", batch_size=1)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      host="127.0.0.1") as cluster:
        summary = run_flow(three_docs, tmp_path / "dask.duckdb", batch_size=1, runner="dask",
                           dask_address=cluster.scheduler_address)
        # the scheduler counts every task that finished on a worker (a Dask key names the function)
        enriched_on_cluster = cluster.scheduler.task_prefixes["enrich_batch"].state_counts["memory"]
        extracted_on_cluster = cluster.scheduler.task_prefixes["extract_pages"].state_counts["memory"]
    assert summary["status"] == baseline["status"] == "completed"
    assert summary["documents_loaded"] == 4
    assert enriched_on_cluster == 4  # one task per batch, all of them on the cluster
    assert extracted_on_cluster == 1  # the page's article was extracted there too
    assert contents(tmp_path / "dask.duckdb") == contents(tmp_path / "thread.duckdb")
