"""How a run that fails says why: one line naming the cause, the warehouse and the batch.

A write that fails (a full disk, a read-only file, a file deleted under the run) rolls back
whole, so nothing of its batch is published and nothing is lost: the next run loads it.
The line says so, and what to do; the traceback is for `--debug`.
"""

from __future__ import annotations

import errno
import logging
from typing import Any

from wirehouse.transforms.overrides import OverridesError

# (words in the error, the cause as a user says it, what to do)
CAUSES = (
    (("no space left on device", "disk full", "enospc"), "no space left on device", "free space and run again"),
    (("read-only file system", "readonly", "read-only"), "the warehouse file or its folder is read-only",
     "make it writable and run again"),
    (("permission denied", "operation not permitted"), "permission denied on the warehouse file or its folder",
     "fix the permissions and run again"),
    (("no such file or directory", "has been deleted", "does not exist"),
     "the warehouse file or its folder went away while the run was writing", "restore it and run again"),
    (("disk quota exceeded",), "disk quota exceeded", "free space and run again"),
    (("input/output error",), "an input/output error on the disk", "check the disk and run again"),
    (("not a valid duckdb database file",), "the warehouse file is not a DuckDB database",
     "give another --warehouse path, or move the file away"),
    (("corrupt database file", "could not read enough bytes"), "the warehouse file is damaged",
     "restore it from a copy, or give another --warehouse path"),
)
_ERRNO_CAUSES = {errno.ENOSPC: CAUSES[0], errno.EROFS: CAUSES[1], errno.EACCES: CAUSES[2], errno.EPERM: CAUSES[2],
                 errno.ENOENT: CAUSES[3], errno.EDQUOT: CAUSES[4], errno.EIO: CAUSES[5]}


def cause_of(error: BaseException) -> tuple[str, str]:
    """(the cause in a few words, what to do) of an error while writing the warehouse."""
    for current in _chain(error):
        if isinstance(current, OverridesError):  # its own words: the file it names is not the warehouse
            return str(current), "fix the file or give another with --entity-overrides"
        number = getattr(current, "errno", None)
        if number in _ERRNO_CAUSES:
            _, cause, advice = _ERRNO_CAUSES[number]
            return cause, advice
        text = str(current).lower()
        for words, cause, advice in CAUSES:
            if any(word in text for word in words):
                return cause, advice
    first_line = (str(error).strip().splitlines() or [""])[0][:300]
    return f"{type(error).__name__}: {first_line}", "run again with --debug to see where it failed"


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    while error is not None and error not in seen:
        seen.append(error)
        error = error.__cause__ or error.__context__
    return seen


class BatchNotWritten(RuntimeError):
    """A batch could not be written; its transaction rolled back, so none of it is published."""

    def __init__(self, batch_index: int, articles: int, warehouse: str, error: BaseException):
        self.batch_index, self.articles, self.warehouse, self.error = batch_index, articles, warehouse, error
        cause, advice = cause_of(error)
        super().__init__(f"{cause} while publishing batch {batch_index + 1} to {warehouse}: {articles} article(s) "
                         f"not published, nothing lost; {advice}")


def one_line(error: BaseException, warehouse: str) -> str:
    """The line a failed run ends with."""
    for current in _chain(error):
        if isinstance(current, BatchNotWritten):
            return str(current)
    cause, advice = cause_of(error)
    return f"run on {warehouse} failed: {cause}; {advice}"


class WithoutTraceback(logging.Formatter):
    """A console formatter that leaves tracebacks out (they stay in the records for other
    handlers, such as the Prefect API's)."""

    def __init__(self, inner: logging.Formatter | None):
        super().__init__()
        self.inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            return self.inner.format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


def quiet_tracebacks(logger_names: Any = ("prefect",)) -> None:
    """Console handlers of these loggers (and of the root logger) print no traceback."""
    for name in (*logger_names, None):
        for handler in logging.getLogger(name).handlers:
            if isinstance(handler, logging.StreamHandler) and not isinstance(handler.formatter, WithoutTraceback):
                handler.setFormatter(WithoutTraceback(handler.formatter))
