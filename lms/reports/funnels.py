"""The adoption funnel per cohort kept current (cohort_funnels): how many of each cohort's learners have been
activated and have reached each first-time milestone, so the adoption report reads a row per cohort instead of
joining every member to their user and milestones.

Two things move the counts, each in the transaction that changes them:
- a milestone reached for the first time (`rollup` returns which ones its upsert set: `added_first_steps`), added to
  every cohort the learner is in, after locking the learner's memberships;
- a change of who is in a cohort or of a learner's activation (`live`): the learners are taken out of their
  cohorts' counts before the flush and added back after it, as the capability sums are.

"Active after completing" is not kept: it depends on later statements, and is counted per view over those who
completed (few, and found down an index).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import cache

from sqlalchemy import (
    Connection,
    Executable,
    Integer,
    Select,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    select,
)

from lms.extensions import db
from lms.identity.models import Cohort, CohortMember, User
from lms.reports import competencies
from lms.reports.dialect import upsert
from lms.reports.models import CohortFunnel, LearnerMilestone

# The first-time milestones, in learner_milestones and cohort_funnels, with their bit in added_first_steps.
STEPS = {"first_module_at": ("first_module", 1), "first_import_at": ("first_import", 2),
         "first_run_at": ("first_run", 4), "first_course_at": ("completed", 8)}
COUNTS = ["learners", "activated", *(name for name, _ in STEPS.values())]


def _members(org_id) -> Select:
    """The counts per cohort of the organisation's learner members (a select of organisation, cohort, COUNTS)."""
    return (select(Cohort.organization_id, CohortMember.cohort_id, func.count(), func.count(User.activated_at),
                   *(func.count(getattr(LearnerMilestone, column)) for column in STEPS))
            .join(Cohort, Cohort.id == CohortMember.cohort_id)
            .join(User, User.id == CohortMember.user_id)
            .outerjoin(LearnerMilestone, and_(LearnerMilestone.user_id == CohortMember.user_id,
                                              LearnerMilestone.organization_id == Cohort.organization_id))
            .where(Cohort.organization_id == org_id, CohortMember.role == "learner")
            .group_by(Cohort.organization_id, CohortMember.cohort_id))


def rebuild(org_id: int | None = None) -> None:
    """Recompute cohort_funnels for one organisation (or every one) from its cohorts' members."""
    emptied = delete(CohortFunnel)
    if org_id is not None:
        emptied = emptied.where(CohortFunnel.organization_id == org_id)
    db.session.execute(emptied)
    orgs = [org_id] if org_id is not None else list(db.session.scalars(select(Cohort.organization_id).distinct()))
    for org in orgs:
        db.session.execute(insert(CohortFunnel).from_select(["organization_id", "cohort_id", *COUNTS],
                                                            _members(org)))


def move_learners(conn: Connection, pairs: Iterable[tuple[int, int]], *, sign: int) -> None:
    """Add (sign 1) or take away (sign -1) these (organisation id, user id) learners to or from the funnel counts
    of the cohorts the database now puts them in. `lms.reports.live` calls it beside the capability sums' move,
    whose taking out has locked the learners' memberships."""
    for org_id, users in competencies.learner_chunks(pairs):
        conn.execute(_moving(conn.dialect.name), {"org": org_id, "users": users, "sign": sign})


@cache
def _moving(dialect: str):
    """The upsert adding `:sign` times the counts of learners `:users` of organisation `:org` to their cohorts'
    rows (built once per database dialect, which is only the cache key)."""
    sign = bindparam("sign", type_=Integer)
    counts = _members(bindparam("org", type_=Integer)).where(
        CohortMember.user_id.in_(bindparam("users", expanding=True))).subquery()
    # The WHERE (always true: a cohort's group has a member) keeps SQLite from reading ON CONFLICT as a join's ON.
    rows = select(counts.c[0], counts.c[1], *(sign * column for column in list(counts.c)[2:])).where(counts.c[2] > 0)
    return _added(rows)


def _added(rows) -> Executable:
    stmt = upsert(CohortFunnel).from_select(["organization_id", "cohort_id", *COUNTS], rows)
    return stmt.on_conflict_do_update(index_elements=["cohort_id"], set_={
        name: getattr(CohortFunnel, name) + getattr(stmt.excluded, name) for name in COUNTS})


def add_first_steps(conn: Connection, reached: Iterable[tuple[int, int, int]]) -> None:
    """Count the first-time milestones the roll-up just set, as (organisation id, user id, bits of STEPS), in
    every cohort each learner is in. Locks the learners' memberships first (PostgreSQL): a move of the same learner
    between cohorts waits, or is waited for, so each milestone is counted once in the cohorts they are in."""
    by_step: dict[tuple[int, int], list[int]] = defaultdict(list)
    for org_id, user_id, bits in sorted(reached):
        if bits:
            by_step[(org_id, bits)].append(user_id)
    for (org_id, bits), users in sorted(by_step.items()):
        for _, chunk in competencies.learner_chunks((org_id, user_id) for user_id in users):
            competencies.lock_learners(conn, org_id, chunk)
            conn.execute(_stepping(conn.dialect.name), {
                "org": org_id, "users": chunk, **{name: int(bool(bits & bit)) for name, bit in STEPS.values()}})


@cache
def _stepping(dialect: str):
    """The upsert adding, for learners `:users` of organisation `:org`, one to each milestone whose parameter is 1
    in every cohort they are learners in (built once per database dialect, the cache key)."""
    members = func.count()
    rows = (select(Cohort.organization_id, CohortMember.cohort_id, literal(0), literal(0),
                   *(members * bindparam(name, type_=Integer) for name, _ in STEPS.values()))
            .join(Cohort, Cohort.id == CohortMember.cohort_id)
            .where(Cohort.organization_id == bindparam("org", type_=Integer), CohortMember.role == "learner",
                   CohortMember.user_id.in_(bindparam("users", expanding=True)))
            .group_by(Cohort.organization_id, CohortMember.cohort_id))
    return _added(rows)
