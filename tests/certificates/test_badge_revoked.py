"""A revoked hosted Open Badges 2.0 assertion: 410 Gone with a body that is still a well-formed Assertion saying
`revoked: true` and why, so a validator that reads only the body (openbadges-validator-core 1.1, which ignores the
status) reports a revoked assertion rather than a malformed one missing `recipient`, `badge` and the rest."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from urllib.parse import urlsplit

import pytest

from lms.certificates import badges, revocation
from lms.extensions import db
from tests.certificates.conftest import issue_certificate
from tests.certificates.openbadges import assertion_problems, badge_class_problems, issuer_problems
from tests.factories import make_org, make_user

# What openbadges-validator-core (openbadges 1.1.2, verifier/tasks/validation.py, ClassValidators for an
# Assertion) requires of every Assertion it fetches, whatever the HTTP status.
VALIDATOR_REQUIRED = ("id", "type", "recipient", "badge", "verification", "issuedOn")


@pytest.fixture
def revoked(course):
    org = make_org("Northwind")
    learner = make_user(org, email="zoe@northwind.example", name="Zoe")
    certificate = issue_certificate(learner, org, course, completed_at=datetime(2026, 11, 20, 10, 30))
    revocation.revoke(certificate, make_user(email="admin@academy.example", is_platform_admin=True),
                      "Issued in error")
    db.session.commit()
    return certificate


def _get(client, url: str, status: int, accept: str | None = None) -> dict:
    response = client.get(urlsplit(url).path, headers={"Accept": accept} if accept else {})
    assert response.status_code == status, (url, response.status_code)
    return json.loads(response.get_data(as_text=True))


@pytest.mark.parametrize("accept", [None, "application/json", "application/ld+json, application/json, image/png"])
def test_a_revoked_assertion_is_gone_with_a_complete_body_that_says_revoked(client, revoked, accept):
    url = f"http://lms.test/badges/assertions/{revoked.code}.json"
    doc = _get(client, url, 410, accept)
    assert doc["id"] == url and doc["type"] == "Assertion" and doc["@context"] == badges.CONTEXT
    assert doc["revoked"] is True and doc["revocationReason"] == "Issued in error"
    assert [key for key in VALIDATOR_REQUIRED if key not in doc] == []
    without_revocation = {k: v for k, v in doc.items() if k not in ("revoked", "revocationReason")}
    assert assertion_problems(without_revocation, url) == []  # well-formed as an Assertion, not just as revoked


def test_a_revoked_assertion_leaves_out_its_baked_image_which_is_gone_too(client, revoked):
    doc = _get(client, f"http://lms.test/badges/assertions/{revoked.code}.json", 410)
    assert "image" not in doc
    assert client.get(f"/badges/assertions/{revoked.code}.svg").status_code == 410


def test_the_badge_class_and_issuer_a_validator_fetches_next_still_answer(client, revoked):
    doc = _get(client, f"http://lms.test/badges/assertions/{revoked.code}.json", 410)
    badge_class = _get(client, doc["badge"], 200)
    assert badge_class_problems(badge_class, doc["badge"]) == []
    assert issuer_problems(_get(client, badge_class["issuer"], 200), badge_class["issuer"]) == []


def test_a_replaced_assertion_is_revoked_the_same_way(client, course):
    org = make_org("Northwind")
    old = issue_certificate(make_user(org, email="ian@northwind.example"), org, course)
    new = revocation.reissue(old, make_user(email="admin@academy.example", is_platform_admin=True), "Name corrected")
    db.session.commit()
    doc = _get(client, f"http://lms.test/badges/assertions/{old.code}.json", 410)
    assert doc["revoked"] is True and "Name corrected" in doc["revocationReason"]
    assert [key for key in VALIDATOR_REQUIRED if key not in doc] == []
    assert "revoked" not in _get(client, f"http://lms.test/badges/assertions/{new.code}.json", 200)


def test_the_assertion_document_marks_revocation_without_losing_its_properties():
    data = badges.AssertionData(url="https://a.example/badges/assertions/X.json",
                                badge_url="https://a.example/badges/classes/c.json",
                                image_url="https://a.example/badges/assertions/X.svg", identity="sha256$" + "0" * 64,
                                salt="salt", issued_on="2026-11-20T10:30:00+00:00", expires=None, revoked=False,
                                revocation_reason=None)
    valid = badges.assertion(data)
    gone = badges.assertion(replace(data, revoked=True, revocation_reason="Fraud"))
    assert gone == {**{k: v for k, v in valid.items() if k != "image"}, "revoked": True, "revocationReason": "Fraud"}
    assert "revoked" not in valid
