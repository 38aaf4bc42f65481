"""Joint sign-off: marketing proposes the target list, a sales member agrees or disagrees per account."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.accounts.models import Account, AccountReview
from lms.accounts.records import create_account
from lms.extensions import db
from lms.tracking.models import Statement
from tests.accounts.web_support import make_team, text


@pytest.fixture
def proposed(app):
    """A team whose marketer proposed two target accounts and one that is not on the list."""
    team = make_team()
    ws = team.workspace()
    ids = {}
    for name, tier, target in (("Larkspur Devices", "1:1", True), ("Kettlewell & Sons", "1:few", True),
                               ("Dormant Co", None, False)):
        account = create_account(ws, team.marketing, {"name": name, "tier": tier, "is_target": target,
                                                               "why_selected": f"{name} opened a tender"})
        ids[name] = account.id
    db.session.commit()
    return team, ids


def verdict(client, account_id: int, button: str, reason: str = ""):
    return client.post(f"/workspace/signoff?account={account_id}",
                       data={f"a{account_id}-{button}": button.capitalize(), f"a{account_id}-reason": reason})


def test_a_sales_member_agrees_and_the_account_records_who_and_when(client, auth, proposed):
    team, ids = proposed
    auth.login(team.sales.email)
    page = client.get("/workspace/signoff").get_data(as_text=True)
    assert page.count('value="Agree"') == 2  # only the proposed target accounts
    assert "Dormant Co" not in page

    assert verdict(client, ids["Larkspur Devices"], "agree", "Strong fit, we know the CFO").status_code == 302
    db.session.expire_all()
    account = db.session.get(Account, ids["Larkspur Devices"])
    assert (account.sales_agreed, account.sales_agreed_by, account.sales_agreed_by_id) == (
        True, "Sam Whitfield", team.sales.id)
    assert account.sales_agreed_at is not None and account.sales_disagree_reason is None
    review = db.session.scalar(select(AccountReview))
    assert (review.reviewer_id, review.agreed, review.reason) == (team.sales.id, True, "Strong fit, we know the CFO")
    statement = db.session.scalar(select(Statement).where(Statement.verb == "agreed"))
    assert (statement.actor_id, statement.object_type, statement.object_id) == (
        team.sales.id, "account", str(ids["Larkspur Devices"]))
    assert statement.timestamp is not None and statement.cohort_id == team.cohort.id


def test_disagreeing_needs_a_reason_and_is_listed_for_the_alignment_workshop(client, auth, proposed):
    team, ids = proposed
    auth.login(team.sales.email)
    kettlewell = ids["Kettlewell & Sons"]

    no_reason = verdict(client, kettlewell, "disagree")
    assert no_reason.status_code == 200
    assert "Say why you disagree" in text(no_reason)
    db.session.expire_all()
    assert db.session.get(Account, kettlewell).sales_agreed is None

    verdict(client, kettlewell, "disagree", "They renewed with a rival for three years")
    db.session.expire_all()
    account = db.session.get(Account, kettlewell)
    assert (account.sales_agreed, account.sales_disagree_reason) == (False, "They renewed with a rival for three years")
    page = text(client.get("/workspace/signoff"))
    workshop = page[page.index("Disagreements for the alignment workshop"):]
    assert "Kettlewell & Sons 1:few They renewed with a rival for three years Sam Whitfield" in workshop
    statement = db.session.scalar(select(Statement).where(Statement.verb == "disagreed"))
    assert statement.result == {"reason": "They renewed with a rival for three years", "via": "sales"}


def test_a_marketing_member_cannot_sign_off(client, auth, proposed):
    team, ids = proposed
    auth.login(team.marketing.email)
    page = client.get("/workspace/signoff")
    assert "Sign-off is sales' call" in text(page)
    assert 'value="Agree"' not in page.get_data(as_text=True)

    assert verdict(client, ids["Larkspur Devices"], "agree").status_code == 403
    db.session.expire_all()
    assert db.session.get(Account, ids["Larkspur Devices"]).sales_agreed is None
    assert db.session.scalar(select(AccountReview)) is None


def test_changing_a_verdict_updates_the_reviewers_one_review(client, auth, proposed):
    team, ids = proposed
    auth.login(team.sales.email)
    larkspur = ids["Larkspur Devices"]
    verdict(client, larkspur, "disagree", "Too small")
    verdict(client, larkspur, "agree", "They doubled in size")

    db.session.expire_all()
    reviews = list(db.session.scalars(select(AccountReview)))
    assert [(r.agreed, r.reason) for r in reviews] == [(True, "They doubled in size")]
    account = db.session.get(Account, larkspur)
    assert (account.sales_agreed, account.sales_disagree_reason) == (True, None)


def test_the_list_starts_with_accounts_not_yet_reviewed(client, auth, proposed):
    team, ids = proposed
    auth.login(team.sales.email)
    verdict(client, ids["Larkspur Devices"], "agree")
    pending = text(client.get("/workspace/signoff"))
    assert "Kettlewell & Sons" in pending and "Larkspur Devices 1:1" not in pending.split("Disagreements")[0]
    everything = text(client.get("/workspace/signoff?show=all"))
    assert "Larkspur Devices" in everything and "Agreed by Sam Whitfield" in everything


def test_the_overview_tells_each_side_what_to_do_about_sign_off(client, auth, proposed):
    team, _ = proposed
    auth.login(team.marketing.email)
    assert "Ask sales to sign off 2 target accounts" in text(client.get("/workspace"))
    auth.logout()
    auth.login(team.sales.email)
    assert "Agree or disagree with 2 target accounts" in text(client.get("/workspace"))
