"""The activity roll-ups behind the adoption report: which statements count as which tool and funnel milestone,
and how statements are added to the weekly tables. Statements are counted in the transaction that stores them
(`lms.reports.live`); `flask lms rollup` counts any left over (rows inserted in bulk) and `--rebuild` counts every
statement again. Flushes, never commits.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import (
    Executable,
    Select,
    String,
    and_,
    bindparam,
    case,
    delete,
    exists,
    false,
    func,
    literal,
    select,
    update,
)

from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Membership, User
from lms.reports import adoption, competencies, funnels
from lms.reports.dialect import as_date, month_start_of, upsert, week_start_of
from lms.reports.models import (
    ActiveLearners,
    ActivityWeekly,
    LearnerMilestone,
    RollupState,
    ToolLastUse,
    ToolLastUseCount,
    ToolUserWeeks,
    ToolUses,
    ToolWeekly,
)
from lms.tracking.models import Statement

ROLLUP = "activity_weekly"  # the RollupState row that records the last full pass
CHUNK = 20_000
CLAIM_CHUNK = 2_000  # statement ids per IN list when counting claimed statements


@dataclass(frozen=True)
class RollupRun:
    statements: int
    processed_to: datetime
    seconds: float


def refresh_activity(until: datetime | None = None, *, rebuild: bool = False) -> RollupRun:
    """Count the statements stored up to `until` (default now) that the roll-ups have not counted yet:
    activity_weekly, active_learners, tool_weekly, tool_uses, tool_user_weeks, tool_last_use (and its counts) and
    learner_milestones.

    Idempotent: each statement is claimed once (`Statement.rolled_up`). With `rebuild`, the roll-ups are emptied
    and every statement counted again (after a cohort or membership change nothing needs rebuilding: reports join
    memberships when they read; a change of someone's job function is restated by a rebuild), and every learner's
    capability figures are recomputed. Returns what was processed.
    """
    began = time.perf_counter()
    until = until or utcnow()
    state = db.session.get(RollupState, ROLLUP)
    if state is None:
        state = RollupState(name=ROLLUP, processed_to=None)
        db.session.add(state)
    if rebuild:
        for model in (ActivityWeekly, ActiveLearners, ToolWeekly, ToolUses, ToolUserWeeks, ToolLastUse,
                      ToolLastUseCount, LearnerMilestone):
            db.session.execute(delete(model))
        # Every statement is counted again, and only those never counted before are marked: the rest keep their
        # flag, so a rebuild writes no statement row twice (and none when every one was counted already).
        counted = db.session.scalar(select(func.count()).select_from(Statement)) or 0
        _run(_passes([]), rebuild=True)  # the whole table: one set-based pass, no id lists
        db.session.execute(update(Statement).where(Statement.rolled_up == false()).values(rolled_up=True))
        funnels.rebuild()
        competencies.rebuild()  # and every learner's capability figures (after a framework or exercise change)
    else:
        counted = add_new_statements(until)
    state.processed_to = until
    state.refreshed_at = utcnow()
    db.session.flush()
    return RollupRun(counted, until, time.perf_counter() - began)


def add_new_statements(until: datetime | None = None) -> int:
    """Claim the statements not counted yet (stored up to `until`, if given) and add them to the roll-ups; return
    how many were claimed.

    Claiming first (UPDATE ... RETURNING) means two transactions never count one statement twice: on PostgreSQL
    the second waits for the first's row locks, then finds the rows already claimed.

    Then the statements' actors' memberships are locked before anything is counted (`competencies.lock_learners`,
    the lock every move of a learner between report groups takes first, in the same order), so two transactions
    counting one learner take turns: otherwise both could find no earlier activity of that learner in a week
    (neither sees the other's uncommitted row) and count them as two active learners.
    """
    claim = [Statement.rolled_up == false()]
    if until is not None:
        claim.append(Statement.stored <= until)
    claimed = db.session.execute(update(Statement).where(*claim).values(rolled_up=True)
                                 .returning(Statement.id, Statement.organization_id, Statement.actor_id)).all()
    ids = [row.id for row in claimed]
    conn = db.session.connection()
    for org_id, users in competencies.learner_chunks((row.organization_id, row.actor_id) for row in claimed
                                                     if row.organization_id is not None and row.actor_id is not None):
        competencies.lock_learners(conn, org_id, users)
    passes = _claimed_passes(db.engine.dialect.name)
    for k in range(0, len(ids), CLAIM_CHUNK):
        _run(passes, {"ids": ids[k:k + CLAIM_CHUNK]})
    return len(ids)


def add_loaded_statements(org_id: int) -> int:
    """Add the organisation's statements not counted yet to the roll-ups in one set-based pass, and mark them
    counted; return how many. For statements this transaction loaded in bulk (`flask lms generate`): nobody else can
    see them, so nothing needs claiming first, and one pass over a million rows replaces hundreds of id lists
    (on PostgreSQL, id lists over tables growing inside one transaction took minutes each)."""
    conditions = [Statement.organization_id == org_id, Statement.rolled_up == false()]
    counted = db.session.scalar(select(func.count()).select_from(Statement).where(*conditions)) or 0
    if counted:
        _run(_passes(conditions))
        db.session.execute(update(Statement).where(*conditions).values(rolled_up=True))
    return counted


@dataclass(frozen=True)
class _Passes:
    """The statements that add a set of statements (those meeting some conditions) to the roll-ups."""

    active_learners: tuple[Executable, ...]  # one per period: learners first seen in it (not for a rebuild)
    activity: Executable
    tool_weekly: Executable
    tools: Select  # (organisation, learner, week, tool, function, uses): the three tables below from these
    tool_uses: Executable  # upserts of those rows, given as parameters
    tool_user_weeks: Executable
    milestones: Executable


@cache
def _claimed_passes(dialect: str) -> _Passes:
    """The passes over claimed statements, their ids bound at each run. Built once per database dialect (the
    upserts are SQLite's or PostgreSQL's): every commit that records a statement runs them, and building these
    statements and their cache keys cost more than running them."""
    return _passes([Statement.id.in_(bindparam("ids", expanding=True))])


def _passes(conditions: list) -> _Passes:
    conditions = [Statement.organization_id.is_not(None), Statement.actor_id.is_not(None), *conditions]
    tools = _tools_query(conditions)
    return _Passes(_active_learner_upserts(conditions), _activity_upsert(conditions), _tool_weekly_upsert(tools),
                   tools, _tool_uses_upsert(), _tool_user_weeks_upsert(),
                   _milestones_upsert(conditions))


def _run(passes: _Passes, params: dict | None = None, *, rebuild: bool = False) -> None:
    # On the session's connection: parameters given to an ORM INSERT would make it a bulk insert of them.
    conn = db.session.connection()
    if rebuild:  # from empty tables: count distinct learners per period once activity_weekly is whole
        conn.execute(passes.activity, params)
        _count_active_learners()
    else:
        for upsert_ in passes.active_learners:  # before activity_weekly: it looks there for periods already counted
            conn.execute(upsert_, params)
        conn.execute(passes.activity, params)
    conn.execute(passes.tool_weekly, params)
    _add_tool_totals(passes, conn.execute(passes.tools, params))
    reached = conn.execute(passes.milestones, params).all()
    if not rebuild:  # a rebuild recomputes the funnels whole afterwards
        funnels.add_first_steps(conn, reached)


def rolled_up_to() -> datetime | None:
    """Return when `flask lms rollup` last ran, or None if it never has (statements are counted as stored)."""
    state = db.session.get(RollupState, ROLLUP)
    return state.processed_to if state else None


def uncounted(org_id: int) -> int:
    """Return how many of the organisation's statements the roll-ups have not counted yet: none, unless rows were
    inserted in bulk outside the academy since its last commit that recorded one (one query on the partial index of
    statements not counted, which is empty then)."""
    return db.session.scalar(select(func.count()).select_from(Statement).where(
        Statement.rolled_up == false(), Statement.organization_id == org_id)) or 0


def _upsert(model, columns: list[str], keys: list[str], query, set_: Callable) -> Executable:
    """INSERT ... SELECT ... ON CONFLICT (keys) DO UPDATE SET set_(excluded) on SQLite or PostgreSQL."""
    stmt = upsert(model).from_select(columns, query)
    return stmt.on_conflict_do_update(index_elements=keys, set_=set_(stmt.excluded))


def _active_learner_upserts(conditions: list) -> tuple[Executable, ...]:
    """Add to active_learners the learners whose first statement in a week or month is among these statements."""
    learner = exists().where(Membership.organization_id == Statement.organization_id,
                             Membership.user_id == Statement.actor_id, Membership.role == "learner")
    upserts = []
    for period, start, column in (("week", week_start_of(Statement.timestamp), ActivityWeekly.week_start),
                                  ("month", month_start_of(Statement.timestamp), ActivityWeekly.month_start)):
        seen = exists().where(ActivityWeekly.organization_id == Statement.organization_id,
                              ActivityWeekly.user_id == Statement.actor_id, column == start)
        new = (select(Statement.organization_id, literal(period, String), start,
                      func.count(Statement.actor_id.distinct()))
               .where(*conditions, learner, ~seen).group_by(Statement.organization_id, start))
        upserts.append(_upsert(ActiveLearners, ["organization_id", "period", "period_start", "learners"],
                               ["organization_id", "period", "period_start"], new,
                               lambda excluded: {"learners": ActiveLearners.learners + excluded.learners}))
    return tuple(upserts)


def _count_active_learners() -> None:
    """Fill active_learners from activity_weekly (a rebuild): distinct learners per organisation and period."""
    learner = and_(Membership.organization_id == ActivityWeekly.organization_id,
                   Membership.user_id == ActivityWeekly.user_id, Membership.role == "learner")
    for period, column in (("week", ActivityWeekly.week_start), ("month", ActivityWeekly.month_start)):
        db.session.execute(ActiveLearners.__table__.insert().from_select(
            ["organization_id", "period", "period_start", "learners"],
            select(ActivityWeekly.organization_id, literal(period, String), column,
                   func.count(ActivityWeekly.user_id.distinct()))
            .join(Membership, learner).group_by(ActivityWeekly.organization_id, column)))


def _activity_upsert(conditions: list) -> Executable:
    week, month = week_start_of(Statement.timestamp), month_start_of(Statement.timestamp)
    new = (select(Statement.organization_id, Statement.actor_id, week, month, func.count())
           .where(*conditions).group_by(Statement.organization_id, Statement.actor_id, week, month))
    return _upsert(ActivityWeekly, ["organization_id", "user_id", "week_start", "month_start", "statements"],
                   ["organization_id", "user_id", "week_start", "month_start"], new,
                   lambda excluded: {"statements": ActivityWeekly.statements + excluded.statements})


def _tools_query(conditions: list) -> Select:
    """Uses per organisation, learner, week, tool and job function among these statements."""
    week, tool = week_start_of(Statement.timestamp), tool_expression()
    return (select(Statement.organization_id, Statement.actor_id, week, tool, User.job_function, func.count())
            .join(User, User.id == Statement.actor_id)
            .where(*conditions, tool.is_not(None))
            .group_by(Statement.organization_id, Statement.actor_id, week, tool, User.job_function))


def _tool_weekly_upsert(tools: Select) -> Executable:
    return _upsert(ToolWeekly, ["organization_id", "user_id", "week_start", "tool", "job_function", "uses"],
                   ["organization_id", "user_id", "week_start", "tool"], tools,
                   lambda excluded: {"uses": ToolWeekly.uses + excluded.uses})


def _add_tool_totals(passes: _Passes, found) -> None:
    """Add uses per tool to tool_uses (counts per week and function), tool_user_weeks (OR of week bits) and
    tool_last_use (the latest week, and its counts)."""
    uses: dict[tuple, int] = {}
    bits: dict[tuple, tuple[str, int]] = {}
    last: dict[tuple, tuple[str, date]] = {}
    for org_id, user_id, monday, key, fn, n in found:
        monday = as_date(monday)
        uses[(org_id, monday, key, fn)] = uses.get((org_id, monday, key, fn), 0) + n
        block, bit = adoption.week_bit(monday)
        _, mask = bits.get((org_id, user_id, key, block), (fn, 0))
        bits[(org_id, user_id, key, block)] = (fn, mask | bit)
        if (org_id, user_id, key) not in last or last[(org_id, user_id, key)][1] < monday:
            last[(org_id, user_id, key)] = (fn, monday)
    _in_chunks(passes.tool_uses, [{"organization_id": o, "week_start": w, "tool": t, "job_function": f, "uses": n}
                                  for (o, w, t, f), n in uses.items()])
    _in_chunks(passes.tool_user_weeks, [
        {"organization_id": o, "user_id": u, "tool": t, "block": b, "job_function": f, "weeks": m}
        for (o, u, t, b), (f, m) in bits.items()])
    _move_last_uses(last)


def _move_last_uses(last: dict[tuple[int, int, str], tuple[str, date]]) -> None:
    """Move each (organisation, person, tool) in tool_last_use to the later of its kept week and this use's (with
    the person's job function now), and keep tool_last_use_counts: one person fewer where they were, one more where
    they are now.

    One upsert does both: it keeps the row's previous week and function beside the new ones (`was_week`,
    `was_function`, NULL for a new row) and returns them. It locks the row (PostgreSQL), so a second transaction
    moving the same person waits, then moves them from where the first left them: nobody is counted twice.
    """
    conn = db.session.connection()
    moved: dict[tuple[int, str, str, date], int] = defaultdict(int)
    keys = sorted(last)  # rows locked in one order: two transactions cannot wait for each other
    for k in range(0, len(keys), CLAIM_CHUNK):
        for o, t, was_fn, was_week, fn, week in conn.execute(_last_use_upsert(conn.dialect.name), [
                {"organization_id": o, "user_id": u, "tool": t, "job_function": last[(o, u, t)][0],
                 "last_week": last[(o, u, t)][1]} for o, u, t in keys[k:k + CLAIM_CHUNK]]):
            week = as_date(week)
            if was_week is not None:
                was_week = as_date(was_week)
                if (was_fn, was_week) == (fn, week):
                    continue
                moved[(o, t, was_fn, was_week)] -= 1
            moved[(o, t, fn, week)] += 1
    _in_chunks(_last_use_counts_upsert(conn.dialect.name), [
        {"organization_id": o, "tool": t, "job_function": f, "last_week": w, "users": n}
        for (o, t, f, w), n in sorted(moved.items()) if n])


@cache
def _last_use_upsert(dialect: str) -> Executable:
    """The upsert of tool_last_use rows that returns each one's previous and new week and function (`dialect`: the
    cache key; the upsert is SQLite's or PostgreSQL's). Its SET expressions read the row as it was."""
    stmt = upsert(ToolLastUse)
    return (stmt.on_conflict_do_update(
        index_elements=["organization_id", "user_id", "tool"],
        set_={"was_week": ToolLastUse.last_week, "was_function": ToolLastUse.job_function,
              "last_week": _latest(ToolLastUse.last_week, stmt.excluded.last_week),
              "job_function": stmt.excluded.job_function})
        .returning(ToolLastUse.organization_id, ToolLastUse.tool, ToolLastUse.was_function, ToolLastUse.was_week,
                   ToolLastUse.job_function, ToolLastUse.last_week))


@cache
def _last_use_counts_upsert(dialect: str) -> Executable:
    """The upsert adding to tool_last_use_counts (`dialect`: the cache key, as for `_last_use_upsert`)."""
    stmt = upsert(ToolLastUseCount)
    return stmt.on_conflict_do_update(index_elements=["organization_id", "tool", "job_function", "last_week"],
                                      set_={"users": ToolLastUseCount.users + stmt.excluded.users})


def _in_chunks(upsert_: Executable, rows: list[dict]) -> None:
    """Run an upsert given its rows as parameters, CHUNK rows at a time."""
    for k in range(0, len(rows), CHUNK):
        db.session.execute(upsert_, rows[k:k + CHUNK])


def _tool_uses_upsert() -> Executable:
    stmt = upsert(ToolUses)
    return stmt.on_conflict_do_update(index_elements=["organization_id", "week_start", "tool", "job_function"],
                                      set_={"uses": ToolUses.uses + stmt.excluded.uses})


def _tool_user_weeks_upsert() -> Executable:
    stmt = upsert(ToolUserWeeks)
    return stmt.on_conflict_do_update(index_elements=["organization_id", "user_id", "tool", "block"],
                                      set_={"weeks": ToolUserWeeks.weeks.op("|")(stmt.excluded.weeks),
                                            "job_function": stmt.excluded.job_function})


def _earliest(current, new):
    # Portable LEAST that ignores NULLs (SQLite's min(a, b) returns NULL when either is NULL).
    return case((current.is_(None), new), (new.is_(None), current), (current <= new, current), else_=new)


def _latest(current, new):
    return case((current.is_(None), new), (new.is_(None), current), (current >= new, current), else_=new)


def _milestones_upsert(conditions: list) -> Executable:
    """The upsert of learner_milestones from these statements. It records in `added_first_steps` which first-time
    milestones it set (a new row: every one it has; an existing row: those it had not) and returns them, so the
    cohorts' funnel counts add exactly those."""
    columns = milestone_columns()
    firsts = {name: func.min(case((condition, Statement.timestamp))) for name, condition in columns.items()}
    bits = {name: funnels.STEPS[name][1] for name in columns}
    new = (select(Statement.organization_id, Statement.actor_id, *firsts.values(), func.max(Statement.timestamp),
                  func.count(), sum(case((first.is_not(None), bits[name]), else_=0) for name, first in firsts.items()))
           .where(*conditions).group_by(Statement.organization_id, Statement.actor_id))

    def merge(excluded) -> dict:
        merged = {name: _earliest(getattr(LearnerMilestone, name), getattr(excluded, name)) for name in columns}
        merged["last_at"] = _latest(LearnerMilestone.last_at, excluded.last_at)
        merged["statements"] = LearnerMilestone.statements + excluded.statements
        merged["added_first_steps"] = sum(
            case((and_(getattr(LearnerMilestone, name).is_(None), getattr(excluded, name).is_not(None)), bit), else_=0)
            for name, bit in bits.items())
        return merged

    return _upsert(LearnerMilestone, ["organization_id", "user_id", *columns, "last_at", "statements",
                                      "added_first_steps"],
                   ["organization_id", "user_id"], new, merge).returning(
        LearnerMilestone.organization_id, LearnerMilestone.user_id, LearnerMilestone.added_first_steps)


def milestone_columns() -> dict:
    """Return the funnel milestones kept in learner_milestones, each with the statements that reach it."""
    return {
        "first_module_at": and_(Statement.verb == "completed", Statement.object_type == "module"),
        "first_import_at": Statement.verb == "imported",
        "first_run_at": and_(Statement.verb == "ran", Statement.object_type == "exercise"),
        "first_course_at": and_(Statement.verb == "completed", Statement.object_type == "course"),
    }


def tool_expression():
    """Return the SQL CASE that names the tool a statement uses (None for statements that use no tool)."""
    branches = []
    for tool in adoption.TOOLS:
        conditions = []
        if tool.verbs:
            conditions.append(Statement.verb.in_(tool.verbs))
        if tool.object_types:
            conditions.append(Statement.object_type.in_(tool.object_types))
        value = (literal(f"{tool.key}:", String) + Statement.object_id) if tool.per_object else literal(tool.key, String)
        branches.append((and_(*conditions), value))
    return case(*branches, else_=None)
