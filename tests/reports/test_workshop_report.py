"""The provider's "Workshop sessions" report: figures per session and for the period, for platform admins and the
public organisation's managers only, in the same number of queries for 3 sessions as for 15."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from lms.database import utcnow
from lms.extensions import db
from lms.workshops import services
from tests.factories import make_org, make_user

_seq = iter(range(10_000))


def fill(session, booked: int, marks: tuple[str, ...] = (), coach=None) -> None:
    """Book `booked` people while booking was open; mark the first ones with `marks`."""
    early = session.booking_deadline - timedelta(hours=1)
    bookings = [services.book(session, make_user(None, (), email=f"p{next(_seq)}@attendee.example"), early)
                for _ in range(booked)]
    if marks:
        services.mark_attendance(session, {b.id: m for b, m in zip(bookings, marks, strict=False)}, coach)
    db.session.commit()


@pytest.fixture
def run_session(make_session, coach):
    """Yesterday's session: 4 seats, 2 booked, 1 present and 1 absent; and one still to come, 1 of 4 booked."""
    run = make_session(days_ahead=-1, capacity=4)
    fill(run, 2, ("present", "absent"), coach)
    upcoming = make_session(days_ahead=30, capacity=4)
    fill(upcoming, 1)
    return run, upcoming


def test_a_platform_admin_sees_each_session_and_the_summary(client, auth, admin, run_session) -> None:
    run, upcoming = run_session
    auth.login(admin.email)

    page = client.get("/reports/workshops").get_data(as_text=True)

    assert "Workshop sessions" in page and "ABM in Ten Minutes" in page
    run_day, upcoming_day = (f"{s.starts_at:%a %-d %b %Y}" for s in (run, upcoming))
    assert run_day in page and upcoming_day in page
    row = page.split(run_day, 1)[1].split("</tr>", 1)[0]
    cells = [c.split("<", 1)[0] for c in row.split('<td class="num">')[1:]]
    assert cells == ["4", "2", "0", "1", "0", "1", "0", "50%", "50%"]  # capacity .. no-show rate
    upcoming_row = page.split(upcoming_day, 1)[1].split("</tr>", 1)[0]
    assert [c.split("<", 1)[0] for c in upcoming_row.split('<td class="num">')[1:]][-3:] == ["–", "25%", "–"]
    figures = page.split('aria-label="Workshop figures"', 1)[1].split("</ul>", 1)[0]
    assert "1</span> <span class=\"label\">sessions run" in figures
    assert "50%</span> <span class=\"label\">average fill rate" in figures
    assert "50%</span> <span class=\"label\">no-show rate" in figures
    assert "people not marked on the sign-in sheet" not in page  # the session to come is not due a mark yet


def test_the_public_organisations_manager_sees_the_section_in_their_reports(client, auth, provider, run_session
                                                                           ) -> None:
    manager = make_user(provider, ("manager",), email="mina@abm-academy.example")
    auth.login(manager.email)
    index = client.get("/reports").get_data(as_text=True)
    assert 'id="workshop-sessions"' in index and "ABM in Ten Minutes" in index
    assert client.get("/reports/workshops").status_code == 200


def test_a_client_organisations_manager_does_not_see_the_providers_sessions(client, auth, run_session) -> None:
    manager = make_user(make_org("Northwind"), ("manager",), email="mo@northwind.example")
    auth.login(manager.email)
    index = client.get("/reports")
    assert index.status_code == 200 and 'id="workshop-sessions"' not in index.get_data(as_text=True)
    assert client.get("/reports/workshops").status_code == 404
    assert client.get("/reports/workshops.csv").status_code == 404


def test_a_provider_coach_who_is_not_a_manager_is_not_shown_the_report(client, auth, coach, run_session) -> None:
    auth.login(coach.email)
    assert client.get("/reports/workshops").status_code == 404


def test_the_period_narrows_the_sessions(client, auth, admin, run_session) -> None:
    run, upcoming = run_session
    auth.login(admin.email)
    end = (run.starts_at + timedelta(days=1)).date()
    page = client.get(f"/reports/workshops?end={end:%Y-%m-%d}").get_data(as_text=True)
    assert f"{run.starts_at:%a %-d %b %Y}" in page and f"{upcoming.starts_at:%a %-d %b %Y}" not in page
    page = client.get(f"/reports/workshops?start={(utcnow() + timedelta(days=3)).date():%Y-%m-%d}")
    assert "The start date is in the future" in page.get_data(as_text=True)


def test_the_sessions_export_as_csv(client, auth, admin, run_session) -> None:
    auth.login(admin.email)
    response = client.get("/reports/workshops.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Starts (local time)", "Time zone", "Course"]
    assert rows[1][2] == "ABM in Ten Minutes" and rows[1][5:] == ["4", "2", "0", "1", "0", "1", "0", "50.0", "50.0"]


def test_the_report_takes_the_same_queries_for_3_sessions_as_for_15(client, auth, provider, make_session, coach,
                                                                    queries) -> None:
    manager = make_user(provider, ("manager",), email="mina@abm-academy.example")
    for i in range(3):
        fill(make_session(days_ahead=-1 - i, capacity=4), 2, ("present", "absent"), coach)
    auth.login(manager.email)
    counts, shown = [], {}
    for extra in (0, 12):
        for i in range(extra):
            fill(make_session(days_ahead=-10 - i, capacity=4), 2, ("present",), coach)
        for path in ("/reports/workshops", "/reports"):
            # A first view in a week moves the manager's last use of reports (one more write then): each page is
            # counted on its second view, so a run that crosses midnight into Monday counts the same.
            client.get(path)
            with queries:
                shown[path] = client.get(path).get_data(as_text=True)
            counts.append(queries.count)
    page = shown["/reports/workshops"]
    assert page.count("ABM in Ten Minutes") == 15
    assert "12 sessions that started already have people not marked on the sign-in sheet" in page
    assert counts[0] == counts[2] and counts[1] == counts[3]
