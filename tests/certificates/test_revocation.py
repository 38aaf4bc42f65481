"""Revocation, reissue and name changes: who, why and when; the old certificate marked replaced."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from lms.certificates import cards, issuing, revocation
from lms.extensions import db
from lms.tracking.models import Statement
from tests.certificates.conftest import issue_certificate
from tests.factories import make_org, make_user


def test_revoking_records_who_why_and_when(course):
    org = make_org()
    admin = make_user(email="admin@academy.example", is_platform_admin=True)
    certificate = issue_certificate(make_user(org), org, course)
    revocation.revoke(certificate, admin, "  Issued in error  ", now=datetime(2026, 12, 1, 10, 0))
    db.session.commit()
    assert certificate.revoked_at == datetime(2026, 12, 1, 10, 0)
    assert certificate.revocation_reason == "Issued in error"
    assert cards.status_of(certificate).state == "revoked"
    statement = db.session.scalar(select(Statement).where(Statement.verb == "revoked"))
    assert statement.actor_id == admin.id and statement.result == {"reason": "Issued in error"}
    with pytest.raises(issuing.CertificateError):
        revocation.revoke(certificate, admin, "again")


def test_reissuing_gives_a_new_code_and_marks_the_old_one_replaced(course):
    org = make_org()
    admin = make_user(email="admin@academy.example", is_platform_admin=True)
    learner = make_user(org, name="Jose Nunez")
    old = issue_certificate(learner, org, course)
    learner.name = "José Núñez"
    new = revocation.reissue(old, admin, "Accents were missing from the name")
    db.session.commit()
    assert new.code != old.code and new.enrolment_id == old.enrolment_id
    assert new.holder_name == "José Núñez" and new.issued_at == old.issued_at
    assert issuing.current_for(old.enrolment_id).id == new.id
    assert old.replaced_by_id == new.id and cards.status_of(old).state == "replaced"
    assert cards.status_of(new).state == "valid"
    assert "Accents were missing" in old.revocation_reason
    with pytest.raises(issuing.CertificateError):
        revocation.reissue(old, admin, "twice")


def test_a_revoked_certificate_can_be_reissued(course):
    org = make_org()
    admin = make_user(email="admin@academy.example", is_platform_admin=True)
    old = issue_certificate(make_user(org), org, course)
    revocation.revoke(old, admin, "Checking a complaint")
    new = revocation.reissue(old, admin, "Complaint resolved")
    db.session.commit()
    assert old.revocation_reason == "Checking a complaint"
    assert cards.status_of(old).state == "replaced" and cards.status_of(new).state == "valid"


def test_a_name_change_updates_current_certificates_only(course):
    org = make_org()
    admin = make_user(email="admin@academy.example", is_platform_admin=True)
    learner = make_user(org, name="Lukasz Was")
    old = issue_certificate(learner, org, course)
    new = revocation.reissue(old, admin, "Typo")
    learner.name = "Łukasz Wąs"
    changed = revocation.refresh_for_name_change(learner)
    db.session.commit()
    assert changed == [new]
    assert new.holder_name == "Łukasz Wąs" and old.holder_name == "Lukasz Was"
    assert revocation.refresh_for_name_change(learner) == []
