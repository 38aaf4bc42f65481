"""Course outlines: a course's active modules read once per content version (the course's synced_at)."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select

from lms.content.models import Course, Module
from lms.content.outline import course_outline, course_outlines
from lms.content.sync import sync_content
from lms.extensions import db


def _synced_copy(app, tmp_path) -> tuple[Path, Course]:
    root = tmp_path / "courses"
    shutil.copytree(Path(app.config["COURSES_DIR"]), root)
    sync_content(root, {})
    db.session.commit()
    return root, db.session.scalar(select(Course).where(Course.slug == "tiny-course"))


def test_an_outline_lists_the_active_modules_in_order_with_their_content(app, tmp_path):
    _, course = _synced_copy(app, tmp_path)
    modules = course_outline(course)
    assert [m.slug for m in modules] == ["choosing-target-accounts", "mapping-the-buying-group"]
    rows = {m.slug: m for m in db.session.scalars(select(Module))}
    for outline in modules:
        row = rows[outline.slug]
        assert (outline.id, outline.title, outline.minutes, outline.version) == (row.id, row.title, row.minutes,
                                                                                 row.version)
        assert outline.body_html == row.body_html and outline.questions == row.questions
        assert outline.objectives == row.objectives and outline.competencies == row.competencies
    assert course_outlines([]) == {}


def test_an_outline_is_read_once_per_sync_and_again_after_one(app, tmp_path, queries):
    root, course = _synced_copy(app, tmp_path)
    first = course_outline(course)
    with queries:
        again = course_outline(course)
    assert queries.count == 0 and [m.version for m in again] == [m.version for m in first]
    assert "A new closing paragraph." not in again[0].body_html

    module_file = next(root.glob("tiny-course/01-*.md"))
    module_file.write_text(module_file.read_text() + "\nA new closing paragraph.\n")
    sync_content(root, {})
    db.session.commit()
    with queries:
        changed = course_outline(course)  # the same row, refreshed by the sync: a new synced_at
    assert queries.count == 1
    assert changed[0].version != first[0].version and "A new closing paragraph." in changed[0].body_html
    assert changed[1].version == first[1].version
    with queries:
        course_outline(course)
    assert queries.count == 0


def test_a_course_without_active_modules_has_an_empty_outline(app, tmp_path):
    _, course = _synced_copy(app, tmp_path)
    for module in db.session.scalars(select(Module).where(Module.course_id == course.id)):
        module.is_archived = True
    course.synced_at = course.synced_at.replace(microsecond=(course.synced_at.microsecond + 1) % 1_000_000)
    db.session.commit()
    assert course_outline(course) == []
