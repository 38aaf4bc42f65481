"""Report jobs: the incremental activity roll-up (`flask lms rollup`) and the bulk loader behind
`flask lms generate`. They flush, never commit: the CLI command commits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, insert, select, true
from sqlalchemy.dialects import postgresql, sqlite

from lms.accounts.models import Account, Opportunity, Workspace
from lms.content.models import Course, Module
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Cohort, CohortMember, Invitation, Membership, Organization, User
from lms.learning.models import Enrolment, ModuleProgress
from lms.reports import adoption, synthetic
from lms.reports.models import (
    ActivityWeekly,
    LearnerMilestone,
    RollupState,
    ToolUserWeeks,
    ToolUses,
    ToolWeekly,
)
from lms.reports.services import (
    ROLLUP,
    as_date,
    milestone_columns,
    month_start_of,
    tool_expression,
    week_start_of,
)
from lms.tracking.models import Statement

# A statement is rolled up once it has been stored for this long, so a transaction still open when the
# roll-up runs (its rows carry an earlier `stored`) is not skipped.
SETTLE = timedelta(minutes=2)
CHUNK = 20_000


@dataclass(frozen=True)
class RollupRun:
    statements: int
    processed_to: datetime
    seconds: float


def refresh_activity(until: datetime | None = None, *, rebuild: bool = False) -> RollupRun:
    """Add the statements stored since the last run (up to `until`, default now minus SETTLE) to the roll-ups:
    activity_weekly, tool_weekly, tool_uses, tool_user_weeks and learner_milestones.

    Idempotent: each statement is counted once, because the watermark moves in the same transaction. With
    `rebuild`, the table is emptied and every statement counted again (after a cohort or membership change
    nothing needs rebuilding: reports join memberships when they read). Returns what was processed.
    """
    began = time.perf_counter()
    until = until or utcnow() - SETTLE
    state = db.session.get(RollupState, ROLLUP)
    if state is None:
        state = RollupState(name=ROLLUP, processed_to=None)
        db.session.add(state)
    if rebuild:
        for model in (ActivityWeekly, ToolWeekly, ToolUses, ToolUserWeeks, LearnerMilestone):
            db.session.execute(delete(model))
        state.processed_to = None
    conditions = [Statement.organization_id.is_not(None), Statement.actor_id.is_not(None), Statement.stored <= until]
    if state.processed_to is not None:
        conditions.append(Statement.stored > state.processed_to)
    counted = db.session.scalar(select(func.count()).select_from(Statement).where(*conditions)) or 0
    if counted:
        _add_activity(conditions)
        _add_tools(conditions)
        _add_milestones(conditions)
    state.processed_to = max(until, state.processed_to or until)
    state.refreshed_at = utcnow()
    db.session.flush()
    return RollupRun(counted, state.processed_to, time.perf_counter() - began)


def _upsert(model, columns: list[str], keys: list[str], query, set_: Callable) -> None:
    """INSERT ... SELECT ... ON CONFLICT (keys) DO UPDATE SET set_(excluded) on SQLite or PostgreSQL."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(model).from_select(columns, query)
    db.session.execute(stmt.on_conflict_do_update(index_elements=keys, set_=set_(stmt.excluded)))


def _add_activity(conditions: list) -> None:
    week, month = week_start_of(Statement.timestamp), month_start_of(Statement.timestamp)
    new = (select(Statement.organization_id, Statement.actor_id, week, month, func.count())
           .where(true(), *conditions).group_by(Statement.organization_id, Statement.actor_id, week, month))
    _upsert(ActivityWeekly, ["organization_id", "user_id", "week_start", "month_start", "statements"],
            ["organization_id", "user_id", "week_start", "month_start"], new,
            lambda excluded: {"statements": ActivityWeekly.statements + excluded.statements})


def _add_tools(conditions: list) -> None:
    """Add new statements to tool_weekly and tool_uses (counts) and tool_user_weeks (OR of week bits)."""
    week, tool = week_start_of(Statement.timestamp), tool_expression()
    new = (select(Statement.organization_id, Statement.actor_id, week, tool, User.job_function, func.count())
           .join(User, User.id == Statement.actor_id)
           .where(true(), *conditions, tool.is_not(None))
           .group_by(Statement.organization_id, Statement.actor_id, week, tool, User.job_function))
    _upsert(ToolWeekly, ["organization_id", "user_id", "week_start", "tool", "job_function", "uses"],
            ["organization_id", "user_id", "week_start", "tool"], new,
            lambda excluded: {"uses": ToolWeekly.uses + excluded.uses})
    uses: dict[tuple, int] = {}
    bits: dict[tuple, tuple[str, int]] = {}
    for org_id, user_id, monday, key, fn, n in db.session.execute(new):
        monday = as_date(monday)
        uses[(org_id, monday, key, fn)] = uses.get((org_id, monday, key, fn), 0) + n
        block, bit = adoption.week_bit(monday)
        _, mask = bits.get((org_id, user_id, key, block), (fn, 0))
        bits[(org_id, user_id, key, block)] = (fn, mask | bit)
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    rows = [{"organization_id": o, "week_start": w, "tool": t, "job_function": f, "uses": n}
            for (o, w, t, f), n in uses.items()]
    for k in range(0, len(rows), CHUNK):
        stmt = dialect.insert(ToolUses)
        db.session.execute(stmt.on_conflict_do_update(
            index_elements=["organization_id", "week_start", "tool", "job_function"],
            set_={"uses": ToolUses.uses + stmt.excluded.uses}), rows[k:k + CHUNK])
    rows = [{"organization_id": o, "user_id": u, "tool": t, "block": b, "job_function": f, "weeks": m}
            for (o, u, t, b), (f, m) in bits.items()]
    for k in range(0, len(rows), CHUNK):
        stmt = dialect.insert(ToolUserWeeks)
        db.session.execute(stmt.on_conflict_do_update(
            index_elements=["organization_id", "user_id", "tool", "block"],
            set_={"weeks": ToolUserWeeks.weeks.op("|")(stmt.excluded.weeks),
                  "job_function": stmt.excluded.job_function}), rows[k:k + CHUNK])


def _earliest(current, new):
    # Portable LEAST that ignores NULLs (SQLite's min(a, b) returns NULL when either is NULL).
    return case((current.is_(None), new), (new.is_(None), current), (current <= new, current), else_=new)


def _latest(current, new):
    return case((current.is_(None), new), (new.is_(None), current), (current >= new, current), else_=new)


def _add_milestones(conditions: list) -> None:
    columns = milestone_columns()
    new = (select(Statement.organization_id, Statement.actor_id,
                  *(func.min(case((condition, Statement.timestamp))) for condition in columns.values()),
                  func.max(Statement.timestamp))
           .where(true(), *conditions).group_by(Statement.organization_id, Statement.actor_id))

    def merge(excluded) -> dict:
        merged = {name: _earliest(getattr(LearnerMilestone, name), getattr(excluded, name)) for name in columns}
        merged["last_at"] = _latest(LearnerMilestone.last_at, excluded.last_at)
        return merged

    _upsert(LearnerMilestone, ["organization_id", "user_id", *columns, "last_at"], ["organization_id", "user_id"],
            new, merge)


@dataclass(frozen=True)
class Generated:
    organization: Organization
    learners: int
    statements: int
    manager_email: str
    seconds: float


def _insert(model, rows, *, returning=None) -> list:
    """Insert rows in chunks; return the generated primary keys in row order when `returning` is given."""
    ids = []
    for k in range(0, len(rows), CHUNK):
        chunk = rows[k:k + CHUNK]
        if not chunk:
            continue
        if returning is not None:
            ids.extend(db.session.scalars(insert(model).returning(returning, sort_by_parameter_order=True), chunk))
        else:
            db.session.execute(insert(model), chunk)
    return ids


def _copy_statements(rows) -> int:
    """Load statement tuples with PostgreSQL COPY (about ten times faster than INSERT); returns the count."""
    conn = db.session.connection().connection.driver_connection
    columns = ", ".join(synthetic.STATEMENT_COLUMNS)
    n = 0
    with conn.cursor() as cursor, cursor.copy(f"COPY statements ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def _insert_statements(rows) -> int:
    n, chunk = 0, []
    for row in rows:
        chunk.append(dict(zip(synthetic.STATEMENT_COLUMNS, row, strict=True)))
        if len(chunk) >= CHUNK:
            db.session.execute(insert(Statement.__table__), chunk)
            n, chunk = n + len(chunk), []
    if chunk:
        db.session.execute(insert(Statement.__table__), chunk)
        n += len(chunk)
    return n


def generate(slug: str, learners: int, statements: int, seed: int = 1, password_hash: str | None = None,
             manager_password_hash: str | None = None, now: datetime | None = None) -> Generated:
    """Create organisation `slug` with cohorts, learners, enrolments, progress, statements over 12 months,
    workspaces and opportunities, using bulk inserts (COPY for statements on PostgreSQL), then roll up activity.

    Raises ValueError if the organisation exists or no course is synced (run `flask lms content sync`).
    """
    began = time.perf_counter()
    now = now or utcnow()
    if db.session.scalar(select(Organization.id).where(Organization.slug == slug)) is not None:
        raise ValueError(f"organisation {slug!r} exists already: choose another --org-slug")
    course = db.session.scalar(select(Course).where(Course.is_archived.is_(False))
                               .order_by(Course.audience.desc(), Course.id))
    if course is None:
        raise ValueError("no course in the database: run `flask lms content sync` first")
    modules = db.session.execute(select(Module.id, Module.slug).where(Module.course_id == course.id,
                                                                      Module.is_archived.is_(False))
                                 .order_by(Module.position)).all()
    shape = synthetic.CourseShape(course.id, course.slug, course.title, tuple(m[0] for m in modules),
                                  tuple(m[1] for m in modules))
    from lms.practice.services import exercise_registry

    gen = synthetic.Generator(synthetic.Plan(learners, statements, now, seed))
    org = Organization(slug=slug, name=f"{slug.replace('-', ' ').title()} (generated)", kind="client")
    db.session.add(org)
    db.session.flush()
    manager = User(email=f"manager@{slug}.example", name="Generated Manager", job_function="other",
                   password_hash=manager_password_hash or password_hash, activated_at=now)
    db.session.add(manager)
    db.session.flush()
    db.session.add(Membership(user_id=manager.id, organization_id=org.id, role="manager"))
    cohort_ids = _insert(Cohort, gen.cohorts(org.id), returning=Cohort.id)
    user_ids = _insert(User, gen.users(slug, password_hash), returning=User.id)
    _insert(Membership, gen.memberships(org.id, user_ids))
    _insert(CohortMember, gen.cohort_members(cohort_ids, user_ids))
    _insert(Invitation, gen.invitations(org.id, slug, cohort_ids))
    enrolments, progress = gen.enrolments(org.id, shape, cohort_ids, user_ids)
    _insert(Enrolment, enrolments)
    _insert(ModuleProgress, progress)
    workspace_ids = _insert(Workspace, gen.workspaces(org.id, cohort_ids), returning=Workspace.id)
    account_rows = gen.accounts(org.id, workspace_ids)
    account_ids = _insert(Account, account_rows, returning=Account.id)
    by_workspace: dict[int, list[int]] = {}
    for row, aid in zip(account_rows, account_ids, strict=True):
        by_workspace.setdefault(row["workspace_id"], []).append(aid)
    _insert(Opportunity, gen.opportunities(org.id, workspace_ids, by_workspace))
    rows = gen.statements(org.id, cohort_ids, user_ids, shape, sorted(exercise_registry()), now)
    made = _copy_statements(rows) if db.engine.dialect.name == "postgresql" else _insert_statements(rows)
    db.session.flush()
    refresh_activity(until=now)
    return Generated(org, learners, made, manager.email, time.perf_counter() - began)
