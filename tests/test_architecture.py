"""Pure modules stay free of Flask, the extensions and models, so they are tested without a request."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("flask", "flask_login", "flask_wtf", "lms.extensions", "sqlalchemy", "flask_sqlalchemy")
# Modules that talk to the database or the request by design (services in all but name).
NOT_PURE = {"__init__.py", "models.py", "views.py", "forms.py", "services.py", "tenancy.py", "jobs.py", "sync.py",
            "workspaces.py", "assignments.py", "reminders.py", "outbox.py", "api.py", "demo.py", "generate.py",
            "rollup.py", "queries.py", "badges.py", "issuing.py", "storage.py"}
PLUMBING = {"config.py", "extensions.py", "cli.py", "errors.py", "database.py", "security.py", "mail.py",
            "templating.py", "demo.py", "models.py", "__init__.py"}


def pure_modules() -> list[Path]:
    """Every module inside a domain package that is not a model, view, form or service module."""
    found = []
    for path in sorted((ROOT / "lms").glob("*/*.py")):
        if path.parent.name == "migrations" or path.name in NOT_PURE:
            continue
        found.append(path)
    return found + sorted((ROOT / "exercises").glob("*/check.py"))


def imported_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_there_are_pure_modules_to_check():
    assert len(pure_modules()) >= 3


def test_pure_modules_import_no_flask_extensions_or_models():
    offenders = []
    for path in pure_modules():
        for name in imported_names(path):
            if name.startswith(FORBIDDEN) or name.endswith(".models") or name.endswith(".services"):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_the_checker_is_able_to_flag_a_forbidden_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from flask import request\nimport lms.accounts.models\n")
    assert {"flask", "lms.accounts.models"} <= imported_names(bad)
