"""Sales sign-off of the target account list: who may give a verdict, the accounts to review, each verdict.

Marketing proposes the list; sales agrees or disagrees with each account, giving a reason. A verdict comes by
one of three paths, kept in Account.sales_agreed_via: "sales" (a sales member of the team workspace), "guest"
(a sales colleague the learner invited by email, through an expiring link) or "coach" (a coach of the
learner's cohort standing in when the workspace has no sales member). Add and flush, never commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case, func, or_, select

from lms.abm.domains import is_valid_email, normalise_email
from lms.accounts.models import Account, AccountReview, AccountReviewInvitation, Workspace
from lms.accounts.queries import agreement_condition, where_agreement
from lms.accounts.workspaces import record_statement
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Cohort, CohortMember, Membership, Organization, User
from lms.identity.services import token_hash
from lms.paging import Page, paginate
from lms.tracking.directory import Actor
from lms.tracking.services import record

VIAS = ("sales", "guest", "coach")
INVITATION_DAYS = 14


class AlreadyReviewed(ValueError):
    """An invited colleague gives one verdict per account through their link."""


# --------------------------------------------------------------------------------------------- who may sign off


def sales_members(ws: Workspace) -> list[User]:
    """Return the active sales members of a team workspace's cohort (none for a personal workspace)."""
    if ws.kind != "team" or ws.cohort_id is None:
        return []
    return list(db.session.scalars(
        select(User).join(CohortMember, CohortMember.user_id == User.id)
        .where(CohortMember.cohort_id == ws.cohort_id, User.job_function == "sales", User.is_active_user.is_(True))
        .order_by(User.name, User.id)))


def is_seller(user: User) -> bool:
    """True for a user whose job is sales (they give sales' verdict on handoffs)."""
    return user.job_function == "sales"


def can_sign_off(user: User, ws: Workspace, members: list[User] | None = None) -> bool:
    """True for a sales member of the team whose workspace this is; never on a personal workspace.

    The owner of a personal workspace proposes its list, so they cannot agree to it, whatever their job.
    Pass `members` (sales_members(ws)) when already read, to save the query.
    """
    if not is_seller(user):
        return False
    return any(m.id == user.id for m in (sales_members(ws) if members is None else members))


def proposes(user: User, ws: Workspace) -> bool:
    """True for someone who proposes the workspace's list (its owner, or a non-sales member of its team): they
    cannot review it, not even through a review link sent to another of their addresses."""
    if ws.kind == "personal":
        return ws.owner_id == user.id
    if is_seller(user) or ws.cohort_id is None:
        return False
    return db.session.scalar(select(CohortMember.id).where(
        CohortMember.cohort_id == ws.cohort_id, CohortMember.user_id == user.id)) is not None


def needs_stand_in(ws: Workspace) -> bool:
    """True when nobody in the workspace can sign off (no sales member): a guest or the coach may then."""
    return not sales_members(ws)


# --------------------------------------------------------------------------------------------- the review list


def signoff_page(ws: Workspace, *, show: str = "not_reviewed", page: int = 1, per_page: int = 25) -> Page:
    """Return a page of target accounts for sign-off: not reviewed (default), agreed, disagreed or all."""
    stmt = select(Account).where(Account.workspace_id == ws.id, Account.is_target.is_(True))
    stmt = where_agreement(stmt, show)
    tier_order = case((Account.tier == "1:1", 0), (Account.tier == "1:few", 1), (Account.tier == "1:many", 2),
                      else_=3)
    return paginate(stmt.order_by(tier_order, func.lower(Account.name)), page, per_page, scalars=True)


def disagreements(ws: Workspace) -> list[Account]:
    """Return the accounts sales disagreed with, for the alignment workshop (newest verdict first)."""
    return list(db.session.scalars(
        select(Account).where(Account.workspace_id == ws.id, agreement_condition("disagreed"))
        .order_by(Account.sales_agreed_at.desc().nulls_last(), func.lower(Account.name))))


def target_or_none(ws: Workspace, account_id: object) -> Account | None:
    """Return the workspace's target account with this id, or None (another workspace's, or not a target)."""
    try:
        ident = int(account_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    account = db.session.get(Account, ident)
    if (account is None or account.workspace_id != ws.id or account.organization_id != ws.organization_id
            or not account.is_target):
        return None
    return account


# --------------------------------------------------------------------------------------------- verdicts


def _clean_reason(agreed: bool, reason: str | None) -> str | None:
    reason = (reason or "").strip() or None
    if not agreed and not reason:
        raise ValueError("Say why you disagree, so the team can discuss it.")
    return reason


def _set_verdict(account: Account, review: AccountReview, agreed: bool, reason: str | None, via: str,
                 by_name: str, by_id: int | None) -> None:
    now = utcnow()
    review.agreed, review.reason, review.reviewed_at, review.via = agreed, reason, now, via
    account.sales_agreed = agreed
    account.sales_agreed_via = via
    account.sales_agreed_by_id = by_id
    account.sales_agreed_by = by_name
    account.sales_agreed_at = now
    account.sales_disagree_reason = None if agreed else reason
    account.updated_at = now
    db.session.flush()


def _user_review(ws: Workspace, account: Account, user: User) -> AccountReview:
    review = db.session.scalar(select(AccountReview).where(AccountReview.account_id == account.id,
                                                           AccountReview.reviewer_id == user.id))
    if review is None:
        review = AccountReview(organization_id=ws.organization_id, account_id=account.id, reviewer_id=user.id)
        db.session.add(review)
    review.reviewer_name, review.reviewer_email = user.name, user.email
    return review


def _check_target(ws: Workspace, account: Account) -> None:
    if account.workspace_id != ws.id or not account.is_target:
        raise PermissionError("Only the workspace's own target accounts can be signed off.")


def sign_off(ws: Workspace, user: User, account: Account, agreed: bool, reason: str | None) -> AccountReview:
    """Store a sales member's verdict on one proposed account and record 'agreed' or 'disagreed'.

    Upserts the reviewer's AccountReview and sets the account's verdict, via "sales", by, at and reason.
    Raises PermissionError when the user is not a sales member of this team workspace (or the account is not
    one of its targets), ValueError for a disagreement without a reason.
    """
    if not can_sign_off(user, ws):
        raise PermissionError("Only a sales member of the team can sign off the target list.")
    _check_target(ws, account)
    reason = _clean_reason(agreed, reason)
    review = _user_review(ws, account, user)
    _set_verdict(account, review, agreed, reason, "sales", user.name, user.id)
    record_statement(user, "agreed" if agreed else "disagreed", ws, "account", account.id, account.name,
                     {"reason": reason, "via": "sales"} if reason else {"via": "sales"})
    return review


def coach_sign_off(ws: Workspace, coach: User, account: Account, agreed: bool, reason: str | None) -> AccountReview:
    """Store a coach's verdict, standing in for sales, on one of a coached learner's target accounts.

    The caller has checked that `coach` coaches this workspace (coached_workspace_or_none). Sets via "coach".
    Raises PermissionError when the workspace has a sales member (sign-off is theirs) or the account is not
    one of its targets, ValueError for a disagreement without a reason.
    """
    members = sales_members(ws)
    if members:
        raise PermissionError(f"This team has a sales member ({members[0].name}): the sign-off is theirs.")
    _check_target(ws, account)
    reason = _clean_reason(agreed, reason)
    review = _user_review(ws, account, coach)
    _set_verdict(account, review, agreed, reason, "coach", coach.name, coach.id)
    record_statement(coach, "agreed" if agreed else "disagreed", ws, "account", account.id, account.name,
                     {"reason": reason, "via": "coach"} if reason else {"via": "coach"})
    return review


def guest_sign_off(invitation: AccountReviewInvitation, account: Account, agreed: bool,
                   reason: str | None) -> AccountReview:
    """Store an invited sales colleague's verdict on one target account of the invitation's workspace.

    One verdict per account per invitation. Sets via "guest" and the guest's name; the review keeps their name,
    email and the invitation. Raises PermissionError when the link is no longer open or the account is not one
    of the workspace's targets, AlreadyReviewed on a second verdict, ValueError for a disagreement without a reason.
    """
    ws = db.session.get(Workspace, invitation.workspace_id)
    if invitation.state != "open" or ws is None:
        raise PermissionError("This review link is no longer open.")
    _check_target(ws, account)
    reason = _clean_reason(agreed, reason)
    if db.session.scalar(select(AccountReview.id).where(AccountReview.account_id == account.id,
                                                        AccountReview.invitation_id == invitation.id)) is not None:
        raise AlreadyReviewed(f"You have already given your verdict on {account.name}.")
    review = AccountReview(organization_id=ws.organization_id, account_id=account.id, reviewer_id=None,
                           invitation_id=invitation.id, reviewer_name=invitation.reviewer_name,
                           reviewer_email=invitation.reviewer_email)
    db.session.add(review)
    _set_verdict(account, review, agreed, reason, "guest", invitation.reviewer_name, None)
    invitation.last_used_at = review.reviewed_at
    record(Actor(None, invitation.reviewer_email, invitation.reviewer_name), "agreed" if agreed else "disagreed",
           ("account", account.id, account.name), {"reason": reason, "via": "guest"} if reason else {"via": "guest"},
           organization_id=ws.organization_id, cohort_id=ws.cohort_id)
    return review


def guest_verdicts(invitation: AccountReviewInvitation) -> dict[int, AccountReview]:
    """Return {account id: review} of the verdicts given through this invitation."""
    return {r.account_id: r for r in db.session.scalars(
        select(AccountReview).where(AccountReview.invitation_id == invitation.id))}


# --------------------------------------------------------------------------------------------- guest invitations


def invite_reviewer(ws: Workspace, user: User, name: str, email: str,
                    days: int = INVITATION_DAYS) -> tuple[AccountReviewInvitation, str]:
    """Invite a named sales colleague by email to review the workspace's target list; return (row, token).

    Only the token's hash is stored; the token goes in the emailed link. Replaces an open invitation to the same
    email. Raises PermissionError when the team has a sales member (they sign off on the platform), ValueError
    for a missing name, an invalid email, or the email of someone who works in the workspace and is not sales.
    """
    if not needs_stand_in(ws):
        raise PermissionError("Your team has a sales member on the platform: ask them to sign off here.")
    name = " ".join((name or "").split())
    email = normalise_email(email or "")
    if not name:
        raise ValueError("Give your sales colleague's name.")
    if not is_valid_email(email):
        raise ValueError("Enter your sales colleague's email address, like dana.whitlock@northwind.example.")
    if email in _workspace_emails(ws, user):
        raise ValueError("Invite a sales colleague, not yourself or a marketer of your team: agreement has to "
                         "come from sales.")
    now = utcnow()
    for open_one in db.session.scalars(select(AccountReviewInvitation).where(
            AccountReviewInvitation.workspace_id == ws.id, AccountReviewInvitation.reviewer_email == email,
            AccountReviewInvitation.revoked_at.is_(None), AccountReviewInvitation.expires_at > now)):
        open_one.revoked_at = now
    token = secrets.token_urlsafe(32)
    invitation = AccountReviewInvitation(
        organization_id=ws.organization_id, workspace_id=ws.id, reviewer_name=name, reviewer_email=email,
        token_hash=token_hash(token), created_by_id=user.id, created_at=now, expires_at=now + timedelta(days=days))
    db.session.add(invitation)
    db.session.flush()
    record_statement(user, "invited", ws, "account_review", invitation.id, name, {"email": email})
    return invitation, token


def _workspace_emails(ws: Workspace, user: User) -> set[str]:
    """The emails of the people who work in the workspace and are not sales, and the inviter's own."""
    emails = {user.email}
    if ws.owner_id is not None:
        emails.add(db.session.scalar(select(User.email).where(User.id == ws.owner_id)) or "")
    if ws.kind == "team" and ws.cohort_id is not None:
        emails.update(db.session.scalars(
            select(User.email).join(CohortMember, CohortMember.user_id == User.id)
            .where(CohortMember.cohort_id == ws.cohort_id, User.job_function != "sales")))
    return {e for e in emails if e}


def open_invitation(token: str) -> AccountReviewInvitation | None:
    """Return the open invitation for a link's token, or None when unknown, expired or revoked."""
    if not token or len(token) > 200:
        return None
    row = db.session.scalar(select(AccountReviewInvitation).where(
        AccountReviewInvitation.token_hash == token_hash(token)))
    return row if row is not None and row.state == "open" else None


def invitation_in_workspace(ws: Workspace, invitation_id: object) -> AccountReviewInvitation | None:
    """Return the workspace's invitation with this id, or None."""
    try:
        ident = int(invitation_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    row = db.session.get(AccountReviewInvitation, ident)
    return row if row is not None and row.workspace_id == ws.id else None


def revoke_invitation(ws: Workspace, user: User, invitation: AccountReviewInvitation) -> bool:
    """Revoke an invitation so its link stops working (its verdicts so far stay); False if it was not open."""
    if invitation.state != "open":
        return False
    invitation.revoked_at = utcnow()
    record_statement(user, "revoked", ws, "account_review", invitation.id, invitation.reviewer_name)
    return True


@dataclass(frozen=True)
class InvitationRow:
    """An invitation as the learner's sign-off page lists it."""

    invitation: AccountReviewInvitation
    verdicts: int


def invitations(ws: Workspace, limit: int = 20) -> list[InvitationRow]:
    """Return the workspace's invitations, open ones first and then newest, with how many verdicts each brought."""
    verdicts = (select(func.count(AccountReview.id)).where(AccountReview.invitation_id == AccountReviewInvitation.id)
                .scalar_subquery())
    now = utcnow()
    is_open = case((AccountReviewInvitation.revoked_at.is_(None) & (AccountReviewInvitation.expires_at > now), 0),
                   else_=1)
    rows = db.session.execute(select(AccountReviewInvitation, verdicts).where(
        AccountReviewInvitation.workspace_id == ws.id)
        .order_by(is_open, AccountReviewInvitation.created_at.desc(), AccountReviewInvitation.id.desc()).limit(limit))
    return [InvitationRow(inv, n) for inv, n in rows]


# --------------------------------------------------------------------------------------------- coaches


def _coached_cohorts(coach: User, org: Organization):
    """A subquery of the ids of the cohorts `coach` coaches in `org` (as lms.practice.reviews finds them), and only
    while they hold the coach role there."""
    is_coach = select(Membership.id).where(Membership.user_id == coach.id, Membership.organization_id == org.id,
                                           Membership.role == "coach").exists()
    return (select(CohortMember.cohort_id).join(Cohort, Cohort.id == CohortMember.cohort_id)
            .where(CohortMember.user_id == coach.id, CohortMember.role == "coach", Cohort.organization_id == org.id,
                   is_coach))


def _coached_condition(coach: User, org: Organization):
    cohorts = _coached_cohorts(coach, org)
    learners = select(CohortMember.user_id).where(CohortMember.cohort_id.in_(cohorts),
                                                  CohortMember.role == "learner")
    return (Workspace.organization_id == org.id) & or_(
        (Workspace.kind == "team") & Workspace.cohort_id.in_(cohorts),
        (Workspace.kind == "personal") & Workspace.owner_id.in_(learners))


def coached_workspace_or_none(coach: User, org: Organization, workspace_id: object) -> Workspace | None:
    """Return the workspace if it belongs to a learner (or team) of a cohort `coach` coaches in `org`, else None."""
    try:
        ident = int(workspace_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return db.session.scalar(select(Workspace).where(Workspace.id == ident, _coached_condition(coach, org)))


@dataclass(frozen=True)
class CoachedWorkspace:
    """A workspace a coach may stand in for sales on, with what is left to review."""

    workspace: Workspace
    owner: str
    has_sales: bool
    not_reviewed: int


def coached_workspaces(coach: User, org: Organization) -> list[CoachedWorkspace]:
    """Return the workspaces of the learners and teams `coach` coaches in `org`, by name, with what waits."""
    waiting = (select(func.count(Account.id)).where(Account.workspace_id == Workspace.id, Account.is_target.is_(True),
                                                   agreement_condition("not_reviewed")).scalar_subquery())
    rows = db.session.execute(
        select(Workspace, User.name, waiting).outerjoin(User, User.id == Workspace.owner_id)
        .where(_coached_condition(coach, org)).order_by(func.lower(Workspace.name), Workspace.id))
    return [CoachedWorkspace(ws, owner or ws.name, bool(sales_members(ws)), n) for ws, owner, n in rows]


def coaches_of(ws: Workspace) -> list[User]:
    """Return the coaches who may stand in for sales on this workspace (those of its cohort or its owner's)."""
    if ws.kind == "team":
        cohorts = select(Cohort.id).where(Cohort.id == ws.cohort_id)
    else:
        cohorts = (select(CohortMember.cohort_id).where(CohortMember.user_id == ws.owner_id,
                                                        CohortMember.role == "learner"))
    return list(db.session.scalars(
        select(User).join(CohortMember, CohortMember.user_id == User.id)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .where(CohortMember.cohort_id.in_(cohorts), CohortMember.role == "coach",
               Cohort.organization_id == ws.organization_id, User.is_active_user.is_(True),
               User.id.in_(select(Membership.user_id).where(Membership.organization_id == ws.organization_id,
                                                            Membership.role == "coach")))
        .distinct().order_by(User.name)))
