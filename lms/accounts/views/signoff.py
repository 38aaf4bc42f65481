"""Sales sign-off pages: the team's sign-off, a learner's invitations to a sales colleague, the colleague's review
link (no login), and a coach standing in for sales."""

from __future__ import annotations

import smtplib

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from lms.accounts.forms import InviteReviewerForm, SignoffFilters, SignoffForm
from lms.accounts.models import Account, Workspace
from lms.accounts.queries import workspace_counts
from lms.accounts.signoff import (
    AlreadyReviewed,
    can_sign_off,
    coach_sign_off,
    coached_workspace_or_none,
    coached_workspaces,
    coaches_of,
    disagreements,
    guest_sign_off,
    guest_verdicts,
    invitation_in_workspace,
    invitations,
    invite_reviewer,
    needs_stand_in,
    open_invitation,
    proposes,
    revoke_invitation,
    sales_members,
    sign_off,
    signoff_page,
    target_or_none,
)
from lms.accounts.views.blueprint import bp, workspace, workspace_required
from lms.accounts.workspaces import in_workspace_or_404
from lms.database import once_more_after_a_clash
from lms.extensions import db, limiter
from lms.forms import EmptyForm
from lms.identity.models import User
from lms.mail import send_template
from lms.tenancy import role_required
from lms.urls import external_url


def _public_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def _verdict_forms(page, posted: dict[int, SignoffForm]) -> dict[int, SignoffForm]:
    """The posted form keeps what was typed and its errors; the others start empty."""
    for a in page.items:
        posted.setdefault(a.id, SignoffForm(formdata=None, prefix=f"a{a.id}"))
    return posted


def _posted_verdict(account: Account) -> SignoffForm:
    return SignoffForm(prefix=f"a{account.id}")


def _said(account: Account, form: SignoffForm) -> str:
    return f"{'Agreed with' if form.agree.data else 'Disagreed with'} {account.name}."


def _signoff_page(ws: Workspace, forms: dict[int, SignoffForm] | None = None,
                  invite: InviteReviewerForm | None = None):
    values = (filters := SignoffFilters(request.args)).values()
    page = signoff_page(ws, show=values["show"], page=values["page"], per_page=current_app.config["PER_PAGE"])
    sales = sales_members(ws)
    stand_in = not sales  # nobody in the workspace can sign off: a guest or the coach may
    return render_template("accounts/signoff.html", page=page, filters=filters, values=values,
                           forms=_verdict_forms(page, forms or {}), disagreements=disagreements(ws),
                           counts=workspace_counts(ws), can_sign=can_sign_off(current_user, ws, sales),
                           stand_in=stand_in, sales=sales, coaches=coaches_of(ws) if stand_in else [],
                           invite=invite or InviteReviewerForm(formdata=None),
                           invitations=invitations(ws) if stand_in else [], revoke=EmptyForm(formdata=None))


@bp.route("/signoff", methods=["GET", "POST"])
@workspace_required
@once_more_after_a_clash
def signoff():
    """Joint sign-off: marketing proposes the target list, a sales member agrees or disagrees per account."""
    forms: dict[int, SignoffForm] = {}
    if request.method == "POST":
        account = in_workspace_or_404(Account, workspace(), request.args.get("account"))
        if not can_sign_off(current_user, workspace()):
            abort(403)
        posted = forms[account.id] = _posted_verdict(account)
        if posted.validate_on_submit():
            sign_off(workspace(), current_user, account, bool(posted.agree.data), posted.reason.data)
            db.session.commit()
            flash(_said(account, posted), "success")
            return redirect(url_for(".signoff", show=request.args.get("show"), page=request.args.get("page")))
    return _signoff_page(workspace(), forms)


@bp.post("/signoff/invitations")
@workspace_required
def signoff_invite():
    """Invite a sales colleague by email to review the target list through a link (no login)."""
    form = InviteReviewerForm()
    if form.validate_on_submit():
        try:
            invitation, token = invite_reviewer(workspace(), current_user, form.name.data, form.email.data)
        except (PermissionError, ValueError) as exc:
            form.email.errors.append(str(exc))
        else:
            if _email_invitation(invitation, token):
                db.session.commit()
                flash(f"Review link sent to {invitation.reviewer_name} ({invitation.reviewer_email}).", "success")
                return redirect(url_for(".signoff"))
            db.session.rollback()
            form.email.errors.append("The email could not be sent, so no invitation was made. Try again in a few "
                                     "minutes; if it fails again, tell your coach.")
    return _signoff_page(workspace(), invite=form), 422


def _email_invitation(invitation, token: str) -> bool:
    """Send the review link; False (logged) when the mail server fails."""
    try:
        send_template(invitation.reviewer_email, f"{current_user.name} asks you to review their target accounts",
                      "accounts/email/review_invitation", invitation=invitation, inviter=current_user,
                      url=external_url("accounts.guest_review", token=token))
    except (smtplib.SMTPException, OSError):
        current_app.logger.exception("review invitation %s: email failed", invitation.id)
        return False
    return True


@bp.post("/signoff/invitations/<int:invitation_id>/revoke")
@workspace_required
def signoff_revoke(invitation_id: int):
    """Revoke an invitation: its link stops working at once; the verdicts given so far stay."""
    invitation = invitation_in_workspace(workspace(), invitation_id)
    if invitation is None or not EmptyForm().validate_on_submit():
        abort(404 if invitation is None else 400)
    revoked = revoke_invitation(workspace(), current_user, invitation)
    db.session.commit()
    flash(f"Revoked the link sent to {invitation.reviewer_name}." if revoked
          else "That link was no longer open.", "success" if revoked else "info")
    return redirect(url_for(".signoff"))


# --------------------------------------------------------------------------------------------- the guest's link


@bp.route("/review/<token>", methods=["GET", "POST"])
@limiter.limit(_public_limit)
@once_more_after_a_clash
def guest_review(token: str):
    """An invited sales colleague's review of one workspace's target accounts (no login; 404 unless open)."""
    invitation = open_invitation(token)
    if invitation is None:
        abort(404)
    ws = db.session.get(Workspace, invitation.workspace_id)
    own_list = current_user.is_authenticated and proposes(current_user, ws)
    forms: dict[int, SignoffForm] = {}
    if request.method == "POST":
        account = target_or_none(ws, request.args.get("account"))
        if account is None:
            abort(404)
        if own_list:
            abort(403)
        posted = forms[account.id] = _posted_verdict(account)
        if posted.validate_on_submit():
            try:
                guest_sign_off(invitation, account, bool(posted.agree.data), posted.reason.data)
            except AlreadyReviewed as exc:
                flash(str(exc), "info")
            else:
                db.session.commit()
                flash(_said(account, posted), "success")
            return redirect(url_for(".guest_review", token=token, page=request.args.get("page")))
    page = signoff_page(ws, show="all", page=request.args.get("page", 1, type=int),
                        per_page=current_app.config["PER_PAGE"])
    inviter = db.session.get(User, invitation.created_by_id) if invitation.created_by_id else None
    return render_template("accounts/signoff_guest.html", invitation=invitation, inviter=inviter, page=page,
                           forms=_verdict_forms(page, forms), verdicts=guest_verdicts(invitation), token=token,
                           own_list=own_list)


# --------------------------------------------------------------------------------------------- the coach stands in


@bp.get("/coach/signoff")
@role_required("coach")
def coach_signoff_list():
    """The workspaces of the learners and teams you coach, with how many target accounts wait for sales."""
    return render_template("accounts/signoff_coach_list.html", rows=coached_workspaces(current_user, g.org))


@bp.route("/coach/signoff/<int:workspace_id>", methods=["GET", "POST"])
@role_required("coach")
@once_more_after_a_clash
def coach_signoff(workspace_id: int):
    """A coached learner's target list: record agreement on their behalf when no sales colleague is available."""
    ws = coached_workspace_or_none(current_user, g.org, workspace_id)
    if ws is None:
        abort(404)
    forms: dict[int, SignoffForm] = {}
    if request.method == "POST":
        account = target_or_none(ws, request.args.get("account"))
        if account is None:
            abort(404)
        if not needs_stand_in(ws):
            abort(403)
        posted = forms[account.id] = _posted_verdict(account)
        if posted.validate_on_submit():
            coach_sign_off(ws, current_user, account, bool(posted.agree.data), posted.reason.data)
            db.session.commit()
            flash(_said(account, posted), "success")
            return redirect(url_for(".coach_signoff", workspace_id=ws.id, show=request.args.get("show"),
                                    page=request.args.get("page")))
    values = (filters := SignoffFilters(request.args)).values()
    page = signoff_page(ws, show=values["show"], page=values["page"], per_page=current_app.config["PER_PAGE"])
    return render_template("accounts/signoff_coach.html", ws=ws, page=page, filters=filters, values=values,
                           forms=_verdict_forms(page, forms), sales=sales_members(ws), counts=workspace_counts(ws))
