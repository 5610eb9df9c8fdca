"""Where the warehouse's SQL lives, and the one rule for it.

The rule: every statement the code runs is a `.sql` file under `warehouse/queries/`,
loaded by name (`query("finish_run")`), or a named statement of a file of named
statements (`named_queries("doctor_checks")`: blocks that start with `-- name: <name>`).
Values are always parameters (`?`, `$1`) or registered Arrow tables, never text in the SQL.

Two exceptions, each kept in one place: statements over a table named by the table
registry (`transforms/tables.py`), which no file can hold for every table, are built here
and only here, from registry names and `quote_identifier`, with values as parameters; and
transaction control is `connection.transaction()` and `connection.snapshot()`.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import duckdb

WAREHOUSE_DIR = Path(__file__).resolve().parent
QUERIES_DIR = WAREHOUSE_DIR / "queries"
_NAMED = re.compile(r"^--\s*name:\s*([a-z0-9_]+)\s*$", re.MULTILINE)


@functools.cache
def query(name: str) -> str:
    """The statement in queries/<name>.sql."""
    return (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")


@functools.cache
def named_queries(name: str) -> dict[str, str]:
    """The named statements of queries/<name>.sql, in file order; the comment lines
    between a name and its statement describe it."""
    text = query(name)
    marks = list(_NAMED.finditer(text))
    return {mark.group(1): text[mark.end(): marks[i + 1].start() if i + 1 < len(marks) else len(text)].strip()
            for i, mark in enumerate(marks)}


def description(statement: str) -> str:
    """The leading comment of a named statement, as one line."""
    lines = []
    for line in statement.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line[2:].strip())
    return " ".join(lines)


def statements(name: str) -> list[str]:
    """The statements of a multi-statement file, in order."""
    code = "\n".join(line for line in query(name).splitlines() if not line.strip().startswith("--"))
    return [statement.strip() for statement in code.split(";") if statement.strip()]


def run_script(con: duckdb.DuckDBPyConnection, name: str, parameters: list | None = None) -> None:
    """Run each statement of a multi-statement file; the statements that take parameters
    (`?`, `$1`) all take the same ones."""
    for statement in statements(name):
        takes = "?" in statement or re.search(r"\$\d", statement)
        con.execute(statement, (parameters or []) if takes else [])


# ---------------------------------------------------------------- statements over registry tables

def quote_identifier(name: str) -> str:
    """A DuckDB identifier in double quotes, inner quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def count_rows(table: str) -> str:
    return f"SELECT count(*) FROM {quote_identifier(table)}"


def verify_rows(table: str) -> str:
    """Row count, reading every column of every row (DuckDB verifies each block it reads)."""
    return f"SELECT count(*), sum(hash(t)) FROM {quote_identifier(table)} t"


def select_all(table: str) -> str:
    return f"SELECT * FROM {quote_identifier(table)}"


def delete_article_rows(table: str) -> str:
    """Delete the rows of the articles in parameter 1 (a list of ids)."""
    return f"DELETE FROM {quote_identifier(table)} WHERE article_id IN (SELECT unnest(?))"


def insert_from(table: str, columns: list[str], source: str) -> str:
    """Insert the named columns of a registered Arrow table."""
    listed = ", ".join(quote_identifier(column) for column in columns)
    return f"INSERT INTO {quote_identifier(table)} ({listed}) SELECT {listed} FROM {quote_identifier(source)}"


def checksum_rows(table: str, columns: list[str]) -> str:
    """Row count and an order-independent checksum of the listed columns."""
    listed = ", ".join(quote_identifier(column) for column in columns)
    return (f"SELECT count(*), coalesce(sum(hash(r)), 0) FROM (SELECT {listed} FROM {quote_identifier(table)}) r")
