"""Invitations by email, acceptance by new and existing users, and bulk invitations from a CSV."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from lms.extensions import db
from lms.identity.bulk import parse_invitations
from lms.identity.models import CohortMember, Invitation, User
from lms.tracking.models import Statement
from tests.factories import make_cohort, make_org, make_user
from tests.smtp import body_of


def _link(message) -> str:
    line = next(line for line in body_of(message).splitlines() if "/invitations/" in line)
    return line.strip().split("lms.test", 1)[1]


def test_admin_invites_by_email_and_a_new_user_joins_the_cohort(app, client, auth, smtp_server):
    app.config.update(smtp_server.config())
    org = make_org("Northwind")
    cohort = make_cohort(org, "Winter cohort")
    make_user(org, ("org_admin",), email="admin@northwind.example")
    auth.login("admin@northwind.example")
    response = client.post("/admin/invitations", data={
        "one-name": "Sam Sales", "one-email": "sam@northwind.example", "one-job_function": "sales",
        "one-role": "learner", "one-cohort_id": str(cohort.id),
    })
    assert response.status_code == 302
    [message] = smtp_server.messages
    assert "Northwind" in message["Subject"]
    path = _link(message)
    auth.logout()

    assert "Winter cohort" in client.get(path).get_data(as_text=True)
    done = client.post(path, data={"name": "Sam Sales", "password": "sales are great", "confirm": "sales are great"})
    assert done.status_code == 302
    sam = db.session.scalar(select(User).where(User.email == "sam@northwind.example"))
    assert sam.job_function == "sales"
    assert db.session.scalar(select(CohortMember).where(CohortMember.user_id == sam.id)).cohort_id == cohort.id
    again = client.get(path, follow_redirects=True).get_data(as_text=True)  # used: sign in, no new account
    assert "already accepted this invitation to Northwind. Sign in to continue." in again
    verbs = set(db.session.scalars(select(Statement.verb)))
    assert {"invited", "joined", "logged-in"} <= verbs


def test_existing_user_must_sign_in_as_the_invited_email_to_accept(app, client, auth):
    from lms.identity import services

    org_a, org_b = make_org("A"), make_org("B")
    person = make_user(org_a, email="pat@example.com")
    invitation, token = services.invite(org_b, email="pat@example.com", name="Pat", role="coach")
    db.session.commit()
    response = client.post(f"/invitations/{token}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    auth.login("pat@example.com")
    assert client.post(f"/invitations/{token}").status_code == 302
    db.session.expire_all()
    assert {(m.organization_id, m.role) for m in db.session.get(User, person.id).memberships} == {
        (org_a.id, "learner"), (org_b.id, "coach")}


def test_expired_and_revoked_invitations_do_not_work(app, client):
    from lms.identity import services

    org = make_org()
    expired, expired_token = services.invite(org, email="a@example.com", name="A")
    expired.expires_at = expired.expires_at - timedelta(days=30)
    revoked, revoked_token = services.invite(org, email="b@example.com", name="B")
    services.revoke_invitation(revoked)
    db.session.commit()
    assert client.get(f"/invitations/{expired_token}").status_code == 404
    assert client.get(f"/invitations/{revoked_token}").status_code == 404
    assert client.get("/invitations/not-a-token").status_code == 404


def test_reinviting_replaces_the_pending_invitation(app):
    from lms.identity import services

    org = make_org()
    first, first_token = services.invite(org, email="a@example.com", name="A")
    second, _ = services.invite(org, email="A@Example.com", name="A")
    db.session.commit()
    assert first.state == "revoked" and second.state == "pending"
    assert services.invitation_for(first_token) is None


BULK = (
    "Name,Email,Function,Cohort\n"
    "Ada Lovelace,ada@northwind.example,marketing,Winter cohort\n"
    "No Email,,sales,\n"
    "Bad Email,bad@@northwind.example,sales,\n"
    "Grace Hopper,grace@northwind.example,engineering,\n"
    "Alan Turing,alan@northwind.example,sales,Summer cohort\n"
    "Ada Again,ADA@northwind.example,marketing,\n"
    "Katherine Johnson,katherine@northwind.example,,\n"
)


def test_bulk_csv_reports_each_bad_row_with_its_line_and_reason():
    rows, errors = parse_invitations(BULK.encode("utf-8-sig"), {"Winter cohort"})
    assert [str(e) for e in errors] == [
        "line 3: '' is not a valid email address.",
        "line 4: 'bad@@northwind.example' is not a valid email address.",
        "line 5: function 'engineering' must be sales, marketing or other.",
        "line 6: there is no cohort called 'Summer cohort'.",
        "line 7: ada@northwind.example is already on line 2.",
    ]
    assert [(r.line, r.email, r.function, r.cohort) for r in rows] == [
        (2, "ada@northwind.example", "marketing", "Winter cohort"),
        (8, "katherine@northwind.example", "other", ""),
    ]


def test_bulk_csv_file_level_problems_are_specific():
    assert str(parse_invitations(b"", set())[1][0]) == "line 1: the file is empty. Add a header row: name,email,function,cohort."
    assert "missing column(s): email" in str(parse_invitations(b"name,phone\nA,1\n", set())[1][0])
    assert "binary data" in str(parse_invitations(b"\x89PNG\r\n\x1a\n\x00\x00", set())[1][0])
    assert "no people" in str(parse_invitations(b"name,email\n", set())[1][0])


def test_bulk_upload_is_all_or_nothing_by_default(app, client, auth):
    org = make_org("Northwind")
    make_cohort(org, "Winter cohort")
    make_user(org, ("org_admin",), email="admin@northwind.example")
    auth.login("admin@northwind.example")
    response = client.post("/admin/invitations/bulk", data={
        "bulk-file": (io.BytesIO(BULK.encode()), "team.csv"), "bulk-role": "learner",
    }, content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nobody was invited" in page and "Line 4: &#39;bad@@northwind.example&#39; is not a valid" in page
    assert db.session.scalar(select(Invitation.id)) is None


def test_bulk_upload_can_invite_the_valid_rows_when_chosen(app, client, auth):
    org = make_org("Northwind")
    make_cohort(org, "Winter cohort")
    make_user(org, ("org_admin",), email="admin@northwind.example")
    auth.login("admin@northwind.example")
    response = client.post("/admin/invitations/bulk", data={
        "bulk-file": (io.BytesIO(BULK.encode()), "team.csv"), "bulk-role": "learner", "bulk-import_valid": "y",
    }, content_type="multipart/form-data")
    assert response.status_code == 200
    emails = set(db.session.scalars(select(Invitation.email)))
    assert emails == {"ada@northwind.example", "katherine@northwind.example"}
    assert "Line 5" in response.get_data(as_text=True)


def test_an_admin_sends_an_invitation_again_with_a_fresh_link_and_sees_it(app, client, auth, smtp_server):
    app.config.update(smtp_server.config())
    org = make_org("Northwind")
    make_user(org, ("org_admin",), email="admin@northwind.example")
    auth.login("admin@northwind.example")
    client.post("/admin/invitations", data={"one-name": "Sam Sales", "one-email": "sam@northwind.example",
                                            "one-job_function": "sales", "one-role": "learner", "one-cohort_id": ""})
    first = db.session.scalar(select(Invitation))
    page = client.post(f"/admin/invitations/{first.id}/resend", follow_redirects=True).get_data(as_text=True)
    original, again = smtp_server.messages
    assert "Invitation sent again to sam@northwind.example" in page and _link(again) in page
    assert client.get(_link(original)).status_code == 404  # the earlier link no longer works
    assert client.get(_link(again)).status_code == 200


def test_another_organisations_invitation_cannot_be_sent_again(app, client, auth):
    other = make_org("Other Co")
    make_user(other, ("org_admin",), email="admin@other.example")
    org = make_org("Northwind")
    make_user(org, ("org_admin",), email="admin@northwind.example")
    auth.login("admin@other.example")
    client.post("/admin/invitations", data={"one-name": "Pat", "one-email": "pat@other.example",
                                            "one-job_function": "sales", "one-role": "learner", "one-cohort_id": ""})
    theirs = db.session.scalar(select(Invitation))
    auth.logout()
    auth.login("admin@northwind.example")
    assert client.post(f"/admin/invitations/{theirs.id}/resend").status_code == 404
