"""Gaming the measurement-plan checker: shortcuts a learner in a hurry might take must each fail."""

from __future__ import annotations

from tests.practice.builders_signals import kpi_workspace
from tests.practice.test_check_measurement_plan import PLAN, answer, check

EVERY_KPI = {kpi: {} for kpi, _, _ in PLAN}


def test_the_honest_plan_passes():
    assert check(kpi_workspace(), answer()).passed


def test_teams_as_owners_fail():
    teams = {kpi: {"marketing_owner": "marketing", "sales_owner": "sales"} for kpi in EVERY_KPI}
    result = check(kpi_workspace(), answer(**teams))
    assert not result.passed
    assert any(f.severity == "blocker" and "team or a placeholder" in f.message for f in result.findings)


def test_the_same_person_owning_both_sides_fails():
    one_person = {kpi: {"marketing_owner": "Ruth Adams", "sales_owner": "Ruth Adams"} for kpi in EVERY_KPI}
    result = check(kpi_workspace(), answer(**one_person))
    assert not result.passed and any("two different people" in f.message for f in result.findings)


def test_copying_todays_figures_as_targets_fails():
    today = {"engagement_rate": 0.2, "engagement_rate_1_1": 1.0, "engagement_rate_1_few": 0.0,
             "engagement_rate_1_many": 0.0, "buying_group_coverage": 0.36, "sales_acceptance_rate": 0.5,
             "follow_up_sla": 0.5, "pipeline_sourced": 150_000}
    result = check(kpi_workspace(), answer(**{kpi: {"target": value} for kpi, value in today.items()}))
    assert not result.passed
    assert sum("does not stretch" in f.message for f in result.findings) == 7  # 1:1 is already at 100%


def test_a_plan_without_follow_up_fails():
    assert not check(kpi_workspace(), answer(follow_up_sla=None)).passed
