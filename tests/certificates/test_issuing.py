"""Issuing: through the real completion path, once per enrolment, only for courses that award certificates."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from lms.certificates import cards, issuing
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
    assert certificate.minutes == 10 and cards.card(certificate).hours == "0.2"
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
    again = issuing.issue(enrolment, learner)
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
    db.session.add(issuing.new_certificate(enrolment, learner, course, first.issued_at))
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
    with pytest.raises(issuing.CertificateError):
        issuing.issue(enrolment, learner)


def test_a_course_without_validity_gives_a_certificate_that_never_expires(course):
    course.validity_months = None
    org = make_org()
    certificate = issue_certificate(make_user(org), org, course)
    assert certificate.expires_at is None
    assert cards.status_of(certificate, datetime(2100, 1, 1)).state == "valid"


def test_certificates_are_issued_for_completions_that_predate_them(course):
    org = make_org()
    learner = make_user(org)
    enrolment = learning.enrol(learner, course, org)
    enrolment.completed_at = datetime(2026, 3, 1, 9, 0)
    db.session.commit()
    [certificate] = issuing.issue_missing()
    assert certificate.issued_at == datetime(2026, 3, 1, 9, 0)
    assert certificate.expires_at == datetime(2027, 3, 1, 9, 0)
    assert issuing.issue_missing() == []
