"""What a run shows in the Prefect UI: table artifacts, a markdown summary, a link to its report."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from wirehouse.flows.ledger import RunLedger

# Rejected documents listed in the artifact (all of them are in rejected_document).
REJECTIONS_LISTED = 1000


@task(name="publish-run-artifacts", cache_policy=NO_CACHE)
def publish_run_artifacts(ledger: RunLedger) -> None:
    create_table_artifact(
        key="wirehouse-table-counts",
        table=[{"table": name, "rows": rows} for name, rows in ledger.table_counts.items()],
        description="Rows per warehouse table after the run.",
    )
    create_table_artifact(
        key="wirehouse-rejected-documents",
        table=[{"source": r.source_key, "reason": r.reason, "detail": r.detail}
               for r in ledger.rejections[:REJECTIONS_LISTED]]
        or [{"source": "", "reason": "none", "detail": "no document was rejected"}],
        description=f"Documents this run rejected, with the reason (first {REJECTIONS_LISTED:,}).",
    )
    create_markdown_artifact(key="wirehouse-run-summary", markdown=summary_markdown(ledger),
                             description="Wirehouse run summary and validation outcome.")
    if ledger.run_report:
        create_link_artifact(key="wirehouse-run-report", link=Path(ledger.run_report).as_uri(),
                             link_text="Run report (charts)",
                             description="Top entities, most-quoted speakers, quotes per article, "
                                         "validation outcome and rejected documents of this run.")


def summary_markdown(ledger: RunLedger) -> str:
    summary, audits = ledger, ledger.audits
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
