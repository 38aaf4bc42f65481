"""The page where org admins manage the API tokens that read the learning record (the statements themselves are
served by the LRS at /xapi, lms.tracking.lrs_server)."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import current_user

from lms.extensions import db
from lms.forms import EmptyForm
from lms.tenancy import get_or_404, role_required
from lms.tracking import services, tools_views, verb_list
from lms.tracking.forms import ApiTokenForm
from lms.tracking.models import ApiToken

bp = Blueprint("tracking", __name__)


@bp.route("/admin/api-tokens", methods=["GET", "POST"])
@role_required("org_admin")
def tokens():
    """Create, name and revoke the tokens that read the organisation's learning record."""
    form = ApiTokenForm()
    secret = None
    if form.validate_on_submit():
        _, secret = services.create_token(g.org.id, form.name.data, current_user.id)
        db.session.commit()
        form = ApiTokenForm(formdata=None)
    return render_template("tracking/tokens.html", form=form, secret=secret, tokens=services.tokens_of(g.org.id),
                           endpoint=url_for("xapi.statements", _external=True))


@bp.post("/admin/api-tokens/<int:token_id>/revoke")
@role_required("org_admin")
def token_revoke(token_id: int):
    """Revoke a token: programs using it can no longer read statements."""
    token = get_or_404(ApiToken, token_id)
    if EmptyForm().validate_on_submit() and token.revoked_at is None:
        services.revoke_token(token, current_user.id)
        db.session.commit()
        flash(f"Token \u201c{token.name}\u201d revoked.", "info")
    return redirect(url_for("tracking.tokens"))


tools_views.register(bp)  # the connected tools pages (/admin/tools): lms/tracking/tools_views.py
verb_list.register(bp)  # the published verb list (/xapi/verbs): lms/tracking/verb_list.py
