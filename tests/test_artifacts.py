"""What a run reports: Prefect artifacts and run logs (read back through the Prefect client),
and progress as a bar on a terminal or periodic log lines elsewhere."""

from __future__ import annotations

import json
import shutil
import sys
import time

import pytest

from wirehouse.flows import progress as progress_module
from wirehouse.flows.progress import RunProgress
from tests.conftest import SEED


@pytest.fixture
def reported_run(run_flow, seeds_copy, tmp_path):
    shutil.copy(SEED, seeds_copy / "copy-of-seed.txt")  # one duplicate: a rejected document
    summary = run_flow(seeds_copy, tmp_path / "wh" / "wirehouse.duckdb")
    return summary


def artifacts_of(flow_run_id: str) -> dict:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    return {artifact.key: artifact for artifact in found}


def log_messages(flow_run_id: str, waiting_for: str, timeout: float = 20) -> list[str]:
    """The run's log messages once one containing `waiting_for` arrived (logs are sent in batches)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while True:
            messages = [log.message for log in client.read_logs(
                log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))]
            if any(waiting_for in message for message in messages) or time.monotonic() > deadline:
                return messages
            time.sleep(0.5)


def table(artifact) -> list[dict]:
    return json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data


def test_run_publishes_table_and_markdown_artifacts(reported_run):
    summary = reported_run
    assert summary["status"] == "completed_with_rejections"
    found = artifacts_of(summary["run_id"])
    assert set(found) == {"wirehouse-table-counts", "wirehouse-rejected-documents", "wirehouse-run-summary",
                          "wirehouse-run-report"}
    assert "reports" in found["wirehouse-run-report"].data  # a link to the HTML run report

    counts = found["wirehouse-table-counts"]
    assert counts.type == "table"
    assert {row["table"]: row["rows"] for row in table(counts)} == summary["table_counts"]
    assert summary["table_counts"]["article"] == 1

    rejected = found["wirehouse-rejected-documents"]
    assert rejected.type == "table"
    (row,) = table(rejected)
    assert row["reason"] == "duplicate" and row["source"].endswith(".txt") and "stored once" in row["detail"]

    markdown = found["wirehouse-run-summary"]
    assert markdown.type == "markdown"
    assert f"# Wirehouse run `{summary['run_id']}`: completed_with_rejections" in markdown.data
    assert "| loaded | 1 |" in markdown.data and "| rejected | 1 |" in markdown.data
    assert "## Validation: 1 batch(es) audited, 0 quarantined, 0 critical failure(s)" in markdown.data
    assert "| duplicate | 1 |" in markdown.data


def test_run_logs_go_to_the_flow_run(reported_run):
    messages = log_messages(reported_run["run_id"], "completed_with_rejections in")
    assert any(message.startswith(f"run {reported_run['run_id']}: 2 inputs under") for message in messages)
    assert any("completed_with_rejections in" in message for message in messages)


# ---------------------------------------------------------------- progress


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class Lines:
    def __init__(self):
        self.lines: list[str] = []

    def info(self, message, *args):
        self.lines.append(message % args)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(progress_module.time, "monotonic", clock)
    return clock


def test_log_mode_writes_a_progress_line_every_interval_with_rate_and_eta(clock):
    logger = Lines()
    progress = RunProgress(total_bytes=1000, total_files=4, mode="log", logger=logger, log_every_seconds=10)
    clock.now += 4
    progress.advance(bytes_read=100, documents=20)
    assert logger.lines == []  # not yet: less than one interval
    clock.now += 6
    progress.advance(bytes_read=150, documents=30, enriched=25)
    assert logger.lines == ["progress: 25% of input, 50 documents (25 enriched), 5.0 docs/s, ETA 30s"]
    clock.now += 1
    progress.advance(bytes_read=10, documents=1)
    assert len(logger.lines) == 1
    clock.now += 10
    progress.advance(bytes_read=740, documents=49)
    assert logger.lines[-1].startswith("progress: 100% of input, 100 documents")
    progress.close()


def test_the_eta_is_unknown_while_no_input_file_has_been_read_to_its_end(clock):
    logger = Lines()
    progress = RunProgress(total_bytes=1000, total_files=1, mode="log", logger=logger, log_every_seconds=10)
    clock.now += 10
    progress.advance(documents=500, enriched=400)  # one large .jsonl: its bytes count at its end
    assert logger.lines == ["progress: 0% of input, 500 documents (400 enriched), 50.0 docs/s, "
                            "ETA unknown (no input file read to its end yet)"]
    progress.close()


def test_auto_mode_is_a_bar_on_a_terminal_and_log_lines_otherwise(monkeypatch):
    class Stream:
        def __init__(self, tty):
            self.tty = tty

        def isatty(self):
            return self.tty

        def write(self, text):
            return len(text)

        def flush(self):
            pass

    monkeypatch.setattr(sys, "stderr", Stream(False))
    assert RunProgress(10, 1, "auto", Lines()).mode == "log"
    monkeypatch.setattr(sys, "stderr", Stream(True))
    bar = RunProgress(10, 1, "auto", Lines())
    try:
        assert bar.mode == "bar" and bar._bar is not None
        bar.advance(bytes_read=10, documents=3)
    finally:
        bar.close()
    assert bar._bar.finished


def test_off_mode_is_silent(clock):
    logger = Lines()
    progress = RunProgress(10, 1, "off", logger, log_every_seconds=0)
    clock.now += 100
    progress.advance(bytes_read=10, documents=1)
    progress.close()
    assert logger.lines == [] and progress._bar is None
