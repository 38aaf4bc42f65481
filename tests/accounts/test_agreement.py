"""Sales agreement means something: only sign-off sets it (a sales member, an invited sales colleague, the coach
standing in), never an import or the learner's own hand; each verdict records how it came."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.accounts.analysis import analyse_table
from lms.accounts.fields import AGREEMENT_FIELDS, FIELDS, IMPORT_FIELDS
from lms.accounts.forms import mapping_form
from lms.accounts.importer import read_table, validate
from lms.accounts.models import Account, AccountReview, AccountReviewInvitation
from lms.accounts.queries import workspace_counts
from lms.accounts.records import create_account
from lms.accounts.signoff import (
    AlreadyReviewed,
    can_sign_off,
    coach_sign_off,
    coached_workspace_or_none,
    coached_workspaces,
    coaches_of,
    guest_sign_off,
    invite_reviewer,
    open_invitation,
    revoke_invitation,
    sign_off,
)
from lms.accounts.workspaces import build_snapshot, workspace_for
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import CohortMember
from tests.accounts.web_support import make_team
from tests.factories import make_cohort, make_org, make_user

AGREED_CSV = (b"name,tier,why_selected,sales_agreed,sales_agreed_by,sales_agreed_at,sales_disagree_reason\n"
              b"Larkspur Devices,1:1,New CFO from a customer,true,Dana Whitlock,2026-03-01,\n")


@pytest.fixture
def attendee(app):
    """A public attendee on a personal workspace (whose job is sales), their coach, and one proposed account."""
    org = make_org("Public courses", kind="public")
    cohort = make_cohort(org, "ABM essentials, March", shares_workspace=False)
    learner = make_user(org, ("learner",), email="pat@attendee.example", name="Pat Attendee", job_function="sales",
                        cohort=cohort)
    coach = make_user(org, ("coach",), email="chris@academy.example", name="Chris Coach", cohort=cohort,
                      cohort_role="coach")
    ws = workspace_for(learner, org)
    account = create_account(ws, learner, {"name": "Larkspur Devices", "tier": "1:1",
                                           "why_selected": "New CFO came from a customer"})
    db.session.commit()
    return org, cohort, learner, coach, ws, account


# --------------------------------------------------------------------------------------------- imports


def test_imports_may_write_everything_but_sales_agreement_which_exports_still_carry():
    assert set(AGREEMENT_FIELDS) <= set(FIELDS["accounts"])
    assert not set(AGREEMENT_FIELDS) & set(IMPORT_FIELDS["accounts"])
    assert set(FIELDS["accounts"]) - set(IMPORT_FIELDS["accounts"]) == set(AGREEMENT_FIELDS)
    assert all(IMPORT_FIELDS[e] == FIELDS[e] for e in FIELDS if e != "accounts")


def test_validate_refuses_a_mapping_onto_an_agreement_field():
    table = read_table(AGREED_CSV, "accounts.csv")
    with pytest.raises(ValueError, match="'sales_agreed' is not a field of accounts"):
        validate(table, {"name": "name", "sales_agreed": "sales_agreed"}, "accounts")


def test_an_agreement_column_is_left_out_and_named_even_when_a_mapping_points_at_it(app):
    team = make_team()
    table = read_table(b"Company,Agreed?,Sign-off by\nLarkspur Devices,yes,Dana\n", "accounts.csv")

    analysis = analyse_table(team.workspace(), table, "accounts.csv", entity="accounts",
                             mapping={"Company": "name", "Agreed?": "sales_agreed", "Sign-off by": "sales_agreed_by"})

    assert analysis.read_only == ("Agreed?", "Sign-off by")
    assert analysis.mapping == {"Company": "name"}
    [row] = analysis.rows
    assert not set(AGREEMENT_FIELDS) & set(row.changes)


def test_the_products_own_agreement_columns_are_named_in_the_analysis(app):
    team = make_team()
    analysis = analyse_table(team.workspace(), read_table(AGREED_CSV, "accounts.csv"), "accounts.csv")

    assert analysis.read_only == ("sales_agreed", "sales_agreed_by", "sales_agreed_at", "sales_disagree_reason")
    assert analysis.errors == [] and [r.changes["name"] for r in analysis.rows] == ["Larkspur Devices"]
    assert not set(AGREEMENT_FIELDS) & set(analysis.rows[0].changes)


def test_a_file_without_agreement_columns_mentions_none(app):
    team = make_team()
    analysis = analyse_table(team.workspace(), read_table(b"name,tier\nLarkspur,1:1\n", "a.csv"), "a.csv")
    assert analysis.read_only == ()


def test_the_mapping_form_offers_no_agreement_field(app):
    with app.test_request_context():
        form = mapping_form(["Company", "Agreed"], "accounts", {"Company": "name", "Agreed": "sales_agreed"})
    offered = {c.value for c in form.columns[0][0].choices}
    assert "name" in offered and not offered & set(AGREEMENT_FIELDS)
    assert form.columns[1][0].data == ""  # the remembered choice is not kept: the column is ignored


# --------------------------------------------------------------------------------------------- who may sign off


def test_only_a_sales_member_of_the_team_can_sign_off(app):
    team = make_team()
    other = make_team(name="Another team", prefix="b-", org=team.org)
    ws = team.workspace()

    assert can_sign_off(team.sales, ws) is True
    assert can_sign_off(team.marketing, ws) is False
    assert can_sign_off(other.sales, ws) is False  # sales, but of another team


def test_nobody_signs_off_their_own_personal_workspace_even_in_sales(attendee):
    _, _, learner, _, ws, account = attendee

    assert can_sign_off(learner, ws) is False
    with pytest.raises(PermissionError):
        sign_off(ws, learner, account, True, "Looks great to me")
    assert (account.sales_agreed, account.sales_agreed_via) == (None, None)


def test_a_sales_verdict_records_who_when_and_the_path(app):
    team = make_team()
    ws = team.workspace()
    account = create_account(ws, team.marketing, {"name": "Larkspur Devices"})

    review = sign_off(ws, team.sales, account, False, "  They renewed with a rival  ")

    assert (account.sales_agreed, account.sales_agreed_via, account.sales_agreed_by, account.sales_agreed_by_id) == (
        False, "sales", "Sam Whitfield", team.sales.id)
    assert (review.via, review.reason, review.reviewer_name) == ("sales", "They renewed with a rival", "Sam Whitfield")
    assert account.sales_disagree_reason == "They renewed with a rival" and account.sales_agreed_at is not None
    snap = {a.id: a for a in build_snapshot(ws).accounts}[account.id]
    assert (snap.sales_agreed, snap.sales_agreed_via) == (False, "sales")


def test_agreement_that_did_not_come_through_sign_off_counts_as_not_reviewed(app):
    team = make_team()
    ws = team.workspace()
    create_account(ws, team.marketing, {"name": "Imported Co"}).sales_agreed = True  # as before this change
    signed = create_account(ws, team.marketing, {"name": "Signed Co"})
    sign_off(ws, team.sales, signed, True, None)

    counts = workspace_counts(ws)
    assert (counts["agreed"], counts["not_reviewed"]) == (1, 1)


# --------------------------------------------------------------------------------------------- invited colleagues


def test_an_invitation_stores_only_the_tokens_hash_and_opens_with_the_token(attendee):
    _, _, learner, _, ws, _ = attendee
    invitation, token = invite_reviewer(ws, learner, " Dana  Whitlock ", "Dana.Whitlock@Northwind.example")

    assert (invitation.reviewer_name, invitation.reviewer_email) == ("Dana Whitlock", "dana.whitlock@northwind.example")
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    assert invitation.expires_at - invitation.created_at == timedelta(days=14)
    assert open_invitation(token) is invitation
    assert open_invitation(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert open_invitation("") is None


def test_the_learner_cannot_invite_themselves_or_a_marketer_of_their_team(attendee):
    _, _, learner, _, ws, _ = attendee
    with pytest.raises(ValueError, match="not yourself"):
        invite_reviewer(ws, learner, "Me Again", "PAT@attendee.example")
    with pytest.raises(ValueError, match="email address"):
        invite_reviewer(ws, learner, "Dana", "not-an-email")
    with pytest.raises(ValueError, match="name"):
        invite_reviewer(ws, learner, "  ", "dana@northwind.example")


def test_a_team_with_a_sales_member_signs_off_itself_and_sends_no_invitations(app):
    team = make_team()
    with pytest.raises(PermissionError):
        invite_reviewer(team.workspace(), team.marketing, "Dana Whitlock", "dana@elsewhere.example")


def test_inviting_the_same_colleague_again_replaces_the_open_link(attendee):
    _, _, learner, _, ws, _ = attendee
    first, first_token = invite_reviewer(ws, learner, "Dana Whitlock", "dana@northwind.example")
    second, second_token = invite_reviewer(ws, learner, "Dana Whitlock", "dana@northwind.example")

    assert first.state == "revoked" and second.state == "open"
    assert open_invitation(first_token) is None and open_invitation(second_token) is second


def test_a_guest_gives_one_verdict_per_account_recorded_with_their_name(attendee):
    _, _, learner, _, ws, account = attendee
    invitation, _ = invite_reviewer(ws, learner, "Dana Whitlock", "dana@northwind.example")

    with pytest.raises(ValueError, match="Say why"):
        guest_sign_off(invitation, account, False, "  ")
    review = guest_sign_off(invitation, account, True, "We know their CFO")

    assert (account.sales_agreed, account.sales_agreed_via, account.sales_agreed_by, account.sales_agreed_by_id) == (
        True, "guest", "Dana Whitlock", None)
    assert (review.reviewer_id, review.reviewer_name, review.reviewer_email, review.invitation_id, review.via) == (
        None, "Dana Whitlock", "dana@northwind.example", invitation.id, "guest")
    assert invitation.last_used_at == review.reviewed_at
    with pytest.raises(AlreadyReviewed):
        guest_sign_off(invitation, account, False, "Changed my mind")
    assert account.sales_agreed is True
    assert db.session.scalar(select(AccountReview.id).where(AccountReview.agreed.is_(False))) is None


def test_an_expired_or_revoked_link_gives_no_verdict(attendee):
    _, _, learner, _, ws, account = attendee
    expired, expired_token = invite_reviewer(ws, learner, "Dana Whitlock", "dana@northwind.example")
    expired.expires_at = utcnow() - timedelta(minutes=1)
    revoked, revoked_token = invite_reviewer(ws, learner, "Tom Ellery", "tom@northwind.example")
    assert revoke_invitation(ws, learner, revoked) is True
    assert revoke_invitation(ws, learner, revoked) is False

    for invitation, token in ((expired, expired_token), (revoked, revoked_token)):
        assert open_invitation(token) is None
        with pytest.raises(PermissionError):
            guest_sign_off(invitation, account, True, None)
    assert account.sales_agreed is None


def test_a_guest_cannot_judge_another_workspaces_account(attendee):
    org, cohort, learner, _, ws, _ = attendee
    other = make_user(org, ("learner",), email="lee@attendee.example", name="Lee Other", cohort=cohort)
    theirs = create_account(workspace_for(other, org), other, {"name": "Theirs Ltd"})
    invitation, _ = invite_reviewer(ws, learner, "Dana Whitlock", "dana@northwind.example")

    with pytest.raises(PermissionError):
        guest_sign_off(invitation, theirs, True, None)
    assert theirs.sales_agreed is None


# --------------------------------------------------------------------------------------------- the coach stands in


def test_the_coach_of_the_learners_cohort_stands_in_for_sales(attendee):
    org, _, learner, coach, ws, account = attendee

    assert coached_workspace_or_none(coach, org, ws.id) is ws
    assert [c.name for c in coaches_of(ws)] == ["Chris Coach"]
    assert [(r.owner, r.not_reviewed) for r in coached_workspaces(coach, org)] == [("Pat Attendee", 1)]
    review = coach_sign_off(ws, coach, account, True, "Fits the ICP; the CFO trigger is real")

    assert (account.sales_agreed, account.sales_agreed_via, account.sales_agreed_by, account.sales_agreed_by_id) == (
        True, "coach", "Chris Coach", coach.id)
    assert (review.reviewer_id, review.via) == (coach.id, "coach")


def test_a_coach_of_another_cohort_or_organisation_has_no_access(attendee):
    org, cohort, _, _, ws, _ = attendee
    elsewhere = make_cohort(org, "ABM essentials, May", shares_workspace=False)
    other_coach = make_user(org, ("coach",), name="Olga Other", cohort=elsewhere, cohort_role="coach")
    other_org = make_org("Southwind")
    foreign_coach = make_user(other_org, ("coach",), name="Fay Foreign",
                              cohort=make_cohort(other_org, shares_workspace=False), cohort_role="coach")
    # Put in the learner's cohort as its coach, but without the coach role in the learner's organisation.
    db.session.add(CohortMember(cohort_id=cohort.id, user_id=foreign_coach.id, role="coach"))
    db.session.flush()

    assert coached_workspace_or_none(other_coach, org, ws.id) is None
    assert coached_workspace_or_none(foreign_coach, other_org, ws.id) is None
    assert coached_workspace_or_none(foreign_coach, org, ws.id) is None
    assert coached_workspaces(other_coach, org) == []
    assert [c.name for c in coaches_of(ws)] == ["Chris Coach"]


def test_the_coach_does_not_stand_in_where_the_team_has_sales(app):
    team = make_team()
    coach = make_user(team.org, ("coach",), name="Chris Coach", cohort=team.cohort, cohort_role="coach")
    ws = team.workspace()
    account = create_account(ws, team.marketing, {"name": "Larkspur Devices"})

    assert coached_workspace_or_none(coach, team.org, ws.id) is ws
    with pytest.raises(PermissionError, match="Sam Whitfield"):
        coach_sign_off(ws, coach, account, True, None)
    assert account.sales_agreed is None


def test_invitations_are_kept_per_workspace(attendee):
    _, _, learner, _, ws, _ = attendee
    invite_reviewer(ws, learner, "Dana Whitlock", "dana@northwind.example")
    assert db.session.scalar(select(AccountReviewInvitation.workspace_id)) == ws.id
    assert db.session.scalar(select(Account.workspace_id)) == ws.id
