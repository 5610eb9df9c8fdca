"""DuckDB access: connect, migrate, read the index, publish batches atomically.

One process writes a warehouse file at a time (DuckDB's own file lock); every batch
is published in one transaction from Arrow tables, so a reader or a crash never sees
half an article.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import duckdb
import pyarrow as pa

from transforms.records import (
    TABLE_ROW_TYPES,
    EnrichedBatch,
    Rejection,
    column_names,
    rows_as_columns,
)

SQL_DIR = Path(__file__).resolve().parent
SCHEMA_DIR = SQL_DIR / "schema"
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
_LOCK_HOLDER = re.compile(r"(PID \d+)")

# Tables holding an article's enrichment; deleting an article deletes from all of them.
ARTICLE_CHILD_TABLES = ("entity_mention", "quote", "sentence")


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse file's write lock."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def read_sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


def execute_sql_file(con: duckdb.DuckDBPyConnection, name: str, parameters: list[Any] | None = None) -> None:
    """Run each statement of one of our .sql files with the same parameters."""
    for statement in read_sql(name).split(";"):
        body = "\n".join(line for line in statement.splitlines() if not line.strip().startswith("--")).strip()
        if body:
            con.execute(body, parameters or [])


def connect(path: str | Path, read_only: bool = False, wait_seconds: float = 0.0) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; wait up to `wait_seconds` for another writer to finish."""
    path = Path(path)
    if read_only and not path.exists():
        raise FileNotFoundError(f"warehouse {str(path)!r} does not exist; run `wirehouse run` first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise
            if time.monotonic() >= deadline:
                holder = _LOCK_HOLDER.search(str(error))
                raise WarehouseBusy(
                    f"warehouse {str(path)!r} is busy (locked by another process"
                    f"{', ' + holder.group(1) if holder else ''}); waited {wait_seconds:g}s. "
                    "Try again when that run has finished, or raise --wait."
                ) from None
            time.sleep(0.5)


def migrations() -> list[tuple[int, Path]]:
    found = []
    for path in sorted(SCHEMA_DIR.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise ValueError(f"migration file {path.name!r} must be named NNN_description.sql")
        found.append((int(match.group(1)), path))
    return found


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migration'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migration").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the numbered migrations the file has not seen yet, each in its own transaction."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
        "applied_at TIMESTAMP NOT NULL)"
    )
    current = schema_version(con)
    applied = []
    for version, path in migrations():
        if version <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("INSERT INTO schema_migration VALUES (?, ?, ?)", [version, path.name, utc_now()])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(path.name)
    con.execute(read_sql("views.sql"))
    return applied


def latest_schema_version() -> int:
    return max(version for version, _ in migrations())


def arrow_table(rows: Iterable[Any], table: str) -> pa.Table:
    row_type = TABLE_ROW_TYPES[table]
    return pa.table(rows_as_columns(rows, row_type)) if rows else pa.table(
        {name: pa.array([], type=pa.null()) for name in column_names(row_type)}
    )


def load_index_rows(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(article_id, source_key, enrichment_version) of every stored article."""
    return con.execute(read_sql("queries/article_index.sql")).fetchall()


@dataclass
class Warehouse:
    """A writing connection plus the operations a run performs on it."""

    con: duckdb.DuckDBPyConnection
    path: Path

    @classmethod
    def open(cls, path: str | Path, wait_seconds: float = 0.0) -> "Warehouse":
        con = connect(path, wait_seconds=wait_seconds)
        migrate(con)
        return cls(con, Path(path))

    def close(self) -> None:
        self.con.close()

    def start_run(self, run_id: str, seeds_dir: str, model_name: str, model_version: str,
                  enrichment_version: str) -> None:
        self.con.execute(
            "INSERT INTO pipeline_run (run_id, started_at, status, seeds_dir, model_name, model_version, "
            "enrichment_version) VALUES (?, ?, 'running', ?, ?, ?, ?)",
            [run_id, utc_now(), seeds_dir, model_name, model_version, enrichment_version],
        )

    def mark_interrupted_runs(self) -> int:
        """Runs still 'running' when a new run starts were killed: say so."""
        return self.con.execute(
            "UPDATE pipeline_run SET status = 'incomplete', message = 'process ended before the run finished' "
            "WHERE status = 'running' RETURNING run_id"
        ).fetchall().__len__()

    def finish_run(self, run_id: str, status: str, seen: int, loaded: int, skipped: int, rejected: int,
                   counts: dict[str, Any], message: str | None = None) -> None:
        self.con.execute(
            "UPDATE pipeline_run SET finished_at = ?, status = ?, documents_seen = ?, documents_loaded = ?, "
            "documents_skipped = ?, documents_rejected = ?, accounting_ok = ?, counts = ?, message = ? "
            "WHERE run_id = ?",
            [utc_now(), status, seen, loaded, skipped, rejected, seen == loaded + skipped + rejected,
             json.dumps(counts, sort_keys=True), message, run_id],
        )

    def index_rows(self) -> list[tuple[str, str, str]]:
        return load_index_rows(self.con)

    def publish(self, batch: EnrichedBatch, run_id: str, replaces: Iterable[str] = ()) -> None:
        """Replace old versions and insert a batch's rows in one transaction.

        Entity counts are kept by applying the batch's deltas (mentions removed with the
        replaced articles, mentions added), so a publish costs the batch, not the table."""
        now = utc_now()
        for row in batch.articles:
            row.ingested_at = now
            row.run_id = run_id
        doomed = sorted(set(replaces) | {row.article_id for row in batch.articles})
        tables = {name: arrow_table(getattr(batch, attr), name) for name, attr in _BATCH_TABLES}
        self.con.execute("BEGIN TRANSACTION")
        try:
            removed = self._delete_articles(doomed)
            for name, arrow in tables.items():
                if arrow.num_rows == 0:
                    continue
                if name == "entity":  # shared across articles: insert the new ones only
                    arrow = self._new_entities(arrow)
                self._insert_arrow(name, arrow)
            self._apply_entity_deltas(removed, mention_counts(batch.mentions))
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise

    def _new_entities(self, arrow: pa.Table) -> pa.Table:
        self.con.register("staged_entities", arrow)
        try:
            return self.con.execute(
                "SELECT * FROM staged_entities s WHERE NOT EXISTS "
                "(SELECT 1 FROM entity e WHERE e.entity_id = s.entity_id)"
            ).to_arrow_table()
        finally:
            self.con.unregister("staged_entities")

    def delete_articles(self, article_ids: Iterable[str]) -> int:
        ids = sorted(set(article_ids))
        if not ids:
            return 0
        self.con.execute("BEGIN TRANSACTION")
        try:
            self._apply_entity_deltas(self._delete_articles(ids), {})
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise
        return len(ids)

    def article_ids_for_sources(self, source_keys: Iterable[str]) -> list[str]:
        keys = list(source_keys)
        if not keys:
            return []
        return [row[0] for row in self.con.execute(
            "SELECT article_id FROM article_source WHERE source_key IN (SELECT unnest(?))", [keys]
        ).fetchall()]

    def _delete_articles(self, article_ids: list[str]) -> dict[str, tuple[int, int]]:
        """Delete articles with every row hanging off them; returns the entity counts they held."""
        if not article_ids:
            return {}
        removed = {entity_id: (mentions, articles) for entity_id, mentions, articles in self.con.execute(
            "SELECT entity_id, count(*), count(DISTINCT article_id) FROM entity_mention "
            "WHERE article_id IN (SELECT unnest(?)) GROUP BY entity_id", [article_ids]).fetchall()}
        for table in (*ARTICLE_CHILD_TABLES, "article"):
            self.con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT unnest(?))", [article_ids])
        return removed

    def _apply_entity_deltas(self, removed: dict[str, tuple[int, int]], added: dict[str, tuple[int, int]]) -> None:
        touched = sorted(set(removed) | set(added))
        if not touched:
            return
        zero = (0, 0)
        delta = pa.table({
            "entity_id": touched,
            "mentions": pa.array([added.get(e, zero)[0] - removed.get(e, zero)[0] for e in touched], pa.int64()),
            "articles": pa.array([added.get(e, zero)[1] - removed.get(e, zero)[1] for e in touched], pa.int64()),
        })
        self.con.register("entity_deltas", delta)
        try:
            execute_sql_file(self.con, "queries/apply_entity_deltas.sql")
        finally:
            self.con.unregister("entity_deltas")

    def record_rejections(self, rejections: list[Rejection], run_id: str) -> None:
        if not rejections:
            return
        now = utc_now()
        latest = {rejection.source_key: rejection for rejection in rejections}
        arrow = pa.table({
            "source_key": list(latest),
            "source_path": [r.source_path for r in latest.values()],
            "source_line": pa.array([r.source_line for r in latest.values()], type=pa.int32()),
            "reason": [r.reason for r in latest.values()],
            "detail": [r.detail for r in latest.values()],
            "first_bytes": [r.first_bytes for r in latest.values()],
        })
        self.con.register("staged_rejections", arrow)
        try:
            self.con.execute(read_sql("queries/upsert_rejections.sql"), [run_id, run_id, now])
        finally:
            self.con.unregister("staged_rejections")

    def clear_rejections(self, source_keys: Iterable[str]) -> None:
        """Inputs that load now are no longer rejected."""
        keys = list(source_keys)
        if keys:
            self.con.execute("DELETE FROM rejected_document WHERE source_key IN (SELECT unnest(?))", [keys])

    def table_counts(self) -> dict[str, int]:
        return table_counts(self.con)

    def record_validation(self, report: Any, run_id: str) -> None:
        """Store every expectation outcome of an audited batch (an AuditReport)."""
        outcomes = report.outcomes
        if not outcomes:
            return
        now = utc_now()
        arrow = pa.table({
            "run_id": [run_id] * len(outcomes),
            "batch_index": pa.array([report.batch_index] * len(outcomes), type=pa.int32()),
            "suite": [o.suite for o in outcomes],
            "expectation": [o.expectation for o in outcomes],
            "column_name": pa.array([o.column for o in outcomes], type=pa.string()),
            "severity": [o.severity for o in outcomes],
            "success": [o.success for o in outcomes],
            "element_count": pa.array([o.element_count for o in outcomes], type=pa.int64()),
            "unexpected_count": pa.array([o.unexpected_count for o in outcomes], type=pa.int64()),
            "unexpected_sample": pa.array([o.unexpected_sample for o in outcomes], type=pa.string()),
            "validated_at": pa.array([now] * len(outcomes), type=pa.timestamp("us")),
        })
        self._insert_arrow("validation_result", arrow)

    def quarantine(self, batch: EnrichedBatch, run_id: str, report: Any) -> None:
        """Keep a failed batch's rows, as JSON, with the expectations its table failed."""
        now = utc_now()
        records: dict[str, list[Any]] = {"run_id": [], "batch_index": [], "table_name": [], "article_id": [],
                                         "failed_expectations": [], "row_json": [], "quarantined_at": []}
        for table, attr in _BATCH_TABLES:
            failed = ", ".join(report.failed_names(table)) or "(batch failed in another table)"
            for row in getattr(batch, attr):
                values = {name: getattr(row, name) for name in column_names(TABLE_ROW_TYPES[table])}
                records["run_id"].append(run_id)
                records["batch_index"].append(report.batch_index)
                records["table_name"].append(table)
                records["article_id"].append(values.get("article_id"))
                records["failed_expectations"].append(failed)
                records["row_json"].append(json.dumps(values, default=str))
                records["quarantined_at"].append(now)
        self._insert_arrow("quarantine", pa.table(records))

    def _insert_arrow(self, table: str, arrow: pa.Table) -> None:
        self.con.register("staged_rows", arrow)
        try:
            columns = ", ".join(arrow.column_names)
            self.con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM staged_rows")
        finally:
            self.con.unregister("staged_rows")


def mention_counts(mentions: Iterable[Any]) -> dict[str, tuple[int, int]]:
    """entity_id -> (mentions, distinct articles) of a batch's mention rows."""
    mentions_per_entity: dict[str, int] = {}
    articles_per_entity: dict[str, set[str]] = {}
    for mention in mentions:
        mentions_per_entity[mention.entity_id] = mentions_per_entity.get(mention.entity_id, 0) + 1
        articles_per_entity.setdefault(mention.entity_id, set()).add(mention.article_id)
    return {e: (n, len(articles_per_entity[e])) for e, n in mentions_per_entity.items()}


_BATCH_TABLES = (
    ("article", "articles"),
    ("sentence", "sentences"),
    ("entity", "entities"),
    ("entity_mention", "mentions"),
    ("quote", "quotes"),
)
DATA_TABLES = ("article", "sentence", "entity", "entity_mention", "quote", "rejected_document")


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in DATA_TABLES}
