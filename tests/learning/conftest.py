"""Fixtures shared by the learning tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lms.content.sync import sync_content
from lms.extensions import db


@pytest.fixture
def courses(app, tmp_path) -> Path:
    """A copy of the fixture courses, synced, that a test may edit or grow (sync it again after)."""
    root = tmp_path / "courses"
    shutil.copytree(Path(app.config["COURSES_DIR"]), root)
    sync_content(root, {})
    db.session.commit()
    return root
