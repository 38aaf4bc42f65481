"""record() keeps the actor and instructor as plain values, and API tokens: created, revoked, refused when their
organisation is deactivated."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.tracking import services
from lms.tracking.directory import EXTENSION_KEY, Actor
from lms.tracking.models import ApiToken, Statement
from tests.factories import make_org, make_user


def stored(statement_id: str) -> Statement:
    db.session.expire_all()
    return db.session.get(Statement, statement_id)


def test_a_statement_keeps_the_actor_it_was_given_without_a_query(app, queries):
    org = make_org()
    with queries:
        statement = services.record(Actor(41, "Ada@Northwind.Example", "Ada Lovelace"), "viewed",
                                    ("report", "completion"), organization_id=org.id)
    assert queries.count == 0
    assert (statement.actor_id, statement.actor_email, statement.actor_name) == (
        41, "ada@northwind.example", "Ada Lovelace")


def test_a_user_id_is_looked_up_in_the_directory_once_and_recorded_with_the_statement(app, queries):
    org = make_org()
    ada = make_user(org, email="ada@northwind.example", name="Ada Lovelace")
    with queries:
        statement = services.record(ada.id, "viewed", ("report", "completion"), organization_id=org.id)
    assert queries.count == 1
    db.session.commit()
    row = stored(statement.id)
    assert (row.actor_id, row.actor_email, row.actor_name) == (ada.id, "ada@northwind.example", "Ada Lovelace")


def test_a_user_object_is_still_read_for_its_plain_values(app, queries):
    org = make_org()
    ada = make_user(org, email="ada@northwind.example", name="Ada Lovelace")
    with queries:
        statement = services.record(ada, "viewed", ("report", "completion"), organization_id=org.id)
    assert queries.count == 0
    assert (statement.actor_id, statement.actor_email) == (ada.id, "ada@northwind.example")


def test_the_platform_itself_has_no_actor(app):
    statement = services.record(None, "invited", ("user", "new@northwind.example", "New Person"))
    assert (statement.actor_id, statement.actor_email, statement.actor_name) == (None, None, None)


def test_the_assigning_manager_is_recorded_as_instructor_in_the_same_directory_question(app, queries):
    org = make_org()
    ada = make_user(org, email="ada@northwind.example")
    marcus = make_user(org, ("manager",), email="marcus@northwind.example", name="Marcus Bell")
    with queries:
        statement = services.record(ada.id, "assigned", ("course", "tiny-course", "ABM in Ten Minutes"),
                                    context={"assigned_by": marcus.id, "due_at": "2027-03-10T00:30:00Z"},
                                    organization_id=org.id)
    assert queries.count == 1
    assert statement.actor_email == "ada@northwind.example"
    assert statement.context["instructor"] == {"email": "marcus@northwind.example", "name": "Marcus Bell"}
    assert statement.context["assigned_by"] == marcus.id
    explicit = services.record(ada.actor, "assigned", ("course", "tiny-course"), instructor=marcus.actor)
    assert explicit.context == {"instructor": {"email": "marcus@northwind.example", "name": "Marcus Bell"}}


def test_record_does_not_flush_the_callers_pending_work_while_looking_up_a_user(app):
    org = make_org()
    ada = make_user(org)
    pending = make_org("Pending")  # flushed by the factory; change it without flushing
    pending.name = "Renamed"
    services.record(ada.id, "viewed", ("report", "completion"), organization_id=org.id)
    assert pending in db.session.dirty


def test_without_a_directory_a_user_id_cannot_be_recorded_silently(app):
    directory = app.extensions.pop(EXTENSION_KEY)
    try:
        with pytest.raises(RuntimeError, match="no directory"):
            services.record(7, "viewed", ("report", "completion"))
        services.record(Actor(7, "ada@northwind.example"), "viewed", ("report", "completion"))  # needs none
    finally:
        app.extensions[EXTENSION_KEY] = directory


def test_unknown_verbs_are_refused(app):
    with pytest.raises(ValueError, match="unknown verb"):
        services.record(None, "danced", ("report", "completion"))


def test_forgetting_a_person_leaves_their_statements_to_the_platform(app):
    org = make_org()
    ada = make_user(org, email="ada@northwind.example")
    sam = make_user(org, email="sam@northwind.example")
    mine = [services.record(ada.actor, "viewed", ("report", f"r{i}"), organization_id=org.id) for i in range(2)]
    theirs = services.record(sam.actor, "viewed", ("report", "r"), organization_id=org.id)
    db.session.commit()
    assert services.forget_actor(ada.id) == 2
    db.session.commit()
    assert [(stored(s.id).actor_email, stored(s.id).actor_name) for s in mine] == [(None, None), (None, None)]
    assert stored(theirs.id).actor_email == "sam@northwind.example"


# --- API tokens ------------------------------------------------------------------------------------


def test_creating_and_revoking_a_token_records_who_did_it(app):
    org = make_org()
    admin = make_user(org, ("org_admin",), email="admin@northwind.example")
    token, secret = services.create_token(org.id, "  Learning Locker ", admin.id)
    services.revoke_token(token, admin.id)
    db.session.commit()
    assert token.name == "Learning Locker" and token.created_by_id == admin.id
    assert services.token_for(secret) is None
    rows = db.session.execute(select(Statement.verb, Statement.actor_email, Statement.object_id)
                              .order_by(Statement.timestamp, Statement.verb)).all()
    assert sorted(rows) == [("created", "admin@northwind.example", str(token.id)),
                            ("revoked", "admin@northwind.example", str(token.id))]


def test_a_token_of_a_deactivated_organisation_is_refused_and_stays_revoked(app):
    ours, theirs = make_org("Northwind"), make_org("Globex")
    admin = make_user(ours, ("org_admin",))
    _, secret = services.create_token(ours.id, "BI", admin.id)
    _, their_secret = services.create_token(theirs.id, "BI", None)
    db.session.commit()
    assert services.token_for(secret) is not None

    ours.is_active = False  # however it happens, identity tells tracking in the same flush
    db.session.commit()
    assert services.token_for(secret) is None
    assert services.token_for(their_secret) is not None

    ours.is_active = True
    db.session.commit()
    assert services.token_for(secret) is None  # a reactivated organisation creates new tokens
    _, fresh = services.create_token(ours.id, "BI again", admin.id)
    db.session.commit()
    assert services.token_for(fresh) is not None


def test_the_statements_api_refuses_a_deactivated_organisations_token(client, app):
    org = make_org()
    admin = make_user(org, ("org_admin",))
    _, secret = services.create_token(org.id, "BI", admin.id)
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}", "X-Experience-API-Version": "1.0.3"}
    assert client.get("/xapi/statements", headers=headers).status_code == 200
    org.is_active = False
    db.session.commit()
    assert client.get("/xapi/statements", headers=headers).status_code == 401
    assert db.session.scalar(select(ApiToken.revoked_at)) is not None


def test_revoking_an_organisations_tokens_leaves_revoked_dates_alone(app):
    org = make_org()
    old, _ = services.create_token(org.id, "Old", None)
    services.revoke_token(old, None)
    db.session.commit()
    revoked_at = old.revoked_at
    services.revoke_organization_tokens(org.id)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(ApiToken, old.id).revoked_at == revoked_at
