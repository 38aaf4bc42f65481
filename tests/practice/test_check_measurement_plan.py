"""The measurement-plan checker, rule by rule, on the hand-computed KPI workspace (window Q4 2024); plus one test
per contradiction between the modules and the old checker, named for it."""

from __future__ import annotations

from lms.abm.snapshot import PersonSnap, WorkspaceSnapshot
from tests.practice.builders_signals import kpi_workspace
from tests.practice.snapshot_builders import NOW, load_checker

module = load_checker("measurement-plan")
check = module.check

# Q4 2024 on kpi_workspace with the modules' definitions: engagement 20% (1:1 100%, 1:few 0%, 1:many 0%),
# buying-group coverage 36.7%, acceptance 50% (2 of 4 sent), SLA completion 50%, pipeline sourced 150,000.
PLAN = [
    ("engagement_rate", 0.3, "monthly"),
    ("engagement_rate_1_1", 1.0, "monthly"),
    ("engagement_rate_1_few", 0.3, "monthly"),
    ("engagement_rate_1_many", 0.1, "monthly"),
    ("buying_group_coverage", 0.5, "monthly"),
    ("sales_acceptance_rate", 0.75, "weekly"),
    ("follow_up_sla", 0.8, "weekly"),
    ("pipeline_sourced", 250_000, "quarterly"),
]


def rows(**changes):
    """The honest plan's rows; `changes` maps a KPI to the keys to change on its row (None drops the row)."""
    out = []
    for kpi, target, review in PLAN:
        row = {"kpi": kpi, "target": target, "marketing_owner": "Ruth Adams", "sales_owner": "Sam Reyes",
               "review": review}
        if kpi in changes and changes[kpi] is None:
            continue
        out.append({**row, **changes.get(kpi, {})})
    return out


def answer(**changes):
    return {"window_start": "2024-10-01", "window_end": "2024-12-31", "targets": rows(**changes)}


def ctx(ws=None, **changes):
    return module.build_context(ws or kpi_workspace(), answer(**changes))[0]


def test_the_honest_plan_passes_with_full_marks():
    result = check(kpi_workspace(), answer())
    assert result.passed and result.score == 100, [f.message for f in result.findings]
    assert result.summary["window"] == {"start": "2024-10-01", "end": "2024-12-31", "default": False}


def test_an_empty_workspace_and_an_empty_plan_are_blockers():
    result = check(WorkspaceSnapshot(name="empty", now=NOW), {})
    assert not result.passed and sum(f.severity == "blocker" for f in result.findings) >= 2


def test_every_family_has_a_target_passes_and_a_missing_family_is_a_blocker():
    assert module.every_family_has_a_target(ctx()).met == 1
    outcome = module.every_family_has_a_target(ctx(follow_up_sla=None))
    assert outcome.met == 0.8
    assert [f.severity for f in outcome.findings] == ["blocker"] and "follow-up SLA" in outcome.findings[0].message


def test_targets_stretch_passes_and_fails_below_today_or_beyond_three_times():
    assert module.targets_stretch(ctx()).met == 1
    outcome = module.targets_stretch(ctx(buying_group_coverage={"target": 0.2}, follow_up_sla={"target": 0.49}))
    assert outcome.met == 6 / 8 and "does not stretch" in outcome.findings[0].message


def test_engagement_baseline_uses_the_module_definition_of_engaged():
    # Contradiction 1: the old KPI counted one anonymous pricing-page visit (or any two signals) as engaged, so the
    # baseline was 60%; module 12 defines engaged as three qualifying signals from a known contact: 20%.
    context = ctx(engagement_rate={"target": 0.65})
    assert context.kpis["engagement_rate"].value == 0.2
    outcome = module.targets_stretch(context)
    assert "more than 3 times" in outcome.findings[0].message


def test_acceptance_baseline_is_accepted_over_sent_as_module_12_defines():
    # Contradiction 2: the old KPI divided by decided handoffs only (66.7%); module 12: accepted ÷ sent (50%).
    context = ctx(sales_acceptance_rate={"target": 0.6})
    assert context.kpis["sales_acceptance_rate"].value == 0.5
    assert module.targets_stretch(context).met == 1


def test_named_owners_in_both_teams_passes_for_two_named_people():
    assert module.named_owners_in_both_teams(ctx()).met == 1


def test_a_team_as_owner_fails_as_module_04_asks_for_a_marketing_name_and_a_sales_name():
    # Contradiction 3: the old checker's owner was sales, marketing or both, with one "both" enough.
    outcome = module.named_owners_in_both_teams(ctx(pipeline_sourced={"marketing_owner": "both"},
                                                    follow_up_sla={"sales_owner": "Ruth Adams"}))
    assert outcome.met == 6 / 8
    text = " | ".join(f.message for f in outcome.findings)
    assert "team or a placeholder" in text and "two different people" in text


def test_on_a_team_workspace_owners_are_members_in_the_right_team():
    team = (PersonSnap("Ruth Adams", None, "marketing"), PersonSnap("Sam Reyes", None, "marketing"))
    outcome = module.named_owners_in_both_teams(ctx(kpi_workspace(kind="team", team=team)))
    assert outcome.met == 0 and "Sam Reyes works in marketing" in outcome.findings[0].message


def test_review_cadence_fits_passes_and_a_quarterly_leading_indicator_fails():
    # Contradiction 4: module 04 reads leading indicators at the weekly review; the old checker took any cadence.
    assert module.review_cadence_fits(ctx()).met == 1
    outcome = module.review_cadence_fits(ctx(sales_acceptance_rate={"review": "quarterly"}))
    assert outcome.met == 7 / 8 and "leading indicator" in outcome.findings[0].message


def test_engagement_targets_by_tier_pass_and_fail_as_module_12_sets_targets_by_tier():
    # Contradiction 5: module 12 says "set targets by tier", 1:1 above 1:many; the old checker took one overall.
    assert module.engagement_targets_by_tier(ctx()).met == 1
    missing = module.engagement_targets_by_tier(ctx(engagement_rate_1_few=None))
    assert missing.met == 3 / 4 and "your 1:few accounts" in missing.findings[0].message
    upside_down = module.engagement_targets_by_tier(ctx(engagement_rate_1_few={"target": 0.05}))
    assert upside_down.met == 3 / 4 and "fall from 1:1" in upside_down.findings[0].message


def test_percentages_are_read_as_shares_and_noted():
    context = ctx(buying_group_coverage={"target": 50})
    assert {t.slug: t.target for t in context.targets}["buying_group_coverage"] == 0.5
    assert context.notes


def test_odd_answers_do_not_raise():
    for odd in (None, {"targets": "x"}, {"targets": [None, {"kpi": "nonsense"}, {"kpi": "engagement_rate"}]},
                {"window_start": "yesterday", "window_end": 5, "targets": rows()}):
        assert isinstance(check(kpi_workspace(), odd).score, int)
