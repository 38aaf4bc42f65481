"""Sales sign-off of the target account list: who may sign off, the accounts to review, each verdict.

Marketing proposes the list; a sales member agrees or disagrees with each account, giving a reason.
"""

from __future__ import annotations

from sqlalchemy import case, func, select

from lms.accounts.models import Account, AccountReview, Workspace
from lms.accounts.queries import Page, paginate, where_agreement
from lms.accounts.workspaces import record_statement
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import User


def can_sign_off(user: User) -> bool:
    """Only sales people agree or disagree with the target list (marketing proposes it)."""
    return user.job_function == "sales"


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
        select(Account).where(Account.workspace_id == ws.id, Account.sales_agreed.is_(False))
        .order_by(Account.sales_agreed_at.desc().nulls_last(), func.lower(Account.name))))


def sign_off(ws: Workspace, user: User, account: Account, agreed: bool, reason: str | None) -> AccountReview:
    """Store a sales member's verdict on one proposed account and record 'agreed' or 'disagreed'.

    Upserts the reviewer's AccountReview and sets the account's sales_agreed, by, at and disagree reason.
    Raises PermissionError when the user is not in sales, ValueError for a disagreement without a reason.
    """
    if not can_sign_off(user):
        raise PermissionError("Only a sales member of the team can sign off the target list.")
    reason = (reason or "").strip() or None
    if not agreed and not reason:
        raise ValueError("Say why you disagree, so the team can discuss it.")
    now = utcnow()
    review = db.session.scalar(select(AccountReview).where(AccountReview.account_id == account.id,
                                                           AccountReview.reviewer_id == user.id))
    if review is None:
        review = AccountReview(organization_id=ws.organization_id, account_id=account.id, reviewer_id=user.id)
        db.session.add(review)
    review.agreed, review.reason, review.reviewed_at = agreed, reason, now
    account.sales_agreed = agreed
    account.sales_agreed_by_id = user.id
    account.sales_agreed_by = user.name
    account.sales_agreed_at = now
    account.sales_disagree_reason = None if agreed else reason
    account.updated_at = now
    db.session.flush()
    record_statement(user, "agreed" if agreed else "disagreed", ws, "account", account.id, account.name,
                     {"reason": reason} if reason else None)
    return review
