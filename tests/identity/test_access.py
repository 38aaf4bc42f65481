"""Who may open what: the role matrix, cross-organisation isolation (404), and CSRF on every form."""

from __future__ import annotations

import re

import pytest

from lms import create_app
from lms.extensions import db
from tests.factories import make_cohort, make_org, make_user

# Protected GET pages of this blueprint and the roles that may open them (None: any signed-in user).
PAGES = {
    "/dashboard": None,
    "/profile": None,
    "/admin/members": {"org_admin"},
    "/admin/invitations": {"org_admin"},
    "/admin/cohorts": {"org_admin"},
    "/admin/cohorts/new": {"org_admin"},
    "/platform/organizations": {"platform"},
}
ROLES = ["learner", "coach", "manager", "org_admin", "platform"]


@pytest.fixture
def people(app):
    org = make_org("Northwind")
    users = {}
    for role in ROLES:
        if role == "platform":
            users[role] = make_user(email="platform@academy.example", is_platform_admin=True)
        else:
            users[role] = make_user(org, (role,), email=f"{role}@northwind.example")
    return org, users


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", list(PAGES))
def test_role_matrix(client, auth, people, role, path):
    _, users = people
    auth.login(users[role].email)
    allowed = PAGES[path]
    code = client.get(path).status_code
    if allowed is None or role in allowed:
        assert code == 200, f"{role} should open {path}"
    elif role == "platform":
        assert code == 404, "a platform admin outside the organisation sees none of its pages"
    else:
        assert code == (404 if "platform" in allowed else 403), f"{role} must not open {path}"


@pytest.mark.parametrize("path", list(PAGES))
def test_signed_out_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_another_organizations_objects_answer_404(client, auth, app):
    ours, theirs = make_org("Ours"), make_org("Theirs")
    make_user(ours, ("org_admin",), email="admin@ours.example")
    outsider = make_user(theirs, ("learner",), email="someone@theirs.example")
    their_cohort = make_cohort(theirs, "Their cohort")
    from lms.identity import services

    invitation, _ = services.invite(theirs, email="new@theirs.example", name="New")
    db.session.commit()
    auth.login("admin@ours.example")
    assert client.get(f"/admin/cohorts/{their_cohort.id}").status_code == 404
    assert client.post(f"/admin/cohorts/{their_cohort.id}", data={"name": "Hijacked"}).status_code == 404
    assert client.get(f"/admin/members/{outsider.id}").status_code == 404
    assert client.post(f"/admin/invitations/{invitation.id}/revoke").status_code == 404
    assert client.post(f"/admin/cohorts/{their_cohort.id}/members", data={"user_id": outsider.id}).status_code == 404
    db.session.refresh(their_cohort)
    assert their_cohort.name == "Their cohort"
    assert db.session.get(type(invitation), invitation.id).state == "pending"


def test_org_admin_cannot_add_someone_from_another_organization_to_a_cohort(client, auth, app):
    ours, theirs = make_org("Ours"), make_org("Theirs")
    make_user(ours, ("org_admin",), email="admin@ours.example")
    cohort = make_cohort(ours, "Our cohort")
    outsider = make_user(theirs, ("learner",), email="someone@theirs.example")
    db.session.commit()
    auth.login("admin@ours.example")
    client.post(f"/admin/cohorts/{cohort.id}/members", data={"user_id": outsider.id, "role": "learner"})
    db.session.refresh(cohort)
    assert cohort.members == []


def test_org_admin_changes_roles_but_not_their_own_admin_role(client, auth, app):
    org = make_org()
    admin = make_user(org, ("org_admin",), email="admin@org.example")
    learner = make_user(org, ("learner",), email="l@org.example")
    auth.login(admin.email)
    client.post(f"/admin/members/{learner.id}", data={"roles": ["learner", "coach"], "is_active": "y"})
    response = client.post(f"/admin/members/{admin.id}", data={"roles": ["learner"], "is_active": "y"})
    assert "can&#39;t remove your own admin role" in response.get_data(as_text=True)
    db.session.expire_all()
    assert sorted(m.role for m in learner.memberships) == ["coach", "learner"]
    assert [m.role for m in admin.memberships] == ["org_admin"]


def test_user_with_two_organizations_switches_between_them(client, auth, app):
    a, b = make_org("Alpha"), make_org("Beta")
    user = make_user(a, ("learner",), email="two@orgs.example")
    from lms.identity.services import add_role

    add_role(user, b, "org_admin")
    db.session.commit()
    auth.login(user.email)
    assert "Alpha" in client.get("/dashboard").get_data(as_text=True)
    assert client.get("/admin/members").status_code == 403
    client.post(f"/organizations/{b.id}/switch")
    assert client.get("/admin/members").status_code == 200
    stranger = make_org("Gamma")
    client.post(f"/organizations/{stranger.id}/switch")  # not a member: ignored
    assert "Gamma" not in client.get("/dashboard").get_data(as_text=True)


def test_every_post_route_rejects_a_missing_csrf_token(tmp_path):
    from tests.conftest import _test_config

    app = create_app(_test_config(tmp_path, WTF_CSRF_ENABLED=True))
    with app.app_context():
        db.create_all()
        org = make_org()
        make_user(org, ("org_admin", "manager", "coach", "learner"), email="all@org.example",
                  is_platform_admin=True)
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert client.post("/login", data={"email": "all@org.example", "password": "correct horse battery",
                                           "csrf_token": token}).status_code == 302
        checked = 0
        for rule in app.url_map.iter_rules():
            if "POST" not in rule.methods or rule.endpoint == "static":
                continue
            if rule.endpoint.startswith(("xapi.", "api.")):
                continue  # the LRS and the REST API authenticate each request by a header, never by cookies

            url = rule.rule
            for arg in rule.arguments:
                url = url.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "x")
            response = client.post(url, data={"anything": "1"})
            assert response.status_code == 400, f"{rule.rule} accepted a POST without a CSRF token"
            assert "This form has expired" in response.get_data(as_text=True)
            checked += 1
        assert checked >= 10
        # ... and those header-authenticated routes really are the cookie-free ones: signed in, no header, refused.
        lrs = client.post("/xapi/statements", json={}, headers={"X-Experience-API-Version": "1.0.3"})
        assert lrs.status_code == 401
        db.session.remove()


@pytest.mark.parametrize("chosen", ["alpha", "beta", "gamma", None, "stranger"])
def test_the_current_organisation_in_sql_is_the_one_load_tenant_sets(app, chosen):
    """current_org_sql (for queries that load no ORM user, a certificate download) keeps load_tenant's rule: the
    session's organisation if the user belongs to it and it is active, else their lowest-numbered active one."""
    from flask import g, session
    from flask_login import login_user
    from sqlalchemy import select

    from lms.identity.services import add_role
    from lms.identity.sessions import current_org_sql, start_session
    from lms.tenancy import load_tenant

    orgs = {name: make_org(name.title()) for name in ("alpha", "beta", "gamma", "stranger")}
    user = make_user(orgs["beta"], email="three@orgs.example")  # Beta is suspended: Alpha and Gamma are left
    add_role(user, orgs["alpha"], "learner")
    add_role(user, orgs["gamma"], "manager")
    orgs["alpha"].is_active = chosen != "stranger"
    orgs["beta"].is_active = False
    db.session.commit()
    wanted = orgs[chosen].id if chosen else None
    with app.test_request_context():
        start_session(user)
        login_user(user)
        session["org_id"] = wanted
        load_tenant()
        expected = g.org.id
        in_sql = db.session.scalar(select(current_org_sql(db.literal(user.id))), {"org_id": wanted})
    assert in_sql == expected
