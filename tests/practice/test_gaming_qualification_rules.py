"""Gaming the qualification-rules checker: answers a learner in a hurry might try, each of which must fail."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.practice.snapshot_builders import load_checker
from tests.practice.test_check_qualification_rules import HOT, WARM, rules, workspace

ck = load_checker("qualification-rules")


def failed(answer, ws=None) -> bool:
    """True when the answer does not pass."""
    return not ck.check(ws or workspace(), answer).passed


def test_the_honest_rules_pass():
    result = ck.check(workspace(), rules())
    assert result.passed, [f.message for f in result.findings]


def test_team_names_as_owners_fail():
    assert failed(rules({"owner": "Sales", "backup": "SDR team"}, {"owner": "marketing", "backup": "sales"}))


def test_one_rule_copied_twice_with_team_owners_fails():
    assert failed({"rules": [dict(HOT, owner="both"), dict(HOT, owner="both", name="Hot 2")]})


def test_a_week_long_response_time_fails():
    assert failed(rules({"response_hours": 24}, {"response_hours": 168}))


def test_an_instant_response_time_fails():
    assert failed(rules({"response_hours": 0.01}))


def test_a_hot_rule_labelled_warm_to_get_a_slower_response_fails():
    sneaky = dict(HOT, level="warm", response_hours=48, min_contacts=2, roles=["finance"])
    assert failed({"rules": [sneaky, WARM]})


def test_a_single_ad_click_to_sales_fails():
    assert failed(rules({}, {"signal_types": ["ad_click", "webinar"], "min_signals": 1, "min_contacts": 0}))


def test_anything_from_anyone_over_a_year_fails():
    loose = {"name": "Anything", "level": "warm", "signal_types": ["website_visit", "content_download", "webinar"],
             "min_signals": 1, "window_days": 365, "min_contacts": 0, "owner": "Lin Osei", "backup": "Sam Reyes",
             "response_hours": 24}
    assert failed({"rules": [HOT, loose]})


def test_rules_whose_signals_were_never_followed_up_do_not_pass_on_paper_alone():
    result = ck.check(workspace(follow_up=None), rules())
    assert result.score < 100 and any(f.rule == "followed-up-in-time" for f in result.findings)
    assert ck.check(workspace(follow_up=timedelta(minutes=30)), rules()).score == 100



def test_findings_on_gamed_rules_are_plain_words_without_field_names():
    snake = re.compile(r"\b[a-z]+_[a-z_]+\b")
    gamed = {"rules": [dict(HOT, owner="sales", backup="", response_hours=200, window_days=90, min_contacts=0,
                            signal_types=["ad_click", "website_visit"], level="hot"),
                       {"name": "x", "level": "bogus", "min_signals": "lots"}]}
    findings = ck.check(workspace(follow_up=None), gamed).findings
    assert findings and not [f.message for f in findings if snake.search(f.message)]
