"""The qualification-rules checker, rule by rule: each rule passes on honest rules and fails on its fault.

Also one test per contradiction fixed between the checker and modules 09 and 10 (named `test_module_...`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from lms.abm.snapshot import PersonSnap
from tests.practice.builders_signals import make_signal
from tests.practice.snapshot_builders import NOW, load_checker, make_account, make_contact, snapshot

ck = load_checker("qualification-rules")

HOT = {"name": "Hot hand-raisers", "level": "hot", "signal_types": ["demo_request", "meeting_request"],
       "min_signals": 1, "window_days": 7, "min_contacts": 1, "owner": "Sam Reyes", "backup": "Lin Osei",
       "response_hours": 1}
WARM = {"name": "Buying-group build-up", "level": "warm", "signal_types": ["content_download", "webinar"],
        "min_signals": 2, "window_days": 14, "min_contacts": 2, "owner": "Lin Osei", "backup": "Sam Reyes",
        "response_hours": 24}


def rules(*changes: dict) -> dict:
    """The honest answer (HOT, WARM), each row updated with the matching dict of `changes`."""
    rows = [dict(HOT), dict(WARM)]
    for row, change in zip(rows, changes, strict=False):
        row.update(change)
    return {"rules": rows}


def workspace(*extra, follow_up=timedelta(minutes=30), **kw):
    """Six targets: Alpha has a demo request followed up in 30 minutes, Bravo a build-up from two people (followed
    up), the rest one light website visit each."""
    names = ("Alpha Ltd", "Bravo Ltd", "Charlie Ltd", "Delta Ltd", "Echo Ltd", "Foxtrot Ltd")
    accounts = [make_account(id=i + 1, name=n) for i, n in enumerate(names)]
    ada = make_contact(accounts[0], "senior_decision_maker", id=10, first_name="Ada", last_name="Lovelace")
    fo, fin = make_contact(accounts[1], "functional_owner", id=20), make_contact(accounts[1], "finance", id=21)
    users = [make_contact(a, "user", id=30 + i) for i, a in enumerate(accounts[2:])]
    demo_at = datetime(2025, 2, 27, 10, 0)  # a Thursday
    signals = [
        make_signal(accounts[0], ada, "demo_request", demo_at, id=1,
                    followed_up_at=demo_at + follow_up if follow_up is not None else None),
        make_signal(accounts[1], fo, "content_download", NOW - timedelta(days=10), id=2),
        make_signal(accounts[1], fin, "webinar", NOW - timedelta(days=6), id=3,
                    followed_up_at=NOW - timedelta(days=6) + timedelta(hours=2)),
    ] + [make_signal(c.account_id, c, "website_visit", NOW - timedelta(days=5), id=40 + i) for i, c in enumerate(users)]
    return snapshot(accounts, [ada, fo, fin, *users], signals=tuple(signals) + extra, **kw)


def ctx(answer=None, ws=None):
    return ck.build_context(ws or workspace(), rules() if answer is None else answer)


def severities(outcome) -> list[str]:
    return [f.severity for f in outcome.findings]


def test_honest_rules_pass_with_full_marks():
    result = ck.check(workspace(), rules())
    assert result.passed and result.score == 100, [f.message for f in result.findings]


def test_pass_mark_matches_the_exercise():
    assert ck.PASS_MARK == 75


# --- at-least-two-rules ----------------------------------------------------------------------------------------

def test_two_rules_meet_the_minimum():
    assert ck.at_least_two_rules(ctx()).met == 1


def test_one_rule_is_a_blocker():
    outcome = ck.at_least_two_rules(ctx({"rules": [HOT]}))
    assert outcome.met == 0.5 and severities(outcome) == ["blocker"]


# --- rules-are-complete -----------------------------------------------------------------------------------------

def test_complete_rules_have_no_findings():
    outcome = ck.rules_are_complete(ctx())
    assert outcome.met == 1 and not outcome.findings


def test_a_rule_without_a_window_or_level_is_incomplete():
    outcome = ck.rules_are_complete(ctx(rules({"window_days": None, "level": ""})))
    assert outcome.met == 0.5 and severities(outcome) == ["blocker"]
    assert "level" in outcome.findings[0].message and "days" in outcome.findings[0].message


def test_more_people_than_signals_can_never_be_met():
    outcome = ck.rules_are_complete(ctx(rules({}, {"min_contacts": 3})))
    assert severities(outcome) == ["improve"] and "never be met" in outcome.findings[0].message


# --- named-owner-and-backup -------------------------------------------------------------------------------------

def test_named_owner_and_backup_pass():
    assert ck.named_owner_and_backup(ctx()).met == 1


def test_a_team_as_owner_is_a_blocker():
    outcome = ck.named_owner_and_backup(ctx(rules({"owner": "sales"})))
    assert outcome.met == 0.5 and severities(outcome) == ["blocker"]
    assert "not a person" in outcome.findings[0].message


def test_backup_must_be_a_different_named_person():
    outcome = ck.named_owner_and_backup(ctx(rules({"backup": "Sam Reyes"}, {"backup": ""})))
    assert outcome.met == 0.5 and severities(outcome) == ["improve", "improve"]


def test_on_a_team_workspace_the_owner_must_be_a_member():
    team = (PersonSnap("Sam Reyes", "sam@x.example", "sales"), PersonSnap("Lin Osei", "lin@x.example", "sales"))
    ws = workspace(kind="team", team=team)
    assert ck.named_owner_and_backup(ctx(rules(), ws)).met == 1
    outcome = ck.named_owner_and_backup(ctx(rules({"owner": "Jo Bloggs"}), ws))
    assert severities(outcome) == ["blocker"] and "not a member" in outcome.findings[0].message


# --- response-times ---------------------------------------------------------------------------------------------

def test_response_times_in_bounds_pass():
    assert ck.response_times(ctx()).met == 1


def test_a_response_time_beyond_72_hours_is_a_blocker():
    outcome = ck.response_times(ctx(rules({}, {"response_hours": 120})))
    assert outcome.met == 0.5 and severities(outcome) == ["blocker"]


def test_a_response_time_under_an_hour_is_a_blocker():
    outcome = ck.response_times(ctx(rules({"response_hours": 0.1})))
    assert severities(outcome) == ["blocker"] and "faster than anyone" in outcome.findings[0].message


def test_a_hot_rule_slower_than_24_hours_is_a_blocker():
    outcome = ck.response_times(ctx(rules({"response_hours": 48}, {"response_hours": 60})))
    assert severities(outcome) == ["blocker"] and "HBR" in outcome.findings[0].message


def test_a_hot_rule_slower_than_a_warm_one_is_flagged():
    outcome = ck.response_times(ctx(rules({"response_hours": 8}, {"response_hours": 4})))
    assert severities(outcome) == ["improve"] and "hotter the signal" in outcome.findings[0].message


# --- no-sales-on-a-light-signal ---------------------------------------------------------------------------------

def test_rules_on_buying_signals_pass():
    assert ck.no_sales_on_a_light_signal(ctx()).met == 1


def test_a_sales_rule_on_a_single_website_visit_is_a_blocker():
    outcome = ck.no_sales_on_a_light_signal(ctx(rules({}, {"signal_types": ["webinar", "website_visit"],
                                                            "min_signals": 1})))
    assert outcome.met == 0.5 and severities(outcome) == ["blocker"]


def test_a_sales_rule_on_ad_clicks_alone_is_a_blocker():
    outcome = ck.no_sales_on_a_light_signal(ctx(rules({}, {"signal_types": ["ad_click"], "min_signals": 5})))
    assert severities(outcome) == ["blocker"] and "alone" in outcome.findings[0].message


def test_a_hot_rule_without_high_intent_signals_is_flagged():
    outcome = ck.no_sales_on_a_light_signal(ctx(rules({"signal_types": ["webinar"]})))
    assert severities(outcome) == ["improve"]


# --- counts-the-buying-group ------------------------------------------------------------------------------------

def test_short_windows_and_two_people_pass():
    assert ck.counts_the_buying_group(ctx()).met == 1


def test_a_window_longer_than_30_days_is_flagged():
    outcome = ck.counts_the_buying_group(ctx(rules({}, {"window_days": 180})))
    assert outcome.met == 0.5 and "six months" in outcome.findings[0].message


def test_a_warm_rule_one_person_can_meet_is_flagged():
    outcome = ck.counts_the_buying_group(ctx(rules({}, {"min_contacts": 1})))
    assert outcome.met == 0.5 and "one keen junior user" in outcome.findings[0].message
    assert ck.counts_the_buying_group(ctx(rules({}, {"min_contacts": 1, "roles": ["finance"]}))).met == 1


# --- calibrated-on-your-signals ---------------------------------------------------------------------------------

def test_rules_that_qualify_some_accounts_are_calibrated():
    outcome = ck.calibrated_on_your_signals(ctx())
    assert outcome.met == 1 and not outcome.findings


def test_a_rule_that_never_fires_is_too_strict():
    outcome = ck.calibrated_on_your_signals(ctx(rules({}, {"min_signals": 9, "min_contacts": 2})))
    assert outcome.met == 0.5 and "not have qualified a single" in outcome.findings[0].message


def test_a_rule_that_fires_on_most_accounts_is_too_loose():
    outcome = ck.calibrated_on_your_signals(ctx(rules({}, {"signal_types": ["website_visit", "webinar"],
                                                            "min_signals": 1, "min_contacts": 0})))
    assert outcome.met == 0.5 and "drown" in outcome.findings[0].message


# --- followed-up-in-time ----------------------------------------------------------------------------------------

def test_signals_followed_up_in_time_pass():
    outcome = ck.followed_up_in_time(ctx())
    assert outcome.met == 1 and outcome.summary["follow_ups_due"] == 2


def test_a_late_follow_up_is_a_finding_on_its_account():
    outcome = ck.followed_up_in_time(ctx(ws=workspace(follow_up=timedelta(days=3))))
    assert outcome.met == 0.5
    finding = outcome.findings[0]
    assert finding.account == "Alpha Ltd" and finding.account_id == 1 and finding.about == "signal"
    assert "Ada Lovelace" in finding.message and "Sam Reyes" in finding.message


def test_working_hours_skip_nights_and_weekends():
    friday_4pm = datetime(2025, 2, 28, 16, 0)
    assert ck.add_working_hours(friday_4pm, 2) == datetime(2025, 3, 3, 10, 0)
    assert ck.add_working_hours(datetime(2025, 3, 1, 12, 0), 1) == datetime(2025, 3, 3, 10, 0)  # a Saturday
    assert ck.add_working_hours(datetime(2025, 3, 3, 9, 30), 24) == datetime(2025, 3, 6, 9, 30)


# --- the modules' definitions (one test per contradiction fixed) ------------------------------------------------

def test_module_10_owner_is_a_named_person_not_a_team():
    result = ck.check(workspace(), rules({"owner": "sales"}, {"owner": "sdr"}))
    assert not result.passed


def test_module_10_every_rule_has_a_backup_owner():
    result = ck.check(workspace(), rules({"backup": ""}, {"backup": ""}))
    assert result.score < 100 and any("covers" in f.message for f in result.findings)


def test_module_09_nurture_may_fire_on_a_single_download_when_marketing_owns_it():
    nurture = {"name": "Early interest", "level": "nurture", "signal_types": ["content_download", "website_visit"],
               "min_signals": 1, "window_days": 7, "min_contacts": 1, "owner": "Tom Reed", "backup": "Ana Ruiz",
               "response_hours": 40}
    answer = {"rules": [HOT, WARM, nurture]}
    assert not ck.no_sales_on_a_light_signal(ctx(answer)).findings
    assert ck.check(workspace(), answer).passed


def test_module_09_contacts_count_only_with_a_believable_buying_role():
    # Bravo's two people: one of them an intern tagged as finance, so the warm rule has only one mapped person.
    ws = workspace()
    intern = replace(ws.contacts[2], title="Finance Intern", roles=("finance",))
    ws = replace(ws, contacts=(*ws.contacts[:2], intern, *ws.contacts[3:]))
    assert 2 not in ck.build_context(ws, rules()).runs[2].matched_90
    four_roles = replace(intern, title="Finance Director",
                         roles=("finance", "champion", "user", "senior_decision_maker"))
    ws = replace(ws, contacts=(*ws.contacts[:2], four_roles, *ws.contacts[3:]))
    assert 2 not in ck.build_context(ws, rules()).runs[2].matched_90


def test_module_10_response_time_is_in_working_hours():
    # Demo request on Thursday at 16:00 with a 4-hour rule: due Friday 12:00, so a Friday 11:00 call is in time
    # (in clock hours it would have been due on Thursday at 20:00, and late).
    thursday = datetime(2025, 2, 27, 16, 0)
    ws = workspace(make_signal(3, 30, "demo_request", thursday, id=99, followed_up_at=datetime(2025, 2, 28, 11, 0)))
    outcome = ck.followed_up_in_time(ctx(rules({"response_hours": 4}), ws))
    assert outcome.summary["follow_ups_due"] == 3 and not [f for f in outcome.findings if f.about_id == 99]


def test_module_09_hot_rule_needs_a_known_person():
    outcome = ck.counts_the_buying_group(ctx(rules({"min_contacts": 0})))
    assert "nobody known" in outcome.findings[0].message


def test_empty_workspace_and_unreadable_answer_are_findings_not_errors():
    empty = ck.check(snapshot(), {"rules": "nonsense"})
    assert not empty.passed and empty.score == 0 and empty.findings[0].severity == "blocker"
    odd = ck.check(workspace(), {"rules": [None, 3, {"name": "x", "min_signals": "lots"}]})
    assert not odd.passed


def test_the_saved_answer_shape_is_stable_for_the_sales_handoff_checker():
    summary = ck.check(workspace(), rules()).summary
    assert [r["level"] for r in summary["rules"]] == ["hot", "warm"]
    assert summary["rules"][0]["owner"] == "Sam Reyes" and summary["rules"][0]["backup"] == "Lin Osei"


def test_module_09_counts_people_in_different_roles_not_heads():
    # Bravo's two engaged people are both users: one role, so the warm rule (2 people in different roles) misses it.
    ws = workspace()
    same_role = (replace(ws.contacts[1], roles=("user",)), replace(ws.contacts[2], roles=("user",)))
    ws = replace(ws, contacts=(ws.contacts[0], *same_role, *ws.contacts[3:]))
    assert 2 not in ck.build_context(ws, rules()).runs[2].matched_90
    assert 2 in ck.build_context(workspace(), rules()).runs[2].matched_90
    assert ck.roles_engaged({20, 21}, {20: frozenset({"user"}), 21: frozenset({"user", "finance"})}) == 2


def test_module_10_hot_and_warm_follow_up_stays_with_sales_on_a_team_workspace():
    team = (PersonSnap("Sam Reyes", None, "marketing"), PersonSnap("Lin Osei", None, "sales"))
    outcome = ck.named_owner_and_backup(ctx(rules(), workspace(kind="team", team=team)))
    assert outcome.met == 0.75 and "go to sales" in outcome.findings[0].message
