"""The sales-handoff checker, rule by rule: each rule passes on the honest workspace and fails on one broken part;
plus one test per contradiction between the modules and the old checker, named for it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from lms.abm.snapshot import PersonSnap
from tests.practice.builders_signals import make_handoff, make_signal
from tests.practice.handoff_fixtures import (
    ALDER,
    BIRCH,
    DEMO,
    INES,
    RAVI,
    WARM,
    alder_handoff,
    birch_handoff,
    honest_workspace,
)
from tests.practice.snapshot_builders import NOW, load_checker, make_contact

module = load_checker("sales-handoff")
check = module.check


def ctx(ws=None):
    return module.build_context(ws or honest_workspace())


def messages(outcome) -> str:
    return " | ".join(f.message for f in outcome.findings)


def test_the_honest_workspace_passes_with_every_rule_met():
    result = check(honest_workspace(), {})
    assert result.passed and result.score == 100
    assert [f.severity for f in result.findings if f.rule != "definition-of-qualified"] == []


def test_empty_workspace_and_no_recent_handoffs_are_blockers():
    empty = check(replace(honest_workspace(), accounts=(), _by_id={}), {})
    assert not empty.passed and "no accounts" in empty.findings[0].message
    old = honest_workspace(handoffs=[alder_handoff(sent_at=NOW - timedelta(days=60))])
    result = check(old, {})
    assert not result.passed and any("no handoffs from the last 30 days" in f.message for f in result.findings)


# --- qualified-accounts-handed-off ---------------------------------------------------------------------------------


def test_qualified_accounts_handed_off_passes_when_each_has_a_handoff():
    assert module.qualified_accounts_handed_off(ctx()).met == 1


def test_qualified_accounts_handed_off_fails_for_a_qualified_account_with_no_handoff():
    outcome = module.qualified_accounts_handed_off(ctx(honest_workspace(handoffs=[alder_handoff()])))
    assert outcome.met == 0.5
    finding = outcome.findings[0]
    assert (finding.account_id, finding.account) == (BIRCH.id, "Birch Logistics")
    assert "Warm rule" in finding.message


# --- handoffs-are-qualified ------------------------------------------------------------------------------------------


def test_handoffs_are_qualified_passes_when_each_met_a_rule_and_says_its_level():
    assert module.handoffs_are_qualified(ctx()).met == 1


def test_two_ad_clicks_in_14_days_are_not_qualified_as_the_old_checker_assumed():
    # Contradiction 1: the old checker counted any two signals in 14 days (ad clicks too) as qualified; module 09
    # calls ad clicks background and module 11 a light signal.
    clicks = [make_signal(BIRCH, RAVI, "ad_click", NOW - timedelta(days=d), id=300 + d) for d in (5, 4)]
    ws = honest_workspace(signals=[DEMO, *clicks], handoffs=[alder_handoff(), birch_handoff(signal_id=None)])
    outcome = module.handoffs_are_qualified(ctx(ws))
    assert outcome.met == 0.5
    assert "ad clicks and page views only" in messages(outcome)
    assert outcome.findings[0].account == "Birch Logistics"


def test_one_anonymous_pricing_page_visit_is_not_hot_under_the_module_rules():
    # Contradiction 2: the old checker made any pricing-page visit or email reply "high intent", so one anonymous
    # visit qualified; module 09's hot rule is a demo or meeting request from a mapped role.
    visit = make_signal(ALDER, None, "pricing_page_visit", NOW - timedelta(days=3), id=400)
    ws = honest_workspace(signals=[visit, *WARM], handoffs=[alder_handoff(signal_id=400), birch_handoff()])
    assert module.handoffs_are_qualified(ctx(ws)).met == 0.5
    assert module.qualified_accounts_handed_off(ctx(ws)).summary["qualified_accounts"] == 1


def test_the_warm_rule_needs_two_buying_roles_including_a_decision_maker_or_functional_owner():
    # Contradiction 3: the old rule counted signals from one person; module 09's warm rule needs 2 mapped roles.
    one_person = [make_signal(BIRCH, RAVI, t, NOW - timedelta(days=d), id=500 + d)
                  for d, t in ((10, "webinar"), (8, "content_download"), (6, "email_reply"))]
    ws = honest_workspace(signals=[DEMO, *one_person])
    assert module.handoffs_are_qualified(ctx(ws)).met == 0.5


def test_the_learners_own_rules_are_applied_and_named_when_saved():
    # Contradiction 4: the brief says "under the rules you agreed with sales" but the old checker ignored them.
    own = {"rules": [{"name": "Hand-raisers", "level": "hot", "signal_types": ["demo_request"], "min_signals": 1,
                      "window_days": 7, "min_contacts": 1, "owner": "Sam Reyes", "response_hours": 2},
                     {"name": "Build-up", "level": "warm", "signal_types": ["webinar", "content_download"],
                      "min_signals": 4, "window_days": 14, "min_contacts": 2, "response_hours": 24}]}
    ws = honest_workspace(answers={"qualification-rules": own})
    context = ctx(ws)
    assert context.fallback is None and "Hand-raisers" in context.source
    assert module.rule_met(context, ALDER.id, NOW)[0].name == "Hand-raisers"
    outcome = module.handoffs_are_qualified(context)  # Birch's 3 signals do not meet the learner's own build-up
    assert outcome.met == 0.5 and "did not meet your qualification rules" in messages(outcome)
    result = check(ws, {})
    assert any(f.severity == "good" and "your qualification rules" in f.message for f in result.findings)


def test_a_malformed_saved_answer_falls_back_to_the_module_rules_and_says_so():
    ws = honest_workspace(answers={"qualification-rules": {"rules": [{"name": "Loose", "signal_types": []}]}})
    context = ctx(ws)
    assert context.rules == module.MODULE_RULES and "cannot be applied" in context.fallback
    finding = module.definition_of_qualified(context).findings[0]
    assert finding.severity == "improve" and "module's rules" in finding.message


# --- account-is-on-the-list ------------------------------------------------------------------------------------------


def test_account_is_on_the_list_passes_for_tiered_targets_with_specific_reasons():
    assert module.account_is_on_the_list(ctx()).met == 1


def test_account_is_on_the_list_fails_for_a_vague_reason_or_a_non_target():
    vague = replace(ALDER, why_selected="Big company, good fit for us", is_target=False)
    ws = replace(honest_workspace(), accounts=(vague, BIRCH), _by_id={})
    outcome = module.account_is_on_the_list(ctx(ws))
    assert outcome.met == 0.5
    assert "not on your target account list" in messages(outcome) and "says nothing specific" in messages(outcome)


# --- contact-and-role ------------------------------------------------------------------------------------------------


def test_contact_and_role_passes_when_the_role_matches_the_map_and_title():
    assert module.contact_and_role(ctx()).met == 1


def test_contact_and_role_fails_when_the_title_contradicts_the_role():
    intern = make_contact(ALDER, "senior_decision_maker", id=13, first_name="Ed", last_name="Hale", title="Intern")
    ws = replace(honest_workspace(handoffs=[alder_handoff(contact=intern, contact_role="senior_decision_maker"),
                                            birch_handoff()]), contacts=(INES, RAVI, intern), _by_id={})
    outcome = module.contact_and_role(ctx(ws))
    assert outcome.met == 0.5 and "too junior" in messages(outcome)


def test_a_handoff_without_a_contact_is_a_blocker():
    outcome = module.contact_and_role(ctx(honest_workspace(handoffs=[alder_handoff(contact=None), birch_handoff()])))
    assert [f.severity for f in outcome.findings] == ["blocker"]


# --- brief-is-specific -----------------------------------------------------------------------------------------------


def test_brief_is_specific_passes_for_briefs_written_for_each_contact():
    assert module.brief_is_specific(ctx()).met == 1


def test_brief_is_specific_fails_for_a_follow_up_copied_across_handoffs():
    same = "Call them this week about our platform and offer the usual demo with the standard deck and pricing sheet"
    ws = honest_workspace(handoffs=[alder_handoff(recommended_follow_up=same),
                                    birch_handoff(recommended_follow_up=same)])
    outcome = module.brief_is_specific(ctx(ws))
    assert outcome.met == 0 and "same words appear on other handoffs" in messages(outcome)


# --- owner-and-backup ------------------------------------------------------------------------------------------------


def test_owner_and_backup_passes_for_a_named_owner_with_a_named_backup():
    assert module.owner_and_backup_named(ctx()).met == 1
    assert module.owner_and_backup("Sam Reyes (backup: Lin Osei)") == ("Sam Reyes", "Lin Osei")


def test_a_team_name_as_owner_is_a_blocker_and_a_missing_backup_an_improvement():
    # Contradiction 5: modules 10 and 03 teach a named owner plus a backup; the old checker took any text.
    ws = honest_workspace(handoffs=[alder_handoff(sales_owner="Sales team"), birch_handoff(sales_owner="Priya Shah")])
    outcome = module.owner_and_backup_named(ctx(ws))
    assert outcome.met == 0
    by_account = {f.account: f for f in outcome.findings}
    assert by_account["Alder Freight"].severity == "blocker" and "team or a placeholder" in messages(outcome)
    assert by_account["Birch Logistics"].severity == "improve"
    assert "no backup is named" in by_account["Birch Logistics"].message


def test_on_a_team_workspace_the_owner_must_be_a_member():
    team = (PersonSnap("Priya Shah", "priya@example.org", "sales"), PersonSnap("Tom Reed", None, "marketing"))
    outcome = module.owner_and_backup_named(ctx(honest_workspace(kind="team", team=team)))
    assert outcome.met == 0.5 and "not a member" in messages(outcome)


# --- sla-fits-the-rule and sla-met -----------------------------------------------------------------------------------


def test_sla_fits_the_rule_passes_within_bounds_and_the_rules_response_time():
    assert module.sla_fits_the_rule(ctx()).met == 1


def test_an_sla_slower_than_the_hot_rule_or_out_of_bounds_fails():
    # Contradiction 6: the old checker accepted any SLA; module 09 promises 1 business hour for hot signals.
    ws = honest_workspace(handoffs=[alder_handoff(sla_hours=48), birch_handoff(sla_hours=500)])
    outcome = module.sla_fits_the_rule(ctx(ws))
    assert outcome.met == 0
    by_account = {f.account: f.message for f in outcome.findings}
    assert "slower than the 1 hour the Hot rule promises" in by_account["Alder Freight"]
    assert "too slow" in by_account["Birch Logistics"]


def test_sla_met_passes_when_touched_in_time_and_fails_when_late():
    assert module.sla_met(ctx()).met == 1
    late = alder_handoff(first_touch_at=DEMO.occurred_at + timedelta(hours=6))
    outcome = module.sla_met(ctx(honest_workspace(handoffs=[late, birch_handoff()])))
    assert outcome.met == 0.5 and "after its SLA" in messages(outcome)


def test_findings_about_a_handoff_carry_its_account():
    ws = honest_workspace(handoffs=[alder_handoff(sales_owner="marketing"), birch_handoff()])
    finding = next(f for f in check(ws, {}).findings if f.rule == "owner-and-backup")
    assert (finding.account_id, finding.account, finding.about) == (INES.account_id, "Alder Freight", "handoff")


def test_odd_values_do_not_raise():
    odd = make_handoff(ALDER, 999, sent_at=NOW - timedelta(days=1), sla_hours=None, sales_owner=None,
                       recommended_follow_up=None, qualification_level=None, contact_role="nonsense")
    result = check(honest_workspace(handoffs=[odd], answers={"qualification-rules": "junk"}), {})
    assert not result.passed


def test_a_signal_that_qualified_months_ago_does_not_qualify_a_handoff_today():
    old_demo = make_signal(ALDER, INES, "demo_request", NOW - timedelta(days=120), id=700)
    ws = honest_workspace(signals=[old_demo, *WARM], handoffs=[alder_handoff(signal_id=700), birch_handoff()])
    assert module.handoffs_are_qualified(ctx(ws)).met == 0.5
    assert module.qualified_accounts_handed_off(ctx(ws)).summary["qualified_accounts"] == 1


def test_two_handoffs_for_the_same_contact_may_share_their_context():
    second = alder_handoff(id=3, sent_at=DEMO.occurred_at + timedelta(hours=30), signal_id=None,
                           recommended_follow_up="Ines, following our call about load planning at Alder Freight: may "
                                                 "I book the pilot review with Dana Mercer for next Tuesday morning?")
    ws = honest_workspace(handoffs=[alder_handoff(), second, birch_handoff()])
    assert module.copied_briefs(ctx(ws), "buying_group_relevance") == set()
    assert module.brief_is_specific(ctx(ws)).met == 1
