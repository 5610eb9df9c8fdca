"""Tables of articles exported by other tools: one article per row of a .csv or .parquet file.

A `text` (or `body`) column is required; `id`, `title`, `date`, `url`, `source` and
`language` are read when present (column names in any case). Rows follow the same rules as
the lines of a .jsonl file: a row without text, with a date that cannot be read, or too long
is rejected with its row number; duplicates are the planner's. A row is known by its
1-based number (`file.csv#12`). Neither file is ever all in memory: Parquet is read with
Arrow in record batches, CSV row by row with Python's csv module, every value as text (so
a column is never given a type one later row cannot have), and a row with more or fewer
values than the header is rejected alone. A CSV file is UTF-8, or the UTF-16 or UTF-32 its
byte-order mark names; bytes that are not UTF-8 are read as Windows-1252 (Excel's "CSV" on
Windows), one by one, so a row another tool appended in one does not garble the others.
"""

from __future__ import annotations

import codecs
import csv
import itertools
from pathlib import Path
from typing import Any, Iterator

import pyarrow as pa

from wirehouse.transforms.decoding import CP1252_BYTES, wide_encoding
from wirehouse.transforms.ingest import DEFAULT_MAX_ARTICLE_CHARS, Limits, article_from_text, read_date
from wirehouse.transforms.records import Article, Rejection

TEXT_COLUMNS = ("text", "body")
OPTIONAL_COLUMNS = ("id", "title", "date", "url", "source", "language")
_ROWS_PER_READ = 2_000
# Python's csv module refuses a value over 131,072 characters by default; an article may be
# longer (up to --max-article-chars, at most 1,000,000). Four times that: a stray quotation
# mark ends the file's reading at 4 million characters, not at the file's end.
csv.field_size_limit(max(csv.field_size_limit(), 4 * DEFAULT_MAX_ARTICLE_CHARS))

Row = dict[str, Any] | str  # a row's values by column, or why it is no row


_UNREADABLE = (pa.ArrowException, OSError, ValueError, csv.Error)  # UnicodeError is a ValueError


def read_table(path: Path, limits: Limits) -> Iterator[Article | Rejection]:
    """Articles and rejections of every row; the file is rejected when it cannot be read
    as a table or has no text column."""
    shown = str(path)
    parquet = path.name.lower().endswith(".parquet")
    try:
        columns, rows, encoding = _parquet_rows(path) if parquet else _csv_rows(path)
        by_name = {name.lower(): name for name in columns}
        text_column = next((by_name[name] for name in TEXT_COLUMNS if name in by_name), None)
        # a header without a text column says so before any row is read (a semicolon-separated
        # file's rows need not be readable as comma-separated ones)
        first = next(rows, None) if text_column is not None or not columns else None
    except _UNREADABLE as error:
        yield Rejection(shown, None, "unreadable_table",
                        f"cannot read the file as {'Parquet' if parquet else 'CSV'}: {error}"[:500])
        return
    if columns and text_column is None:
        yield Rejection(shown, None, "missing_text_column",
                        f"no 'text' or 'body' column (columns: {', '.join(columns)[:300]})")
        return
    if first is None:
        yield Rejection(shown, None, "empty", "the table has no rows")
        return
    fields = {name: by_name.get(name) for name in OPTIONAL_COLUMNS}
    row_number = 0
    rows = itertools.chain([first], rows)
    while True:
        try:
            row = next(rows, None)
        except _UNREADABLE as error:
            yield Rejection(shown, row_number + 1, "unreadable_table",
                            f"rows from {row_number + 1:,} on cannot be read: {error}"[:500])
            return
        if row is None:
            return
        row_number += 1
        if isinstance(row, str):
            yield Rejection(shown, row_number, "malformed_row", f"row {row_number} {row}")
            continue
        yield _article_from_row(shown, row_number, row[text_column],
                                {name: row[column] if column else None for name, column in fields.items()},
                                limits, encoding, text_column)


def _parquet_rows(path: Path) -> tuple[list[str], Iterator[Row], str]:
    import pyarrow.parquet as pq

    table = pq.ParquetFile(path)
    batches = table.iter_batches(batch_size=_ROWS_PER_READ)
    return table.schema_arrow.names, (row for batch in batches for row in batch.to_pylist()), "utf-8"


def _csv_rows(path: Path) -> tuple[list[str], Iterator[Row], str]:
    codec, note = _csv_encoding(path)
    errors = CP1252_BYTES if codec == "utf-8-sig" else "strict"
    stream = open(path, encoding=codec, errors=errors, newline="")  # closed by _rows_of once read
    try:
        # strict: a quotation mark left open no longer swallows the lines after it into one
        # value, and the rows after those into shifted columns (loaded as articles); the read
        # stops at the first quoting it cannot follow
        reader = csv.reader(stream, strict=True)
        header = next((values for values in reader if values), None)  # blank lines before it skipped
    except BaseException:
        stream.close()
        raise
    if header is None:
        stream.close()
        return [], iter(()), note
    return header, _rows_of(stream, reader, header), note


def _rows_of(stream, reader, header: list[str]) -> Iterator[Row]:
    """The rows after the header as dicts (a blank line is no row), or why a row is none."""
    with stream:
        while True:
            try:
                values = next(reader, None)
            except csv.Error as error:
                raise csv.Error(f"{error} at line {reader.line_num:,} of the file (a quoted value must end where "
                                "its field does, a quotation mark inside it doubled; one left open runs on over "
                                "the lines after it)") from error
            if values is None:
                return
            if not values:
                continue
            if len(values) != len(header):
                yield (f"has {len(values)} values where the header names {len(header)} columns "
                       "(an unquoted comma or quotation mark in a value?)")
                continue
            yield dict(zip(header, values))


def _csv_encoding(path: Path) -> tuple[str, str]:
    """The codec a CSV file is read with, and the note `article.encoding` keeps: one read
    through the file (in 1 MB pieces) to see whether it is all UTF-8."""
    with open(path, "rb") as handle:
        if wide := wide_encoding(handle.read(4)):
            return wide, wide
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        try:
            while piece := handle.read(1 << 20):
                decoder.decode(piece)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "utf-8-sig", "utf-8 (with bytes that are not UTF-8 read as cp1252)"
    return "utf-8-sig", "utf-8"


def _article_from_row(path: str, row: int, text: Any, fields: dict[str, Any], limits: Limits,
                      encoding: str = "utf-8", column: str = "text") -> Article | Rejection:
    preview = (str(text)[:64] if text is not None else "").encode("unicode_escape").decode("ascii")
    if not isinstance(text, str) or not text.strip():
        what = "no text" if text is None or (isinstance(text, str) and not text) else \
            ("only whitespace" if isinstance(text, str) else f"a {type(text).__name__} value, not text,")
        reason = "whitespace_only" if isinstance(text, str) and text else "missing_text"
        return Rejection(path, row, reason, f"row {row} has {what} in its '{column}' column", preview)
    try:
        published = read_date(fields["date"])
    except ValueError:
        return Rejection(path, row, "bad_date", f"row {row} has a date that cannot be read: {fields['date']!r}"[:300],
                         preview)
    article = article_from_text(path, row, text, encoding, limits, preview, title_from_text=False)
    if isinstance(article, Rejection):
        return Rejection(path, row, article.reason, f"row {row}: {article.detail}", preview)
    return Article(article.article_id, path, row, _text(fields["title"]), article.body, published,
                   source=_text(fields["source"]), url=_text(fields["url"]), external_id=_text(fields["id"]),
                   language=_text(fields["language"]), encoding=article.encoding)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None

