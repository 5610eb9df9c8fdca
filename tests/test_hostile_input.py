"""Hostile input: odd path names, SQL in article text, a 20 MB line, 10,000 tiny files,
deep folders and files that change while they are read. Nothing crashes a run, and every
document is loaded or rejected with a reason."""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import duckdb
import pytest

from tests.conftest import PROJECT
from wirehouse.transforms import ingest
from wirehouse.transforms.records import Article, Rejection
from wirehouse.warehouse import doctor

SQL_TEXT = "'); DROP TABLE article; --"
ODD_NAMES = (
    "with  two spaces.txt",
    "ünïcødé – 東京 🚀.txt",
    "new\nline.txt",
    "$(touch pwned); `id` | & ; > < * ? [x] {a,b} ~ !.txt",
    "quote ' and \" and \\ backslash.txt",
    "-starts-with-dash.txt",
    " leading space.txt",
)


_DEEP_TREES: list[tuple[Path, Path]] = []


def make_deep(root: Path, depth: int) -> Path:
    """root/d/d/…/d, `depth` folders down (os.makedirs recurses, so one mkdir at a time)."""
    path = str(root)
    for _ in range(depth):
        path = os.path.join(path, "d")
        os.mkdir(path)
    _DEEP_TREES.append((root, Path(path)))
    return Path(path)


@pytest.fixture(autouse=True)
def remove_deep_trees():
    """Remove deep folders bottom-up: shutil.rmtree (and pytest's clean-up of old tmp
    folders) recurses once per level and would fail on them."""
    yield
    while _DEEP_TREES:
        root, leaf = _DEEP_TREES.pop()
        path = leaf
        while path != root and path.exists():
            for child in path.iterdir():
                if not child.is_dir():
                    child.unlink()
            os.rmdir(path)
            path = path.parent


def _story(n: int) -> str:
    return f"Reporter {n} said the council in Leeds met on Monday."


def build_hostile_seeds(root: Path, tiny_files: int) -> dict[str, str | None]:
    """The folder, and what each document must become: None = loaded, else the rejection reason."""
    expected: dict[str, str | None] = {}
    seeds = root / "seeds"
    seeds.mkdir()
    for n, name in enumerate(ODD_NAMES):
        path = seeds / name
        path.write_text(f"Mayor Ann Smith of {name!r} said on day {n} that \"we will build\" it.", encoding="utf-8")
        expected[str(path)] = None
    bad = os.fsencode(str(seeds)) + b"/bad-\xff-name.txt"
    with open(bad, "wb") as handle:
        handle.write(b"A file whose name is not UTF-8.")
    expected[os.fsencode(bad).decode("utf-8", "backslashreplace")] = "bad_file_name"

    wire = seeds / "wire; DROP TABLE article.jsonl"
    lines = [
        {"id": SQL_TEXT, "title": SQL_TEXT, "source": "Robert'); DROP TABLE students;--",
         "text": f"The hacker typed {SQL_TEXT} into the form, police in Boston said on Tuesday."},
        {"id": "2", "text": "Quotes \" ' ` and a NUL-free \\ backslash; SELECT * FROM article WHERE 1=1; -- done."},
        {"id": "3", "text": "Lone surrogate \ud800 here."},  # json.dumps keeps it as a \ud800 escape
    ]
    wire.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    expected[f"{wire}#1"] = expected[f"{wire}#2"] = None
    expected[f"{wire}#3"] = "malformed_json"

    big = seeds / "big" / "twenty-mb-one-line.txt"
    big.parent.mkdir()
    big.write_bytes(b"word " * (4 * 1024 * 1024))  # 20 MB, no newline
    expected[str(big)] = "too_large"
    big_json = seeds / "big" / "twenty-mb-one-line.jsonl"
    big_json.write_text(json.dumps({"text": "x" * (20 * 1024 * 1024)}), encoding="utf-8")
    expected[f"{big_json}#1"] = "too_large"

    (seeds / "deep").mkdir()
    leaf = make_deep(seeds / "deep", 1100) / "bottom.txt"
    leaf.write_text("The deepest story: Minister Jo Park said she reached the bottom.", encoding="utf-8")
    expected[str(leaf)] = None

    # Tiny files: one sentence each; every tenth is a new story, the others repeat an earlier
    # one (so the run spends its NLP on 1,000 stories and rejects 9,000 files as duplicates).
    tiny = seeds / "tiny"
    tiny.mkdir()
    for n in range(tiny_files):
        path = tiny / f"{n:05d}.txt"
        path.write_text(_story(n - n % 10), encoding="utf-8")
        expected[str(path)] = None if n % 10 == 0 else "duplicate"
    return expected


@pytest.mark.slow
def test_a_hostile_seeds_folder_loads_or_rejects_every_document(run_flow, tmp_path):
    expected = build_hostile_seeds(tmp_path, tiny_files=10_000)
    warehouse = tmp_path / "hostile.duckdb"
    summary = run_flow(tmp_path / "seeds", warehouse, batch_size=5000)
    assert summary["status"] == "completed_with_rejections", summary
    assert summary["accounting_ok"]
    assert summary["documents_seen"] == len(expected)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        loaded = {row[0] for row in con.execute("SELECT source_key FROM article_source").fetchall()}
        rejected = dict(con.execute("SELECT source_key, reason FROM rejected_document").fetchall())
        stored = dict(con.execute("SELECT external_id, body FROM article WHERE external_id IS NOT NULL").fetchall())
        titles = {row[0] for row in con.execute("SELECT title FROM article WHERE title IS NOT NULL").fetchall()}
    finally:
        con.close()
    assert loaded == {key for key, reason in expected.items() if reason is None}
    assert rejected == {key: reason for key, reason in expected.items() if reason is not None}
    # the SQL was stored as text, verbatim, and the tables are all still there
    assert SQL_TEXT in stored[SQL_TEXT] and SQL_TEXT in titles
    report = doctor.examine(warehouse)
    assert report.healthy, report.render()
    assert report.tables["article"] == len(loaded)


# ---------------------------------------------------------------- ingest, without the flow

def _read_all(seeds: Path) -> list[Article | Rejection]:
    items: list[Article | Rejection] = []
    for source in ingest.discover(seeds):
        items.extend([source] if isinstance(source, Rejection) else ingest.read_source(source))
    return items


def test_deep_folders_are_walked_without_recursion_limits(tmp_path):
    deep = make_deep(tmp_path, 1500)
    (deep / "a.txt").write_text("Deep text.", encoding="utf-8")
    (tmp_path / "z.txt").write_text("Shallow text.", encoding="utf-8")
    found = list(ingest.discover(tmp_path))
    assert [Path(f.path).name for f in found] == ["a.txt", "z.txt"]  # still in name order


def test_a_name_that_is_not_utf8_is_rejected_with_a_printable_path(tmp_path):
    with open(os.fsencode(str(tmp_path)) + b"/caf\xe9.txt", "wb") as handle:
        handle.write(b"text")
    (rejection,) = _read_all(tmp_path)
    assert rejection.reason == "bad_file_name" and rejection.source_path.endswith("caf\\xe9.txt")
    rejection.source_path.encode("utf-8")  # storable


def test_a_txt_file_that_changes_while_read_is_rejected(tmp_path, monkeypatch):
    path = tmp_path / "growing.txt"
    path.write_bytes(b"First part of a story. " * 100)
    real_read = ingest._read_chunk
    calls = []

    def read_then_append(handle):
        chunk = real_read(handle)
        if not calls:  # a writer appends right after the first chunk was read
            with open(path, "ab") as writer:
                writer.write(b"Appended while reading.")
        calls.append(len(chunk))
        return chunk

    monkeypatch.setattr(ingest, "_READ_CHUNK", 1000)
    monkeypatch.setattr(ingest, "_read_chunk", read_then_append)
    (item,) = _read_all(tmp_path)
    assert isinstance(item, Rejection) and item.reason == "changed_while_reading"
    monkeypatch.setattr(ingest, "_read_chunk", real_read)
    (item,) = _read_all(tmp_path)  # the next run reads the finished file
    assert isinstance(item, Article) and item.body.endswith("Appended while reading.")


def test_a_jsonl_file_that_changes_while_read_stops_at_the_change(tmp_path):
    path = tmp_path / "feed.jsonl"
    lines = [json.dumps({"text": f"Story number {n} from the wire."}) for n in range(1, 4)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (source,) = ingest.discover(tmp_path)
    reading = ingest.read_source(source)
    first = next(reading)
    assert isinstance(first, Article) and first.source_line == 1
    with open(path, "a", encoding="utf-8") as writer:  # the feed grows between two lines being read
        writer.write(json.dumps({"text": "Story number 4."}) + "\n")
    rest = list(reading)
    assert [(r.source_line, r.reason) for r in rest] == [(2, "changed_while_reading")]
    assert "next run reads it again" in rest[0].detail
    again = _read_all(tmp_path)  # unchanged now: all four lines load
    assert [a.source_line for a in again if isinstance(a, Article)] == [1, 2, 3, 4]


def test_a_20mb_single_line_is_rejected_quickly_not_crashing(tmp_path):
    (tmp_path / "one-line.txt").write_bytes(b"a" * (20 * 1024 * 1024))
    (item,) = _read_all(tmp_path)
    assert item.reason == "too_large" and "20,971,520 characters" in item.detail


# ---------------------------------------------------------------- no SQL built from input values

# Names that may appear inside an f-string passed to execute()/sql(): identifiers and SQL
# text that come from constants in the code, never from input documents.
ALLOWED_IN_SQL = {"table", "columns", "listed", "sql", "name"}


def test_no_sql_is_formatted_with_values():
    offenders = []
    for path in [*sorted((PROJECT / "warehouse").glob("*.py")), PROJECT / "flows" / "cli.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("execute", "sql") and node.args):
                continue
            query = node.args[0]
            if isinstance(query, ast.BinOp) or (isinstance(query, ast.Call) and getattr(query.func, "attr", "")
                                                == "format"):
                offenders.append(f"{path.name}:{node.lineno} builds SQL with + or .format")
            if isinstance(query, ast.JoinedStr):
                for part in query.values:
                    quoted_identifier = (isinstance(part.value, ast.Call)
                                         and getattr(part.value.func, "id", "") == "quote_identifier")
                    if isinstance(part, ast.FormattedValue) and not quoted_identifier and not (
                            isinstance(part.value, ast.Name) and part.value.id in ALLOWED_IN_SQL):
                        offenders.append(f"{path.name}:{node.lineno} formats {ast.unparse(part.value)} into SQL")
    assert not offenders, offenders


def test_a_feed_changing_during_a_pruning_run_loses_nothing(run_flow, tmp_path, monkeypatch):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    feed = seeds / "feed.jsonl"
    feed.write_text("\n".join(json.dumps({"text": f"Mayor Ann Smith said story {n} is true."}) for n in range(1, 4))
                    + "\n", encoding="utf-8")
    warehouse = tmp_path / "w.duckdb"
    assert run_flow(seeds, warehouse)["documents_loaded"] == 3

    checks = []
    real_same_file = ingest._same_file
    monkeypatch.setattr(ingest, "_same_file", lambda a, b: real_same_file(a, b) and not checks.append(1)
                        and len(checks) < 2)  # the file "changes" before its second line is read
    summary = run_flow(seeds, warehouse, prune=True)
    assert summary["rejected_by_reason"] == {"changed_while_reading": 1} and summary["pruned_articles"] == 0
    assert summary["accounting_ok"]
    monkeypatch.setattr(ingest, "_same_file", real_same_file)
    summary = run_flow(seeds, warehouse, prune=True)
    assert summary["documents_skipped"] == 3 and summary["documents_rejected"] == 0
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM article").fetchone()[0] == 3
        assert con.execute("SELECT count(*) FROM rejected_document").fetchone()[0] == 0
    finally:
        con.close()
