"""Content authoring report for platform admins: which modules are fresh, due for review or overdue."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request
from sqlalchemy import select

from lms.content.freshness import review_state
from lms.content.models import Course, Module
from lms.extensions import db
from lms.tenancy import platform_admin_required

bp = Blueprint("content", __name__)
ORDER = {"overdue": 0, "due": 1, "fresh": 2}


@bp.get("/platform/content")
@platform_admin_required
def freshness():
    """Modules by review state, owner and last-reviewed date; overdue first."""
    today = date.today()
    rows = db.session.execute(
        select(Module, Course.title, Course.slug).join(Course, Course.id == Module.course_id)
        .where(Module.is_archived.is_(False), Course.is_archived.is_(False))
    ).all()
    items = sorted(
        ((m, title, slug, review_state(m.last_reviewed, m.review_every_days, today)) for m, title, slug in rows),
        key=lambda r: (ORDER[r[3].state], r[3].due_on, r[1], r[0].position),
    )
    wanted = request.args.get("state")
    counts = {s: sum(1 for r in items if r[3].state == s) for s in ORDER}
    if wanted in ORDER:
        items = [r for r in items if r[3].state == wanted]
    return render_template("content/freshness.html", items=items, counts=counts, wanted=wanted, today=today)
