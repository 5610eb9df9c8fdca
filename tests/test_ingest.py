"""Ingest: every input becomes one Article or one Rejection with a clear reason."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

from tests.conftest import SEED, shared_path
from wirehouse.transforms.ingest import Limits, SourceFile, discover, read_source, split_title
from wirehouse.transforms.records import Article, Rejection, article_id_for


def read_folder(folder: Path, limits: Limits = Limits()) -> list[Article | Rejection]:
    items = []
    for source in discover(folder):
        items.extend([source] if isinstance(source, Rejection) else read_source(source, limits))
    return items


def only(items, kind):
    assert len(items) == 1, items
    assert isinstance(items[0], kind), items[0]
    return items[0]


def test_bbc_headline_becomes_the_title(tmp_path):
    path = shared_path("corpora", "bbc", "business", "001.txt")
    article = only(read_folder_of(path, tmp_path), Article)
    assert article.title == "Ad sales boost Time Warner profit"
    assert article.body.startswith("Quarterly profits at US media giant TimeWarner")


def read_folder_of(path: Path, tmp_path: Path):
    target = tmp_path / "in" / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(path.read_bytes())
    return read_folder(target.parent)


def test_seed_has_no_title_because_its_first_line_is_a_sentence(tmp_path):
    article = only(read_folder_of(SEED, tmp_path), Article)
    assert article.title is None
    assert article.body == SEED.read_text(encoding="utf-8").strip()


@pytest.mark.parametrize("text, title", [
    ("Short headline\n\nBody text here.", "Short headline"),
    ("A sentence that ends with a full stop.\n\nBody.", None),
    ("Headline without a blank line\nBody continues.", None),
    ("Only one line", None),
    ("Call centre users 'lose patience'\n\nCustomers hang up sooner.", "Call centre users 'lose patience'"),
    ('"We will win."\n\nThe crowd cheered.', None),
    ("Rivals of the £400 Apple...\n\nThe iPod faces rivals.", "Rivals of the £400 Apple..."),
    ('"\n\nA stray mark.', None),
])
def test_title_heuristic(text, title):
    assert split_title(text)[0] == title


def test_article_id_ignores_whitespace_differences():
    assert article_id_for("Hello  world.\n") == article_id_for(" Hello world.")
    assert article_id_for("Hello world.") != article_id_for("Hello world!")


def test_files_are_found_recursively_in_a_stable_order(tmp_path):
    (tmp_path / "b" / "c").mkdir(parents=True)
    (tmp_path / "b" / "c" / "deep.txt").write_text("Deep text.")
    (tmp_path / "a.txt").write_text("First text.")
    names = [Path(a.source_path).name for a in read_folder(tmp_path)]
    assert names == ["a.txt", "deep.txt"]


# --------------------------------------------------------------- bad input

def test_empty_file(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    assert only(read_folder(tmp_path), Rejection).reason == "empty"


def test_whitespace_only_file(tmp_path):
    (tmp_path / "blank.txt").write_text("  \n\t\n   \n")
    assert only(read_folder(tmp_path), Rejection).reason == "whitespace_only"


def test_binary_file(tmp_path):
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    rejection = only(read_folder(tmp_path), Rejection)
    assert rejection.reason == "binary"
    assert rejection.first_bytes.startswith("\\x89PNG")


def test_latin1_bbc_file_is_redecoded_and_recorded(tmp_path):
    path = shared_path("corpora", "bbc", "sport", "199.txt")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    article = only(read_folder_of(path, tmp_path), Article)
    assert "re-decoded" in article.encoding
    assert "\ufffd" not in article.body


def test_cp1252_curly_quotes_are_decoded_right(tmp_path):
    (tmp_path / "win.txt").write_bytes("\u201cWe won,\u201d she said.".encode("cp1252"))
    article = only(read_folder(tmp_path), Article)
    assert article.body == "\u201cWe won,\u201d she said."
    assert article.encoding.startswith("cp1252")


def test_file_over_the_size_limit(tmp_path):
    (tmp_path / "big.txt").write_text("word " * 1000)
    rejection = only(read_folder(tmp_path, Limits(max_file_bytes=1000)), Rejection)
    assert rejection.reason == "too_large" and "1,000 bytes" in rejection.detail


def test_article_over_the_character_limit(tmp_path):
    (tmp_path / "long.txt").write_text("word " * 1000)
    rejection = only(read_folder(tmp_path, Limits(max_article_chars=100)), Rejection)
    assert rejection.reason == "too_large" and "characters" in rejection.detail


def test_malformed_jsonl_line_does_not_stop_the_other_lines(tmp_path):
    (tmp_path / "feed.jsonl").write_text(
        json.dumps({"text": "First good article."}) + "\n"
        + '{"text": "broken\n'
        + json.dumps({"text": "Second good article."}) + "\n"
        + "[1, 2]\n"
    )
    items = read_folder(tmp_path)
    assert [type(i).__name__ for i in items] == ["Article", "Rejection", "Article", "Rejection"]
    assert items[1].reason == "malformed_json" and items[1].source_line == 2
    # the line's own newline is a raw control character inside the string
    assert items[1].detail == "line 2 is not valid JSON: Invalid control character at column 17"
    assert items[3].reason == "malformed_json" and "not an object" in items[3].detail


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_a_jsonl_file_in_utf16_or_utf32_with_its_bom_is_read_line_by_line(tmp_path, codec):
    lines = [json.dumps({"id": "1", "text": "Café owners said the rent rose."}, ensure_ascii=False),
             json.dumps({"id": "2", "text": "The council said it would look again."})]
    (tmp_path / "feed.jsonl").write_bytes("\n".join(lines).encode(codec) + "\n".encode(codec)[2 if codec == "utf-16" else 4:])
    first, second = read_folder(tmp_path)
    assert (first.body, first.source_line, first.encoding) == ("Café owners said the rent rose.", 1, codec)
    assert (second.external_id, second.source_line) == ("2", 2)


def test_a_utf16_jsonl_file_that_stops_being_utf16_keeps_the_lines_before(tmp_path):
    lines = "".join(json.dumps({"text": f"Story {n} about the harbour."}) + "\r\n" for n in (1, 2))
    (tmp_path / "feed.jsonl").write_bytes(lines.encode("utf-16") + b"\x00\xd8{")  # a lone surrogate, a stray byte
    first, second, third = read_folder(tmp_path)
    assert (first.body, second.body, second.source_line) == ("Story 1 about the harbour.", "Story 2 about the harbour.", 2)
    assert (third.reason, third.source_line) == ("binary", 3) and third.detail.startswith("line 3 is not utf-16")


def test_jsonl_row_without_text(tmp_path):
    (tmp_path / "feed.jsonl").write_text(json.dumps({"id": "x", "title": "No body"}) + "\n"
                                         + json.dumps({"text": 42}) + "\n" + json.dumps({"text": None}) + "\n")
    first, second, third = read_folder(tmp_path)
    assert first.reason == second.reason == third.reason == "missing_text"
    assert "no 'text' field" in first.detail and "non-string" in second.detail
    assert third.detail == "line 3 has a null 'text'"


def test_unsupported_file_type(tmp_path):
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    assert only(read_folder(tmp_path), Rejection).reason == "unsupported_type"


def test_symlink_loop_is_reported_not_followed(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.txt").write_text("Some text.")
    os.symlink(tmp_path / "real", tmp_path / "real" / "loop")
    os.symlink(tmp_path / "self-link.txt", tmp_path / "self-link.txt")
    items = read_folder(tmp_path)
    articles = [i for i in items if isinstance(i, Article)]
    reasons = sorted(i.reason for i in items if isinstance(i, Rejection))
    assert len(articles) == 1
    assert reasons == ["symlink_loop", "symlink_loop"]


def test_dangling_symlink_is_unreadable(tmp_path):
    os.symlink(tmp_path / "gone.txt", tmp_path / "dangling.txt")
    rejection = only(read_folder(tmp_path), Rejection)
    assert rejection.reason == "unreadable"


def test_file_without_read_permission_is_unreadable():
    """Read as an unprivileged user in a forked child: root can read anything."""
    folder = Path(tempfile.mkdtemp(prefix="wirehouse-perm-"))
    folder.chmod(0o755)
    secret = folder / "secret.txt"
    secret.write_text("Private text.")
    secret.chmod(0o000)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: drop privileges, read, report, exit
        try:
            if os.geteuid() == 0:
                os.setgid(65534)
                os.setuid(65534)
            found = [[type(i).__name__, getattr(i, "reason", None)] for i in read_folder(folder)]
            os.write(write_end, json.dumps(found).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        os.waitpid(pid, 0)
        with os.fdopen(read_end) as pipe:
            assert json.loads(pipe.read()) == [["Rejection", "unreadable"]]
    finally:
        secret.chmod(0o644)
        secret.unlink()
        folder.rmdir()


def test_missing_seeds_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        list(discover(tmp_path / "nope"))


def test_discover_leaves_out_the_files_it_is_told_to_skip_however_they_are_reached(tmp_path):
    (tmp_path / "story.txt").write_text("Headline\n\nBody.", encoding="utf-8")
    (tmp_path / "w.duckdb").write_bytes(b"\0" * 16)
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "run-1.html").write_text("<html><body><p>Report</p></body></html>", encoding="utf-8")
    (tmp_path / "old").symlink_to(tmp_path / "reports")  # the same folder by another name
    found = [s.path.name for s in discover(tmp_path, skip=[tmp_path / "w.duckdb", tmp_path / "reports"])]
    assert found == ["story.txt"]
    assert len(list(discover(tmp_path))) == 4  # w.duckdb and the report through both names
