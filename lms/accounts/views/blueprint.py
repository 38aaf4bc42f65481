"""The workspace blueprint ("accounts", under /workspace) and what all its pages need: the workspace."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, abort, g
from flask_login import current_user, login_required

from lms.accounts import picks
from lms.accounts.workspaces import current_workspace
from lms.extensions import db

bp = Blueprint("accounts", __name__, url_prefix="/workspace")
# Any page that picks an account draws its choices with these (the workspace's pages and the exercises' answers).
for _helper in (picks.account_options, picks.account_datalist, picks.offered):
    bp.add_app_template_global(_helper)

LIST_ENDPOINTS = {"accounts": "accounts.account_list", "contacts": "accounts.contact_list",
                  "signals": "accounts.signal_list", "opportunities": "accounts.opportunity_list",
                  "handoffs": "accounts.handoff_list"}
MIMETYPES = {"csv": "text/csv",  # Flask adds "; charset=utf-8" to text types itself
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def workspace_required(view: Callable) -> Callable:
    """Sign-in required; puts the workspace the user works in (created on first visit) in g.workspace."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if g.org is None:
            abort(404)
        g.workspace, created = current_workspace(current_user, g.org)
        if created:
            db.session.commit()
        return view(*args, **kwargs)

    return wrapped


def workspace():
    """Return the workspace this request works in (put in g by workspace_required)."""
    return g.workspace
