"""Booking a seat and cancelling it (routes on lms.workshops.views.blueprint.bp). Each commits, then emails."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from lms.extensions import db, limiter
from lms.forms import EmptyForm
from lms.workshops import notifications, services
from lms.workshops.models import WorkshopSession
from lms.workshops.views.blueprint import bp


def _booking_limit() -> str:
    return current_app.config["BOOKING_RATE_LIMIT"]


def _person_key() -> str:
    return f"booking:{current_user.id}" if current_user.is_authenticated else f"booking:{request.remote_addr}"


def _session_for_post(session_id: int) -> WorkshopSession:
    session = db.get_or_404(WorkshopSession, session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return session


@bp.post("/workshops/<int:session_id>/book")
@limiter.limit(_booking_limit, key_func=_person_key)
def book(session_id: int):
    """Book a seat, or a place on the waiting list when the session is full; visitors sign in first."""
    if not current_user.is_authenticated:
        flash("Sign in (or create an account) to book your seat.", "info")
        return redirect(url_for("identity.login", next=url_for("workshops.session_show", session_id=session_id)))
    session = _session_for_post(session_id)
    try:
        booking = services.book(session, current_user)
    except services.BookingError as exc:
        flash(str(exc), "error")
        return redirect(url_for("workshops.session_show", session_id=session.id))
    db.session.commit()
    if booking.status == "confirmed":
        sent = notifications.booking_confirmed(booking)
        flash(f"You're booked on {session.title}. " + ("We've emailed your confirmation and calendar invitation. "
              if sent else "") + "Start the pre-work below before the day.", "success")
    else:
        sent = notifications.waitlisted(booking)
        flash(f"The session is full, so you're number {services.waiting_position(booking)} on the waiting list. "
              "If a seat frees, it's yours automatically and we'll email you.", "info")
    if not sent:
        flash("Your booking is saved, but the email didn't go: this page has every detail.", "warning")
    return redirect(url_for("workshops.session_show", session_id=session.id))


@bp.post("/workshops/<int:session_id>/cancel")
@limiter.limit(_booking_limit, key_func=_person_key)
def cancel(session_id: int):
    """Cancel your seat or your place on the waiting list; a freed seat goes to the first person waiting."""
    if not current_user.is_authenticated:
        return redirect(url_for("identity.login", next=url_for("workshops.session_show", session_id=session_id)))
    session = _session_for_post(session_id)
    booking = services.booking_for(session, current_user)
    if booking is None:
        abort(404)
    try:
        promoted = services.cancel(booking, current_user)
    except services.BookingError as exc:
        flash(str(exc), "error")
        return redirect(url_for("workshops.session_show", session_id=session.id))
    db.session.commit()
    notifications.booking_cancelled(booking)
    for other in promoted:
        notifications.promoted(other)
    flash("Your booking is cancelled. You can book again while seats are open.", "info")
    return redirect(url_for("workshops.session_show", session_id=session.id))
