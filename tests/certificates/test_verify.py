"""/verify/<code>: public, no sign-in; valid, expired, revoked and replaced; unknown codes get a 404 page."""

from __future__ import annotations

from datetime import datetime, timedelta

from lms.certificates import cards, revocation
from lms.database import utcnow
from lms.extensions import db
from tests.certificates.conftest import issue_certificate
from tests.factories import make_org, make_user


def page(client, code: str, status: int = 200) -> str:
    response = client.get(f"/verify/{code}")
    assert response.status_code == status
    return response.get_data(as_text=True)


def test_a_valid_certificate_shows_holder_course_dates_without_signing_in(client, course):
    org = make_org("Northwind")
    certificate = issue_certificate(make_user(org, name="Łukasz Wąs"), org, course,
                                    completed_at=utcnow() - timedelta(days=3))
    html = page(client, certificate.code)
    card = cards.card(certificate)
    assert "This certificate is valid" in html
    assert "Łukasz Wąs" in html and "ABM in Ten Minutes" in html
    assert card.issued.strftime("%-d %B %Y") in html
    assert card.expires.strftime("%-d %B %Y") in html
    assert "0.2 hours" in html and "Buying group mapping" in html
    assert 'name="robots" content="noindex"' in html
    assert "Sign out" not in html


def test_an_expired_certificate_says_so(client, course):
    org = make_org()
    certificate = issue_certificate(make_user(org, name="José Núñez"), org, course,
                                    completed_at=datetime(2024, 2, 10, 9, 0))
    html = page(client, certificate.code)
    assert "This certificate has expired" in html
    assert "It expired on 10 February 2025" in html
    assert "José Núñez" in html


def test_a_certificate_without_validity_never_expires(client, course):
    course.validity_months = None
    org = make_org()
    certificate = issue_certificate(make_user(org), org, course, completed_at=datetime(2020, 1, 1, 9, 0))
    html = page(client, certificate.code)
    assert "This certificate is valid" in html and "No expiry" in html


def test_a_revoked_certificate_shows_when_and_why(client, course):
    org = make_org()
    admin = make_user(email="admin@academy.example", is_platform_admin=True)
    certificate = issue_certificate(make_user(org), org, course)
    revocation.revoke(certificate, admin, "Assessment found to be copied", now=datetime(2026, 12, 1, 15, 0))
    db.session.commit()
    html = page(client, certificate.code)
    assert "This certificate was revoked" in html
    assert "Revoked on 1 December 2026: Assessment found to be copied" in html
    assert "This certificate is valid" not in html


def test_a_replaced_certificate_points_to_the_holder(client, course):
    org = make_org()
    admin = make_user(email="admin@academy.example", is_platform_admin=True)
    old = issue_certificate(make_user(org), org, course)
    new = revocation.reissue(old, admin, "Wrong name", now=datetime(2026, 12, 2, 9, 0))
    db.session.commit()
    html = page(client, old.code)
    assert "This certificate was replaced" in html
    assert "Revoked on 2 December 2026" in html and "reissued with a new code" in html
    assert new.code not in html
    assert "This certificate is valid" in page(client, new.code)


def test_an_unknown_code_gets_a_clear_not_found_page(client, app):
    html = page(client, "this-code-does-not-exist", status=404)
    assert "Certificate not found" in html
    assert "No certificate has this verification code" in html
    assert "Certificate not found" in page(client, "x" * 300, status=404)


def test_dates_follow_the_organisations_time_zone(client, course):
    org = make_org(timezone="Asia/Tokyo")
    certificate = issue_certificate(make_user(org), org, course, completed_at=datetime(2026, 11, 20, 20, 0))
    assert "21 November 2026" in page(client, certificate.code)  # 05:00 on the 21st in Tokyo
