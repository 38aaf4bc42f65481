"""Reading the record as xAPI: actors served as recorded, the agent filter across a changed email, names of the
organisation and cohort from the directory."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import quote

from sqlalchemy import select

from lms.extensions import db
from lms.tracking import services, statements
from lms.tracking.directory import EXTENSION_KEY, Actor, Names
from lms.tracking.models import Statement
from lms.tracking.query import StatementQuery
from lms.tracking.validation import statement_problems
from tests.factories import make_cohort, make_org, make_user


def export(statement_id: str) -> dict:
    return statements.xapi_statements_by_id([statement_id], statements.xapi_site())[statement_id]


def api(client, secret: str, query: str = "") -> list[dict]:
    response = client.get(f"/xapi/statements{query}", headers={"Authorization": f"Bearer {secret}",
                                                               "X-Experience-API-Version": "1.0.3"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["statements"]


def agent(email: str) -> str:
    return "?agent=" + quote(json.dumps({"mbox": f"mailto:{email}"}))


def test_a_statement_recorded_for_a_user_exports_with_that_users_mbox(app):
    org = make_org("Northwind")
    ada = make_user(org, email="ada@northwind.example", name="Ada Lovelace")
    statement = services.record(ada.id, "completed", ("course", "tiny-course", "ABM in Ten Minutes"),
                                organization_id=org.id)
    db.session.commit()
    exported = export(statement.id)
    assert exported["actor"] == {"objectType": "Agent", "mbox": "mailto:ada@northwind.example", "name": "Ada Lovelace"}
    assert statement_problems(exported) == []


def test_an_exported_statement_keeps_the_actor_it_was_recorded_with(app):
    org = make_org("Northwind")
    ada = make_user(org, email="ada@northwind.example", name="Ada Lovelace")
    statement = services.record(ada.actor, "completed", ("course", "tiny-course"), organization_id=org.id)
    db.session.commit()
    ada.email, ada.name = "ada.king@northwind.example", "Ada King"
    db.session.commit()
    assert export(statement.id)["actor"]["mbox"] == "mailto:ada@northwind.example"  # what an LRS already received
    assert export(statement.id)["actor"]["name"] == "Ada Lovelace"


def test_the_agent_filter_finds_a_persons_history_by_their_old_and_new_address(client, app):
    org = make_org("Northwind")
    admin = make_user(org, ("org_admin",))
    ada = make_user(org, email="ada@northwind.example")
    sam = make_user(org, email="sam@northwind.example")
    before = services.record(ada.actor, "launched", ("module", "tiny-course/one"), organization_id=org.id)
    services.record(sam.actor, "launched", ("module", "tiny-course/one"), organization_id=org.id)
    _, secret = services.create_token(org.id, "BI", admin.id)
    db.session.commit()
    ada.email = "ada.king@northwind.example"
    db.session.commit()
    assert [s["id"] for s in api(client, secret, agent("ada.king@northwind.example"))] == [before.id]
    after = services.record(ada.actor, "completed", ("module", "tiny-course/one"), organization_id=org.id)
    db.session.commit()
    for address in ("ada@northwind.example", "ada.king@northwind.example", "ADA.KING@northwind.example"):
        found = api(client, secret, agent(address))
        assert {s["id"] for s in found} == {before.id, after.id}, address
        assert {s["id"]: s["actor"]["mbox"] for s in found} == {
            before.id: "mailto:ada@northwind.example", after.id: "mailto:ada.king@northwind.example"}
    assert len(api(client, secret, agent("sam@northwind.example"))) == 1


def test_the_agent_filter_by_sha1sum_matches_recorded_addresses(client, app):
    org = make_org("Northwind")
    admin = make_user(org, ("org_admin",))
    ada = make_user(org, email="ada@northwind.example")
    services.record(ada.actor, "launched", ("module", "tiny-course/one"), organization_id=org.id)
    _, secret = services.create_token(org.id, "BI", admin.id)
    db.session.commit()
    digest = hashlib.sha1(b"mailto:ada@northwind.example").hexdigest()  # noqa: S324 - the xAPI IFI
    found = api(client, secret, "?agent=" + quote(json.dumps({"mbox_sha1sum": digest})))
    assert [s["actor"]["mbox"] for s in found] == ["mailto:ada@northwind.example"]
    other = hashlib.sha1(b"mailto:nobody@northwind.example").hexdigest()  # noqa: S324
    assert api(client, secret, "?agent=" + quote(json.dumps({"mbox_sha1sum": other}))) == []


def test_the_agent_filter_stays_inside_the_organisation(app):
    ours, theirs = make_org("Northwind"), make_org("Globex")
    ada = make_user(ours, email="ada@northwind.example")
    eve = make_user(theirs, email="eve@globex.example")
    services.record(ada.actor, "launched", ("module", "tiny-course/one"), organization_id=theirs.id)
    services.record(eve.actor, "launched", ("module", "tiny-course/one"), organization_id=theirs.id)
    mine = services.record(Actor(ada.id, "ada.old@northwind.example"), "launched", ("module", "x"),
                           organization_id=ours.id)
    db.session.commit()
    for address in ("ada@northwind.example", "ada.old@northwind.example"):
        page = statements.statements_page(ours.id, StatementQuery(agent={"mbox": f"mailto:{address}"}))
        assert [s["id"] for s in page.statements] == [mine.id]
    condition = statements.agent_condition(ours.id, {"mbox": "mailto:eve@globex.example"})
    assert db.session.scalars(select(Statement.id).where(Statement.organization_id == ours.id, condition)).all() == []


def test_organisation_and_cohort_names_are_asked_of_the_directory(app, queries):
    org = make_org("Northwind")
    cohort = make_cohort(org, "Winter 2026")
    ada = make_user(org, email="ada@northwind.example")
    statement = services.record(ada.actor, "launched", ("module", "tiny-course/one"), organization_id=org.id,
                                cohort_id=cohort.id)
    db.session.commit()
    org.name = "Northwind Traders"
    db.session.commit()
    with queries:
        exported = export(statement.id)
    assert queries.count == 2  # the statement, then one directory question for both names
    extensions = exported["context"]["extensions"]
    assert extensions["https://abm-academy.org/xapi/extensions/organization"] == {"id": org.id,
                                                                                  "name": "Northwind Traders"}
    assert extensions["https://abm-academy.org/xapi/extensions/cohort"] == {"id": cohort.id, "name": "Winter 2026"}
    assert exported["authority"]["name"].endswith("Northwind Traders")


def test_tracking_reads_names_only_through_the_registered_directory(app):
    class Fake:
        def actors(self, user_ids):
            return {}

        def user_ids(self, emails):
            return []

        def names(self, organization_ids, cohort_ids):
            return Names({i: f"Org {i}" for i in organization_ids}, {i: f"Cohort {i}" for i in cohort_ids})

    statement = services.record(Actor(None, "guest@example.com"), "viewed", ("report", "r"),
                                organization_id=None)
    statement.organization_id, statement.cohort_id = 5, 6
    real = app.extensions[EXTENSION_KEY]
    app.extensions[EXTENSION_KEY] = Fake()
    try:
        [row] = statements.statement_rows([statement])
    finally:
        app.extensions[EXTENSION_KEY] = real
    assert (row.organization_name, row.cohort_name) == ("Org 5", "Cohort 6")
    assert row.actor_email == "guest@example.com"
