"""The Wirehouse Prefect flow: ingest -> plan -> enrich -> audit -> publish, in batches.

Tasks are thin wrappers over functions in transforms/, expectations/ and warehouse/.
Enrichment is the only stage that leaves this process (through the task runner the
settings choose); audit and publish run here, so exactly one process writes DuckDB.
The run holds the warehouse's run lock from start to end but opens the DuckDB file only
for each group of writes (start, each settled batch, finish), so read-only connections
get in between batches and see published batches only.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import ctypes
import ctypes.util
import functools
import os
import itertools
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote as no_traverse

from wirehouse.flows.progress import RunProgress
from wirehouse.flows.settings import Settings
from wirehouse.transforms import ingest, nlp
from wirehouse.transforms.incremental import Plan, Planner, WarehouseIndex
from wirehouse.transforms.records import Article, EnrichedBatch, Rejection

if TYPE_CHECKING:  # imported where used: spawned workers import this module too, and need
    # neither GX and pandas nor DuckDB and Arrow (about 90 MB less in every worker)
    from wirehouse.expectations.audit import AuditReport, Auditor
    from wirehouse.warehouse.store import Warehouse


@dataclass
class RunSummary:
    run_id: str
    status: str = "running"
    documents_seen: int = 0
    documents_loaded: int = 0
    documents_skipped: int = 0
    documents_rejected: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    batches_published: int = 0
    batches_quarantined: int = 0
    validation_warnings: int = 0
    missing_sources: list[str] = field(default_factory=list)
    pruned_articles: int = 0
    table_counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    model_version: str = ""
    warehouse_path: str = ""
    data_docs_index: str | None = None
    run_report: str | None = None
    # seconds per stage: ingest, validation, load and waiting for enrichment (this process);
    # spaCy components, Wirehouse components and row building (where enrichment ran)
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def timed(self, stage: str, started: float) -> None:
        self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + time.perf_counter() - started

    @property
    def accounting_ok(self) -> bool:
        return self.documents_seen == self.documents_loaded + self.documents_skipped + self.documents_rejected

    def reject(self, rejections: list[Rejection]) -> None:
        self.documents_rejected += len(rejections)
        for rejection in rejections:
            self.rejected_by_reason[rejection.reason] = self.rejected_by_reason.get(rejection.reason, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["accounting_ok"] = self.accounting_ok
        return data


# ---------------------------------------------------------------- tasks (thin)

def _not_busy(task: Any, task_run: Any, state: Any) -> bool:
    """Retry opening on transient errors, not when another run holds the warehouse:
    --wait already bounds that wait."""
    from wirehouse.warehouse.store import WarehouseBusy

    try:
        state.result()
    except WarehouseBusy:
        return False
    except Exception:
        return True
    return False


@task(name="open-warehouse", retries=2, retry_delay_seconds=2, retry_condition_fn=_not_busy, cache_policy=NO_CACHE)
def open_warehouse(path: str, wait_seconds: float, run_id: str) -> Warehouse:
    from wirehouse.warehouse.store import Warehouse

    return Warehouse.open(path, wait_seconds=wait_seconds, run_id=run_id)


@task(name="enrich-batch", cache_policy=NO_CACHE)
def enrich_batch(articles: list[Article], model: str) -> tuple[EnrichedBatch, list[Rejection]]:
    """Enrich a batch; if spaCy fails on it, find the articles that fail on their own."""
    try:
        return nlp.enrich(articles, model), []
    except nlp.ModelNotInstalled:
        raise
    except Exception:  # isolate the bad document(s) instead of losing the batch
        batch, failures = EnrichedBatch(), []
        for article in articles:
            try:
                batch.extend(nlp.enrich([article], model))
            except Exception as error:
                failures.append(Rejection(article.source_path, article.source_line, "enrichment_error",
                                          f"spaCy enrichment failed: {type(error).__name__}: {error}"[:500]))
        return batch.dedupe_entities(), failures


@task(name="audit-batch", cache_policy=NO_CACHE)
def audit_batch(auditor: Auditor, batch: EnrichedBatch, batch_index: int, expected_articles: int) -> AuditReport:
    return auditor.audit(batch, batch_index, expected_articles)


@task(name="publish-batch", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def publish_batch(warehouse: Warehouse, batch: EnrichedBatch, run_id: str, replaces: set[str],
                  report: AuditReport) -> None:
    warehouse.record_validation(report, run_id)
    warehouse.publish(batch, run_id, replaces)


@task(name="quarantine-batch", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def quarantine_batch(warehouse: Warehouse, batch: EnrichedBatch, run_id: str, report: AuditReport) -> None:
    warehouse.record_validation(report, run_id)
    warehouse.quarantine(batch, run_id, report)


@task(name="record-rejections", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def record_rejections(warehouse: Warehouse, rejections: list[Rejection], loaded_keys: list[str],
                      run_id: str) -> None:
    warehouse.clear_rejections(loaded_keys)
    warehouse.record_rejections(rejections, run_id)


@task(name="prune-removed", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def prune_removed(warehouse: Warehouse, source_keys: list[str]) -> int:
    return warehouse.delete_articles(warehouse.article_ids_for_sources(source_keys))


@task(name="publish-run-report", cache_policy=NO_CACHE)
def publish_run_report(summary: RunSummary, rejections: list[Rejection], audits: list[AuditReport]) -> None:
    create_table_artifact(
        key="wirehouse-table-counts",
        table=[{"table": name, "rows": rows} for name, rows in summary.table_counts.items()],
        description="Rows per warehouse table after the run.",
    )
    create_table_artifact(
        key="wirehouse-rejected-documents",
        table=[{"source": r.source_key, "reason": r.reason, "detail": r.detail} for r in rejections[:1000]]
        or [{"source": "", "reason": "none", "detail": "no document was rejected"}],
        description="Documents this run rejected, with the reason (first 1,000).",
    )
    create_markdown_artifact(key="wirehouse-run-summary", markdown=summary_markdown(summary, audits),
                             description="Wirehouse run summary and validation outcome.")


# ---------------------------------------------------------------- the flow

@flow(name="wirehouse-pipeline", log_prints=True)
def wirehouse_pipeline(
    seeds_dir: str = "seeds",
    warehouse_path: str = "warehouse/wirehouse.duckdb",
    model: str = nlp.DEFAULT_MODEL,
    batch_size: int = 500,
    prune: bool = False,
    wait_seconds: float = 0.0,
    max_file_bytes: int = ingest.DEFAULT_MAX_FILE_BYTES,
    max_article_chars: int = ingest.DEFAULT_MAX_ARTICLE_CHARS,
    data_docs: bool = True,
    progress: str = "auto",
    runner: str = "thread",
    workers: int = 2,
    dask_address: str | None = None,
) -> dict[str, Any]:
    """Load every document under `seeds_dir` into the DuckDB warehouse at `warehouse_path`."""
    settings = Settings(seeds_dir=seeds_dir, warehouse_path=warehouse_path, model=model, batch_size=batch_size,
                        prune=prune, wait_seconds=wait_seconds, max_file_bytes=max_file_bytes,
                        max_article_chars=max_article_chars, data_docs=data_docs, progress=progress,
                        runner=runner, workers=workers, dask_address=dask_address)
    return run_pipeline(settings).as_dict()


# Batches whose enrichment is under way at once: the one being audited and published, and
# the next, whose chunks keep the workers busy meanwhile.
BATCHES_IN_FLIGHT = 2
# A batch is enriched as this many chunks per worker, so every worker has work until the
# batch's last few articles (a batch of 500 on 2 workers: 8 tasks of about 63 articles).
CHUNKS_PER_WORKER = 4


def enrichment_runner(settings: Settings):
    """Where enrichment runs: one worker thread here (overlapping audit and load), a local
    process pool, or Dask."""
    if settings.runner == "process":
        from prefect.task_runners import ProcessPoolTaskRunner

        return ProcessPoolTaskRunner(max_workers=settings.workers, initializer=nlp.load_pipeline,
                                     initargs=(settings.model,))
    if settings.runner == "dask":
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": settings.workers, "threads_per_worker": 1,
                                              "processes": True, "dashboard_address": None})
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner(max_workers=1)


def enrichment_chunks(articles: list[Article], settings: Settings) -> list[list[Article]]:
    """A batch cut into even chunks, one enrichment task each (one chunk in a thread)."""
    parts = 1 if settings.runner == "thread" else settings.workers * CHUNKS_PER_WORKER
    size = max(1, -(-len(articles) // parts))
    return [articles[i : i + size] for i in range(0, len(articles), size)]


@contextlib.contextmanager
def api_url_for_workers() -> Iterator[None]:
    """Worker processes report task states to the API this flow uses. Without
    PREFECT_API_URL that is the temporary server of this run: export its address, or
    every spawned worker would start a temporary server of its own."""
    from prefect.client.orchestration import get_client

    previous = os.environ.get("PREFECT_API_URL")
    if not previous:
        os.environ["PREFECT_API_URL"] = str(get_client().api_url)
    try:
        yield
    finally:
        if not previous:
            os.environ.pop("PREFECT_API_URL", None)


def run_pipeline(settings: Settings) -> RunSummary:
    """The body of the flow (callable from another flow too)."""
    run = PipelineRun(settings)
    try:
        return run.execute()
    except BaseException as error:
        run.fail(error)
        raise
    finally:
        run.close()


class PipelineRun:
    """State of one run: the warehouse connection, the planner, counters, reports."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.logger = get_run_logger()
        self.started = time.monotonic()
        self.run_id = str(flow_run.get_id() or f"local-{int(time.time())}")
        self.seeds_root = Path(settings.seeds_dir).absolute()
        self.sources = list(ingest.discover(self.seeds_root))  # paths and sizes; contents are streamed
        self.model_version = nlp.model_version(settings.model)
        self.enrichment_version = nlp.enrichment_version(settings.model)
        self.summary = RunSummary(run_id=self.run_id, model_version=self.model_version,
                                  warehouse_path=str(Path(settings.warehouse_path).absolute()))
        self.rejections: list[Rejection] = []
        self.audits: list[AuditReport] = []
        self._auditor: concurrent.futures.Future | None = None
        self.warehouse: Warehouse | None = open_warehouse(settings.warehouse_path, settings.wait_seconds,
                                                          self.run_id)

    def execute(self) -> RunSummary:
        settings, summary, warehouse, logger = self.settings, self.summary, self.warehouse, self.logger
        with warehouse.session():
            interrupted = warehouse.mark_interrupted_runs()
            if interrupted:
                logger.warning("%d earlier run(s) ended without finishing; marked incomplete", interrupted)
            warehouse.start_run(self.run_id, str(self.seeds_root), settings.model, self.model_version,
                                self.enrichment_version)
            index_rows = warehouse.index_rows()
        logger.info("run %s: %d inputs under %s, model %s, runner %s", self.run_id, len(self.sources),
                    self.seeds_root, self.model_version, settings.runner)
        self.planner = Planner(WarehouseIndex.from_rows(index_rows), self.enrichment_version)
        files = [s for s in self.sources if isinstance(s, ingest.SourceFile)]
        self.progress = RunProgress(sum(f.size for f in files), len(files), settings.progress, logger)

        task_runner = enrichment_runner(settings)
        pending: collections.deque = collections.deque()
        with api_url_for_workers(), task_runner:
            documents = batched_documents(self.sources, settings)
            for batch_index in itertools.count():
                started = time.perf_counter()
                chunk = next(documents, None)
                if chunk is None:
                    break
                articles, rejections, bytes_read = chunk
                plan = self.plan(articles, rejections)
                summary.timed("ingest", started)
                self.progress.advance(bytes_read=bytes_read, documents=len(articles) + len(rejections))
                if plan.to_enrich:
                    self.prepare_auditor()
                    chunks = [(task_runner.submit(enrich_batch, parameters={"articles": chunk, "model": settings.model}),
                               chunk) for chunk in enrichment_chunks(plan.to_enrich, settings)]
                    pending.append((chunks, plan, batch_index))
                while len(pending) >= BATCHES_IN_FLIGHT:
                    self.settle(*pending.popleft())
                    return_freed_memory()
            while pending:
                self.settle(*pending.popleft())
                return_freed_memory()
        self.progress.close()
        self.handle_missing_sources()
        return self.finish()

    def plan(self, articles: list[Article], rejections: list[Rejection]) -> Plan:
        """Skip unchanged articles and reject duplicates before any NLP."""
        plan = self.planner.plan(articles)
        rejected = rejections + plan.rejected
        self.summary.documents_seen += len(articles) + len(rejections)
        self.summary.documents_skipped += len(plan.skipped)
        self.reject(rejected, loaded_keys=[a.source_key for a in plan.skipped])
        return plan

    def settle(self, chunks: list[tuple[Any, list[Article]]], plan: Plan, batch_index: int) -> None:
        """Wait for the enriched chunks of one batch, audit the batch, then publish it or
        quarantine it.

        A batch that fails is never published as it is. When the failures can be pinned
        on some articles, those go to quarantine and the rest is staged again as a new
        batch and audited again; otherwise the whole batch goes to quarantine."""
        batch, failures = EnrichedBatch(), []
        for future, articles in chunks:
            started = time.perf_counter()
            try:
                enriched, chunk_failures = future.result()
            except nlp.ModelNotInstalled:
                raise
            except Exception as error:  # a crashed task or a lost worker costs its chunk, not the run
                detail = f"batch {batch_index} enrichment failed: {type(error).__name__}: {error}"[:500]
                self.logger.error("%s; its %d document(s) are rejected and tried again on the next run", detail,
                                  len(articles))
                enriched, chunk_failures = EnrichedBatch(), [
                    Rejection(a.source_path, a.source_line, "enrichment_error", detail) for a in articles]
            self.summary.timed("wait_for_enrichment", started)
            batch.extend(enriched)
            failures += chunk_failures
            self.progress.advance(enriched=len(articles))
        batch.dedupe_entities()
        for stage, seconds in batch.timings.items():
            self.summary.stage_seconds[f"enrich:{stage}"] = self.summary.stage_seconds.get(f"enrich:{stage}", 0.0) \
                + seconds
        rejected, loaded_keys = list(failures), []
        staged, expected = batch, len(plan.to_enrich) - len(failures)
        with contextlib.ExitStack() as writing:  # the file is open for this batch's writes only, not its audit
            while staged.articles:
                started = time.perf_counter()
                report = audit_batch(no_traverse(self.auditor), no_traverse(staged), batch_index, expected)
                self.summary.timed("validation", started)
                started = time.perf_counter()
                self.audits.append(report)
                self.summary.validation_warnings += len(report.warnings)
                keys = {source_key(row) for row in staged.articles}
                if report.passed:
                    writing.enter_context(self.warehouse.session())  # kept open for the rejections below
                    publish_batch(no_traverse(self.warehouse), no_traverse(staged), self.run_id,
                                  plan.replaced_by(keys), no_traverse(report))
                    self.summary.documents_loaded += len(staged.articles)
                    self.summary.batches_published += 1
                    loaded_keys = sorted(keys)
                    self.summary.timed("load", started)
                    break
                culprits = report.culprit_articles(staged)
                whole = culprits is None or culprits >= {row.article_id for row in staged.articles}
                bad, staged = (staged, EnrichedBatch()) if whole else staged.split(culprits)
                expected = len(staged.articles)
                with self.warehouse.session():
                    quarantine_batch(no_traverse(self.warehouse), no_traverse(bad), self.run_id, no_traverse(report))
                self.summary.batches_quarantined += 1
                failed = ", ".join(name for table in ("article", "entity", "entity_mention", "quote")
                                   for name in report.failed_names(table))
                self.logger.error("batch %d failed validation (%s): %d article(s) quarantined, %d staged again",
                                  batch_index, failed, len(bad.articles), len(staged.articles))
                rejected += [Rejection(row.source_path, row.source_line, "failed_validation",
                                       f"batch {batch_index} failed critical expectations: {failed}"[:500])
                             for row in bad.articles]
                self.summary.timed("load", started)
            started = time.perf_counter()
            self.reject(rejected, loaded_keys)
            self.summary.timed("load", started)

    def reject(self, rejections: list[Rejection], loaded_keys: list[str]) -> None:
        self.summary.reject(rejections)
        self.rejections.extend(rejections)
        if rejections or loaded_keys:
            with self.warehouse.session():
                record_rejections(no_traverse(self.warehouse), no_traverse(rejections), no_traverse(loaded_keys),
                                  self.run_id)

    def handle_missing_sources(self) -> None:
        # a .jsonl file that changed while read was not read to its end: its other lines are not gone
        changing = {r.source_path for r in self.rejections if r.reason == "changed_while_reading"}
        missing = [key for key in self.planner.missing_sources(str(self.seeds_root))
                   if key.rpartition("#")[0] not in changing]
        self.summary.missing_sources = missing
        if not missing:
            return
        if self.settings.prune:
            with self.warehouse.session():
                self.summary.pruned_articles = prune_removed(no_traverse(self.warehouse), missing)
            self.logger.info("pruned %d article(s) whose source is gone", self.summary.pruned_articles)
        else:
            self.logger.warning("%d stored source(s) no longer exist under %s; `wirehouse run --prune` removes "
                                "their rows", len(missing), self.seeds_root)

    def prepare_auditor(self) -> None:
        """Start creating the Auditor (seconds, mostly importing GX) in a thread when the
        first batch goes to enrichment, so it is ready when that batch comes back. A run
        with nothing new never imports GX."""
        if self._auditor is None:
            self._auditor = concurrent.futures.Future()
            threading.Thread(target=self._create_auditor, name="wirehouse-gx-setup", daemon=True).start()

    def _create_auditor(self) -> None:
        started = time.perf_counter()
        settings = self.settings
        try:
            from wirehouse.expectations.audit import Auditor

            auditor = Auditor(data_docs_dir=settings.warehouse_dir / "data_docs" if settings.data_docs else None,
                              web_assets_dir=Path(settings.web_assets_dir), run_name=self.run_id)
        except BaseException as error:  # a bad suite file: raised where the auditor is used
            self._auditor.set_exception(error)
        else:
            self._auditor.set_result(auditor)
        finally:
            self.summary.stage_seconds["validation_setup"] = time.perf_counter() - started

    @property
    def auditor(self) -> Auditor:
        self.prepare_auditor()
        return self._auditor.result()

    def write_report(self) -> None:
        """The HTML run report with charts, linked as a Prefect artifact; never fails the run."""
        from wirehouse.warehouse.report import write_run_report

        try:
            page = write_run_report(self.warehouse.con, self.run_id, self.settings.warehouse_dir / "reports",
                                    web_assets_dir=Path(self.settings.web_assets_dir))
            self.summary.run_report = str(page)
            create_link_artifact(key="wirehouse-run-report", link=page.as_uri(), link_text="Run report (charts)",
                                 description="Top entities, most-quoted speakers, quotes per article, "
                                             "validation outcome and rejected documents of this run.")
        except Exception as error:
            self.logger.warning("run report not written: %s", error)

    def finish(self) -> RunSummary:
        summary = self.summary
        if self.audits and self.auditor.data_docs_dir is not None:
            started = time.perf_counter()
            summary.data_docs_index = str(self.auditor.build_data_docs())
            summary.timed("data_docs", started)
        with self.warehouse.session():
            summary.table_counts = self.warehouse.table_counts()
            self.record_finish()
            self.write_report()
        publish_run_report(no_traverse(summary), no_traverse(self.rejections), no_traverse(self.audits))
        self.logger.info("run %s %s in %.1fs: %d seen, %d loaded, %d skipped, %d rejected", self.run_id,
                         summary.status, summary.seconds, summary.documents_seen, summary.documents_loaded,
                         summary.documents_skipped, summary.documents_rejected)
        return summary

    def record_finish(self) -> None:
        summary = self.summary
        summary.seconds = round(time.monotonic() - self.started, 2)
        if summary.accounting_ok:
            summary.status = "completed_with_rejections" if summary.documents_rejected else "completed"
        else:
            summary.status = "failed"
            self.logger.error("accounting does not hold: seen %d != loaded %d + skipped %d + rejected %d",
                              summary.documents_seen, summary.documents_loaded, summary.documents_skipped,
                              summary.documents_rejected)
        self.warehouse.finish_run(self.run_id, summary.status, summary.documents_seen, summary.documents_loaded,
                                  summary.documents_skipped, summary.documents_rejected, self.counts())

    def counts(self) -> dict[str, Any]:
        return {"tables": self.summary.table_counts, "rejected_by_reason": self.summary.rejected_by_reason,
                "batches_quarantined": self.summary.batches_quarantined,
                "validation_warnings": self.summary.validation_warnings,
                "stage_seconds": {k: round(v, 3) for k, v in self.summary.stage_seconds.items()}}

    def fail(self, error: BaseException) -> None:
        if self.warehouse is None:
            return
        summary = self.summary
        try:
            with self.warehouse.session():
                self.warehouse.finish_run(self.run_id, "failed", summary.documents_seen, summary.documents_loaded,
                                          summary.documents_skipped, summary.documents_rejected, self.counts(),
                                          f"{type(error).__name__}: {error}"[:1000])
        except Exception as recording:  # the run's own error is the one to report
            self.logger.error("could not record the failed run: %s", recording)

    def close(self) -> None:
        if self.warehouse is not None:
            self.warehouse.close()
            self.warehouse = None


@functools.cache
def _malloc_trim() -> Any:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to trim
        return None


def return_freed_memory() -> None:
    """Hand the heap pages a settled batch freed back to the OS. glibc keeps freed memory
    in its arenas, so without this the flow process's RSS creeps up batch after batch of
    a long run (the same remedy as Dask's worker memory trimming)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def source_key(row: Any) -> str:
    return row.source_path if row.source_line is None else f"{row.source_path}#{row.source_line}"


def batched_documents(sources: list[Any], settings: Settings) -> Iterator[tuple[list[Article], list[Rejection], int]]:
    """Stream (articles, rejections, bytes read) in groups of about `batch_size` documents."""
    articles: list[Article] = []
    rejections: list[Rejection] = []
    bytes_read = 0
    for source in sources:
        if isinstance(source, Rejection):
            rejections.append(source)
            continue
        for item in ingest.read_source(source, settings.limits):
            (articles if isinstance(item, Article) else rejections).append(item)
            if len(articles) >= settings.batch_size:
                yield articles, rejections, bytes_read
                articles, rejections, bytes_read = [], [], 0
        bytes_read += source.size
    if articles or rejections or bytes_read:
        yield articles, rejections, bytes_read


def summary_markdown(summary: RunSummary, audits: list[AuditReport]) -> str:
    failures = [o for report in audits for o in report.critical_failures]
    warnings = [o for report in audits for o in report.warnings]
    lines = [
        f"# Wirehouse run `{summary.run_id}`: {summary.status}",
        "",
        "| documents | count |", "|---|---:|",
        f"| seen | {summary.documents_seen} |", f"| loaded | {summary.documents_loaded} |",
        f"| skipped (unchanged) | {summary.documents_skipped} |", f"| rejected | {summary.documents_rejected} |",
        "",
        f"Accounting seen = loaded + skipped + rejected: **{'holds' if summary.accounting_ok else 'BROKEN'}**.",
        f"Model: `{summary.model_version}`. Time: {summary.seconds:.1f}s.",
        "",
        f"## Validation: {len(audits)} batch(es) audited, {summary.batches_quarantined} quarantined, "
        f"{len(failures)} critical failure(s), {len(warnings)} warning(s)",
    ]
    for outcome in (failures + warnings)[:50]:
        lines.append(f"- {outcome.severity}: `{outcome.suite}.{outcome.expectation}({outcome.column or ''})` "
                     f"{outcome.unexpected_count} unexpected, e.g. {outcome.unexpected_sample}")
    if summary.rejected_by_reason:
        lines += ["", "## Rejected documents by reason", "", "| reason | count |", "|---|---:|"]
        lines += [f"| {reason} | {count} |" for reason, count in sorted(summary.rejected_by_reason.items())]
    return "\n".join(lines) + "\n"
