"""Sign-up, sign-in, sign-out, remember me, password reset by email, and the login rate limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.identity.models import Organization, PasswordResetToken, User
from lms.tracking.models import Statement
from tests.factories import DEFAULT_PASSWORD, make_org, make_user
from tests.smtp import body_of


def statements(verb: str) -> list[Statement]:
    return list(db.session.scalars(select(Statement).where(Statement.verb == verb)))


def test_signup_creates_a_public_learner_with_a_hashed_password(client):
    response = client.post("/signup", data={
        "name": "Zoë Ångström", "email": " Zoe@Example.COM ", "job_function": "sales",
        "password": "a long enough secret", "confirm": "a long enough secret",
    })
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "zoe@example.com"))
    assert user.name == "Zoë Ångström" and user.job_function == "sales"
    assert user.password_hash.startswith("$argon2id$")
    assert [m.role for m in user.memberships] == ["learner"]
    assert user.memberships[0].organization.kind == "public"
    assert statements("registered")[0].actor_id == user.id
    assert client.get("/dashboard").status_code == 200


def test_signup_with_a_taken_email_keeps_what_was_typed(client, app):
    make_user(email="taken@example.com")
    response = client.post("/signup", data={
        "name": "Second Person", "email": "taken@example.com", "job_function": "marketing",
        "password": "a long enough secret", "confirm": "a long enough secret",
    })
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "An account with that email already exists" in page
    assert 'value="Second Person"' in page


@pytest.mark.parametrize(("password", "message"), [
    ("short", "at least 10 characters"),
    ("aaaaaaaaaaaa", "too easy to guess"),
])
def test_signup_rejects_weak_passwords_with_a_reason(client, password, message):
    response = client.post("/signup", data={
        "name": "Pat", "email": "pat@example.com", "job_function": "sales", "password": password, "confirm": password,
    })
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "pat@example.com")) is None


def test_login_records_activation_and_a_statement(client, auth):
    org = make_org()
    user = make_user(org, email="lee@client.example")
    response = auth.login("LEE@client.example")
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    db.session.refresh(user)
    assert user.activated_at is not None
    [statement] = statements("logged-in")
    assert statement.actor_id == user.id and statement.organization_id == org.id


def test_wrong_password_gives_one_message_for_either_mistake(client, auth):
    make_user(email="lee@client.example")
    wrong_password = auth.login("lee@client.example", "not the password").get_data(as_text=True)
    unknown_email = auth.login("nobody@client.example").get_data(as_text=True)
    message = "That email and password don&#39;t match"
    assert message in wrong_password and message in unknown_email
    assert client.get("/dashboard").status_code == 302


def test_deactivated_user_cannot_sign_in(client, auth):
    make_user(email="gone@client.example", is_active_user=False)
    auth.login("gone@client.example")
    assert client.get("/dashboard").status_code == 302


def test_login_redirects_only_to_local_next_pages(client):
    make_user(email="lee@client.example")
    evil = client.post("/login?next=https://evil.example/", data={"email": "lee@client.example",
                                                               "password": DEFAULT_PASSWORD})
    assert evil.headers["Location"] == "/dashboard"
    client.post("/logout")
    local = client.post("/login?next=/profile", data={"email": "lee@client.example", "password": DEFAULT_PASSWORD})
    assert local.headers["Location"] == "/profile"


def test_remember_me_sets_a_long_lived_httponly_cookie(client, auth):
    make_user(email="lee@client.example")
    response = auth.login("lee@client.example", remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    remember = next(c for c in cookies if c.startswith("remember_token="))
    assert "HttpOnly" in remember and "Expires=" in remember


def test_logout_signs_out_and_records_it(client, auth):
    make_user(email="lee@client.example")
    auth.login("lee@client.example")
    assert auth.logout().status_code == 302
    assert client.get("/dashboard").status_code == 302
    assert len(statements("logged-out")) == 1


def test_password_reset_is_emailed_works_once_and_signs_out_old_sessions(app, client, smtp_server):
    app.config.update(smtp_server.config())
    user = make_user(email="lee@client.example")
    other_device = app.test_client()
    other_device.post("/login", data={"email": "lee@client.example", "password": DEFAULT_PASSWORD})
    assert other_device.get("/dashboard").status_code == 200

    response = client.post("/password/forgot", data={"email": "lee@client.example"})
    assert response.status_code == 302
    [message] = smtp_server.messages
    assert message["To"] == "lee@client.example"
    link = next(line for line in body_of(message).splitlines() if "/password/reset/" in line).strip()
    path = link.split("lms.test", 1)[1]

    assert client.get(path).status_code == 200
    done = client.post(path, data={"password": "a brand new secret", "confirm": "a brand new secret"})
    assert done.status_code == 302
    assert client.get(path).status_code == 404  # single use
    assert other_device.get("/dashboard").status_code == 302  # old session ended
    assert client.post("/login", data={"email": user.email, "password": "a brand new secret"}).status_code == 302


def test_password_reset_for_unknown_email_sends_nothing_and_says_the_same(app, client, smtp_server):
    app.config.update(smtp_server.config())
    response = client.post("/password/forgot", data={"email": "nobody@client.example"}, follow_redirects=True)
    assert "If that email has an account" in response.get_data(as_text=True)
    assert smtp_server.messages == []


def test_expired_reset_token_is_refused(app, client):
    from lms.identity import services

    user = make_user(email="lee@client.example")
    token = services.issue_reset_token(user, hours=2)
    row = db.session.scalar(select(PasswordResetToken))
    row.expires_at = row.expires_at - timedelta(hours=3)
    db.session.commit()
    response = client.get(f"/password/reset/{token}")
    assert response.status_code == 404
    assert "doesn" in response.get_data(as_text=True)


def test_public_organization_is_created_once(app):
    from lms.identity.services import public_organization

    first = public_organization("public-courses")
    second = public_organization("public-courses")
    assert first.id == second.id
    assert db.session.scalar(select(Organization).where(Organization.kind == "public")).name == "Public courses"
