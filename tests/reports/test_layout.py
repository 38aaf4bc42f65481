"""The reports package as a read model: it reads other packages' tables through set-based queries and never writes.

Package arrows (nothing below reports imports it), cycles and sizes are held by tests/test_architecture.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

QUERIES = Path(__file__).resolve().parents[2] / "lms" / "reports" / "queries"
WRITES = ("insert", "update", "delete")


def writes_in(source: str) -> list[str]:
    """What a report query does that writes: a SQLAlchemy insert/update/delete, or a session change."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sqlalchemy"):
            found += [f"imports {a.name}" for a in node.names if a.name in WRITES]
        if isinstance(node, ast.Attribute) and node.attr in ("add", "add_all", "delete", "flush", "commit") \
                and isinstance(node.value, ast.Attribute) and node.value.attr == "session":
            found.append(f"calls session.{node.attr}")
    return found


def test_report_queries_never_write():
    offenders = {path.name: found for path in QUERIES.rglob("*.py") if (found := writes_in(path.read_text()))}
    assert offenders == {}


def test_a_write_in_a_query_is_reported():
    source = "from sqlalchemy import select, update\ndef f():\n    db.session.add(x)\n    db.session.commit()\n"
    assert writes_in(source) == ["imports update", "calls session.add", "calls session.commit"]
