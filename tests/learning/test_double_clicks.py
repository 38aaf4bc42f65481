"""A learner's double click, or two tabs opened at once, sends two requests that each find no progress row, no
answer, no enrolment yet, and each make one: the second to commit must not meet the first's row as an error page.
On SQLite and on PostgreSQL (CI runs this file on both: it uses the database).

The two requests run in their own threads, app contexts, sessions and connections, as in two gunicorn workers; a
barrier holds both just after they have read what exists, so both read before either writes, every time."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from lms.content.models import Module
from lms.content.sync import sync_content
from lms.extensions import db
from lms.learning import services
from lms.learning.models import Enrolment, ModuleProgress, QuestionAnswer
from lms.tracking.models import Statement
from tests.conftest import TEST_DATABASE_URL
from tests.factories import DEFAULT_PASSWORD, make_org, make_user

COURSE = "/courses/tiny-course"
MODULE = f"{COURSE}/mapping-the-buying-group"


@pytest.fixture
def app_config(app_config, tmp_path):
    if not TEST_DATABASE_URL:
        # An in-memory SQLite database is one shared connection; a file gives each thread its own, as in production.
        app_config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'clicks.db'}"
    return app_config


@pytest.fixture
def learner(app, tmp_path):
    root = tmp_path / "courses"
    shutil.copytree(Path(app.config["COURSES_DIR"]), root)
    sync_content(root, {})
    org = make_org("Public courses", kind="public")
    user = make_user(org, ("learner",), email="double@example.com", name="Dee Click")
    db.session.commit()
    return user


def _signed_in(app):
    client = app.test_client()
    assert client.post("/login", data={"email": "double@example.com", "password": DEFAULT_PASSWORD}).status_code == 302
    return client


def _together(monkeypatch, name: str) -> None:
    """Make services.`name` hold each of the two requests, the first time it has read, until both have."""
    barrier = threading.Barrier(2)
    original = getattr(services, name)
    calls = iter(range(2))

    def held(*args, **kwargs):
        result = original(*args, **kwargs)
        if next(calls, None) is not None:
            barrier.wait(timeout=10)
        return result

    monkeypatch.setattr(services, name, held)


def _twice(app, send) -> list[int]:
    """Send the same request from two signed-in browsers at once; return the two status codes."""
    clients = [_signed_in(app) for _ in range(2)]
    statuses: list[int] = []

    def click(client):
        with client.application.app_context():
            statuses.append(send(client).status_code)

    threads = [threading.Thread(target=click, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses


def _count(model, *where) -> int:
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _csrf(client, url: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def test_opening_a_module_in_two_tabs_at_once_shows_it_in_both(app, learner, monkeypatch):
    client = _signed_in(app)
    client.post(f"{COURSE}/enrol")
    _together(monkeypatch, "course_view")
    assert _twice(app, lambda c: c.get(MODULE)) == [200, 200]
    assert _count(ModuleProgress) == 1
    assert _count(Statement, Statement.verb == "launched") == 1


def test_a_double_click_on_check_answer_answers_once_and_shows_the_feedback(app, learner, monkeypatch):
    client = _signed_in(app)
    client.post(f"{COURSE}/enrol")
    page = client.get(MODULE).get_data(as_text=True)
    question = re.search(r'action="[^"]*/questions/([^"#]+)#', page).group(1)
    _together(monkeypatch, "answers_for")
    statuses = _twice(app, lambda c: c.post(f"{MODULE}/questions/{question}", data={"option": "0"}))
    assert statuses == [200, 200]
    assert _count(QuestionAnswer) == 1
    attempts = db.session.scalar(select(QuestionAnswer.attempts))
    assert attempts == 2  # both clicks were answers: the second is a second attempt, not lost
    assert _count(Statement, Statement.verb == "answered") == 2


def test_a_double_click_on_enrol_enrols_once(app, learner):
    """Held when each is about to write its new enrolment: both have read that there is none."""
    barrier = threading.Barrier(2)
    calls = iter(range(2))

    def held(session, _context, _instances):
        if any(isinstance(row, Enrolment) for row in session.new) and next(calls, None) is not None:
            barrier.wait(timeout=10)

    event.listen(Session, "before_flush", held, insert=True)  # before the roll-ups' own listener writes
    try:
        statuses = _twice(app, lambda c: c.post(f"{COURSE}/enrol"))
    finally:
        event.remove(Session, "before_flush", held)
    assert statuses == [302, 302]
    assert _count(Enrolment) == 1
    assert _count(Statement, Statement.verb == "enrolled") == 1


def _answer_every_question(client, module_url: str) -> None:
    """Answer each of the module's questions rightly."""
    module = db.session.scalar(select(Module).where(Module.slug == module_url.rsplit("/", 1)[1]))
    for question in module.questions:
        right = [str(i) for i, option in enumerate(question["options"]) if option.get("correct")]
        assert client.post(f"{module_url}/questions/{question['id']}", data={"option": right}).status_code == 200


def _completed(kind: str) -> int:
    return _count(Statement, Statement.verb == "completed", Statement.object_type == kind)


@pytest.mark.parametrize("last", [False, True], ids=["a module", "the last module"])
def test_a_double_click_on_mark_complete_completes_once(app, learner, monkeypatch, last):
    client = _signed_in(app)
    client.post(f"{COURSE}/enrol")
    first = f"{COURSE}/choosing-target-accounts"
    _answer_every_question(client, first)
    if last:
        assert client.post(f"{first}/complete").status_code == 302
    module = MODULE if last else first
    _answer_every_question(client, module)
    _together(monkeypatch, "answers_for")  # both have read the module and the course as not completed
    assert _twice(app, lambda c: c.post(f"{module}/complete")) == [302, 302]
    assert _completed("module") == (2 if last else 1)
    assert _completed("course") == (1 if last else 0)
    assert _count(Enrolment, Enrolment.completed_at.is_not(None)) == (1 if last else 0)
    if last:
        from lms.certificates.models import Certificate

        assert _count(Certificate) == 1
