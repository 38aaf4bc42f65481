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


def _link(message, path_part: str) -> str:
    link = next(line for line in body_of(message).splitlines() if path_part in line).strip()
    return link.split("lms.test", 1)[1]


SIGNUP = {"name": "Zoë Ångström", "email": " Zoe@Example.COM ", "job_function": "sales",
          "password": "a long enough secret", "confirm": "a long enough secret"}


def test_signup_creates_a_public_learner_who_confirms_by_email_before_signing_in(app, client, smtp_server):
    app.config.update(smtp_server.config())
    response = client.post("/signup", data=SIGNUP)
    assert response.status_code == 200 and "Check your inbox" in response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "zoe@example.com"))
    assert user.name == "Zoë Ångström" and user.job_function == "sales" and user.email_confirmed_at is None
    assert user.password_hash.startswith("$argon2id$")
    assert [m.role for m in user.memberships] == ["learner"]
    assert user.memberships[0].organization.kind == "public"
    assert statements("registered")[0].actor_id == user.id
    assert client.get("/dashboard").status_code == 302  # not signed in yet
    refused = client.post("/login", data={"email": "zoe@example.com", "password": "a long enough secret"})
    assert "Confirm your email address first" in refused.get_data(as_text=True)
    first, second = smtp_server.messages  # the sign-up's link and a new one sent at the refused sign-in
    assert client.get(_link(first, "/signup/confirm/")).status_code == 404  # only the newest link works
    assert client.get(_link(second, "/signup/confirm/")).status_code == 302
    assert client.get("/dashboard").status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).email_confirmed_at is not None


def test_signup_with_a_taken_email_answers_the_same_and_tells_the_owner_by_email(app, client, smtp_server):
    app.config.update(smtp_server.config())
    make_user(email="taken@example.com")
    taken = client.post("/signup", data={**SIGNUP, "email": "taken@example.com"})
    fresh = client.post("/signup", data={**SIGNUP, "email": "fresh@example.com"})
    assert taken.status_code == fresh.status_code == 200
    strip = lambda page, email: page.get_data(as_text=True).replace(email, "EMAIL")  # noqa: E731
    assert strip(taken, "taken@example.com") == strip(fresh, "fresh@example.com")
    owner, newcomer = smtp_server.messages
    assert owner["To"] == "taken@example.com" and "already has an account" in body_of(owner)
    assert newcomer["To"] == "fresh@example.com" and "/signup/confirm/" in body_of(newcomer)
    assert db.session.scalar(select(User).where(User.email == "taken@example.com")).name != "Zoë Ångström"


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


def _session_cookies(response) -> list[str]:
    return [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]


def test_a_signed_in_session_cookie_is_resent_only_once_it_is_old(app, client, auth):
    """The session cookie is re-signed when the session changes or is older than SESSION_REFRESH_AFTER, not on
    every page; so the 12-hour limit still counts from the browser's last activity, to within that interval."""
    make_user(email="lee@client.example")
    assert _session_cookies(auth.login("lee@client.example"))  # signing in changes the session
    assert _session_cookies(client.get("/dashboard"))  # so does the first form's CSRF token
    page = client.get("/dashboard")
    assert page.status_code == 200 and _session_cookies(page) == []
    app.config["SESSION_REFRESH_AFTER"] = 0  # as if the cookie were older than the interval
    refreshed = _session_cookies(client.get("/dashboard"))
    assert len(refreshed) == 1 and "Expires=" in refreshed[0] and "HttpOnly" in refreshed[0]
    app.config["SESSION_REFRESH_AFTER"] = 300
    assert client.get("/dashboard").status_code == 200  # the re-signed cookie still signs the browser in


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


def test_password_reset_for_an_unknown_email_says_the_same_and_does_the_same_work(app, client, smtp_server):
    app.config.update(smtp_server.config())
    make_user(email="lee@client.example")
    unknown = client.post("/password/forgot", data={"email": "nobody@client.example"}, follow_redirects=True)
    known = client.post("/password/forgot", data={"email": "lee@client.example"}, follow_redirects=True)
    assert unknown.get_data(as_text=True) == known.get_data(as_text=True)
    assert "If that email has an account" in unknown.get_data(as_text=True)
    nobody, lee = smtp_server.messages  # one email each: the same work whichever it is
    assert nobody["To"] == "nobody@client.example" and "there is no account" in body_of(nobody)
    assert "/password/reset/" in body_of(lee)


def test_only_the_newest_reset_link_works(app, client, smtp_server):
    app.config.update(smtp_server.config())
    make_user(email="lee@client.example")
    client.post("/password/forgot", data={"email": "lee@client.example"})
    client.post("/password/forgot", data={"email": "lee@client.example"})
    older, newer = (_link(m, "/password/reset/") for m in smtp_server.messages)
    assert client.get(older).status_code == 404
    assert client.get(newer).status_code == 200


def test_a_copied_session_cookie_stops_working_at_sign_out(app, client, auth):
    make_user(email="lee@client.example")
    auth.login("lee@client.example")
    copied = app.test_client()
    for cookie in client._cookies.values():
        copied.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    assert copied.get("/dashboard").status_code == 200  # the thief's copy works while the session is open
    auth.logout()
    assert copied.get("/dashboard").status_code == 302  # and not after


def test_sign_out_everywhere_ends_every_session(app, client, auth):
    make_user(email="lee@client.example")
    phone = app.test_client()
    phone.post("/login", data={"email": "lee@client.example", "password": DEFAULT_PASSWORD})
    auth.login("lee@client.example")
    page = client.get("/profile").get_data(as_text=True)
    assert "Where you're signed in" in page and "this browser" in page
    response = client.post("/profile/sign-out-everywhere", follow_redirects=True)
    assert "Signed out of 2 sessions everywhere" in response.get_data(as_text=True)
    assert phone.get("/dashboard").status_code == 302 and client.get("/dashboard").status_code == 302


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
