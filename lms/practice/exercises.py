"""The installed exercises as the app sees them: the registry loaded once from EXERCISES_DIR, titles, rendered
briefs, and the course modules they point learners to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from flask import abort, current_app
from sqlalchemy import select

from lms.content.models import Course, Module
from lms.content.render import render_module
from lms.extensions import db
from lms.identity.models import Organization
from lms.learning.services import visible_courses_clause
from lms.practice.briefs import list_indents_for_markdown
from lms.practice.findings import module_ref
from lms.practice.registry import Exercise, scan


def exercise_registry() -> dict[str, Exercise]:
    """Return the app's {slug: Exercise} registry, loaded once from EXERCISES_DIR.

    Exercises with faults are left out (and logged): `flask lms content check` reports them.
    """
    registry = current_app.extensions.get("lms_exercises")
    if registry is None:
        registry, problems = scan(Path(current_app.config["EXERCISES_DIR"]))
        for problem in problems:
            current_app.logger.warning("exercise not loaded: %s", problem)
        current_app.extensions["lms_exercises"] = registry
    return registry


def exercise_or_404(slug: str) -> Exercise:
    """Return the exercise with this slug, or abort 404."""
    exercise = exercise_registry().get(slug)
    if exercise is None:
        abort(404)
    return exercise


def exercise_title(slug: str) -> str:
    """Return an exercise's title, or its slug if it is no longer installed."""
    exercise = exercise_registry().get(slug)
    return exercise.title if exercise else slug.replace("-", " ").capitalize()


def brief_html(exercise: Exercise) -> str:
    """Return the exercise's brief as sanitised HTML, rendered once per version and kept in memory."""
    cache = current_app.extensions.setdefault("lms_exercise_briefs", {})
    key = (exercise.slug, exercise.version)
    if key not in cache:
        cache[key] = render_module(list_indents_for_markdown(exercise.brief_markdown), module_url=lambda _slug: None,
                                   asset_url=lambda path: path, exercise_card=lambda _slug: "")
    return cache[key]


@dataclass(frozen=True)
class ModuleLink:
    """A course module an exercise or a finding names, as the organisation's learners can open it."""

    ref: str  # "course-slug/module-slug"
    course: str
    module: str
    title: str
    minutes: int
    position: int


def module_links(org: Organization, refs: Iterable[str]) -> dict[str, ModuleLink]:
    """Return the active modules named by "course/module" refs that the organisation can see (one query)."""
    pairs = {r: p for r in set(refs) if (p := module_ref(r))}
    courses = {c for c, _ in pairs.values()}
    if not courses:
        return {}
    rows = db.session.execute(
        select(Course.slug, Module.slug, Module.title, Module.minutes, Module.position)
        .join(Module, Module.course_id == Course.id)
        .where(Course.slug.in_(courses), Module.is_archived.is_(False), visible_courses_clause(org))
    ).all()
    found = {f"{c}/{m}": ModuleLink(f"{c}/{m}", c, m, title, minutes, position)
             for c, m, title, minutes, position in rows}
    return {ref: found[ref] for ref in pairs if ref in found}
