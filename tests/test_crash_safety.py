"""Crash safety: a `wirehouse run` killed with SIGKILL at ten different moments never
leaves a partial article, a duplicate or an unreadable file; the killed runs are marked
incomplete, and the next run ends with exactly the tables of a run never interrupted."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import PROJECT, shared_path
from wirehouse.warehouse import doctor

BATCH = 20
RUN_OPTIONS = ("--batch-size", str(BATCH), "--no-data-docs", "--progress", "off")


# ---------------------------------------------------------------- helpers (test_concurrency uses them too)

def build_corpus(out: Path, count: int, chars: int = 400) -> Path:
    """`count` distinct short BBC articles (title, blank line, the first ~`chars` characters)."""
    bbc = shared_path("corpora", "bbc")
    out.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    for path in sorted(bbc.glob("*/*.txt")):
        title, _, body = path.read_bytes().decode("utf-8", "replace").strip().partition("\n")
        body = " ".join(body.split())[:chars]
        end = body.rfind(". ")
        body = body[:end + 1] if end > 100 else body
        if body in seen:
            continue
        seen.add(body)
        (out / f"{len(seen):03d}.txt").write_text(f"{title.strip()}\n\n{body}\n", encoding="utf-8")
        if len(seen) == count:
            return out
    pytest.skip(f"{bbc} holds fewer than {count} distinct articles")


@pytest.fixture(scope="module")
def api_url(prefect_server) -> str:
    """The session's Prefect API, shared by every `wirehouse run` subprocess (no server each)."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


def cli_env(api_url: str | None, **extra: str) -> dict[str, str]:
    """The environment of a `wirehouse` subprocess: the given Prefect API, or none (the run
    starts its own temporary server)."""
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    env.update({"PYTHONUNBUFFERED": "1", "PREFECT_LOGGING_LEVEL": "INFO", **extra})
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


class WirehouseProcess:
    """`python -m wirehouse ARGS` with its output collected line by line (in a session of
    its own with `new_session`, as a terminal or a scheduler starts it)."""

    def __init__(self, args: list[str], api_url: str | None, new_session: bool = False, **env: str):
        self.proc = subprocess.Popen([sys.executable, "-m", "wirehouse", *args], cwd=PROJECT,
                                     env=cli_env(api_url, **env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, bufsize=1, start_new_session=new_session)
        self.started = time.monotonic()
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, needle: str, occurrence: int = 1, timeout: float = 240) -> bool:
        """Until the `occurrence`-th output line containing `needle`; False if the process ended first."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while sum(needle in line for line in self.lines) < occurrence:
                if self.proc.poll() is not None and not self._reader.is_alive():
                    return False
                if not self._changed.wait(timeout=max(0.0, min(1.0, deadline - time.monotonic()))):
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"no {needle!r} #{occurrence} in time:\n{self.output}")
        return True

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(60)
        self._reader.join(30)

    def finish(self, timeout: float = 300) -> int:
        code = self.proc.wait(timeout)
        self._reader.join(30)
        return code

    @property
    def output(self) -> str:
        return "".join(self.lines)


def read_only(path: Path) -> duckdb.DuckDBPyConnection:
    from wirehouse.warehouse.connection import connect

    return connect(path, read_only=True, wait_seconds=30)


def article_fingerprints(path: Path, as_read: bool = False) -> dict[str, str]:
    """article_id -> hash of the article's row and every sentence, mention, quote and
    attribution of it (run columns left out): equal fingerprints mean the whole article is
    there. `as_read` leaves out what later batches may still revise (the identity step
    re-decides a person mention's entity and label, and the speakers that follow it)."""
    revised = {"mention": "EXCLUDE (entity_id, label)", "quote": "EXCLUDE (speaker_name, speaker_entity_id)",
               "attribution": "EXCLUDE (speaker_name, speaker_entity_id)"}
    con = read_only(path)
    try:
        parts: dict[str, list[str]] = {}
        queries = {
            "article": "SELECT article_id, * EXCLUDE (run_id, ingested_at) FROM article",
            "sentence": "SELECT article_id, * FROM sentence",
            "mention": "SELECT article_id, * {} FROM entity_mention",
            "quote": "SELECT article_id, * {} FROM quote",
            "attribution": "SELECT article_id, * {} FROM attribution",
        }
        for name, sql in queries.items():
            sql = sql.format(revised.get(name, "") if as_read else "")
            for row in con.execute(sql).fetchall():
                parts.setdefault(row[0], []).append(f"{name}:{row[1:]!r}")
    finally:
        con.close()
    return {article_id: hashlib.sha256("\n".join(sorted(rows)).encode()).hexdigest()
            for article_id, rows in parts.items()}


def checksums(path: Path) -> dict[str, tuple[int, int]]:
    con = read_only(path)
    try:
        return doctor.content_checksums(con)
    finally:
        con.close()


def run_statuses(path: Path) -> list[tuple[str, str]]:
    con = read_only(path)
    try:
        return con.execute("SELECT run_id, status FROM pipeline_run ORDER BY started_at").fetchall()
    finally:
        con.close()


# ---------------------------------------------------------------- the test

# When to kill: (output line to wait for, its occurrence, seconds after it). The lines are
# Prefect's task-state logs, so the kills land at startup, during enrichment, during
# validation, inside or right after a publish transaction, and between batches.
KILL_MOMENTS = (
    ("Starting", 0, 1.5),  # interpreter start-up, before the flow exists
    ("open-warehouse", 1, 0.1),  # the run is registered, nothing enriched yet
    ("enrich-batch", 1, 0.0),  # enrichment under way, first audit not finished
    ("audit-batch", 1, 0.0),  # about to write (GX done, the batch's transaction starts)
    ("write-batch", 1, 0.0),  # the first batch just written, its task state not yet reported
    ("audit-batch", 1, 0.08),  # inside the batch's transaction, or just after it
    ("write-batch", 1, 0.2),  # between batches
    ("write-batch", 2, 0.02),  # second batch just written
    ("audit-batch", 2, 0.15),  # second write in progress
    ("write-batch", 1, 0.3),  # during the next batch's validation
)


@pytest.mark.slow
@pytest.mark.corpus
def test_runs_killed_at_ten_moments_never_corrupt_and_the_next_run_matches_an_uninterrupted_one(
        api_url, run_flow, tmp_path):
    seeds = build_corpus(tmp_path / "seeds", 200)
    reference = tmp_path / "reference.duckdb"
    summary = run_flow(seeds, reference, batch_size=BATCH)
    assert summary["documents_loaded"] == 200 and summary["batches_quarantined"] == 0
    expected_articles = article_fingerprints(reference)
    expected_as_read = article_fingerprints(reference, as_read=True)
    expected_tables = checksums(reference)

    warehouse = tmp_path / "killed.duckdb"
    args = ["run", "--seeds", str(seeds), "--warehouse", str(warehouse), *RUN_OPTIONS]
    kills = []
    for needle, occurrence, delay in KILL_MOMENTS:
        process = WirehouseProcess(args, api_url)
        reached = True if occurrence == 0 else process.wait_for(f"Task run '{needle}-", occurrence)
        assert reached, f"the run ended before the kill moment {needle} #{occurrence}:\n{process.output[-3000:]}"
        time.sleep(delay)
        assert process.proc.poll() is None, f"the run ended before it could be killed:\n{process.output[-3000:]}"
        process.kill()
        # the warehouse's own message, not the word: Prefect may name a flow run "busy-avocet"
        assert "is busy (locked by" not in process.output, "a killed run's lock blocked the next run"
        kills.append((needle, occurrence, delay, round(time.monotonic() - process.started, 1)))
        if not warehouse.exists():
            continue

        # readable, and every check of `wirehouse doctor` holds: no orphan, duplicate,
        # bad offset or wrong entity count
        report = doctor.examine(warehouse)
        assert report.healthy, report.render()
        # no partial article: each stored article is the reference's, whole (its people may
        # still be re-decided by the batches to come)
        stored = article_fingerprints(warehouse, as_read=True)
        assert set(stored) <= set(expected_as_read)
        partial = [a for a, fingerprint in stored.items() if fingerprint != expected_as_read[a]]
        assert not partial, f"after kill {kills[-1]}: partial or different articles {partial[:3]}"
        # whole batches only (the corpus is read in a stable order, BATCH articles at a time)
        assert len(stored) % BATCH == 0, f"after kill {kills[-1]}: {len(stored)} articles"
        statuses = run_statuses(warehouse)
        assert all(status in ("incomplete", "running") for _, status in statuses)
        assert sum(status == "running" for _, status in statuses) <= 1

    final = WirehouseProcess(args, api_url)
    assert final.finish() == 0, final.output[-3000:]
    assert "Traceback" not in final.output
    assert checksums(warehouse) == expected_tables
    assert article_fingerprints(warehouse) == expected_articles
    statuses = run_statuses(warehouse)
    assert statuses[-1][1] == "completed"
    assert [status for _, status in statuses[:-1]] == ["incomplete"] * (len(statuses) - 1)
    assert len(statuses) >= len(KILL_MOMENTS) - 1  # every kill after start-up left its run, marked incomplete
    assert doctor.examine(warehouse).healthy
