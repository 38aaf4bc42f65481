"""Issuing: through the real completion path, once per enrolment, only for courses that award certificates;
revocation, reissue and name changes."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from lms.certificates import services
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.learning import services as learning
from lms.learning.models import Enrolment
from lms.learning.signals import course_completed
from lms.tracking.models import Statement
from tests.certificates.conftest import issue_certificate
from tests.factories import make_cohort, make_org, make_user


def complete_course(user, org, slug: str = "tiny-course") -> bool:
    """Answer every knowledge check right and complete every module, as the learner's pages do."""
    view = learning.course_view(user, org, slug)
    finished = False
    for module in view.modules:
        for question in module.questions:
            right = [i for i, option in enumerate(question["options"]) if option.get("correct")]
            learning.answer(user, org, view, module, question["id"], right)
        finished = learning.complete_module(user, org, view, module) or finished
    db.session.commit()
    return finished


def certificates_of(user) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.user_id == user.id)))


def test_completing_the_course_through_learning_issues_a_certificate(course):
    org = make_org("Northwind")
    cohort = make_cohort(org, "Spring team")
    learner = make_user(org, email="zoe@northwind.example", name="Zoë Ångström-Øverby")
    learning.enrol(learner, course, org, cohort_id=cohort.id)
    db.session.commit()

    assert complete_course(learner, org) is True

    [certificate] = certificates_of(learner)
    enrolment = db.session.get(Enrolment, certificate.enrolment_id)
    assert enrolment.completed_at is not None and enrolment.user_id == learner.id
    assert certificate.holder_name == "Zoë Ångström-Øverby"
    assert certificate.course_title == "ABM in Ten Minutes"
    assert certificate.cohort_id == cohort.id and certificate.organization_id == org.id
    assert certificate.minutes == 10 and services.card(certificate).hours == "0.2"
    assert certificate.competencies == ["Target account selection and tiering", "Buying group mapping"]
    assert abs((certificate.issued_at - enrolment.completed_at).total_seconds()) < 5
    expires = certificate.expires_at
    assert (expires.year - certificate.issued_at.year) * 12 + expires.month - certificate.issued_at.month == 12
    earned = db.session.scalars(select(Statement).where(Statement.verb == "earned")).all()
    assert [(s.actor_id, s.object_type, s.object_id) for s in earned] == [(learner.id, "certificate",
                                                                            str(certificate.id))]


def test_verification_codes_are_long_random_and_url_safe(course):
    org = make_org()
    codes = [issue_certificate(make_user(org), org, course).code for _ in range(5)]
    assert len(set(codes)) == 5
    for code in codes:
        assert len(code) >= 32  # 24 random bytes: 192 bits
        assert all(ch.isalnum() or ch in "-_" for ch in code)


def test_issuing_is_idempotent(course):
    org = make_org()
    learner = make_user(org)
    first = issue_certificate(learner, org, course)
    enrolment = db.session.get(Enrolment, first.enrolment_id)
    again = services.issue(enrolment, learner)
    course_completed.send(enrolment, user=learner)  # a second signal for the same enrolment
    db.session.commit()
    assert again.id == first.id
    assert db.session.scalar(select(func.count(Certificate.id))) == 1
    assert db.session.scalar(select(func.count(Statement.id)).where(Statement.verb == "earned")) == 1


def test_the_database_refuses_a_second_current_certificate_for_an_enrolment(course):
    from sqlalchemy.exc import IntegrityError

    org = make_org()
    learner = make_user(org)
    first = issue_certificate(learner, org, course)
    enrolment = db.session.get(Enrolment, first.enrolment_id)
    db.session.add(services._new_certificate(enrolment, learner, course, first.issued_at))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_no_certificate_for_a_course_that_awards_none(course):
    course.certificate_issue = False
    org = make_org()
    learner = make_user(org)
    learning.enrol(learner, course, org)
    db.session.commit()
    assert complete_course(learner, org) is True
    assert certificates_of(learner) == []
    assert db.session.scalar(select(func.count(Statement.id)).where(Statement.verb == "earned")) == 0


def test_no_certificate_before_the_course_is_completed(course):
    org = make_org()
    learner = make_user(org)
    enrolment = learning.enrol(learner, course, org)
    db.session.commit()
    with pytest.raises(services.CertificateError):
        services.issue(enrolment, learner)


def test_a_course_without_validity_gives_a_certificate_that_never_expires(course):
    course.validity_months = None
    org = make_org()
    certificate = issue_certificate(make_user(org), org, course)
    assert certificate.expires_at is None
    assert services.status_of(certificate, datetime(2100, 1, 1)).state == "valid"


def test_certificates_are_issued_for_completions_that_predate_them(course):
    org = make_org()
    learner = make_user(org)
    enrolment = learning.enrol(learner, course, org)
    enrolment.completed_at = datetime(2026, 3, 1, 9, 0)
    db.session.commit()
    [certificate] = services.issue_missing()
    assert certificate.issued_at == datetime(2026, 3, 1, 9, 0)
    assert certificate.expires_at == datetime(2027, 3, 1, 9, 0)
    assert services.issue_missing() == []


def test_revoking_records_who_why_and_when(course):
    org = make_org()
    admin = make_user(email="admin@academy.example", is_platform_admin=True)
    certificate = issue_certificate(make_user(org), org, course)
    services.revoke(certificate, admin, "  Issued in error  ", now=datetime(2026, 12, 1, 10, 0))
    db.session.commit()
    assert certificate.revoked_at == datetime(2026, 12, 1, 10, 0)
    assert certificate.revocation_reason == "Issued in error"
    assert services.status_of(certificate).state == "revoked"
    statement = db.session.scalar(select(Statement).where(Statement.verb == "revoked"))
    assert statement.actor_id == admin.id and statement.result == {"reason": "Issued in error"}
    with pytest.raises(services.CertificateError):
        services.revoke(certificate, admin, "again")


def test_reissuing_gives_a_new_code_and_marks_the_old_one_replaced(course):
    org = make_org()
    admin = make_user(email="admin@academy.example", is_platform_admin=True)
    learner = make_user(org, name="Jose Nunez")
    old = issue_certificate(learner, org, course)
    learner.name = "José Núñez"
    new = services.reissue(old, admin, "Accents were missing from the name")
    db.session.commit()
    assert new.code != old.code and new.enrolment_id == old.enrolment_id
    assert new.holder_name == "José Núñez" and new.issued_at == old.issued_at
    assert services.current_for(old.enrolment_id).id == new.id
    assert old.replaced_by_id == new.id and services.status_of(old).state == "replaced"
    assert services.status_of(new).state == "valid"
    assert "Accents were missing" in old.revocation_reason
    with pytest.raises(services.CertificateError):
        services.reissue(old, admin, "twice")


def test_a_revoked_certificate_can_be_reissued(course):
    org = make_org()
    admin = make_user(email="admin@academy.example", is_platform_admin=True)
    old = issue_certificate(make_user(org), org, course)
    services.revoke(old, admin, "Checking a complaint")
    new = services.reissue(old, admin, "Complaint resolved")
    db.session.commit()
    assert old.revocation_reason == "Checking a complaint"
    assert services.status_of(old).state == "replaced" and services.status_of(new).state == "valid"


def test_a_name_change_updates_current_certificates_only(course):
    org = make_org()
    admin = make_user(email="admin@academy.example", is_platform_admin=True)
    learner = make_user(org, name="Lukasz Was")
    old = issue_certificate(learner, org, course)
    new = services.reissue(old, admin, "Typo")
    learner.name = "Łukasz Wąs"
    changed = services.refresh_for_name_change(learner)
    db.session.commit()
    assert changed == [new]
    assert new.holder_name == "Łukasz Wąs" and old.holder_name == "Lukasz Was"
    assert services.refresh_for_name_change(learner) == []
