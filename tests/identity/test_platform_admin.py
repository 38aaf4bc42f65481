"""Platform admins edit organisations, set seat limits, suspend and reactivate them, and record module reviews;
each step is in the audit log."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from lms.content.models import Module
from lms.content.sync import sync_content
from lms.extensions import db
from lms.identity.models import AuditEntry, Invitation
from tests.factories import make_org, make_user

INVITE = {"one-name": "Sam Sales", "one-email": "sam@northwind.example", "one-job_function": "sales",
          "one-role": "learner", "one-cohort_id": ""}


def admin():
    return make_user(None, (), email="root@abm-academy.example", is_platform_admin=True)


def test_a_suspended_organisation_is_out_of_reach_until_reactivated(app, client, auth):
    org = make_org("Northwind")
    make_user(org, ("learner",), email="ada@northwind.example")
    admin()
    db.session.commit()
    auth.login("root@abm-academy.example")
    data = {"name": "Northwind", "timezone": "Europe/London", "seat_limit": ""}  # is_active unticked
    assert client.post(f"/platform/organizations/{org.id}", data=data).status_code == 302
    auth.logout()
    auth.login("ada@northwind.example")
    assert client.get("/workspace").status_code == 404  # no organisation to work in
    auth.logout()
    auth.login("root@abm-academy.example")
    client.post(f"/platform/organizations/{org.id}", data={**data, "is_active": "y"})
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["suspended-organisation", "edited-organisation", "reactivated-organisation",
                       "edited-organisation"]
    auth.logout()
    auth.login("ada@northwind.example")
    assert client.get("/workspace").status_code == 200


def test_invitations_stop_at_the_seat_limit_with_a_clear_message(app, client, auth):
    org = make_org("Northwind", seat_limit=2)
    make_user(org, ("org_admin",), email="olivia@northwind.example")
    db.session.commit()
    auth.login("olivia@northwind.example")
    assert client.post("/admin/invitations", data=INVITE).status_code == 302  # seat 2 of 2
    refused = client.post("/admin/invitations", data={**INVITE, "one-email": "pat@northwind.example"})
    assert "No seats left: 2 of 2 are used" in refused.get_data(as_text=True)
    assert len(db.session.scalars(select(Invitation)).all()) == 1
    again = client.post("/admin/invitations", data=INVITE)  # the same person again takes no new seat
    assert again.status_code == 302


def test_an_expired_invitation_frees_its_seat(app):
    from lms.identity.services import seats_used

    org = make_org("Northwind", seat_limit=5)
    db.session.add(Invitation(organization_id=org.id, email="old@northwind.example", name="Old", role="learner",
                              token_hash="b" * 64, expires_at=date.today() - timedelta(days=1)))
    db.session.commit()
    assert seats_used(org) == 0


def test_other_people_cannot_reach_the_organisation_page(app, client, auth):
    org = make_org("Northwind")
    make_user(org, ("org_admin",), email="olivia@northwind.example")
    db.session.commit()
    auth.login("olivia@northwind.example")
    assert client.get(f"/platform/organizations/{org.id}").status_code == 404


def test_a_module_marked_reviewed_is_fresh_again_and_logged(app, client, auth):
    sync_content(Path(app.config["COURSES_DIR"]), {})
    module = db.session.scalar(select(Module).limit(1))
    module.last_reviewed = date.today() - timedelta(days=400)
    admin()
    db.session.commit()
    auth.login("root@abm-academy.example")
    assert "Overdue (1)" in client.get("/platform/content").get_data(as_text=True)
    response = client.post(f"/platform/content/{module.id}/reviewed", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "marked reviewed today" in page and "Overdue (0)" in page and "in the app" in page
    entry = db.session.scalar(select(AuditEntry))
    assert entry.action == "marked-module-reviewed" and entry.subject_name == module.title
