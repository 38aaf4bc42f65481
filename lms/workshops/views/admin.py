"""Running sessions, for platform admins and the provider's coaches: the list, create and edit, cancel, and each
session's bookings and waiting list (routes on lms.workshops.views.blueprint.bp). Others get 404."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.database import utcnow
from lms.extensions import db
from lms.forms import EmptyForm, choices
from lms.identity import services as identity
from lms.identity.models import Organization
from lms.workshops import access, listings, notifications, services
from lms.workshops.forms import SessionForm
from lms.workshops.models import DELIVERY_LABELS, WorkshopSession
from lms.workshops.views.blueprint import bp


def _provider() -> Organization:
    """The organisation sessions are created in: the provider's public one (a provider coach works in it)."""
    if current_user.is_platform_admin:
        return identity.public_organization(current_app.config["PUBLIC_ORG_SLUG"])
    return g.org


def _with_choices(form: SessionForm, org: Organization, session: WorkshopSession | None = None) -> SessionForm:
    courses = [session.course] if session else listings.public_courses()  # a session keeps its course
    form.course_id.choices = choices((c.id, c.title) for c in courses)
    form.coach_id.choices = choices([(0, "No coach yet")] + [(u.id, u.name) for u in listings.coaches_of(org.id)])
    return form


def _coach(org: Organization, form: SessionForm):
    return listings.coach_or_404(org.id, form.coach_id.data) if form.coach_id.data else None


@bp.get("/manage/workshops")
@login_required
def manage():
    """Every session still to run and those that have run, with fill, waiting lists and their pages."""
    access.require_manager()
    org_id = None if current_user.is_platform_admin else g.org.id
    return render_template("workshops/manage.html", board=listings.board(org_id, utcnow()), deliveries=DELIVERY_LABELS)


@bp.route("/manage/workshops/new", methods=["GET", "POST"])
@login_required
def session_new():
    """Create a session of a public course: its dated parts, seats, place, booking deadline and coach."""
    access.require_manager()
    org = _provider()
    form = _with_choices(SessionForm(), org)
    if form.validate_on_submit():
        try:
            session = services.create_session(org, listings.public_course_or_404(form.course_id.data), form.plan,
                                              coach=_coach(org, form), by=current_user)
        except services.BookingError as exc:
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"{session.title} is on the catalogue, open for booking.", "success")
            return redirect(url_for("workshops.session_admin", session_id=session.id))
    return render_template("workshops/session_form.html", form=form, session=None)


@bp.get("/manage/workshops/<int:session_id>")
@login_required
def session_admin(session_id: int):
    """A session's bookings: the confirmed seats and the waiting list in order, each with a cancel button."""
    session = access.managed_session_or_404(session_id)
    return render_template("workshops/session_admin.html", session=session, people=listings.bookings(session),
                           form=EmptyForm(), deliveries=DELIVERY_LABELS, now=utcnow())


@bp.route("/manage/workshops/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def session_edit(session_id: int):
    """Change a session. New dates or place are emailed (with the updated invitation); more seats fill from the
    waiting list, and those promoted are emailed."""
    session = access.managed_session_or_404(session_id)
    typed = request.method == "POST"
    form = _with_choices(SessionForm(is_new=False) if typed else SessionForm.for_session(session), _owner(session),
                         session)
    if form.validate_on_submit():
        sequence = session.sequence
        try:
            promoted = services.update_session(session, form.plan, coach=_coach(_owner(session), form), by=current_user)
        except services.BookingError as exc:
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            _tell_of_changes(session, promoted, moved=session.sequence > sequence)
            return redirect(url_for("workshops.session_admin", session_id=session.id))
    return render_template("workshops/session_form.html", form=form, session=session)


def _owner(session: WorkshopSession) -> Organization:
    return db.session.get(Organization, session.organization_id)


def _tell_of_changes(session: WorkshopSession, promoted: list, *, moved: bool) -> None:
    """Email the people a saved change concerns, and say on the page who was told."""
    people = listings.bookings(session)
    just_promoted = {booking.id for booking in promoted}  # their "seat is yours" email has the new details
    concerned = [b for b in people.confirmed + people.waiting if b.id not in just_promoted] if moved else []
    told = len(concerned)
    if concerned:
        notifications.session_changed(session, concerned)
    for booking in promoted:
        notifications.promoted(booking)
    message = "Saved."
    if told:
        message += f" The new dates or place were emailed to {told} booked or waiting."
    if promoted:
        message += f" {len(promoted)} from the waiting list got a seat and were emailed."
    flash(message, "success")


@bp.post("/manage/workshops/<int:session_id>/cancel")
@login_required
def session_cancel(session_id: int):
    """Cancel the whole session: every booking ends and each person is emailed (with the next session, if any)."""
    session = access.managed_session_or_404(session_id)
    if not EmptyForm().validate_on_submit() or session.is_cancelled:
        flash("This session was already cancelled." if session.is_cancelled else "Try again: the form expired.",
              "info")
        return redirect(url_for("workshops.session_admin", session_id=session.id))
    affected = services.cancel_session(session, current_user)
    db.session.commit()
    notifications.session_cancelled(session, affected)
    flash(f"{session.title} is cancelled; {len(affected)} booked or waiting were emailed.", "info")
    return redirect(url_for("workshops.session_admin", session_id=session.id))


@bp.post("/manage/workshops/<int:session_id>/bookings/<int:booking_id>/cancel")
@login_required
def booking_cancel_admin(session_id: int, booking_id: int):
    """Cancel one person's booking for them; the freed seat goes to the waiting list, and both are emailed."""
    session = access.managed_session_or_404(session_id)
    booking = listings.booking_or_404(session, booking_id)
    if EmptyForm().validate_on_submit():
        try:
            promoted = services.cancel(booking, current_user)
        except services.BookingError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            notifications.booking_cancelled(booking)
            for other in promoted:
                notifications.promoted(other)
            flash(f"Cancelled {booking.user.name}'s booking." + (
                f" {', '.join(b.user.name for b in promoted)} got the seat from the waiting list." if promoted else ""),
                "success")
    return redirect(url_for("workshops.session_admin", session_id=session.id))
