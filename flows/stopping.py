"""SIGTERM and SIGINT stop a run cleanly: the batch being published is finished, the run
is recorded as cancelled, and a second signal leaves at once.

Prefect's flow engine turns SIGTERM into a crash ("Execution was aborted by a termination
signal") and replaces any handler set before the flow starts, so the flow installs this
one again inside its body. Cancelling from the Prefect UI or API ends the same way: under
a process worker the worker sends SIGTERM to the run's process group (and SIGKILL after
30 s, a fixed grace period); a run started with `wirehouse run` against a long-lived
server gets no signal, so a watcher polls its state.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import signal
import threading
from typing import Iterator

CANCEL_POLL_SECONDS = 2.0


class StopRequested(Exception):
    """Raised between batches once a stop was asked for."""

    def __init__(self, reason: str, signum: int | None):
        super().__init__(reason)
        self.reason = reason
        self.signum = signum


class GracefulStop:
    """First SIGTERM/SIGINT: remember it; the run stops at the next batch boundary.
    Second: exit at once (the warehouse rolls back an unfinished write on its next open)."""

    def __init__(self) -> None:
        self.reason: str | None = None
        self.signum: int | None = None
        self.event = threading.Event()
        self._signals = 0  # only real signals count towards "again: stop now"

    def _handle(self, signum: int, frame: object) -> None:
        self._signals += 1
        name = signal.Signals(signum).name
        if self._signals > 1:
            os.write(2, f"wirehouse: {name} again: stopping now\n".encode())
            os._exit(128 + signum)
        self.request(f"{name} received", signum)

    def request(self, reason: str, signum: int | None = None) -> None:
        """Ask for a stop. A worker's SIGTERM that follows a cancel seen by the watcher is
        the same cancel, not a second signal."""
        if self.event.is_set():
            return
        self.reason, self.signum = reason, signum
        self.event.set()

    @property
    def requested(self) -> bool:
        return self.event.is_set()

    def check(self) -> None:
        """Call between batches."""
        if self.event.is_set():
            raise StopRequested(self.reason or "stop requested", self.signum)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum if self.signum else 1

    @contextlib.contextmanager
    def installed(self) -> Iterator[GracefulStop]:
        """Handle SIGTERM and SIGINT while inside (main thread only); restores the previous handlers."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = {sig: signal.signal(sig, self._handle) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield self
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


_stop: list[GracefulStop] = []


def graceful_stop() -> GracefulStop:
    """The process's GracefulStop. Flow code reaches it through this function, never a
    module global: the flow function is pickled by value for process-pool and Dask tasks,
    and a global holding a threading.Event cannot be pickled."""
    if not _stop:
        _stop.append(GracefulStop())
    return _stop[0]


def reset_graceful_stop() -> GracefulStop:
    """A fresh GracefulStop (a new command in the same process, as tests do)."""
    _stop.clear()
    return graceful_stop()


@contextlib.contextmanager
def watch_flow_run_cancellation(stop: GracefulStop, interval: float = CANCEL_POLL_SECONDS) -> Iterator[None]:
    """While inside, a thread polls this flow run's state and turns CANCELLING or CANCELLED
    (set from the UI or API) into a stop request, as if SIGTERM had arrived."""
    from prefect.client.orchestration import get_client
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        yield
        return
    flow_run_id = context.flow_run.id
    done = threading.Event()

    def watch() -> None:
        with get_client(sync_client=True) as client:
            while not done.wait(interval) and not stop.requested:
                try:
                    state = client.read_flow_run(flow_run_id).state
                except Exception:  # the API is away for a moment: keep working, ask again
                    continue
                if state is not None and state.type.value in ("CANCELLING", "CANCELLED"):
                    stop.request("cancelled from the Prefect API", signal.SIGTERM)
                    return

    thread = threading.Thread(target=contextvars.copy_context().run, args=(watch,),
                              name="wirehouse-cancel-watch", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
