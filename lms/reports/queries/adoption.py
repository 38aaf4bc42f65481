"""The adoption report: the funnel per cohort, weekly and monthly active learners, and the page that brings them
together with tool usage, sales vs marketing, laggards and A-players.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, exists, func, literal_column, select
from sqlalchemy.orm import aliased

from lms.database import side_by_side
from lms.extensions import db
from lms.identity.models import Cohort, CohortMember, Invitation, User
from lms.reports import adoption, charts, completion
from lms.reports.dialect import as_date, plus_days, sqlite_no_index
from lms.reports.filters import Filters
from lms.reports.models import ActiveLearners, ActivityWeekly, CohortFunnel, LearnerMilestone
from lms.reports.queries.a_players import APlayer, a_players
from lms.reports.queries.by_function import FunctionRow, by_function
from lms.reports.queries.completion import LaggardRow, laggards
from lms.reports.queries.practice_use import PracticeUse, practice_use
from lms.reports.queries.scope import NO_COHORT, cohorts, learner_ids
from lms.reports.queries.tools import ToolRow, tool_usage
from lms.reports.rollup import uncounted
from lms.tracking.models import Statement


def funnel_counts(f: Filters) -> dict[int, dict[str, int]]:
    """Return {cohort id: {funnel step: people}} for the organisation's cohorts.

    Population: the cohort's learners who joined in the period, plus invitations to the cohort made in the period
    and neither accepted nor revoked. Steps count whenever they were reached, as far as the roll-up has read
    (learner_milestones); "active after completing" reads the statements themselves. For a period that runs to
    today, with no start and no function, the counts kept per cohort (cohort_funnels) answer, and only those who
    completed are read (three queries); otherwise every member is (two queries).
    """
    out = _kept_funnels(f) if f.to_today and not f.start_at and not f.function else _computed_funnels(f)
    for cid, pending in db.session.execute(_pending_invitations(f)):
        out.setdefault(cid, dict.fromkeys(adoption.FUNNEL_LABELS, 0))["invited"] += pending
    return out


def _kept_funnels(f: Filters) -> dict[int, dict[str, int]]:
    kept = select(CohortFunnel).where(CohortFunnel.organization_id == f.org_id, CohortFunnel.learners != 0)
    # Those active after completing: found among those who completed (an IN list), then their cohorts; joined
    # instead, SQLite walks every cohort member.
    retained = select(LearnerMilestone.user_id).where(
        LearnerMilestone.organization_id == f.org_id, LearnerMilestone.first_course_at.is_not(None),
        _active_after_completing(f, LearnerMilestone.user_id))
    members = [CohortMember.user_id.in_(retained), CohortMember.role == "learner",
               CohortMember.cohort_id.in_(select(Cohort.id).where(Cohort.organization_id == f.org_id))]
    if f.cohort_id:
        kept = kept.where(CohortFunnel.cohort_id == f.cohort_id)
        members.append(CohortMember.cohort_id == f.cohort_id)
    out = {row.cohort_id: {"invited": row.learners, "activated": row.activated, "first_module": row.first_module,
                           "first_import": row.first_import, "first_run": row.first_run, "completed": row.completed,
                           "retained": 0} for row in db.session.scalars(kept)}
    for cid, n in db.session.execute(select(CohortMember.cohort_id, func.count()).where(*members)
                                     .group_by(CohortMember.cohort_id)):
        if cid in out:
            out[cid]["retained"] = n
    return out


def _active_after_completing(f: Filters, user_id) -> ColumnElement:
    """Whether the learner `user_id` (a column) made a statement 1 to 30 days after their first course completion
    (learner_milestones joined as LearnerMilestone)."""
    later = aliased(Statement)
    firsts = LearnerMilestone
    return exists().where(
        later.actor_id == user_id, sqlite_no_index(later.organization_id) == f.org_id,  # see scope.by_actor
        later.timestamp >= plus_days(firsts.first_course_at, literal_column(str(adoption.ACTIVE_AFTER_GRACE_DAYS))),
        later.timestamp <= plus_days(firsts.first_course_at, literal_column(str(adoption.ACTIVE_AFTER_DAYS))))


def _computed_funnels(f: Filters) -> dict[int, dict[str, int]]:
    firsts = LearnerMilestone
    retained = _active_after_completing(f, CohortMember.user_id)
    # One pass over the members, each joined once to their user and their milestones.
    members = [CohortMember.cohort_id.in_(select(Cohort.id).where(Cohort.organization_id == f.org_id)),
               CohortMember.role == "learner", CohortMember.joined_at < f.end_before]
    if f.start_at:
        members.append(CohortMember.joined_at >= f.start_at)
    if f.cohort_id:
        members.append(CohortMember.cohort_id == f.cohort_id)
    if f.function:
        members.append(User.job_function == f.function)
    out: dict[int, dict[str, int]] = {}
    for cid, n, activated, module, imported, run, course, kept in db.session.execute(
        select(CohortMember.cohort_id, func.count(), func.count(User.activated_at),
               func.count(firsts.first_module_at), func.count(firsts.first_import_at), func.count(firsts.first_run_at),
               func.count(firsts.first_course_at), func.count().filter(and_(firsts.first_course_at.is_not(None),
                                                                             retained)))
        .join(User, User.id == CohortMember.user_id)
        .outerjoin(firsts, and_(firsts.user_id == CohortMember.user_id, firsts.organization_id == f.org_id))
        .where(*members).group_by(CohortMember.cohort_id)
    ):
        out[cid] = {"invited": n, "activated": activated, "first_module": module, "first_import": imported,
                    "first_run": run, "completed": course, "retained": kept}
    return out


def _pending_invitations(f: Filters):
    """Invitations per cohort made in the period and neither accepted nor revoked (the top of the funnel)."""
    invited = (select(Invitation.cohort_id, func.count())
               .where(Invitation.organization_id == f.org_id, Invitation.cohort_id.is_not(None),
                      Invitation.role == "learner", Invitation.accepted_at.is_(None),
                      Invitation.revoked_at.is_(None), Invitation.created_at < f.end_before)
               .group_by(Invitation.cohort_id))
    if f.start_at:
        invited = invited.where(Invitation.created_at >= f.start_at)
    if f.cohort_id:
        invited = invited.where(Invitation.cohort_id == f.cohort_id)
    if f.function:
        invited = invited.where(Invitation.job_function == f.function)
    return invited


def active_series(f: Filters, period: str) -> tuple[list[date], list[int]]:
    """Return the period starts and distinct active learners per week or month (one query): the organisation's
    totals when no cohort or function narrows the report, else the per-learner roll-up joined to who is in it."""
    column = ActivityWeekly.week_start if period == "week" else ActivityWeekly.month_start
    starts = adoption.periods(f.chart_start, f.end_date, period)
    if not starts:
        return [], []
    if not f.cohort_id and not f.function:
        values = {as_date(start): n for start, n in db.session.execute(
            select(ActiveLearners.period_start, ActiveLearners.learners)
            .where(ActiveLearners.organization_id == f.org_id, ActiveLearners.period == period,
                   ActiveLearners.period_start >= starts[0], ActiveLearners.period_start <= f.end_date))}
        return starts, adoption.fill_series(values, starts)
    values = {as_date(start): n for start, n in db.session.execute(
        select(column, func.count(ActivityWeekly.user_id.distinct()))
        .where(ActivityWeekly.organization_id == f.org_id, column >= starts[0], column <= f.end_date,
               ActivityWeekly.user_id.in_(learner_ids(f)))
        .group_by(column))}
    return starts, adoption.fill_series(values, starts)


@dataclass
class AdoptionReport:
    filters: Filters
    funnels: list[tuple[str, list[adoption.FunnelStep]]]
    total: list[adoption.FunnelStep]
    advice: str | None
    weeks: list[date]
    wau: list[int]
    months: list[date]
    mau: list[int]
    learners: int
    tools: list[ToolRow]
    functions: list[FunctionRow]
    laggards: list[LaggardRow]
    laggard_total: int
    a_players: list[APlayer]
    uncounted: int  # statements inserted in bulk that no roll-up has counted yet
    actions: list[str]
    charts: list[charts.Chart]
    practice: PracticeUse | None = None  # use of the practice outside the academy (other tools' statements)


def _the_rest(f: Filters, exercise_titles: dict[str, str], full: bool) -> tuple:
    """The adoption report's smaller reads, in this order: cohort names, funnel counts, weekly and monthly active
    learners, tool usage, statements the roll-up has not read yet, practice in people's own tools."""
    return ({c.id: c.name for c in cohorts(f.org_id)}, funnel_counts(f), active_series(f, "week"),
            active_series(f, "month"), tool_usage(f, exercise_titles), uncounted(f.org_id), practice_use(f, full=full))


def adoption_report(f: Filters, exercise_titles: dict[str, str], *, full: bool = False) -> AdoptionReport:
    """Return the adoption report: funnel per cohort, weekly and monthly active learners, tool usage, sales vs
    marketing, laggards (all of them when `full`), A-players and practice use in people's own tools (a fixed number
    of queries)."""
    # The three org-wide passes (sales vs marketing, laggards, A-players) each read every learner: they run beside the
    # rest, each on a connection of its own (lms.database.side_by_side), and the page waits for the slowest part
    # instead of their sum.
    rest, functions, (lag, lag_total), players = side_by_side(
        lambda: _the_rest(f, exercise_titles, full), lambda: by_function(f),
        lambda: laggards(f, limit=None if full else 100), lambda: a_players(f))
    names, counts, (weeks, wau), (months, mau), tools, left, practice = rest
    funnels = [(names.get(cid, NO_COHORT), adoption.funnel(c))
               for cid, c in sorted(counts.items(), key=lambda kv: names.get(kv[0], ""))]
    totals = {key: sum(c.get(key, 0) for c in counts.values()) for key in adoption.FUNNEL_LABELS}
    total = adoption.funnel(totals)
    population = sum(r.learners for r in functions)  # every learner has one job function
    advice = adoption.funnel_advice(total)
    actions = [a for a in (advice,) if a]
    if lag_total:
        actions.append(f"{lag_total} laggard{'s have' if lag_total != 1 else ' has'} done nothing for "
                       f"{completion.LAGGARD_DAYS} days: send them a nudge (emails in the laggards CSV).")
    if players:
        actions.append(f"Ask your A-players ({', '.join(p.name for p in players[:3])}) to show their work to "
                       "the team.")
    if practice.laggard_total:
        actions.append(f"{practice.laggard_total} trained {'people have' if practice.laggard_total != 1 else 'person has'}"
                       " not used a practice in their own tools since their training: see the practice laggards.")
    used = {t.key.split(":")[0] for t in tools}
    never = [t.label for t in adoption.TOOLS if t.key not in used and t.key != "reports"]
    if never and population:
        actions.append(f"Not used in this period: {', '.join(never)}. Show the team where to find them.")
    built = [
        charts.funnel_chart("Adoption funnel", "From invitation to active use after completing a course: people "
                            "reaching each step, with their share of those invited.",
                            [(s.label, s.count) for s in total], ident="funnel"),
        charts.line_chart("Weekly active learners",
                          f"Distinct learners with at least one statement each week, of {population} learners.",
                          [f"{d.day} {d:%b %Y}" for d in weeks], [("Active learners", wau)], ident="wau"),
        charts.line_chart("Monthly active learners",
                          f"Distinct learners with at least one statement each month, of {population} learners.",
                          [f"{d:%b %Y}" for d in months], [("Active learners", mau)], ident="mau"),
        charts.bar_chart("Tool usage", "Uses of each tool in the period.", [t.label for t in tools],
                         [t.uses for t in tools], value_header="Uses", ident="tools"),
    ]
    return AdoptionReport(f, funnels, total, advice, weeks, wau, months, mau, population, tools, functions, lag,
                          lag_total, players, left, actions, built, practice)
