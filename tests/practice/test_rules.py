"""A checker as named, weighted rules: the score, the pass, and the findings each rule stamps with its name."""

from __future__ import annotations

import pytest

from lms.practice.result import Finding
from lms.practice.rules import Outcome, Rules


def make_rules(first_met=(1, 2), second_met=(3, 3), blocker=False) -> Rules:
    rules = Rules()

    @rules.rule("reasons-are-specific", module="c/choose", weight=3)
    def reasons(ctx):
        return Outcome.of(*first_met, [Finding("blocker" if blocker else "improve", "Say why Acme", "account", 7,
                                               "Acme")])

    @rules.rule("tiers-are-set", module="c/tier")
    def tiers(ctx):
        return Outcome.of(*second_met, [Finding("good", "Every account has a tier", module="c/own")], tiered=3)

    return rules


def test_the_score_is_the_weighted_share_met():
    result = make_rules().evaluate(None, pass_mark=60)
    assert result.score == 63  # (3 x 0.5 + 1 x 1.0) / 4 = 62.5, rounded half up
    assert result.passed and result.summary == {"tiered": 3}


def test_a_blocker_fails_whatever_the_score():
    result = make_rules(first_met=(2, 2), blocker=True).evaluate(None, pass_mark=60)
    assert result.score == 100 and not result.passed


def test_below_the_pass_mark_fails():
    assert not make_rules(first_met=(0, 2)).evaluate(None, pass_mark=60).passed


def test_findings_carry_their_rule_and_module_and_their_account():
    found = make_rules().evaluate(None, pass_mark=60).findings
    first = next(f for f in found if f.rule == "reasons-are-specific")
    assert (first.module, first.account_id, first.account) == ("c/choose", 7, "Acme")
    second = next(f for f in found if f.rule == "tiers-are-set")
    assert second.module == "c/own"  # a finding's own module wins


def test_a_rule_with_nothing_to_check_is_left_out_of_the_score():
    result = make_rules(second_met=(0, 0)).evaluate(None, pass_mark=40)
    assert result.score == 50


def test_nothing_to_check_at_all_scores_zero_and_fails():
    result = make_rules(first_met=(0, 0), second_met=(0, 0)).evaluate(None, pass_mark=1)
    assert (result.score, result.passed) == (0, False)


def test_a_rule_can_be_run_alone_and_names_must_be_unique():
    rules = make_rules()
    assert rules["tiers-are-set"](None).met == 1.0
    with pytest.raises(ValueError):
        rules.rule("tiers-are-set", module="x")(lambda ctx: Outcome(None))
