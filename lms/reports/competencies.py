"""The capability roll-up: each learner's figures per competency (`learner_competencies`), from the assessment
package's profiles, and their sums per team, job function and competency (`capability_totals`), which the
capability report's default view reads instead of aggregating every learner's rows.

Kept current by `lms.reports.live`: the learners a transaction touched have their figures recomputed, taken out of
the sums before and added back after; learners whose group changes (cohorts, enrolments, memberships, job
functions) are taken out before the flush that moves them and added back after it. `flask lms rollup --rebuild`
recomputes everything. Flushes, never commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import cache

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import aliased

from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Cohort, CohortMember, Membership, User
from lms.learning.models import Enrolment
from lms.reports.dialect import sqlite_no_index, upsert
from lms.reports.models import CapabilityTotal, LearnerCompetency
from lms.reports.queries.scope import NO_COHORT

BATCH = 2_000  # learners per profile read on a rebuild, and per statement moving learners in the sums
# The capability report's figures per learner and competency, summed in capability_totals with how many have one.
SUMMED = ("pre", "post", "uplift", "knowledge", "applied", "gap", "rating")
_SUM_COLUMNS = [f"{name}_{part}" for name in SUMMED for part in ("sum", "n")]
_KEY = ["organization_id", "team", "job_function", "competency"]


def _rows(org_id: int, user_ids: Iterable[int], framework, *, keep_empty: bool) -> list[dict]:
    """Return the learner_competencies rows of these learners: one per competency of their profile, or only the
    competencies with a figure unless `keep_empty` (an update must clear a figure that went away)."""
    from lms.assessment.profiles import profiles_for

    now = utcnow()
    rows = []
    for uid, profile in profiles_for(user_ids, org_id, framework=framework).items():
        for c in profile.competencies:
            figures = {"pre": c.pre, "post": c.post, "knowledge": c.knowledge, "applied": c.applied,
                       "rating": c.rating.level if c.rating is not None else None, "capability": c.capability}
            if keep_empty or any(v is not None for v in figures.values()):
                gap = c.knowledge - c.applied if c.knowledge is not None and c.applied is not None else None
                rows.append({"organization_id": org_id, "user_id": uid, "competency": c.slug, "updated_at": now,
                             "gap": gap, **figures})
    return rows


def refresh_learners(pairs: Iterable[tuple[int | None, int | None]]) -> int:
    """Recompute the rows of these (organisation id, user id) learners and move their part of `capability_totals`
    from the old figures to the new; return how many learners were refreshed.

    An upsert, so two transactions refreshing one learner at once do not collide on the unique key; the sums are
    moved by `move_learners`, which locks the learners first."""
    by_org: dict[int, set[int]] = defaultdict(set)
    for org_id, user_id in pairs:
        if org_id is not None and user_id is not None:
            by_org[org_id].add(user_id)
    from lms.assessment.profiles import competencies

    framework = competencies() if by_org else []
    for org_id, users in by_org.items():
        rows = _rows(org_id, users, framework, keep_empty=True)
        if rows:
            conn, learners_here = db.session.connection(), [(org_id, user_id) for user_id in users]
            move_learners(conn, learners_here, sign=-1, counted=False)  # their group is unchanged: only figures
            stmt = upsert(LearnerCompetency)
            columns = ("pre", "post", "knowledge", "applied", "rating", "capability", "gap", "updated_at")
            db.session.execute(stmt.on_conflict_do_update(
                index_elements=["organization_id", "user_id", "competency"],
                set_={name: stmt.excluded[name] for name in columns}), rows)
            move_learners(conn, learners_here, sign=1, counted=False)
    return sum(len(users) for users in by_org.values())


def rebuild(org_id: int | None = None) -> int:
    """Recompute every learner's rows in one organisation (or all), and the sums; return how many rows were
    written."""
    members = select(Membership.organization_id, Membership.user_id).where(Membership.role == "learner")
    emptied = delete(LearnerCompetency)
    if org_id is not None:
        members = members.where(Membership.organization_id == org_id)
        emptied = emptied.where(LearnerCompetency.organization_id == org_id)
    db.session.execute(emptied)
    by_org: dict[int, list[int]] = defaultdict(list)
    for org, user in db.session.execute(members.order_by(Membership.organization_id, Membership.user_id)):
        by_org[org].append(user)
    from lms.assessment.profiles import competencies

    written, framework = 0, competencies()  # read once, not once per batch
    for org, users in by_org.items():
        for k in range(0, len(users), BATCH):
            rows = _rows(org, users[k:k + BATCH], framework, keep_empty=False)
            if rows:
                db.session.execute(insert(LearnerCompetency), rows)
                written += len(rows)
    if org_id is None:
        db.session.execute(delete(CapabilityTotal))  # organisations without learners keep no sums either
    for org in by_org if org_id is None else [org_id]:
        rebuild_totals(org)
    db.session.flush()
    return written


def figures() -> dict[str, ColumnElement]:
    """Return {figure: its expression on learner_competencies}, in SUMMED order."""
    lc = LearnerCompetency
    return {"pre": lc.pre, "post": lc.post, "uplift": lc.post - lc.pre, "knowledge": lc.knowledge,
            "applied": lc.applied, "gap": lc.gap, "rating": lc.rating}


def qualifying(org_id: int, user_id, *, since: datetime | None = None, before: datetime | None = None,
               cohort_id: int | None = None, function: str | None = None) -> list[ColumnElement]:
    """Return the conditions that the learner `user_id` (a column) is one the capability report covers: a learner
    of the organisation (in this cohort, of this job function) with an enrolment not withdrawn, made in
    [since, before) when given."""
    # Aliases: the caller's query may have these tables in its FROM, which a plain EXISTS would correlate to.
    member, enrolment, cohort_member, user = (aliased(m) for m in (Membership, Enrolment, CohortMember, User))
    # Down the learner's own enrolments: on SQLite, "+ 0" keeps the organisation's index out of it. Without
    # statistics (no ANALYZE since a bulk load) SQLite chose that index, reading every enrolment of the organisation
    # per learner: assigning a course to a cohort of 10,000 spent 15 s moving them in the capability sums.
    # (PostgreSQL keeps statistics; there the plain column let its planner keep the capability report at 17 ms.)
    enrolled = exists().where(enrolment.user_id == user_id, sqlite_no_index(enrolment.organization_id) == org_id,
                              enrolment.withdrawn_at.is_(None),
                              *([enrolment.enrolled_at >= since] if since else []),
                              *([enrolment.enrolled_at < before] if before else []))
    conditions = [
        exists().where(member.user_id == user_id, member.organization_id == org_id, member.role == "learner"),
        enrolled,
    ]
    if cohort_id:
        conditions.append(exists().where(cohort_member.user_id == user_id, cohort_member.cohort_id == cohort_id))
    if function:
        conditions.append(exists().where(user.id == user_id, user.job_function == function))
    return conditions


def team_of(org_id: int, user_id, cohort_id: int | None = None) -> ColumnElement:
    """Return the team of the learner `user_id` (a column) as the report shows it: the cohort filtered on, else
    their first cohort by name, else NO_COHORT."""
    first = (select(func.min(Cohort.name)).join(CohortMember, CohortMember.cohort_id == Cohort.id)
             .where(CohortMember.user_id == user_id, CohortMember.role == "learner", Cohort.organization_id == org_id))
    if cohort_id:
        first = first.where(Cohort.id == cohort_id)
    return func.coalesce(first.scalar_subquery(), NO_COHORT)


def learners(org_id: int | ColumnElement, *, since: datetime | None = None, before: datetime | None = None,
             cohort_id: int | None = None, function: str | None = None, users: Iterable[int] | None = None):
    """Return the query of (user_id, name, email, job_function, team) of the learners the capability report covers
    (see `qualifying`), one row each, with the team `team_of` gives (as a join, for every learner at once)."""
    team_join = and_(CohortMember.user_id == User.id, CohortMember.role == "learner")
    if cohort_id:
        team_join = and_(team_join, CohortMember.cohort_id == cohort_id)
    q = (select(User.id.label("user_id"), User.name.label("name"), User.email.label("email"),
                User.job_function.label("job_function"), func.coalesce(func.min(Cohort.name), NO_COHORT).label("team"))
         .outerjoin(CohortMember, team_join)
         .outerjoin(Cohort, and_(Cohort.id == CohortMember.cohort_id, Cohort.organization_id == org_id))
         .where(*qualifying(org_id, User.id, since=since, before=before, cohort_id=cohort_id, function=function))
         .group_by(User.id))
    return q if users is None else q.where(User.id.in_(users))  # ids, or an expanding bound parameter


def _sums(org_id, people, sign=1):
    """Select capability_totals rows (_KEY, learners, _SUM_COLUMNS): the figures of `people` (a `learners`
    subquery) per team, job function and competency, times `sign` (values or bound parameters)."""
    lc = LearnerCompetency
    return (select(literal(org_id) if isinstance(org_id, int) else org_id, people.c.team, people.c.job_function,
                   lc.competency, literal(0),
                   *(sign * part for value in figures().values()
                     for part in (func.coalesce(func.sum(value), 0), func.count(value))))
            .join(lc, lc.user_id == people.c.user_id).where(lc.organization_id == org_id)
            .group_by(people.c.team, people.c.job_function, lc.competency))


def move_learners(conn: Connection, pairs: Iterable[tuple[int, int]], *, sign: int, counted: bool = True) -> None:
    """Add (sign 1) or take away (sign -1) these (organisation id, user id) learners' figures (and, if `counted`,
    the learners themselves) to or from the sums of the groups the database now puts them in, on this connection.
    `lms.reports.live` takes learners out before a flush that changes their groups and adds them back after it;
    `refresh_learners` moves their figures around recomputing them. Taking out locks the learners' memberships
    first (PostgreSQL), so a second transaction moving the same learners waits, then takes out what the first put
    in."""
    for org_id, chunk in learner_chunks(pairs):
        if sign < 0:
            lock_learners(conn, org_id, chunk)
        _add_to_totals(conn, org_id, chunk, sign=sign, counted=counted)


def learner_chunks(pairs: Iterable[tuple[int, int]]) -> Iterator[tuple[int, list[int]]]:
    """Yield (organisation id, up to BATCH of its user ids) for these (organisation id, user id) pairs, each once,
    in order: the statements that move learners take their ids as bound parameters, and lock them in one order."""
    by_org: dict[int, set[int]] = defaultdict(set)
    for org_id, user_id in pairs:
        by_org[org_id].add(user_id)
    for org_id, users in sorted(by_org.items()):
        ordered = sorted(users)
        for k in range(0, len(ordered), BATCH):
            yield org_id, ordered[k:k + BATCH]


def lock_learners(conn: Connection, org_id: int, users: list[int]) -> None:
    """Lock the learners' memberships: whatever moves or counts a learner's figures in the report roll-ups takes
    this lock first, so two transactions about one learner take turns. PostgreSQL only: SQLite has one writer at a
    time, so the second transaction waits before it writes anything, and there is nothing to send."""
    if conn.dialect.name == "postgresql":
        conn.execute(_locking(), {"org": org_id, "users": users})


@cache
def _locking():
    """The learners' memberships, locked in user order (built once: every commit that moves learners runs it)."""
    return (select(Membership.id).where(Membership.organization_id == bindparam("org", type_=Integer),
                                         Membership.user_id.in_(bindparam("users", expanding=True)))
            .order_by(Membership.user_id).with_for_update())


def _add_to_totals(conn: Connection, org_id: int, users: list[int], *, sign: int, counted: bool) -> None:
    """Add (sign 1) or take away (sign -1) these learners' current figures (and, if `counted`, the learners
    themselves) to or from the organisation's sums."""
    # On a connection: parameters given to an ORM INSERT would make it a bulk insert of them.
    params = {"org": org_id, "users": users, "sign": sign}
    conn.execute(_moving(conn.dialect.name), params)
    if counted:
        conn.execute(_moving(conn.dialect.name, counted=True), params)


@cache
def _moving(dialect: str, counted: bool = False):
    """The upsert adding `:sign` times the figures (or, if `counted`, the count) of the learners `:users` of
    organisation `:org` to its sums. Built once per database dialect (the upsert is SQLite's or PostgreSQL's;
    `dialect` is only the cache key): commits that change learners' figures or groups run it, and building it
    costs several times running it."""
    org = bindparam("org", type_=Integer)
    people = learners(org, users=bindparam("users", expanding=True)).subquery()
    sign = bindparam("sign", type_=Integer)
    rows = _counts(org, people, sign) if counted else _sums(org, people, sign)
    stmt = upsert(CapabilityTotal).from_select([*_KEY, "learners", *_SUM_COLUMNS], rows)
    changed = ["learners"] if counted else _SUM_COLUMNS
    return stmt.on_conflict_do_update(
        index_elements=_KEY, set_={name: getattr(CapabilityTotal, name) + stmt.excluded[name] for name in changed})


def _counts(org_id, people, sign=1):
    """Select capability_totals rows (_KEY, learners, _SUM_COLUMNS): how many of `people` (a `learners` subquery)
    each team and job function has, times `sign`, on the row with competency ""."""
    return (select(literal(org_id) if isinstance(org_id, int) else org_id, people.c.team, people.c.job_function,
                   literal(""), sign * func.count(), *(literal(0) for _ in _SUM_COLUMNS))
            .group_by(people.c.team, people.c.job_function))


def rebuild_totals(org_id: int) -> None:
    """Recompute the organisation's capability_totals from its learners' rows and who is in which group."""
    db.session.execute(delete(CapabilityTotal).where(CapabilityTotal.organization_id == org_id))
    people = learners(org_id).subquery()
    for rows in (_counts(org_id, people), _sums(org_id, people)):
        db.session.execute(insert(CapabilityTotal).from_select([*_KEY, "learners", *_SUM_COLUMNS], rows))
