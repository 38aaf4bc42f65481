"""The public catalogue at `/` and the session pages, as a visitor (and a search engine) sees them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from lms.database import utcnow
from lms.extensions import db
from lms.workshops import services
from tests.workshops.fixtures import plan


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def meta_description(html: str) -> str:
    return re.search(r'<meta name="description" content="([^"]*)"', html).group(1)


def title(html: str) -> str:
    return re.search(r"<title>([^<]*)</title>", html).group(1)


def test_visitors_see_the_upcoming_sessions_and_the_public_courses(client, make_session) -> None:
    london = make_session(days_ahead=30)
    online = make_session(days_ahead=45, delivery="virtual", title="ABM in Ten Minutes online", capacity=3)
    html = page(client.get("/"))
    assert title(html) == "Account-based marketing courses and workshops · ABM Academy"
    assert "workshops, in London or online" in meta_description(html)
    # the course: summary, outcomes and length
    assert "ABM in Ten Minutes" in html and "A two-module taster" in html
    assert "Map the buying group at a target account and name the gaps." in html
    assert "2 modules" in html
    # each session: dates in its zone, place, seats, price, deadline, and its page
    assert london.title in html and online.title in html
    assert "The Hub, Clerkenwell" in html and "12 St John Street, London EC1M 4AY" in html
    assert "Online: the joining link is sent when you book" in html
    assert "2 seats left" in html and "3 seats left" in html
    assert "£495 + VAT" in html
    assert "Book by " in html
    assert f'href="/workshops/{london.id}"' in html and f'href="/workshops/{online.id}"' in html
    assert "meet.example.com" not in html  # the join link is for booked attendees only


def test_times_read_in_the_sessions_own_zone_with_the_zone_named(client, provider, course, admin, coach) -> None:
    year = utcnow().year + 1
    summer = services.create_session(provider, course, plan(datetime(year, 7, 15, 8, 30)), coach=coach, by=admin)
    winter = services.create_session(provider, course, plan(datetime(year, 1, 14, 9, 30), title="Winter day"),
                                     coach=coach, by=admin)
    db.session.commit()
    html = page(client.get("/"))
    assert f"{datetime(year, 7, 15):%a %-d %b %Y}, 09:30–17:00 BST (London time)" in html
    assert f"{datetime(year, 1, 14):%a %-d %b %Y}, 09:30–17:00 GMT (London time)" in html
    assert summer.id != winter.id


def test_a_full_session_offers_the_waiting_list(client, make_session) -> None:
    from tests.factories import make_user

    session = make_session(capacity=1)
    services.book(session, make_user(None, (), email="first@example.com"))
    db.session.commit()
    assert "Full: join the waiting list" in page(client.get("/"))
    assert "Join the waiting list" in page(client.get(f"/workshops/{session.id}"))


def test_with_no_sessions_the_catalogue_says_so_and_points_to_the_in_house_programme(client, course) -> None:
    html = page(client.get("/"))
    assert "No open workshop dates are scheduled right now" in html
    assert 'href="/in-house"' in html
    assert "ABM in Ten Minutes" in html  # the courses are still listed


def test_signed_in_people_go_from_home_to_their_dashboard(client, auth, coach) -> None:
    auth.login(coach.email)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")


def test_the_catalogue_costs_the_same_queries_for_3_sessions_as_for_12(client, make_session, queries) -> None:
    for days in range(3):
        make_session(days_ahead=20 + days)
    with queries:
        page(client.get("/"))
    few = queries.count
    for days in range(9):
        make_session(days_ahead=40 + days, delivery="virtual" if days % 2 else "in_person")
    with queries:
        html = page(client.get("/"))
    assert html.count("Details and booking") == 12
    assert queries.count == few


def test_a_session_page_tells_a_visitor_everything_but_the_join_link(client, make_session) -> None:
    session = make_session(delivery="virtual", title="ABM in Ten Minutes online")
    html = page(client.get(f"/workshops/{session.id}"))
    assert title(html) == "ABM in Ten Minutes online · ABM Academy"
    assert "ABM in Ten Minutes workshop on" in meta_description(html)
    assert "Choose target accounts with reasons sales will agree to." in html  # outcomes
    assert "Online</strong> — the joining link is sent when you book" in html
    assert "meet.example.com" not in html
    assert "Chloe Adeyemi" in html and "£495 + VAT" in html and "2 seats left" in html
    assert "Booking closes" in html
    assert "Choosing target accounts" in html  # the pre-work module
    assert "Mapping the buying group" not in html  # not pre-work
    due = services.follow_up_due(session)
    assert f"{due:%-d %b %Y}" in html and "own target accounts" in html
    book = re.search(r'<a class="button primary" href="([^"]+)">Book a seat</a>', html).group(1)
    assert book == f"/login?next=/workshops/{session.id}"
    assert f'href="/signup?next=/workshops/{session.id}"' in html


def test_an_in_person_session_page_gives_the_venue_and_address(client, make_session) -> None:
    session = make_session()
    html = page(client.get(f"/workshops/{session.id}"))
    assert "The Hub, Clerkenwell" in html and "12 St John Street, London EC1M 4AY" in html


def test_a_cancelled_session_says_so_and_offers_the_next_one(client, make_session, admin) -> None:
    cancelled = make_session(days_ahead=20)
    following = make_session(days_ahead=50, title="The next one")
    services.cancel_session(cancelled, admin)
    db.session.commit()
    html = page(client.get(f"/workshops/{cancelled.id}"))
    assert "This session has been cancelled." in html
    assert f'href="/workshops/{following.id}"' in html and "The next one" in html
    assert "Book a seat" not in html
    assert f'href="/workshops/{cancelled.id}"' not in page(client.get("/"))  # gone from the catalogue


def test_a_session_past_its_deadline_says_booking_has_closed(client, make_session) -> None:
    session = make_session(days_ahead=10, booking_deadline=utcnow() - timedelta(hours=1))
    html = page(client.get(f"/workshops/{session.id}"))
    assert "Booking for this session has closed." in html
    assert "No other date of ABM in Ten Minutes is open for booking yet." in html


def test_an_unknown_session_answers_404(client, course) -> None:
    assert client.get("/workshops/999").status_code == 404
