"""The only part that writes content to the database: upserts courses/ idempotently, archives what was removed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from flask import current_app, render_template, url_for
from sqlalchemy import select

from lms.content import catalogue as loaded
from lms.content import loader
from lms.content.models import Competency, Course, Module
from lms.content.render import render_inline, render_module
from lms.content.signals import question_banks_synced
from lms.database import utcnow
from lms.extensions import db


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    archived: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{len(self.created)} new, {len(self.updated)} updated, {self.unchanged} unchanged, "
                f"{len(self.archived)} archived")


def _question_html(question: loaded.Question) -> dict:
    data = asdict(question)
    data["prompt_html"] = render_inline(question.prompt)
    data["explanation_html"] = render_inline(question.explanation)
    for option, source in zip(data["options"], question.options, strict=True):
        option["text_html"] = render_inline(source.text)
        option["feedback_html"] = render_inline(source.feedback)
    return data


def _render(module: loaded.Module, course: loaded.Course, exercises: dict) -> str:
    slugs = {m.slug for m in course.modules}

    def module_url(slug: str) -> str | None:
        return url_for("learning.module_show", course=course.slug, module=slug) if slug in slugs else None

    def asset_url(path: str) -> str:
        return url_for("learning.course_asset", course=course.slug, path=path)

    def exercise_card(slug: str) -> str:
        url = url_for("practice.exercise_show", slug=slug)
        return render_template("learning/_exercise_card.html", exercise=exercises.get(slug), slug=slug, url=url)

    return render_module(module.body_markdown, module_url=module_url, asset_url=asset_url, exercise_card=exercise_card)


def sync_content(courses_root: Path, exercises: dict) -> SyncReport:
    """Load courses/ and upsert competencies, courses and modules; return what changed.

    A module whose file changed gets a new version (its content hash); learners' progress keeps the version
    it was completed against. Modules and courses no longer in the tree are archived, never deleted.
    The assessment-only questions in courses/assessments/ are sent with `question_banks_synced` (the assessment
    package stores them).
    Raises loader.ContentError when the tree is invalid (nothing is written then). Flushes, never commits.
    """
    catalogue = loader.load_catalogue(courses_root, exercise_slugs=set(exercises))
    banks = loader.load_assessments(courses_root, {c.slug for c in catalogue.competencies})
    report = SyncReport()
    existing = {c.slug: c for c in db.session.scalars(select(Competency))}
    for position, comp in enumerate(catalogue.competencies):
        row = existing.pop(comp.slug, None) or Competency(slug=comp.slug)
        row.name, row.description, row.position, row.is_archived = comp.name, comp.description, position, False
        row.levels = {str(k): v for k, v in comp.levels.items()}
        db.session.add(row)
    for row in existing.values():
        row.is_archived = True

    courses = {c.slug: c for c in db.session.scalars(select(Course))}
    modules = {(m.course_id, m.slug): m for m in db.session.scalars(select(Module))}
    seen_courses, seen_modules = set(), set()
    now = utcnow()
    with current_app.test_request_context("/"):
        for course in catalogue.courses:
            row = courses.get(course.slug)
            if row is None:
                row = Course(slug=course.slug)
                db.session.add(row)
                report.created.append(course.slug)
            row.title, row.audience, row.summary = course.title, course.audience, course.summary
            row.outcomes, row.pass_mark = list(course.outcomes), course.pass_mark
            row.required_exercises = list(course.required_exercises)
            row.certificate_issue, row.validity_months = course.certificate_issue, course.validity_months
            row.prework, row.attendance_required = list(course.prework), course.attendance_required
            row.follow_up_days = course.follow_up_days
            row.minutes = sum(m.minutes for m in course.modules)
            row.module_count, row.is_archived, row.synced_at = len(course.modules), False, now
            db.session.flush()
            seen_courses.add(row.id)
            for module in course.modules:
                key = (row.id, module.slug)
                seen_modules.add(key)
                mrow = modules.get(key)
                if mrow is not None and mrow.version == module.content_hash and not mrow.is_archived:
                    mrow.position = module.position
                    report.unchanged += 1
                    continue
                if mrow is None:
                    mrow = Module(course_id=row.id, slug=module.slug)
                    db.session.add(mrow)
                    report.created.append(f"{course.slug}/{module.slug}")
                else:
                    report.updated.append(f"{course.slug}/{module.slug}")
                mrow.position, mrow.title, mrow.minutes = module.position, module.title, module.minutes
                mrow.competencies, mrow.objectives = list(module.competencies), list(module.objectives)
                mrow.exercises = list(module.exercises)
                mrow.questions = [_question_html(q) for q in module.questions]
                mrow.owner, mrow.last_reviewed = module.owner, module.last_reviewed
                mrow.review_every_days = module.review_every_days
                mrow.body_html = _render(module, course, exercises)
                mrow.version, mrow.version_changed_at, mrow.is_archived = module.content_hash, now, False
    for key, mrow in modules.items():
        if key not in seen_modules and not mrow.is_archived:
            mrow.is_archived = True
            report.archived.append(mrow.slug)
    for crow in courses.values():
        if crow.id not in seen_courses and not crow.is_archived:
            crow.is_archived = True
            report.archived.append(crow.slug)
    _sync_assessments(banks, now)
    db.session.flush()
    return report


def _sync_assessments(banks: dict[str, loaded.QuestionBank], now) -> None:
    """Hand courses/assessments/ to whoever stores them (the assessment package subscribes): content stays the
    only part that reads content files, and imports nothing above it."""
    question_banks_synced.send(
        None, banks={slug: [_question_html(q) for q in bank.questions] for slug, bank in banks.items()}, now=now)
