"""Runs that are stopped leave nothing behind and say what happened.

Each test starts `wirehouse run` as a user does (no PREFECT_API_URL: the run starts its own
temporary Prefect server), stops it the way schedulers and people do (SIGTERM, a terminal's
Ctrl-C to the whole process group, a second signal, SIGKILL, the API going away), and then
checks: the exit code and the last line, no process of the run left and its server's port
free, the run's record in the warehouse, doctor healthy, and a rerun that converges to the
tables of an uninterrupted run.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import psutil
import pytest

from tests.test_crash_safety import (RUN_OPTIONS, WirehouseProcess, article_fingerprints, build_corpus, checksums,
                                     run_statuses)
from wirehouse.warehouse import doctor

pytestmark = [pytest.mark.slow, pytest.mark.corpus]


class RunTree:
    """Every process a `wirehouse run` starts (polled while it runs) and the ports they listen on."""

    def __init__(self, process: WirehouseProcess):
        self.root = psutil.Process(process.proc.pid)
        self.pids: set[int] = set()
        self.ports: set[int] = set()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._done.wait(0.1):
            try:
                children = self.root.children(recursive=True)
            except psutil.Error:
                return
            for child in children:
                self.pids.add(child.pid)
                try:
                    self.ports |= {c.laddr.port for c in child.net_connections("tcp") if c.status == psutil.CONN_LISTEN}
                except psutil.Error:
                    pass

    def stop_watching(self) -> None:
        self._done.set()
        self._thread.join(5)

    def left_over(self, grace: float = 5.0) -> list[str]:
        """The processes of the run still alive `grace` seconds after it ended."""
        self.stop_watching()
        deadline = time.monotonic() + grace
        while True:
            alive = []
            for pid in sorted(self.pids):
                try:
                    child = psutil.Process(pid)
                    if child.status() != psutil.STATUS_ZOMBIE:
                        alive.append(f"{pid} {' '.join(child.cmdline())[:120]}")
                except psutil.Error:
                    pass
            if not alive or time.monotonic() > deadline:
                return alive
            time.sleep(0.2)

    def busy_ports(self) -> list[int]:
        busy = []
        for port in sorted(self.ports):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    probe.bind(("127.0.0.1", port))
                except OSError:
                    busy.append(port)
        return busy


def start_run(seeds: Path, warehouse: Path, *options: str, api_url: str | None = None, **env: str):
    process = WirehouseProcess(["run", "--seeds", str(seeds), "--warehouse", str(warehouse), *RUN_OPTIONS, *options],
                               api_url, new_session=True, **env)
    return process, RunTree(process)


def assert_nothing_left(tree: RunTree, output: str) -> None:
    assert tree.pids, "the run started no process (its own Prefect server at least)"
    assert tree.ports, "no listening port seen: the run's Prefect server was not observed"
    assert tree.left_over() == [], output[-3000:]
    assert tree.busy_ports() == []


def last_line(output: str) -> str:
    return output.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("corpus") / "seeds", 160)


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory) -> Path:
    """The warehouse of a run that was never interrupted."""
    warehouse = tmp_path_factory.mktemp("reference") / "w.duckdb"
    process, tree = start_run(corpus, warehouse)
    assert process.finish() == 0, process.output[-3000:]
    assert_nothing_left(tree, process.output)
    return warehouse


def rerun_converges(corpus: Path, warehouse: Path, reference: Path) -> None:
    process, tree = start_run(corpus, warehouse)
    assert process.finish() == 0, process.output[-3000:]
    assert_nothing_left(tree, process.output)
    assert run_statuses(warehouse)[-1][1] == "completed"
    assert article_fingerprints(warehouse) == article_fingerprints(reference)
    assert checksums(warehouse) == checksums(reference)
    report = doctor.examine(warehouse)
    assert report.healthy, report.render()


@pytest.mark.parametrize("signum, runner, to_group", [
    (signal.SIGTERM, "thread", False),  # a scheduler or `kill`
    (signal.SIGINT, "process", True),  # Ctrl-C in a terminal: the whole foreground group
])
def test_a_signal_cancels_cleanly_and_a_rerun_continues(corpus, reference, tmp_path, signum, runner, to_group):
    warehouse = tmp_path / "w.duckdb"
    process, tree = start_run(corpus, warehouse, "--runner", runner)
    assert process.wait_for("write-batch", 1), process.output[-3000:]
    (os.killpg if to_group else os.kill)(process.proc.pid, signum)
    code = process.finish(timeout=120)

    name = signal.Signals(signum).name
    assert code == 128 + signum, process.output[-3000:]
    line = last_line(process.output)
    assert line.startswith(f"wirehouse: {name} received: run ") and "cancelled, " in line, line
    assert "article(s) published in" in line and "run again to continue" in line, line
    assert "Traceback" not in process.output and "Crash detected" not in process.output
    assert_nothing_left(tree, process.output)

    ((run_id, status),) = run_statuses(warehouse)
    assert status == "cancelled" and run_id in line
    report = doctor.examine(warehouse)
    assert report.healthy, report.render()
    assert any(f.check == "cancelled_run" for f in report.findings if f.severity == "info")
    rerun_converges(corpus, warehouse, reference)


def test_a_second_signal_exits_at_once_and_the_next_run_repairs(corpus, reference, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    process, tree = start_run(corpus, warehouse)
    assert process.wait_for("write-batch", 1), process.output[-3000:]
    process.proc.send_signal(signal.SIGTERM)
    time.sleep(0.2)
    process.proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    code = process.finish(timeout=60)
    assert code == 143 and time.monotonic() - started < 10, process.output[-3000:]
    assert last_line(process.output) == "wirehouse: SIGTERM again: stopping now"
    assert_nothing_left(tree, process.output)
    rerun_converges(corpus, warehouse, reference)


# (output line to wait for, its occurrence, seconds after it): while the model loads (the
# first enrichment task loads it), while a batch is enriched, while a batch is published
MOMENTS = {
    "model_load": ("inputs under", 1, 0.2),
    "enrichment": ("enrich-batch", 1, 0.0),
    "publish": ("audit-batch", 1, 0.02),
}


@pytest.mark.parametrize("moment", sorted(MOMENTS))
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_run_killed_at_any_moment_leaves_no_process_and_no_port(corpus, tmp_path, moment, signum):
    warehouse = tmp_path / "w.duckdb"
    process, tree = start_run(corpus, warehouse, "--runner", "process")
    needle, occurrence, delay = MOMENTS[moment]
    assert process.wait_for(needle, occurrence), process.output[-3000:]
    time.sleep(delay)
    process.proc.send_signal(signum)
    code = process.finish(timeout=120)
    assert code == (-signal.SIGKILL if signum == signal.SIGKILL else 143), process.output[-3000:]
    assert_nothing_left(tree, process.output)
    statuses = run_statuses(warehouse)
    assert statuses[-1][1] == ("running" if signum == signal.SIGKILL else "cancelled")


def test_a_prefect_api_that_goes_away_mid_run_leaves_a_finished_unlocked_warehouse(corpus, reference, tmp_path):
    """A real Prefect server, stopped under the run: the run carries on, records itself in
    the warehouse, says in one line that Prefect has no record of the end, and exits."""
    from tests.test_deployment import PrefectStack
    from wirehouse.warehouse.run_lock import RunLock

    stack = PrefectStack(tmp_path / "prefect")
    stack.root.mkdir()
    try:
        server = stack.start("server", "server", "start", "--host", "127.0.0.1", "--port", str(stack.port),
                             "--no-scheduler", cwd=stack.root)
        stack.wait_for_api(server, stack.root / "server.log")
        warehouse = tmp_path / "w.duckdb"
        # one retry instead of five: the flow engine's last call to the lost API gives up in
        # seconds instead of about 75 (the behaviour is the same)
        process, tree = start_run(corpus, warehouse, api_url=stack.api_url, PREFECT_CLIENT_MAX_RETRIES="1")
        assert process.wait_for("write-batch", 1), process.output[-3000:]
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(30)
        code = process.finish(timeout=400)
    finally:
        stack.stop()
    assert code == 0, process.output[-3000:]
    line = last_line(process.output)
    assert f"the Prefect API at {stack.api_url} stopped answering" in line, line
    assert "records run" in line and "as completed" in line, line
    assert tree.left_over() == []
    assert run_statuses(warehouse)[-1][1] == "completed"
    RunLock.acquire(str(warehouse), 0).release()  # not left locked
    assert article_fingerprints(warehouse) == article_fingerprints(reference)
    report = doctor.examine(warehouse)
    assert report.healthy, report.render()
