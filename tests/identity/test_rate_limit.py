"""Sign-in attempts are rate-limited per email and address together, and per email with a higher limit that a
browser the person signed in with before is not held up by."""

from __future__ import annotations

import pytest

from tests.conftest import _test_config


@pytest.fixture
def app_config(tmp_path) -> dict:
    return _test_config(tmp_path, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="5 per minute",
                        LOGIN_EMAIL_RATE_LIMIT="8 per minute")


def test_sixth_login_attempt_in_a_minute_is_refused_with_a_friendly_page(client):
    responses = [client.post("/login", data={"email": "x@client.example", "password": "wrong"}) for _ in range(6)]
    assert [r.status_code for r in responses[:5]] == [200] * 5
    assert responses[5].status_code == 429
    assert "Too many attempts" in responses[5].get_data(as_text=True)


def test_wrong_passwords_from_elsewhere_do_not_lock_the_real_user_out(client):
    from tests.factories import DEFAULT_PASSWORD, make_user

    make_user(email="target@client.example")
    for _ in range(5):
        client.post("/login", data={"email": "target@client.example", "password": "guess"},
                    environ_base={"REMOTE_ADDR": "10.0.0.66"})
    blocked = client.post("/login", data={"email": "target@client.example", "password": "guess"},
                          environ_base={"REMOTE_ADDR": "10.0.0.66"})
    assert blocked.status_code == 429  # the attacker's address is stopped
    owner = client.post("/login", data={"email": "target@client.example", "password": DEFAULT_PASSWORD},
                        environ_base={"REMOTE_ADDR": "192.168.1.20"})
    assert owner.status_code == 302  # the owner, from their own address, is not


def test_the_email_limit_holds_across_addresses_but_not_for_a_known_browser(app, client):
    from tests.factories import DEFAULT_PASSWORD, make_user

    make_user(email="target@client.example")
    known = app.test_client()
    known.post("/login", data={"email": "target@client.example", "password": DEFAULT_PASSWORD},
               environ_base={"REMOTE_ADDR": "192.168.1.20"})
    known.post("/logout")
    for i in range(8):  # a spread-out guessing run uses up the per-email limit (8 with the one above: 9)
        client.post("/login", data={"email": "target@client.example", "password": "guess"},
                    environ_base={"REMOTE_ADDR": f"10.0.1.{i}"})
    stranger = client.post("/login", data={"email": "target@client.example", "password": DEFAULT_PASSWORD},
                           environ_base={"REMOTE_ADDR": "10.0.2.1"})
    assert stranger.status_code == 429
    again = known.post("/login", data={"email": "target@client.example", "password": DEFAULT_PASSWORD},
                       environ_base={"REMOTE_ADDR": "192.168.1.20"})
    assert again.status_code == 302  # the browser that signed in before gets through


def test_reading_the_login_page_is_not_limited(client):
    assert all(client.get("/login").status_code == 200 for _ in range(8))
