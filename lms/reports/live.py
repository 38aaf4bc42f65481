"""Report roll-ups kept current: in the transaction that stores a statement or changes a learner's capability
inputs, the roll-ups are updated too, just before it commits. A manager sees a workshop's activity as soon as it
happens, and no report scans raw statements or rebuilds profiles per view.

What changes a learner's capability: a closed assessment attempt, an answered knowledge check, a scored or reviewed
submission, a coach rating. Statements are counted by `rollup.add_new_statements`, which claims them so nothing is
counted twice.

What changes who is in the capability report's groups (team, job function, covered at all): a learner joining or
leaving a cohort, a cohort renamed or deleted, an enrolment made or withdrawn, a membership made, changed or ended,
a job function changed. The organisation's capability sums are recomputed for those.
"""

from __future__ import annotations

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from lms.assessment.models import AssessmentAttempt, CoachRating
from lms.identity.models import Cohort, CohortMember, Membership, User
from lms.learning.models import Enrolment, QuestionAnswer
from lms.practice.models import Submission
from lms.reports import competencies, rollup
from lms.tracking.models import Statement

STATEMENTS = "reports.statements_added"
LEARNERS = "reports.capability_changed"
GROUPS = "reports.capability_groups_changed"

# The (organisation id, learner id) a changed row belongs to.
_LEARNER_OF = {
    AssessmentAttempt: lambda row: (row.organization_id, row.user_id),
    QuestionAnswer: lambda row: (row.organization_id, row.user_id),
    Submission: lambda row: (row.organization_id, row.user_id),
    CoachRating: lambda row: (row.organization_id, row.learner_id),
}

# What a row that changes who is in a capability group points to: ("org", id), ("cohort", id) or ("user", id),
# and the columns whose change matters (any change for a row added or deleted).
_GROUPS_OF = {
    Enrolment: (lambda row: ("org", row.organization_id), ("withdrawn_at", "user_id", "organization_id")),
    Membership: (lambda row: ("org", row.organization_id), ("role", "user_id", "organization_id")),
    Cohort: (lambda row: ("org", row.organization_id), ("name", "organization_id")),
    CohortMember: (lambda row: ("cohort", row.cohort_id), ("role", "user_id", "cohort_id")),
    User: (lambda row: ("user", row.id), ("job_function",)),
}


def _noted(session: Session, _flush_context) -> None:
    """After each flush: note whether statements were added, whose capability inputs changed and which
    organisations' capability groups changed."""
    changed = session.info.setdefault(LEARNERS, set())
    groups = session.info.setdefault(GROUPS, set())
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, Statement):
            session.info[STATEMENTS] = True
            continue
        learner_of = _LEARNER_OF.get(type(row))
        if learner_of is not None:
            changed.add(learner_of(row))
            continue
        group = _GROUPS_OF.get(type(row))
        if group is not None and _moves(row, session, group[1]):
            groups.add(group[0](row))
            groups.update(_previous(row, group[1]))


def _moves(row, session: Session, columns: tuple[str, ...]) -> bool:
    """Whether the row was added or deleted, or one of these columns changed."""
    if row in session.new or row in session.deleted:
        return type(row) is not User  # a new user is in no group until a membership and an enrolment say so
    state = inspect(row)
    return any(state.attrs[name].history.has_changes() for name in columns)


def _previous(row, columns: tuple[str, ...]) -> set[tuple[str, int]]:
    """The organisation or cohort the row pointed to before this flush, when that changed."""
    found = set()
    for name, kind in (("organization_id", "org"), ("cohort_id", "cohort")):
        if name in columns:
            found.update((kind, old) for old in inspect(row).attrs[name].history.deleted if old is not None)
    return found


def _organisations(session: Session, pointers: set[tuple[str, int]]) -> set[int]:
    """The organisations of noted ("org" | "cohort" | "user", id) pointers (a user: where they are a learner)."""
    ids = {kind: {i for k, i in pointers if k == kind and i is not None} for kind in ("org", "cohort", "user")}
    orgs = set(ids["org"])
    if ids["cohort"]:
        orgs.update(session.scalars(select(Cohort.organization_id).where(Cohort.id.in_(ids["cohort"]))))
    if ids["user"]:
        orgs.update(session.scalars(select(Membership.organization_id).where(
            Membership.user_id.in_(ids["user"]), Membership.role == "learner")))
    return orgs


def _keep_current(session: Session) -> None:
    """Before commit: count the transaction's new statements and refresh the changed learners' capability rows."""
    session.flush()  # commit would flush next anyway; flushing first lets _noted see what this transaction added
    if not any(session.info.get(key) for key in (STATEMENTS, LEARNERS, GROUPS)):
        return
    added = session.info.pop(STATEMENTS, False)
    changed = session.info.pop(LEARNERS, set())
    groups = session.info.pop(GROUPS, set())
    if added:
        rollup.add_new_statements()
    if changed:
        competencies.refresh_learners(changed)
    for org_id in sorted(_organisations(session, groups)):
        competencies.rebuild_totals(org_id)


def _forget(session: Session, previous_transaction) -> None:
    """After the outermost transaction rolls back, its notes go with it (a savepoint's rollback keeps them: the
    enclosing transaction may still commit what was noted before the savepoint)."""
    if previous_transaction.parent is None:
        for key in (STATEMENTS, LEARNERS, GROUPS):
            session.info.pop(key, None)


def keep_roll_ups_current() -> None:
    """Listen on every session (once per process, however many apps are created)."""
    for name, listener in (("after_flush", _noted), ("before_commit", _keep_current),
                           ("after_soft_rollback", _forget)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
