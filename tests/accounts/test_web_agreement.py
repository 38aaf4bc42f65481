"""Sales agreement through the pages: imports and the record form never set it; a public attendee invites a sales
colleague by email (a review link: once per account, expiring, revocable, this workspace only) or their coach
stands in; every verdict says which path it came by."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.accounts.models import Account, AccountReview, AccountReviewInvitation
from lms.accounts.records import create_account
from lms.accounts.signoff import invite_reviewer
from lms.accounts.workspaces import workspace_for
from lms.database import utcnow
from lms.extensions import db
from lms.tracking.models import Statement
from tests.accounts.web_support import batch_id, import_bytes, make_team, text, upload
from tests.factories import make_cohort, make_org, make_user
from tests.smtp import body_of

AGREED_CSV = (b"name,tier,why_selected,sales_agreed,sales_agreed_by,sales_agreed_at,sales_disagree_reason\n"
              b"Larkspur Devices,1:1,New CFO from a customer,true,Dana Whitlock,2026-03-01,\n"
              b"Kettlewell & Sons,1:few,Opened a tender,false,Dana Whitlock,2026-03-01,Too small\n")


@pytest.fixture
def attendee(app):
    """A public attendee with two proposed target accounts and one that is not on the list, and their coach."""
    org = make_org("Public courses", kind="public")
    cohort = make_cohort(org, "ABM essentials, March", shares_workspace=False)
    learner = make_user(org, ("learner",), email="pat@attendee.example", name="Pat Attendee", cohort=cohort)
    coach = make_user(org, ("coach",), email="chris@academy.example", name="Chris Coach", cohort=cohort,
                      cohort_role="coach")
    ws = workspace_for(learner, org)
    ids = {}
    for name, tier, target in (("Larkspur Devices", "1:1", True), ("Kettlewell & Sons", "1:few", True),
                               ("Dormant Co", None, False)):
        ids[name] = create_account(ws, learner, {"name": name, "tier": tier, "is_target": target,
                                                 "why_selected": f"{name} opened a tender"}).id
    db.session.commit()
    return org, cohort, learner, coach, ws, ids


def verdict(client, path: str, account_id: int, button: str, reason: str = ""):
    sep = "&" if "?" in path else "?"
    return client.post(f"{path}{sep}account={account_id}",
                       data={f"a{account_id}-{button}": button.capitalize(), f"a{account_id}-reason": reason})


def fresh(account_id: int) -> Account:
    db.session.expire_all()
    return db.session.get(Account, account_id)


def invite(ws, learner) -> str:
    _, token = invite_reviewer(ws, learner, "Dana Whitlock", "dana@northwind.example")
    db.session.commit()
    return f"/workspace/review/{token}"


# --------------------------------------------------------------------------------------------- the marketer


def test_an_import_with_agreement_columns_imports_the_rest_and_says_agreement_was_left_out(client, auth, attendee):
    _, _, learner, _, ws, _ = attendee
    auth.login(learner.email)

    preview = client.get(f"/workspace/import/{batch_id(upload(client, 'crm.csv', AGREED_CSV))}")
    page = text(preview)
    assert "Sales agreement is not imported" in page
    assert ("The columns sales_agreed, sales_agreed_by, sales_agreed_at, sales_disagree_reason were left out: only "
            "sales can agree to a target account") in page
    assert 'href="/workspace/signoff"' in preview.get_data(as_text=True)

    assert import_bytes(client, "crm.csv", AGREED_CSV).status_code == 302
    db.session.expire_all()
    larkspur = db.session.scalar(select(Account).where(Account.name == "Larkspur Devices",
                                                       Account.workspace_id == ws.id))
    assert (larkspur.tier, larkspur.why_selected) == ("1:1", "New CFO from a customer")
    assert db.session.scalars(select(Account.sales_agreed).where(Account.workspace_id == ws.id)).all() == [None] * 3
    assert db.session.scalar(select(AccountReview)) is None


def test_a_file_without_agreement_columns_says_nothing_about_agreement(client, auth, attendee):
    _, _, learner, *_ = attendee
    auth.login(learner.email)
    batch = batch_id(upload(client, "a.csv", b"name,tier\nAcme,1:1\n"))
    preview = client.get(f"/workspace/import/{batch}")
    assert "Sales agreement is not imported" not in text(preview)


def test_the_account_form_cannot_set_agreement(client, auth, attendee):
    _, _, learner, _, _, ids = attendee
    auth.login(learner.email)
    larkspur = ids["Larkspur Devices"]
    form = client.get(f"/workspace/accounts/{larkspur}/edit").get_data(as_text=True)
    assert "sales_agreed" not in form

    client.post(f"/workspace/accounts/{larkspur}/edit", data={
        "name": "Larkspur Devices", "tier": "1:1", "is_target": "y", "status": "active", "sales_agreed": "y",
        "sales_agreed_by": "Dana Whitlock", "sales_agreed_via": "sales", "sales_agreed_at": "2026-03-01"})
    account = fresh(larkspur)
    assert (account.sales_agreed, account.sales_agreed_by, account.sales_agreed_via) == (None, None, None)


def test_the_attendee_cannot_agree_with_their_own_list(client, auth, attendee):
    _, _, learner, _, _, ids = attendee
    auth.login(learner.email)
    page = client.get("/workspace/signoff")
    assert 'value="Agree"' not in page.get_data(as_text=True)
    assert verdict(client, "/workspace/signoff", ids["Larkspur Devices"], "agree").status_code == 403
    assert fresh(ids["Larkspur Devices"]).sales_agreed is None


def test_a_personal_workspace_offers_an_invitation_and_names_the_coach(client, auth, attendee):
    _, _, learner, *_ = attendee
    auth.login(learner.email)
    page = text(client.get("/workspace/signoff"))
    assert "Get sales' agreement" in page
    assert "Invite a sales colleague to review the list" in page
    assert "Chris Coach can review the list for you, standing in for sales" in page


def test_a_team_with_sales_is_told_to_ask_them_and_offered_no_invitation(client, auth):
    team = make_team()
    auth.login(team.marketing.email)
    page = text(client.get("/workspace/signoff"))
    assert "Ask Sam Whitfield to open this page" in page
    assert "Invite a sales colleague" not in page
    client.post("/workspace/signoff/invitations", data={"name": "Dana", "email": "dana@elsewhere.example"})
    assert db.session.scalar(select(AccountReviewInvitation)) is None


# --------------------------------------------------------------------------------------------- the invited colleague


def test_the_invitation_email_arrives_over_smtp_with_a_working_link(app, client, auth, attendee, smtp_server):
    app.config.update(smtp_server.config())
    _, _, learner, _, _, ids = attendee
    auth.login(learner.email)

    sent = client.post("/workspace/signoff/invitations",
                       data={"name": "Dana Whitlock", "email": "Dana.Whitlock@Northwind.example"})
    assert sent.status_code == 302
    assert "Review link sent to Dana Whitlock (dana.whitlock@northwind.example)" in text(client.get(sent.location))

    [message] = smtp_server.messages
    assert message["To"] == "dana.whitlock@northwind.example"
    assert message["Subject"] == "Pat Attendee asks you to review their target accounts"
    body = body_of(message)
    link = re.search(r"http://lms\.test(/workspace/review/\S+)", body).group(1)
    assert "works until" in body
    guest = app.test_client()
    page = text(guest.get(link))
    assert "Review Pat Attendee's target accounts" in page and "Larkspur Devices" in page
    assert verdict(guest, link, ids["Larkspur Devices"], "agree").status_code == 302
    assert fresh(ids["Larkspur Devices"]).sales_agreed_via == "guest"


def test_a_failed_email_makes_no_invitation(app, client, auth, attendee):
    app.config.update({"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 1, "MAIL_TIMEOUT": 2})
    _, _, learner, *_ = attendee
    auth.login(learner.email)
    response = client.post("/workspace/signoff/invitations", data={"name": "Dana", "email": "dana@northwind.example"})
    assert response.status_code == 422
    assert "The email could not be sent, so no invitation was made" in text(response)
    assert db.session.scalar(select(AccountReviewInvitation)) is None


def test_the_guest_sees_only_this_workspaces_target_accounts_and_gives_one_verdict_each(app, attendee):
    _, _, learner, _, ws, ids = attendee
    other_org = make_org("Southwind")
    stranger = make_user(other_org, ("learner",), name="Otto Other")
    theirs = create_account(workspace_for(stranger, other_org), stranger, {"name": "Southwind Secret Ltd"})
    db.session.commit()
    link = invite(ws, learner)
    guest = app.test_client()

    page = text(guest.get(link))
    assert "Larkspur Devices" in page and "Kettlewell & Sons" in page and "Why now: Larkspur Devices opened a tender" in page
    assert "Dormant Co" not in page and "Southwind Secret" not in page
    assert "0 of 2 target accounts reviewed" in page

    no_reason = verdict(guest, link, ids["Kettlewell & Sons"], "disagree")
    assert "Say why you disagree" in text(no_reason)
    assert verdict(guest, link, ids["Kettlewell & Sons"], "disagree", "They renewed with a rival").status_code == 302
    again = verdict(guest, link, ids["Kettlewell & Sons"], "agree")
    assert "You have already given your verdict on Kettlewell & Sons" in text(guest.get(again.location))

    account = fresh(ids["Kettlewell & Sons"])
    assert (account.sales_agreed, account.sales_agreed_via, account.sales_agreed_by, account.sales_disagree_reason) == (
        False, "guest", "Dana Whitlock", "They renewed with a rival")
    review = db.session.scalar(select(AccountReview))
    assert (review.reviewer_id, review.reviewer_name, review.reviewer_email) == (
        None, "Dana Whitlock", "dana@northwind.example")
    statement = db.session.scalar(select(Statement).where(Statement.verb == "disagreed"))
    assert (statement.actor_id, statement.actor_email, statement.result["via"]) == (
        None, "dana@northwind.example", "guest")
    assert "You disagreed Your reason: They renewed with a rival" in text(guest.get(link))

    for other in (ids["Dormant Co"], theirs.id, "x"):
        assert verdict(guest, link, other, "agree").status_code == 404
    assert fresh(ids["Dormant Co"]).sales_agreed is None and fresh(theirs.id).sales_agreed is None


def test_a_tampered_expired_or_revoked_link_answers_404(app, client, auth, attendee):
    _, _, learner, _, ws, ids = attendee
    link = invite(ws, learner)
    guest = app.test_client()
    assert guest.get(link).status_code == 200
    assert guest.get(link[:-2] + ("xy" if not link.endswith("xy") else "zz")).status_code == 404
    assert guest.get("/workspace/review/" + "a" * 500).status_code == 404

    invitation = db.session.scalar(select(AccountReviewInvitation))
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert guest.get(link).status_code == 404
    assert verdict(guest, link, ids["Larkspur Devices"], "agree").status_code == 404

    invitation.expires_at = utcnow() + timedelta(days=1)
    db.session.commit()
    auth.login(learner.email)
    listed = text(client.get("/workspace/signoff"))
    assert "Review links you sent" in listed and "Dana Whitlock (dana@northwind.example)" in listed
    assert "Open until" in listed
    assert client.post(f"/workspace/signoff/invitations/{invitation.id}/revoke").status_code == 302
    assert guest.get(link).status_code == 404
    assert "Revoked" in text(client.get("/workspace/signoff"))
    assert fresh(ids["Larkspur Devices"]).sales_agreed is None


def test_another_learner_cannot_revoke_or_see_an_invitation(app, client, auth, attendee):
    org, cohort, learner, _, ws, _ = attendee
    invite(ws, learner)
    invitation = db.session.scalar(select(AccountReviewInvitation))
    other = make_user(org, ("learner",), email="lee@attendee.example", name="Lee Other", cohort=cohort)
    auth.login(other.email)
    assert "Dana Whitlock" not in text(client.get("/workspace/signoff"))
    assert client.post(f"/workspace/signoff/invitations/{invitation.id}/revoke").status_code == 404
    db.session.expire_all()
    assert db.session.get(AccountReviewInvitation, invitation.id).revoked_at is None


def test_the_guest_form_needs_its_csrf_token(app, attendee):
    _, _, learner, _, ws, ids = attendee
    link = invite(ws, learner)
    larkspur = ids["Larkspur Devices"]
    app.config["WTF_CSRF_ENABLED"] = True
    guest = app.test_client()
    page = guest.get(link).get_data(as_text=True)
    token = re.search(rf'name="a{larkspur}-csrf_token"[^>]*value="([^"]+)"', page).group(1)

    assert verdict(guest, link, larkspur, "agree").status_code == 400
    assert fresh(larkspur).sales_agreed is None
    posted = guest.post(f"{link}?account={larkspur}", data={f"a{larkspur}-agree": "Agree",
                                                            f"a{larkspur}-csrf_token": token})
    assert posted.status_code == 302 and fresh(larkspur).sales_agreed is True


@pytest.fixture
def rate_limited(app_config):
    app_config.update({"RATELIMIT_ENABLED": True, "VERIFY_RATE_LIMIT": "2 per minute"})


def test_the_guest_link_is_rate_limited(rate_limited, app, attendee):
    _, _, learner, _, ws, _ = attendee
    link = invite(ws, learner)
    guest = app.test_client()
    statuses = [guest.get(link).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


# --------------------------------------------------------------------------------------------- the coach


def test_the_coach_stands_in_and_the_learner_sees_which_path_each_verdict_came_by(app, client, auth, attendee):
    org, _, learner, coach, ws, ids = attendee
    link = invite(ws, learner)
    verdict(app.test_client(), link, ids["Larkspur Devices"], "agree")
    auth.login(coach.email)

    listed = text(client.get("/workspace/coach/signoff"))
    assert "Pat Attendee" in listed and "1 target account" in listed
    page = f"/workspace/coach/signoff/{ws.id}"
    assert "Kettlewell & Sons" in text(client.get(page)) and "Dormant Co" not in text(client.get(page + "?show=all"))
    assert verdict(client, page, ids["Kettlewell & Sons"], "agree", "Tender is real").status_code == 302
    account = fresh(ids["Kettlewell & Sons"])
    assert (account.sales_agreed, account.sales_agreed_via, account.sales_agreed_by) == (True, "coach", "Chris Coach")
    assert verdict(client, page, ids["Dormant Co"], "agree").status_code == 404

    auth.logout()
    auth.login(learner.email)
    mine = text(client.get("/workspace/signoff?show=all"))
    assert "Agreed by Dana Whitlock, invited sales colleague" in mine
    assert "Agreed by your coach Chris Coach, standing in for sales" in mine
    assert "2 agreed" in mine


def test_a_sales_members_verdict_says_so(client, auth):
    team = make_team()
    account = create_account(team.workspace(), team.marketing, {"name": "Larkspur Devices"})
    db.session.commit()
    auth.login(team.sales.email)
    verdict(client, "/workspace/signoff", account.id, "agree")
    assert "Agreed by Sam Whitfield, sales" in text(client.get("/workspace/signoff?show=all"))


def test_a_coach_of_another_cohort_or_organisation_gets_404(client, auth, attendee):
    org, _, _, _, ws, ids = attendee
    other_coach = make_user(org, ("coach",), email="olga@academy.example", name="Olga Other",
                            cohort=make_cohort(org, "ABM essentials, May", shares_workspace=False),
                            cohort_role="coach")
    other_org = make_org("Southwind")
    foreign = make_user(other_org, ("coach",), email="fay@southwind.example", name="Fay Foreign",
                        cohort=make_cohort(other_org, shares_workspace=False), cohort_role="coach")
    for coach in (other_coach, foreign):
        auth.login(coach.email)
        assert "Pat Attendee" not in text(client.get("/workspace/coach/signoff"))
        assert client.get(f"/workspace/coach/signoff/{ws.id}").status_code == 404
        assert verdict(client, f"/workspace/coach/signoff/{ws.id}", ids["Larkspur Devices"], "agree").status_code == 404
        auth.logout()
    assert fresh(ids["Larkspur Devices"]).sales_agreed is None


def test_a_learner_is_not_a_coach(client, auth, attendee):
    _, _, learner, _, ws, _ = attendee
    auth.login(learner.email)
    assert client.get(f"/workspace/coach/signoff/{ws.id}").status_code == 403


def test_the_coach_cannot_stand_in_where_the_team_has_sales(client, auth):
    team = make_team()
    coach = make_user(team.org, ("coach",), email="chris@academy.example", name="Chris Coach", cohort=team.cohort,
                      cohort_role="coach")
    ws = team.workspace()
    account = create_account(ws, team.marketing, {"name": "Larkspur Devices"})
    db.session.commit()
    auth.login(coach.email)
    page = text(client.get(f"/workspace/coach/signoff/{ws.id}"))
    assert "This team has a sales member on the platform (Sam Whitfield)" in page
    assert verdict(client, f"/workspace/coach/signoff/{ws.id}", account.id, "agree").status_code == 403
    assert fresh(account.id).sales_agreed is None


def test_the_learner_cannot_use_the_review_link_themselves(client, auth, attendee):
    _, _, learner, _, ws, ids = attendee
    link = invite(ws, learner)
    auth.login(learner.email)
    page = client.get(link)
    assert "You're signed in as Pat Attendee, who proposes this list" in text(page)
    assert 'value="Agree"' not in page.get_data(as_text=True)
    assert verdict(client, link, ids["Larkspur Devices"], "agree").status_code == 403
    assert fresh(ids["Larkspur Devices"]).sales_agreed is None


def test_the_guest_pages_through_a_long_list_and_stays_on_their_link(app, attendee):
    _, _, learner, _, ws, _ = attendee
    app.config["PER_PAGE"] = 1
    link = invite(ws, learner)
    guest = app.test_client()
    first = guest.get(link).get_data(as_text=True)
    assert "Page 1 of 2" in first and f'href="{link}?page=2"' in first
    second = guest.get(f"{link}?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and f'href="{link}?page=1"' in second
