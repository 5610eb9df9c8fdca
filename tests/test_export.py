"""`wirehouse export`: every table and view as Parquet (or CSV) files, with a manifest."""

from __future__ import annotations

import json

import duckdb
import pyarrow.parquet as pq
import pytest

from wirehouse.flows.cli import main
from tests.test_views import ANALYSIS_VIEWS, build_warehouse
from wirehouse.warehouse.export import export
from wirehouse.warehouse.sql import quote_identifier
from wirehouse.transforms.tables import COUNTED_TABLES as DATA_TABLES
from wirehouse.warehouse.migrations import latest_schema_version


@pytest.fixture
def warehouse(tmp_path):
    return build_warehouse(tmp_path / "wh" / "wirehouse.duckdb")


def test_parquet_export_writes_every_table_and_view_with_a_manifest(warehouse, tmp_path):
    out = tmp_path / "export"
    manifest = export(warehouse, out)
    listed = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert listed["warehouse"] == str(warehouse.absolute())
    assert listed["schema_version"] == latest_schema_version() == manifest.schema_version
    assert listed["format"] == "parquet" and listed["exported_at"].endswith("Z")
    by_name = {entry["name"]: entry for entry in listed["relations"]}
    assert set(DATA_TABLES) | {"pipeline_run", "validation_result", "quarantine"} <= set(by_name)
    assert set(ANALYSIS_VIEWS) | {"article_source"} <= {n for n, e in by_name.items() if e["kind"] == "view"}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for name, entry in by_name.items():
            table = pq.read_table(out / entry["file"])
            assert table.num_rows == entry["rows"] == con.execute(
                f"SELECT count(*) FROM {quote_identifier(name)}").fetchone()[0], name
            assert table.column_names == [column["name"] for column in entry["columns"]], name
    assert by_name["article"]["rows"] == 4 and by_name["quoted_speakers"]["rows"] == 2
    assert {"name": "published_at", "type": "TIMESTAMP"} in by_name["article"]["columns"]
    speakers = pq.read_table(out / "quoted_speakers.parquet").to_pylist()
    assert {row["speaker_name"]: row["quote_count"] for row in speakers} == {"Ann Smith": 4, "a spokesman": 1}
    assert not list(out.glob(".*partial"))


def test_names_that_need_quoting_are_exported_safely(warehouse, tmp_path):
    odd = 'odd "name"; DROP TABLE article; --'
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"CREATE TABLE {quote_identifier(odd)} AS SELECT 42 AS answer")
    manifest = export(warehouse, tmp_path / "export")
    entry = next(r for r in manifest.relations if r.name == odd)
    assert "/" not in entry.file and entry.rows == 1
    assert pq.read_table(tmp_path / "export" / entry.file).to_pylist() == [{"answer": 42}]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM article").fetchone()[0] == 4


def test_export_reads_the_warehouse_read_only(warehouse, tmp_path):
    before = warehouse.stat().st_mtime_ns
    export(warehouse, tmp_path / "export")
    assert warehouse.stat().st_mtime_ns == before


def test_cli_export_parquet_and_csv(warehouse, tmp_path, capsys):
    assert main(["export", "--format", "parquet", str(tmp_path / "pq"), "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out
    assert "quoted_speakers" in out and "manifest.json" in out
    assert (tmp_path / "pq" / "entity_co_mentions.parquet").is_file()
    assert main(["export", "--format", "csv", str(tmp_path / "csv"), "--warehouse", str(warehouse)]) == 0
    header = (tmp_path / "csv" / "article_overview.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("article_id,title,")
    assert json.loads((tmp_path / "csv" / "manifest.json").read_text(encoding="utf-8"))["format"] == "csv"


def test_cli_export_of_a_missing_warehouse_says_so(tmp_path, capsys):
    assert main(["export", str(tmp_path / "out"), "--warehouse", str(tmp_path / "none.duckdb")]) == 2
    assert "does not exist" in capsys.readouterr().err
