"""The sign-in sheet (mark attendance, print it, export it) and moving a booking to another date (routes on
lms.workshops.views.blueprint.bp). Each POST commits, then emails."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.database import utcnow
from lms.extensions import db
from lms.forms import EmptyForm
from lms.learning.deadlines import utc_to_local, zone
from lms.workshops import notifications, schedule, services
from lms.workshops import sheet as sheets
from lms.workshops.access import can_manage, managed_session_or_404
from lms.workshops.models import ATTENDANCE, ATTENDANCE_LABELS, DELIVERY_LABELS, Booking, WorkshopSession
from lms.workshops.views.blueprint import bp

MARK_PREFIX = "mark-"


def _sheet_session_or_404(session_id: int) -> WorkshopSession:
    """The session, for its own coach (whichever organisation they are working in), a provider coach or a platform
    admin; 404 for anyone else."""
    session = db.session.get(WorkshopSession, session_id)
    if session is not None and session.coach_id == current_user.id:
        return session
    return managed_session_or_404(session_id)


def _marks(form) -> dict[int, str]:
    """The sheet's choices as {booking id: mark}; people left blank are left out. Raises BookingError for a field
    that names no booking."""
    marks = {}
    for key, value in form.items():
        if not key.startswith(MARK_PREFIX):
            continue
        booking_id = key.removeprefix(MARK_PREFIX)
        if not booking_id.isdigit():
            raise services.BookingError("That person is not on this session's sign-in sheet.")
        marks[int(booking_id)] = value
    return marks


def _render_sheet(session: WorkshopSession, typed: dict[str, str] | None = None, status: int = 200):
    sheet = sheets.sign_in_sheet(session)
    return render_template("workshops/sign_in.html", session=session, sheet=sheet, form=EmptyForm(),
                           typed=typed or {}, marks=ATTENDANCE, labels=ATTENDANCE_LABELS,
                           deliveries=DELIVERY_LABELS, is_open=session.starts_at <= utcnow(),
                           can_manage=can_manage()), status


def _offer_next(session: WorkshopSession, absent: list[Booking]) -> str:
    """Email each newly absent attendee the next open session; return what happened, for the flash."""
    absent = [b for b in absent if b.status == "confirmed"]
    if not absent:
        return ""
    following = services.next_session(session.course_id, after=utcnow(), exclude=session.id)
    if following is None:
        return ("; no later session of this course is open for booking, so nobody was offered one: add a session, "
                "then send the absent attendees its page")
    sent = sum(notifications.next_session_offer(b, following) for b in absent)
    db.session.commit()  # next_offer_at, set for each offer sent
    text = f"; {sent} offered the session on {schedule.day_text(following.starts_at, following.timezone)}"
    if sent < len(absent):
        text += f" ({len(absent) - sent} offer email{'s' if len(absent) - sent != 1 else ''} could not be sent: " \
                "try again later or tell them yourself)"
    return text


@bp.route("/manage/workshops/<int:session_id>/sign-in", methods=["GET", "POST"])
@login_required
def sign_in_sheet(session_id: int):
    """The sign-in sheet: print it before the session; mark each person present, partial or absent once it starts."""
    session = _sheet_session_or_404(session_id)
    if request.method == "GET":
        return _render_sheet(session)
    if not EmptyForm().validate_on_submit():
        abort(400)
    typed = {k.removeprefix(MARK_PREFIX): v for k, v in request.form.items() if k.startswith(MARK_PREFIX)}
    try:
        absent = services.mark_attendance(session, _marks(request.form), current_user)
    except services.BookingError as exc:
        db.session.rollback()
        flash(f"Nothing was saved: {exc}", "error")
        return _render_sheet(session, typed, 422)
    db.session.commit()
    counts = sheets.sign_in_sheet(session).counts()
    summary = f"{counts['present']} present, {counts['partial']} partial, {counts['absent']} absent"
    if counts["unmarked"]:
        summary += f", {counts['unmarked']} not marked yet"
    flash(f"Sign-in sheet saved: {summary}{_offer_next(session, absent)}.", "success")
    return redirect(url_for("workshops.sign_in_sheet", session_id=session.id))


@bp.get("/manage/workshops/<int:session_id>/sign-in.csv")
@login_required
def sign_in_export(session_id: int):
    """Download the sign-in sheet as CSV, named with the session's date."""
    session = _sheet_session_or_404(session_id)
    day = utc_to_local(session.starts_at, zone(session.timezone))
    filename = f"sign-in-{session.course.slug}-{day:%Y-%m-%d}.csv"
    return Response(sheets.sheet_csv(sheets.sign_in_sheet(session)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- moving a booking to another date ------------------------------------------------------------------------


def _move_blocked(booking: Booking, now) -> str | None:
    """Why the booking cannot move now, in words for its owner; None when it can (a seat or waiting place before
    the session, or a seat marked absent or partial after it)."""
    if booking.status == "moved":
        return "This booking has already moved to another date: that date's confirmation email has the details."
    if booking.status == "cancelled":
        return "This booking was cancelled, so there is nothing to move. Book one of the dates below instead."
    if booking.status == "waitlisted" or booking.session.starts_at > now or booking.attendance in ("absent",
                                                                                                    "partial"):
        return None
    if booking.attendance == "present":
        return "You attended this session, so there is nothing to move. Your follow-up work is on your dashboard."
    return ("The session has started, so your booking can move once your coach has marked the sign-in sheet. If you "
            "missed it, we'll email you the next date.")


def _render_move(booking: Booking, options: list[WorkshopSession], blocked: str | None, status: int = 200):
    return render_template("workshops/move.html", booking=booking, session=booking.session, options=options,
                           blocked=blocked, form=EmptyForm(), deliveries=DELIVERY_LABELS,
                           gives_up_seat=booking.status == "confirmed" and booking.session.starts_at > utcnow()
                           ), status


def _moved_message(old: WorkshopSession, new: Booking, had_seat: bool, sent: bool) -> tuple[str, str]:
    day = schedule.day_text(new.session.starts_at, new.session.timezone)
    if new.status == "confirmed":
        text = f"Your booking has moved to {day}."
        text += " We've emailed your confirmation and calendar invitation." if sent else ""
    else:
        text = (f"{day} is full, so you're number {services.waiting_position(new)} on its waiting list: if a seat "
                "frees, it's yours automatically and we'll email you.")
    if had_seat:
        text += f" Your seat on {schedule.day_text(old.starts_at, old.timezone)} is released."
    if not sent:
        text += " The email didn't go, but the session's page has every detail."
    return text, "success" if new.status == "confirmed" else "info"


@bp.route("/workshops/<int:session_id>/move", methods=["GET", "POST"])
@login_required
def move_booking(session_id: int):
    """Move your booking to another date of the same course: a no-show's next chance, or a change of plan."""
    session = db.get_or_404(WorkshopSession, session_id)
    booking = services.booking_for(session, current_user)
    if booking is None:
        abort(404)
    now = utcnow()
    blocked = _move_blocked(booking, now)
    options = services.open_sessions(session.course_id, now, exclude=session.id)
    if request.method == "GET":
        return _render_move(booking, options, blocked)
    if not EmptyForm().validate_on_submit():
        abort(400)
    to = next((s for s in options if str(s.id) == request.form.get("to", "")), None)
    if blocked or to is None:
        flash(blocked or "That date is not open for booking: choose one of the dates below.", "error")
        return _render_move(booking, options, blocked, 422)
    had_seat = booking.status == "confirmed" and session.starts_at > now
    try:
        new, promoted = services.move(booking, to, current_user, now)
    except services.BookingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _render_move(booking, options, blocked, 422)
    db.session.commit()
    sent = notifications.booking_confirmed(new) if new.status == "confirmed" else notifications.waitlisted(new)
    if had_seat:
        notifications.booking_cancelled(booking)  # its calendar cancellation takes the old date off their calendar
    for person in promoted:
        notifications.promoted(person)
    flash(*_moved_message(session, new, had_seat, sent))
    return redirect(url_for("workshops.session_show", session_id=to.id))
