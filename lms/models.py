"""Imports every package's models so the metadata is complete for create_all and Alembic."""

from __future__ import annotations

import importlib

PACKAGES = ("identity", "tracking", "content", "learning", "accounts", "practice", "assessment", "reports",
            "certificates")


def load_all() -> None:
    """Import lms.<package>.models for each package that has one."""
    for package in PACKAGES:
        try:
            importlib.import_module(f"lms.{package}.models")
        except ModuleNotFoundError as exc:
            if exc.name != f"lms.{package}.models" and exc.name != f"lms.{package}":
                raise
