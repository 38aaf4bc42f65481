"""The assessment question bank: assessment-only questions by key, synced from courses/assessments/; never a module's."""

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
from tests.assessment.helpers import complete_module, paper_of, start

MODULES = ("choosing-target-accounts", "mapping-the-buying-group")


def test_the_bank_holds_only_assessment_only_questions_never_a_modules_knowledge_check(synced, people):
    items, questions = question_bank.bank(["account-selection", "buying-group-mapping"])
    assert all(key.startswith("assessments/") for key in questions)  # the tiny course's modules have questions too
    assert {i.key for i in items} == set(questions)
    by_competency = {}
    for item in items:
        by_competency.setdefault(item.competency, []).append(item)
    for competency in ("account-selection", "buying-group-mapping"):
        assert sorted(i.difficulty for i in by_competency[competency]) == [1, 1, 1, 2, 2, 2, 2, 3, 3, 3]
    assert questions["assessments/account-selection#as-easy-1"]["prompt_html"]  # rendered at sync


def test_no_module_question_is_ever_drawn_on_a_pre_or_a_post_paper(client, auth, synced, people):
    module_keys = {f"{COURSE}/{m}#{q}" for m, qs in ((MODULES[0], ("choose-1", "choose-2", "choose-3")),
                                                      (MODULES[1], ("map-1", "map-2", "map-3"))) for q in qs}
    assert question_bank.questions_for(module_keys).keys() == module_keys  # they exist, and old papers show them
    drawn = set()
    for person in (people.learner, people.classmate, people.coach, people.manager):
        auth.login(person.email)
        client.post(f"/courses/{COURSE}/enrol")
        pre = start(client, "pre")
        client.post(f"/assessments/attempts/{pre.id}/finish")
        for module in MODULES:
            complete_module(client, module)
        drawn |= {i.key for i in paper_of(pre)} | {i.key for i in paper_of(start(client, "post"))}
        auth.logout()
    assert drawn and all(key.startswith("assessments/") for key in drawn)


def test_sync_archives_a_removed_assessment_question_and_old_papers_still_show_it(app, synced, people):
    root = Path(app.config["COURSES_DIR"])
    bank = root / "assessments" / "buying-group-mapping.yaml"
    bank.write_text(bank.read_text().replace("id: bg-hard-2", "id: bg-hard-9"))  # the bank keeps its size
    sync_content(root, {})
    db.session.commit()
    row = db.session.scalar(select(AssessmentQuestion).where(AssessmentQuestion.question_id == "bg-hard-2"))
    assert row.is_archived
    items, _ = question_bank.bank(["buying-group-mapping"])
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
