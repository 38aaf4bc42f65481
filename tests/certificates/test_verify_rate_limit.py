"""/verify and the badge assertions are rate-limited (VERIFY_RATE_LIMIT) against guessing codes."""

from __future__ import annotations

import pytest

from tests.conftest import _test_config


@pytest.fixture
def app_config(tmp_path) -> dict:
    return _test_config(tmp_path, RATELIMIT_ENABLED=True, VERIFY_RATE_LIMIT="5 per minute")


def test_the_sixth_verification_in_a_minute_is_refused(client):
    codes = [client.get(f"/verify/guess-{i}").status_code for i in range(6)]
    assert codes == [404] * 5 + [429]
    assert "Too many attempts" in client.get("/verify/another").get_data(as_text=True)


def test_the_limit_is_per_address(client):
    for i in range(5):
        client.get(f"/verify/guess-{i}", environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert client.get("/verify/guess", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 429
    assert client.get("/verify/guess", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 404


def test_badge_assertions_are_limited_too(client):
    codes = [client.get(f"/badges/assertions/guess-{i}.json").status_code for i in range(6)]
    assert codes == [404] * 5 + [429]
