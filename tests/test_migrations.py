"""Numbered migrations: the schema version lives in the warehouse, each migration is
applied once in its own transaction, and an older file is upgraded in place by a run."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from wirehouse.warehouse import migrations as migrations_module
from wirehouse.warehouse.migrations import SchemaTooNew, latest_schema_version, migrate, migrations, schema_version
from wirehouse.warehouse.store import Warehouse


def columns(con, table: str) -> list[str]:
    return [row[0] for row in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        [table]).fetchall()]


def old_warehouse(path, version: int = 1):
    """A warehouse as an older Wirehouse left it, holding a finished run and an article."""
    con = duckdb.connect(str(path))
    migrate(con, target=version)
    con.execute("INSERT INTO pipeline_run (run_id, started_at, status) VALUES ('old-run', now(), 'completed')")
    con.execute("INSERT INTO article (article_id, source_path, body, encoding, char_count, word_count, "
                "sentence_count, enrichment_version, ingested_at, run_id) "
                "VALUES ('old', '/old.txt', 'Old text.', 'utf-8', 9, 2, 1, 'v0', now(), 'old-run')")
    con.close()


def test_migration_files_are_numbered_from_one_without_gaps():
    versions = [version for version, _ in migrations()]
    assert versions == list(range(1, len(versions) + 1))
    assert latest_schema_version() == versions[-1] >= 2


def test_an_old_file_is_upgraded_in_place_keeping_its_data(tmp_path):
    path = tmp_path / "w.duckdb"
    old_warehouse(path)
    warehouse = Warehouse.open(path)
    try:
        with warehouse.session() as con:
            assert schema_version(con) == latest_schema_version()
            assert {"pid", "host"} <= set(columns(con, "pipeline_run"))
            assert con.execute("SELECT run_id, status FROM pipeline_run").fetchall() == [("old-run", "completed")]
            assert con.execute("SELECT body FROM article").fetchall() == [("Old text.",)]
            assert [row[1] for row in con.execute("SELECT version, name FROM schema_migration ORDER BY version")
                    .fetchall()] == [p.name for _, p in migrations()]
            assert migrate(con) == []  # applied once
    finally:
        warehouse.close()


def test_a_failing_migration_leaves_the_previous_version(tmp_path, monkeypatch):
    schema = tmp_path / "schema"
    schema.mkdir()
    for _, path in migrations():
        shutil.copy(path, schema / path.name)
    (schema / "900_broken.sql").write_text("ALTER TABLE article ADD COLUMN half_done INTEGER;\n"
                                           "SELECT * FROM no_such_table;\n")
    monkeypatch.setattr(migrations_module, "SCHEMA_DIR", schema)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    with pytest.raises(duckdb.CatalogException):
        migrate(con)
    assert schema_version(con) == len(migrations()) - 1
    assert "half_done" not in columns(con, "article")  # rolled back with the failed migration
    con.close()


def test_a_file_from_a_newer_wirehouse_is_refused(tmp_path):
    path = tmp_path / "w.duckdb"
    old_warehouse(path, latest_schema_version())
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_migration VALUES (999, '999_future.sql', now())")
    con.close()
    with pytest.raises(SchemaTooNew, match="newer than this Wirehouse"):
        Warehouse.open(path)


def test_wirehouse_run_upgrades_an_old_file_in_place(run_flow, seeds_copy, tmp_path):
    path = tmp_path / "old.duckdb"
    old_warehouse(path)
    summary = run_flow(seeds_copy, path)
    assert summary["status"] == "completed" and summary["documents_loaded"] == 1
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert schema_version(con) == latest_schema_version()
        assert con.execute("SELECT count(*) FROM article WHERE article_id = 'old'").fetchone()[0] == 1
        (pid, host), = con.execute("SELECT pid, host FROM pipeline_run WHERE run_id <> 'old-run'").fetchall()
        assert pid and host
    finally:
        con.close()


def test_an_identified_warehouse_has_its_articles_counted_once_upgraded(tmp_path):
    """Before version 8 the identity step counted every article it saw, again when one was
    re-enriched; the upgrade records the stored articles as counted, so they are not again."""
    identified, fresh = tmp_path / "identified.duckdb", tmp_path / "fresh.duckdb"
    for path in (identified, fresh):
        old_warehouse(path, 7)
    con = duckdb.connect(str(identified))
    con.execute("INSERT INTO identity_state VALUES ('n_articles', '', '1')")
    con.close()
    for path, counted in ((identified, [("old", "0")]), (fresh, [])):
        con = duckdb.connect(str(path))
        try:
            migrate(con)
            assert con.execute("SELECT key, value FROM identity_state WHERE part = 'counted'").fetchall() == counted
        finally:
            con.close()


def upgraded_from(path, version: int, *statements: str, query: str) -> list[tuple]:
    """`query`'s rows once a warehouse left at `version`, holding what `statements` add, is upgraded."""
    old_warehouse(path, version)
    con = duckdb.connect(str(path))
    try:
        for statement in statements:
            con.execute(statement)
        migrate(con)
        return con.execute(query).fetchall()
    finally:
        con.close()


def test_a_dated_article_written_before_version_11_says_its_date_is_published(tmp_path):
    rows = upgraded_from(tmp_path / "w.duckdb", 10,
                         "INSERT INTO article (article_id, source_path, body, encoding, char_count, word_count, "
                         "sentence_count, enrichment_version, ingested_at, run_id, published_at) VALUES ('dated', "
                         "'/feed.jsonl', 'Dated text.', 'utf-8', 11, 2, 1, 'v0', now(), 'old-run', "
                         "TIMESTAMP '2024-03-01 10:00:00')",
                         query="SELECT article_id, date_basis FROM article ORDER BY article_id")
    assert rows == [("dated", "published"), ("old", None)]


def test_resolutions_left_on_a_relabelled_name_go_with_the_upgrade_to_version_12(tmp_path):
    rows = upgraded_from(tmp_path / "w.duckdb", 11,
                         "INSERT INTO entity VALUES ('place', 'Scotland', 'GPE', 1, 1, NULL), "
                         "('person', 'Tony Blair', 'PERSON', 1, 1, NULL)",
                         "INSERT INTO entity_resolution (article_id, start_char, end_char, mention_text, entity_id, "
                         "rule, score, evidence, run_id) VALUES ('old', 0, 8, 'Scotland', 'place', 'mononym', 1, '{}', "
                         "'old-run'), ('old', 10, 20, 'Tony Blair', 'person', 'full_name', 1, '{}', 'old-run')",
                         query="SELECT entity_id FROM entity_resolution")
    assert rows == [("person",)]
