"""Sign-in attempts are rate-limited per address and per email."""

from __future__ import annotations

import pytest

from tests.conftest import _test_config


@pytest.fixture
def app_config(tmp_path) -> dict:
    return _test_config(tmp_path, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="5 per minute")


def test_sixth_login_attempt_in_a_minute_is_refused_with_a_friendly_page(client):
    responses = [client.post("/login", data={"email": "x@client.example", "password": "wrong"}) for _ in range(6)]
    assert [r.status_code for r in responses[:5]] == [200] * 5
    assert responses[5].status_code == 429
    assert "Too many attempts" in responses[5].get_data(as_text=True)


def test_limit_follows_the_email_across_addresses(client):
    for i in range(5):
        client.post("/login", data={"email": "target@client.example", "password": "guess"},
                    environ_base={"REMOTE_ADDR": f"10.0.0.{i}"})
    sixth = client.post("/login", data={"email": "target@client.example", "password": "guess"},
                        environ_base={"REMOTE_ADDR": "10.0.0.99"})
    assert sixth.status_code == 429


def test_reading_the_login_page_is_not_limited(client):
    assert all(client.get("/login").status_code == 200 for _ in range(8))
