"""The learner's dashboard, catalogue, courses and modules."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

bp = Blueprint("learning", __name__)


@bp.get("/")
def index():
    """Send visitors to sign in and learners to their dashboard."""
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    return redirect(url_for("identity.login"))


@bp.get("/dashboard")
@login_required
def dashboard():
    """What to do next."""
    return render_template("learning/dashboard.html")
