"""Tables of articles exported by other tools: one article per row of a .csv or .parquet file.

A `text` (or `body`) column is required; `id`, `title`, `date`, `url`, `source` and
`language` are read when present (column names in any case). Rows follow the same rules as
the lines of a .jsonl file: a row without text, with a date that cannot be read, or too long
is rejected with its row number; duplicates are the planner's. A row is known by its
1-based number (`file.csv#12`). Read with Arrow in record batches, so a large file is never
all in memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pyarrow as pa

from wirehouse.transforms.ingest import Limits, article_from_text, read_date
from wirehouse.transforms.records import Article, Rejection

TEXT_COLUMNS = ("text", "body")
OPTIONAL_COLUMNS = ("id", "title", "date", "url", "source", "language")
_ROWS_PER_READ = 2_000


def read_table(path: Path, limits: Limits) -> Iterator[Article | Rejection]:
    """Articles and rejections of every row; the file is rejected when it cannot be read
    as a table or has no text column."""
    shown = str(path)
    try:
        batches = _parquet_batches(path) if path.name.lower().endswith(".parquet") else _csv_batches(path)
        first = next(batches, None)
    except (pa.ArrowException, OSError, ValueError) as error:
        kind = "Parquet" if path.name.lower().endswith(".parquet") else "CSV"
        yield Rejection(shown, None, "unreadable_table", f"cannot read the file as {kind}: {error}"[:500])
        return
    if first is None:
        yield Rejection(shown, None, "empty", "the table has no rows")
        return
    columns = {name.lower(): name for name in first.schema.names}
    text_column = next((columns[name] for name in TEXT_COLUMNS if name in columns), None)
    if text_column is None:
        yield Rejection(shown, None, "missing_text_column",
                        f"no 'text' or 'body' column (columns: {', '.join(first.schema.names)[:300]})")
        return
    fields = {name: columns.get(name) for name in OPTIONAL_COLUMNS}
    row_number = 0
    batch = first
    while batch is not None:
        data = batch.to_pydict()
        for i in range(batch.num_rows):
            row_number += 1
            yield _article_from_row(shown, row_number, data[text_column][i],
                                    {name: data[column][i] if column else None for name, column in fields.items()},
                                    limits)
        try:
            batch = next(batches, None)
        except (pa.ArrowException, OSError, ValueError) as error:
            yield Rejection(shown, row_number + 1, "unreadable_table",
                            f"rows from {row_number + 1:,} on cannot be read: {error}"[:500])
            return


def _parquet_batches(path: Path) -> Iterator[pa.RecordBatch]:
    import pyarrow.parquet as pq

    return iter(pq.ParquetFile(path).iter_batches(batch_size=_ROWS_PER_READ))


def _csv_batches(path: Path) -> Iterator[pa.RecordBatch]:
    import pyarrow.csv as csv

    reader = csv.open_csv(
        path,
        read_options=csv.ReadOptions(block_size=1 << 22),
        parse_options=csv.ParseOptions(newlines_in_values=True),  # article text has paragraphs
        convert_options=csv.ConvertOptions(strings_can_be_null=True, quoted_strings_can_be_null=False,
                                           timestamp_parsers=[]),  # dates are read as the .jsonl ones
    )
    return iter(reader)


def _article_from_row(path: str, row: int, text: Any, fields: dict[str, Any], limits: Limits) -> Article | Rejection:
    preview = (str(text)[:64] if text is not None else "").encode("unicode_escape").decode("ascii")
    if not isinstance(text, str) or not text.strip():
        what = "no text" if text is None or (isinstance(text, str) and not text) else \
            ("only whitespace as text" if isinstance(text, str) else f"a {type(text).__name__} as text")
        reason = "whitespace_only" if isinstance(text, str) and text else "missing_text"
        return Rejection(path, row, reason, f"row {row} has {what}", preview)
    try:
        published = read_date(fields["date"])
    except ValueError:
        return Rejection(path, row, "bad_date", f"row {row} has a date that cannot be read: {fields['date']!r}"[:300],
                         preview)
    article = article_from_text(path, row, text, "utf-8", limits, preview, title_from_text=False)
    if isinstance(article, Rejection):
        return Rejection(path, row, article.reason, f"row {row}: {article.detail}", preview)
    return Article(article.article_id, path, row, _text(fields["title"]), article.body, published,
                   source=_text(fields["source"]), url=_text(fields["url"]), external_id=_text(fields["id"]),
                   language=_text(fields["language"]))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None

