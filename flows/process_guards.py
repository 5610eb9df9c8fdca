"""Every process a run starts dies with it, however the run ends (SIGKILL included).

Three kinds of children, three guards (Linux; elsewhere they do nothing):

- the temporary Prefect API server: started through a small exec shim that arms
  PR_SET_PDEATHSIG, so the kernel kills it when the run's main thread goes;
- process-pool workers: forked by the pool's resolver threads, so a parent-death signal
  would fire when *that thread* ends; they poll their parent instead and leave within 0.5 s
  of being re-parented;
- Dask workers: distributed already closes them with their parent; they only ignore the
  terminal's Ctrl-C and a worker's group SIGTERM, which would otherwise close them
  "gracefully" and leave every pending future waiting forever.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from typing import Callable

# Run *instead of* the real child: arm the death signal, make sure the parent did not die
# before that (the classic race), then exec the real command. The signal survives execve,
# and no preexec_fn is needed (unsafe in a threaded parent).
_PDEATHSIG_SHIM = (
    "import ctypes,os,sys\n"
    "if ctypes.CDLL(None,use_errno=True).prctl(1,int(sys.argv[2]),0,0,0)!=0:raise OSError(ctypes.get_errno(),'prctl')\n"
    "if os.getppid()!=int(sys.argv[1]):os._exit(70)\n"
    "os.execvp(sys.argv[3],sys.argv[3:])\n"
)


def with_parent_death_signal(argv: list[str], sig: int = signal.SIGKILL) -> list[str]:
    """`argv` wrapped so the child gets `sig` when the thread that starts it ends: start it
    from the main thread."""
    if not sys.platform.startswith("linux"):
        return list(argv)
    return [sys.executable, "-c", _PDEATHSIG_SHIM, str(os.getpid()), str(int(sig)), *argv]


def exit_when_parent_dies(parent: int, interval: float = 0.5) -> threading.Thread:
    """A daemon thread that ends this process once `parent` is no longer its parent (it was
    re-parented: the parent died, possibly before this process got this far)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(70)

    thread = threading.Thread(target=watch, name="wirehouse-exit-with-parent", daemon=True)
    thread.start()
    return thread


def guard_worker_process(parent: int, initializer: Callable[..., object] | None = None, *initargs: object) -> None:
    """Initializer of process-pool workers (wrapping the real one); `parent` is the pid of
    the run that starts the pool.

    SIGINT is ignored: a terminal's Ctrl-C reaches the whole process group, and a worker
    that raises KeyboardInterrupt inside a task leaves Prefect's pool future (which catches
    only Exception) waiting forever. SIGTERM keeps its default: the pool ends a broken pool
    with SIGTERM and joins it, so a worker ignoring it would hang the join."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_when_parent_dies(parent)
    if initializer is not None:
        initializer(*initargs)


def dask_setup(worker: object) -> None:
    """Dask preload hook (`preload: ["wirehouse.flows.process_guards"]`): the run closes its
    local cluster itself, so its workers ignore SIGINT and SIGTERM sent to the group."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
