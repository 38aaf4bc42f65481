"""The dashboard's workshop panels, as template globals (learning's dashboard may not import workshops): an
attendee's bookings with their pre-work, waiting-list place, follow-up or the next date; the sessions a coach
runs; the in-house programme offered after a completed course. Each runs a fixed number of queries, however many
bookings or sessions there are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import g
from flask_login import current_user
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from lms.content.models import Course, Module
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import User
from lms.learning.models import Enrolment, ModuleProgress
from lms.workshops import schedule, services
from lms.workshops.models import Booking, WorkshopSession
from lms.workshops.views.blueprint import bp

COACH_LOOKBACK = timedelta(days=14)  # a coach sees sessions that ended in the last fortnight (to mark them)


def session_times(session: WorkshopSession) -> list[str]:
    """Each part of the session on its own clock, the zone named (schedule.part_text), in order."""
    return [schedule.part_text(p.starts_at, p.ends_at, session.timezone) for p in session.parts]


# --- the attendee's bookings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendeeItem:
    """One booking as the attendee's dashboard shows it.

    state: coming (a seat, the session not yet over), waiting (on the waiting list), not_seated (the session began
    before a seat came free), follow_up (attended, or not yet marked: the exercises to do), missed (marked absent).
    """

    booking: Booking
    state: str
    times: list[str]
    org_name: str  # the session's organisation (the provider's public one)
    in_org: bool  # the dashboard shows that organisation, so the course's links work without switching
    prework_due: str = ""  # the session's start on its own clock: pre-work is due before it
    prework_done: int = 0
    prework_total: int = 0
    next_prework: Module | None = None
    position: int | None = None
    follow_up_due: datetime | None = None
    next_session: WorkshopSession | None = None
    next_times: list[str] = field(default_factory=list)

    @property
    def session(self) -> WorkshopSession:
        return self.booking.session


def _prework_progress(user: User, bookings: list[Booking]) -> dict[int, tuple[int, int, Module | None]]:
    """{booking id: (pre-work modules done, pre-work modules, the next one to do)} in two queries."""
    wanted = {b.session.course_id: set(b.session.course.prework or ()) for b in bookings}
    wanted = {course_id: slugs for course_id, slugs in wanted.items() if slugs}
    if not wanted:
        return {}
    modules = [m for m in db.session.scalars(select(Module).where(
        Module.course_id.in_(wanted), Module.is_archived.is_(False)).order_by(Module.course_id, Module.position))
        if m.slug in wanted[m.course_id]]
    done = set(db.session.execute(select(ModuleProgress.organization_id, ModuleProgress.module_id).where(
        ModuleProgress.user_id == user.id, ModuleProgress.completed_at.is_not(None),
        ModuleProgress.module_id.in_([m.id for m in modules])))) if modules else set()
    out = {}
    for booking in bookings:
        course_modules = [m for m in modules if m.course_id == booking.session.course_id]
        if not course_modules:
            continue
        left = [m for m in course_modules if (booking.organization_id, m.id) not in done]
        out[booking.id] = (len(course_modules) - len(left), len(course_modules), left[0] if left else None)
    return out


def _waiting_positions(booking_ids: list[int]) -> dict[int, int]:
    """{booking id: place on its session's waiting list (1 is next)} in one query."""
    if not booking_ids:
        return {}
    mine, ahead = aliased(Booking), aliased(Booking)
    rows = db.session.execute(select(mine.id, func.count(ahead.id)).join(ahead, and_(
        ahead.session_id == mine.session_id, ahead.status == "waitlisted",
        or_(ahead.created_at < mine.created_at, and_(ahead.created_at == mine.created_at, ahead.id <= mine.id))))
        .where(mine.id.in_(booking_ids)).group_by(mine.id))
    return dict(rows.all())


def _enrolments(user: User, bookings: list[Booking]) -> dict[tuple[int, int], Enrolment]:
    """{(organisation id, course id): the user's active enrolment} for these bookings' courses, in one query."""
    if not bookings:
        return {}
    rows = db.session.scalars(select(Enrolment).where(
        Enrolment.user_id == user.id, Enrolment.withdrawn_at.is_(None),
        Enrolment.course_id.in_({b.session.course_id for b in bookings})))
    return {(e.organization_id, e.course_id): e for e in rows}


def _next_sessions(course_ids: set[int], now: datetime) -> dict[int, WorkshopSession]:
    """{course id: its next session still open for booking} in one query (services.next_session, for many)."""
    if not course_ids:
        return {}
    out: dict[int, WorkshopSession] = {}
    sessions = db.session.scalars(select(WorkshopSession).where(
        WorkshopSession.course_id.in_(course_ids), WorkshopSession.is_cancelled.is_(False),
        WorkshopSession.booking_deadline > now, WorkshopSession.starts_at > now)
        .order_by(WorkshopSession.starts_at, WorkshopSession.id))
    for session in sessions:
        out.setdefault(session.course_id, session)
    return out


def attendee_items(user: User, org_id: int | None, now: datetime) -> list[AttendeeItem]:
    """The user's bookings as their dashboard shows them: sessions to come and waiting places, soonest first; then
    what follows a session, latest first: the follow-up, or for a missed session (or a waiting place that never
    became a seat) the next date. A booking on a course completed since is left out (the dashboard's "What comes
    next" takes over), and so is a missed one once the user has booked the course again. At most nine queries,
    however many bookings."""
    bookings = services.bookings_of(user)
    if not bookings:
        return []
    ahead = [b for b in bookings if b.session.ends_at > now and not (b.status == "waitlisted"
                                                                      and b.session.starts_at <= now)]
    ahead_ids = {b.id for b in ahead}
    behind = [b for b in bookings if b.id not in ahead_ids]
    prework = _prework_progress(user, [b for b in ahead if b.status == "confirmed"])
    positions = _waiting_positions([b.id for b in ahead if b.status == "waitlisted"])
    enrolments = _enrolments(user, behind)
    rebooked = {b.session.course_id for b in bookings if b.session.starts_at > now}
    offers = _next_sessions({b.session.course_id for b in behind if b.session.course_id not in rebooked}, now)
    org_names = {m.organization_id: m.organization.name for m in user.memberships}

    def item(b: Booking, state: str, **values) -> AttendeeItem:
        offer = offers.get(b.session.course_id) if state in ("missed", "not_seated") else None
        return AttendeeItem(booking=b, state=state, times=session_times(b.session),
                            org_name=org_names.get(b.organization_id, ""), in_org=org_id == b.organization_id,
                            next_session=offer, next_times=session_times(offer) if offer else [], **values)

    items = []
    for b in ahead:
        if b.status == "waitlisted":
            items.append(item(b, "waiting", position=positions.get(b.id)))
        else:
            done, total, following = prework.get(b.id, (0, 0, None))
            items.append(item(b, "coming", prework_done=done, prework_total=total, next_prework=following,
                              prework_due=schedule.moment_text(b.session.starts_at, b.session.timezone)))
    for b in reversed(behind):
        enrolment = enrolments.get((b.organization_id, b.session.course_id))
        if enrolment is not None and enrolment.completed_at is not None:
            continue
        if b.status == "waitlisted" or b.attendance == "absent":
            if b.session.course_id not in rebooked:
                items.append(item(b, "not_seated" if b.status == "waitlisted" else "missed"))
        else:
            due = enrolment.due_at if enrolment is not None and enrolment.due_at else services.follow_up_due(b.session)
            items.append(item(b, "follow_up", follow_up_due=due))
    return items


@bp.app_template_global()
def workshop_bookings() -> list[AttendeeItem]:
    """The signed-in user's workshop bookings for the dashboard (none, and no query, for someone who has never been
    a public-course learner)."""
    if not current_user.is_authenticated or not any(
            m.role == "learner" and m.organization.kind == "public" for m in current_user.memberships):
        return []
    org = g.org
    return attendee_items(current_user, org.id if org else None, utcnow())


# --- the coach's sessions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoachItem:
    """One session a coach runs: seats and waiting list before it starts; who is still unmarked once it has."""

    session: WorkshopSession
    times: list[str]
    started: bool
    waiting: int
    unmarked: int


def coach_items(coach: User, now: datetime) -> list[CoachItem]:
    """The sessions `coach` runs that ended in the last fortnight or are still to come, soonest first, with their
    waiting list and unmarked attendees counted in one query (three in all)."""
    sessions = services.sessions_run_by(coach, since=now - COACH_LOOKBACK)
    if not sessions:
        return []
    counts = {row.session_id: row for row in db.session.execute(select(
        Booking.session_id,
        func.count(case((Booking.status == "waitlisted", 1))).label("waiting"),
        func.count(case((and_(Booking.status == "confirmed", Booking.attendance.is_(None)), 1))).label("unmarked"))
        .where(Booking.session_id.in_([s.id for s in sessions])).group_by(Booking.session_id))}
    return [CoachItem(session=s, times=session_times(s), started=s.starts_at <= now,
                      waiting=counts[s.id].waiting if s.id in counts else 0,
                      unmarked=counts[s.id].unmarked if s.id in counts else 0) for s in sessions]


@bp.app_template_global()
def coach_sessions() -> list[CoachItem]:
    """The signed-in coach's workshop sessions for the dashboard (none, and no query, for someone who coaches
    nowhere)."""
    if not current_user.is_authenticated or not any(m.role == "coach" for m in current_user.memberships):
        return []
    return coach_items(current_user, utcnow())


# --- after a course ------------------------------------------------------------------------------------------


def in_house_courses() -> list[Course]:
    """The courses written for in-house teams (audience "in-house"), by title."""
    return list(db.session.scalars(select(Course).where(
        Course.audience == "in-house", Course.is_archived.is_(False)).order_by(Course.title)))


@bp.app_template_global("in_house_courses")
def in_house_courses_global() -> list[Course]:
    """`in_house_courses` for templates (the dashboard's "What comes next")."""
    return in_house_courses()
