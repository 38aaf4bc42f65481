"""Assignments: managers assign a course with a due date to a cohort or to named people, move the due date and
withdraw it. Each change is recorded per learner. Flush, never commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import abort
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import lazyload

from lms.content.models import Course
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Cohort, CohortMember, Membership, Organization, User
from lms.identity.people import holding_words
from lms.identity.signals import cohort_joined
from lms.learning.models import Assignment, Enrolment
from lms.learning.services import visible_courses_clause
from lms.paging import Page, paginate
from lms.tracking.directory import Actor
from lms.tracking.services import record

PEOPLE_PER_PAGE = 25  # search results for choosing named people
ASSIGNMENTS_PER_PAGE = 20  # the list of assignments under the form
LEARNERS_PER_PAGE = 50  # one assignment's learners


def assignable_courses(org: Organization) -> list[Course]:
    """Return the courses a manager of `org` can assign (the ones its people can see), by title."""
    return list(db.session.scalars(select(Course).where(visible_courses_clause(org)).order_by(Course.title)))


def _learners_of(org_id: int) -> Select:
    """The organisation's active learners (members with the learner role) as (id, name, email) rows."""
    return (select(User.id, User.name, User.email).join(Membership, Membership.user_id == User.id)
            .where(Membership.organization_id == org_id, Membership.role == "learner", User.is_active_user.is_(True)))


def search_people(org_id: int, query: str, page: int, cohort_id: int | None = None) -> Page:
    """Return one page (PEOPLE_PER_PAGE) of the organisation's learners whose name or email holds every word of
    `query` (any case; an empty query finds everyone), optionally only the learners of one of its cohorts, by
    name. Rows are (id, name, email). Two queries (one when nobody matches)."""
    stmt = holding_words(_learners_of(org_id), query)
    if cohort_id:
        stmt = stmt.where(User.id.in_(
            select(CohortMember.user_id).join(Cohort, Cohort.id == CohortMember.cohort_id)
            .where(CohortMember.cohort_id == cohort_id, CohortMember.role == "learner",
                   Cohort.organization_id == org_id)))
    return paginate(stmt.order_by(func.lower(User.name), User.id), page, PEOPLE_PER_PAGE)


def chosen_people(org_id: int, user_ids: Sequence[int]) -> list:
    """Return the organisation's learners among `user_ids` as (id, name, email) rows, in the order of `user_ids`;
    anyone else (another organisation's person, an unknown id) is left out. One query, none for no ids."""
    if not user_ids:
        return []
    rows = {row.id: row for row in db.session.execute(_learners_of(org_id).where(User.id.in_(set(user_ids))))}
    return [rows[uid] for uid in dict.fromkeys(user_ids) if uid in rows]


def course_or_404(org: Organization, course_id: int) -> Course:
    """Return an assignable course by id, or abort 404."""
    course = db.session.scalar(select(Course).where(Course.id == course_id, visible_courses_clause(org)))
    if course is None:
        abort(404)
    return course


def cohort_or_404(org_id: int, cohort_id: int) -> Cohort:
    """Return the organisation's cohort, or abort 404 (another organisation's cohort is not revealed)."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or cohort.organization_id != org_id:
        abort(404)
    return cohort


def people_or_404(org_id: int, user_ids: Iterable[int]) -> list[User]:
    """Return these users if every one is an active learner of the organisation (as the search offers them); abort
    404 if any is not."""
    wanted = set(user_ids)
    learners = _learners_of(org_id).where(User.id.in_(wanted)).with_only_columns(User.id)
    people = list(db.session.scalars(select(User).where(User.id.in_(learners))))
    if {u.id for u in people} != wanted:
        abort(404)
    return people


def assignment_or_404(org_id: int, assignment_id: int) -> Assignment:
    """Return the organisation's active assignment, or abort 404."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.organization_id != org_id or assignment.withdrawn_at is not None:
        abort(404)
    return assignment


def _cohort_learners(cohort: Cohort) -> list[User]:
    # Their memberships are not needed here: not loading them saves a query per 500 learners.
    return list(db.session.scalars(
        select(User).join(CohortMember, CohortMember.user_id == User.id)
        .where(CohortMember.cohort_id == cohort.id, CohortMember.role == "learner", User.is_active_user.is_(True))
        .options(lazyload(User.memberships)).order_by(User.id)))


def _context(assignment: Assignment, by: User | None, **extra) -> dict:
    return {"assignment_id": assignment.id, "due_at": assignment.due_at.isoformat() + "Z",
            "assigned_by": by.id if by else None, **extra}


def _record(learner: Actor, verb: str, course: Course, assignment: Assignment, cohort_id: int | None,
            by: User | None, **extra) -> None:
    # Actors in hand, so recording costs no directory query per learner (a cohort may hold 10,000).
    record(learner, verb, ("course", course.slug, course.title), context=_context(assignment, by, **extra),
           organization_id=assignment.organization_id, cohort_id=cohort_id, course_slug=course.slug,
           instructor=by.actor if by else None)


@dataclass
class AssignOutcome:
    assignment: Assignment
    assigned: list[User] = field(default_factory=list)  # newly assigned
    reassigned: list[User] = field(default_factory=list)  # already assigned this course: new due date applies
    is_new: bool = True  # False when the cohort already had this course assigned (a re-assignment)


def assign(org: Organization, course: Course, due_at: datetime, by: User, *, cohort: Cohort | None = None,
           people: Sequence[User] = ()) -> AssignOutcome:
    """Assign `course`, due at `due_at` (UTC), to a cohort's learners or to named people of `org`.

    Enrols each learner (source "assigned", reviving a withdrawn enrolment, keeping any progress and
    completion) and records "assigned" per learner, with "reassigned": true for someone who already had the
    course assigned. Assigning a course again to the same cohort re-assigns it: the due date moves and new
    members are enrolled. Raises ValueError when neither or both of cohort and people are given.
    """
    if (cohort is None) == (not people):
        raise ValueError("assign to a cohort or to named people")
    now = utcnow()
    assignment = None
    if cohort is not None:
        assignment = db.session.scalar(select(Assignment).where(
            Assignment.organization_id == org.id, Assignment.course_id == course.id,
            Assignment.cohort_id == cohort.id, Assignment.withdrawn_at.is_(None)))
    outcome = AssignOutcome(assignment=assignment, is_new=assignment is None)
    if assignment is None:
        assignment = Assignment(organization_id=org.id, course=course, cohort_id=cohort.id if cohort else None,
                                due_at=due_at, assigned_by_id=by.id, created_at=now, updated_at=now)
        db.session.add(assignment)
        outcome.assignment = assignment
    else:
        assignment.due_at, assignment.assigned_by_id, assignment.updated_at = due_at, by.id, now
    db.session.flush()
    learners = _cohort_learners(cohort) if cohort is not None else list(people)
    _enrol_learners(org.id, course, assignment, learners, by, cohort, outcome)
    return outcome


def _enrol_learners(org_id: int, course: Course, assignment: Assignment, learners: Sequence[User], by: User | None,
                    cohort: Cohort | None, outcome: AssignOutcome) -> None:
    """Enrol each learner on the assignment's course with its due date, recording "enrolled" and "assigned"."""
    now = utcnow()
    existing = {e.user_id: e for e in db.session.scalars(select(Enrolment).where(
        Enrolment.course_id == course.id, Enrolment.organization_id == org_id,
        Enrolment.user_id.in_([u.id for u in learners])).options(lazyload(Enrolment.course)))}
    for user in learners:
        enrolment = existing.get(user.id)
        active = enrolment is not None and enrolment.withdrawn_at is None
        was_assigned = active and enrolment.assignment_id is not None
        if enrolment is None:
            enrolment = Enrolment(user_id=user.id, course_id=course.id, organization_id=org_id, enrolled_at=now)
            db.session.add(enrolment)
        enrolment.withdrawn_at = None
        enrolment.source, enrolment.assigned_by_id = "assigned", by.id if by else None
        enrolment.due_at, enrolment.assignment_id = assignment.due_at, assignment.id
        enrolment.cohort_id = cohort.id if cohort is not None else enrolment.cohort_id
        if not active:
            record(user.actor, "enrolled", ("course", course.slug, course.title), {"source": "assigned"},
                   organization_id=org_id, cohort_id=enrolment.cohort_id, course_slug=course.slug)
        _record(user.actor, "assigned", course, assignment, enrolment.cohort_id, by, reassigned=was_assigned)
        (outcome.reassigned if was_assigned else outcome.assigned).append(user)
    db.session.flush()


def _on_cohort_joined(member: CohortMember, **_: object) -> None:
    """Someone who joins a cohort later gets the cohort's assignments still open, with their due dates."""
    if member.role != "learner":
        return
    cohort = member.cohort
    for assignment in db.session.scalars(select(Assignment).where(
            Assignment.cohort_id == cohort.id, Assignment.withdrawn_at.is_(None)).order_by(Assignment.id)):
        by = db.session.get(User, assignment.assigned_by_id) if assignment.assigned_by_id else None
        _enrol_learners(cohort.organization_id, assignment.course, assignment, [member.user], by, cohort,
                        AssignOutcome(assignment=assignment, is_new=False))


cohort_joined.connect(_on_cohort_joined)


def outcome_message(outcome: AssignOutcome, due: str) -> str:
    """Return the sentence telling the manager what an assignment did, e.g. "ABM Foundations assigned to 3
    learners, due 9 Mar 2027, 17:00."."""
    title = outcome.assignment.course.title
    parts = []
    if outcome.assigned:
        parts.append(f"assigned to {len(outcome.assigned)} learner{'s' if len(outcome.assigned) != 1 else ''}")
    if outcome.reassigned:
        parts.append(f"re-assigned to {len(outcome.reassigned)} learner{'s' if len(outcome.reassigned) != 1 else ''}")
    if not parts:
        return f"{title} is assigned to the cohort, due {due}, but it has no learners yet: add them to the cohort " \
               "and assign it again."
    return f"{title} {' and '.join(parts)}, due {due}."


def _active_enrolments(assignment: Assignment) -> list[tuple[Enrolment, Actor]]:
    """The assignment's active enrolments with their learners as the record names them (one query)."""
    rows = db.session.execute(
        select(Enrolment, User.email, User.name).join(User, User.id == Enrolment.user_id)
        .where(Enrolment.assignment_id == assignment.id, Enrolment.withdrawn_at.is_(None))
        .options(lazyload(Enrolment.course)).order_by(Enrolment.id))
    return [(enrolment, Actor(enrolment.user_id, email, name)) for enrolment, email, name in rows]


def reschedule(assignment: Assignment, due_at: datetime, by: User) -> int:
    """Move the assignment's due date (an extension, or earlier) for all its learners; records "rescheduled"
    per learner with the previous due date. Returns how many learners it changed (0 if the date is the same to
    the minute)."""
    previous = assignment.due_at
    if abs(due_at - previous) < timedelta(minutes=1):  # the form shows minutes: saving it unchanged is no change
        return 0
    assignment.due_at, assignment.updated_at = due_at, utcnow()
    enrolments = _active_enrolments(assignment)
    for enrolment, learner in enrolments:
        enrolment.due_at = due_at
        _record(learner, "rescheduled", assignment.course, assignment, enrolment.cohort_id, by,
                previous_due_at=previous.isoformat() + "Z", extended=due_at > previous)
    db.session.flush()
    return len(enrolments)


def withdraw(assignment: Assignment, by: User) -> int:
    """Withdraw the assignment: learners who haven't completed the course are withdrawn from it (their progress
    is kept) and "withdrew" is recorded for each; completions stay. Returns how many were withdrawn."""
    now = utcnow()
    assignment.withdrawn_at = assignment.updated_at = now
    withdrawn = 0
    for enrolment, learner in _active_enrolments(assignment):
        if enrolment.completed_at is not None:
            continue
        enrolment.withdrawn_at = now
        _record(learner, "withdrew", assignment.course, assignment, enrolment.cohort_id, by)
        withdrawn += 1
    db.session.flush()
    return withdrawn


@dataclass(frozen=True)
class AssignmentRow:
    assignment: Assignment
    course_title: str
    cohort_name: str | None
    learners: int
    completed: int
    overdue: int


def _overdue(now: datetime):
    return func.coalesce(func.sum(case((Enrolment.completed_at.is_(None) & (Enrolment.due_at < now), 1), else_=0)), 0)


def assignment_rows(org_id: int, now: datetime, page: int = 1) -> Page:
    """Return one page (ASSIGNMENTS_PER_PAGE) of the organisation's active assignments as AssignmentRows with
    learners, completed and overdue counts, soonest due first. Assignments to named people whose learners were
    all re-assigned elsewhere are left out. Three queries: their number, the page's ids and their counts (one
    when there is nothing to list)."""
    has_learners = select(Enrolment.id).where(Enrolment.assignment_id == Assignment.id,
                                              Enrolment.withdrawn_at.is_(None)).exists()
    order = (Assignment.due_at, Course.title, Assignment.id)
    ids = paginate(
        select(Assignment.id).join(Course, Course.id == Assignment.course_id)
        .where(Assignment.organization_id == org_id, Assignment.withdrawn_at.is_(None),
               or_(Assignment.cohort_id.is_not(None), has_learners)).order_by(*order),
        page, ASSIGNMENTS_PER_PAGE)
    if not ids.items:
        return ids
    rows = db.session.execute(
        select(Assignment, Course.title, Cohort.name, func.count(Enrolment.id), func.count(Enrolment.completed_at),
               _overdue(now))
        .join(Course, Course.id == Assignment.course_id)
        .outerjoin(Cohort, Cohort.id == Assignment.cohort_id)
        .outerjoin(Enrolment, (Enrolment.assignment_id == Assignment.id) & Enrolment.withdrawn_at.is_(None))
        .where(Assignment.id.in_([row.id for row in ids.items]))
        .group_by(Assignment.id, Course.title, Cohort.name).order_by(*order)).all()
    return Page([AssignmentRow(*row) for row in rows], ids.page, ids.per_page, ids.total)


@dataclass(frozen=True)
class AssignmentCounts:
    learners: int
    completed: int
    overdue: int


def assignment_counts(assignment: Assignment, now: datetime) -> AssignmentCounts:
    """Return how many learners the assignment has, how many completed and how many are overdue (one query)."""
    row = db.session.execute(
        select(func.count(Enrolment.id), func.count(Enrolment.completed_at), _overdue(now))
        .where(Enrolment.assignment_id == assignment.id, Enrolment.withdrawn_at.is_(None))).one()
    return AssignmentCounts(*row)


def assignment_learners(assignment: Assignment, page: int, total: int) -> Page:
    """Return one page (LEARNERS_PER_PAGE) of the assignment's learners, by name, as rows of (name, email,
    started_at, completed_at, due_at); `total` is their number (from assignment_counts). One query."""
    return paginate(
        select(User.name, User.email, Enrolment.started_at, Enrolment.completed_at, Enrolment.due_at)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.assignment_id == assignment.id, Enrolment.withdrawn_at.is_(None))
        .order_by(func.lower(User.name), User.id), page, LEARNERS_PER_PAGE, total=total)


def overdue_by_organization(now: datetime) -> dict[int, list[tuple[User, Enrolment]]]:
    """Return {organisation id: [(learner, enrolment)]} for every enrolment past its due date and not completed
    (one query)."""
    out: dict[int, list[tuple[User, Enrolment]]] = {}
    for user, enrolment in db.session.execute(
            select(User, Enrolment).join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.withdrawn_at.is_(None), Enrolment.completed_at.is_(None), Enrolment.due_at < now)
            .order_by(Enrolment.organization_id, Enrolment.due_at, func.lower(User.name))):
        out.setdefault(enrolment.organization_id, []).append((user, enrolment))
    return out
