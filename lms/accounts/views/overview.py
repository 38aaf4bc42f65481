"""The workspace's front page: headline counts, what to do next, recent imports, export."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from lms.accounts import labels
from lms.accounts.batches import recent_batches
from lms.accounts.forms import ExportForm
from lms.accounts.queries import workspace_counts
from lms.accounts.signoff import can_sign_off, is_seller
from lms.accounts.views.blueprint import bp, workspace, workspace_required


@bp.get("")
@workspace_required
def overview():
    """Counts, what to do next, and links to every part of the workspace."""
    counts = workspace_counts(workspace())
    return render_template("accounts/overview.html", counts=counts, export=ExportForm(),
                           steps=labels.next_steps(counts, is_sales=is_seller(current_user),
                                                  can_sign=can_sign_off(current_user, workspace())),
                           batches=recent_batches(workspace(), 5))
