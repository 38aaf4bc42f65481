"""Gaming the role-messaging checker: messages a learner in a hurry might try, each of which must fail."""

from __future__ import annotations

import re
from dataclasses import replace

from tests.practice.snapshot_builders import load_checker, make_contact
from tests.practice.test_check_role_messaging import BRILL, HONEST, answer, workspace

ck = load_checker("role-messaging")

TEMPLATE = ("{name}: as a leader you care about cost, budget, payback, strategy, growth, integration, security "
            "and data. Our platform helps companies like {name} work smarter. Shall we talk?")


def test_the_honest_messages_pass():
    assert ck.check(workspace(), answer()).passed


def test_one_template_with_the_name_merged_in_fails():
    rows = [(a, role, "linkedin", "", TEMPLATE.format(name=name))
            for a, name in ((1, "Acme Freight"), (2, "Brill Haulage"))
            for role in ("senior_decision_maker", "finance", "technical_evaluator")]
    assert not ck.check(workspace(), answer(rows)).passed


def test_each_message_copied_across_accounts_with_the_name_swapped_fails():
    rows = list(HONEST[:3]) + [(2, r, ch, s.replace("Acme Freight", "Brill Haulage"),
                                t.replace("Acme Freight", "Brill Haulage")) for _, r, ch, s, t in HONEST[:3]]
    assert not ck.check(workspace(), answer(rows)).passed


def test_keyword_stuffed_messages_that_only_name_the_account_fail():
    rows = [(a, role, "linkedin", "", f"Hi, {name} team ({i}): cost, budget, strategy, growth, integration, security "
             "for you.") for i, (a, name, role) in enumerate(
                 (a, name, role) for a, name in ((1, "Acme Freight"), (2, "Brill Haulage"))
                 for role in ("senior_decision_maker", "finance", "technical_evaluator"))]
    assert not ck.check(workspace(), answer(rows)).passed


def test_an_intern_tagged_with_every_role_does_not_make_a_buying_group():
    ws = workspace()
    ivy = make_contact(BRILL, "senior_decision_maker", "finance", "technical_evaluator", "procurement", id=98,
                       title="Intern")
    ws = replace(ws, contacts=(*ws.contacts[:3], ivy))  # Brill's real people replaced by one intern
    assert not ck.check(ws, answer()).passed


def test_placeholders_left_in_fail():
    rows = [(a, r, ch, s, t.replace("Hello Sam", "Hello [First name]")) for a, r, ch, s, t in HONEST]
    assert not ck.check(workspace(), answer(rows)).passed


def test_one_account_only_fails():
    assert not ck.check(workspace(), answer(HONEST[:3])).passed



def test_findings_on_gamed_messages_are_plain_words_without_field_names():
    snake = re.compile(r"\b[a-z]+_[a-z_]+\b")
    rows = [(a, role, ch, "", TEMPLATE.format(name="Acme Freight") + " [Company] 40%")
            for a in (1, 2) for role, ch in (("blocker", "ad"), ("procurement", "phone_script"), ("user", "email"))]
    findings = ck.check(workspace(), answer(rows)).findings
    assert findings and not [f.message for f in findings if snake.search(f.message)]


def test_one_message_per_account_padded_with_a_role_sentence_fails():
    padding = {"senior_decision_maker": " It supports your strategy and growth.",
               "finance": " It pays back within the budget year.",
               "technical_evaluator": " It integrates securely with your systems."}
    rows = [(a, role, "linkedin", "", HONEST[0 if a == 1 else 3][4] + pad) for a in (1, 2)
            for role, pad in padding.items()]
    assert not ck.check(workspace(), answer(rows)).passed
