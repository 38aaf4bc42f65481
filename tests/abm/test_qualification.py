"""Qualification rules as data: module 09's rule set, the learner's saved rules, and which accounts they qualify."""

from __future__ import annotations

from datetime import timedelta

from lms.abm import qualification as Q
from tests.practice.builders_signals import make_signal
from tests.practice.snapshot_builders import NOW, make_account, make_contact, snapshot

ACME = make_account(id=1, name="Acme", tier="1:few")
BOSS = make_contact(ACME, "functional_owner", id=11)
TECH = make_contact(ACME, "technical_evaluator", id=12)
NOBODY = make_contact(ACME, id=13)  # no buying role: not a mapped contact
HOT, WARM, SURGE = Q.MODULE_RULES


def met(rule, *signals, account=ACME):
    ws = snapshot([account], [BOSS, TECH, NOBODY], signals=signals)
    return Q.qualifying_signals(rule, ws, account, sorted(signals, key=lambda s: s.occurred_at), NOW)


def at(days):
    return NOW - timedelta(days=days)


def test_module_hot_rule_is_a_demo_or_meeting_request_from_a_mapped_role():
    assert met(HOT, make_signal(ACME, BOSS, "demo_request", at(1)))
    assert not met(HOT, make_signal(ACME, NOBODY, "demo_request", at(1)))
    assert not met(HOT, make_signal(ACME, None, "demo_request", at(1)))
    assert not met(HOT, make_signal(ACME, BOSS, "pricing_page_visit", at(1)))


def test_module_warm_rule_needs_three_signals_two_roles_one_a_decision_maker_or_functional_owner_in_14_days():
    three = (make_signal(ACME, BOSS, "webinar", at(10)), make_signal(ACME, TECH, "content_download", at(8)),
             make_signal(ACME, TECH, "email_reply", at(2)))
    assert met(WARM, *three)
    assert not met(WARM, *three[:2], make_signal(ACME, TECH, "ad_click", at(2)))  # light signals do not count
    spread = (make_signal(ACME, BOSS, "webinar", at(20)), *three[1:])
    assert not met(WARM, *spread)  # not within 14 days
    tech_only = tuple(make_signal(ACME, TECH, "webinar", at(d)) for d in (3, 2, 1))
    assert not met(WARM, *tech_only)


def test_module_account_surge_is_an_intent_spike_and_two_pricing_visits_in_a_week_even_anonymous():
    surge = (make_signal(ACME, None, "intent_spike", at(5)), make_signal(ACME, None, "pricing_page_visit", at(4)),
             make_signal(ACME, None, "pricing_page_visit", at(3)))
    assert met(SURGE, *surge)
    assert not met(SURGE, *surge[:2])


def test_saved_rules_are_read_with_their_roles_tiers_and_response_time():
    rules, problem = Q.rules_from_answer({"rules": [
        {"name": "Hot", "level": "hot", "signal_types": ["demo_request"], "min_signals": 1, "window_days": 7,
         "min_contacts": 1, "roles": ["Economic buyer"], "tiers": ["1:1"], "response_hours": 2},
        {"name": "Nurture", "level": "nurture", "signal_types": ["webinar"], "min_signals": 1, "window_days": 30},
    ]})
    assert problem is None and len(rules) == 1  # nurture stays with marketing
    rule = rules[0]
    assert (rule.roles, rule.tiers, rule.response_hours) == ({"senior_decision_maker"}, {"1:1"}, 2.0)
    assert not met(rule, make_signal(ACME, BOSS, "demo_request", at(1)))  # a 1:few account, wrong role


def test_missing_or_malformed_saved_rules_give_a_reason_to_fall_back():
    assert Q.rules_from_answer(None) == ((), "you have not saved qualification rules yet")
    assert "could not be read" in Q.rules_from_answer({"rules": "junk"})[1]
    rules, problem = Q.rules_from_answer({"rules": [{"name": "Loose", "signal_types": ["webinar"]}, 7]})
    assert rules == () and "Loose" in problem and "rule 2 could not be read" in problem


def test_rules_saved_without_a_level_are_hot_for_one_signal_else_warm():
    rules, _ = Q.rules_from_answer({"rules": [
        {"name": "A", "signal_types": ["demo_request"], "min_signals": 1, "window_days": 7},
        {"name": "B", "signal_types": ["webinar"], "min_signals": 3, "window_days": 14}]})
    assert [r.level for r in rules] == ["hot", "warm"]
