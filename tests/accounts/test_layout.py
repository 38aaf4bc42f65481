"""The workspace package's layout: an upload flows one way through the import stages.

Module and function sizes are held for the whole application by tests/test_architecture.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ACCOUNTS = Path(__file__).resolve().parents[2] / "lms" / "accounts"
# The path of an upload, first to last: a module may import only modules before it in this list.
IMPORT_FLOW = ("fields", "labels", "importer.reading", "importer.detection", "importer.values",
               "importer.validation", "importer", "resolution", "analysis", "batches")
FRAMEWORK = ("flask", "flask_login", "flask_wtf", "sqlalchemy", "lms.extensions", "lms.database")


def imported(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def path_of(module: str) -> Path:
    path = ACCOUNTS.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


@pytest.mark.parametrize("position", range(len(IMPORT_FLOW)))
def test_each_import_stage_imports_only_the_stages_before_it(position):
    module = IMPORT_FLOW[position]
    later = {f"lms.accounts.{m}" for m in IMPORT_FLOW[position + 1:]}
    assert imported(path_of(module)) & later == set()


@pytest.mark.parametrize("module", [m for m in IMPORT_FLOW if m.startswith("importer")] + ["fields", "labels"])
def test_the_importer_and_the_field_vocabulary_are_pure(module):
    names = imported(path_of(module))
    assert [n for n in names if n.startswith(FRAMEWORK) or n.endswith(".models")] == []

