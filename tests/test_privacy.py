"""Personal data: download everything (JSON, CSV), ask for deletion, an org admin erases it while the
anonymised aggregates stay; every step is in the audit log, which only admins read."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from lms.content.models import Module
from lms.content.sync import sync_content
from lms.extensions import db
from lms.identity.models import AuditEntry, User
from lms.learning.models import ModuleProgress
from lms.practice.models import SavedAnswer
from lms.tracking.models import Statement
from lms.tracking.services import record
from tests.factories import DEFAULT_PASSWORD, make_org, make_user
from tests.smtp import body_of


def world():
    sync_content(Path(current_app.config["COURSES_DIR"]), {})
    module_id = db.session.scalar(select(Module.id).limit(1))
    org = make_org("Northwind")
    ada = make_user(org, ("learner",), email="ada@northwind.example", name="Ada Lovelace")
    make_user(org, ("org_admin",), email="olivia@northwind.example", name="Olivia Hart")
    record(ada.actor, "launched", ("module", "c/m", "Module"), organization_id=org.id)
    db.session.add(ModuleProgress(user_id=ada.id, module_id=module_id, organization_id=org.id, best_score=80, first_score=60))
    db.session.commit()
    return org, ada


def test_a_learner_downloads_everything_held_about_them_without_secrets(app, client, auth):
    _, ada = world()
    auth.login("ada@northwind.example")
    page = client.get("/profile/data").get_data(as_text=True)
    assert "Download as JSON" in page and "Learning record" in page
    data = json.loads(client.get("/profile/data/export.json").get_data(as_text=True))
    assert data["account"][0]["email"] == "ada@northwind.example"
    assert data["learning_record"] and data["module_progress"][0]["best_score"] == 80
    assert "password_hash" not in data["account"][0]
    assert all("token_hash" not in row for row in data["sign_in_sessions"])
    text = client.get("/profile/data/export.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {"dataset": "account", "record": "1", "field": "name", "value": "Ada Lovelace"} in rows
    actions = [e.action for e in db.session.scalars(select(AuditEntry))]
    assert actions == ["exported-own-data", "exported-own-data"]


def test_exported_text_that_a_spreadsheet_would_run_is_defused(app, client, auth):
    org = make_org("Northwind")
    make_user(org, ("learner",), email="eve@northwind.example", name="=HYPERLINK(\"http://x\")")
    auth.login("eve@northwind.example")
    text = client.get("/profile/data/export.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text


def test_asking_for_deletion_tells_the_admins_and_shows_on_the_page(app, client, auth, smtp_server):
    app.config.update(smtp_server.config())
    world()
    auth.login("ada@northwind.example")
    response = client.post("/profile/data/delete-request", follow_redirects=True)
    assert "Your request is with your organisation" in response.get_data(as_text=True)
    assert "You asked on" in client.get("/profile/data").get_data(as_text=True)
    [message] = smtp_server.messages
    assert message["To"] == "olivia@northwind.example" and "/admin/members/" in body_of(message)


def test_an_admin_erases_a_members_data_and_the_aggregates_stay(app, client, auth, smtp_server):
    app.config.update(smtp_server.config())
    org, ada = world()
    db.session.add(SavedAnswer(organization_id=org.id, workspace_id=_workspace(org, ada), user_id=ada.id,
                               exercise_slug="role-messaging", answer={"message": "Dear Jo Okafor"}))
    db.session.commit()
    auth.login("olivia@northwind.example")
    url = f"/admin/members/{ada.id}/erase"
    refused = client.post(url, data={"confirm_email": "wrong@northwind.example"}, follow_redirects=True)
    assert "email address exactly to confirm" in refused.get_data(as_text=True)
    done = client.post(url, data={"confirm_email": "ada@northwind.example"}, follow_redirects=True)
    assert "personal data is erased" in done.get_data(as_text=True)
    db.session.expire_all()
    erased = db.session.get(User, ada.id)
    assert erased.name == "Erased learner" and erased.email.endswith("@invalid") and erased.password_hash is None
    assert db.session.scalar(select(SavedAnswer)) is None
    statement = db.session.scalar(select(Statement).where(Statement.actor_id == ada.id))
    assert statement is not None and statement.actor_email is None and statement.actor_name is None
    assert db.session.scalar(select(ModuleProgress)).best_score == 80  # the aggregate stays
    log = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "erased-personal-data")).one()
    assert log.subject_name == "Ada Lovelace" and log.actor_name == "Olivia Hart"  # the log still reads
    assert smtp_server.messages[-1]["To"] == "ada@northwind.example"
    audit_page = client.get("/admin/audit").get_data(as_text=True)
    assert "erased the personal data of" in audit_page and "Ada Lovelace" in audit_page
    auth.logout()
    refused = client.post("/login", data={"email": "ada@northwind.example", "password": DEFAULT_PASSWORD})
    assert refused.status_code == 200 and "don" in refused.get_data(as_text=True)  # the account is gone


def _workspace(org, user) -> int:
    from lms.accounts.models import Workspace

    ws = Workspace(organization_id=org.id, owner_id=user.id, name="Ada's accounts", kind="personal")
    db.session.add(ws)
    db.session.flush()
    return ws.id


def test_another_organisations_member_cannot_be_erased_and_learners_cannot_read_the_log(app, client, auth):
    world()
    other = make_org("Globex")
    eve = make_user(other, ("learner",), email="eve@globex.example")
    auth.login("olivia@northwind.example")
    assert client.get(f"/admin/members/{eve.id}/erase").status_code == 404
    assert client.get("/platform/audit").status_code == 404
    auth.logout()
    auth.login("ada@northwind.example")
    assert client.get("/admin/audit").status_code == 403


def test_someone_in_two_organisations_is_not_erased_by_one_of_them(app, client, auth):
    org, ada = world()
    from lms.identity.services import add_role

    add_role(ada, make_org("Globex"), "learner")
    db.session.commit()
    auth.login("olivia@northwind.example")
    page = client.get(f"/admin/members/{ada.id}/erase").get_data(as_text=True)
    assert "also belongs to 1 other organisation" in page
    client.post(f"/admin/members/{ada.id}/erase", data={"confirm_email": "ada@northwind.example"})
    db.session.expire_all()
    assert db.session.get(User, ada.id).name == "Ada Lovelace"


def test_the_audit_log_reaches_every_entry_however_old(client, auth, monkeypatch):
    # It once showed the newest 500 only: an erasure from last year fell out of sight of the admins who must
    # answer for it. Pages of two stand for pages of a hundred.
    from lms.identity import audit

    monkeypatch.setattr(audit, "ENTRIES_PER_PAGE", 2)
    org = make_org("Northwind")
    make_user(org, ("org_admin",), email="olivia@northwind.example", name="Olivia Hart")
    people = [make_user(org, ("learner",), email=f"p{i}@northwind.example", name=f"Person {i}") for i in range(5)]
    for person in people:  # the oldest first
        audit.log("exported-own-data", actor=person, organization_id=org.id, subject_id=person.id,
                  subject_name=person.name)
    audit.log("exported-own-data", actor=people[0], organization_id=make_org("Other").id)  # not Northwind's
    db.session.commit()
    auth.login("olivia@northwind.example")
    first = client.get("/admin/audit").get_data(as_text=True)
    assert "5 entries in all" in first and "Person 4" in first and "Person 2" not in first
    assert "Page 1 of 3" in first and 'href="/admin/audit?page=2"' in first
    last = client.get("/admin/audit?page=3").get_data(as_text=True)
    assert "Person 0" in last and "Person 4" not in last
