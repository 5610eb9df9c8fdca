"""Numbered schema migrations: `schema/NNN_description.sql`, each applied once, in order.

Each migration runs in its own transaction and is recorded in `schema_migration`, whose
highest version is the warehouse's schema version. An older warehouse is upgraded in
place; one written by a newer Wirehouse is refused rather than modified. The views
(`views.sql`) are recreated after every migration pass.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from wirehouse.warehouse import sql
from wirehouse.warehouse.connection import transaction, utc_now

SCHEMA_DIR = sql.WAREHOUSE_DIR / "schema"
VIEWS_FILE = sql.WAREHOUSE_DIR / "views.sql"
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


class SchemaTooNew(RuntimeError):
    """The warehouse was written by a newer Wirehouse than this one."""


def migrations() -> list[tuple[int, Path]]:
    found = []
    for path in sorted(SCHEMA_DIR.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise ValueError(f"migration file {path.name!r} must be named NNN_description.sql")
        found.append((int(match.group(1)), path))
    return found


def latest_schema_version() -> int:
    return max(version for version, _ in migrations())


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    if not con.execute(sql.query("schema_migration_exists")).fetchone()[0]:
        return 0
    return con.execute(sql.query("schema_version")).fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection, target: int | None = None) -> list[str]:
    """Apply the migrations the file has not seen yet (up to `target`); returns their names."""
    con.execute(sql.query("create_schema_migration"))
    current = schema_version(con)
    if current > latest_schema_version():
        raise SchemaTooNew(f"the warehouse has schema version {current}, newer than this Wirehouse knows "
                           f"({latest_schema_version()}); use a newer Wirehouse")
    applied = []
    for version, path in migrations():
        if version <= current or (target is not None and version > target):
            continue
        with transaction(con):
            con.execute(path.read_text(encoding="utf-8"))
            con.execute(sql.query("record_migration"), [version, path.name, utc_now()])
        applied.append(path.name)
    if target is None or target >= latest_schema_version():  # the views read the latest tables
        con.execute(VIEWS_FILE.read_text(encoding="utf-8"))
    return applied
