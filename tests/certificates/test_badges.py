"""Open Badges 2.0: hosted Assertion, BadgeClass and Issuer as JSON-LD, hashed recipient, revocation as
410 Gone, and the badge image baked with the assertion."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest

from lms.certificates import badges, revocation
from lms.database import utcnow
from lms.extensions import db
from tests.certificates.conftest import issue_certificate
from tests.certificates.openbadges import (
    assertion_problems,
    badge_class_problems,
    issuer_problems,
    parse_svg,
    same_origin,
)
from tests.factories import make_org, make_user


def get_json(client, url: str, expected: int = 200, **kwargs) -> dict:
    response = client.get(urlsplit(url).path, **kwargs)
    assert response.status_code == expected, (url, response.status_code)
    assert response.mimetype == "application/ld+json"
    return json.loads(response.get_data(as_text=True))


@pytest.fixture
def earned(course):
    org = make_org("Northwind")
    learner = make_user(org, email="zoe@northwind.example", name="Zoë Ångström-Øverby")
    return learner, issue_certificate(learner, org, course, completed_at=datetime(2026, 11, 20, 10, 30))


def test_hosted_assertion_badge_class_and_issuer_are_valid_open_badges(client, earned):
    learner, certificate = earned
    url = f"http://lms.test/badges/assertions/{certificate.code}.json"

    assertion = get_json(client, url)
    assert assertion_problems(assertion, url) == []
    assert assertion["issuedOn"] == "2026-11-20T10:30:00+00:00"
    assert assertion["expires"] == "2027-11-20T10:30:00+00:00"
    assert assertion["verification"] == {"type": "hosted"}
    assert "revoked" not in assertion

    badge_class = get_json(client, assertion["badge"])
    assert badge_class_problems(badge_class, "http://lms.test/badges/classes/tiny-course.json") == []
    assert badge_class["name"] == "ABM in Ten Minutes"
    assert badge_class["tags"] == ["Target account selection and tiering", "Buying group mapping"]

    issuer = get_json(client, badge_class["issuer"])
    assert issuer_problems(issuer, "http://lms.test/badges/issuer.json") == []
    assert issuer["email"] == "no-reply@abm-academy.example"
    assert same_origin(assertion["id"], badge_class["id"], issuer["id"])

    image = client.get(urlsplit(badge_class["image"]).path)
    assert image.status_code == 200 and image.mimetype == "image/svg+xml"
    parse_svg(image.data)  # well-formed SVG


def test_the_hashed_recipient_is_the_learners_email(client, earned):
    learner, certificate = earned
    recipient = get_json(client, f"http://lms.test/badges/assertions/{certificate.code}.json")["recipient"]
    expected = "sha256$" + hashlib.sha256((learner.email + recipient["salt"]).encode()).hexdigest()
    assert recipient == {"type": "email", "hashed": True, "salt": recipient["salt"], "identity": expected}
    assert len(recipient["salt"]) >= 16
    assert badges.identity_matches(recipient["identity"], " Zoe@Northwind.example", recipient["salt"])
    assert not badges.identity_matches(recipient["identity"], "someone@northwind.example", recipient["salt"])
    assert learner.email not in json.dumps(recipient)


def test_json_is_served_as_json_ld_or_plain_json_as_asked(client, earned):
    _, certificate = earned
    path = f"/badges/assertions/{certificate.code}.json"
    assert client.get(path).mimetype == "application/ld+json"
    assert client.get(path, headers={"Accept": "application/json"}).mimetype == "application/json"
    assert client.get(path, headers={"Accept": "application/ld+json, application/json;q=0.9"}).mimetype == \
        "application/ld+json"
    assert client.get(path).headers["Access-Control-Allow-Origin"] == "*"


def test_a_revoked_assertion_answers_410_with_the_reason(client, earned):
    _, certificate = earned
    admin = make_user(email="admin@academy.example", is_platform_admin=True)
    revocation.revoke(certificate, admin, "Issued in error")
    db.session.commit()
    url = f"http://lms.test/badges/assertions/{certificate.code}.json"
    doc = get_json(client, url, expected=410)
    assert assertion_problems(doc, url) == []
    assert doc["id"] == url and doc["revoked"] is True and doc["revocationReason"] == "Issued in error"
    assert client.get(f"/badges/assertions/{certificate.code}.svg").status_code == 410


def test_a_replaced_assertion_is_revoked_and_the_new_one_is_valid(client, earned):
    _, old = earned
    admin = make_user(email="admin@academy.example", is_platform_admin=True)
    new = revocation.reissue(old, admin, "Name corrected")
    db.session.commit()
    old_doc = get_json(client, f"http://lms.test/badges/assertions/{old.code}.json", expected=410)
    assert old_doc["revoked"] is True and "Name corrected" in old_doc["revocationReason"]
    new_url = f"http://lms.test/badges/assertions/{new.code}.json"
    assert assertion_problems(get_json(client, new_url), new_url) == []


def test_an_expired_assertion_still_answers_with_its_expiry(client, course):
    org = make_org()
    certificate = issue_certificate(make_user(org), org, course, completed_at=utcnow() - timedelta(days=800))
    doc = get_json(client, f"http://lms.test/badges/assertions/{certificate.code}.json")
    assert datetime.fromisoformat(doc["expires"]).replace(tzinfo=None) < utcnow()


def test_the_badge_image_is_baked_with_the_assertion(client, earned):
    _, certificate = earned
    url = f"http://lms.test/badges/assertions/{certificate.code}.json"
    response = client.get(f"/badges/assertions/{certificate.code}.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    root = parse_svg(response.data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    baked = root.findall("{http://openbadges.org}assertion")
    assert len(baked) == 1 and baked[0].get("verify") == url
    assert root[0] is baked[0], "the assertion comes straight after the <svg> tag"
    assert json.loads(baked[0].text) == get_json(client, url)
    assert assertion_problems(json.loads(baked[0].text), url) == []


def test_downloading_the_badge_image_names_it(client, earned):
    _, certificate = earned
    response = client.get(f"/badges/assertions/{certificate.code}.svg?download=1")
    assert response.headers["Content-Disposition"] == "attachment; filename=badge.svg"


def test_unknown_badges_answer_404(client, course):
    assert client.get("/badges/assertions/not-a-real-code.json").status_code == 404
    assert client.get("/badges/assertions/not-a-real-code.svg").status_code == 404
    assert client.get("/badges/classes/no-such-course.json").status_code == 404
    course.certificate_issue = False
    db.session.commit()
    assert client.get("/badges/classes/tiny-course.json").status_code == 404


def test_a_badge_class_stays_published_while_its_certificates_exist(client, earned, course):
    course.certificate_issue = False
    db.session.commit()
    assert client.get("/badges/classes/tiny-course.json").status_code == 200


def test_an_in_house_course_is_unlisted_until_it_has_issued_a_certificate(client, course):
    course.audience = "in-house"
    db.session.commit()
    assert client.get("/badges/classes/tiny-course.json").status_code == 404
    org = make_org()
    issue_certificate(make_user(org), org, course)
    assert client.get("/badges/classes/tiny-course.json").status_code == 200


def test_baking_refuses_what_is_not_an_svg_or_is_already_baked():
    svg = badges.badge_svg("ABM in Ten Minutes", "ABM Academy")
    baked = badges.bake_svg(svg, "https://example.org/a.json", {"id": "https://example.org/a.json"})
    with pytest.raises(ValueError):
        badges.bake_svg(baked, "https://example.org/b.json")
    with pytest.raises(ValueError):
        badges.bake_svg("<html></html>", "https://example.org/b.json")
    # A ]]> inside the JSON can't break out of the CDATA section.
    tricky = badges.bake_svg(svg, "https://example.org/a.json", {"name": "a ]]> b"})
    root = parse_svg(tricky)
    assert json.loads(root.find("{http://openbadges.org}assertion").text) == {"name": "a ]]> b"}


def test_the_badge_artwork_escapes_course_titles():
    svg = badges.badge_svg('Sales & Marketing <Alignment> "Advanced"', "ABM Academy")
    root = parse_svg(svg)
    assert root.find("{http://www.w3.org/2000/svg}title").text == 'Sales & Marketing <Alignment> "Advanced"'
