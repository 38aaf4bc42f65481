"""ROI (Phillips) on plain values: the course's worked example, baselines, comparison groups, missing inputs."""

from __future__ import annotations

import pytest

from lms.reports.roi import Assumptions, Comparison, Costs, Outcomes, comparison_scale, roi, total_costs

# ABM-REFERENCE 4.5: $40,000 fully loaded; $600,000 more influenced pipeline than a control group; 25% win rate,
# 60% gross margin -> $90,000 gross profit; 50% attribution x 80% confidence -> $36,000; ROI -10%, BCR 0.9.
EXAMPLE_COSTS = Costs(fee_per_seat=2_000, seats=20, hours_per_learner=0, hourly_cost=0)
EXAMPLE_ASSUMPTIONS = Assumptions(attribution=0.5, confidence=0.8, gross_margin=0.6, win_rate=0.25)


def test_worked_example_gives_minus_ten_percent_and_bcr_point_nine():
    trained = Outcomes(days=180, open_pipeline=600_000, learners=20)
    control = Comparison("group", Outcomes(days=180, open_pipeline=0, learners=20), "control group")
    result = roi(EXAMPLE_COSTS, EXAMPLE_ASSUMPTIONS, trained, control)
    assert result.missing == ()
    assert result.costs == pytest.approx(40_000)
    assert result.benefits == pytest.approx(36_000)
    assert result.roi_percent == pytest.approx(-10)
    assert result.bcr == pytest.approx(0.9)
    steps = {s.label: s.value for s in result.steps}
    assert steps["Gross profit"] == pytest.approx(90_000)


def test_sensitivity_shows_roi_at_half_and_double_the_attribution():
    result = roi(EXAMPLE_COSTS, EXAMPLE_ASSUMPTIONS, Outcomes(days=180, open_pipeline=600_000, learners=20),
                 Comparison("group", Outcomes(days=180, learners=20)))
    # 0.25: 90,000 x 0.25 x 0.8 = 18,000 -> -55%; 1.0: 72,000 -> +80%.
    assert result.sensitivity == (pytest.approx((0.25, -55.0)), pytest.approx((0.5, -10.0)),
                                  pytest.approx((1.0, 80.0)))


def test_payback_months_from_the_monthly_benefit():
    # 365.25 days = 12 months; benefit 36,000 a year = 3,000 a month; costs 40,000 -> 13.33 months.
    result = roi(EXAMPLE_COSTS, EXAMPLE_ASSUMPTIONS, Outcomes(days=365.25, open_pipeline=600_000, learners=20),
                 Comparison("group", Outcomes(days=365.25, learners=20)))
    assert result.payback_months == pytest.approx(40_000 / 3_000)


def test_with_a_baseline_only_the_increase_counts():
    costs = Costs(fee_per_seat=500, seats=10, hours_per_learner=2, hourly_cost=50, coach_costs=2_000,
                  platform_costs=2_000)  # 5,000 + 1,000 + 2,000 + 2,000 = 10,000
    assumptions = Assumptions(attribution=0.5, confidence=0.8, gross_margin=0.5, win_rate=0.25)
    after = Outcomes(days=90, won=100_000, open_pipeline=200_000)  # value 100,000 + 50,000 = 150,000
    baseline = Comparison("baseline", Outcomes(days=90, won=50_000))  # value 50,000
    result = roi(costs, assumptions, after, baseline)
    assert result.costs == pytest.approx(10_000)
    assert result.benefits == pytest.approx((150_000 - 50_000) * 0.5 * 0.5 * 0.8)  # 20,000
    assert result.roi_percent == pytest.approx(100)
    assert result.bcr == pytest.approx(2)
    assert result.warnings == ()


def test_a_shorter_baseline_is_scaled_to_the_same_length():
    after = Outcomes(days=90, won=90_000)
    baseline = Comparison("baseline", Outcomes(days=30, won=20_000))
    assert comparison_scale(after, baseline) == pytest.approx(3)
    result = roi(EXAMPLE_COSTS, Assumptions(1, 1, 1, 0), after, baseline)
    assert result.benefits == pytest.approx(90_000 - 60_000)


def test_an_untrained_group_is_scaled_to_the_cohorts_head_count():
    after = Outcomes(days=90, won=100_000, learners=10)
    group = Comparison("group", Outcomes(days=90, won=10_000, learners=5))
    assert comparison_scale(after, group) == pytest.approx(2)
    assert roi(EXAMPLE_COSTS, Assumptions(1, 1, 1, 0), after, group).benefits == pytest.approx(80_000)


def test_without_a_baseline_everything_after_the_start_counts_and_says_so():
    result = roi(EXAMPLE_COSTS, EXAMPLE_ASSUMPTIONS, Outcomes(days=90, open_pipeline=600_000))
    assert result.benefits == pytest.approx(36_000)
    assert any("No baseline" in w for w in result.warnings)


def test_a_decline_credits_no_benefit_and_no_payback():
    result = roi(EXAMPLE_COSTS, EXAMPLE_ASSUMPTIONS, Outcomes(days=90, won=10_000),
                 Comparison("baseline", Outcomes(days=90, won=50_000)))
    assert result.benefits == 0
    assert result.roi_percent == pytest.approx(-100)
    assert result.payback_months is None
    assert any("below the comparison" in w for w in result.warnings)


def test_missing_fees_give_a_message_not_a_division_error():
    result = roi(Costs(), EXAMPLE_ASSUMPTIONS, Outcomes(days=90, won=1))
    assert result.roi_percent is None and result.bcr is None
    assert "Enter the programme fees (fee per seat and seats) to see ROI." in result.missing


def test_missing_assumptions_and_programme_start_are_each_named():
    result = roi(EXAMPLE_COSTS, Assumptions(attribution=0.5), None)
    text = " ".join(result.missing)
    for name in ("confidence", "gross margin", "win rate", "programme start"):
        assert name in text
    assert "attribution" not in text


def test_zero_costs_ask_for_the_fees():
    result = roi(Costs(0, 10, 0, 0), EXAMPLE_ASSUMPTIONS, Outcomes(days=90, won=1))
    assert result.roi_percent is None
    assert any("add up to zero" in m for m in result.missing)


def test_cost_lines_show_their_inputs():
    total, lines, missing = total_costs(Costs(100, 3, 1.5, 40, None, 250))
    assert missing == ()
    assert total == pytest.approx(300 + 180 + 250)
    assert [line.label for line in lines] == ["Fees", "Learners' time", "Coach costs", "Platform costs"]
    assert lines[1].formula == "1.5 hours x 3 learners x 40.00 per hour"
    assert lines[2].formula == "none entered"
