"""Reminders before a booked workshop session: one a week before and one the day before (WORKSHOP_REMINDER_DAYS),
each sent once per booking, listing the pre-work the person has still to do. `flask lms remind` sends them.

Claim, commit, then send: the claim (the booking's reminded_week_at / reminded_day_at) is committed before the
email goes, so neither a parallel run nor a crash after sending sends it twice; a failed send gives the claim
back for the next run. Flush, never commit: the command commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from lms.content.models import Module
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import User
from lms.learning.models import ModuleProgress
from lms.mail import send_template
from lms.urls import external_url
from lms.workshops import notifications, schedule
from lms.workshops.models import Booking, WorkshopSession

WEEK = "week"
DAY = "day"
_COLUMNS = {WEEK: Booking.reminded_week_at, DAY: Booking.reminded_day_at}


@dataclass(frozen=True)
class PreworkItem:
    """A pre-work module the attendee has not completed yet, with its link."""

    title: str
    minutes: int
    url: str


@dataclass(frozen=True)
class SessionReminder:
    """One reminder to send: which booking, which of the two (WEEK or DAY), and the pre-work still to do."""

    booking_id: int
    which: str
    email: str
    subject: str
    prework_left: tuple[PreworkItem, ...]
    has_prework: bool

    @property
    def reason(self) -> str:
        """How the command names it: "workshop_week" or "workshop_day"."""
        return f"workshop_{self.which}"


def _which(booking: Booking, now: datetime, week_days: int, day_days: int) -> str | None:
    """The reminder this booking is due now, if any. Each is due once the session is that close, and only to
    someone booked before then: a booking made three days before hears nothing a week before (its confirmation
    has just gone), only the day before."""
    starts, confirmed = booking.session.starts_at, booking.confirmed_at or booking.created_at
    day_from, week_from = starts - timedelta(days=day_days), starts - timedelta(days=week_days)
    if now >= day_from:
        return DAY if booking.reminded_day_at is None and confirmed < day_from else None
    if now >= week_from:
        return WEEK if booking.reminded_week_at is None and confirmed < week_from else None
    return None


def due_session_reminders(now: datetime | None = None) -> list[SessionReminder]:
    """Return the reminders to send now for confirmed bookings of sessions not cancelled and not started.

    These are service messages about an event the person booked, so they go even to people who turned off
    course reminders (User.reminders_opt_out); only deactivated accounts are left out. Three queries whatever
    the number of bookings. Raises lms.urls.SiteURLMissing outside a request without LMS_SITE_URL or SERVER_NAME.
    """
    now = now or utcnow()
    week_days, day_days = current_app.config["WORKSHOP_REMINDER_DAYS"]
    bookings = list(db.session.scalars(
        select(Booking).join(WorkshopSession, WorkshopSession.id == Booking.session_id)
        .join(User, User.id == Booking.user_id)
        .where(Booking.status == "confirmed", WorkshopSession.is_cancelled.is_(False),
               WorkshopSession.starts_at > now, WorkshopSession.starts_at <= now + timedelta(days=week_days),
               User.is_active_user.is_(True))
        .order_by(WorkshopSession.starts_at, Booking.id)))
    due = [(b, which) for b in bookings if (which := _which(b, now, week_days, day_days))]
    if not due:
        return []
    slugs = {(b.session.course_id, slug) for b, _ in due for slug in (b.session.course.prework or ())}
    modules = list(db.session.scalars(select(Module).where(
        Module.course_id.in_({c for c, _ in slugs}), Module.is_archived.is_(False)).order_by(Module.position)))
    prework = {}
    for module in modules:
        if (module.course_id, module.slug) in slugs:
            prework.setdefault(module.course_id, []).append(module)
    done = set(db.session.execute(select(ModuleProgress.user_id, ModuleProgress.module_id, ModuleProgress.organization_id)
                                  .where(ModuleProgress.user_id.in_({b.user_id for b, _ in due}),
                                         ModuleProgress.module_id.in_({m.id for m in modules}),
                                         ModuleProgress.completed_at.is_not(None))).all())
    out = []
    for booking, which in due:
        session = booking.session
        course_modules = prework.get(session.course_id, [])
        left = tuple(PreworkItem(m.title, m.minutes, external_url("learning.module_show", course=session.course.slug,
                                                                  module=m.slug))
                     for m in course_modules if (booking.user_id, m.id, session.organization_id) not in done)
        when = "next week" if which == WEEK else "tomorrow"
        subject = (f"{session.course.title} is {when}: "
                   f"{schedule.day_text(session.starts_at, session.timezone)}")
        out.append(SessionReminder(booking.id, which, booking.user.email, subject, left, bool(course_modules)))
    return out


def claim(reminder: SessionReminder) -> bool:
    """Mark the reminder sent on its booking, unless a run going on at the same time already has (flushes).
    Returns True when this run claimed it."""
    column = _COLUMNS[reminder.which]
    result = db.session.execute(update(Booking).where(Booking.id == reminder.booking_id, column.is_(None))
                                .values({column: utcnow()}).execution_options(synchronize_session=False))
    return result.rowcount == 1


def unclaim(reminder: SessionReminder) -> None:
    """Give back the claim of a reminder whose email could not be sent, so the next run tries again (flushes)."""
    column = _COLUMNS[reminder.which]
    db.session.execute(update(Booking).where(Booking.id == reminder.booking_id).values({column: None})
                       .execution_options(synchronize_session=False))


def send(reminder: SessionReminder) -> None:
    """Send the reminder: when and where, the join link or venue, the pre-work still to do (or that it is done).
    Raises smtplib.SMTPException or OSError when the mail server fails."""
    booking = db.session.get(Booking, reminder.booking_id)
    send_template(reminder.email, reminder.subject, "workshops/email/reminder", reminder=reminder, booking=booking,
                  user=booking.user, **notifications.session_details(booking.session))

