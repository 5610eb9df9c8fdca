"""Export every table and view of the warehouse as files for BI tools that read files.

`export(warehouse, out_dir, fmt="parquet")` writes `<name>.parquet` (or `.csv`) per table
and view, all read in one transaction so they agree with each other, then
`manifest.json`: for each file the table or view it holds, its kind, row count and
columns with their DuckDB types, plus the warehouse path, its schema version and when
the export was made. The manifest is written last, so a reader that finds it finds the
files it lists complete.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from wirehouse.warehouse import sql
from wirehouse.warehouse.connection import READ_WAIT_SECONDS, connect, snapshot, utc_now
from wirehouse.warehouse.migrations import schema_version

FORMATS = ("parquet", "csv")
MANIFEST = "manifest.json"


def file_stem(name: str) -> str:
    """A file name for a table name: itself when it is a plain identifier."""
    return name if re.fullmatch(r"[A-Za-z0-9_]+", name) else re.sub(r"[^A-Za-z0-9_.-]", "_", name)


@dataclass
class ExportedRelation:
    name: str
    kind: str  # table | view
    file: str
    rows: int
    columns: list[dict[str, str]]
    bytes: int = 0


@dataclass
class Manifest:
    warehouse: str
    schema_version: int
    exported_at: str
    format: str
    duckdb_version: str
    relations: list[ExportedRelation] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(name, 'table'|'view') of the main schema of the open database, tables first."""
    return [(name, kind) for name, kind in con.execute(sql.query("relations")).fetchall()]


def columns_of(con: duckdb.DuckDBPyConnection, name: str) -> list[dict[str, str]]:
    rows = con.execute(sql.query("table_columns"), [name]).fetchall()
    return [{"name": column, "type": data_type} for column, data_type in rows]


def export_connection(con: duckdb.DuckDBPyConnection, out_dir: str | Path, fmt: str = "parquet",
                      warehouse_path: str | Path | None = None) -> Manifest:
    """Write every table and view of `con` into `out_dir`, in one snapshot; returns the manifest."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(warehouse=str(Path(warehouse_path).absolute()) if warehouse_path else "",
                        schema_version=0, exported_at=utc_now().isoformat(timespec="seconds") + "Z",
                        format=fmt, duckdb_version=duckdb.__version__)
    with snapshot(con):  # every file shows the same moment
        manifest.schema_version = schema_version(con)
        for name, kind in relations(con):
            relation = con.sql(sql.select_all(name))
            target = out / f"{file_stem(name)}.{fmt}"
            partial = target.with_name(f".{target.name}.partial")
            if fmt == "parquet":
                relation.write_parquet(str(partial), compression="zstd")
            else:
                relation.write_csv(str(partial), header=True)
            os.replace(partial, target)
            rows = con.execute(sql.count_rows(name)).fetchone()[0]
            manifest.relations.append(ExportedRelation(name=name, kind=kind, file=target.name, rows=rows,
                                                       columns=columns_of(con, name),
                                                       bytes=target.stat().st_size))
    partial = out / f".{MANIFEST}.partial"
    partial.write_text(json.dumps(manifest.as_dict(), indent=1) + "\n", encoding="utf-8")
    os.replace(partial, out / MANIFEST)
    return manifest


def export(warehouse: str | Path, out_dir: str | Path, fmt: str = "parquet",
           wait_seconds: float = READ_WAIT_SECONDS) -> Manifest:
    """Open the warehouse read-only (waiting for a publishing run) and export it."""
    con = connect(warehouse, read_only=True, wait_seconds=wait_seconds)
    try:
        return export_connection(con, out_dir, fmt, warehouse_path=warehouse)
    finally:
        con.close()
