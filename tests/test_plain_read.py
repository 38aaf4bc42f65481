"""lms.database.PlainRead: a hot SELECT run on the driver's connection gives the row a SQLAlchemy Connection would,
its values converted alike, and is counted with the app's other queries."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import bindparam, func, select

from lms.certificates.models import Certificate
from lms.database import PlainRead
from lms.extensions import db
from lms.identity.models import Organization
from tests.certificates.conftest import issue_certificate
from tests.factories import make_org, make_user

pytestmark = pytest.mark.db


def _statement():
    """A certificate by code, with a JSON column, dates (one NULL), a boolean and a string of the statement's own."""
    return (select(Certificate.id, Certificate.code, Certificate.competencies, Certificate.issued_at,
                   Certificate.revoked_at, Organization.name, Organization.is_active)
            .join(Organization, Organization.id == Certificate.organization_id)
            .where(Certificate.code == bindparam("code"), Organization.is_active.is_(True),
                   Organization.kind != "archived", Certificate.minutes >= bindparam("minutes")))


@pytest.fixture
def certificate(app, course):
    org = make_org("Northwind")
    return issue_certificate(make_user(org, name="Zoë Ångström"), org, course)


def test_a_plain_read_returns_the_row_a_connection_would(certificate):
    params = {"code": certificate.code, "minutes": 0}
    expected = tuple(db.session.execute(_statement(), params).one())

    row = PlainRead(_statement).first(db.engine, params)

    assert row == expected
    _, code, competencies, issued_at, revoked_at, org_name, active = row
    assert code == certificate.code and org_name == "Northwind" and active is True
    assert isinstance(competencies, list) and competencies == certificate.competencies  # JSON, decoded
    assert isinstance(issued_at, datetime) and issued_at == certificate.issued_at and revoked_at is None


def test_the_callers_values_are_converted_for_the_driver_as_a_connection_would(app, course):
    """SQLite keeps a date as text in SQLAlchemy's format, with microseconds; the driver's own conversion leaves
    them out when they are zero, so an unconverted date would match nothing."""
    org = make_org("Northwind")
    on_the_hour = datetime(2026, 3, 1, 9, 30)
    certificate = issue_certificate(make_user(org), org, course, completed_at=on_the_hour)
    read = PlainRead(lambda: select(Certificate.code).where(Certificate.issued_at == bindparam("issued_at")))
    assert read.first(db.engine, {"issued_at": on_the_hour}) == (certificate.code,)


def test_a_statement_s_own_null_is_sent_without_the_caller_giving_it(certificate):
    """A value the statement carries is the statement's, NULL included: only a parameter without one is the caller's."""
    read = PlainRead(lambda: select(Certificate.code).where(
        Certificate.code == bindparam("code"), func.coalesce(Certificate.revoked_at, bindparam("never", None)).is_(None)))
    assert read.first(db.engine, {"code": certificate.code}) == (certificate.code,)


def test_a_plain_read_without_a_row_returns_none(certificate):
    read = PlainRead(_statement)
    assert read.first(db.engine, {"code": certificate.code, "minutes": certificate.minutes + 1}) is None
    assert read.first(db.engine, {"code": "no-such-code", "minutes": 0}) is None
    assert read.first(db.engine, {"code": certificate.code, "minutes": 0}) is not None  # compiled once, reused


def test_a_plain_read_is_counted_with_the_apps_queries(certificate, queries):
    with queries:
        db.session.get(Organization, certificate.organization_id)
        PlainRead(_statement).first(db.engine, {"code": certificate.code, "minutes": 0})
    assert len(queries.statements) == 2
    assert "certificates.code" in queries.statements[1]


def test_a_statement_rendered_at_each_execution_is_refused(app):
    """A list in IN (...) is written into the SQL when a Connection runs it: a PlainRead would send it unrendered."""
    read = PlainRead(lambda: select(Organization.id).where(Organization.id.in_([1, 2])))
    with pytest.raises(ValueError, match="rendered per execution"):
        read.first(db.engine, {})
