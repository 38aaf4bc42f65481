"""The sign-in sheet through the real pages: who may see and mark it, marks copied to the enrolment (a course that
requires attendance completes only when present), read-only before the start, errors that lose nothing, the CSV
export, and the absent attendee's offer of the next session."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.learning import services as learning
from lms.learning.models import Enrolment
from lms.workshops import services
from lms.workshops.models import Booking
from tests.factories import make_org, make_user
from tests.smtp import body_of


def people(*names: str):
    return [make_user(None, (), email=f"{n.split()[0].lower()}@attendee.example", name=n, job_function="sales")
            for n in names]


def book(session, *users) -> list[Booking]:
    """Seats booked while booking was open (the session may have started since)."""
    early = session.booking_deadline - timedelta(hours=1)
    bookings = [services.book(session, user, early) for user in users]
    db.session.commit()
    return bookings


def enrolment_of(user) -> Enrolment:
    db.session.expire_all()
    return db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id))


def sheet_url(session) -> str:
    return f"/manage/workshops/{session.id}/sign-in"


@pytest.fixture
def started(make_session):
    """A session that started yesterday (09:00 UTC), with Ada and Ben booked."""
    session = make_session(days_ahead=-1)
    ada, ben = people("Ada Lovelace", "Ben Okafor")
    book(session, ada, ben)
    return session, ada, ben


def test_the_coach_marks_attendance_after_the_start_and_the_enrolments_follow(client, auth, started, coach) -> None:
    session, ada, ben = started
    auth.login(coach.email)
    page = client.get(sheet_url(session)).get_data(as_text=True)
    assert "Ada Lovelace" in page and "ada@attendee.example" in page and "Sales" in page
    assert "Pre-work 0 of 1 done" in page
    assert page.count('type="radio"') == 6 and "<legend>Ada Lovelace</legend>" in page
    a, b = (services.booking_for(session, u) for u in (ada, ben))

    response = client.post(sheet_url(session), data={f"mark-{a.id}": "partial", f"mark-{b.id}": "absent"},
                           follow_redirects=True)

    text = response.get_data(as_text=True)
    assert "Sign-in sheet saved: 0 present, 1 partial, 1 absent" in text
    assert enrolment_of(ada).attendance == "partial" and enrolment_of(ben).attendance == "absent"
    assert f'id="mark-{a.id}-partial" name="mark-{a.id}" value="partial" checked' in text
    assert "Marked partial by Chloe Adeyemi" in text


def complete_modules(user, org) -> bool:
    """Answer every check right and complete every module, as the learner's pages do."""
    view = learning.course_view(user, org, "tiny-course")
    finished = False
    for module in view.modules:
        for question in module.questions:
            right = [i for i, option in enumerate(question["options"]) if option.get("correct")]
            learning.answer(user, org, view, module, question["id"], right)
        finished = learning.complete_module(user, org, view, module) or finished
    db.session.commit()
    return finished


def test_a_course_that_requires_attendance_completes_when_present_and_not_when_absent(
        client, auth, started, coach, provider, course) -> None:
    session, ada, ben = started
    assert course.attendance_required and not course.required_exercises
    assert complete_modules(ada, provider) is False  # everything done but the session: not complete yet
    assert complete_modules(ben, provider) is False
    a, b = (services.booking_for(session, u) for u in (ada, ben))
    auth.login(coach.email)

    client.post(sheet_url(session), data={f"mark-{a.id}": "present", f"mark-{b.id}": "absent"})

    assert enrolment_of(ada).completed_at is not None
    assert enrolment_of(ben).completed_at is None and enrolment_of(ben).attendance == "absent"


def test_before_the_start_the_sheet_is_read_only_and_printable(client, auth, make_session, coach) -> None:
    session = make_session(days_ahead=10)
    (ada,) = people("Ada Lovelace")
    (booking,) = book(session, ada)
    auth.login(coach.email)
    page = client.get(sheet_url(session)).get_data(as_text=True)
    assert "Marking opens when the session starts" in page and "Print this page to sign in on paper" in page
    assert "Ada Lovelace" in page and 'type="radio"' not in page and "Signature" in page
    assert 'media="print"' not in page and "css/sign-in.css" in page  # print rules live in the stylesheet

    response = client.post(sheet_url(session), data={f"mark-{booking.id}": "present"})

    assert response.status_code == 422
    assert "once the session has started" in response.get_data(as_text=True)
    assert enrolment_of(ada).attendance == "booked"


def test_unknown_marks_or_bookings_show_the_error_and_keep_what_was_typed(client, auth, started, coach) -> None:
    session, ada, ben = started
    a, b = (services.booking_for(session, u) for u in (ada, ben))
    auth.login(coach.email)

    response = client.post(sheet_url(session), data={f"mark-{a.id}": "present", f"mark-{b.id}": "late"})

    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was saved: Mark each person present, partial or absent, not &#39;late&#39;." in text
    assert f'id="mark-{a.id}-present" name="mark-{a.id}" value="present" checked' in text  # what was typed stays
    assert enrolment_of(ada).attendance == "booked"
    response = client.post(sheet_url(session), data={f"mark-{a.id}": "present", "mark-999999": "absent"})
    assert response.status_code == 422 and "not on this session&#39;s sign-in sheet" in response.get_data(as_text=True)
    response = client.post(sheet_url(session), data={"mark-x1": "absent"})
    assert response.status_code == 422 and enrolment_of(ada).attendance == "booked"


def test_a_client_organisation_coach_gets_404(client, auth, started) -> None:
    session, _, _ = started
    outsider = make_user(make_org("Northwind"), ("coach", "manager"), email="cora@northwind.example")
    auth.login(outsider.email)
    assert client.get(sheet_url(session)).status_code == 404
    assert client.post(sheet_url(session), data={}).status_code == 404
    assert client.get(f"{sheet_url(session)}.csv").status_code == 404


def test_any_provider_coach_may_mark_a_session_but_a_learner_may_not(client, auth, started, provider) -> None:
    session, ada, ben = started
    a = services.booking_for(session, ada)
    auth.login(ada.email)  # a learner of the provider's organisation, booked on this very session
    assert client.get(sheet_url(session)).status_code == 404
    assert client.post(sheet_url(session), data={f"mark-{a.id}": "present"}).status_code == 404
    auth.logout()
    colleague = make_user(provider, ("coach",), email="dev@abm-academy.example", name="Dev Patel")
    auth.login(colleague.email)

    response = client.post(sheet_url(session), data={f"mark-{a.id}": "present"}, follow_redirects=True)

    assert "1 present, 0 partial, 0 absent, 1 not marked yet" in response.get_data(as_text=True)
    assert enrolment_of(ada).attendance == "present"


def test_the_sessions_own_coach_may_mark_it_while_working_in_another_organisation(
        client, auth, started, coach) -> None:
    session, ada, _ = started
    client_org = make_org("Northwind")
    from lms.identity import services as identity

    identity.add_role(coach, client_org, "coach")
    db.session.commit()
    auth.login(coach.email)
    with client.session_transaction() as cookie:
        cookie["org_id"] = client_org.id
    assert client.get(sheet_url(session)).status_code == 200
    a = services.booking_for(session, ada)
    client.post(sheet_url(session), data={f"mark-{a.id}": "present"})
    assert enrolment_of(ada).attendance == "present"


def test_a_platform_admin_may_see_the_sheet(client, auth, started, admin) -> None:
    session, _, _ = started
    auth.login(admin.email)
    assert "Ada Lovelace" in client.get(sheet_url(session)).get_data(as_text=True)


def test_the_export_has_every_column_and_is_safe_to_open_in_a_spreadsheet(client, auth, make_session, coach) -> None:
    session = make_session(days_ahead=-1)
    mallory = make_user(make_org("Northwind Analytics"), ("learner",), email="mallory@attendee.example",
                        name='=HYPERLINK("http://evil.example")')
    (ada,) = people("Ada Lovelace")
    book(session, mallory, ada)
    auth.login(coach.email)
    client.post(sheet_url(session), data={f"mark-{services.booking_for(session, ada).id}": "absent"})

    response = client.get(f"{sheet_url(session)}.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    local_day = session.starts_at.strftime("%Y-%m-%d")  # 09:00 UTC is the same day in London
    assert f'filename="sign-in-tiny-course-{local_day}.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Name", "Email", "Organisation", "Booked at (Europe/London)", "Attendance",
                       "Marked at (Europe/London)", "Marked by", "Pre-work done"]
    by_email = {r[1]: r for r in rows[1:]}
    assert by_email["mallory@attendee.example"][0] == "'=HYPERLINK(\"http://evil.example\")"
    assert by_email["mallory@attendee.example"][2] == "Northwind Analytics"  # their company, not the provider
    assert by_email["mallory@attendee.example"][4] == "Not marked"
    ada_row = by_email["ada@attendee.example"]
    assert ada_row[4] == "Absent" and ada_row[6] == "Chloe Adeyemi" and ada_row[7] == "0 of 1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", ada_row[3]) and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", ada_row[5])


def test_an_absent_attendee_is_emailed_the_next_session_with_a_link_to_move(
        app, client, auth, started, coach, make_session, smtp_server) -> None:
    app.config.update(smtp_server.config())
    session, ada, ben = started
    following = make_session(days_ahead=40)
    a, b = (services.booking_for(session, u) for u in (ada, ben))
    auth.login(coach.email)

    response = client.post(sheet_url(session), data={f"mark-{a.id}": "present", f"mark-{b.id}": "absent"},
                           follow_redirects=True)

    day = f"{following.starts_at:%a %-d %b %Y}"
    assert f"1 present, 0 partial, 1 absent; 1 offered the session on {day}" in response.get_data(as_text=True)
    [offer] = [m for m in smtp_server.messages if m["To"] == ben.email]
    assert f"/workshops/{session.id}/move" in body_of(offer)
    assert not [m for m in smtp_server.messages if m["To"] == ada.email]
    db.session.expire_all()
    assert db.session.get(Booking, b.id).next_offer_at is not None
    client.post(sheet_url(session), data={f"mark-{a.id}": "present", f"mark-{b.id}": "absent"})
    assert len([m for m in smtp_server.messages if m["To"] == ben.email]) == 1  # saving again offers nobody twice


def test_with_no_later_session_the_coach_is_told_nobody_was_offered_one(client, auth, started, coach) -> None:
    session, ada, _ = started
    auth.login(coach.email)
    response = client.post(sheet_url(session), data={f"mark-{services.booking_for(session, ada).id}": "absent"},
                           follow_redirects=True)
    assert "no later session of this course is open for booking, so nobody was offered one" in \
        response.get_data(as_text=True)
