"""The assessment question bank: module questions and assessment-only questions, by key.

A key is "<course>/<module>#<id>" for a module's question, "assessments/<competency>#<id>" for a bank's.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import select

from lms.assessment import papers
from lms.assessment.models import AssessmentQuestion
from lms.content.catalogue import DEFAULT_DIFFICULTY
from lms.content.models import Course, Module
from lms.extensions import db
from lms.identity.models import Organization
from lms.learning import services as learning

ASSESSMENT_PREFIX = "assessments/"  # keys of assessment-only questions; the loader keeps that name off courses


def module_question_key(course_slug: str, module_slug: str, question_id: str) -> str:
    """Return the bank key of a module's knowledge-check question."""
    return f"{course_slug}/{module_slug}#{question_id}"


def bank_question_key(competency: str, question_id: str) -> str:
    """Return the bank key of an assessment-only question."""
    return f"{ASSESSMENT_PREFIX}{competency}#{question_id}"


def _split_key(key: str) -> tuple[str, str, str] | None:
    """Return (folder, file, question id) of a question key, or None if it is malformed."""
    path, _, question_id = key.partition("#")
    folder, _, name = path.partition("/")
    return (folder, name, question_id) if folder and name and question_id else None


def bank(competencies: Collection[str], org: Organization) -> tuple[list[papers.BankItem], dict[str, dict]]:
    """Return the bank items of these competencies and their questions by key (two queries).

    The bank holds every question of the active modules the organisation can see, under each competency its
    module teaches (difficulty 2 unless the question gives one), and the active assessment-only questions.
    """
    wanted = set(competencies)
    items: list[papers.BankItem] = []
    questions: dict[str, dict] = {}
    rows = db.session.execute(
        select(Course.slug, Module.slug, Module.competencies, Module.questions)
        .join(Module, Module.course_id == Course.id)
        .where(learning.visible_courses_clause(org), Module.is_archived.is_(False))
        .order_by(Course.slug, Module.position)
    )
    for course_slug, module_slug, module_competencies, module_questions in rows:
        tagged = [c for c in module_competencies or () if c in wanted]
        for question in module_questions or ():
            if not tagged:
                break
            key = module_question_key(course_slug, module_slug, question["id"])
            questions[key] = question
            difficulty = question.get("difficulty", DEFAULT_DIFFICULTY)
            items.extend(papers.BankItem(key, competency, difficulty) for competency in tagged)
    for row in db.session.scalars(select(AssessmentQuestion).where(
            AssessmentQuestion.is_archived.is_(False), AssessmentQuestion.competency_slug.in_(wanted))):
        key = bank_question_key(row.competency_slug, row.question_id)
        questions[key] = row.question
        items.append(papers.BankItem(key, row.competency_slug, row.difficulty))
    return items, questions


def questions_for(keys: Iterable[str]) -> dict[str, dict]:
    """Return the questions with these keys (archived ones included, so old papers still show), by key.

    At most two queries; a key whose question no longer exists is left out.
    """
    module_keys, bank_keys = set(), set()
    for key in keys:
        parts = _split_key(key)
        if parts is not None:
            (bank_keys if key.startswith(ASSESSMENT_PREFIX) else module_keys).add(parts)
    found: dict[str, dict] = {}
    if module_keys:
        rows = db.session.execute(
            select(Course.slug, Module.slug, Module.questions).join(Module, Module.course_id == Course.id)
            .where(Course.slug.in_({c for c, _, _ in module_keys}), Module.slug.in_({m for _, m, _ in module_keys}))
        )
        for course_slug, module_slug, module_questions in rows:
            for question in module_questions or ():
                if (course_slug, module_slug, question["id"]) in module_keys:
                    found[module_question_key(course_slug, module_slug, question["id"])] = question
    if bank_keys:
        rows = db.session.scalars(select(AssessmentQuestion).where(
            AssessmentQuestion.competency_slug.in_({c for _, c, _ in bank_keys}),
            AssessmentQuestion.question_id.in_({q for _, _, q in bank_keys})))
        for row in rows:
            if (ASSESSMENT_PREFIX.rstrip("/"), row.competency_slug, row.question_id) in bank_keys:
                found[bank_question_key(row.competency_slug, row.question_id)] = row.question
    return found
