"""The assessment question bank: the assessment-only questions of courses/assessments/, by key.

A key is "assessments/<competency>#<id>". Papers drawn before the bank became assessment-only may also hold a
module's question, "<course>/<module>#<id>": questions_for() still finds those, so old papers still show.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import select

from lms.assessment import item_stats, papers
from lms.assessment.models import AssessmentAnswer, AssessmentAttempt, AssessmentQuestion
from lms.content.models import Course, Module
from lms.extensions import db

ASSESSMENT_PREFIX = "assessments/"  # keys of assessment-only questions; the loader keeps that name off courses


def module_question_key(course_slug: str, module_slug: str, question_id: str) -> str:
    """Return the key of a module's knowledge-check question (found on papers drawn before the bank changed)."""
    return f"{course_slug}/{module_slug}#{question_id}"


def bank_question_key(competency: str, question_id: str) -> str:
    """Return the bank key of an assessment-only question."""
    return f"{ASSESSMENT_PREFIX}{competency}#{question_id}"


def _split_key(key: str) -> tuple[str, str, str] | None:
    """Return (folder, file, question id) of a question key, or None if it is malformed."""
    path, _, question_id = key.partition("#")
    folder, _, name = path.partition("/")
    return (folder, name, question_id) if folder and name and question_id else None


def bank(competencies: Collection[str]) -> tuple[list[papers.BankItem], dict[str, dict]]:
    """Return the bank items of these competencies and their questions by key (one query).

    The bank holds only the active assessment-only questions of courses/assessments/: a module's knowledge-check
    questions are never drawn, since the learner has already answered them (and seen their feedback) in the
    module, so they would measure memory of the module rather than capability.
    """
    items: list[papers.BankItem] = []
    questions: dict[str, dict] = {}
    for row in db.session.scalars(select(AssessmentQuestion).where(
            AssessmentQuestion.is_archived.is_(False), AssessmentQuestion.competency_slug.in_(set(competencies)))
            .order_by(AssessmentQuestion.competency_slug, AssessmentQuestion.question_id)):
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


@dataclass(frozen=True)
class ItemRow:
    """One bank question on the item statistics page."""

    competency: str
    question_id: str
    authored_difficulty: int  # 1 easy, 2 medium, 3 hard, as written in the bank
    prompt: str
    stat: item_stats.ItemStat


def item_statistics() -> list[ItemRow]:
    """Return every active bank question with its statistics over all closed papers (three queries in all).

    The closed attempts and their right answers are read in one query each, whatever the number of questions.
    """
    questions = db.session.scalars(select(AssessmentQuestion).where(AssessmentQuestion.is_archived.is_(False))
                                   .order_by(AssessmentQuestion.competency_slug, AssessmentQuestion.question_id)).all()
    closed = AssessmentAttempt.closed_at.is_not(None)
    right: dict[int, set[str]] = {}
    for attempt_id, key in db.session.execute(
            select(AssessmentAnswer.attempt_id, AssessmentAnswer.question_key)
            .join(AssessmentAttempt, AssessmentAttempt.id == AssessmentAnswer.attempt_id)
            .where(closed, AssessmentAnswer.is_correct.is_(True))):
        right.setdefault(attempt_id, set()).add(key)
    sittings = [item_stats.Sitting(attempt_id, user_id, started_at, tuple(item["key"] for item in paper or ()),
                                   frozenset(right.get(attempt_id, ())))
                for attempt_id, user_id, started_at, paper in db.session.execute(
                    select(AssessmentAttempt.id, AssessmentAttempt.user_id, AssessmentAttempt.started_at,
                           AssessmentAttempt.paper).where(closed))]
    stats = item_stats.item_stats([bank_question_key(q.competency_slug, q.question_id) for q in questions], sittings)
    return [ItemRow(q.competency_slug, q.question_id, q.difficulty, q.question.get("prompt", ""), stat)
            for q, stat in zip(questions, stats, strict=True)]
