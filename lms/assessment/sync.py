"""Stores the assessment-only questions of courses/assessments/ when content sync announces them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import select

from lms.assessment.models import AssessmentQuestion
from lms.content.signals import question_banks_synced
from lms.extensions import db


def sync_question_bank(banks: Mapping[str, Sequence[dict]], now: datetime) -> int:
    """Upsert each competency's assessment-only questions (rendered question dicts with `id` and `difficulty`).

    Questions no longer in a file are archived, never deleted, so attempts that drew them still show them.
    Returns how many questions are active. Flushes, never commits.
    """
    existing = {(q.competency_slug, q.question_id): q for q in db.session.scalars(select(AssessmentQuestion))}
    active = 0
    for competency, questions in banks.items():
        for question in questions:
            row = existing.pop((competency, question["id"]), None)
            if row is None:
                row = AssessmentQuestion(competency_slug=competency, question_id=question["id"])
                db.session.add(row)
            row.difficulty, row.question = question["difficulty"], question
            row.is_archived, row.synced_at = False, now
            active += 1
    for row in existing.values():
        row.is_archived = True
    db.session.flush()
    return active


@question_banks_synced.connect
def _store_banks(sender, *, banks: Mapping[str, Sequence[dict]], now: datetime) -> None:
    sync_question_bank(banks, now)
