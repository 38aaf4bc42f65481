"""Tool usage: uses and distinct users of each tool (modules, knowledge checks, imports, each exercise, ...) per
job function, read from the weekly tool roll-ups.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BigInteger, and_, func, literal, or_, select

from lms.extensions import db
from lms.identity.models import CohortMember
from lms.reports import adoption
from lms.reports.filters import Filters
from lms.reports.models import ToolLastUse, ToolLastUseCount, ToolUserWeeks, ToolUses, ToolWeekly


@dataclass(frozen=True)
class ToolRow:
    key: str
    label: str
    uses: int
    users: int
    by_function: dict[str, tuple[int, int]]  # function -> (uses, users)


def exercise_titles() -> dict[str, str]:
    """Return {exercise slug: title} from the exercise registry (files, loaded once; no query)."""
    from lms.practice.exercises import exercise_registry

    return {slug: exercise.title for slug, exercise in exercise_registry().items()}


def tool_usage(f: Filters, exercise_titles: dict[str, str]) -> list[ToolRow]:
    """Return uses and distinct users of each tool in the period's weeks, in total and per function (two queries
    on the roll-ups: distinct users, then per-week counts for uses). Any role counts: managers use reports."""
    cohort = select(CohortMember.user_id).where(CohortMember.cohort_id == f.cohort_id) if f.cohort_id else None
    users = _users_to_date(f, cohort) if f.to_today else _users_in_weeks(f, cohort)
    source = ToolWeekly if cohort is not None else ToolUses  # per learner only when a cohort narrows it
    counted = [source.organization_id == f.org_id, source.week_start >= adoption.week_start(f.chart_start),
               source.week_start <= f.end_date]
    if cohort is not None:
        counted.append(ToolWeekly.user_id.in_(cohort))
    if f.function:
        counted.append(source.job_function == f.function)
    rows: dict[str, dict[str, tuple[int, int]]] = {}
    for key, fn, uses in db.session.execute(
        select(source.tool, source.job_function, func.sum(source.uses)).where(*counted)
        .group_by(source.tool, source.job_function)
    ):
        rows.setdefault(key, {})[fn] = (int(uses), users.get((key, fn), 0))
    order = {t.key: i for i, t in enumerate(adoption.TOOLS)}
    result = [ToolRow(key, adoption.tool_label(key, exercise_titles), sum(u for u, _ in fns.values()),
                      sum(n for _, n in fns.values()), fns) for key, fns in rows.items()]
    return sorted(result, key=lambda r: (order.get(r.key.split(":")[0], 99), r.label))


def _users_in_weeks(f: Filters, cohort) -> dict[tuple[str, str], int]:
    """{(tool, function): distinct users} in the period's weeks, from the week bits (any period)."""
    masks = adoption.week_masks(f.chart_start, f.end_date)
    in_period = or_(*(and_(ToolUserWeeks.block == block, ToolUserWeeks.weeks.op("&")(literal(mask, BigInteger)) != 0)
                      for block, mask in masks.items()))
    who = [ToolUserWeeks.organization_id == f.org_id, in_period]
    if cohort is not None:
        who.append(ToolUserWeeks.user_id.in_(cohort))
    if f.function:
        who.append(ToolUserWeeks.job_function == f.function)
    # A period within one block has one row per learner and tool: a plain count, no DISTINCT needed.
    people = func.count(ToolUserWeeks.user_id.distinct()) if len(masks) > 1 else func.count()
    return {(key, fn): n for key, fn, n in db.session.execute(
        select(ToolUserWeeks.tool, ToolUserWeeks.job_function, people).where(*who)
        .group_by(ToolUserWeeks.tool, ToolUserWeeks.job_function))}


def _users_to_date(f: Filters, cohort) -> dict[tuple[str, str], int]:
    """{(tool, function): distinct users} in a period that runs to today: the people whose last use of the tool
    is in or after the period's first week (a use dated after today counts as this week's): the kept counts of
    people per week of last use, or, for a cohort, its members' rows."""
    first_week = adoption.week_start(f.chart_start)
    if cohort is None:
        people = func.sum(ToolLastUseCount.users)
        who = [ToolLastUseCount.organization_id == f.org_id, ToolLastUseCount.last_week >= first_week]
        if f.function:
            who.append(ToolLastUseCount.job_function == f.function)
        return {(key, fn): int(n) for key, fn, n in db.session.execute(
            select(ToolLastUseCount.tool, ToolLastUseCount.job_function, people).where(*who)
            .group_by(ToolLastUseCount.tool, ToolLastUseCount.job_function)) if n}
    who = [ToolLastUse.organization_id == f.org_id, ToolLastUse.last_week >= first_week,
           ToolLastUse.user_id.in_(cohort)]
    if f.function:
        who.append(ToolLastUse.job_function == f.function)
    return {(key, fn): n for key, fn, n in db.session.execute(
        select(ToolLastUse.tool, ToolLastUse.job_function, func.count()).where(*who)
        .group_by(ToolLastUse.tool, ToolLastUse.job_function))}
