"""Sessions, bookings and the waiting list, attendance: the rules, with no Flask request in them.

Seats are counted in `WorkshopSession.seats_taken`, changed only by guarded UPDATEs: taking a seat is
`UPDATE ... SET seats_taken = seats_taken + 1 WHERE id = :id AND seats_taken < capacity`, so two people racing for
the last seat cannot both get it. On PostgreSQL the second UPDATE waits for the first's row lock and then finds no
seat; on SQLite the database's single writer serialises them. A freed seat goes to the waiting list first come,
first served, claimed by a guarded UPDATE of the booking too, so two cancellations never promote the same person.

Flush, never commit: the caller's request or command commits, and sends the emails after it has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from lms.content.models import Course, Module
from lms.database import utcnow
from lms.extensions import db
from lms.identity import services as identity
from lms.identity.models import Cohort, CohortMember, Organization, User
from lms.learning import assignments as assigning
from lms.learning import services as learning
from lms.learning.models import Assignment, Enrolment
from lms.tracking.services import record
from lms.workshops.models import ATTENDANCE, DELIVERIES, Booking, SessionPart, WorkshopSession


class BookingError(ValueError):
    """A booking that cannot be made or changed, with the reason to show the person."""


@dataclass(frozen=True)
class SessionPlan:
    """What a session is, as the admin form gives it (times naive UTC)."""

    title: str
    delivery: str  # virtual | in_person
    parts: Sequence[tuple[datetime, datetime]]
    timezone: str
    capacity: int
    booking_deadline: datetime
    venue_name: str = ""
    venue_address: str = ""
    join_url: str = ""
    price_text: str = ""


def _check_plan(plan: SessionPlan) -> None:
    if plan.delivery not in DELIVERIES:
        raise BookingError(f"Delivery must be one of {', '.join(DELIVERIES)}.")
    if not plan.parts:
        raise BookingError("Give the session at least one dated part.")
    for start, end in plan.parts:
        if end <= start:
            raise BookingError("Each part must end after it starts.")
    ordered = sorted(plan.parts)
    for (_, end), (start, _) in zip(ordered, ordered[1:], strict=False):
        if start < end:
            raise BookingError("The session's parts overlap: give each part its own time.")
    if plan.capacity < 1:
        raise BookingError("Capacity must be at least 1 seat.")
    if plan.booking_deadline > ordered[0][0]:
        raise BookingError("The booking deadline must be before the session starts.")
    if plan.delivery == "in_person" and not plan.venue_address.strip():
        raise BookingError("An in-person session needs the venue's address.")
    if plan.delivery == "virtual" and not plan.join_url.strip():
        raise BookingError("A virtual session needs the link attendees join with.")


def follow_up_due(session: WorkshopSession) -> datetime:
    """When the follow-up exercises on the attendee's own accounts are due: the course's days after the end."""
    return session.ends_at + timedelta(days=session.course.follow_up_days)


def create_session(org: Organization, course: Course, plan: SessionPlan, *, coach: User | None, by: User
                   ) -> WorkshopSession:
    """Create a session of `course` in the provider's organisation `org`, with its own cohort (the attendees and
    the coach who runs it) and the course assigned to that cohort, due `follow_up_due` after the session. Raises
    BookingError for a plan that cannot run."""
    _check_plan(plan)
    ordered = sorted(plan.parts)
    cohort = Cohort(organization_id=org.id, name=plan.title, delivery=plan.delivery,
                    location=plan.venue_name or ("Online" if plan.delivery == "virtual" else ""),
                    starts_on=ordered[0][0].date(), ends_on=ordered[-1][1].date(), shares_workspace=False)
    db.session.add(cohort)
    session = WorkshopSession(
        organization_id=org.id, course=course, cohort=cohort, title=plan.title, delivery=plan.delivery,
        venue_name=plan.venue_name.strip(), venue_address=plan.venue_address.strip(), join_url=plan.join_url.strip(),
        timezone=plan.timezone, capacity=plan.capacity, seats_taken=0, price_text=plan.price_text.strip(),
        booking_deadline=plan.booking_deadline, starts_at=ordered[0][0], ends_at=ordered[-1][1],
        created_by_id=by.id, parts=[SessionPart(starts_at=s, ends_at=e) for s, e in ordered])
    db.session.add(session)
    db.session.flush()
    set_coach(session, coach)
    assigning.assign(org, course, follow_up_due(session), by, cohort=cohort)
    record(by.actor, "created", ("workshop-session", session.id, session.title), organization_id=org.id,
           cohort_id=cohort.id, course_slug=course.slug)
    return session


def update_session(session: WorkshopSession, plan: SessionPlan, *, coach: User | None, by: User) -> list[Booking]:
    """Change a session's dates, place or size. Dates and place bump the calendar sequence (attendees' calendars
    update the event); the follow-up due date moves with the end; more seats fill from the waiting list. Returns
    the bookings promoted. Raises BookingError for a plan that cannot run or fewer seats than are taken."""
    _check_plan(plan)
    if plan.capacity < session.seats_taken:
        raise BookingError(f"{session.seats_taken} seats are booked: capacity cannot go below that. Cancel "
                           "bookings first, or keep the capacity.")
    ordered = sorted(plan.parts)
    moved = ([(p.starts_at, p.ends_at) for p in session.parts] != ordered
             or (session.delivery, session.venue_address, session.join_url)
             != (plan.delivery, plan.venue_address.strip(), plan.join_url.strip()))
    session.title, session.delivery = plan.title, plan.delivery
    session.venue_name, session.venue_address = plan.venue_name.strip(), plan.venue_address.strip()
    session.join_url, session.timezone, session.price_text = plan.join_url.strip(), plan.timezone, plan.price_text.strip()
    session.capacity, session.booking_deadline = plan.capacity, plan.booking_deadline
    if moved:
        session.parts = [SessionPart(starts_at=s, ends_at=e) for s, e in ordered]
        session.starts_at, session.ends_at = ordered[0][0], ordered[-1][1]
        session.sequence += 1
    cohort = db.session.get(Cohort, session.cohort_id)
    cohort.name, cohort.delivery = plan.title, plan.delivery
    cohort.starts_on, cohort.ends_on = ordered[0][0].date(), ordered[-1][1].date()
    set_coach(session, coach)
    assignment = _assignment(session)
    if assignment is not None:
        assigning.reschedule(assignment, follow_up_due(session), by)
    db.session.flush()
    return fill_from_waiting_list(session)


def set_coach(session: WorkshopSession, coach: User | None) -> None:
    """Make `coach` the one who runs the session (a coach of the provider's organisation and of the session's
    cohort, so attendees' follow-up work reaches their review queue)."""
    session.coach_id = coach.id if coach else None
    if coach is None:
        return
    org = db.session.get(Organization, session.organization_id)
    identity.add_role(coach, org, "coach")
    identity.join_cohort(coach, db.session.get(Cohort, session.cohort_id), "coach")


def _assignment(session: WorkshopSession) -> Assignment | None:
    return db.session.scalar(select(Assignment).where(
        Assignment.cohort_id == session.cohort_id, Assignment.course_id == session.course_id,
        Assignment.withdrawn_at.is_(None)))


def cancel_session(session: WorkshopSession, by: User) -> list[Booking]:
    """Cancel the whole session: every confirmed or waiting booking is cancelled. Returns those bookings, so
    the caller can tell each person (after committing)."""
    session.is_cancelled = True
    session.sequence += 1
    affected = list(db.session.scalars(select(Booking).where(
        Booking.session_id == session.id, Booking.status.in_(("confirmed", "waitlisted")))))
    now = utcnow()
    for booking in affected:
        if booking.status == "confirmed":
            _leave(booking, now)
        booking.status, booking.cancelled_at = "cancelled", now
    session.seats_taken = 0
    record(by.actor, "cancelled", ("workshop-session", session.id, session.title),
           organization_id=session.organization_id, cohort_id=session.cohort_id, course_slug=session.course.slug)
    db.session.flush()
    return affected


# --- booking -------------------------------------------------------------------------------------------------


def booking_closed_reason(session: WorkshopSession, now: datetime) -> str | None:
    """Why nobody can book this session now, in words for the page; None while booking is open."""
    if session.is_cancelled:
        return "This session has been cancelled."
    if session.starts_at <= now:
        return "This session has started."
    if session.booking_deadline <= now:
        return "Booking for this session has closed."
    return None


def _take_seat(session_id: int) -> bool:
    """Take one seat if one is free (the guarded UPDATE); return whether it was taken."""
    result = db.session.execute(
        update(WorkshopSession).where(WorkshopSession.id == session_id,
                                      WorkshopSession.seats_taken < WorkshopSession.capacity)
        .values(seats_taken=WorkshopSession.seats_taken + 1).execution_options(synchronize_session=False))
    return result.rowcount == 1


def _release_seat(session_id: int) -> None:
    db.session.execute(
        update(WorkshopSession).where(WorkshopSession.id == session_id, WorkshopSession.seats_taken > 0)
        .values(seats_taken=WorkshopSession.seats_taken - 1).execution_options(synchronize_session=False))


def _statement(booking: Booking, verb: str, **result) -> None:
    session = booking.session
    record(booking.user.actor, verb, ("workshop-session", session.id, session.title), result or None,
           organization_id=session.organization_id, cohort_id=session.cohort_id, course_slug=session.course.slug)


def booking_for(session: WorkshopSession, user: User) -> Booking | None:
    """Return `user`'s booking on `session` in any state, or None."""
    return db.session.scalar(select(Booking).where(Booking.session_id == session.id, Booking.user_id == user.id))


def book(session: WorkshopSession, user: User, now: datetime | None = None) -> Booking:
    """Book `user` on `session`: a seat if one is free, else a place on the waiting list. A confirmed seat makes
    them a learner of the provider's organisation, a member of the session's cohort and enrols them on the
    course (pre-work first, follow-up due after). Booking again while booked or waiting returns the same booking.
    Raises BookingError when booking is closed."""
    now = now or utcnow()
    existing = booking_for(session, user)
    if existing is not None and existing.status in ("confirmed", "waitlisted"):
        return existing
    reason = booking_closed_reason(session, now)
    if reason:
        raise BookingError(reason)
    identity.add_role(user, db.session.get(Organization, session.organization_id), "learner")
    booking = existing or Booking(session=session, user=user, organization_id=session.organization_id)
    booking.created_at, booking.cancelled_at, booking.attendance = now, None, None
    booking.promoted_at = booking.confirmed_at = None
    # A booking made again after a cancellation starts afresh: its reminders and offers are still to come.
    booking.reminded_week_at = booking.reminded_day_at = booking.next_offer_at = booking.moved_to_id = None
    booking.attendance_marked_at = booking.attendance_marked_by_id = None
    if _take_seat(session.id):
        booking.status = "confirmed"
        db.session.add(booking)
        db.session.flush()
        _admit(booking, now)
        _statement(booking, "booked")
    else:
        booking.status = "waitlisted"
        db.session.add(booking)
        db.session.flush()
        _statement(booking, "waitlisted", position=waiting_position(booking))
    db.session.refresh(session)
    return booking


def _admit(booking: Booking, now: datetime) -> None:
    """Give a confirmed booking its place: the cohort (which enrols on the course through its assignment) and an
    enrolment that expects attendance."""
    booking.confirmed_at = now
    session = booking.session
    identity.join_cohort(booking.user, db.session.get(Cohort, session.cohort_id), "learner")
    enrolment = db.session.scalar(select(Enrolment).where(
        Enrolment.user_id == booking.user_id, Enrolment.course_id == session.course_id,
        Enrolment.organization_id == session.organization_id))
    if enrolment is None:  # the assignment was withdrawn: enrol directly, due with the follow-up
        enrolment = learning.enrol(booking.user, session.course, db.session.get(Organization, session.organization_id),
                                   cohort_id=session.cohort_id)
        enrolment.due_at = follow_up_due(session)
    enrolment.withdrawn_at = None
    enrolment.cohort_id = session.cohort_id
    if enrolment.completed_at is None:
        enrolment.attendance = "booked"
    db.session.flush()


def _leave(booking: Booking, now: datetime) -> None:
    """Undo `_admit` for a cancelled seat: out of the cohort, and the enrolment withdrawn unless completed."""
    session = booking.session
    member = db.session.scalar(select(CohortMember).where(
        CohortMember.cohort_id == session.cohort_id, CohortMember.user_id == booking.user_id))
    if member is not None and member.role == "learner":
        db.session.delete(member)
    enrolment = db.session.scalar(select(Enrolment).where(
        Enrolment.user_id == booking.user_id, Enrolment.course_id == session.course_id,
        Enrolment.organization_id == session.organization_id, Enrolment.cohort_id == session.cohort_id))
    if enrolment is not None and enrolment.completed_at is None:
        enrolment.withdrawn_at = now
        enrolment.attendance = None


def waiting_position(booking: Booking) -> int | None:
    """1 for the first person waiting, and so on; None unless the booking is on the waiting list."""
    if booking.status != "waitlisted":
        return None
    ahead = db.session.scalar(select(func.count(Booking.id)).where(
        Booking.session_id == booking.session_id, Booking.status == "waitlisted",
        (Booking.created_at < booking.created_at)
        | ((Booking.created_at == booking.created_at) & (Booking.id < booking.id))))
    return (ahead or 0) + 1


def cancel(booking: Booking, by: User, now: datetime | None = None) -> list[Booking]:
    """Cancel a confirmed or waiting booking (the attendee, before the session starts; or an admin). A freed seat
    goes to the waiting list at once. Returns the bookings promoted (to email after commit). Raises BookingError
    when it cannot be cancelled."""
    now = now or utcnow()
    session = booking.session
    if booking.status not in ("confirmed", "waitlisted"):
        raise BookingError("This booking is not active, so there is nothing to cancel.")
    if session.starts_at <= now and by.id == booking.user_id:
        raise BookingError("The session has started: it can no longer be cancelled. Ask your coach instead.")
    was_confirmed = booking.status == "confirmed"
    booking.status, booking.cancelled_at = "cancelled", now
    if was_confirmed:
        _leave(booking, now)
        _release_seat(session.id)
    _statement(booking, "cancelled", seat=was_confirmed)
    db.session.flush()
    promoted = fill_from_waiting_list(session, now) if was_confirmed else []
    db.session.refresh(session)
    return promoted


def fill_from_waiting_list(session: WorkshopSession, now: datetime | None = None) -> list[Booking]:
    """Give free seats to the waiting list, first come first served; return the bookings promoted."""
    now = now or utcnow()
    promoted: list[Booking] = []
    if session.is_cancelled or session.starts_at <= now:
        return promoted
    while True:
        candidate = db.session.scalar(select(Booking).where(
            Booking.session_id == session.id, Booking.status == "waitlisted")
            .order_by(Booking.created_at, Booking.id).limit(1))
        if candidate is None or not _take_seat(session.id):
            break
        claimed = db.session.execute(
            update(Booking).where(Booking.id == candidate.id, Booking.status == "waitlisted")
            .values(status="confirmed", promoted_at=now).execution_options(synchronize_session=False)).rowcount
        if claimed != 1:  # someone else's change got there first: give the seat back and look again
            _release_seat(session.id)
            db.session.expire(candidate)
            continue
        db.session.refresh(candidate)
        _admit(candidate, now)
        _statement(candidate, "promoted")
        promoted.append(candidate)
    db.session.flush()
    db.session.refresh(session)
    return promoted


def move(booking: Booking, to: WorkshopSession, by: User, now: datetime | None = None
         ) -> tuple[Booking, list[Booking]]:
    """Move someone to another session of the same course (a no-show taking the next date, or a change of plan):
    book them there, and mark this booking moved (its seat, if the session is still to start, freed for the
    waiting list). Returns (the new booking, the bookings promoted into the freed seat) so the caller can email
    them after committing. Raises BookingError if `to` is another course or closed."""
    now = now or utcnow()
    if to.course_id != booking.session.course_id or to.id == booking.session_id:
        raise BookingError("Choose another session of the same course.")
    new = book(to, booking.user, now)
    promoted: list[Booking] = []
    if booking.status == "confirmed" and booking.session.starts_at > now:
        promoted = cancel(booking, by, now)
    booking.status, booking.moved_to_id = "moved", to.id
    db.session.flush()
    return new, promoted


def next_session(course_id: int, after: datetime, exclude: int | None = None) -> WorkshopSession | None:
    """The next session of the course still open for booking after `after`, or None."""
    query = select(WorkshopSession).where(
        WorkshopSession.course_id == course_id, WorkshopSession.is_cancelled.is_(False),
        WorkshopSession.booking_deadline > after).order_by(WorkshopSession.starts_at).limit(1)
    if exclude is not None:
        query = query.where(WorkshopSession.id != exclude)
    return db.session.scalar(query)


def open_sessions(course_id: int, now: datetime, exclude: int | None = None) -> list[WorkshopSession]:
    """The course's sessions still open for booking at `now` (not cancelled, before their booking deadline),
    soonest first, leaving out `exclude`: the dates someone may move to."""
    query = select(WorkshopSession).where(
        WorkshopSession.course_id == course_id, WorkshopSession.is_cancelled.is_(False),
        WorkshopSession.booking_deadline > now, WorkshopSession.starts_at > now,
    ).order_by(WorkshopSession.starts_at, WorkshopSession.id)
    if exclude is not None:
        query = query.where(WorkshopSession.id != exclude)
    return list(db.session.scalars(query))


# --- attendance ----------------------------------------------------------------------------------------------


def roster(session: WorkshopSession) -> list[Booking]:
    """The confirmed attendees (and those marked before they moved), by name: the sign-in sheet. Someone who
    moved to another date before being marked is not on it."""
    return list(db.session.scalars(select(Booking).join(User, User.id == Booking.user_id).where(
        Booking.session_id == session.id,
        (Booking.status == "confirmed")
        | ((Booking.status == "moved") & Booking.attendance.is_not(None))).order_by(User.name, User.id)))


def mark_attendance(session: WorkshopSession, marks: dict[int, str], by: User, now: datetime | None = None
                    ) -> list[Booking]:
    """Record the sign-in sheet: `marks` maps booking id to present | partial | absent. Each change is recorded
    as a statement and copied to the attendee's enrolment (a course that requires attendance completes once
    they are present and the rest is done). Returns the bookings newly marked absent (to offer the next
    session). Raises BookingError for a booking not on this sheet or an unknown mark, before changing anything."""
    now = now or utcnow()
    if session.starts_at > now:
        raise BookingError("Attendance can be marked once the session has started.")
    sheet = {b.id: b for b in roster(session)}
    for booking_id, mark in marks.items():
        if booking_id not in sheet:
            raise BookingError("That person is not on this session's sign-in sheet.")
        if mark not in ATTENDANCE:
            raise BookingError(f"Mark each person present, partial or absent, not '{mark}'.")
    org = db.session.get(Organization, session.organization_id)
    newly_absent = []
    for booking_id, mark in marks.items():
        booking = sheet[booking_id]
        if booking.attendance == mark:
            continue
        booking.attendance, booking.attendance_marked_at, booking.attendance_marked_by_id = mark, now, by.id
        record(booking.user.actor, "missed" if mark == "absent" else "attended",
               ("workshop-session", session.id, session.title), {"attendance": mark}, organization_id=org.id,
               cohort_id=session.cohort_id, course_slug=session.course.slug, instructor=by.actor)
        enrolment = db.session.scalar(select(Enrolment).where(
            Enrolment.user_id == booking.user_id, Enrolment.course_id == session.course_id,
            Enrolment.organization_id == org.id, Enrolment.withdrawn_at.is_(None)))
        if enrolment is not None and enrolment.completed_at is None:
            enrolment.attendance = mark
            db.session.flush()
            if mark == "present":
                learning.refresh_completion(booking.user, org, learning.course_view(booking.user, org,
                                                                                    session.course.slug))
        if mark == "absent":
            newly_absent.append(booking)
    db.session.flush()
    return newly_absent


# --- what the pages list -------------------------------------------------------------------------------------


def upcoming(now: datetime, limit: int = 50) -> list[WorkshopSession]:
    """Sessions still to start, soonest first (the public catalogue), cancelled ones left out."""
    return list(db.session.scalars(select(WorkshopSession).where(
        WorkshopSession.is_cancelled.is_(False), WorkshopSession.starts_at > now)
        .order_by(WorkshopSession.starts_at, WorkshopSession.id).limit(limit)))


def bookings_of(user: User) -> list[Booking]:
    """The user's confirmed and waiting bookings, and those they were marked on, soonest session first."""
    return list(db.session.scalars(select(Booking).join(WorkshopSession, WorkshopSession.id == Booking.session_id)
                                   .where(Booking.user_id == user.id,
                                          Booking.status.in_(("confirmed", "waitlisted")))
                                   .order_by(WorkshopSession.starts_at)))


def sessions_run_by(coach: User, since: datetime) -> list[WorkshopSession]:
    """The sessions `coach` runs that ended after `since` (their dashboard: what's next and what to mark)."""
    return list(db.session.scalars(select(WorkshopSession).where(
        WorkshopSession.coach_id == coach.id, WorkshopSession.is_cancelled.is_(False),
        WorkshopSession.ends_at > since).order_by(WorkshopSession.starts_at)))


def prework_modules(session: WorkshopSession) -> list[Module]:
    """The course's pre-work modules, in course order."""
    slugs = list(session.course.prework or ())
    if not slugs:
        return []
    return list(db.session.scalars(select(Module).where(
        Module.course_id == session.course_id, Module.slug.in_(slugs), Module.is_archived.is_(False))
        .order_by(Module.position)))
