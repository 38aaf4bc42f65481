"""Report roll-ups kept current: in the transaction that stores a statement or changes a learner's capability
inputs, the roll-ups are updated too, just before it commits. A manager sees a workshop's activity as soon as it
happens, and no report scans raw statements or rebuilds profiles per view.

What changes a learner's capability: a closed assessment attempt, an answered knowledge check, a scored or reviewed
submission, a coach rating. Statements are counted by `rollup.add_new_statements`, which claims them so nothing is
counted twice.

What changes who is in the capability report's groups (team, job function, covered at all): a learner joining or
leaving a cohort, a cohort renamed or deleted, an enrolment made or withdrawn, a membership made, changed or ended,
a job function changed. Those learners are taken out of the capability sums before the flush that moves them and
added back after it; the same moves keep the cohorts' adoption funnels (`funnels`), which a learner's activation
moves too.
"""

from __future__ import annotations

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from lms.assessment.models import AssessmentAttempt, CoachRating
from lms.identity.models import Cohort, CohortMember, Membership, User
from lms.learning.models import Enrolment, QuestionAnswer
from lms.practice.models import Submission
from lms.reports import competencies, funnels, rollup
from lms.tracking.models import Statement

STATEMENTS = "reports.statements_added"
LEARNERS = "reports.capability_changed"
MOVING = "reports.capability_groups_moving"

# The (organisation id, learner id) a changed row belongs to.
_LEARNER_OF = {
    AssessmentAttempt: lambda row: (row.organization_id, row.user_id),
    QuestionAnswer: lambda row: (row.organization_id, row.user_id),
    Submission: lambda row: (row.organization_id, row.user_id),
    CoachRating: lambda row: (row.organization_id, row.learner_id),
}

# The rows that say which capability group a learner is in (covered at all, team, job function), and the columns
# whose change moves someone (any change for a row added or deleted).
_GROUP_COLUMNS = {
    Enrolment: ("withdrawn_at", "user_id", "organization_id"),
    Membership: ("role", "user_id", "organization_id"),
    CohortMember: ("role", "user_id", "cohort_id"),
    Cohort: ("name", "organization_id"),
    User: ("job_function", "activated_at"),  # activation: the adoption funnel's second step
}


def _noted(session: Session, _flush_context) -> None:
    """After each flush: note whether statements were added and whose capability inputs changed."""
    changed = session.info.setdefault(LEARNERS, set())
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, Statement):
            session.info[STATEMENTS] = True
            continue
        learner_of = _LEARNER_OF.get(type(row))
        if learner_of is not None:
            changed.add(learner_of(row))


def _take_out_moving(session: Session, _flush_context, _instances) -> None:
    """Before each flush: take the learners whose capability group the flush changes out of the capability sums,
    while the database still holds their old groups; `_add_back_moved` adds them to their new groups after it."""
    # session.new and .deleted build a new set on each access: read them once (a flush of 30,000 new rows asked
    # once per row took 17 s).
    new, deleted = session.new, session.deleted
    rows = [row for row in (*new, *session.dirty, *deleted) if type(row) in _GROUP_COLUMNS and _moves(row, new, deleted)]
    before: set[tuple[int, int]] = set()
    if rows:
        with session.no_autoflush:
            before = _learners_in(session, rows)
        competencies.move_learners(session.connection(), before, sign=-1)  # locks their memberships first
        funnels.move_learners(session.connection(), before, sign=-1)
    session.info[MOVING] = (rows, before)


def _add_back_moved(session: Session, _flush_context) -> None:
    """After each flush: add the learners taken out before it to the capability sums of their groups now (a
    learner new to the database was in none before)."""
    rows, before = session.info.pop(MOVING, ((), set()))
    if rows:
        after = before | _learners_in(session, rows)
        competencies.move_learners(session.connection(), after, sign=1)
        funnels.move_learners(session.connection(), after, sign=1)


def _moves(row, new, deleted) -> bool:
    """Whether the row, added (in `new`), deleted (in `deleted`) or changed in a column that matters, can move a
    learner between groups."""
    if row in new:
        return type(row) not in (User, Cohort)  # no learner is in a new cohort, or is a new user, until a row says
    if row in deleted:
        return True
    state = inspect(row)
    return any(state.attrs[name].history.has_changes() for name in _GROUP_COLUMNS[type(row)])


def _learners_in(session: Session, rows) -> set[tuple[int, int]]:
    """The (organisation id, user id) learners these rows are about, with every learner member of a cohort, and
    every organisation where a user is a learner. (A row moved to another user or organisation would need its
    previous values too; nothing in the product does that.)"""
    pairs: set[tuple[int, int]] = set()
    cohorts: set[tuple[int | None, int | None]] = set()  # (cohort id, user id or None for every learner member)
    users: set[int] = set()  # whose job function changed: in every organisation where they are a learner
    for row in rows:
        if isinstance(row, Enrolment):  # made with its ids, never through relationships
            pairs.add((row.organization_id, row.user_id))
        elif isinstance(row, Membership):
            pairs.add((_value(row, "organization_id", "organization"), _value(row, "user_id", "user")))
        elif isinstance(row, CohortMember):
            cohorts.add((_value(row, "cohort_id", "cohort"), _value(row, "user_id", "user")))
        elif isinstance(row, Cohort):
            cohorts.add((row.id, None))
        else:
            users.add(row.id)
    conn = session.connection()
    if cohorts:
        ids = {cohort for cohort, _ in cohorts}
        orgs = dict(conn.execute(select(Cohort.id, Cohort.organization_id).where(Cohort.id.in_(ids))).all())
        orgs.update((row.id, row.organization_id) for row in rows if isinstance(row, Cohort))
        everyone = [cohort for cohort, user in cohorts if user is None]
        members = conn.execute(select(CohortMember.cohort_id, CohortMember.user_id).where(
            CohortMember.cohort_id.in_(everyone), CohortMember.role == "learner")).all() if everyone else []
        pairs.update((orgs[cohort], user) for cohort, user in (*cohorts, *members)
                     if user is not None and cohort in orgs)
    if users:
        pairs.update(conn.execute(select(Membership.organization_id, Membership.user_id).where(
            Membership.user_id.in_(users), Membership.role == "learner")).all())
    return {(org, user) for org, user in pairs if org is not None and user is not None}


def _value(row, column: str, relationship: str) -> int | None:
    """The row's foreign key, from its related object when only that is set (a row not flushed yet)."""
    value = getattr(row, column)
    related = getattr(row, relationship) if value is None else None
    return related.id if related is not None else value


def _keep_current(session: Session) -> None:
    """Before commit: count the transaction's new statements and refresh the changed learners' capability rows."""
    session.flush()  # commit would flush next anyway; flushing first lets _noted see what this transaction added
    if not session.info.get(STATEMENTS) and not session.info.get(LEARNERS):
        return
    added = session.info.pop(STATEMENTS, False)
    changed = session.info.pop(LEARNERS, set())
    if added:
        rollup.add_new_statements()
    if changed:
        competencies.refresh_learners(changed)


def _forget(session: Session, previous_transaction) -> None:
    """After the outermost transaction rolls back, its notes go with it (a savepoint's rollback keeps them: the
    enclosing transaction may still commit what was noted before the savepoint)."""
    if previous_transaction.parent is None:
        for key in (STATEMENTS, LEARNERS, MOVING):
            session.info.pop(key, None)


def keep_roll_ups_current() -> None:
    """Listen on every session (once per process, however many apps are created)."""
    for name, listener in (("before_flush", _take_out_moving), ("after_flush", _noted),
                           ("after_flush_postexec", _add_back_moved), ("before_commit", _keep_current),
                           ("after_soft_rollback", _forget)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
