"""How a request's transaction ends (lms.database._end_reads_with_commit): on PostgreSQL through psycopg, one that only
read is committed, so its connection keeps the statements psycopg prepared for it; one that changed something without
committing is rolled back, on either database."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from lms.extensions import db
from lms.identity.models import Organization
from tests.conftest import TEST_DATABASE_URL
from tests.databases import statements_prepared_after
from tests.factories import make_org

pytestmark = pytest.mark.db


@pytest.fixture
def org(app) -> Organization:
    org = make_org("Northwind")
    db.session.commit()
    return org


@pytest.fixture
def client(app, org):
    """A client of an app with views that change something and return without committing (or fail after)."""

    def flushed_insert():
        db.session.add(Organization(name="Flushed, never committed", slug="flushed"))
        db.session.flush()
        return "ok"

    def changed_object():
        db.session.get(Organization, org.id).name = "Changed, never flushed"
        return "ok"

    def core_update():
        db.session.execute(update(Organization).where(Organization.id == org.id).values(name="Updated, never committed"))
        return "ok"

    def read_then_fail():
        db.session.scalar(select(Organization.name).where(Organization.id == org.id))
        db.session.add(Organization(name="Added before an error", slug="added"))
        db.session.flush()
        raise RuntimeError("the view failed")

    for view in (flushed_insert, changed_object, core_update, read_then_fail):
        app.add_url_rule(f"/test/{view.__name__}", view.__name__, view)
    return app.test_client()


def _names() -> list[str]:
    db.session.remove()  # a session of its own: what is in the database now
    return list(db.session.scalars(select(Organization.name).order_by(Organization.name)))


@pytest.mark.parametrize("view", ["flushed_insert", "changed_object", "core_update"])
def test_a_request_that_changed_something_without_committing_is_rolled_back(client, view):
    assert client.get(f"/test/{view}").status_code == 200
    assert _names() == ["Northwind"]


def test_a_request_that_failed_after_writing_is_rolled_back(client, app):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: an error page, and the transaction rolled back
    assert client.get("/test/read_then_fail").status_code == 500
    assert _names() == ["Northwind"]


def test_pages_that_only_read_leave_their_statements_prepared_on_the_connection(client):
    """psycopg prepares a statement it has run five times on a connection, and forgets them all when a transaction
    there is rolled back: a page that only read ends with COMMIT, so the next requests find theirs prepared."""
    if not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL only: SQLite has no prepared statements to keep")

    def six_catalogue_pages() -> None:
        for _ in range(6):
            assert client.get("/").status_code == 200  # the catalogue reads the courses

    prepared = statements_prepared_after(six_catalogue_pages)
    assert any("courses" in statement for statement in prepared), prepared
