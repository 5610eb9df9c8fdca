"""The run's own temporary Prefect API server, stopped with the run and killed with it.

Without PREFECT_API_URL, Prefect starts a temporary server of its own; nothing ties that
server to its parent, so every run killed with SIGKILL or SIGTERM left one behind
(about 230 MB and a port, until reboot). `wirehouse run` starts this one instead:

- through the parent-death shim (process_guards.py): it dies with the run, even on SIGKILL;
- in its own session: a Ctrl-C in the terminal does not stop it before the run has
  recorded its final state; the run stops it last;
- on a socket bound to 127.0.0.1:0 and handed over (`uvicorn --fd`): no port race;
- on a temporary SQLite file copied from a template migrated once per Prefect version,
  which starts in about the time of Prefect's warm temporary server (3.8 s against 3.9 s
  measured on 2 busy cores) instead of migrating a new database (7.6 s more).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

from wirehouse.flows.process_guards import with_parent_death_signal

STARTUP_TIMEOUT_SECONDS = 120.0


class ServerNotStarted(RuntimeError):
    """The temporary Prefect API server did not come up; the message says why."""


class OwnedPrefectServer:
    """A temporary Prefect API server this process owns. Start it from the main thread.

        with OwnedPrefectServer(template=migrated_template(cache)) as server, server.as_api():
            run_the_flow()
    """

    def __init__(self, database: Path | None = None, template: Path | None = None,
                 startup_timeout: float = STARTUP_TIMEOUT_SECONDS):
        self.database = database
        self.template = template
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None
        self.api_url: str | None = None
        self.log_path: Path | None = None
        self._folder: Path | None = None
        self._started_at = 0.0

    def start(self, wait: bool = True) -> OwnedPrefectServer:
        """Spawn the server; with wait=False return at once and call wait_ready() later
        (its start-up then overlaps the run's own imports)."""
        self._started_at = time.monotonic()
        remove_folders_of_dead_runs()
        self._folder = Path(tempfile.mkdtemp(prefix=f"wirehouse-prefect-{os.getpid()}-"))
        self.log_path = self._folder / "server.log"
        database = self.database or self._folder / "prefect.db"
        from_template = self.template is not None and self.template.exists() and not database.exists()
        if from_template:
            shutil.copyfile(self.template, database)
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))  # the kernel picks a free port
        listener.listen(512)
        listener.set_inheritable(True)
        env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
        env.update({
            "PREFECT_SERVER_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{database}",
            "PREFECT_UI_ENABLED": "0",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            # the reduced set of services Prefect's own temporary server runs
            "PREFECT__SERVER_EPHEMERAL": "1",
            "PREFECT__SERVER_FINAL": "1",
        })
        if from_template:  # migrated and blocks registered by this Prefect version already
            env["PREFECT_SERVER_DATABASE_MIGRATE_ON_START"] = "false"
            env["PREFECT_SERVER_REGISTER_BLOCKS_ON_START"] = "false"
        argv = [sys.executable, "-m", "uvicorn", "--fd", str(listener.fileno()), "--factory",
                "prefect.server.api.server:create_app", "--log-level", "error", "--lifespan", "on",
                "--timeout-graceful-shutdown", "3"]
        with self.log_path.open("ab") as log:
            try:
                self.process = subprocess.Popen(with_parent_death_signal(argv), env=env,
                                                pass_fds=(listener.fileno(),), start_new_session=True,
                                                stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            finally:
                port = listener.getsockname()[1]
                listener.close()  # the server holds its own copy
        self.api_url = f"http://127.0.0.1:{port}/api"
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self) -> str:
        """Block until /api/health answers; the API URL."""
        assert self.process is not None and self.api_url is not None, "start() first"
        deadline = self._started_at + self.startup_timeout
        while not api_reachable(self.api_url):
            if self.process.poll() is not None:
                detail = self._last_log_line()
                self.stop()
                raise ServerNotStarted(f"the temporary Prefect API server exited with {self.process_exit}"
                                       + (f": {detail}" if detail else ""))
            if time.monotonic() > deadline:
                self.stop()
                raise ServerNotStarted(f"the temporary Prefect API server did not answer within "
                                       f"{self.startup_timeout:.0f}s")
            time.sleep(0.1)
        return self.api_url

    @property
    def process_exit(self) -> int | None:
        return None if self.process is None else self.process.returncode

    def _last_log_line(self) -> str:
        try:
            lines = [line for line in self.log_path.read_text(errors="replace").splitlines() if line.strip()]
        except OSError:
            return ""
        return lines[-1][:300] if lines else ""

    def stop(self, timeout: float = 5.0) -> None:
        """Send Prefect's queued logs and events first, then stop the server and remove its files."""
        drain_prefect_workers()
        process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    @contextlib.contextmanager
    def as_api(self) -> Iterator[str]:
        """Make this server the Prefect API of this process and of its children.

        Three places must agree: os.environ (pool and Dask workers), Prefect's process-global
        settings (threads Prefect starts without copying the context fall back to them; the
        process pool's message forwarder is one, and with a stale global it starts Prefect's
        own temporary server mid-run) and the current context."""
        from prefect.context import refresh_global_settings_context
        from prefect.settings import PREFECT_API_URL, temporary_settings

        assert self.api_url is not None, "start() first"
        names = ("PREFECT_API_URL", "PREFECT_SERVER_EPHEMERAL_ENABLED")
        previous = {name: os.environ.get(name) for name in names}
        os.environ["PREFECT_API_URL"] = self.api_url
        # a code path that lost the URL fails loudly instead of starting an unowned server
        os.environ["PREFECT_SERVER_EPHEMERAL_ENABLED"] = "false"
        refresh_global_settings_context()
        try:
            with temporary_settings(updates={PREFECT_API_URL: self.api_url}):
                yield self.api_url
        finally:
            for name, value in previous.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            refresh_global_settings_context()

    def __enter__(self) -> OwnedPrefectServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def remove_folders_of_dead_runs() -> None:
    """A run killed with SIGKILL cannot remove its server's folder (about 2 MB): the next
    run removes the folders whose owner (the pid in the name) is gone."""
    for folder in Path(tempfile.gettempdir()).glob("wirehouse-prefect-*-*"):
        try:
            owner = int(folder.name.split("-")[2])
            os.kill(owner, 0)
        except (IndexError, ValueError, PermissionError):
            continue
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)


def migrated_template(cache_dir: Path) -> Path:
    """A migrated, block-registered Prefect database, made once per Prefect version and
    copied for every run (a new Prefect version makes a new one)."""
    import prefect

    path = cache_dir / f"prefect-{prefect.__version__}-template.db"
    if path.exists():
        return path
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir) as scratch:
        work = Path(scratch) / "prefect.db"
        with OwnedPrefectServer(database=work):
            pass  # starting runs the migrations and registers the blocks
        # The server ran in WAL mode: copy through SQLite's backup API, not the file, or the
        # pages still in prefect.db-wal are lost (the copy then has no schema).
        partial = Path(scratch) / "template.db"
        source, target = sqlite3.connect(work), sqlite3.connect(partial)
        try:
            with target:
                source.backup(target)
        finally:
            source.close()
            target.close()
        partial.replace(path)  # atomic: two first runs at once both end with a whole file
    return path


def drain_prefect_workers(timeout: float = 5.0) -> None:
    """Send Prefect's queued logs and events now, while the API is up: sent at interpreter
    exit into a stopped server, they are retried for over a minute."""
    if "prefect" not in sys.modules:
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        with contextlib.suppress(Exception):
            worker.drain_all(timeout=timeout)


def api_reachable(api_url: str | None, timeout: float = 2.0) -> bool:
    """One GET /health, without Prefect's client and its retries."""
    if not api_url:
        return False
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout) as response:
            return response.status == 200
    except urllib.error.HTTPError:  # it answered (401 behind a proxy, say): it is there
        return True
    except OSError:
        return False
