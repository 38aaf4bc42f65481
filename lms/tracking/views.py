"""The learning record API (xAPI 1.0.3 statements, bearer-token auth) and the page where admins manage tokens."""

from __future__ import annotations

from flask import Blueprint, Response, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from lms.database import utcnow
from lms.extensions import csrf, db
from lms.forms import EmptyForm
from lms.tenancy import get_or_404, role_required
from lms.tracking import services, xapi
from lms.tracking.forms import ApiTokenForm
from lms.tracking.models import ApiToken
from lms.tracking.query import QueryError
from lms.tracking.statements import statements_response

bp = Blueprint("tracking", __name__)


def _json(body, status: int = 200) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["X-Experience-API-Version"] = xapi.VERSION
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="xAPI statements"'
    return response


def _api_problem(params, version: str | None) -> tuple[int, str] | None:
    if version and not version.startswith("1.0"):
        return 400, f"X-Experience-API-Version {version} is not supported: this LRS speaks {xapi.VERSION}"
    if "statementId" in params and set(params) - {"statementId", "format", "attachments"}:
        return 400, "statementId can only be combined with format and attachments"
    return None


@bp.get("/xapi/statements")
@csrf.exempt  # authenticated by a bearer token, never by cookies
def statements():
    """The token's organisation's statements as an xAPI StatementResult (filters, paging with `more`)."""
    token = services.token_for(request.authorization.token if request.authorization else None)
    if token is None:
        return _json({"error": "Send a valid API token: Authorization: Bearer <token>."}, 401)
    problem = _api_problem(request.args, request.headers.get("X-Experience-API-Version"))
    if problem:
        return _json({"error": problem[1]}, problem[0])
    try:
        body = statements_response(token.organization_id, request.args)
    except QueryError as exc:
        return _json({"error": str(exc)}, 400)
    db.session.commit()  # the token's last use
    if body is None:
        return _json({"error": "No statement with that id."}, 404)
    response = _json(body)
    response.headers["X-Experience-API-Consistent-Through"] = xapi.iso(utcnow())
    return response


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
                           endpoint=url_for("tracking.statements", _external=True))


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
