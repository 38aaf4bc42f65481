"""Calendar invitations (RFC 5545 iCalendar, with iTIP methods) for a booked seat: one event per dated part of the
session, in the session's time zone, with stable UIDs so an update or a cancellation replaces the event the
attendee already has."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText

from lms.database import utcnow
from lms.urls import external_url, site_url
from lms.workshops import services
from lms.workshops.models import Booking, WorkshopSession

PRODID = "-//ABM Academy//Workshops//EN"


def part_uid(session: WorkshopSession, number: int) -> str:
    """The stable UID of the `number`th (1-based) part of `session`, e.g. session-12-part-1@academy.example."""
    host = urlsplit(site_url()).hostname or "abm-academy.example"
    return f"session-{session.id}-part-{number}@{host}"


def location(session: WorkshopSession) -> str:
    """Where the session happens, on one line: the venue's name and address, or "Online"."""
    if session.delivery == "virtual":
        return "Online"
    address = ", ".join(line.strip().rstrip(",") for line in session.venue_address.splitlines() if line.strip())
    return ", ".join(part for part in (session.venue_name, address) if part)


def description(session: WorkshopSession, *, cancelled: bool = False) -> str:
    """The event's notes: what to do before the day (pre-work with links), how to join, the session's page."""
    page = external_url("workshops.session_show", session_id=session.id)
    if cancelled:
        return f"This booking is cancelled: the seat is no longer held for you.\n\nThe session's page: {page}"
    lines = []
    prework = services.prework_modules(session)
    if prework:
        lines.append("Before the session, complete the pre-work:")
        lines += [f"- {m.title} ({m.minutes} min): "
                  f"{external_url('learning.module_show', course=session.course.slug, module=m.slug)}"
                  for m in prework]
        lines.append("")
    if session.delivery == "virtual":
        lines += [f"Join online: {session.join_url}", ""]
    else:
        lines += [f"Venue: {location(session)}", ""]
    lines.append(f"The session's page (details, or cancel your booking): {page}")
    return "\n".join(lines)


def _organizer() -> vCalAddress:
    _, address = parseaddr(current_app.config["MAIL_SENDER"])
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["CN"] = vText(current_app.config["SITE_NAME"])
    return organizer


def _attendee(booking: Booking) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{booking.user.email}")
    attendee.params["CN"] = vText(booking.user.name)
    attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
    attendee.params["PARTSTAT"] = vText("ACCEPTED")
    attendee.params["RSVP"] = vText("FALSE")
    return attendee


def _aware(value: datetime, tz: ZoneInfo) -> datetime:
    return value.replace(tzinfo=UTC).astimezone(tz)


def _calendar(booking: Booking, method: str, cancelled: bool) -> bytes:
    session = booking.session
    tz = ZoneInfo(session.timezone)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    stamp = utcnow().replace(tzinfo=UTC)
    url = external_url("workshops.session_show", session_id=session.id)
    notes = description(session, cancelled=cancelled)
    parts = session.parts
    for number, part in enumerate(parts, start=1):
        event = Event()
        event.add("uid", part_uid(session, number))
        event.add("sequence", session.sequence)
        event.add("dtstamp", stamp)
        event.add("dtstart", _aware(part.starts_at, tz))
        event.add("dtend", _aware(part.ends_at, tz))
        title = session.course.title
        event.add("summary", f"{title} (part {number} of {len(parts)})" if len(parts) > 1 else title)
        event.add("location", location(session))
        event.add("description", notes)
        event.add("url", url)
        event.add("organizer", _organizer())
        if method != "PUBLISH":  # iTIP: a published event (a plain download) names no attendees
            event.add("attendee", _attendee(booking))
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
        cal.add_component(event)
    # The VTIMEZONE with the zone's rules around the session (not every change since 1970: a short file).
    cal.add_missing_timezones(first_date=(session.starts_at - timedelta(days=366)).date(),
                              last_date=(session.ends_at + timedelta(days=366)).date())
    return cal.to_ical()


def invitation(booking: Booking, method: str = "REQUEST") -> bytes:
    """The iCalendar invitation for `booking`'s seat (METHOD REQUEST by default; PUBLISH for a plain download):
    one confirmed event per part of the session, at the session's current SEQUENCE."""
    return _calendar(booking, method, cancelled=False)


def cancellation(booking: Booking) -> bytes:
    """The iCalendar cancellation (METHOD CANCEL, STATUS CANCELLED) of every part of `booking`'s session, which
    removes the events an earlier invitation put in the attendee's calendar."""
    return _calendar(booking, "CANCEL", cancelled=True)
