"""The ROI report: a cohort's workspace outcomes on target accounts after its programme start, compared with a
baseline period or an untrained group, against its programme costs (Phillips figures in `reports.roi`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import and_, func, or_, select

from lms.accounts.models import Account, Handoff, Opportunity, Workspace
from lms.extensions import db
from lms.identity.models import Cohort, CohortMember
from lms.reports import charts, roi
from lms.reports.costs import costs_for
from lms.reports.dialect import as_datetime
from lms.reports.filters import Filters
from lms.reports.models import ProgrammeCost
from lms.reports.queries.scope import cohorts


def _cohort_workspaces(org_id: int, cohort_id: int):
    learners = select(CohortMember.user_id).where(CohortMember.cohort_id == cohort_id, CohortMember.role == "learner")
    return select(Workspace.id).where(Workspace.organization_id == org_id,
                                      or_(Workspace.cohort_id == cohort_id, Workspace.owner_id.in_(learners)))


def outcomes(org_id: int, cohort_id: int, start: datetime, end: datetime) -> roi.Outcomes:
    """Return the cohort's workspace outcomes on target accounts for opportunities created in [start, end), and
    meetings booked from handoffs sent then (three queries)."""
    workspaces = _cohort_workspaces(org_id, cohort_id)
    won = Opportunity.is_won.is_(True)
    still_open = and_(Opportunity.is_won.is_(None), Opportunity.closed_at.is_(None))
    created, won_amount, open_amount, deals = db.session.execute(
        select(func.coalesce(func.sum(Opportunity.amount), 0), func.coalesce(func.sum(Opportunity.amount).filter(won), 0),
               func.coalesce(func.sum(Opportunity.amount).filter(still_open), 0), func.count().filter(won))
        .join(Account, Account.id == Opportunity.account_id)
        .where(Opportunity.workspace_id.in_(workspaces), Account.is_target.is_(True),
               Opportunity.created_at >= start, Opportunity.created_at < end)).one()
    meetings = db.session.scalar(
        select(func.count(Handoff.id)).where(Handoff.workspace_id.in_(workspaces), Handoff.meeting_booked.is_(True),
                                             Handoff.sent_at >= start, Handoff.sent_at < end))
    learners = db.session.scalar(select(func.count(CohortMember.id)).where(CohortMember.cohort_id == cohort_id,
                                                                           CohortMember.role == "learner"))
    return roi.Outcomes(days=(end - start).days, pipeline_created=float(created), won=float(won_amount),
                        open_pipeline=float(open_amount), deals_won=deals, meetings=meetings, learners=learners)


def programme_start(org_id: int, cohort: Cohort) -> datetime | None:
    """Return the cohort's programme start: the earliest set on its workspaces, else the cohort's start date."""
    start = db.session.scalar(select(func.min(Workspace.programme_start))
                              .where(Workspace.id.in_(_cohort_workspaces(org_id, cohort.id))))
    if start is None and cohort.starts_on:
        start = datetime.combine(cohort.starts_on, time.min)
    return as_datetime(start)


@dataclass
class RoiReport:
    filters: Filters
    cohort: Cohort | None
    cohorts: list[Cohort]
    inputs: ProgrammeCost | None
    start: datetime | None
    end: datetime
    after: roi.Outcomes | None
    comparison: roi.Comparison | None
    comparison_window: tuple[datetime, datetime] | None
    result: roi.RoiResult
    actions: list[str]
    charts: list[charts.Chart]


def roi_report(f: Filters) -> RoiReport:
    """Return the ROI of one cohort (the cohort filter, else the first cohort): its costs, assumptions, outcomes
    after the programme start against the baseline period or an untrained group, and the Phillips figures."""
    all_cohorts = cohorts(f.org_id)
    cohort = next((c for c in all_cohorts if c.id == f.cohort_id), all_cohorts[0] if all_cohorts else None)
    end = f.end_before
    if cohort is None:
        first = "Create a cohort first: ROI is measured per cohort, from its costs and its workspace's outcomes."
        return RoiReport(f, None, [], None, None, end, None, None, None, roi.RoiResult(missing=(first,)), [first], [])
    inputs = costs_for(f.org_id, cohort.id)
    start = programme_start(f.org_id, cohort)
    after = comparison = window = None
    if start is not None and start < end:
        after = outcomes(f.org_id, cohort.id, start, end)
        comparison, window = _comparison(f.org_id, cohort, inputs, start, end)
    costs, assumptions = _inputs(inputs)
    result = roi.roi(costs, assumptions, after, comparison)
    if start is not None and start >= end:
        result = roi.RoiResult(missing=result.missing + (
            f"The programme starts on {start:%d %b %Y}: choose an end date after it to measure outcomes.",),
            costs=result.costs, cost_lines=result.cost_lines)
    actions = list(result.missing) or _roi_actions(result)
    built = []
    if result.complete:
        built.append(charts.bar_chart(
            "Benefits and costs", "The benefit credited to training against the fully loaded costs.",
            ["Benefits", "Costs"], [round(result.benefits, 2), round(result.costs, 2)], value_header="Amount",
            ident="roi"))
        built.append(charts.bar_chart(
            "ROI at other attribution factors", "ROI % if the share of the improvement due to training were half "
            "or double the factor entered.", [f"Attribution {a:g}" for a, _ in result.sensitivity],
            [r for _, r in result.sensitivity], unit="%", value_header="ROI", ident="sensitivity"))
    return RoiReport(f, cohort, all_cohorts, inputs, start, end, after, comparison, window, result, actions, built)


def _inputs(row: ProgrammeCost | None) -> tuple[roi.Costs, roi.Assumptions]:
    if row is None:
        return roi.Costs(), roi.Assumptions()
    return (roi.Costs(row.fee_per_seat, row.seats, row.hours_per_learner, row.hourly_cost, row.coach_costs,
                      row.platform_costs),
            roi.Assumptions(row.attribution, row.confidence, row.gross_margin, row.win_rate))


def _comparison(org_id: int, cohort: Cohort, inputs: ProgrammeCost | None, start: datetime, end: datetime):
    if inputs is not None and inputs.comparison == "group":
        if not inputs.comparison_cohort_id:
            return None, None
        group = db.session.get(Cohort, inputs.comparison_cohort_id)
        if group is None or group.organization_id != org_id:
            return None, None
        return roi.Comparison("group", outcomes(org_id, group.id, start, end), group.name), (start, end)
    if inputs is not None and inputs.baseline_start and inputs.baseline_end:
        b_start = datetime.combine(inputs.baseline_start, time.min)
        b_end = datetime.combine(inputs.baseline_end + timedelta(days=1), time.min)
    else:
        b_end, b_start = start, start - (end - start)
    return roi.Comparison("baseline", outcomes(org_id, cohort.id, b_start, b_end), "baseline period"), (b_start, b_end)


def _roi_actions(result: roi.RoiResult) -> list[str]:
    if result.roi_percent is None:
        return []
    if result.roi_percent >= 0:
        return [f"The programme returns {result.roi_percent:.0f}% on its costs: share the figures and their "
                "assumptions with finance, and keep measuring the next cohort the same way."]
    return [f"The return is {result.roi_percent:.0f}% so far: check the assumptions, give the pipeline time to "
            "close, and focus coaching on the competencies with the largest gaps."]
