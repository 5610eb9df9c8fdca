"""Concurrency: one run writes a warehouse at a time; a second one waits (bounded) or
stops with "warehouse … is busy (locked by run …)"; readers get in between batches and
see published batches only; a killed run's lock never blocks anyone."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time

import duckdb
import pytest

from tests.test_crash_safety import WirehouseProcess, api_url, build_corpus  # noqa: F401 (fixture)
from wirehouse.transforms.records import ArticleRow
from wirehouse.transforms.tables import EnrichedBatch
from wirehouse.warehouse.connection import connect
from wirehouse.warehouse.run_lock import LockWaitStopped, RunLock, WarehouseBusy, lock_holder, lock_path_for
from wirehouse.warehouse.store import Warehouse

FORK = multiprocessing.get_context("fork")


def _hold_run_lock(path: str, run_id: str, ready, release) -> None:
    RunLock.acquire(path, 0, run_id)
    ready.set()
    release.wait(60)


def _hold_connection(path: str, read_only: bool, ready, release) -> None:
    con = duckdb.connect(path, read_only=read_only)
    ready.set()
    release.wait(60)
    con.close()


def _start(target, *args):
    ready, release = FORK.Event(), FORK.Event()
    process = FORK.Process(target=target, args=(*args, ready, release))
    process.start()
    assert ready.wait(30)
    return process, release


def _article(article_id: str) -> EnrichedBatch:
    body = f"Article {article_id} has a body."
    return EnrichedBatch(articles=[ArticleRow(article_id, f"/s/{article_id}.txt", None, None, None, body, None,
                                              None, None, "utf-8", len(body), 5, 0, "v1")])


def test_busy_message_names_the_run_and_the_wait_is_bounded(tmp_path):
    path = tmp_path / "w.duckdb"
    holder, release = _start(_hold_run_lock, str(path), "run-123")
    try:
        started = time.monotonic()
        with pytest.raises(WarehouseBusy) as caught:
            Warehouse.open(path, wait_seconds=1.0)
        waited = time.monotonic() - started
        message = str(caught.value)
        assert "is busy (locked by run run-123 (PID " + str(holder.pid) in message
        assert "waited 1s" in message and "--wait" in message
        assert 1.0 <= waited < 3.0
        assert not path.exists()  # the loser never touched the file
    finally:
        release.set()
        holder.join(30)
    Warehouse.open(path, wait_seconds=0).close()  # free again once the holder is gone


def test_a_killed_runs_stale_lock_never_blocks(tmp_path):
    path = tmp_path / "w.duckdb"
    holder, _ = _start(_hold_run_lock, str(path), "killed-run")
    os.kill(holder.pid, signal.SIGKILL)
    holder.join(30)
    stale = lock_holder(path)
    assert stale.run_id == "killed-run" and stale.pid == holder.pid and not stale.held
    warehouse = Warehouse.open(path, wait_seconds=0)  # no wait: the kernel dropped the dead run's lock
    try:
        warehouse.start_run("next-run", "/s", "m", "m==1", "e")
        now = lock_holder(path)
        assert now.held and now.run_id == "next-run" and now.pid == os.getpid()
    finally:
        warehouse.close()
    assert lock_path_for(path).read_text() == ""  # released: no holder named


def test_the_run_lock_is_reentrant_in_one_process(tmp_path):
    path = tmp_path / "w.duckdb"
    outer = RunLock.acquire(path)  # what the CLI takes before the flow starts
    inner = Warehouse.open(path, run_id="flow-run")  # what the flow takes
    assert inner.lock is outer and lock_holder(path).run_id == "flow-run"
    inner.close()
    assert lock_holder(path).held
    outer.release()
    assert not lock_holder(path).held


def test_a_writer_waits_for_a_reader_and_a_reader_for_a_writer(tmp_path):
    path = tmp_path / "w.duckdb"
    warehouse = Warehouse.open(path, write_wait_seconds=30)
    try:
        reader, release = _start(_hold_connection, str(path), True)
        threading.Timer(1.0, release.set).start()
        started = time.monotonic()
        with warehouse.session():
            warehouse.publish(_article("a1"), "run1")
        assert time.monotonic() - started >= 0.9  # it waited for the reader to close
        reader.join(30)

        writer, release = _start(_hold_connection, str(path), False)
        try:
            with pytest.raises(WarehouseBusy, match=f"is held open by another process, PID {writer.pid}"):
                connect(path, read_only=True, wait_seconds=0.3)  # this process holds the run lock
            threading.Timer(0.5, release.set).start()
            con = connect(path, read_only=True, wait_seconds=30)
            assert con.execute("SELECT count(*) FROM article").fetchone()[0] == 1
            con.close()
        finally:
            release.set()
            writer.join(30)

        reader, release = _start(_hold_connection, str(path), True)
        try:
            warehouse.write_wait_seconds = 0.3
            with pytest.raises(WarehouseBusy, match=f"is held open by another process, PID {reader.pid}"):
                with warehouse.session():
                    pass
        finally:
            release.set()
            reader.join(30)
    finally:
        warehouse.close()


def test_the_run_closes_the_file_between_writes(tmp_path):
    warehouse = Warehouse.open(tmp_path / "w.duckdb")
    try:
        assert warehouse._con is None  # open() migrated, then let go of the file
        for n in range(3):
            with warehouse.session():
                warehouse.publish(_article(f"a{n}"), "run1")
            con = connect(tmp_path / "w.duckdb", read_only=True, wait_seconds=0)  # no wait needed
            assert con.execute("SELECT count(*) FROM article").fetchone()[0] == n + 1
            con.close()
    finally:
        warehouse.close()


@pytest.mark.slow
@pytest.mark.corpus
def test_two_runs_at_once_one_runs_one_is_told_busy_a_third_waits_and_readers_see_whole_batches(
        api_url, tmp_path):  # noqa: F811
    seeds = build_corpus(tmp_path / "seeds", 60)
    warehouse = tmp_path / "w.duckdb"
    base = ["run", "--seeds", str(seeds), "--warehouse", str(warehouse), "--batch-size", "10", "--no-data-docs",
            "--progress", "off"]

    seen_counts: list[int] = []
    reader_errors: list[str] = []
    stop = threading.Event()

    def analyst() -> None:  # a read-only client polling the warehouse during the run
        while not stop.is_set():
            if warehouse.exists():
                try:
                    con = connect(warehouse, read_only=True, wait_seconds=30)
                    try:
                        articles, = con.execute("SELECT count(*) FROM article").fetchone()
                        whole, = con.execute(
                            "SELECT count(*) FROM article a WHERE sentence_count = "
                            "(SELECT count(*) FROM sentence s WHERE s.article_id = a.article_id)").fetchone()
                        orphans, = con.execute(
                            "SELECT count(*) FROM entity_mention WHERE article_id NOT IN "
                            "(SELECT article_id FROM article)").fetchone()
                    finally:
                        con.close()
                    seen_counts.append(articles)
                    if whole != articles or orphans:
                        reader_errors.append(f"{articles} articles, {whole} whole, {orphans} orphan mentions")
                except duckdb.CatalogException:
                    pass  # the first run has not created the tables yet
                except Exception as error:  # noqa: BLE001 - any failure is the finding
                    reader_errors.append(f"{type(error).__name__}: {error}")
            time.sleep(0.15)

    reader = threading.Thread(target=analyst, daemon=True)
    reader.start()
    first, second = WirehouseProcess([*base, "--wait", "0"], api_url), WirehouseProcess([*base, "--wait", "0"],
                                                                                        api_url)
    try:
        # the loser stops before Prefect starts, in seconds
        deadline = time.monotonic() + 120
        while first.proc.poll() is None and second.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        loser, winner = (first, second) if first.proc.poll() is not None else (second, first)
        assert loser.finish() == 75, loser.output
        assert "is busy (locked by" in loser.output and "Traceback" not in loser.output
        assert winner.proc.poll() is None, "the run finished before the third one could wait for it"
        third = WirehouseProcess([*base, "--wait", "300"], api_url)
        assert winner.finish() == 0, winner.output[-3000:]
        assert third.finish() == 0, third.output[-3000:]
    finally:
        stop.set()
        reader.join(60)
    assert "Traceback" not in winner.output + third.output
    assert "60 read: 60 loaded" in winner.output
    assert "60 read: 0 loaded, 60 skipped" in third.output  # it waited, then found everything published
    assert not reader_errors, reader_errors
    assert all(count % 10 == 0 for count in seen_counts), seen_counts  # whole batches only
    assert len({count for count in seen_counts if 0 < count < 60}) >= 2, seen_counts  # readers got in mid-run


def test_cli_run_on_a_busy_warehouse_exits_75_naming_the_run(tmp_path, seeds_copy):
    import subprocess
    import sys

    from tests.conftest import PROJECT

    path = tmp_path / "w.duckdb"
    holder, release = _start(_hold_run_lock, str(path), "nightly-load")
    try:
        result = subprocess.run([sys.executable, "-m", "wirehouse", "run", "--seeds", str(seeds_copy), "--warehouse",
                                 str(path), "--wait", "1", "--progress", "off"], cwd=PROJECT, capture_output=True,
                                text=True, timeout=300)
    finally:
        release.set()
        holder.join(30)
    assert result.returncode == 75
    assert f"is busy (locked by run nightly-load (PID {holder.pid}" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "Starting temporary server" not in result.stdout + result.stderr  # stopped before Prefect


def test_the_flow_gives_up_after_its_wait_without_retrying(run_flow, seeds_copy, tmp_path):
    path = tmp_path / "w.duckdb"
    holder, release = _start(_hold_run_lock, str(path), "other-run")
    try:
        started = time.monotonic()
        with pytest.raises(WarehouseBusy, match="locked by run other-run"):
            run_flow(seeds_copy, path, wait_seconds=0.5)
        assert time.monotonic() - started < 4  # the open task does not retry a busy warehouse
    finally:
        release.set()
        holder.join(30)


def test_another_thread_of_the_same_process_waits_for_the_lock(tmp_path):
    path = tmp_path / "w.duckdb"
    lock = RunLock.acquire(path, run_id="main-thread-run")
    outcome = []
    worker = threading.Thread(target=lambda: outcome.append(_try_acquire(path)))
    worker.start()
    worker.join(30)
    lock.release()
    assert outcome and "locked by run main-thread-run" in outcome[0]


def _try_acquire(path):
    try:
        RunLock.acquire(path, wait_seconds=0.3).release()
        return "acquired"
    except WarehouseBusy as error:
        return str(error)


def test_a_run_told_to_stop_while_it_waits_for_another_runs_lock_stops_at_once(tmp_path):
    path = tmp_path / "w.duckdb"
    holder, release = _start(_hold_run_lock, str(path), "run-123")
    told: list[str] = []
    asked_at = time.monotonic() + 0.5
    try:
        started = time.monotonic()
        with pytest.raises(LockWaitStopped):
            RunLock.acquire(path, 60, stopping=lambda: time.monotonic() > asked_at, waiting=told.append)
        assert time.monotonic() - started < 2
        assert len(told) == 1 and "held by run run-123" in told[0] and "waiting up to 60s" in told[0]
    finally:
        release.set()
        holder.join(30)


def test_sigterm_to_a_cli_run_waiting_for_the_warehouse_ends_it_at_once(tmp_path):
    import subprocess
    import sys

    from tests.conftest import PROJECT

    path = tmp_path / "w.duckdb"
    holder, release = _start(_hold_run_lock, str(path), "run-123")
    try:
        env = {**os.environ, "PREFECT_HOME": str(tmp_path / "ph"), "GX_ANALYTICS_ENABLED": "false"}
        env.pop("PREFECT_API_URL", None)
        waiting = subprocess.Popen([sys.executable, "-m", "wirehouse", "run", "--seeds", str(PROJECT / "seeds"),
                                    "--warehouse", str(path), "--wait", "120", "--progress", "off"],
                                   cwd=PROJECT, env=env, stderr=subprocess.PIPE, text=True)
        told = waiting.stderr.readline()  # the wait has begun
        assert "is held by run run-123" in told and "waiting up to 120s" in told, told
        sent = time.monotonic()
        waiting.send_signal(signal.SIGTERM)
        _, stderr = waiting.communicate(timeout=60)
        assert waiting.returncode == 143 and time.monotonic() - sent < 5, stderr
        assert "SIGTERM received while waiting for the warehouse; nothing published" in stderr, stderr
    finally:
        release.set()
        holder.join(30)


def test_a_flow_told_to_stop_while_it_waits_for_the_warehouse_ends_cancelled_at_once(run_flow, seeds_copy, tmp_path):
    """A deployment's run cancelled while it waits behind another run (the hourly run behind an
    ad-hoc one): Cancelled within the poll, not killed at the end of the worker's grace period."""
    from wirehouse.flows.stopping import reset_graceful_stop

    path = tmp_path / "w.duckdb"
    holder, release = _start(_hold_run_lock, str(path), "other-run")
    stop = reset_graceful_stop()
    try:
        threading.Timer(1.0, stop.request, args=("cancelled from the API",)).start()
        started = time.monotonic()
        state = run_flow(seeds_copy, path, wait_seconds=60, return_state=True)
        assert state.is_cancelled() and time.monotonic() - started < 10
        assert "before the run started; nothing published" in state.message
    finally:
        reset_graceful_stop()
        release.set()
        holder.join(30)


def test_cli_sql_waits_as_long_as_it_is_told_for_a_writer_to_let_go(tmp_path):
    import subprocess
    import sys

    from tests.conftest import PROJECT

    path = tmp_path / "w.duckdb"
    duckdb.connect(str(path)).close()
    holder, release = _start(_hold_connection, str(path), False)
    try:
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "wirehouse", "sql", "SELECT 1", "--warehouse", str(path),
                                 "--wait", "1"], cwd=PROJECT, capture_output=True, text=True, timeout=120)
        waited = time.monotonic() - started
    finally:
        release.set()
        holder.join(30)
    assert result.returncode == 75, result.stderr
    assert "waited 1s" in result.stderr and "raise --wait" in result.stderr
    assert waited < 20  # not the default 30 s
