"""The joint sign-off page: a sales member agrees or disagrees with each proposed target account."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.accounts.forms import SignoffFilters, SignoffForm
from lms.accounts.models import Account
from lms.accounts.queries import workspace_counts
from lms.accounts.signoff import can_sign_off, disagreements, sign_off, signoff_page
from lms.accounts.views.blueprint import bp, workspace, workspace_required
from lms.accounts.workspaces import in_workspace_or_404
from lms.extensions import db


@bp.route("/signoff", methods=["GET", "POST"])
@workspace_required
def signoff():
    """Joint sign-off: marketing proposes the target list, a sales member agrees or disagrees per account."""
    filters = SignoffFilters(request.args)
    values = filters.values()
    forms: dict[int, SignoffForm] = {}
    if request.method == "POST":
        account = in_workspace_or_404(Account, workspace(), request.args.get("account"))
        if not can_sign_off(current_user):
            abort(403)
        posted = forms[account.id] = SignoffForm(prefix=f"a{account.id}")
        if posted.validate_on_submit():
            sign_off(workspace(), current_user, account, bool(posted.agree.data), posted.reason.data)
            db.session.commit()
            flash(f"{'Agreed with' if posted.agree.data else 'Disagreed with'} {account.name}.", "success")
            return redirect(url_for(".signoff", show=values["show"], page=values["page"]))
    page = signoff_page(workspace(), show=values["show"], page=values["page"],
                        per_page=current_app.config["PER_PAGE"])
    for a in page.items:  # the posted form keeps what was typed and its errors; the others start empty
        forms.setdefault(a.id, SignoffForm(formdata=None, prefix=f"a{a.id}"))
    return render_template("accounts/signoff.html", page=page, filters=filters, forms=forms,
                           disagreements=disagreements(workspace()), values=values,
                           counts=workspace_counts(workspace()))
