"""Content authoring report for platform admins: which modules are fresh, due for review or overdue."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from lms.content.freshness import review_state
from lms.content.models import Course, Module
from lms.extensions import db
from lms.forms import EmptyForm
from lms.identity import audit
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
        ((m, title, slug, review_state(m.latest_review, m.review_every_days, today)) for m, title, slug in rows),
        key=lambda r: (ORDER[r[3].state], r[3].due_on, r[1], r[0].position),
    )
    wanted = request.args.get("state")
    counts = {s: sum(1 for r in items if r[3].state == s) for s in ORDER}
    if wanted in ORDER:
        items = [r for r in items if r[3].state == wanted]
    return render_template("content/freshness.html", items=items, counts=counts, wanted=wanted, today=today,
                           form=EmptyForm())


@bp.post("/platform/content/<int:module_id>/reviewed")
@platform_admin_required
def mark_reviewed(module_id: int):
    """Record that a module was reviewed today by this admin (logged; the file keeps its date until edited)."""
    module = db.session.get(Module, module_id)
    if module is None or not EmptyForm().validate_on_submit():
        abort(404)
    module.reviewed_by, module.reviewed_on = current_user.name, date.today()
    audit.log("marked-module-reviewed", actor=current_user, organization_id=None, subject_id=module.id,
              subject_name=module.title)
    db.session.commit()
    flash(f"\u201c{module.title}\u201d marked reviewed today. Update last_reviewed in its file at the next edit.",
          "success")
    return redirect(url_for("content.freshness", state=request.args.get("state")))
