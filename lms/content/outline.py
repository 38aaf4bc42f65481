"""Course outlines for the learner pages: a course's active modules (titles, minutes, order, versions, and what
each module's file says: the lesson, its questions, objectives, competencies, exercises), read once per process
and content version instead of on every page.

A page listing a course's modules used to load every module row whole, decoding five JSON columns each (87 per
request on the real courses) to show titles. A course's content version is its `synced_at`: content sync, the
only writer of courses and modules, sets it whenever it runs, so the course row the page reads anyway says
whether the cached outline stands.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Select, bindparam, select

from lms.content.models import Course, Module
from lms.extensions import db


@dataclass(frozen=True, eq=False)
class ModuleOutline:
    """An active module as the learner pages use it, shared between requests (never change it)."""

    id: int
    course_id: int
    slug: str
    position: int
    title: str
    minutes: int
    version: str  # the hash of the module's file
    body_html: str
    questions: list[dict]  # with answers: never sent to the browser whole
    objectives: list[str]
    competencies: list[str]
    exercises: list[str]


# course id -> (its synced_at when read, its active modules in order). A sync replaces an entry: it sets the
# course's synced_at whenever it writes the course or its modules.
_outlines: dict[int, tuple[datetime, tuple[ModuleOutline, ...]]] = {}
_lock = threading.Lock()


def course_outline(course: Course) -> list[ModuleOutline]:
    """Return the course's active modules in order (empty if none): no query while the outline cached for the
    course's `synced_at` stands, one after a sync."""
    return course_outlines([course])[course.id]


def course_outlines(courses: Iterable[Course]) -> dict[int, list[ModuleOutline]]:
    """Return {course id: its active modules in order} for these courses (loaded rows: their `synced_at` is the
    content version). No query when every outline is cached for its version; otherwise one query for the modules
    of the courses whose version is new to this process."""
    wanted = {course.id: course.synced_at for course in courses}
    stale = [course_id for course_id, synced_at in wanted.items()
             if course_id not in _outlines or _outlines[course_id][0] != synced_at]
    if stale:
        _load(stale, wanted)
    return {course_id: list(_outlines[course_id][1]) for course_id in wanted}


def _load(course_ids: list[int], synced: dict[int, datetime]) -> None:
    rows = db.session.execute(_module_rows(), {"course_ids": course_ids}).all()
    found: dict[int, list[ModuleOutline]] = {course_id: [] for course_id in course_ids}
    for row in rows:
        # A sync committed since the course was read leaves its newer synced_at here: the next request reads again.
        synced[row.course_id] = row.synced_at
        found[row.course_id].append(ModuleOutline(
            row.id, row.course_id, row.slug, row.position, row.title, row.minutes, row.version, row.body_html or "",
            list(row.questions or ()), list(row.objectives or ()), list(row.competencies or ()),
            list(row.exercises or ())))
    with _lock:
        for course_id, modules in found.items():
            _outlines[course_id] = (synced[course_id], tuple(modules))


@cache
def _module_rows() -> Select:
    """Built once, run with parameters: building a statement and its cache key per request cost more than running
    it."""
    return (select(Module.id, Module.course_id, Module.slug, Module.position, Module.title, Module.minutes,
                   Module.version, Module.body_html, Module.questions, Module.objectives, Module.competencies,
                   Module.exercises, Course.synced_at)
            .join(Course, Course.id == Module.course_id)
            .where(Module.course_id.in_(bindparam("course_ids", expanding=True)), Module.is_archived.is_(False))
            .order_by(Module.course_id, Module.position, Module.id))
