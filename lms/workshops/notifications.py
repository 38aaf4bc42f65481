"""The emails about workshop bookings: confirmation (with the calendar invitation), waiting list, promotion,
cancellation, changes, the no-show's offer of the next session, and the "bring your team" enquiry.

Callers send them after `db.session.commit()`: the booking is saved whatever the mail server does, so each
function returns True when the email went and False when the server failed (logged, never raised).
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from email.utils import formataddr, parseaddr

from flask import current_app

from lms.content.models import Course
from lms.database import utcnow
from lms.extensions import db
from lms.mail import Attachment, send_template
from lms.urls import external_url
from lms.workshops import calendar, schedule, services
from lms.workshops.models import Booking, Enquiry, WorkshopSession

ICS_NAME = "invitation.ics"


# --- how a session reads in an email -------------------------------------------------------------------------


def session_details(session: WorkshopSession) -> dict:
    """What every email about a seat says: the dates in the session's zone, where (or how to join), the pre-work
    with links and its due time (the start), the follow-up and its due date, and the session's links."""
    zone = session.timezone
    course = session.course
    return {
        "session": session,
        "course": course,
        "times": [schedule.part_text(p.starts_at, p.ends_at, zone) for p in session.parts],
        "place": calendar.location(session),
        "is_virtual": session.delivery == "virtual",
        "prework": [(m.title, m.minutes, external_url("learning.module_show", course=course.slug, module=m.slug))
                    for m in services.prework_modules(session)],
        "prework_due": schedule.moment_text(session.starts_at, zone),
        "follow_up_due": schedule.moment_text(services.follow_up_due(session), zone),
        "coach_name": session.coach.name if session.coach else "",
        "session_url": external_url("workshops.session_show", session_id=session.id),
        "calendar_url": external_url("workshops.calendar_file", session_id=session.id),
        "exercises_url": external_url("practice.exercises"),
        "dashboard_url": external_url("learning.dashboard"),
        "site_name": current_app.config["SITE_NAME"],
    }


def _when(session: WorkshopSession) -> str:
    return schedule.day_text(session.starts_at, session.timezone)


# --- sending -------------------------------------------------------------------------------------------------


def _ics(filename: str, content: bytes, method: str) -> Attachment:
    return (filename, content, "text", "calendar", {"method": method})


def _deliver(to: str, subject: str, template: str, *, attachments: Iterable[Attachment] = (),
             reply_to: str | None = None, **context) -> bool:
    """Send templates/workshops/email/<template>.txt; False (logged) when the mail server fails."""
    try:
        send_template(to, subject, f"workshops/email/{template}", attachments=tuple(attachments), reply_to=reply_to,
                      **context)
    except (smtplib.SMTPException, OSError) as exc:
        current_app.logger.error("Could not send the workshop email %r to %s: %s", subject, to, exc)
        return False
    return True


def booking_confirmed(booking: Booking) -> bool:
    """Email a confirmed seat: the dates, the place or join link, pre-work, follow-up, how to cancel, and the
    calendar invitation (METHOD:REQUEST). Returns False if the mail server failed."""
    session = booking.session
    return _deliver(booking.user.email, f"Booked: {session.course.title}, {_when(session)}", "booking_confirmed",
                    attachments=[_ics(ICS_NAME, calendar.invitation(booking), "REQUEST")], booking=booking,
                    user=booking.user, **session_details(session))


def waitlisted(booking: Booking) -> bool:
    """Email a place on the waiting list: the position and what happens when a seat frees. Returns False if the
    mail server failed."""
    session = booking.session
    return _deliver(booking.user.email, f"On the waiting list: {session.course.title}, {_when(session)}",
                    "waitlisted", booking=booking, user=booking.user, position=services.waiting_position(booking),
                    **session_details(session))


def promoted(booking: Booking) -> bool:
    """Email someone promoted from the waiting list: a seat is theirs, with everything the confirmation says and
    the calendar invitation. Returns False if the mail server failed."""
    session = booking.session
    return _deliver(booking.user.email, f"A seat is yours: {session.course.title}, {_when(session)}", "promoted",
                    attachments=[_ics(ICS_NAME, calendar.invitation(booking), "REQUEST")], booking=booking,
                    user=booking.user, **session_details(session))


def booking_cancelled(booking: Booking) -> bool:
    """Email the cancellation of a booking; a seat's cancellation carries the calendar cancellation
    (METHOD:CANCEL) so the event leaves their calendar. Returns False if the mail server failed."""
    session = booking.session
    had_seat = booking.confirmed_at is not None
    attachments = [_ics("cancellation.ics", calendar.cancellation(booking), "CANCEL")] if had_seat else []
    return _deliver(booking.user.email, f"Booking cancelled: {session.course.title}, {_when(session)}",
                    "booking_cancelled", attachments=attachments, booking=booking, user=booking.user,
                    had_seat=had_seat, **session_details(session))


def session_changed(session: WorkshopSession, bookings: Iterable[Booking]) -> bool:
    """Email each booked or waiting person the session's new dates or place; seats get the updated invitation
    (METHOD:REQUEST at the new SEQUENCE, replacing the event). Returns False if any email failed."""
    details = session_details(session)
    ok = True
    for booking in bookings:
        seat = booking.status == "confirmed"
        attachments = [_ics(ICS_NAME, calendar.invitation(booking), "REQUEST")] if seat else []
        ok &= _deliver(booking.user.email, f"Changed: {session.course.title}, now {_when(session)}",
                       "session_changed", attachments=attachments, booking=booking, user=booking.user,
                       has_seat=seat, position=services.waiting_position(booking), **details)
    return ok


def session_cancelled(session: WorkshopSession, bookings: Iterable[Booking]) -> bool:
    """Email each person whose booking the session's cancellation ended, with the next session of the course to
    book if there is one; those who had a seat get the calendar cancellation. Returns False if any email
    failed."""
    details = session_details(session)
    following = services.next_session(session.course_id, utcnow(), exclude=session.id)
    following_text = following_url = ""
    if following is not None:
        following_text = "; ".join(schedule.part_text(p.starts_at, p.ends_at, following.timezone)
                                   for p in following.parts)
        following_url = external_url("workshops.session_show", session_id=following.id)
    ok = True
    for booking in bookings:
        had_seat = booking.confirmed_at is not None
        attachments = [_ics("cancellation.ics", calendar.cancellation(booking), "CANCEL")] if had_seat else []
        ok &= _deliver(booking.user.email, f"Session cancelled: {session.course.title}, {_when(session)}",
                       "session_cancelled", attachments=attachments, booking=booking, user=booking.user,
                       had_seat=had_seat, following=following, following_text=following_text,
                       following_url=following_url, **details)
    return ok


def next_session_offer(booking: Booking, session: WorkshopSession) -> bool:
    """Offer a no-show (`booking`) the next session of the course (`session`), with the link that moves their
    booking there. Sets booking.next_offer_at when sent (the caller commits). Returns False if the mail server
    failed."""
    missed = booking.session
    sent = _deliver(booking.user.email, f"We missed you: the next {session.course.title} is {_when(session)}",
                    "next_session_offer", booking=booking, user=booking.user, missed=missed,
                    missed_date=_when(missed), next_times=[schedule.part_text(p.starts_at, p.ends_at, session.timezone)
                                                          for p in session.parts],
                    next_place=calendar.location(session), next_url=external_url("workshops.session_show",
                                                                                  session_id=session.id),
                    move_url=external_url("workshops.move_booking", session_id=missed.id),
                    **session_details(session))
    if sent:
        booking.next_offer_at = utcnow()
    return sent


def enquiries_address() -> str:
    """Where enquiries go: LMS_ENQUIRIES_EMAIL, or the MAIL_SENDER address when that is not set."""
    cfg = current_app.config
    return cfg["ENQUIRIES_EMAIL"] or parseaddr(cfg["MAIL_SENDER"])[1]


def enquiry_received(enquiry: Enquiry) -> bool:
    """Email a "bring your team" enquiry to the provider (Reply-To the enquirer, so answering reaches them) and
    acknowledge it to the enquirer. Returns False if either email failed."""
    site_name = current_app.config["SITE_NAME"]
    course = db.session.get(Course, enquiry.course_id).title if enquiry.course_id else ""
    enquirer = formataddr((enquiry.name, enquiry.email))
    to_provider = _deliver(enquiries_address(), f"In-house enquiry: {enquiry.company}, {enquiry.team_size} people",
                           "enquiry_received", reply_to=enquirer, enquiry=enquiry, course_title=course,
                           site_name=site_name)
    to_enquirer = _deliver(enquirer, f"We've received your enquiry: {site_name} for your team",
                           "enquiry_acknowledged", enquiry=enquiry, course_title=course, site_name=site_name,
                           in_house_url=external_url("workshops.in_house"))
    return to_provider and to_enquirer
