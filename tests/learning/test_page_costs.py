"""What a learner's page costs the database: a fixed number of queries whatever the course's size and the learner's
history, no writes when a page is only re-read, and one "launched" statement per learner, module and day."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from lms.content.models import Course, Module
from lms.content.sync import sync_content
from lms.extensions import db
from lms.learning import services
from lms.learning.models import Enrolment, ModuleProgress, QuestionAnswer
from lms.tracking.models import Statement
from lms.tracking.services import record
from tests.factories import DEFAULT_PASSWORD, make_org, make_user

MODULE = "/courses/tiny-course/choosing-target-accounts"
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def learner(app):
    org = make_org("Public courses", kind="public")
    return make_user(org, ("learner",), email="ada@example.com", name="Ada Lovelace")


def _grow(root: Path, extra_modules: int) -> None:
    """Add modules to the tiny course (copies of its second module, each with its knowledge check) and sync."""
    course_yaml = root / "tiny-course" / "course.yaml"
    source = next(root.glob("tiny-course/02-*.md")).read_text()
    lines = []
    for n in range(extra_modules):
        slug = f"extra-module-{n}"
        (root / "tiny-course" / f"{n + 3:02d}-{slug}.md").write_text(
            source.replace("title: Mapping the buying group", f"title: Extra module {n}"))
        lines.append(f"  - {slug}\n")
    course_yaml.write_text(course_yaml.read_text() + "".join(lines))
    sync_content(root, {})
    db.session.commit()


def _history(user, org_id: int, statements: int) -> None:
    """Give the learner a long record: statements on earlier days."""
    old = datetime(2025, 1, 1)
    for n in range(statements):
        record(user, "launched", ("module", f"tiny-course/extra-module-{n % 7}", "Extra"), organization_id=org_id,
               course_slug="tiny-course", timestamp=old + timedelta(hours=n))
    db.session.commit()


def _reads(client, queries, url: str) -> list[str]:
    client.get(url)  # the first view of the day writes its launch; the re-read is measured
    with queries:
        assert client.get(url).status_code == 200
    return queries.statements


def _launches() -> int:
    return db.session.scalar(select(func.count()).select_from(Statement).where(Statement.verb == "launched"))


def test_re_reading_a_module_takes_a_fixed_number_of_queries_and_writes_nothing(
        client, auth, courses, learner, queries):
    auth.login(learner.email)
    client.post("/courses/tiny-course/enrol")
    small = _reads(client, queries, MODULE)
    assert not [s for s in small if s.lstrip().upper().startswith(WRITES)], small
    assert len(small) <= 6, small  # DESIGN.md: a learner page in at most 6 queries
    # The signed-in user; the course with the enrolment, the progress and this module's answers (one round trip).
    assert len(small) == 2, small
    # Launched today already is known from the progress row: the learning record is not asked.
    assert not [s for s in small if "statements" in s], small

    _grow(courses, extra_modules=12)
    client.get("/courses/tiny-course/extra-module-3")
    _history(learner, learner.memberships[0].organization_id, statements=300)
    large = _reads(client, queries, MODULE)
    assert len(large) == len(small), large
    assert not [s for s in large if s.lstrip().upper().startswith(WRITES)], large


@pytest.mark.parametrize(("url", "models"), [
    (MODULE, (ModuleProgress, QuestionAnswer, Course, Enrolment)),
    ("/courses/tiny-course", (ModuleProgress, QuestionAnswer, Course, Enrolment)),
    ("/dashboard", (ModuleProgress, QuestionAnswer)),
])
def test_re_reading_a_learner_page_builds_no_objects_of_the_rows_it_only_reads(client, auth, courses, learner, url,
                                                                               models):
    """The learner pages read progress and answers, and the course page and module page the course and the
    learner's enrolment, as plain rows: ORM objects of them cost more than the query (about 20 µs each), and a course
    has a progress row per module. Only a request that changes one loads its object."""
    auth.login(learner.email)
    client.post("/courses/tiny-course/enrol")
    client.get(MODULE)
    question = db.session.scalar(select(Module).where(Module.slug == "choosing-target-accounts")).questions[0]
    right = next(i for i, o in enumerate(question["options"]) if o["correct"])
    client.post(f"{MODULE}/questions/{question['id']}", data={"option": right})
    client.get("/courses/tiny-course/mapping-the-buying-group")
    client.get(url)
    built = []

    def loaded(target, context) -> None:
        built.append(target)

    for model in models:
        event.listen(model, "load", loaded)
    try:
        page = client.get(url)
    finally:
        for model in models:
            event.remove(model, "load", loaded)
    assert page.status_code == 200
    assert built == []


@pytest.mark.parametrize("url", ["/courses/tiny-course", "/dashboard"])
def test_course_page_and_dashboard_queries_do_not_grow_with_the_course(
        client, auth, courses, learner, queries, url):
    auth.login(learner.email)
    client.post("/courses/tiny-course/enrol")
    client.get(MODULE)
    small = _reads(client, queries, url)
    _grow(courses, extra_modules=12)
    client.get("/courses/tiny-course/extra-module-5")
    _history(learner, learner.memberships[0].organization_id, statements=100)
    large = _reads(client, queries, url)
    assert len(large) == len(small), large
    assert not [s for s in large if s.lstrip().upper().startswith(WRITES)], large


def test_a_module_viewed_twice_in_a_day_is_launched_once_and_again_the_next_day(
        client, auth, courses, learner, monkeypatch):
    auth.login(learner.email)
    client.post("/courses/tiny-course/enrol")
    today = datetime(2026, 3, 10, 9, 30)
    monkeypatch.setattr(services, "utcnow", lambda: today)
    client.get(MODULE)
    today = datetime(2026, 3, 10, 17, 45)
    client.get(MODULE)
    assert _launches() == 1
    client.get("/courses/tiny-course/mapping-the-buying-group")  # another module is another launch
    assert _launches() == 2
    today = datetime(2026, 3, 11, 8, 0)
    client.get(MODULE)
    client.get(MODULE)
    assert _launches() == 3
    stamps = db.session.scalars(select(Statement.timestamp).where(
        Statement.verb == "launched", Statement.object_id == "tiny-course/choosing-target-accounts")
        .order_by(Statement.timestamp)).all()
    assert stamps == [datetime(2026, 3, 10, 9, 30), datetime(2026, 3, 11, 8, 0)]


def test_a_re_read_brings_the_learner_s_answers_to_that_module_and_no_other(client, auth, courses, learner):
    auth.login(learner.email)
    client.post("/courses/tiny-course/enrol")
    client.post(f"{MODULE}/questions/choose-1", data={"option": "1"})
    client.post(f"{MODULE}/questions/choose-2", data={"option": "0"})
    page = client.get(MODULE).get_data(as_text=True)
    assert page.count("Check again") == 2 and page.count("Check answer") == 1
    assert "Not yet right: try again." in page
    org = learner.memberships[0].organization
    here = services.course_view(learner, org, "tiny-course", module="choosing-target-accounts")
    assert sorted(here.answers) == ["choose-1", "choose-2"] and here.current.slug == "choosing-target-accounts"
    there = services.course_view(learner, org, "tiny-course", module="mapping-the-buying-group")
    assert there.answers == {} and set(there.progress) == set(here.progress)  # every module's progress still
    other = make_user(org, ("learner",), email="grace@example.com")
    client.post("/logout")
    auth.login(other.email)
    client.post("/courses/tiny-course/enrol")
    assert "Check again" not in client.get(MODULE).get_data(as_text=True)  # Ada's answers are hers


def test_re_reading_still_moves_the_resume_point(client, auth, courses, learner):
    auth.login(learner.email)
    client.post("/courses/tiny-course/enrol")
    client.get(MODULE)
    client.get("/courses/tiny-course/mapping-the-buying-group")
    client.get(MODULE)  # launched today already: no statement, but the learner is back on the first module
    assert "Resume: Choosing target accounts" in client.get("/dashboard").get_data(as_text=True)
    assert _launches() == 2


@pytest.fixture
def csrf_on(app_config) -> None:
    app_config["WTF_CSRF_ENABLED"] = True


def _token(page: str) -> list[str]:
    """The CSRF token of each form on the page, in order."""
    return [re.search(r'value="([^"]*)"', tag).group(1) for tag in re.findall(r'<input[^>]*name="csrf_token"[^>]*>', page)]


def test_every_form_on_the_module_page_posts_with_the_page_s_one_token(csrf_on, client, courses, learner):
    login = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"email": learner.email, "password": DEFAULT_PASSWORD, "csrf_token": _token(login)[0]})
    course = client.get("/courses/tiny-course").get_data(as_text=True)
    assert client.post("/courses/tiny-course/enrol", data={"csrf_token": _token(course)[0]}).status_code == 302
    page = client.get(MODULE).get_data(as_text=True)
    tokens = _token(page)
    assert page.count("<form ") == len(tokens) >= 4  # two questions, mark complete, sign out
    assert len(set(tokens)) == 1
    module = db.session.scalar(select(Module).where(Module.slug == "choosing-target-accounts"))
    question = module.questions[0]
    right = [str(i) for i, o in enumerate(question["options"]) if o["correct"]]
    answered = client.post(f"{MODULE}/questions/{question['id']}", data={"option": right, "csrf_token": tokens[0]})
    assert answered.status_code == 200 and "Correct." in answered.get_data(as_text=True)
    assert client.post(f"{MODULE}/questions/{question['id']}", data={"option": right}).status_code == 400
