"""The one rule for SQL (warehouse/sql.py): statements live in .sql files and are loaded by
name; only registry statements are built in sql.py and transactions in connection.py."""

from __future__ import annotations

import ast
import re

from tests.conftest import PROJECT
from wirehouse.warehouse import sql

PACKAGE_FOLDERS = ("flows", "transforms", "warehouse", "expectations", "evaluation")
TRANSACTION_CONTROL = {"BEGIN TRANSACTION", "COMMIT", "ROLLBACK"}


def package_files():
    for folder in PACKAGE_FOLDERS:
        yield from sorted((PROJECT / folder).rglob("*.py"))


def test_no_statement_is_written_in_python():
    offenders = []
    for path in package_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("execute", "sql", "executemany") and node.args):
                continue
            statement = node.args[0]
            where = f"{path.relative_to(PROJECT)}:{node.lineno}"
            if isinstance(statement, ast.Constant) and isinstance(statement.value, str):
                if not (path.name == "connection.py" and statement.value in TRANSACTION_CONTROL):
                    offenders.append(f"{where} runs SQL written in Python: {statement.value[:40]!r}")
            elif isinstance(statement, (ast.JoinedStr, ast.BinOp)):
                offenders.append(f"{where} builds SQL in Python")
            if node.func.attr == "executemany":
                offenders.append(f"{where} uses executemany (insert from Arrow instead)")
    assert not offenders, offenders


def test_every_query_file_is_used_and_every_name_used_has_a_file():
    code = "\n".join(path.read_text(encoding="utf-8") for path in package_files())
    used = set(re.findall(r"sql\.(?:query|named_queries|run_script|statements)\((?:[\w.]+, )?\"([a-z0-9_]+)\"", code))
    files = {path.stem for path in sql.QUERIES_DIR.glob("*.sql")}
    assert used <= files, sorted(used - files)
    assert files <= used, f"query files nothing runs: {sorted(files - used)}"


def test_named_statements_carry_their_description():
    checks = sql.named_queries("doctor_checks")
    assert len(checks) >= 15
    for name, statement in checks.items():
        assert sql.description(statement), name
        assert "SELECT" in statement
