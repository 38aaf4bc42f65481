"""The assessment question bank: module and assessment-only questions by key, synced from courses/assessments/."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from lms.assessment import question_bank
from lms.assessment.models import AssessmentQuestion
from lms.content.loader import ContentError
from lms.content.models import Course
from lms.content.sync import sync_content
from lms.extensions import db
from tests.assessment.conftest import COURSE

MODULES = ("choosing-target-accounts", "mapping-the-buying-group")


def test_the_bank_holds_module_questions_under_each_competency_and_the_assessment_only_ones(synced, people):
    items, questions = question_bank.bank(["account-selection", "buying-group-mapping"], people.org)
    module_keys = {k for k in questions if not k.startswith("assessments/")}
    assert module_keys == {f"{COURSE}/{m}#{q}" for m, qs in (
        (MODULES[0], ("choose-1", "choose-2", "choose-3")), (MODULES[1], ("map-1", "map-2", "map-3"))) for q in qs}
    assert len(questions) == 6 + 10
    by_competency = {}
    for item in items:
        by_competency.setdefault(item.competency, []).append(item)
    for competency in ("account-selection", "buying-group-mapping"):
        mine = by_competency[competency]
        assert len(mine) == 11  # both modules teach both competencies: 6 module questions plus 5 of its own
        assert {i.difficulty for i in mine if i.key in module_keys} == {2}  # modules default to medium
    assert {i.difficulty for i in by_competency["account-selection"] if i.key.startswith("assessments/")} == {1, 2, 3}
    assert questions["assessments/account-selection#as-easy-1"]["prompt_html"]  # rendered at sync


def test_sync_archives_a_removed_assessment_question_and_old_papers_still_show_it(app, synced, people):
    root = Path(app.config["COURSES_DIR"])
    bank = root / "assessments" / "buying-group-mapping.yaml"
    text = bank.read_text()
    bank.write_text(text[:text.index("  - id: bg-hard-2")])
    sync_content(root, {})
    db.session.commit()
    row = db.session.scalar(select(AssessmentQuestion).where(AssessmentQuestion.question_id == "bg-hard-2"))
    assert row.is_archived
    items, _ = question_bank.bank(["buying-group-mapping"], people.org)
    assert "assessments/buying-group-mapping#bg-hard-2" not in {i.key for i in items}
    assert question_bank.questions_for(["assessments/buying-group-mapping#bg-hard-2"])  # still shown on old papers


def test_sync_refuses_a_broken_assessment_file_and_writes_nothing(app):
    root = Path(app.config["COURSES_DIR"])
    bank = root / "assessments" / "account-selection.yaml"
    bank.write_text(bank.read_text().replace("id: as-easy-2", "id: as-easy-1"))
    with pytest.raises(ContentError) as caught:
        sync_content(root, {})
    assert [p.message for p in caught.value.problems] == ["duplicate question id 'as-easy-1'"]
    db.session.rollback()
    assert db.session.scalar(select(AssessmentQuestion)) is None
    assert db.session.scalar(select(Course)) is None
