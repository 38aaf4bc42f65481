"""Helpers for the assessment tests: start an attempt through the pages, read its paper, answer questions."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.assessment import papers, question_bank
from lms.assessment.models import AssessmentAttempt
from lms.content.models import Module
from lms.extensions import db
from tests.assessment.conftest import COURSE


def start(client, kind: str = "pre") -> AssessmentAttempt:
    response = client.post(f"/assessments/{COURSE}/{kind}/start")
    assert response.status_code == 302, response.get_data(as_text=True)
    attempt_id = int(re.search(r"/assessments/attempts/(\d+)$", response.headers["Location"]).group(1))
    return db.session.get(AssessmentAttempt, attempt_id)


def correct_options(key: str) -> list[int]:
    question = question_bank.questions_for([key])[key]
    return [i for i, option in enumerate(question["options"]) if option["correct"]]


def wrong_option(key: str) -> int:
    question = question_bank.questions_for([key])[key]
    return next(i for i, option in enumerate(question["options"]) if not option["correct"])


def answer(client, attempt: AssessmentAttempt, number: int, options: list[int]):
    return client.post(f"/assessments/attempts/{attempt.id}/questions/{number}",
                       data={"option": [str(i) for i in options]})


def paper_of(attempt: AssessmentAttempt) -> list[papers.PaperItem]:
    db.session.refresh(attempt)
    return [papers.PaperItem(**item) for item in attempt.paper]


def complete_module(client, module_slug: str) -> None:
    """Answer the module's knowledge check (a module cannot be completed without it), then complete it."""
    module = db.session.scalar(select(Module).where(Module.slug == module_slug))
    for question in module.questions:
        right = [i for i, option in enumerate(question["options"]) if option["correct"]]
        client.post(f"/courses/{COURSE}/{module_slug}/questions/{question['id']}",
                    data={"option": [str(i) for i in right]})
    response = client.post(f"/courses/{COURSE}/{module_slug}/complete")
    assert response.status_code == 302, response.get_data(as_text=True)
