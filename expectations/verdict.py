"""What an audit says about a staged batch, and what the run does with it.

Write-audit-publish as a pure function: `decide(staged, report)` says which rows
publish, which go to quarantine, and which are staged again and audited again. No GX,
pandas, Prefect or DuckDB here, so the policy is tested on batches of one to three rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from wirehouse.transforms.records import Rejection
from wirehouse.transforms.tables import TABLES, EnrichedBatch


@dataclass(frozen=True)
class ExpectationOutcome:
    suite: str
    expectation: str
    column: str | None
    severity: str
    success: bool
    element_count: int | None
    unexpected_count: int | None
    unexpected_sample: str | None
    # owner ids (the table's `owner_column`) of the failing rows; None for a table-level check
    failing_ids: frozenset[str] | None = None

    @property
    def name(self) -> str:
        return f"{self.expectation}({self.column or ''})"


@dataclass
class AuditReport:
    batch_index: int
    outcomes: list[ExpectationOutcome] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.critical_failures

    @property
    def critical_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity == "critical"]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity != "critical"]

    def failed_names(self, suite: str | None = None) -> list[str]:
        """The critical expectations that failed (of one suite, or of all in table order)."""
        suites = [suite] if suite else [table.suite for table in TABLES if table.suite]
        return [o.name for name in suites for o in self.critical_failures if o.suite == name]

    def culprit_articles(self, batch: EnrichedBatch) -> set[str] | None:
        """The articles whose rows failed critical expectations, or None when a failure
        is about the batch as a whole and cannot be pinned on articles."""
        culprits: set[str] = set()
        for outcome in self.critical_failures:
            if not outcome.failing_ids:
                return None
            culprits |= batch.articles_owning(outcome.suite, outcome.failing_ids)
        return culprits or None


@dataclass(frozen=True)
class Verdict:
    """One audit's decision: publish the batch, or set some articles apart and audit the rest."""

    publish: EnrichedBatch | None
    quarantine: EnrichedBatch | None
    audit_again: EnrichedBatch | None
    rejections: tuple[Rejection, ...] = ()


def decide(staged: EnrichedBatch, report: AuditReport) -> Verdict:
    """A batch that passed publishes as it is. One that failed never does: the articles
    the failures point at go to quarantine, with a `failed_validation` rejection each, and
    the rest is audited again as a new batch; a failure that cannot be pinned on articles
    (a wrong row count) quarantines the whole batch."""
    if report.passed:
        return Verdict(publish=staged, quarantine=None, audit_again=None)
    culprits = report.culprit_articles(staged)
    everything = {row.article_id for row in staged.articles}
    if culprits is None or culprits >= everything:
        bad, rest = staged, None
    else:
        bad, rest = staged.split(culprits)
    failed = ", ".join(report.failed_names())
    rejections = tuple(
        Rejection(row.source_path, row.source_line, "failed_validation",
                  f"batch {report.batch_index} failed critical expectations: {failed}"[:500])
        for row in bad.articles
    )
    return Verdict(publish=None, quarantine=bad, audit_again=rest, rejections=rejections)


@dataclass
class BatchOutcome:
    """What one batch leaves in the warehouse: every audit of it, the rows that publish
    (with the stored articles they replace), the parts set apart, and the rejections."""

    batch_index: int
    audits: list[AuditReport] = field(default_factory=list)
    published: EnrichedBatch | None = None
    replaces: set[str] = field(default_factory=set)
    quarantined: list[tuple[EnrichedBatch, AuditReport]] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def loaded_keys(self) -> list[str]:
        """Source keys of the published articles: inputs that are no longer rejected."""
        return sorted(row.source_key for row in self.published.articles) if self.published else []


def settle(batch: EnrichedBatch, batch_index: int, expected_articles: int,
           audit: Callable[[EnrichedBatch, int], AuditReport]) -> BatchOutcome:
    """Audit a batch until what is left passes (or nothing is left), deciding after each
    audit. `audit(staged, expected_articles)` is the run's auditor; each re-staged part is
    expected to hold exactly its own articles."""
    outcome = BatchOutcome(batch_index)
    staged: EnrichedBatch | None = batch
    expected = expected_articles
    while staged is not None and staged.articles:
        report = audit(staged, expected)
        outcome.audits.append(report)
        verdict = decide(staged, report)
        if verdict.quarantine is not None:
            outcome.quarantined.append((verdict.quarantine, report))
            outcome.rejections.extend(verdict.rejections)
        outcome.published = verdict.publish
        staged = verdict.audit_again
        expected = len(staged.articles) if staged is not None else 0
    return outcome
