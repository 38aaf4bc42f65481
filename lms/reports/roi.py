"""Training ROI by the Phillips method (ABM-REFERENCE 4.5): benefits, fully loaded costs, ROI %, BCR, payback.

Pure: plain values in, a `RoiResult` out; missing inputs are named in `RoiResult.missing`, never raised.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Costs:
    """The programme's fully loaded costs; None means not entered yet."""

    fee_per_seat: float | None = None
    seats: int | None = None
    hours_per_learner: float | None = None
    hourly_cost: float | None = None
    coach_costs: float | None = None
    platform_costs: float | None = None


@dataclass(frozen=True)
class Assumptions:
    """The manager's assumptions, each 0-1; None means not entered yet."""

    attribution: float | None = None
    confidence: float | None = None
    gross_margin: float | None = None
    win_rate: float | None = None


@dataclass(frozen=True)
class Outcomes:
    """Workspace outcomes on target accounts in one window of `days` days (amounts in one currency)."""

    days: int
    pipeline_created: float = 0.0  # amount of opportunities created in the window
    won: float = 0.0  # of which won
    open_pipeline: float = 0.0  # of which still open
    deals_won: int = 0
    meetings: int = 0
    learners: int = 0  # head count of the group (for an untrained comparison group)

    @property
    def deal_size(self) -> float | None:
        return self.won / self.deals_won if self.deals_won else None


@dataclass(frozen=True)
class Comparison:
    """What the cohort's outcomes are compared with: "baseline" (same team before) or "group" (untrained)."""

    kind: str
    outcomes: Outcomes
    label: str = ""


@dataclass(frozen=True)
class Step:
    label: str
    value: float
    formula: str


@dataclass(frozen=True)
class RoiResult:
    missing: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    costs: float | None = None
    cost_lines: tuple[Step, ...] = ()
    benefits: float | None = None
    steps: tuple[Step, ...] = ()
    roi_percent: float | None = None
    bcr: float | None = None
    payback_months: float | None = None
    sensitivity: tuple[tuple[float, float | None], ...] = field(default_factory=tuple)  # (attribution, ROI %)

    @property
    def complete(self) -> bool:
        return not self.missing and self.roi_percent is not None


def total_costs(costs: Costs) -> tuple[float | None, tuple[Step, ...], tuple[str, ...]]:
    """Return (total, the cost lines, missing-input messages). The total is None while anything needed is missing.

    Fees and seats are required; learner hours and the loaded hourly cost are required together (fully loaded
    costs include the learners' time; enter 0 to leave it out knowingly); coach and platform costs default to 0.
    """
    missing = []
    if costs.fee_per_seat is None or costs.seats is None:
        missing.append("Enter the programme fees (fee per seat and seats) to see ROI.")
    if costs.hours_per_learner is None or costs.hourly_cost is None:
        missing.append("Enter the learner hours and the loaded hourly cost: fully loaded costs include the "
                       "learners' time (enter 0 to leave it out).")
    if missing:
        return None, (), tuple(missing)
    seats = costs.seats or 0
    lines = (
        Step("Fees", costs.fee_per_seat * seats, f"{costs.fee_per_seat:,.2f} per seat x {seats} seats"),
        Step("Learners' time", costs.hours_per_learner * seats * costs.hourly_cost,
             f"{costs.hours_per_learner:g} hours x {seats} learners x {costs.hourly_cost:,.2f} per hour"),
        Step("Coach costs", costs.coach_costs or 0.0, "as entered" if costs.coach_costs is not None else "none entered"),
        Step("Platform costs", costs.platform_costs or 0.0,
             "as entered" if costs.platform_costs is not None else "none entered"),
    )
    return sum(line.value for line in lines), lines, ()


def outcome_value(outcomes: Outcomes, win_rate: float) -> float:
    """Return the expected revenue of a window's outcomes: won revenue plus open pipeline x win rate."""
    return outcomes.won + outcomes.open_pipeline * win_rate


def comparison_scale(after: Outcomes, comparison: Comparison) -> float:
    """Return the factor that brings the comparison to the cohort's size: window length for a baseline, head
    count for a group (and window length too when the windows differ). 0 when the comparison is empty."""
    scale = 1.0
    if comparison.outcomes.days:
        scale *= after.days / comparison.outcomes.days
    else:
        return 0.0
    if comparison.kind == "group":
        if not comparison.outcomes.learners:
            return 0.0
        scale *= after.learners / comparison.outcomes.learners
    return scale


def roi(costs: Costs, assumptions: Assumptions, after: Outcomes | None,
        comparison: Comparison | None = None) -> RoiResult:
    """Compute benefits, costs, ROI %, benefit-cost ratio, payback months and the attribution sensitivity.

    `after` is None when the programme start is unknown. Returns a RoiResult whose `missing` lists what to enter
    in plain English ("Enter the programme fees to see ROI."); figures that cannot be computed are None. Never
    raises or divides by zero for missing or zero inputs.

    Benefit, step by step (every step is kept in `RoiResult.steps` so the page can show it):
    1. value of outcomes = won revenue + open pipeline x win rate (expected revenue), on target accounts in the
       window
    2. incremental value = value after the programme start - the comparison's value, scaled to the same length
       (baseline period) or the same head count (untrained comparison group); no comparison: all of it, flagged
    3. gross profit = incremental value x gross margin (a decline credits nothing: conservative)
    4. benefit = gross profit x attribution factor x confidence
    Costs = fee per seat x seats + hours per learner x seats x loaded hourly cost + coach costs + platform costs.
    """
    total, cost_lines, missing = total_costs(costs)
    missing = list(missing)
    for name, value in (("attribution factor", assumptions.attribution), ("confidence", assumptions.confidence),
                        ("gross margin", assumptions.gross_margin), ("win rate for open pipeline", assumptions.win_rate)):
        if value is None:
            missing.append(f"Enter the {name} (between 0 and 1) to see ROI.")
    if after is None:
        missing.append("Set the programme start on the cohort's workspace to measure outcomes after it.")
    if total is not None and total <= 0:
        missing.append("The costs add up to zero: enter the programme fees to see ROI.")
    if missing:
        return RoiResult(missing=tuple(missing), costs=total, cost_lines=cost_lines)

    benefit, steps, warnings = _benefit(assumptions, after, comparison)
    months = after.days / DAYS_PER_MONTH if after.days else 0
    payback = total / (benefit / months) if benefit > 0 and months else None
    if benefit <= 0:
        warnings += ("No benefit is credited, so the programme has not paid back yet.",)
    sensitivity = tuple(
        (factor, _roi_percent(_benefit(replace(assumptions, attribution=factor), after, comparison)[0], total))
        for factor in sorted({round(min(1.0, assumptions.attribution * k), 4) for k in (0.5, 1.0, 2.0)})
    )
    return RoiResult(
        missing=(),
        warnings=warnings,
        costs=total,
        cost_lines=cost_lines,
        benefits=benefit,
        steps=steps,
        roi_percent=_roi_percent(benefit, total),
        bcr=benefit / total,
        payback_months=payback,
        sensitivity=sensitivity,
    )


def _roi_percent(benefit: float, costs: float) -> float:
    return (benefit - costs) / costs * 100


def _benefit(a: Assumptions, after: Outcomes, comparison: Comparison | None) -> tuple[float, tuple[Step, ...],
                                                                                        tuple[str, ...]]:
    warnings: tuple[str, ...] = ()
    value_after = outcome_value(after, a.win_rate)
    steps = [Step("Value of outcomes after the start", value_after,
                  f"won {after.won:,.2f} + open pipeline {after.open_pipeline:,.2f} x win rate {a.win_rate:g}")]
    if comparison is None:
        baseline_value = 0.0
        warnings += ("No baseline or comparison group: every outcome after the start is counted, which overstates "
                     "the effect of training. Enter a baseline period or an untrained group.",)
    else:
        scale = comparison_scale(after, comparison)
        baseline_value = outcome_value(comparison.outcomes, a.win_rate) * scale
        what = "baseline period" if comparison.kind == "baseline" else "untrained group"
        steps.append(Step(f"Value in the {what}, scaled", baseline_value,
                          f"(won {comparison.outcomes.won:,.2f} + open {comparison.outcomes.open_pipeline:,.2f}"
                          f" x {a.win_rate:g}) x {scale:.3g}"))
    incremental = value_after - baseline_value
    steps.append(Step("Incremental value", incremental, "after - comparison"))
    gross_profit = max(incremental, 0.0) * a.gross_margin
    if incremental < 0:
        warnings += ("The cohort's outcomes are below the comparison: no gain is credited to training.",)
    steps.append(Step("Gross profit", gross_profit, f"incremental value x gross margin {a.gross_margin:g}"))
    benefit = gross_profit * a.attribution * a.confidence
    steps.append(Step("Benefit credited to training", benefit,
                      f"gross profit x attribution {a.attribution:g} x confidence {a.confidence:g}"))
    return benefit, tuple(steps), warnings
