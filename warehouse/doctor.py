"""`wirehouse doctor`: check a warehouse file and say what is wrong with it.

Read-only: opens the file with a read-only connection (waiting, bounded, for a run's
publish to finish), never repairs. Each finding has a severity: `error` (the data breaks
an invariant the pipeline guarantees: the warehouse is unhealthy), `warning` (something
needs attention: a killed run, an old schema, quarantined batches), `info`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import duckdb

from wirehouse.transforms.tables import COUNTED_TABLES
from wirehouse.warehouse import sql
from wirehouse.warehouse.connection import connect
from wirehouse.warehouse.migrations import latest_schema_version, schema_version
from wirehouse.warehouse.run_lock import lock_holder

SEVERITIES = ("error", "warning", "info")
# Runs that went through to the end; only their counts must add up.
COMPLETED = ("completed", "completed_with_rejections", "accounting_failed")

# Row checks that describe a legitimate, passing state, or damage the next upgrade or publish repairs.
WARNING_CHECKS = frozenset({"rejected_and_loaded", "redirect_from_stored_entity", "speaker_without_mention",
                            "attribution_speaker_without_mention"})
# Row checks that only describe the warehouse's history.
INFO_CHECKS = frozenset({"identity_evidence_of_gone_articles"})


@dataclass
class Finding:
    severity: str
    check: str
    message: str
    count: int | None = None
    examples: list[str] = field(default_factory=list)


@dataclass
class DoctorReport:
    path: str
    schema_version: int | None = None
    latest_schema_version: int = 0
    tables: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def add(self, severity: str, check: str, message: str, count: int | None = None,
            examples: list[str] | None = None) -> None:
        self.findings.append(Finding(severity, check, message, count, examples or []))

    def problems(self, severity: str | None = None) -> list[Finding]:
        return [f for f in self.findings if f.severity != "info" and (severity is None or f.severity == severity)]

    def checks(self) -> set[str]:
        return {f.check for f in self.findings}

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["healthy"] = self.healthy
        return data

    def render(self) -> str:
        errors, warnings = len(self.problems("error")), len(self.problems("warning"))
        verdict = "healthy" if not errors and not warnings else \
            ("UNHEALTHY" if errors else "usable") + f": {errors} error(s), {warnings} warning(s)"
        lines = [f"Wirehouse doctor: {self.path}",
                 f"  schema     version {self.schema_version} (this Wirehouse: {self.latest_schema_version})",
                 "  rows       " + (", ".join(f"{t} {n}" for t, n in self.tables.items()) or "(unreadable)")]
        for severity in SEVERITIES:
            for finding in (f for f in self.findings if f.severity == severity):
                line = f"  {severity:<8}   {finding.message}"
                if finding.examples:
                    line += f" (e.g. {', '.join(finding.examples)})"
                lines.append(line)
        lines.append(f"  verdict    {verdict}")
        return "\n".join(lines)


def examine(path: str | Path, wait_seconds: float = 30.0) -> DoctorReport:
    """Check the warehouse at `path`; raises FileNotFoundError, WarehouseUnusable (not a
    DuckDB file it can read), or WarehouseBusy when a connection holds the file for longer
    than `wait_seconds`."""
    report = DoctorReport(str(Path(path).absolute()), latest_schema_version=latest_schema_version())
    holder = lock_holder(path)
    con = connect(path, read_only=True, wait_seconds=wait_seconds)
    try:
        report.schema_version = schema_version(con)
        _check_schema(report)
        _guarded(report, "tables", lambda: _check_tables(con, report))
        _guarded(report, "runs", lambda: _check_runs(con, report, holder))
        for check, statement in sql.named_queries("doctor_checks").items():
            _guarded(report, check, lambda: _check_rows(con, report, check, statement))
        _guarded(report, "validation", lambda: _check_validation(con, report))
    finally:
        con.close()
    return report


def _guarded(report: DoctorReport, check: str, run: Callable[[], None]) -> None:
    try:
        run()
    except duckdb.CatalogException as error:
        if report.schema_version is not None and report.schema_version < report.latest_schema_version:
            report.add("info", check, f"check {check} skipped: it needs the newer schema the next "
                       "`wirehouse run` brings")
        else:
            report.add("error", check, f"check {check} could not run: {str(error).splitlines()[0]}")
    except duckdb.Error as error:
        report.add("error", check, f"check {check} could not run: {str(error).splitlines()[0]}")


def _check_schema(report: DoctorReport) -> None:
    version, latest = report.schema_version, report.latest_schema_version
    if version == 0:
        report.add("error", "schema_version", "no schema_migration table: not a Wirehouse warehouse, "
                   "or one never migrated")
    elif version < latest:
        report.add("warning", "schema_version", f"schema version {version} is older than this Wirehouse's "
                   f"{latest}; the next `wirehouse run` upgrades it in place")
    elif version > latest:
        report.add("error", "schema_version", f"schema version {version} is newer than this Wirehouse's "
                   f"{latest}; use a newer Wirehouse")


def _check_tables(con: duckdb.DuckDBPyConnection, report: DoctorReport) -> None:
    for table in COUNTED_TABLES:
        # reading every column of every row makes DuckDB verify every block's checksum
        report.tables[table] = con.execute(sql.verify_rows(table)).fetchone()[0]


def _check_runs(con: duckdb.DuckDBPyConnection, report: DoctorReport, holder: Any) -> None:
    """Runs that did not complete are history, not damage: each is reported with what it
    published (its batches are whole; a later run loads the rest). The accounting identity
    is checked for every completed run, and for the warehouse as a whole (unaccounted_source)."""
    runs = con.execute(sql.query("doctor_runs")).fetchall()
    live_run = holder.run_id if holder is not None and holder.held else None
    if holder is not None and holder.held:
        report.add("info", "lock", f"{holder.describe()} is in progress; its published batches are "
                   "visible, the rest is not written yet")
    for run_id, status, seen, loaded, skipped, rejected, accounting_ok, message, published in runs:
        stored = f"{published} of the stored articles are from it"
        if status == "running" and run_id != live_run:
            report.add("info", "interrupted_run", f"run {run_id} ended without finishing (killed?): {stored}; "
                       "its published batches are whole, and the next `wirehouse run` marks it incomplete "
                       "and loads the rest")
        elif status == "incomplete":
            report.add("info", "incomplete_run", f"run {run_id} was interrupted: {stored}; a later run "
                       "resumed its work")
        elif status in ("failed", "cancelled"):
            report.add("info", f"{status}_run", f"run {run_id} {status}"
                       f"{': ' + message if message else ''} ({stored}; a later run loads the rest)")
        if status in COMPLETED and seen is not None:
            parts = (loaded or 0) + (skipped or 0) + (rejected or 0)
            if seen != parts or accounting_ok is False:
                report.add("error", "accounting", f"run {run_id}: accounting does not hold: seen {seen} != "
                           f"loaded {loaded} + skipped {skipped} + rejected {rejected}")
    if not runs:
        report.add("info", "runs", "no run has been recorded yet")


def _check_rows(con: duckdb.DuckDBPyConnection, report: DoctorReport, check: str, statement: str) -> None:
    offending = con.sql(statement)
    count = offending.aggregate("count(*)").fetchone()[0]
    if count:
        examples = [str(row[0]) for row in offending.limit(3).fetchall()]
        severity = "warning" if check in WARNING_CHECKS else "info" if check in INFO_CHECKS else "error"
        report.add(severity, check, f"{count} {sql.description(statement)}", count, examples)


def _check_validation(con: duckdb.DuckDBPyConnection, report: DoctorReport) -> None:
    for run_id, failures, expectations in con.execute(sql.query("doctor_validation_failures")).fetchall():
        report.add("warning", "validation", f"run {run_id}: {failures} critical expectation failure(s) "
                   f"({expectations}); the failing batches were quarantined, not published", failures)
    quarantined = con.execute(sql.query("quarantined_articles")).fetchone()[0]
    if quarantined:
        report.add("info", "quarantine", f"{quarantined} article(s) held in quarantine (see the quarantine table)",
                   quarantined)
    for reason, count in con.execute(sql.query("rejections_by_reason")).fetchall():
        report.add("info", "rejected", f"{count} input(s) rejected as {reason}", count)


# Columns that say when or by which run a row was written, not what it holds.
RUN_COLUMNS = ("run_id", "first_run_id", "ingested_at", "rejected_at")


def content_checksums(con: duckdb.DuckDBPyConnection, tables: tuple[str, ...] = COUNTED_TABLES,
                      ignore: tuple[str, ...] = RUN_COLUMNS) -> dict[str, tuple[int, int]]:
    """(rows, order-independent checksum of the rows' contents) per table, leaving out
    the columns in `ignore`: equal for two warehouses holding the same data."""
    sums = {}
    for table in tables:
        columns = [row[0] for row in con.execute(sql.query("table_columns"), [table]).fetchall()
                   if row[0] not in ignore]
        count, total = con.execute(sql.checksum_rows(table, columns)).fetchone()
        sums[table] = (count, int(total))
    return sums
