"""Knowledge-check answers as cmi.interaction (xAPI Data 2.4.4.1): the choices, the right ones and the learner's
response share one id format, the question carries its own score, and answers recorded before this still serve."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from lms.content.models import Module
from lms.content.sync import sync_content
from lms.extensions import db
from lms.tracking import xapi
from lms.tracking.models import Statement
from lms.tracking.statements import as_xapi, xapi_site
from lms.tracking.validation import statement_problems
from tests.factories import make_org, make_user
from tests.tracking.rows import SITE, row

INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"


def answered(result: dict, interaction: dict | None) -> dict:
    context = {"interaction": interaction} if interaction is not None else None
    return xapi.to_xapi(row("answered", result=result, context=context), SITE)


def test_an_answer_defines_its_question_as_a_choice_interaction():
    statement = answered({"success": True, "response": [2, 0], "score": {"raw": 1, "min": 0, "max": 1}},
                         {"type": "choice", "choices": ["Why now", "The owners", "The logo"], "correct": [2, 0]})
    definition = statement["object"]["definition"]
    assert definition["type"] == INTERACTION
    assert definition["interactionType"] == "choice"
    assert definition["choices"] == [{"id": "0", "description": {"en-GB": "Why now"}},
                                     {"id": "1", "description": {"en-GB": "The owners"}},
                                     {"id": "2", "description": {"en-GB": "The logo"}}]
    assert definition["correctResponsesPattern"] == ["0[,]2"]
    assert statement["result"]["response"] == "2[,]0"  # the learner's ids, in the same format
    assert statement_problems(statement) == []


def test_the_result_carries_the_questions_own_score():
    right = answered({"success": True, "response": [1], "score": {"raw": 1, "min": 0, "max": 1}},
                     {"type": "choice", "choices": ["a", "b"], "correct": [1]})["result"]
    wrong = answered({"success": False, "response": [0], "score": {"raw": 0, "min": 0, "max": 1}},
                     {"type": "choice", "choices": ["a", "b"], "correct": [1]})["result"]
    assert right["score"] == {"scaled": 1.0, "raw": 1, "min": 0, "max": 1} and right["success"] is True
    assert wrong["score"] == {"scaled": 0.0, "raw": 0, "min": 0, "max": 1} and wrong["success"] is False


def test_a_single_answer_pattern_has_no_delimiter():
    statement = answered({"success": False, "response": [0]},
                         {"type": "choice", "choices": ["a", "b", "c"], "correct": [1]})
    assert statement["object"]["definition"]["correctResponsesPattern"] == ["1"]
    assert statement["result"]["response"] == "0"


def test_the_module_score_and_first_attempt_stay_as_result_extensions_and_the_interaction_is_not_an_extension():
    statement = xapi.to_xapi(row("answered"), SITE)
    extensions = statement["result"]["extensions"]
    assert extensions["https://abm-academy.org/xapi/extensions/module_score"] == 33
    assert extensions["https://abm-academy.org/xapi/extensions/first_attempt"] is True
    assert not any("interaction" in key for key in statement["context"].get("extensions", {}))


def test_an_answer_recorded_before_interactions_is_still_a_valid_choice_statement():
    statement = answered({"success": False, "response": [0, 2], "score": 33}, None)
    definition = statement["object"]["definition"]
    assert definition["interactionType"] == "choice"
    assert "choices" not in definition and "correctResponsesPattern" not in definition
    assert statement["result"]["score"] == {"scaled": 0.33, "raw": 33, "min": 0, "max": 100}
    assert statement["result"]["response"] == "0[,]2"
    assert statement_problems(statement) == []
    assert statement_problems(xapi.ids_format(statement)) == []


@pytest.mark.parametrize("interaction", [
    {"type": "essay", "choices": ["a"], "correct": [0]},  # not an xAPI interaction type: served as choice
    {"type": {"odd": True}, "choices": ["a", "b"], "correct": [1]},
    {"choices": "a, b"},
    {"type": "choice", "choices": [None, 7], "correct": ["1"]},
])
def test_odd_recorded_interactions_still_make_valid_statements(interaction):
    statement = answered({"success": True, "response": [1]}, interaction)
    assert statement["object"]["definition"]["interactionType"] == "choice"
    assert statement_problems(statement) == []


def test_other_objects_carry_no_interaction():
    definition = xapi.to_xapi(row("completed"), SITE)["object"]["definition"]
    assert not {"interactionType", "choices", "correctResponsesPattern"} & set(definition)


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d.pop("interactionType"), "without an interactionType"),
    (lambda d: d.update(correctResponsesPattern="0"), "correctResponsesPattern must be a list of strings"),
    (lambda d: d.update(choices=[{"id": "0"}, {"id": "0"}]), "distinct"),
    (lambda d: d.update(choices=["Why now"]), "must be an object"),
    (lambda d: d.update(choices=[{"description": {"en-GB": "x"}}]), "id must be a non-empty string"),
    (lambda d: d.update(choices=[{"id": "0", "description": "x"}]), "language map"),
    (lambda d: d.update(interactionType="likert"), "choices"),
    (lambda d: d.update(interactionType="essay"), "interaction type"),
    (lambda d: d.update(interactionType={"type": "choice"}), "interaction type"),  # an object: a 400, not a crash
    (lambda d: d.update(interactionType=["choice"]), "interaction type"),
])
def test_a_broken_interaction_definition_is_reported(change, expected):
    statement = xapi.to_xapi(row("answered"), SITE)
    change(statement["object"]["definition"])
    problems = statement_problems(statement)
    assert any(expected in p for p in problems), problems


# --- Recorded at answer time ---------------------------------------------------------------------------------


@pytest.fixture
def enrolled(app, client, auth):
    sync_content(Path(app.config["COURSES_DIR"]), {})
    db.session.commit()
    org = make_org("Public courses", kind="public")
    learner = make_user(org, ("learner",), email="ada@example.com", name="Ada Lovelace")
    auth.login(learner.email)
    client.post("/courses/tiny-course/enrol")
    return db.session.scalar(select(Module).where(Module.slug == "choosing-target-accounts"))


def _answer(client, question_id: str, options: list[int]) -> None:
    response = client.post(f"/courses/tiny-course/choosing-target-accounts/questions/{question_id}",
                           data={"option": [str(i) for i in options]})
    assert response.status_code in (200, 302)


def _served(question_id: str) -> dict:
    found = db.session.scalars(select(Statement).where(Statement.verb == "answered")
                               .order_by(Statement.timestamp)).all()
    mine = [s for s in found if s.object_id.endswith(f"#{question_id}")]
    return as_xapi(mine[-1:], xapi_site())[0]


def test_answering_a_check_records_its_options_and_right_answers(client, enrolled):
    question = next(q for q in enrolled.questions if q["id"] == "choose-2")  # multiple: options 0 and 1 are right
    _answer(client, "choose-2", [0, 2])
    stored = db.session.scalar(select(Statement).where(Statement.verb == "answered"))
    assert stored.context["interaction"] == {"type": "choice", "choices": [o["text"] for o in question["options"]],
                                             "correct": [0, 1]}
    assert stored.result["score"] == {"raw": 0, "min": 0, "max": 1}
    statement = _served("choose-2")
    definition = statement["object"]["definition"]
    assert [c["description"]["en-GB"] for c in definition["choices"]] == [o["text"] for o in question["options"]]
    assert definition["correctResponsesPattern"] == ["0[,]1"]
    assert statement["result"]["response"] == "0[,]2"
    assert statement["result"]["success"] is False
    assert statement["result"]["score"] == {"scaled": 0.0, "raw": 0, "min": 0, "max": 1}
    assert statement_problems(statement) == []


def test_a_right_answer_scores_the_question_in_full(client, enrolled):
    _answer(client, "choose-1", [0])
    statement = _served("choose-1")
    assert statement["object"]["definition"]["correctResponsesPattern"] == ["0"]
    assert statement["result"]["response"] == "0"
    assert statement["result"]["success"] is True
    assert statement["result"]["score"] == {"scaled": 1.0, "raw": 1, "min": 0, "max": 1}
    assert statement_problems(statement) == []
