"""The bookkeeping of one run: what it counted, where its time went, how it ended.

The flow tells the ledger what happened (documents read, skipped, rejected, batches
published or quarantined, time spent per stage); the ledger keeps the counts, checks
the accounting identity seen = loaded + skipped + rejected, and writes the summary.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

from wirehouse.transforms.records import Rejection

# How a run ends (`pipeline_run.status`): it ran to its end (completed, with rejections, or
# with documents unaccounted for), an error stopped it (failed), a signal cancelled it
# (cancelled); a killed run stays "running" until the next run marks it "incomplete".
COMPLETED, COMPLETED_WITH_REJECTIONS = "completed", "completed_with_rejections"
ACCOUNTING_FAILED, FAILED, CANCELLED = "accounting_failed", "failed", "cancelled"


@dataclass
class RunLedger:
    run_id: str
    model_version: str = ""
    warehouse_path: str = ""
    status: str = "running"
    documents_seen: int = 0
    documents_loaded: int = 0
    documents_skipped: int = 0
    documents_rejected: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    # why documents were skipped: "unchanged" (stored, same text or page, same version), or a
    # record that is no document ("warc_request", "not_html", ...)
    skipped_by_reason: dict[str, int] = field(default_factory=dict)
    batches_published: int = 0
    batches_quarantined: int = 0
    validation_warnings: int = 0
    missing_sources: list[str] = field(default_factory=list)
    pruned_articles: int = 0
    table_counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    data_docs_index: str | None = None
    run_report: str | None = None
    # seconds per stage: ingest, validation, load and waiting for enrichment (the flow's
    # process); "enrich:<component>" where enrichment ran (spaCy's and Wirehouse's components, rows)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list, repr=False)
    audits: list[Any] = field(default_factory=list, repr=False)
    started: float = field(default_factory=time.monotonic, repr=False)

    # ---------------------------------------------------------------- what happened

    @contextlib.contextmanager
    def timing(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add_seconds(stage, time.perf_counter() - started)

    def add_seconds(self, stage: str, seconds: float) -> None:
        self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + seconds

    def read(self, documents: int, skipped: Sequence[Any] = (), skipped_records: Sequence[Any] = ()) -> None:
        """`documents` inputs read; of them `skipped` unchanged ones and `skipped_records`
        that are no documents (each with its reason)."""
        self.documents_seen += documents
        self.documents_skipped += len(skipped) + len(skipped_records)
        if skipped:
            self.skipped_by_reason["unchanged"] = self.skipped_by_reason.get("unchanged", 0) + len(skipped)
        for record in skipped_records:
            self.skipped_by_reason[record.reason] = self.skipped_by_reason.get(record.reason, 0) + 1

    def reject(self, rejections: list[Rejection]) -> None:
        self.documents_rejected += len(rejections)
        self.rejections.extend(rejections)
        for rejection in rejections:
            self.rejected_by_reason[rejection.reason] = self.rejected_by_reason.get(rejection.reason, 0) + 1

    def enriched(self, timings: dict[str, float]) -> None:
        for component, seconds in timings.items():
            self.add_seconds(f"enrich:{component}", seconds)

    def settled(self, outcome: Any) -> None:
        """A batch's outcome (expectations.verdict.BatchOutcome) is in the warehouse."""
        self.audits.extend(outcome.audits)
        self.validation_warnings += sum(len(report.warnings) for report in outcome.audits)
        self.batches_quarantined += len(outcome.quarantined)
        if outcome.published is not None:
            self.batches_published += 1
            self.documents_loaded += len(outcome.published.articles)
        self.reject(outcome.rejections)

    # ---------------------------------------------------------------- how it ended

    @property
    def accounting_ok(self) -> bool:
        return self.documents_seen == self.documents_loaded + self.documents_skipped + self.documents_rejected

    def close(self, status: str | None = None) -> str:
        """Stop the clock and settle the status: as told (failed, cancelled), else
        accounting_failed when a document is unaccounted for, else completed (with
        rejections, if any)."""
        self.seconds = round(time.monotonic() - self.started, 2)
        if status is None:
            if not self.accounting_ok:
                status = ACCOUNTING_FAILED
            else:
                status = COMPLETED_WITH_REJECTIONS if self.documents_rejected else COMPLETED
        self.status = status
        return status

    def counts(self) -> dict[str, Any]:
        """What `pipeline_run.counts` keeps of the run."""
        return {"tables": self.table_counts, "rejected_by_reason": self.rejected_by_reason,
                "skipped_by_reason": self.skipped_by_reason,
                "batches_quarantined": self.batches_quarantined, "validation_warnings": self.validation_warnings,
                "stage_seconds": {k: round(v, 3) for k, v in self.stage_seconds.items()}}

    def summary(self) -> dict[str, Any]:
        """The flow's return value and the CLI's summary."""
        return {
            "run_id": self.run_id, "status": self.status, "documents_seen": self.documents_seen,
            "documents_loaded": self.documents_loaded, "documents_skipped": self.documents_skipped,
            "documents_rejected": self.documents_rejected, "rejected_by_reason": dict(self.rejected_by_reason),
            "skipped_by_reason": dict(self.skipped_by_reason),
            "batches_published": self.batches_published, "batches_quarantined": self.batches_quarantined,
            "validation_warnings": self.validation_warnings, "missing_sources": list(self.missing_sources),
            "pruned_articles": self.pruned_articles, "table_counts": dict(self.table_counts),
            "seconds": self.seconds, "model_version": self.model_version, "warehouse_path": self.warehouse_path,
            "data_docs_index": self.data_docs_index, "run_report": self.run_report,
            "stage_seconds": dict(self.stage_seconds), "accounting_ok": self.accounting_ok,
        }
