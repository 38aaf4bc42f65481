"""A learner's double click, or two tabs opened at once, sends two requests that each find no progress row, no
answer, no enrolment yet, and each make one: the second to commit must not meet the first's row as an error page.
On SQLite and on PostgreSQL (CI runs this file on both: it uses the database).

The two requests run as two gunicorn workers would (tests/races.py); both are held just after they have read what
exists, so both read before either writes, every time."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.content.models import Module
from lms.content.sync import sync_content
from lms.extensions import db
from lms.learning import services
from lms.learning.models import Enrolment, ModuleProgress, QuestionAnswer
from lms.tracking.models import Statement
from tests.factories import make_org, make_user
from tests.races import held_before_adding, hold_first_two, own_connections, rows, signed_in, twice

COURSE = "/courses/tiny-course"
MODULE = f"{COURSE}/mapping-the-buying-group"
EMAIL = "double@example.com"


@pytest.fixture
def app_config(app_config, tmp_path):
    return own_connections(app_config, tmp_path)


@pytest.fixture
def learner(app, tmp_path):
    root = tmp_path / "courses"
    shutil.copytree(Path(app.config["COURSES_DIR"]), root)
    sync_content(root, {})
    org = make_org("Public courses", kind="public")
    user = make_user(org, ("learner",), email=EMAIL, name="Dee Click")
    db.session.commit()
    return user


def test_opening_a_module_in_two_tabs_at_once_shows_it_in_both(app, learner, monkeypatch):
    client = signed_in(app, EMAIL)
    client.post(f"{COURSE}/enrol")
    monkeypatch.setattr(services, "course_view", hold_first_two(services.course_view))
    assert twice(app, EMAIL, lambda c: c.get(MODULE)) == [200, 200]
    assert rows(ModuleProgress) == 1
    assert rows(Statement, Statement.verb == "launched") == 1


def test_a_double_click_on_check_answer_answers_once_and_shows_the_feedback(app, learner, monkeypatch):
    client = signed_in(app, EMAIL)
    client.post(f"{COURSE}/enrol")
    page = client.get(MODULE).get_data(as_text=True)
    question = re.search(r'action="[^"]*/questions/([^"#]+)#', page).group(1)
    monkeypatch.setattr(services, "answers_for", hold_first_two(services.answers_for))
    statuses = twice(app, EMAIL, lambda c: c.post(f"{MODULE}/questions/{question}", data={"option": "0"}))
    assert statuses == [200, 200]
    assert rows(QuestionAnswer) == 1
    attempts = db.session.scalar(select(QuestionAnswer.attempts))
    assert attempts == 2  # both clicks were answers: the second is a second attempt, not lost
    assert rows(Statement, Statement.verb == "answered") == 2


def test_a_double_click_on_enrol_enrols_once(app, learner):
    with held_before_adding(Enrolment):
        statuses = twice(app, EMAIL, lambda c: c.post(f"{COURSE}/enrol"))
    assert statuses == [302, 302]
    assert rows(Enrolment) == 1
    assert rows(Statement, Statement.verb == "enrolled") == 1


def _answer_every_question(client, module_url: str) -> None:
    """Answer each of the module's questions rightly."""
    module = db.session.scalar(select(Module).where(Module.slug == module_url.rsplit("/", 1)[1]))
    for question in module.questions:
        right = [str(i) for i, option in enumerate(question["options"]) if option.get("correct")]
        assert client.post(f"{module_url}/questions/{question['id']}", data={"option": right}).status_code == 200


def _completed(kind: str) -> int:
    return rows(Statement, Statement.verb == "completed", Statement.object_type == kind)


@pytest.mark.parametrize("last", [False, True], ids=["a module", "the last module"])
def test_a_double_click_on_mark_complete_completes_once(app, learner, monkeypatch, last):
    client = signed_in(app, EMAIL)
    client.post(f"{COURSE}/enrol")
    first = f"{COURSE}/choosing-target-accounts"
    _answer_every_question(client, first)
    if last:
        assert client.post(f"{first}/complete").status_code == 302
    module = MODULE if last else first
    _answer_every_question(client, module)
    # Both have read the module and the course as not completed.
    monkeypatch.setattr(services, "answers_for", hold_first_two(services.answers_for))
    assert twice(app, EMAIL, lambda c: c.post(f"{module}/complete")) == [302, 302]
    assert _completed("module") == (2 if last else 1)
    assert _completed("course") == (1 if last else 0)
    assert rows(Enrolment, Enrolment.completed_at.is_not(None)) == (1 if last else 0)
    if last:
        from lms.certificates.models import Certificate

        assert rows(Certificate) == 1
