"""The measurement-plan checker: targets set against the workspace's own KPIs for a baseline window."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from lms.abm.snapshot import WorkspaceSnapshot
from tests.practice.builders_signals import kpi_workspace, large_activity_workspace
from tests.practice.snapshot_builders import NOW, load_checker

module = load_checker("measurement-plan")
check = module.check

# Q4 2024 on kpi_workspace: engagement 60%, buying-group coverage 36.7%, acceptance 66.7%, SLA 50%,
# pipeline sourced 150,000, median follow-up 24 h, 1:many engagement 50%.
PLAN = [
    {"kpi": "engagement_rate", "target": 70, "owner": "marketing", "review": "monthly"},
    {"kpi": "buying_group_coverage", "target": 0.5, "owner": "marketing", "review": "monthly"},
    {"kpi": "sales_acceptance_rate", "target": 0.75, "owner": "both", "review": "weekly"},
    {"kpi": "follow_up_sla", "target": 0.8, "owner": "sales", "review": "weekly"},
    {"kpi": "pipeline_sourced", "target": 250_000, "owner": "both", "review": "quarterly"},
]


def plan(*changes: tuple[int, dict], extra=(), drop=(), **answer):
    rows = [dict(r) for r in PLAN]
    for index, change in changes:
        rows[index].update(change)
    rows = [r for i, r in enumerate(rows) if i not in drop] + [dict(e) for e in extra]
    return {"targets": rows, **answer}


def find(result, **match):
    return [f for f in result.findings if all(getattr(f, k) == v for k, v in match.items())]


def test_good_plan_passes_and_summarises_the_kpis():
    result = check(kpi_workspace(), plan())
    assert result.passed
    assert result.score == 100
    assert [f.severity for f in result.findings] == ["good"]
    assert result.summary["window"] == {"start": "2024-10-01", "end": "2024-12-31", "default": True}
    kpis = {k["slug"]: k for k in result.summary["kpis"]}
    assert kpis["engagement_rate"]["value"] == 0.6
    assert (kpis["engagement_rate"]["numerator"], kpis["engagement_rate"]["denominator"]) == (3, 5)
    assert result.summary["families_covered"] == [
        "engagement",
        "buying-group coverage",
        "sales acceptance",
        "follow-up SLA",
        "pipeline",
    ]
    json.dumps(result.summary)


def test_percentages_are_normalised_and_noted():
    result = check(kpi_workspace(), plan())
    row = result.summary["targets"][0]
    assert (row["target"], row["normalised_from"]) == (0.7, 70)
    assert result.summary["notes"] == ["Row 1: read the target 70 as 70% (0.7)."]


@pytest.mark.parametrize(
    ("dropped", "family"),
    [
        (0, "engagement"),
        (1, "buying-group coverage"),
        (2, "sales acceptance"),
        (3, "follow-up SLA"),
        (4, "pipeline"),
    ],
)
def test_each_missing_family_is_a_blocker(dropped, family):
    result = check(kpi_workspace(), plan(drop=(dropped,)))
    (f,) = find(result, severity="blocker")
    assert (f.about, f.field) == ("answer", "targets")
    assert f"no target for {family}" in f.message
    assert not result.passed


def test_tier_and_alternative_kpis_count_for_their_family():
    rows = plan(
        (0, {"kpi": "engagement_rate_1_few", "target": 1.0}),
        (3, {"kpi": "time_to_follow_up", "target": 12}),
        (4, {"kpi": "pipeline_influenced", "target": 200_000}),
    )
    result = check(kpi_workspace(), rows)
    assert not find(result, severity="blocker")


def test_missing_owner_and_review_are_named_per_row():
    result = check(kpi_workspace(), plan((1, {"owner": None, "review": "whenever"})))
    (owner,) = find(result, about_id=2, field="owner")
    assert owner.severity == "improve"
    assert owner.label == "Buying-group coverage (mean)"
    (review,) = find(result, about_id=2, field="review")
    assert "weekly, monthly or quarterly" in review.message


def test_target_below_current_value_does_not_stretch():
    result = check(kpi_workspace(), plan((0, {"target": 0.5})))
    (f,) = find(result, about_id=1, field="target")
    assert "you already achieve 60%" in f.message and "stretches" in f.message
    assert f.module == "abm-foundations/measuring-abm"


def test_lower_is_better_kpi_compares_the_other_way():
    result = check(
        kpi_workspace(),
        plan(extra=[{"kpi": "time_to_follow_up", "target": 30, "owner": "sales", "review": "weekly"}]),
    )
    (f,) = find(result, about_id=6, field="target")
    assert "you already achieve 24.0 h" in f.message


def test_target_far_above_current_value():
    result = check(kpi_workspace(), plan((4, {"target": 1_000_000})))
    (f,) = find(result, about_id=5, field="target")
    assert "more than 3×" in f.message and "150,000" in f.message


def test_full_engagement_on_one_to_many_is_unrealistic():
    extra = {"kpi": "engagement_rate_1_many", "target": 100, "owner": "marketing", "review": "monthly"}
    result = check(kpi_workspace(), plan(extra=[extra]))
    (f,) = find(result, about_id=6, field="target")
    assert "100% engagement is not realistic" in f.message


def test_impossible_ratio_target():
    result = check(kpi_workspace(), plan((2, {"target": 150})))
    (f,) = find(result, about_id=3, field="target")
    assert "not possible" in f.message and "percentage from 0 to 100" in f.message
    assert find(result, severity="blocker")  # sales acceptance is no longer covered


def test_unknown_kpi_is_named():
    result = check(
        kpi_workspace(), plan(extra=[{"kpi": "vibes", "target": 1, "owner": "both", "review": "weekly"}])
    )
    (f,) = find(result, about_id=6, field="kpi")
    assert "'vibes' is not one of the KPIs" in f.message


def test_kpi_the_workspace_cannot_compute_names_the_missing_data():
    ws = replace(kpi_workspace(), opportunities=(), _by_id={})
    result = check(ws, plan())
    (f,) = find(result, about_id=5, field="target")
    assert "cannot compute pipeline sourced yet" in f.message
    assert "import opportunities" in f.message
    assert result.summary["targets"][4]["status"] == "no baseline"


def test_missing_family_that_cannot_be_computed_says_what_to_add():
    ws = replace(kpi_workspace(), handoffs=(), _by_id={})
    result = check(ws, plan(drop=(2,)))
    (f,) = find(result, severity="blocker")
    assert "no handoffs in the workspace" in f.message


def test_no_shared_ownership():
    rows = plan((2, {"owner": "sales"}), (4, {"owner": "sales"}))
    result = check(kpi_workspace(), rows)
    (f,) = find(result, field="owner", about_id=None)
    assert "owner 'both'" in f.message
    assert not result.summary["shared_ownership"]


def test_duplicate_kpi_rows():
    result = check(kpi_workspace(), plan(extra=[PLAN[1]]))
    (f,) = find(result, about_id=6, field="kpi")
    assert "repeats the KPI of row 2" in f.message


def test_custom_window_is_used_and_its_end_date_included():
    result = check(kpi_workspace(), plan(window_start="2024-11-01", window_end="2024-11-30"))
    assert result.summary["window"] == {"start": "2024-11-01", "end": "2024-11-30", "default": False}
    kpis = {k["slug"]: k for k in result.summary["kpis"]}
    assert kpis["pipeline_sourced"]["value"] == 100_000.0  # only Alder's opportunity of 15 November


def test_unparsable_window_falls_back_to_last_full_quarter():
    result = check(kpi_workspace(), plan(window_start="last spring", window_end="2024-12-31"))
    (f,) = find(result, field="window_start")
    assert "'last spring' is not a date" in f.message and "1 Oct 2024" in f.message
    assert result.summary["window"]["default"]


def test_reversed_window_falls_back():
    result = check(kpi_workspace(), plan(window_start="2024-12-31", window_end="2024-10-01"))
    assert "ends before it starts" in find(result, field="window_end")[0].message


def test_last_full_quarter():
    from datetime import datetime

    assert module.last_full_quarter(datetime(2025, 1, 15)) == (datetime(2024, 10, 1), datetime(2025, 1, 1))
    assert module.last_full_quarter(datetime(2025, 8, 1)) == (datetime(2025, 4, 1), datetime(2025, 7, 1))


def test_empty_workspace_is_a_blocker_not_an_error():
    result = check(WorkspaceSnapshot(name="empty", now=NOW), plan())
    assert not result.passed
    assert "import your accounts" in find(result, severity="blocker", field="accounts")[0].message
    json.dumps(result.summary)


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        [],
        "plan",
        {"targets": "x", "window_start": 5, "window_end": ["2024"]},
        {"targets": [None, 3, {"kpi": 3, "target": "x", "owner": [], "review": {}}]},
        {
            "targets": [
                {"kpi": "engagement_rate", "target": float("inf")},
                {"kpi": "pipeline_sourced", "target": -5},
            ]
        },
        {"window_start": "2024-13-45", "window_end": "2099-01-01T00:00:00Z", "targets": []},
    ],
)
def test_garbage_answers_do_not_raise(garbage):
    result = check(kpi_workspace(), garbage)
    assert not result.passed
    json.dumps(result.summary)


def test_large_workspace_runs():
    result = check(large_activity_workspace(), plan())
    json.dumps(result.summary)
    assert len(result.summary["kpis"]) == 17


def test_half_a_window_falls_back_and_says_both_dates_are_needed():
    result = check(kpi_workspace(), plan(window_start="2024-10-01"))
    (f,) = find(result, field="window_end")
    assert "Give both a window start and a window end" in f.message
    assert result.summary["window"]["default"]
