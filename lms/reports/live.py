"""Report roll-ups kept current: in the transaction that stores a statement or changes a learner's capability
inputs, the roll-ups are updated too, just before it commits. A manager sees a workshop's activity as soon as it
happens, and no report scans raw statements or rebuilds profiles per view.

What changes a learner's capability: a closed assessment attempt, an answered knowledge check, a scored or reviewed
submission, a coach rating. Statements are counted by `rollup.add_new_statements`, which claims them so nothing is
counted twice.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from lms.assessment.models import AssessmentAttempt, CoachRating
from lms.learning.models import QuestionAnswer
from lms.practice.models import Submission
from lms.reports import competencies, rollup
from lms.tracking.models import Statement

STATEMENTS = "reports.statements_added"
LEARNERS = "reports.capability_changed"

# The (organisation id, learner id) a changed row belongs to.
_LEARNER_OF = {
    AssessmentAttempt: lambda row: (row.organization_id, row.user_id),
    QuestionAnswer: lambda row: (row.organization_id, row.user_id),
    Submission: lambda row: (row.organization_id, row.user_id),
    CoachRating: lambda row: (row.organization_id, row.learner_id),
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
        session.info.pop(STATEMENTS, None)
        session.info.pop(LEARNERS, None)


def keep_roll_ups_current() -> None:
    """Listen on every session (once per process, however many apps are created)."""
    for name, listener in (("after_flush", _noted), ("before_commit", _keep_current),
                           ("after_soft_rollback", _forget)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
