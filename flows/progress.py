"""Progress of a long run: a live bar on a terminal, periodic log lines elsewhere."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any


class RunProgress:
    """Counts documents against the bytes of input read. A file's bytes count once it has
    been read to its end, so the share and the ETA move file by file; until the first file
    is finished (one large .jsonl, WARC or table) the ETA is unknown and the lines give the
    documents and the rate."""

    def __init__(self, total_bytes: int, total_files: int, mode: str, logger: logging.Logger | Any,
                 log_every_seconds: float = 10.0):
        self.total_bytes = max(total_bytes, 1)
        self.total_files = total_files
        self.logger = logger
        self.log_every = log_every_seconds
        self.started = time.monotonic()
        self.last_log = self.started
        self.bytes_done = 0
        self.documents = 0
        self.enriched = 0
        if mode == "auto":
            mode = "bar" if sys.stderr.isatty() else "log"
        self.mode = mode
        self._bar = None
        if mode == "bar":
            from rich.console import Console
            from rich.progress import (BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)

            self._bar = Progress(
                TextColumn("[bold]enriching"), BarColumn(), TaskProgressColumn(),
                TextColumn("{task.fields[docs]} docs · {task.fields[rate]} docs/s"),
                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                transient=False,
                console=Console(stderr=True),  # the summary on stdout stays clean when redirected
            )
            self._task = self._bar.add_task("run", total=self.total_bytes, docs=0, rate="0")
            self._bar.start()

    def advance(self, bytes_read: int = 0, documents: int = 0, enriched: int = 0) -> None:
        self.bytes_done += bytes_read
        self.documents += documents
        self.enriched += enriched
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.documents / elapsed
        if self._bar is not None:
            self._bar.update(self._task, completed=self.bytes_done, docs=self.documents, rate=f"{rate:,.1f}")
        elif self.mode == "log" and time.monotonic() - self.last_log >= self.log_every:
            self.last_log = time.monotonic()
            share = self.bytes_done / self.total_bytes
            eta = f"{elapsed / share - elapsed:.0f}s" if share > 0 else "unknown (no input file read to its end yet)"
            self.logger.info(
                "progress: %.0f%% of input, %d documents (%d enriched), %.1f docs/s, ETA %s",
                100 * share, self.documents, self.enriched, rate, eta,
            )

    def close(self) -> None:
        if self._bar is not None and self.mode != "closed":
            self._bar.update(self._task, completed=self.total_bytes)
            self._bar.stop()
        self.mode = "closed"
