"""What every benchmark needs: a Prefect server on loopback, a measured `wirehouse run`,
the corpora, and the results file."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import psutil

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"
RESULTS = PROJECT / "bench" / "results.json"
DATA = PROJECT / "bench" / "data"


def require(path: Path) -> Path:
    if not path.exists():
        sys.exit(f"benchmark needs {path} (../shared beside the project)")
    return path


def machine() -> dict:
    return {"cpus": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "processor": platform.processor() or platform.machine()}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def prefect_server() -> Iterator[dict]:
    """A real Prefect server on 127.0.0.1 in a temporary PREFECT_HOME; yields the env for clients.

    Benchmarked runs talk to it instead of each starting a temporary server."""
    home = Path(tempfile.mkdtemp(prefix="wirehouse-bench-prefect-"))
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "GX_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
           "PREFECT_LOGGING_LEVEL": "WARNING"}
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                               "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("Prefect server did not start")
                time.sleep(0.5)
        yield env
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        shutil.rmtree(home, ignore_errors=True)


@dataclass
class Measured:
    wall_seconds: float
    peak_rss_mb: float  # the whole process tree, at its largest
    summary: dict
    peak_flow_rss_mb: float = 0.0  # the flow process alone, at its largest
    peak_worker_rss_mb: float = 0.0  # the largest single worker process
    seconds_to_peak: float = 0.0  # when the tree was at its largest


def wirehouse_run(env: dict, seeds: Path, warehouse: Path, *options: str) -> Measured:
    """Run `wirehouse run` as a user would, sampling the RSS of its whole process tree."""
    args = [sys.executable, "-m", "wirehouse", "run", "--seeds", str(seeds), "--warehouse", str(warehouse),
            "--progress", "off", "--no-data-docs", *options]
    started = time.perf_counter()
    process = subprocess.Popen(args, cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    peak = {"tree": 0, "flow": 0, "worker": 0, "at": 0.0}

    def sample() -> None:
        try:
            root = psutil.Process(process.pid)
            while process.poll() is None:
                total = 0
                for proc in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        rss = proc.memory_info().rss
                        total += rss
                        role = "flow" if proc.pid == root.pid else "worker"
                        peak[role] = max(peak[role], rss)
                if total > peak["tree"]:
                    peak["tree"], peak["at"] = total, time.perf_counter() - started
                time.sleep(0.2)
        except psutil.Error:
            pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    sampler.join(5)
    if process.returncode != 0:
        raise RuntimeError(f"wirehouse run failed ({process.returncode}):\n{stderr[-3000:]}")
    return Measured(wall, peak["tree"] / 2**20, last_run_summary(warehouse), peak["flow"] / 2**20,
                    peak["worker"] / 2**20, peak["at"])


def last_run_summary(warehouse: Path) -> dict:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = con.execute(
            "SELECT run_id, epoch(finished_at - started_at), documents_seen, documents_loaded, documents_skipped, "
            "documents_rejected, counts FROM pipeline_run ORDER BY started_at DESC LIMIT 1").fetchone()
        words = con.execute("SELECT coalesce(sum(word_count), 0) FROM article").fetchone()[0]
        publishes = con.execute("SELECT epoch(ingested_at), count(*) FROM article WHERE run_id = ? "
                                "GROUP BY ingested_at ORDER BY ingested_at", [row[0]]).fetchall()
    finally:
        con.close()
    counts = json.loads(row[6])
    return {"run_id": row[0], "flow_seconds": row[1], "seen": row[2], "loaded": row[3], "skipped": row[4],
            "rejected": row[5], "stage_seconds": counts.get("stage_seconds", {}), "tables": counts.get("tables", {}),
            "words_in_warehouse": words, "steady_docs_per_s": steady_rate(publishes)}


def steady_rate(publishes: list[tuple[float, int]]) -> float | None:
    """Articles per second between the first and the last published batch: the run's pace
    once workers, model and GX are loaded (None with fewer than two batches)."""
    if len(publishes) < 2 or publishes[-1][0] <= publishes[0][0]:
        return None
    return round(sum(n for _, n in publishes[1:]) / (publishes[-1][0] - publishes[0][0]), 2)


def update_results(section: str, values: dict, headline: dict | None = None) -> dict:
    """Replace one section of bench/results.json; `headline` figures go to its top level."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[section] = values
    results.update(headline or {})
    results["machine"] = machine()
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    return results
