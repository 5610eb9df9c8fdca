"""DuckDB access: connect, migrate, read the index, publish batches atomically.

One run writes a warehouse file at a time: it holds an advisory lock on
`<warehouse>.lock` (flock, released by the kernel when the process ends, even on
SIGKILL) for its whole length, and names itself (run id, PID, host) in that file.
The DuckDB file itself is opened only for each short write session (start, each
published batch, finish) and closed in between, so analysts' read-only connections get
in between batches. Every batch is published in one transaction from Arrow tables, so
a reader or a crash never sees half an article.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

import duckdb
import pyarrow as pa

from wirehouse.transforms.records import (
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


# How long a reader waits for a publish to finish, and a writer for readers to close.
READ_WAIT_SECONDS = 30.0
WRITE_WAIT_SECONDS = 120.0

# DuckDB memory of the writing connection (beyond it, DuckDB spills to `<warehouse>.tmp/`).
# Each publish appends a small row group; DuckDB's checkpoint now and then merges the
# latest ones into one of up to 122,880 rows, decompressing every article body in them
# at once. Unbounded, that merge took 250-500 MB on top of the run at 32,000 and 64,000
# articles, and would take more as row groups grow; at 256 MB the merge costs half as
# much memory and no time, and ordinary publishes never come near the limit.
WRITER_MEMORY_LIMIT = "256MB"


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse, or a connection holds the file for too long."""


class SchemaTooNew(RuntimeError):
    """The warehouse was written by a newer Wirehouse than this one."""


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


def connect(path: str | Path, read_only: bool = False,
            wait_seconds: float | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file, retrying while another process has it open.

    DuckDB lets one process open a file read-write and no other process open it at all
    meanwhile. A run keeps the file open only while it writes, so a reader waits at
    most one publish and the writer at most one reader's query; `wait_seconds` bounds
    the wait (default: READ_WAIT_SECONDS for readers, no wait for writers)."""
    path = Path(path)
    if read_only and not path.exists():
        raise FileNotFoundError(f"warehouse {str(path)!r} does not exist; run `wirehouse run` first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    if wait_seconds is None:
        wait_seconds = READ_WAIT_SECONDS if read_only else 0.0
    deadline = time.monotonic() + wait_seconds
    pause = 0.02
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only,
                                  config={} if read_only else {"memory_limit": WRITER_MEMORY_LIMIT})
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                holder = _LOCK_HOLDER.search(str(error))
                run = lock_holder(path)
                by = run.describe() if run and run.held else "another process"
                raise WarehouseBusy(
                    f"warehouse {str(path)!r} is busy (locked by {by}"
                    f"{', ' + holder.group(1) if holder and not (run and run.held) else ''}); "
                    f"waited {wait_seconds:g}s. Try again when it has finished, or raise --wait."
                ) from None
            time.sleep(min(pause, remaining))
            pause = min(pause * 2, 0.5)


# ---------------------------------------------------------------- the run lock

def lock_path_for(warehouse: str | Path) -> Path:
    warehouse = Path(warehouse).absolute()
    return warehouse.with_name(warehouse.name + ".lock")


@dataclass
class LockHolder:
    """What `<warehouse>.lock` says about the run holding (or last holding) the warehouse."""

    run_id: str | None
    pid: int | None
    host: str | None
    since: str | None
    held: bool  # a live process holds the lock now

    def describe(self) -> str:
        """'run <id> (PID n on host, since t)', or 'a starting run (…)' before it has an id."""
        details = []
        if self.pid:
            details.append(f"PID {self.pid}" + (f" on {self.host}" if self.host else ""))
        if self.since:
            details.append(f"since {self.since}")
        who = f"run {self.run_id}" if self.run_id else "a run that is starting"
        return who + (f" ({', '.join(details)})" if details else "")


def lock_holder(warehouse: str | Path) -> LockHolder | None:
    """Who holds the warehouse's run lock; None when there is no lock file.

    `held` is decided by the kernel's lock, not by the file's contents: a run killed with
    SIGKILL leaves the file behind but not the lock, so it never blocks a later run."""
    path = lock_path_for(warehouse)
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        held = False
        if path.resolve() not in _HELD_LOCKS:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                fcntl.flock(fd, fcntl.LOCK_UN)
            except BlockingIOError:
                held = True
        else:
            held = True
        raw = os.pread(fd, 4096, 0)
    finally:
        os.close(fd)
    try:
        data = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    pid = data.get("pid")
    return LockHolder(data.get("run_id"), pid if isinstance(pid, int) else None, data.get("host"),
                      data.get("since"), held)


_HELD_LOCKS: dict[Path, "RunLock"] = {}


@dataclass
class RunLock:
    """The exclusive right of one run to write a warehouse.

    Re-entrant within one thread (the CLI takes it before the flow starts, the flow takes
    it again and names the run); any other thread or process waits for it. `release`
    lets go when every taker has released."""

    path: Path
    fd: int
    takers: int = 1
    info: dict[str, Any] = field(default_factory=dict)
    thread: int = field(default_factory=threading.get_ident)

    @classmethod
    def acquire(cls, warehouse: str | Path, wait_seconds: float = 0.0, run_id: str | None = None) -> "RunLock":
        path = lock_path_for(warehouse)
        key = path.resolve() if path.exists() else path
        held = _HELD_LOCKS.get(key)
        if held is not None and held.thread == threading.get_ident():
            held.takers += 1
            if run_id:
                held.name(run_id)
            return held
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    holder = lock_holder(warehouse)
                    by = holder.describe() if holder else "another run"
                    raise WarehouseBusy(
                        f"warehouse {str(Path(warehouse))!r} is busy (locked by {by}); waited "
                        f"{wait_seconds:g}s. Try again when that run has finished, or raise --wait."
                    ) from None
                time.sleep(0.2)
        lock = cls(path.resolve(), fd, info={"run_id": run_id, "pid": os.getpid(), "host": socket.gethostname(),
                                             "since": utc_now().isoformat(timespec="seconds") + "Z"})
        lock._write()
        _HELD_LOCKS[lock.path] = lock
        return lock

    def name(self, run_id: str) -> None:
        self.info["run_id"] = run_id
        self._write()

    def _write(self) -> None:
        data = json.dumps(self.info).encode("utf-8")
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, data + b"\n", 0)

    def release(self) -> None:
        self.takers -= 1
        if self.takers > 0 or self.fd < 0:
            return
        _HELD_LOCKS.pop(self.path, None)
        try:
            os.ftruncate(self.fd, 0)  # nobody holds it now; the empty file stays
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            os.close(self.fd)
            self.fd = -1


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


def migrate(con: duckdb.DuckDBPyConnection, target: int | None = None) -> list[str]:
    """Apply the numbered migrations the file has not seen yet (up to `target`), each in
    its own transaction; refuse a file written by a newer Wirehouse."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
        "applied_at TIMESTAMP NOT NULL)"
    )
    current = schema_version(con)
    if current > latest_schema_version():
        raise SchemaTooNew(f"the warehouse has schema version {current}, newer than this Wirehouse knows "
                           f"({latest_schema_version()}); use a newer Wirehouse")
    applied = []
    for version, path in migrations():
        if version <= current or (target is not None and version > target):
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
    """The writer of one run: its run lock, and the operations a run performs.

    The DuckDB connection is opened on first use and kept until the enclosing
    `session()` ends (or `disconnect()`), so a run holds the file only while it writes."""

    path: Path
    lock: RunLock | None = None
    write_wait_seconds: float = WRITE_WAIT_SECONDS
    _con: duckdb.DuckDBPyConnection | None = None
    connections_opened: int = 0

    @classmethod
    def open(cls, path: str | Path, wait_seconds: float = 0.0, run_id: str | None = None,
             write_wait_seconds: float = WRITE_WAIT_SECONDS) -> "Warehouse":
        """Take the run lock (waiting up to `wait_seconds` for another run), then bring
        the schema up to date."""
        lock = RunLock.acquire(path, wait_seconds, run_id)
        warehouse = cls(Path(path), lock, write_wait_seconds)
        try:
            with warehouse.session() as con:
                migrate(con)
        except BaseException:
            warehouse.close()
            raise
        return warehouse

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            self._con = connect(self.path, wait_seconds=self.write_wait_seconds)
            self.connections_opened += 1
        return self._con

    @contextlib.contextmanager
    def session(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Hold the file open for a group of writes; closed again at the end unless an
        outer session opened it."""
        outer = self._con is not None
        try:
            yield self.con
        finally:
            if not outer:
                self.disconnect()

    def disconnect(self) -> None:
        if self._con is not None:
            con, self._con = self._con, None
            con.close()

    def close(self) -> None:
        try:
            self.disconnect()
        finally:
            if self.lock is not None:
                self.lock.release()
                self.lock = None

    def start_run(self, run_id: str, seeds_dir: str, model_name: str, model_version: str,
                  enrichment_version: str) -> None:
        if self.lock is not None:
            self.lock.name(run_id)
        self.con.execute(
            "INSERT INTO pipeline_run (run_id, started_at, status, seeds_dir, model_name, model_version, "
            "enrichment_version, pid, host) VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?)",
            [run_id, utc_now(), seeds_dir, model_name, model_version, enrichment_version, os.getpid(),
             socket.gethostname()],
        )

    def mark_interrupted_runs(self) -> int:
        """Runs still 'running' when a new run holds the run lock were killed: say so."""
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
            self._apply_entity_deltas(removed, tables["entity_mention"])
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
            self._apply_entity_deltas(self._delete_articles(ids), None)
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

    def _delete_articles(self, article_ids: list[str]) -> pa.Table | None:
        """Delete articles with every row hanging off them; returns the entity counts they
        held (entity_id, mentions, articles), or None when none of them was stored."""
        if not article_ids:
            return None
        # Most of a batch is new: find the stored ones in article first, so a publish does
        # not scan the mention, quote and sentence tables for ids they cannot hold.
        article_ids = [row[0] for row in self.con.execute(
            "SELECT article_id FROM article WHERE article_id IN (SELECT unnest(?))", [article_ids]).fetchall()]
        if not article_ids:
            return None
        removed = self.con.execute(
            "SELECT entity_id, count(*) AS mentions, count(DISTINCT article_id) AS articles FROM entity_mention "
            "WHERE article_id IN (SELECT unnest(?)) GROUP BY entity_id", [article_ids]).to_arrow_table()
        for table in (*ARTICLE_CHILD_TABLES, "article"):
            self.con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT unnest(?))", [article_ids])
        return removed

    def _apply_entity_deltas(self, removed: pa.Table | None, added_mentions: pa.Table | None) -> None:
        """Add the batch's mentions to the entity counts and take the removed ones off, in
        SQL (a batch of 50,000 mentions costs milliseconds); drop entities left unused."""
        if removed is None and (added_mentions is None or added_mentions.num_rows == 0):
            return
        self.con.register("removed_mentions", removed if removed is not None else _NO_REMOVED_MENTIONS)
        self.con.register("staged_mentions", added_mentions.select(["entity_id", "article_id"])
                          if added_mentions is not None and added_mentions.num_rows else _NO_STAGED_MENTIONS)
        try:
            delta = self.con.execute(read_sql("queries/entity_deltas.sql")).to_arrow_table()
            self.con.register("entity_deltas", delta)
            execute_sql_file(self.con, "queries/apply_entity_deltas.sql")
            if removed is not None:  # only taking mentions away can leave an entity unused
                execute_sql_file(self.con, "queries/drop_unused_entities.sql")
        finally:
            for name in ("removed_mentions", "staged_mentions", "entity_deltas"):
                with contextlib.suppress(Exception):
                    self.con.unregister(name)

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


_NO_REMOVED_MENTIONS = pa.table({"entity_id": pa.array([], pa.string()), "mentions": pa.array([], pa.int64()),
                                  "articles": pa.array([], pa.int64())})
_NO_STAGED_MENTIONS = pa.table({"entity_id": pa.array([], pa.string()), "article_id": pa.array([], pa.string())})


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
