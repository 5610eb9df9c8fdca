"""Opening the DuckDB file: one writing process at a time, readers in between its writes.

DuckDB lets one process open a file read-write and no other process open it at all
meanwhile. A run keeps the file open only while it writes, so a reader waits at most one
publish and the writer at most one reader's query; both waits are bounded.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import duckdb

from wirehouse.warehouse.run_lock import WarehouseBusy, lock_holder

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

_LOCK_HOLDER = re.compile(r"(PID \d+)")

# Bytes 8 to 11 of every DuckDB database file, after the header's 8-byte checksum.
DUCKDB_MAGIC = b"DUCK"


class WarehouseUnusable(Exception):
    """The warehouse path cannot hold a warehouse (a folder, a path under a file, a file that
    is no DuckDB database): a set-up mistake, found before anything is read or written."""


def path_problem(path: str | Path, settled: bool = False) -> str | None:
    """Why `path` cannot be the warehouse file, in one line; None when it can (an existing
    DuckDB file, or a path where one can be created). A file too short to say is left to
    DuckDB, another process may be creating it, unless `settled` (this process holds the run
    lock, so no other is): then a file shorter than a DuckDB header is none."""
    path = Path(path)
    shown = repr(str(path))
    try:
        if path.is_dir():
            return f"warehouse {shown} is a folder; give a file in it, e.g. --warehouse {path / 'wirehouse.duckdb'}"
        existing = next((parent for parent in path.parents if parent.exists()), None)
        if existing is not None and not existing.is_dir():
            return f"warehouse {shown} cannot be created: {str(existing)!r} is a file, not a folder"
        if path.is_file():
            with path.open("rb") as fh:
                head = fh.read(12)
            if (len(head) > 8 and head[8:12] != DUCKDB_MAGIC[:len(head) - 8]) or (settled and len(head) < 12):
                return (f"{shown} is not a DuckDB database (damaged, or another kind of file); "
                        "give another --warehouse path, or move the file away")
    except OSError as error:  # a folder on the way that cannot be entered or read
        return f"warehouse {shown} cannot be reached: {error.strerror}"
    return None


def write_problem(path: str | Path) -> str | None:
    """Why a run cannot write the existing warehouse at `path`, in one line: the file, or its
    folder (where DuckDB writes the file's .wal), is read-only for this user; None otherwise."""
    path = Path(path)
    folder = path.absolute().parent
    if not path.is_file():
        return None  # a new file: path_problem and the run lock find a folder it cannot be made in
    if not os.access(path, os.W_OK):
        return (f"warehouse {str(path)!r} is read-only for this user (permission denied); make it writable, "
                "or give another --warehouse path")
    if not os.access(folder, os.W_OK | os.X_OK):
        return (f"the warehouse's folder {str(folder)!r} is read-only for this user (permission denied), and DuckDB "
                "writes its .wal there; make it writable, or give another --warehouse path")
    return None


def utc_now() -> datetime:
    """The warehouse's timestamps: naive UTC, so every row of a column has one type."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def connect(path: str | Path, read_only: bool = False,
            wait_seconds: float | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file, retrying while another process has it open.

    `wait_seconds` bounds the wait (default: READ_WAIT_SECONDS for readers, no wait for
    writers)."""
    path = Path(path)
    if problem := path_problem(path):
        raise WarehouseUnusable(problem)
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
            if not _is_lock_conflict(str(error)):
                if read_only:  # a file DuckDB cannot read (cut short, say): what a reader can only report
                    first_line = (str(error).strip().splitlines() or [""])[0]
                    raise WarehouseUnusable(f"warehouse {str(path)!r} cannot be opened: {first_line}") from error
                raise
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WarehouseBusy(_busy_message(path, str(error), wait_seconds)) from None
            time.sleep(min(pause, remaining))
            pause = min(pause * 2, 0.5)


def _is_lock_conflict(error: str) -> bool:
    """DuckDB's "Could not set lock on file ...: Conflicting lock is held in ... (PID n)": another
    process has the file open. Not any message holding "lock" ("Corrupt database file: ...
    in block at location ...": a damaged file, which waiting does not mend)."""
    error = error.lower()
    return "could not set lock" in error or "conflicting lock" in error


def _busy_message(path: Path, error: str, wait_seconds: float) -> str:
    holder = _LOCK_HOLDER.search(error)
    pid = f", {holder.group(1)}" if holder else ""
    run = lock_holder(path)
    if run is None or not run.held:
        return (f"warehouse {str(path)!r} is busy (locked by another process{pid}); waited {wait_seconds:g}s. "
                "Try again when it has finished, or raise --wait.")
    if run.pid == os.getpid() and run.host in (None, socket.gethostname()):
        # this run holds the run lock: what holds the file is a client, not another run
        return (f"warehouse {str(path)!r} is held open by another process{pid} (a DuckDB client or BI tool "
                f"that opened it for writing, or kept it open read-only); waited {wait_seconds:g}s for it. "
                "Close it and run again.")
    return (f"warehouse {str(path)!r} is busy (locked by {run.describe()}); waited {wait_seconds:g}s. "
            "Try again when it has finished, or raise --wait.")


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing. When a statement fails, DuckDB may already have ended the
    transaction; a rollback that fails then must not hide the error that caused it."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


@contextlib.contextmanager
def snapshot(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """A transaction that only reads: every statement inside sees the same moment."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    finally:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
