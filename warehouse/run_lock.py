"""The run lock: one run writes a warehouse at a time, and says who it is.

A run holds an advisory lock on `<warehouse>.lock` (flock, released by the kernel when
the process ends, even on SIGKILL) for its whole length, and names itself (run id, PID,
host, start) in that file, so a second run can say who holds the warehouse.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable


class LockWaitStopped(RuntimeError):
    """A run asked to stop while it waited for another run's lock: it took nothing."""


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse, or a connection holds the file for too long."""


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
    except (FileNotFoundError, NotADirectoryError):  # no lock file, or no folder it could be in
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
    def acquire(cls, warehouse: str | Path, wait_seconds: float = 0.0, run_id: str | None = None,
                stopping: Callable[[], bool] | None = None,
                waiting: Callable[[str], None] | None = None) -> "RunLock":
        """Take the warehouse's run lock, waiting up to `wait_seconds` for the run holding it;
        `waiting` is told once, when a wait begins, who holds it, and `stopping` is asked while
        waiting (a run told to stop does not wait on: LockWaitStopped)."""
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
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if stopping is not None and stopping():
                    os.close(fd)
                    raise LockWaitStopped(f"stopped while waiting for warehouse {str(Path(warehouse))!r}") from None
                if waiting is not None and not told and wait_seconds > 0:
                    holder = lock_holder(warehouse)
                    waiting(f"warehouse {str(Path(warehouse))!r} is held by "
                            f"{holder.describe() if holder else 'another run'}; waiting up to {wait_seconds:g}s")
                    told = True
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
                                             "since": datetime.now(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"})
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
