"""prefect.yaml for real: a Prefect server on loopback, a process work pool, `prefect deploy
--all`, a run of the ad-hoc deployment executed by a worker, the article in the warehouse.

The commands are the README's ("Run on a schedule"), run in a temporary PREFECT_HOME. The
server runs without its scheduler so the hourly deployment cannot start a run over the
project's own seeds/ while the test runs; the test checks that deployment's schedule instead.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
import pytest

from tests.conftest import PROJECT, SEED

PREFECT = str(Path(sys.executable).with_name("prefect"))
POOL = "wirehouse-process"
TERMINAL_STATES = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrefectStack:
    """Processes started for one test, each in its own process group, all stopped at the end."""

    def __init__(self, root: Path):
        self.root = root
        self.port = free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
        self.env.update({
            "PREFECT_HOME": str(root / "prefect-home"),
            "PREFECT_API_URL": self.api_url,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "GX_ANALYTICS_ENABLED": "false",
        })
        self.processes: list[tuple[subprocess.Popen, Path]] = []

    def start(self, name: str, *args: str, cwd: Path) -> subprocess.Popen:
        log = self.root / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen([PREFECT, *args], cwd=cwd, env=self.env, stdout=out,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append((process, log))
        return process

    def run(self, name: str, *args: str, cwd: Path, timeout: float = 120, env: dict | None = None) -> str:
        """Run a CLI command to the end; its output, or a failure showing it."""
        log = self.root / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen([PREFECT, *args], cwd=cwd, env={**self.env, **(env or {})}, stdout=out,
                                       stderr=subprocess.STDOUT, start_new_session=True)
            self.processes.append((process, log))
            try:
                code = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pytest.fail(f"`prefect {' '.join(args)}` still running after {timeout}s:\n{tail(log)}")
        output = log.read_text(errors="replace")
        assert code == 0, f"`prefect {' '.join(args)}` exited {code}:\n{tail(log)}"
        return output

    def wait_for_api(self, server: subprocess.Popen, log: Path, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"prefect server exited with {server.returncode}:\n{tail(log)}")
            try:
                if httpx.get(f"{self.api_url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        pytest.fail(f"prefect server not healthy after {timeout}s:\n{tail(log)}")

    def api(self, method: str, path: str, **kwargs):
        response = httpx.request(method, f"{self.api_url}{path}", timeout=30, **kwargs)
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        for process, _ in reversed(self.processes):
            if process.poll() is None:
                with _suppress_lookup():
                    os.killpg(process.pid, signal.SIGTERM)
        for process, _ in reversed(self.processes):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with _suppress_lookup():
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
            # children a command left behind in its group (a flow run, uvicorn workers)
            with _suppress_lookup():
                os.killpg(process.pid, signal.SIGKILL)


class _suppress_lookup:
    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        return kind is not None and issubclass(kind, (ProcessLookupError, PermissionError))


def tail(log: Path, lines: int = 60) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else "(no output)"


@pytest.fixture
def stack(tmp_path):
    stack = PrefectStack(tmp_path)
    try:
        yield stack
    finally:
        stack.stop()


@pytest.mark.slow
def test_deployment_from_prefect_yaml_runs_on_a_worker_and_loads_the_seed(stack, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / SEED.name).write_bytes(SEED.read_bytes())
    warehouse = tmp_path / "warehouse" / "wirehouse.duckdb"
    elsewhere = tmp_path / "elsewhere"  # the worker does not start in the project folder
    elsewhere.mkdir()

    server = stack.start("server", "server", "start", "--host", "127.0.0.1", "--port", str(stack.port),
                         "--no-scheduler", cwd=tmp_path)
    stack.wait_for_api(server, tmp_path / "server.log")
    stack.run("work-pool", "work-pool", "create", POOL, "--type", "process", cwd=tmp_path)
    # $PWD pointing elsewhere shows the working directory comes from where deploy runs
    stack.run("deploy", "--no-prompt", "deploy", "--all", cwd=PROJECT, env={"PWD": str(elsewhere)})

    deployments = {d["name"]: d for d in stack.api("POST", "/deployments/filter", json={})}
    assert set(deployments) == {"hourly", "adhoc"}
    for deployment in deployments.values():
        assert deployment["work_pool_name"] == POOL
        assert deployment["entrypoint"] == "flows/pipeline.py:wirehouse_pipeline"
        (step,) = deployment["pull_steps"]
        directory = step["prefect.deployments.steps.set_working_directory"]["directory"]
        assert Path(directory).resolve() == PROJECT.resolve()
    (schedule,) = deployments["hourly"]["schedules"]
    assert schedule["active"] and schedule["schedule"]["cron"] == "0 * * * *"
    assert schedule["schedule"]["timezone"] == "UTC"
    assert deployments["hourly"]["parameters"]["seeds_dir"] == "seeds"
    assert deployments["adhoc"]["schedules"] == []
    assert {"seeds_dir", "warehouse_path", "model"} <= set(deployments["adhoc"]["parameters"])

    output = stack.run("deployment-run", "deployment", "run", "wirehouse-pipeline/adhoc",
                       "--param", f"seeds_dir={seeds}", "--param", f"warehouse_path={warehouse}",
                       "--param", "data_docs=false", cwd=elsewhere)
    flow_run_id = re.search(r"UUID: ([0-9a-f-]{36})", output).group(1)

    stack.run("worker", "worker", "start", "--pool", POOL, "--run-once", "--limit", "1", cwd=elsewhere, timeout=150)

    deadline = time.monotonic() + 60
    while (run := stack.api("GET", f"/flow_runs/{flow_run_id}"))["state_type"] not in TERMINAL_STATES:
        assert time.monotonic() < deadline, f"flow run still {run['state_type']}:\n{tail(tmp_path / 'worker.log')}"
        time.sleep(1)
    assert run["state_type"] == "COMPLETED", tail(tmp_path / "worker.log")
    assert run["deployment_id"] == deployments["adhoc"]["id"]

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("SELECT source_path, body, run_id FROM article").fetchall()
        (status,) = con.execute("SELECT status FROM pipeline_run WHERE run_id = ?", [flow_run_id]).fetchone()
    finally:
        con.close()
    assert [(Path(path).name, body, run_id) for path, body, run_id in rows] == [
        (SEED.name, SEED.read_text(encoding="utf-8").strip(), flow_run_id)]
    assert status == "completed"

    artifacts = stack.api("POST", "/artifacts/filter",
                          json={"artifacts": {"flow_run_id": {"any_": [flow_run_id]}}})
    assert {a["key"] for a in artifacts} >= {"wirehouse-table-counts", "wirehouse-rejected-documents",
                                             "wirehouse-run-summary"}


@pytest.mark.slow
@pytest.mark.corpus
def test_cancelling_a_deployment_run_from_the_api_ends_it_cleanly(stack, tmp_path):
    """The UI's Cancel is a CANCELLING state set through the API; the worker then sends
    SIGTERM to the run's process group. The run finishes the batch in hand, is recorded as
    cancelled with what it published, and the flow run ends Cancelled, not Crashed."""
    from tests.test_crash_safety import build_corpus
    from wirehouse.warehouse import doctor

    seeds = build_corpus(tmp_path / "seeds", 160)
    warehouse = tmp_path / "warehouse" / "wirehouse.duckdb"
    server = stack.start("server", "server", "start", "--host", "127.0.0.1", "--port", str(stack.port),
                         "--no-scheduler", cwd=tmp_path)
    stack.wait_for_api(server, tmp_path / "server.log")
    stack.run("work-pool", "work-pool", "create", POOL, "--type", "process", cwd=tmp_path)
    stack.run("deploy", "--no-prompt", "deploy", "--all", cwd=PROJECT)
    output = stack.run("deployment-run", "deployment", "run", "wirehouse-pipeline/adhoc",
                       "--param", f"seeds_dir={seeds}", "--param", f"warehouse_path={warehouse}",
                       "--param", "data_docs=false", "--param", "batch_size=10", cwd=tmp_path)
    flow_run_id = re.search(r"UUID: ([0-9a-f-]{36})", output).group(1)
    stack.start("worker", "worker", "start", "--pool", POOL, "--run-once", "--limit", "1", cwd=tmp_path)

    written = {"flow_runs": {"id": {"any_": [flow_run_id]}},
               "task_runs": {"name": {"like_": "write-batch"}, "state": {"type": {"any_": ["COMPLETED"]}}}}
    deadline = time.monotonic() + 240
    while not stack.api("POST", "/task_runs/filter", json=written):
        run = stack.api("GET", f"/flow_runs/{flow_run_id}")
        assert run["state_type"] not in TERMINAL_STATES, f"run ended {run['state_type']} before it was cancelled"
        assert time.monotonic() < deadline, f"no batch written yet:\n{tail(tmp_path / 'worker.log')}"
        time.sleep(0.5)
    stack.api("POST", f"/flow_runs/{flow_run_id}/set_state", json={"state": {"type": "CANCELLING"}, "force": True})

    deadline = time.monotonic() + 90
    while (run := stack.api("GET", f"/flow_runs/{flow_run_id}"))["state_type"] not in TERMINAL_STATES:
        assert time.monotonic() < deadline, f"flow run still {run['state_type']}:\n{tail(tmp_path / 'worker.log')}"
        time.sleep(1)
    worker_log = (tmp_path / "worker.log").read_text(errors="replace")
    assert run["state_type"] == "CANCELLED", tail(tmp_path / "worker.log")
    assert "Crash detected" not in worker_log

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        status, message, loaded = con.execute("SELECT status, message, documents_loaded FROM pipeline_run "
                                              "WHERE run_id = ?", [flow_run_id]).fetchone()
        (stored,) = con.execute("SELECT count(*) FROM article").fetchone()
    finally:
        con.close()
    assert status == "cancelled", message
    assert message.startswith("SIGTERM received: run ") or message.startswith("cancelled from the Prefect API: run ")
    assert 10 <= loaded == stored < 160, message
    report = doctor.examine(warehouse)
    assert report.healthy, report.render()
