"""The Wirehouse Prefect flow: ingest -> plan -> enrich -> audit -> publish, in batches.

Tasks are thin wrappers over functions in transforms/, expectations/ and warehouse/.
Enrichment is the only stage that leaves this process (runners.py); audit and publish
run here, so exactly one process writes DuckDB. The run holds the warehouse's run lock
from start to end; the warehouse opens the DuckDB file only for each write, so read-only
connections get in between batches and see published batches only.

Worker processes import this module too, so it imports GX, pandas, DuckDB and Arrow only
where they are used (about 90 MB less in every worker).
"""

from __future__ import annotations

import collections
import concurrent.futures
import functools
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, TypeVar

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.settings import PREFECT_API_URL
from prefect.states import Cancelled
from prefect.utilities.annotations import quote as no_traverse

from wirehouse.flows.api_server import api_reachable
from wirehouse.flows.artifacts import publish_run_artifacts
from wirehouse.flows.collection import fewer_collections
from wirehouse.flows.failures import BatchNotWritten
from wirehouse.flows.ledger import ACCOUNTING_FAILED, CANCELLED, FAILED, RunLedger
from wirehouse.flows.progress import RunProgress
from wirehouse.flows.runners import api_url_for_workers, enrichment_chunks, enrichment_runner, return_freed_memory
from wirehouse.flows.settings import Settings, SettingsError, flow_parameters
from wirehouse.flows.stopping import StopRequested, graceful_stop, watch_flow_run_cancellation
from wirehouse.transforms import ingest, nlp
from wirehouse.transforms.incremental import Plan, Planner, WarehouseIndex
from wirehouse.transforms.records import Article, Page, Rejection, Skipped
from wirehouse.transforms.source_spellings import SourceSpellings
from wirehouse.transforms.tables import EnrichedBatch
from wirehouse.transforms.versions import extraction_version

if TYPE_CHECKING:
    from wirehouse.expectations.audit import Auditor
    from wirehouse.transforms.identity_batch import IdentityUpdate
    from wirehouse.expectations.verdict import AuditReport, BatchOutcome
    from wirehouse.warehouse.store import Warehouse

T = TypeVar("T")

# Batches whose enrichment is under way at once: the one being audited and published, and
# the next, whose chunks keep the workers busy meanwhile.
BATCHES_IN_FLIGHT = 2


# ---------------------------------------------------------------- tasks (thin)

def _not_busy(task: Any, task_run: Any, state: Any) -> bool:
    """Retry opening on transient errors, not when another run holds the warehouse:
    --wait already bounds that wait."""
    from wirehouse.warehouse.run_lock import WarehouseBusy

    try:
        state.result()
    except (WarehouseBusy, StopRequested):
        return False
    except Exception:
        return True
    return False


@task(name="open-warehouse", retries=2, retry_delay_seconds=2, retry_condition_fn=_not_busy, cache_policy=NO_CACHE)
def open_warehouse(path: str, wait_seconds: float, run_id: str) -> Warehouse:
    from wirehouse.warehouse.run_lock import LockWaitStopped
    from wirehouse.warehouse.store import Warehouse

    stop = graceful_stop()
    try:
        return Warehouse.open(path, wait_seconds=wait_seconds, run_id=run_id, stopping=stop.event.is_set,
                              waiting=get_run_logger().warning)
    except LockWaitStopped:
        stop.check()  # a cancel while waiting: the run stops, having taken nothing
        raise


@task(name="begin-run", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def begin_run(warehouse: Warehouse, run_id: str, seeds_dir: str, model: str, model_version: str,
              enrichment_version: str) -> tuple[int, list[tuple[str, str, str]], list[str]]:
    return warehouse.begin_run(run_id, seeds_dir, model, model_version, enrichment_version)


@task(name="load-identity-state", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def load_identity_state(warehouse: Warehouse) -> dict:
    from wirehouse.transforms.identity_state import load

    read_short = functools.partial(warehouse.identity_state_entries, "short")
    return load(warehouse.identity_state_rows(), read_short=read_short)


@task(name="identify-entities", cache_policy=NO_CACHE)
def identify_entities(state: dict, batch: EnrichedBatch, overrides: dict, run_id: str) -> IdentityUpdate:
    """The warehouse's identities and labels for the batch's names (rows rewritten in place)."""
    from wirehouse.transforms import identity, identity_batch
    from wirehouse.transforms.identity_state import changed_rows

    result = identity.process_batch(state, identity_batch.names_of(batch), overrides=overrides)
    changes = identity_batch.apply(batch, result, state, run_id)
    return identity_batch.IdentityUpdate(changes, list(changed_rows(state)))


@task(name="record-rejections", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def record_rejections(warehouse: Warehouse, rejections: list[Rejection], loaded_keys: list[str],
                      run_id: str) -> None:
    warehouse.record_rejections(rejections, run_id, loaded_keys)


@task(name="forget-rejections", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def forget_rejections(warehouse: Warehouse, source_keys: list[str]) -> int:
    return warehouse.forget_rejected_sources(source_keys)


@task(name="enrich-batch", cache_policy=NO_CACHE)
def enrich_batch(articles: list[Article], model: str) -> tuple[EnrichedBatch | None, list[Rejection]]:
    """Enrich a batch; if spaCy fails on it, find the articles that fail on their own."""
    try:
        return nlp.enrich(articles, model, interrupted=graceful_stop().event.is_set), []
    except nlp.EnrichmentInterrupted:
        return None, []  # the run is stopping: collect() stops it, nothing of the batch is used
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


@task(name="extract-pages", cache_policy=NO_CACHE)
def extract_pages(pages: list[Page]) -> tuple[list[Article | Rejection], float]:
    """The article of each web page, or why it has none; and the seconds it took."""
    from wirehouse.transforms.pages import extract_article  # trafilatura only where there are pages

    started = time.perf_counter()
    return [extract_article(page) for page in pages], time.perf_counter() - started


@task(name="audit-batch", cache_policy=NO_CACHE)
def audit_batch(auditor: Auditor, batch: EnrichedBatch, batch_index: int, expected_articles: int) -> AuditReport:
    return auditor.audit(batch, batch_index, expected_articles)


@task(name="write-batch", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def write_batch(warehouse: Warehouse, outcome: BatchOutcome, run_id: str, seen_keys: list[str],
                identity: IdentityUpdate | None) -> None:
    warehouse.write_batch(outcome, run_id, seen_keys, identity)


@task(name="prune-removed", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def prune_removed(warehouse: Warehouse, source_keys: list[str]) -> int:
    return warehouse.prune_sources(source_keys)


@task(name="finish-run", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def finish_run(warehouse: Warehouse, ledger: RunLedger, message: str | None = None) -> dict[str, int]:
    return warehouse.finish_run(ledger.run_id, ledger.status, ledger.documents_seen, ledger.documents_loaded,
                                ledger.documents_skipped, ledger.documents_rejected, ledger.counts(), message)


@task(name="write-run-report", cache_policy=NO_CACHE)
def write_run_report(warehouse_path: str, run_id: str, out_dir: Path, web_assets_dir: Path) -> Path:
    from wirehouse.warehouse.report import write_report_of

    return write_report_of(warehouse_path, run_id, out_dir, web_assets_dir)


# ---------------------------------------------------------------- the flow

@flow(name="wirehouse-pipeline", log_prints=True)
@flow_parameters
def wirehouse_pipeline(settings: Settings) -> dict[str, Any]:
    """Load every document under `seeds_dir` into the DuckDB warehouse at `warehouse_path`.

    SIGTERM, SIGINT or a cancel from the Prefect API stops it at the next batch boundary:
    the run is recorded as cancelled and the flow run ends Cancelled."""
    stop = graceful_stop()
    # installed again here: the flow engine replaced the handlers when the run started
    with stop.installed(), fewer_collections():
        try:
            run = start(settings)
        except StopRequested:  # while it waited for another run's warehouse: it took nothing
            return Cancelled(message=f"{stop.reason or 'stop requested'} before the run started; nothing published")
        try:
            with watch_flow_run_cancellation(stop), api_url_for_workers(), enrichment_runner(settings) as runner:
                planned = plan(run, ingested_batches(run))
                for enriched in enrich_ahead(run, runner, planned):
                    stop.check()
                    settle(run, enriched)
            forget_other_spellings(run)
            handle_missing_sources(run)
            return finish(run)
        except BaseException as error:
            if stop.requested:  # also a pool worker the same signal killed mid-batch
                return Cancelled(message=record_cancel(run, stop.reason or "stop requested"))
            record_failure(run, error)
            raise
        finally:
            run.close()


@dataclass
class Run:
    """What one run holds: its settings, warehouse, planner, ledger and progress display."""

    settings: Settings
    ledger: RunLedger
    warehouse: Warehouse | None
    planner: Planner
    progress: RunProgress
    sources: list[Any]
    logger: Any
    _auditor: concurrent.futures.Future | None = field(default=None, repr=False)
    _identity_state: dict | None = field(default=None, repr=False)

    @property
    def run_id(self) -> str:
        return self.ledger.run_id

    @property
    def identity_state(self) -> dict:
        """The identity step's state, read from the warehouse once per run (when a batch
        first needs it) and kept up to date by the batches."""
        if self._identity_state is None:
            with self.ledger.timing("identity"):
                self._identity_state = load_identity_state(no_traverse(self.warehouse))
        return self._identity_state

    @functools.cached_property
    def entity_overrides(self) -> dict:
        from wirehouse.transforms.overrides import load_overrides

        return load_overrides(self.settings.entity_overrides)

    def prepare_auditor(self) -> None:
        """Start creating the Auditor (seconds, mostly importing GX) in a thread when the
        first batch goes to enrichment, so it is ready when that batch comes back. A run
        with nothing new never imports GX."""
        if self._auditor is None:
            self._auditor = concurrent.futures.Future()
            threading.Thread(target=self._create_auditor, name="wirehouse-gx-setup", daemon=True).start()

    def _create_auditor(self) -> None:
        settings = self.settings
        try:
            with self.ledger.timing("validation_setup"):
                from wirehouse.expectations.audit import Auditor

                auditor = Auditor(data_docs_dir=settings.data_docs_dir if settings.data_docs else None,
                                  web_assets_dir=Path(settings.web_assets_dir), run_name=self.run_id)
        except BaseException as error:  # a bad suite file: raised where the auditor is used
            self._auditor.set_exception(error)
        else:
            self._auditor.set_result(auditor)

    @property
    def auditor(self) -> Auditor:
        self.prepare_auditor()
        return self._auditor.result()

    def close(self) -> None:
        self.progress.close()
        if self.warehouse is not None:
            self.warehouse.close()
            self.warehouse = None


def start(settings: Settings) -> Run:
    """Take the warehouse (lock, schema), record the run, and read what is stored."""
    logger = get_run_logger()
    if problems := settings.run_problems(web_assets=False):  # a deployment's parameters; the CLI checked its own
        raise SettingsError("; ".join(f"{name}={getattr(settings, name)!r}: {problem}" for name, problem in problems))
    run_id = str(flow_run.get_id() or f"local-{int(time.time())}")
    seeds_root = Path(settings.seeds_dir).absolute()
    # paths and sizes (contents are streamed); never the warehouse's own files
    sources = list(ingest.discover(seeds_root, skip=settings.warehouse_outputs))
    model_version = nlp.model_version(settings.model)
    enrichment_version = nlp.enrichment_version(settings.model)
    ledger = RunLedger(run_id, model_version, str(Path(settings.warehouse_path).absolute()))
    warehouse = open_warehouse(settings.warehouse_path, settings.wait_seconds, run_id)
    try:
        interrupted, index_rows, seen_keys = begin_run(no_traverse(warehouse), run_id, str(seeds_root),
                                                       settings.model, model_version, enrichment_version)
    except BaseException:
        warehouse.close()
        raise
    if interrupted:
        logger.warning("%d earlier run(s) ended without finishing; marked incomplete", interrupted)
    logger.info("run %s: %d inputs under %s, model %s, runner %s", run_id, len(sources), seeds_root,
                model_version, settings.runner)
    files = [s for s in sources if isinstance(s, ingest.SourceFile)]
    index = WarehouseIndex.from_rows(index_rows)
    read_paths = [str(s.path) if isinstance(s, ingest.SourceFile) else s.source_path for s in sources]
    spellings = SourceSpellings(index.by_source, seen_keys, read_paths, os.path.realpath)
    planner = Planner(index, enrichment_version, extraction_version(), spellings, str(seeds_root))
    return Run(settings, ledger, warehouse, planner,
               RunProgress(sum(f.size for f in files), len(files), settings.progress, logger), sources, logger)


@dataclass
class Ingested:
    """One batch as read: its documents (articles and web pages), the records that are no
    documents (skipped), the inputs rejected while reading, and the bytes read."""

    documents: list[Article | Page]
    skipped: list[Skipped]
    rejections: list[Rejection]
    bytes_read: int

    @property
    def count(self) -> int:
        return len(self.documents) + len(self.skipped) + len(self.rejections)


def ingested_batches(run: Run) -> Iterator[Ingested]:
    """Stream the sources in groups of about `batch_size` documents."""
    settings = run.settings
    batch = Ingested([], [], [], 0)
    for source in run.sources:
        if isinstance(source, Rejection):
            batch.rejections.append(source)
            continue
        for item in ingest.read_source(source, settings.limits):
            if isinstance(item, Rejection):
                batch.rejections.append(item)
            elif isinstance(item, Skipped):
                batch.skipped.append(item)
            else:
                batch.documents.append(item)
            if len(batch.documents) >= settings.batch_size:
                yield batch
                batch = Ingested([], [], [], 0)
        batch.bytes_read += source.size
    if batch.count or batch.bytes_read:
        yield batch


@dataclass
class Planned:
    index: int
    plan: Plan
    # inputs of this batch rejected after planning (a page without an article, a duplicate
    # found once extracted): written with the batch
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def seen_keys(self) -> list[str]:
        return [document.source_key for document in (*self.plan.to_enrich, *self.plan.to_extract)]


def plan(run: Run, batches: Iterable[Ingested]) -> Iterator[Planned]:
    """Skip unchanged documents and reject duplicates before any NLP; record what was
    rejected while reading. Yields the batches that have something to extract or enrich."""
    ingesting = iter(batches)
    index = 0
    while True:
        graceful_stop().check()
        with run.ledger.timing("ingest"):
            batch = next(ingesting, None)
            if batch is None:
                return
            planned = run.planner.plan(batch.documents, batch.rejections)
            rejected = planned.rejected
            run.ledger.read(batch.count, skipped=planned.skipped, skipped_records=batch.skipped)
            run.ledger.reject(rejected)
            skipped_keys = [document.source_key for document in planned.skipped]
            if rejected or skipped_keys:
                record_rejections(no_traverse(run.warehouse), no_traverse(rejected), no_traverse(skipped_keys),
                                  run.run_id)
        run.progress.advance(bytes_read=batch.bytes_read, documents=batch.count)
        if planned.to_enrich or planned.to_extract:
            yield Planned(index, planned)
        index += 1


@dataclass
class Enriched:
    index: int
    plan: Plan
    batch: EnrichedBatch
    failures: list[Rejection]  # documents enrichment failed on
    rejected: list[Rejection]  # documents rejected before enrichment (Planned.rejected)
    seen_keys: list[str]


def enrich_ahead(run: Run, runner: Any, batches: Iterable[Planned]) -> Iterator[Enriched]:
    """Send each batch to the runner's workers as chunks (its web pages first, to extract
    their articles), keeping BATCHES_IN_FLIGHT under way, and yield them enriched, in order.
    The next batch is planned before a batch is sent, so its size decides how finely to cut."""
    pending: collections.deque = collections.deque()
    for planned, following in with_next(batches):
        graceful_stop().check()
        if planned.plan.to_extract:
            extract(run, runner, planned)
        if planned.plan.to_enrich:
            run.prepare_auditor()
        after = len(following.plan.to_enrich) + len(following.plan.to_extract) if following else 0
        chunks = enrichment_chunks(planned.plan.to_enrich, run.settings, after) if planned.plan.to_enrich else []
        pending.append((planned, [(runner.submit(enrich_batch, parameters={"articles": chunk,
                                                                          "model": run.settings.model}), chunk)
                                  for chunk in chunks]))
        if len(pending) >= BATCHES_IN_FLIGHT:
            yield collect(run, *pending.popleft())
    while pending:
        yield collect(run, *pending.popleft())


def with_next(items: Iterable[T]) -> Iterator[tuple[T, T | None]]:
    """Each item with the one after it (None after the last)."""
    iterator = iter(items)
    current = next(iterator, None)
    while current is not None:
        following = next(iterator, None)
        yield current, following
        current = following


def extract(run: Run, runner: Any, planned: Planned) -> None:
    """The articles of a batch's web pages, extracted on the runner's workers, then admitted
    by the planner (a duplicate is rejected before any NLP)."""
    pages = planned.plan.to_extract
    futures = [(runner.submit(extract_pages, parameters={"pages": chunk}), chunk)
               for chunk in enrichment_chunks(pages, run.settings)]
    articles: list[Article] = []
    for future, chunk in futures:
        with run.ledger.timing("wait_for_extraction"):
            try:
                results, seconds = future.result()
            except Exception as error:  # a crashed task or a lost worker costs its chunk
                detail = f"batch {planned.index} extraction failed: {type(error).__name__}: {error}"[:500]
                run.logger.error("%s; its %d page(s) are rejected and tried again on the next run", detail, len(chunk))
                results, seconds = [page.rejection("extraction_error", detail) for page in chunk], 0.0
        run.ledger.enriched({"extraction": seconds})
        for result in results:
            if isinstance(result, Article) and len(result.body) > run.settings.max_article_chars:
                result = ingest.too_long(result.source_path, result.source_line, len(result.body), run.settings.limits)
            (planned.rejected if isinstance(result, Rejection) else articles).append(result)
    rejected_before = len(planned.plan.rejected)
    run.planner.admit(articles, planned.plan)
    planned.rejected += planned.plan.rejected[rejected_before:]


def collect(run: Run, planned: Planned, chunks: list[tuple[Any, list[Article]]]) -> Enriched:
    """Wait for a batch's chunks. A crashed task or a lost worker costs its chunk, not the
    run: its documents are rejected as enrichment_error and tried again by the next run."""
    batch, failures = EnrichedBatch(), []
    for future, articles in chunks:
        with run.ledger.timing("wait_for_enrichment"):
            try:
                enriched, chunk_failures = future.result()
            except nlp.ModelNotInstalled:
                raise
            except Exception as error:
                detail = f"batch {planned.index} enrichment failed: {type(error).__name__}: {error}"[:500]
                run.logger.error("%s; its %d document(s) are rejected and tried again on the next run", detail,
                                 len(articles))
                enriched, chunk_failures = EnrichedBatch(), [
                    Rejection(a.source_path, a.source_line, "enrichment_error", detail) for a in articles]
        if enriched is None:  # interrupted: only a stop does that
            graceful_stop().check()
            raise RuntimeError("enrichment was interrupted without a stop request")
        batch.extend(enriched)
        failures += chunk_failures
        run.progress.advance(enriched=len(articles))
    run.ledger.enriched(batch.dedupe_entities().timings)
    return Enriched(planned.index, planned.plan, batch, failures, planned.rejected, planned.seen_keys)


def settle(run: Run, enriched: Enriched) -> None:
    """Audit the batch until what is left passes (expectations/verdict.py decides), then
    write everything the batch leaves behind in one transaction."""
    from wirehouse.expectations.verdict import settle as audit_and_decide

    def audit(staged: EnrichedBatch, expected: int) -> AuditReport:
        with run.ledger.timing("validation"):
            return audit_batch(no_traverse(run.auditor), no_traverse(staged), enriched.index, expected)

    identity = None
    if enriched.batch.articles:
        state = run.identity_state
        with run.ledger.timing("identity"):
            identity = identify_entities(no_traverse(state), no_traverse(enriched.batch), no_traverse(run.entity_overrides),
                                         run.run_id)
    expected = len(enriched.plan.to_enrich) - len(enriched.failures)
    outcome = audit_and_decide(enriched.batch, enriched.index, expected, audit)
    outcome.rejections[:0] = enriched.rejected + enriched.failures
    outcome.replaces = enriched.plan.replaced_by(set(outcome.loaded_keys))
    with run.ledger.timing("load"):
        try:
            write_batch(no_traverse(run.warehouse), no_traverse(outcome), run.run_id, no_traverse(enriched.seen_keys),
                        no_traverse(identity))
        except Exception as error:  # the batch's transaction rolled back: name the cause, lose nothing
            raise BatchNotWritten(enriched.index, len(enriched.plan.to_enrich), run.ledger.warehouse_path,
                                  error) from error
    run.ledger.settled(outcome)
    remaining = len(enriched.batch.articles)
    for part, report in outcome.quarantined:
        remaining -= len(part.articles)
        run.logger.error("batch %d failed validation (%s): %d article(s) quarantined, %d staged again",
                         enriched.index, ", ".join(report.failed_names()), len(part.articles), remaining)
    return_freed_memory()


def forget_other_spellings(run: Run) -> None:
    """Rejections under other spellings of documents this run read under their stored key,
    forgotten once every batch is written (a run stopped earlier leaves them for the next)."""
    if run.planner.to_forget:
        forgotten = forget_rejections(no_traverse(run.warehouse), sorted(run.planner.to_forget))
        run.logger.info("forgot %d rejection(s) left under other spellings of the seeds folder", forgotten)


def handle_missing_sources(run: Run) -> None:
    """Stored sources no longer under the seeds folder: pruned with --prune, else reported."""
    seeds_root = str(Path(run.settings.seeds_dir).absolute())
    # a .jsonl file that changed while read was not read to its end: its other lines are not gone
    changing = [r.source_path for r in run.ledger.rejections if r.reason == "changed_while_reading"]
    missing = run.planner.missing_sources(seeds_root, changing)
    run.ledger.missing_sources = missing
    if not missing:
        return
    if run.settings.prune:
        run.ledger.pruned_articles = prune_removed(no_traverse(run.warehouse), missing)
        run.logger.info("pruned %d article(s) whose source is gone", run.ledger.pruned_articles)
    else:
        run.logger.warning("%d stored source(s) no longer exist under %s; `wirehouse run --prune` removes "
                           "their rows", len(missing), seeds_root)


def finish(run: Run) -> dict[str, Any]:
    """Data Docs, the run's final record, its report and artifacts; returns the summary."""
    ledger, settings = run.ledger, run.settings
    run.progress.close()
    if ledger.audits and run.auditor.data_docs_dir is not None:
        with ledger.timing("data_docs"):
            ledger.data_docs_index = str(run.auditor.build_data_docs())
    if ledger.close() == ACCOUNTING_FAILED:
        run.logger.error("accounting does not hold: seen %d != loaded %d + skipped %d + rejected %d",
                         ledger.documents_seen, ledger.documents_loaded, ledger.documents_skipped,
                         ledger.documents_rejected)
    ledger.table_counts = finish_run(no_traverse(run.warehouse), no_traverse(ledger))
    try:  # the report is for people: a run never fails for it
        ledger.run_report = str(write_run_report(settings.warehouse_path, run.run_id, settings.reports_dir,
                                                 Path(settings.web_assets_dir)))
    except Exception as error:
        run.logger.warning("run report not written: %s", error)
    if api_reachable(PREFECT_API_URL.value()):
        publish_run_artifacts(no_traverse(ledger))
    else:  # a lost API would hold the run for minutes of retries, then fail it
        run.logger.warning("the Prefect API does not answer: the run's artifacts are not published")
    run.logger.info("run %s %s in %.1fs: %d seen, %d loaded, %d skipped, %d rejected", run.run_id, ledger.status,
                    ledger.seconds, ledger.documents_seen, ledger.documents_loaded, ledger.documents_skipped,
                    ledger.documents_rejected)
    return ledger.summary()


def record_cancel(run: Run, reason: str) -> str:
    """Record the run as cancelled with what it published; the line saying so."""
    ledger = run.ledger
    published = (f"{ledger.documents_loaded} article(s) published in {ledger.batches_published} batch(es)"
                 if ledger.batches_published else "nothing published")
    line = f"{reason}: run {run.run_id} cancelled, {published}; the batch in flight was not; run again to continue"
    run.progress.close()
    if run.warehouse is not None:
        ledger.close(CANCELLED)
        try:
            ledger.table_counts = finish_run.fn(run.warehouse, ledger, line[:1000])
        except Exception as recording:
            run.logger.error("could not record the cancelled run: %s", recording)
    run.logger.warning(line)
    return line


def record_failure(run: Run, error: BaseException) -> None:
    """Record the run as failed; the run's own error is the one to report."""
    if run.warehouse is None:
        return
    run.ledger.close(FAILED)
    try:
        finish_run.fn(run.warehouse, run.ledger, f"{type(error).__name__}: {error}"[:1000])
    except Exception as recording:
        run.logger.error("could not record the failed run: %s", recording)
