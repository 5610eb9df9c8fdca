"""The table registry matches the warehouse, and the source key has one text form."""

from __future__ import annotations

import json

import duckdb
import pytest

from wirehouse.expectations.audit import SUITES_DIR
from wirehouse.transforms.records import SourceKey
from wirehouse.transforms.tables import AUDITED, TABLES
from wirehouse.warehouse import sql
from wirehouse.warehouse.migrations import migrate


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    connection = duckdb.connect(str(tmp_path_factory.mktemp("tables") / "w.duckdb"))
    migrate(connection)
    yield connection
    connection.close()


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_each_registered_table_has_the_columns_of_its_row_type(con, table):
    columns = [row[0] for row in con.execute(sql.query("table_columns"), [table.name]).fetchall()]
    assert columns == table.columns + list(table.maintained)
    assert set(table.key) <= set(columns) and set(table.entity_columns) <= set(columns)
    assert table.owner_column in columns


@pytest.mark.parametrize("table", AUDITED, ids=lambda table: table.name)
def test_each_audited_table_has_its_suite(table):
    suite = json.loads((SUITES_DIR / f"{table.suite}.json").read_text(encoding="utf-8"))
    assert suite["expectations"]


@pytest.mark.parametrize("key", [SourceKey("/s/a.txt"), SourceKey("/s/feed.jsonl", 12),
                                 SourceKey("/s/odd#name.txt"), SourceKey("/s/odd#3.jsonl", 4)])
def test_a_source_key_parses_back_to_itself_and_sql_writes_it_the_same_way(con, key):
    assert SourceKey.parse(str(key)) == key
    con.execute("INSERT INTO article (article_id, source_path, source_line, body, encoding, char_count, word_count, "
                "sentence_count, enrichment_version, ingested_at, run_id) "
                "VALUES ('x', ?, ?, 'b', 'utf-8', 1, 1, 1, 'v', now(), 'r')", [key.path, key.position])
    try:
        assert con.execute("SELECT source_key FROM article_source").fetchone()[0] == str(key)
    finally:
        con.execute("DELETE FROM article")
