"""The in-house programme page and its "bring your team" enquiry: described from the courses written for teams,
saved, emailed to the provider and acknowledged, errors keeping what was typed, CSRF and a rate limit."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.content.models import Course
from lms.extensions import db
from lms.workshops.models import Enquiry
from tests.factories import make_org, make_user
from tests.ports import free_port


@pytest.fixture
def programme(provider) -> Course:
    """An in-house course as course.yaml would give it (the fixture tree holds only a public course)."""
    course = Course(slug="alignment", title="ABM Sales and Marketing Alignment Programme", audience="in-house",
                    summary="Your sales and marketing people run the alignment work together on your own accounts.",
                    outcomes=["Facilitate an alignment workshop that ends in a written decision log and a RACI."],
                    required_exercises=["target-account-list"], module_count=8, minutes=480)
    db.session.add(course)
    db.session.commit()
    return course


def _valid(**overrides) -> dict:
    data = {"name": "Grace Hopper", "email": "grace@northwind.example", "company": "Northwind", "team_size": "12",
            "course_id": "0", "message": "We'd like to start in March."}
    data.update(overrides)
    return data


def test_visitors_read_the_programme_from_the_in_house_courses(client, programme, course) -> None:
    response = client.get("/in-house")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<title>The in-house programme: bring your team" in page
    programmes = page[page.index("Written for in-house teams"):page.index('id="enquiry-heading"')]
    assert programme.title in programmes and programme.summary in programmes
    assert "Facilitate an alignment workshop that ends in a written decision log" in programmes
    assert "8 modules" in programmes and "1 exercise on your own accounts" in programmes
    assert course.title not in programmes  # a public course is offered in the form, not described as in-house
    assert f'<option value="{course.id}">{course.title}</option>' in page


def test_an_enquiry_is_saved_emailed_to_the_provider_and_acknowledged(app, client, programme, smtp_server) -> None:
    app.config.update(smtp_server.config(), ENQUIRIES_EMAIL="sales@abm-academy.example")
    response = client.post("/in-house", data=_valid(course_id=str(programme.id)))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Thank you, Grace" in page
    assert "We've emailed a copy to <strong>grace@northwind.example</strong>" in page
    assert "We'll reply to that address" in page
    enquiry = db.session.scalar(select(Enquiry))
    assert (enquiry.name, enquiry.email, enquiry.company, enquiry.team_size, enquiry.course_id, enquiry.user_id) == (
        "Grace Hopper", "grace@northwind.example", "Northwind", 12, programme.id, None)
    assert enquiry.message == "We'd like to start in March."
    to_provider, to_enquirer = smtp_server.messages
    assert to_provider["To"] == "sales@abm-academy.example"
    assert "grace@northwind.example" in to_provider["Reply-To"]
    assert "Northwind, 12 people" in to_provider["Subject"]
    assert programme.title in to_provider.get_body().get_content()
    assert "grace@northwind.example" in to_enquirer["To"]
    assert "we will reply to this address" in to_enquirer.get_body().get_content()


def test_when_the_email_fails_the_enquiry_is_kept_and_the_page_says_so(app, client, programme) -> None:
    closed_port = free_port()  # nothing listens there
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port, MAIL_TIMEOUT=2,
                      ENQUIRIES_EMAIL="sales@abm-academy.example")
    page = client.post("/in-house", data=_valid()).get_data(as_text=True)
    assert db.session.scalar(select(Enquiry.company)) == "Northwind"
    assert "our email didn't go through just now" in page
    assert 'href="mailto:sales@abm-academy.example"' in page
    assert "We've emailed a copy" not in page


@pytest.mark.parametrize(("change", "error"), [
    ({"team_size": "1"}, "Enter a team of 2 to 500 people."),
    ({"team_size": "501"}, "Enter a team of 2 to 500 people."),
    ({"email": "grace-at-northwind"}, "Enter a valid email address"),
    ({"company": "  "}, "Enter your company&#39;s name."),
])
def test_a_form_error_keeps_what_was_typed_and_saves_nothing(client, programme, change, error) -> None:
    response = client.post("/in-house", data=_valid(course_id=str(programme.id), **change))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert error in page
    assert 'value="Grace Hopper"' in page
    assert "We&#39;d like to start in March.</textarea>" in page
    assert f'<option selected value="{programme.id}">' in page
    assert db.session.scalar(select(Enquiry)) is None


def test_a_signed_in_user_finds_the_form_filled_in(client, auth, provider, programme) -> None:
    org = make_org("Northwind Trading")
    make_user(org, ("manager",), email="mo@northwind.example", name="Mo Farah")
    auth.login("mo@northwind.example")
    page = client.get(f"/in-house?course={programme.slug}").get_data(as_text=True)
    assert 'value="Mo Farah"' in page and 'value="mo@northwind.example"' in page
    assert 'value="Northwind Trading"' in page
    assert f'<option selected value="{programme.id}">' in page
    client.post("/in-house", data=_valid(name="Mo Farah", email="mo@northwind.example"))
    assert db.session.scalar(select(Enquiry.user_id)) is not None


def test_a_public_course_attendee_is_not_given_the_provider_as_their_company(client, auth, provider) -> None:
    make_user(provider, ("learner",), email="ada@example.com", name="Ada Lovelace")
    auth.login("ada@example.com")
    page = client.get("/in-house").get_data(as_text=True)
    assert 'value="Ada Lovelace"' in page
    company = re.search(r'<input[^>]*id="company"[^>]*>', page).group(0)
    assert "value=" not in company or 'value=""' in company


@pytest.fixture
def csrf_config(app_config) -> dict:
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def test_the_enquiry_needs_the_forms_csrf_token(csrf_config, client, programme) -> None:
    assert client.post("/in-house", data=_valid()).status_code == 400
    assert db.session.scalar(select(Enquiry)) is None
    page = client.get("/in-house").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/in-house", data=_valid(csrf_token=token)).status_code == 200
    assert db.session.scalar(select(Enquiry.company)) == "Northwind"


@pytest.fixture
def limited_config(app_config) -> dict:
    app_config.update(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute")
    return app_config


def test_enquiries_are_rate_limited_like_sign_ups(limited_config, client, programme) -> None:
    assert [client.post("/in-house", data=_valid()).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/in-house").status_code == 200  # reading the page is never limited
    assert len(db.session.scalars(select(Enquiry)).all()) == 2
