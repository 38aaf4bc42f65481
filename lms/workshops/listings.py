"""What the workshop pages read: the public courses, the provider's coaches, the sessions a manager runs with
their waiting counts, and a session's confirmed bookings and waiting list. Read-only queries, a fixed number
per page whatever the number of sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort
from sqlalchemy import func, select

from lms.content.models import Course
from lms.extensions import db
from lms.identity.models import Membership, User
from lms.workshops.models import Booking, WorkshopSession


def public_courses() -> list[Course]:
    """The courses anyone may book: audience public, not archived, by title (one query)."""
    return list(db.session.scalars(select(Course).where(
        Course.audience == "public", Course.is_archived.is_(False)).order_by(Course.title)))


def public_course_or_404(course_id: int) -> Course:
    """The public course with this id, or 404 (sessions are only run of public courses)."""
    course = db.session.get(Course, course_id)
    if course is None or course.audience != "public" or course.is_archived:
        abort(404)
    return course


def coaches_of(org_id: int) -> list[User]:
    """The users who hold the coach role in the organisation, by name (one query)."""
    return list(db.session.scalars(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.organization_id == org_id, Membership.role == "coach").order_by(func.lower(User.name), User.id)))


def coach_or_404(org_id: int, user_id: int) -> User:
    """A coach of the organisation, or 404 (a coach from anywhere else is not offered and not accepted)."""
    coach = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.organization_id == org_id, Membership.role == "coach", User.id == user_id))
    if coach is None:
        abort(404)
    return coach


@dataclass(frozen=True)
class SessionRow:
    """A session on the manager's list, with the people waiting for a seat."""

    session: WorkshopSession
    waiting: int


@dataclass(frozen=True)
class Board:
    """The manager's sessions: those still to end (soonest first) and those that have ended (latest first)."""

    upcoming: list[SessionRow]
    past: list[SessionRow]


def board(org_id: int | None, now: datetime) -> Board:
    """The sessions of the organisation (every organisation's when `org_id` is None: a platform admin), with their
    waiting counts (two queries)."""
    waiting = (select(Booking.session_id, func.count(Booking.id).label("n")).where(Booking.status == "waitlisted")
               .group_by(Booking.session_id).subquery())
    query = (select(WorkshopSession, func.coalesce(waiting.c.n, 0))
             .outerjoin(waiting, waiting.c.session_id == WorkshopSession.id)
             .order_by(WorkshopSession.starts_at, WorkshopSession.id))
    if org_id is not None:
        query = query.where(WorkshopSession.organization_id == org_id)
    rows = [SessionRow(s, n) for s, n in db.session.execute(query).unique().all()]
    return Board(upcoming=[r for r in rows if r.session.ends_at > now],
                 past=[r for r in reversed(rows) if r.session.ends_at <= now])


@dataclass(frozen=True)
class Bookings:
    """A session's people: the confirmed seats by name, and the waiting list in the order seats go to it."""

    confirmed: list[Booking]
    waiting: list[Booking]


def bookings(session: WorkshopSession) -> Bookings:
    """The session's confirmed bookings (by name) and its waiting list (first come first served; one query)."""
    rows = list(db.session.scalars(select(Booking).join(User, User.id == Booking.user_id).where(
        Booking.session_id == session.id, Booking.status.in_(("confirmed", "waitlisted")))
        .order_by(Booking.created_at, Booking.id)))
    confirmed = sorted((b for b in rows if b.status == "confirmed"), key=lambda b: (b.user.name.lower(), b.id))
    return Bookings(confirmed=confirmed, waiting=[b for b in rows if b.status == "waitlisted"])


def booking_or_404(session: WorkshopSession, booking_id: int) -> Booking:
    """The booking on this session with this id, or 404."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.session_id != session.id:
        abort(404)
    return booking
