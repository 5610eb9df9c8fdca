"""Files under the seeds folder -> documents (Articles, web Pages), or Rejections with a reason.

Every input ends up as exactly one document or one Rejection per document (a .txt file,
a line of a .jsonl file, a row of a .csv or .parquet table, an .html page, a record of a
WARC archive), or as a Skipped record (a WARC record that is no page), so a run can
prove that nothing was lost. Reading is streamed: one file (or one .jsonl line, table
batch or WARC record) in memory at a time. A file that changes while it is read is
rejected as `changed_while_reading` (from the line where the change was seen, for
.jsonl) and read again by the next run. Web pages are read here as bytes; their articles
are extracted where enrichment runs (pages.py).
"""

from __future__ import annotations

import io
import json
import os
import re
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

from wirehouse.transforms.decoding import decode_text_file, wide_encoding
from wirehouse.transforms.records import Article, Page, Rejection, Skipped, article_id_for, content_hash_of

# File name endings and the kind of document they hold.
KINDS = {".txt": "text", ".jsonl": "jsonl", ".html": "page", ".htm": "page", ".html.gz": "page",
         ".htm.gz": "page", ".warc": "warc", ".warc.gz": "warc", ".csv": "table", ".parquet": "table"}
DEFAULT_MAX_FILE_BYTES = 512 * 1024 * 1024
# spaCy refuses texts over nlp.max_length (1,000,000 characters by default).
DEFAULT_MAX_ARTICLE_CHARS = 1_000_000
_SNIFF_BYTES = 8192
_READ_CHUNK = 1 << 20
_TITLE_MAX_WORDS = 20
_TITLE_MAX_CHARS = 200
# C0 control bytes no text encoding we read produces (tab, newlines, form feed and ESC are fine)
_CONTROL_BYTES = bytes(byte for byte in range(32) if byte not in (9, 10, 12, 13, 27))


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_article_chars: int = DEFAULT_MAX_ARTICLE_CHARS


@dataclass(frozen=True)
class SourceFile:
    path: Path
    size: int


def first_bytes_of(data: bytes, limit: int = 64) -> str:
    """A printable preview of raw input, for the rejected_document table."""
    return data[:limit].decode("latin-1").encode("unicode_escape").decode("ascii")


def discover(seeds_dir: Path, skip: Iterable[Path] = ()) -> Iterator[SourceFile | Rejection]:
    """Walk the seeds folder recursively in a stable order, following symlinks safely.

    Symlinked folders are followed once; a link back into a folder already on the
    current path is a loop and is reported, not followed. Files and folders in `skip` (the
    warehouse's own, when it lies inside the seeds folder) are not read: its run reports
    would come back as articles, one more each run.
    """
    root = Path(seeds_dir).absolute()
    if not root.is_dir():
        raise FileNotFoundError(f"seeds folder {str(root)!r} does not exist or is not a folder")
    yield from _walk(root, ancestors=frozenset(), skip=frozenset(os.path.realpath(path) for path in skip))


def _walk(root: Path, ancestors: frozenset[str], skip: frozenset[str] = frozenset()
          ) -> Iterator[SourceFile | Rejection]:
    """Depth-first in name order, with an explicit stack: any folder depth is fine."""
    listing = _list_folder(root, os.path.realpath(root), ancestors)
    if isinstance(listing, Rejection):
        yield listing
        return
    stack = [listing]
    while stack:
        folder, entries, real_folder, ancestors = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        name, is_link = entry
        path = folder / name
        # resolve links only: a plain entry's real path is its folder's plus its name
        real = os.path.realpath(path) if is_link else os.path.join(real_folder, name)
        if real in skip:
            continue
        shown, name_ok = display_path(path)
        try:
            info = os.stat(path)  # follows symlinks
        except OSError as error:
            reason = "symlink_loop" if error.errno == 40 else "unreadable"
            detail = ("symbolic link loop" if reason == "symlink_loop"
                      else f"cannot stat: {error.strerror or error}")
            yield Rejection(shown, None, reason, detail)
            continue
        if stat.S_ISDIR(info.st_mode):
            listing = _list_folder(path, real, ancestors)
            if isinstance(listing, Rejection):
                yield listing
            else:
                stack.append(listing)
        elif not name_ok:
            yield Rejection(shown, None, "bad_file_name",
                            "the file name is not valid UTF-8 (shown with \\x escapes); rename the file")
        elif stat.S_ISREG(info.st_mode):
            yield SourceFile(path, info.st_size)
        else:
            yield Rejection(shown, None, "unsupported_type", "not a regular file (device, socket or pipe)")


def _list_folder(folder: Path, real: str, ancestors: frozenset[str]
                 ) -> tuple[Path, Iterator[tuple[str, bool]], str, frozenset[str]] | Rejection:
    """The folder's (name, is a symlink) entries in name order, or why it cannot be read."""
    if real in ancestors:
        return Rejection(display_path(folder)[0], None, "symlink_loop",
                         f"folder links back to {display_path(Path(real))[0]!r}, which is already being read; "
                         "not followed")
    try:
        with os.scandir(folder) as scan:
            entries = sorted((entry.name, entry.is_symlink()) for entry in scan)
    except OSError as error:
        return Rejection(display_path(folder)[0], None, "unreadable",
                         f"cannot list folder: {error.strerror or error}")
    return folder, iter(entries), real, ancestors | {real}


def display_path(path: Path) -> tuple[str, bool]:
    """The path as text the warehouse can store, and whether that is the real name
    (False for names that are not valid UTF-8: their bytes are shown as \\x escapes)."""
    text = str(path)
    try:
        text.encode("utf-8")
        return text, True
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace"), False


def document_kind(path: Path) -> str | None:
    """"text", "jsonl", "page", "warc" or "table" by the file name's ending; None: not read."""
    name = path.name.lower()
    return next((kind for ending, kind in sorted(KINDS.items(), key=lambda item: -len(item[0]))
                 if name.endswith(ending)), None)


def read_source(source: SourceFile, limits: Limits = Limits()) -> Iterator[Article | Page | Skipped | Rejection]:
    """Turn one file into documents, skipped records and rejections, never raising for bad content."""
    path = str(source.path)
    kind = document_kind(source.path)
    if kind is None:
        suffix = source.path.suffix.lower()
        yield Rejection(path, None, "unsupported_type",
                        f"file type {suffix or '(none)'!r} is not read; use {', '.join(KINDS)}")
        return
    if source.size > limits.max_file_bytes:
        yield Rejection(path, None, "too_large",
                        f"{source.size:,} bytes is over the file size limit of {limits.max_file_bytes:,} bytes")
        return
    try:
        if kind == "text":
            yield _read_txt(source.path, limits)
        elif kind == "jsonl":
            yield from _read_jsonl(source.path, limits)
        elif kind == "page":
            yield _read_page(source.path)
        elif kind == "warc":
            from wirehouse.transforms.warc import read_warc  # FastWARC only where there are archives

            yield from read_warc(source.path)
        else:
            from wirehouse.transforms.tabular import read_table  # Arrow only where there are tables

            yield from read_table(source.path, limits)
    except OSError as error:
        yield Rejection(path, None, "unreadable", f"cannot read file: {error.strerror or error}")


def _read_chunk(handle: Any) -> bytes:
    return handle.read(_READ_CHUNK)


def _same_file(before: os.stat_result, after: os.stat_result) -> bool:
    return (before.st_ino, before.st_size, before.st_mtime_ns) == (after.st_ino, after.st_size, after.st_mtime_ns)


def _changed(path: Path, line: int | None, where: str) -> Rejection:
    return Rejection(str(path), line, "changed_while_reading",
                     f"the file changed while it was being read ({where}); the next run reads it again")


def _read_whole(path: Path) -> bytes | Rejection:
    """The file's bytes, or changed_while_reading when it changed while it was read."""
    with open(path, "rb") as handle:
        before = os.fstat(handle.fileno())
        chunks = []
        while chunk := _read_chunk(handle):
            chunks.append(chunk)
        after = os.fstat(handle.fileno())
    data = b"".join(chunks)
    if not _same_file(before, after) or len(data) != after.st_size:
        return _changed(path, None, f"{len(data):,} bytes read, {after.st_size:,} bytes now")
    return data


# a comment is matched up to its own end only: with ".*?" the pattern backtracked through
# every way of joining comments (26 empty ones took 6.6 s)
_HTML_START = re.compile(rb"\s*(?:<!--(?:(?!-->).)*-->\s*)*<(?:!doctype\s+html|html[\s>].*?<(?:head|body)[\s>])",
                         re.IGNORECASE | re.DOTALL)


def _read_txt(path: Path, limits: Limits) -> Article | Page | Rejection:
    """One article; a web page saved under a .txt name (it starts as an HTML document does)
    is read as the page it is, not loaded as its markup."""
    data = _read_whole(path)
    if isinstance(data, Rejection):
        return data
    preview = first_bytes_of(data)
    if not data:
        return Rejection(str(path), None, "empty", "file is empty (0 bytes)", preview)
    # UTF-16 and UTF-32 text (with its byte-order mark) is full of NUL bytes, and is text
    if wide_encoding(data) is None and looks_binary(data[:_SNIFF_BYTES]):
        return Rejection(str(path), None, "binary", "file looks binary (NUL or control bytes), not text", preview)
    if _HTML_START.match(data.removeprefix(b"\xef\xbb\xbf")[:4096]):
        return Page(str(path), None, data, content_hash_of(data))
    text, encoding = decode_text_file(data)
    return article_from_text(str(path), None, text, encoding, limits, preview)


def _read_page(path: Path) -> Page | Rejection:
    """A saved web page as bytes (gzip-compressed or not); its article is extracted later."""
    data = _read_whole(path)
    if isinstance(data, Rejection):
        return data
    if not data:
        return Rejection(str(path), None, "empty", "file is empty (0 bytes)")
    return Page(str(path), None, data, content_hash_of(data))


def _read_jsonl(path: Path, limits: Limits) -> Iterator[Article | Rejection]:
    with open(path, "rb") as handle:
        before = os.fstat(handle.fileno())
        sniff = handle.read(_SNIFF_BYTES)
        if not sniff:
            yield Rejection(str(path), None, "empty", "file is empty (0 bytes)")
            return
        wide = wide_encoding(sniff)
        if wide is None and looks_binary(sniff):
            yield Rejection(str(path), None, "binary", "file looks binary (NUL or control bytes), not JSON Lines",
                            first_bytes_of(sniff))
            return
        handle.seek(0)
        # a UTF-16 or UTF-32 file (its BOM says which) is read line by line through its codec,
        # lines ending at "\n" as the bytes of a UTF-8 file do
        lines = handle if wide is None else _wide_lines(handle, wide)
        any_line = False
        for line_number, raw in enumerate(lines, start=1):
            if not _same_file(before, os.fstat(handle.fileno())):
                yield _changed(path, line_number, f"seen at line {line_number}; lines from there on were not read")
                return
            if isinstance(raw, UnicodeDecodeError):
                yield Rejection(str(path), line_number, "binary", f"line {line_number} is not {wide} ({raw.reason}); "
                                "the lines before it were read, the rest of the file was not")
                return
            if not raw.strip():
                continue
            any_line = True
            yield _article_from_json_line(str(path), line_number, raw, limits, wide)
        if not any_line:
            yield Rejection(str(path), None, "whitespace_only", "file holds only whitespace, no JSON lines",
                            first_bytes_of(sniff))


def _wide_lines(handle, codec: str) -> Iterator[bytes | UnicodeDecodeError]:
    """The lines of a UTF-16 or UTF-32 file as UTF-8 bytes, then the error where its bytes
    stop being that codec (a stray byte, a lone surrogate)."""
    text = io.TextIOWrapper(handle, codec, newline="\n")
    try:
        for line in text:
            yield line.encode("utf-8")
    except UnicodeDecodeError as error:
        yield error


def _article_from_json_line(path: str, line_number: int, raw: bytes, limits: Limits,
                            file_encoding: str | None = None) -> Article | Rejection:
    """file_encoding: the codec of a UTF-16 or UTF-32 file, whose line is given as UTF-8."""
    preview = first_bytes_of(raw)
    line, encoding = decode_text_file(raw)
    encoding = file_encoding or encoding
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        # some messages end with "at" ("Invalid control character at"), the column follows
        return Rejection(path, line_number, "malformed_json", f"line {line_number} is not valid JSON: "
                         f"{error.msg.removesuffix(' at')} at column {error.colno}", preview)
    if not isinstance(record, dict):
        return Rejection(path, line_number, "malformed_json",
                         f"line {line_number} is a JSON {type(record).__name__}, not an object", preview)
    try:  # "\ud800" escapes decode to lone surrogates, which no UTF-8 column can hold
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return Rejection(path, line_number, "malformed_json",
                         f"line {line_number} holds an unpaired \\u surrogate escape, not valid Unicode", preview)
    text = record.get("text")
    if not isinstance(text, str):
        what = "has no 'text' field" if "text" not in record else "has a null 'text'" if text is None \
            else f"has a non-string 'text' ({type(text).__name__})"
        return Rejection(path, line_number, "missing_text", f"line {line_number} {what}", preview)
    try:
        published = read_date(record.get("date"))
    except ValueError:
        return Rejection(path, line_number, "bad_date",
                         f"line {line_number} has a date that cannot be read: {record.get('date')!r}"[:300], preview)
    article = article_from_text(path, line_number, text, encoding, limits, preview, title_from_text=False)
    if isinstance(article, Rejection):
        return article
    return Article(
        article_id=article.article_id,
        source_path=path,
        source_line=line_number,
        title=_optional_str(record.get("title")),
        body=article.body,
        published_at=published,
        source=_optional_str(record.get("source")),
        url=_optional_str(record.get("url")),
        external_id=_optional_str(record.get("id")),
        encoding=article.encoding,
        language=_optional_str(record.get("language")),
    )


def article_from_text(path: str, line: int | None, text: str, encoding: str, limits: Limits,
                       preview: str, title_from_text: bool = True) -> Article | Rejection:
    text = normalize_newlines(text)
    if not text.strip():
        return Rejection(path, line, "whitespace_only", "document holds only whitespace", preview)
    if "\x00" in text:
        return Rejection(path, line, "binary", "document contains NUL characters", preview)
    title, body = split_title(text) if title_from_text else (None, text.strip())
    if len(body) > limits.max_article_chars:
        return too_long(path, line, len(body), limits, preview)
    return Article(article_id_for(body), path, line, title, body, encoding=encoding)


def too_long(path: str, line: int | None, chars: int, limits: Limits, preview: str = "") -> Rejection:
    """An article over the article limit (a web page's is known once its article is extracted)."""
    return Rejection(path, line, "too_large", f"{chars:,} characters is over the article limit of "
                     f"{limits.max_article_chars:,} characters", preview)


def looks_binary(sample: bytes) -> bool:
    """NUL bytes, or many C0 control bytes that no text encoding we read produces."""
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > max(2, len(sample) // 100)


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_title(text: str) -> tuple[str | None, str]:
    """A first line is a headline when it is short, does not end like a sentence and a
    blank line follows it (the layout of BBC-style files); otherwise there is no title."""
    stripped = text.strip()
    first, sep, rest = stripped.partition("\n")
    first = first.strip()
    if not sep or not rest.startswith("\n") or not rest.strip():
        return None, stripped
    if len(first) > _TITLE_MAX_CHARS or len(first.split()) > _TITLE_MAX_WORDS:
        return None, stripped
    # a quoted phrase may end a headline ("Call centre users 'lose patience'": 193 BBC
    # headlines), as may a question, an exclamation or an ellipsis ("Rivals of the £400
    # Apple..."); a full stop, comma, semicolon or colon, quoted or not ('"We will win."'),
    # ends a sentence
    words = first.rstrip("\"”'’")
    if not words or (words.endswith((".", ",", ";", ":")) and not words.endswith(("...", "…"))):
        return None, stripped
    return first, rest.strip()


def read_date(value: object) -> datetime | None:
    """A document's date as naive UTC: None when it has none; ValueError when it has one
    that cannot be read (the document is then rejected as bad_date)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value
    parsed = parse_date(value if isinstance(value, str) else str(value))
    if parsed is None:
        raise ValueError(value)
    return parsed


def parse_date(value: object) -> datetime | None:
    """ISO dates and the common newswire forms; None when absent or unparseable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            from dateutil import parser as date_parser

            parsed = date_parser.parse(value, fuzzy=False)
        except (ValueError, OverflowError):
            return None
    # Stored as naive UTC so every row of the column has one type.
    return parsed.astimezone(timezone.utc).replace(tzinfo=None) if parsed.tzinfo else parsed


def _optional_str(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
