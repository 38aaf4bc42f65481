"""The dashboard's workshop panels through the real page: an attendee's session, pre-work, waiting place,
follow-up and missed session; what comes after a completed course; a coach's sessions; each role's landing."""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.content.models import Module
from lms.extensions import db
from lms.learning.models import Enrolment
from lms.workshops import schedule, services
from tests.factories import make_cohort, make_org, make_user


@pytest.fixture
def ada(provider):
    return make_user(None, (), email="ada@example.com", name="Ada Lovelace")


def _people(n: int):
    return [make_user(None, (), name=f"Attendee {i}") for i in range(n)]


def _book(session, user, *, before_start: bool = False):
    """Book `user`; a session that has already started is booked as if a week before it began."""
    booking = services.book(session, user, session.starts_at - timedelta(days=7) if before_start else None)
    db.session.commit()
    return booking


def _dashboard(client) -> str:
    response = client.get("/dashboard")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _complete_module(client, slug: str) -> None:
    """Answer a tiny-course module's questions right and mark it complete, through the pages."""
    module = db.session.scalar(select(Module).where(Module.slug == slug))
    for question in module.questions:
        picks = [str(i) for i, o in enumerate(question["options"]) if o.get("correct")]
        client.post(f"/courses/tiny-course/{slug}/questions/{question['id']}", data={"option": picks})
    assert client.post(f"/courses/tiny-course/{slug}/complete").status_code == 302


def _london(value) -> str:
    return f"{value.replace(tzinfo=UTC).astimezone(ZoneInfo('Europe/London')):%-d %b %Y, %H:%M}"


# --- the attendee ----------------------------------------------------------------------------------------------


def test_a_booked_attendee_sees_the_session_and_pre_work_which_counts_up_as_modules_are_done(
        client, auth, make_session, ada) -> None:
    session = make_session(days_ahead=30)
    _book(session, ada)
    auth.login(ada.email)
    page = _dashboard(client)
    assert session.title in page
    assert schedule.part_text(session.starts_at, session.ends_at, "Europe/London") in page
    assert "(London time)" in page
    assert "12 St John Street, London EC1M 4AY" in page
    assert f'href="/workshops/{session.id}/calendar.ics"' in page and "Add to calendar" in page
    due = schedule.moment_text(session.starts_at, "Europe/London")
    assert f"Pre-work: 0 of 1 module done, due before {due}" in page
    assert ('href="/courses/tiny-course/choosing-target-accounts">Next pre-work: Choosing target accounts'
            in page)
    assert f'href="/workshops/{session.id}/move">Change date' in page
    assert f'href="/workshops/{session.id}">Cancel your place' in page
    assert "Choose your first course" not in page

    _complete_module(client, "choosing-target-accounts")
    page = _dashboard(client)
    assert "Pre-work: 1 of 1 module done" in page and "Pre-work done" in page
    assert "Next pre-work" not in page


def test_working_in_another_organisation_the_attendee_is_offered_the_switch_to_do_the_pre_work(
        client, auth, make_session, provider) -> None:
    client_org = make_org("Northwind")
    ben = make_user(client_org, ("learner",), email="ben@northwind.example")
    session = make_session(days_ahead=30)
    _book(session, ben)
    auth.login(ben.email)
    client.post(f"/organizations/{client_org.id}/switch")
    page = _dashboard(client)
    assert session.title in page and "Pre-work: 0 of 1 module done" in page
    assert "/courses/tiny-course/choosing-target-accounts" not in page  # it would not open from Northwind
    assert f'action="/organizations/{provider.id}/switch"' in page and "Switch to Public courses" in page


def test_a_virtual_session_shows_its_join_link_to_the_booked_attendee(client, auth, make_session, ada) -> None:
    session = make_session(days_ahead=10, delivery="virtual")
    _book(session, ada)
    auth.login(ada.email)
    assert 'href="https://meet.example.com/abm-workshop"' in _dashboard(client)


def test_a_waiting_attendee_sees_their_place_and_what_happens_next(client, auth, make_session, ada) -> None:
    session = make_session(days_ahead=30, capacity=1, delivery="virtual")
    first, second = _people(2)
    _book(session, first)
    _book(session, second)
    _book(session, ada)
    auth.login(ada.email)
    page = _dashboard(client)
    assert "Waiting list: number 2" in page
    assert "If a seat comes free before it starts" in page
    assert "meet.example.com" not in page  # the join link is for confirmed seats only
    assert "Add to calendar" not in page and "Pre-work" not in page


def test_after_the_session_the_follow_up_shows_its_due_date_and_the_coach_who_reviews_it(
        client, auth, make_session, ada) -> None:
    session = make_session(days_ahead=-2)
    _book(session, ada, before_start=True)
    auth.login(ada.email)
    page = _dashboard(client)
    due = services.follow_up_due(session)
    assert f"Follow-up due {_london(due)}" in page
    assert "your exercises on your own accounts" in page.lower()
    assert "Chloe Adeyemi, who ran the session, reviews them." in page
    assert 'href="/exercises">Go to your exercises' in page
    assert "Add to calendar" not in page and "Pre-work" not in page


def test_someone_marked_absent_is_missed_and_offered_the_next_session(client, auth, make_session, ada, coach) -> None:
    missed = make_session(days_ahead=-2)
    booking = _book(missed, ada, before_start=True)
    services.mark_attendance(missed, {booking.id: "absent"}, by=coach)
    db.session.commit()
    auth.login(ada.email)
    page = _dashboard(client)
    assert "We missed you" in page and "No other date is open for booking yet" in page
    assert "Follow-up due" not in page

    following = make_session(days_ahead=21)
    page = _dashboard(client)
    assert "We missed you" in page
    assert schedule.part_text(following.starts_at, following.ends_at, "Europe/London") in page
    assert f'href="/workshops/{missed.id}/move">Move to the next session' in page


def test_completing_the_course_shows_the_certificate_post_assessment_and_the_in_house_next_step(
        client, auth, make_session, ada, coach) -> None:
    session = make_session(days_ahead=-2)
    booking = _book(session, ada, before_start=True)
    services.mark_attendance(session, {booking.id: "present"}, by=coach)
    db.session.commit()
    auth.login(ada.email)
    assert "What comes next" not in _dashboard(client)

    _complete_module(client, "choosing-target-accounts")
    _complete_module(client, "mapping-the-buying-group")
    assert db.session.scalar(select(Enrolment.completed_at).where(Enrolment.user_id == ada.id)) is not None
    code = db.session.scalar(select(Certificate.code).where(Certificate.user_id == ada.id))
    page = _dashboard(client)
    assert "What comes next" in page
    assert f'href="/certificates/{code}.pdf">Download your certificate' in page
    assert 'href="/assessments/tiny-course/post">post-course assessment' in page
    assert "Next step: bring your team" in page and 'href="/in-house">Bring your team' in page
    assert "Follow-up due" not in page  # the course is complete: its follow-up card is gone


def test_an_in_house_learner_who_completes_a_course_is_not_asked_to_bring_their_team(client, auth, provider) -> None:
    org = make_org("Northwind")
    make_user(org, ("learner",), email="ben@northwind.example")
    auth.login("ben@northwind.example")
    assert client.post("/courses/tiny-course/enrol").status_code == 302
    _complete_module(client, "choosing-target-accounts")
    _complete_module(client, "mapping-the-buying-group")
    page = _dashboard(client)
    assert "What comes next" in page and "Download your certificate" in page
    assert "post-course assessment" in page
    assert "Bring your team" not in page


# --- the coach -------------------------------------------------------------------------------------------------


def test_a_coach_sees_their_sessions_and_a_mark_attendance_link_once_one_has_ended_unmarked(
        client, auth, make_session, coach) -> None:
    upcoming = make_session(days_ahead=20, capacity=1, delivery="virtual")
    for person in _people(2):
        _book(upcoming, person)
    ended = make_session(days_ahead=-1)
    (attendee,) = _people(1)
    booking = _book(ended, attendee, before_start=True)
    auth.login(coach.email)
    page = _dashboard(client)
    assert "Workshop sessions you run" in page
    assert upcoming.title in page and "1 of 1 seats booked" in page and "1 waiting" in page
    assert f'href="/manage/workshops/{upcoming.id}">Bookings and waiting list' in page
    assert "1 attendee</strong> not yet marked" in page
    assert f'href="/manage/workshops/{ended.id}/sign-in">Mark attendance' in page
    assert "Choose your first course" not in page

    services.mark_attendance(ended, {booking.id: "present"}, by=coach)
    db.session.commit()
    page = _dashboard(client)
    assert "Mark attendance" not in page and "Everyone's attendance is marked" in page


# --- who sees "Choose your first course" ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coach", "manager", "org_admin"])
def test_only_learners_are_asked_to_choose_their_first_course(app, client, auth, role) -> None:
    org = make_org("Northwind")
    cohort = make_cohort(org, "Team")
    make_user(org, (role,), email="pat@northwind.example", cohort=cohort, cohort_role="coach" if role == "coach"
              else "learner")
    auth.login("pat@northwind.example")
    page = _dashboard(client)
    assert "Your work today" in page
    assert "Choose your first course" not in page


def test_a_platform_admin_outside_any_organisation_lands_on_the_platform_pages(client, auth, admin) -> None:
    auth.login(admin.email)
    page = _dashboard(client)
    assert "Platform administration" in page
    assert 'href="/platform/organizations">Organisations</a>: create a client organisation' in page
    assert 'href="/manage/workshops">Workshops</a>: the public sessions' in page
    assert "Choose your first course" not in page


def test_someone_in_no_organisation_is_told_how_to_get_in(app, client, auth) -> None:
    make_user(None, (), email="lone@example.com")
    auth.login("lone@example.com")
    page = _dashboard(client)
    assert "not in an organisation" in page and "Choose your first course" not in page


# --- queries -----------------------------------------------------------------------------------------------------


def _count(client, queries) -> int:
    with queries:
        _dashboard(client)
    return queries.count


def test_the_attendees_dashboard_runs_as_many_queries_for_many_bookings_as_for_few(
        client, auth, make_session, ada, coach, queries) -> None:
    def add_bookings() -> None:
        coming = make_session(days_ahead=20)
        _book(coming, ada)
        full = make_session(days_ahead=25, capacity=1)
        _book(full, make_user(None, ()))
        _book(full, ada)
        over = make_session(days_ahead=-3)
        _book(over, ada, before_start=True)
        missed = make_session(days_ahead=-6)
        booking = _book(missed, ada, before_start=True)
        services.mark_attendance(missed, {booking.id: "absent"}, by=coach)
        db.session.commit()

    add_bookings()
    auth.login(ada.email)
    _dashboard(client)  # warm the per-process caches (the course outlines) before counting
    few = _count(client, queries)
    for _ in range(3):
        add_bookings()
    page = _dashboard(client)
    assert page.count("Waiting list: number 1") == 4 and page.count("Next pre-work") == 4
    assert _count(client, queries) == few


def test_the_coachs_dashboard_runs_as_many_queries_for_many_sessions_as_for_few(
        client, auth, make_session, coach, queries) -> None:
    def add_sessions(n: int) -> None:
        upcoming = make_session(days_ahead=20 + n, capacity=1)
        _book(upcoming, make_user(None, ()))
        _book(upcoming, make_user(None, ()))
        ended = make_session(days_ahead=-1 - n)
        _book(ended, make_user(None, ()), before_start=True)

    add_sessions(0)
    auth.login(coach.email)
    few = _count(client, queries)
    for n in range(1, 4):
        add_sessions(n)
    assert _dashboard(client).count("Mark attendance") == 4
    assert _count(client, queries) == few
