"""Workshop pages for everyone: the public catalogue at `/` and each session's page (routes on
lms.workshops.views.blueprint.bp)."""

from __future__ import annotations

from flask import g, redirect, render_template, url_for
from flask_login import current_user

from lms.database import utcnow
from lms.extensions import db
from lms.forms import EmptyForm
from lms.workshops import access, listings, schedule, services
from lms.workshops.models import DELIVERY_LABELS, WorkshopSession
from lms.workshops.views.blueprint import bp

# How dates and seats read on every workshop page (and in the emails, through the same module).
for _helper in (schedule.part_text, schedule.moment_text, schedule.day_text, schedule.seats_text,
                schedule.days_text, schedule.length_text):
    bp.add_app_template_global(_helper)


@bp.get("/")
def home():
    """The public catalogue: the open courses and the upcoming sessions. Signed-in people go to their dashboard."""
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    return render_template("workshops/home.html", courses=listings.public_courses(),
                           sessions=services.upcoming(utcnow()), deliveries=DELIVERY_LABELS)


@bp.get("/workshops/<int:session_id>")
def session_show(session_id: int):
    """A session: what it teaches, when and where, seats, pre-work and follow-up, and booking (or your booking)."""
    session = db.get_or_404(WorkshopSession, session_id)
    now = utcnow()
    booking = services.booking_for(session, current_user) if current_user.is_authenticated else None
    if booking is not None and booking.status not in ("confirmed", "waitlisted"):
        booking = None
    closed = services.booking_closed_reason(session, now)
    return render_template(
        "workshops/session.html", session=session, booking=booking, closed=closed, form=EmptyForm(),
        position=services.waiting_position(booking) if booking else None,
        following=services.next_session(session.course_id, now, exclude=session.id) if closed else None,
        prework=services.prework_modules(session), follow_up_due=services.follow_up_due(session),
        deliveries=DELIVERY_LABELS, started=session.starts_at <= now, can_manage=access.can_manage(),
        other_org=booking is not None and _elsewhere(session))


def _elsewhere(session: WorkshopSession) -> bool:
    """True when the signed-in person works in another organisation than the session's (their course is there)."""
    return g.org is None or g.org.id != session.organization_id
