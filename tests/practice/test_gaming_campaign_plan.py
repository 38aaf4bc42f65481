"""Gaming the campaign-plan checker: plans a learner in a hurry might try, each of which must fail."""

from __future__ import annotations

import re

from tests.practice.snapshot_builders import load_checker
from tests.practice.test_check_campaign_plan import EXEC, FIN, FO, HONEST, MARKETER, SDM, TE, plan, workspace

ck = load_checker("campaign-plan")


def passed(answer) -> bool:
    return ck.check(workspace(), answer).passed


def test_the_honest_plan_passes():
    assert passed(plan())


def test_team_names_as_owners_fail():
    steps = [(w, ch, ("Marketing" if team == "marketing" else "Sales team", team), roles, act)
             for w, ch, (_, team), roles, act in HONEST]
    assert not passed(plan(steps))


def test_both_teams_as_the_owner_fails():
    steps = [(w, ch, ("both", "sales"), roles, act) for w, ch, _, roles, act in HONEST]
    assert not passed(plan(steps))


def test_one_action_copied_into_every_step_fails():
    boilerplate = "Send the relevant content to the buying group and follow up with a call."
    steps = [(w, ch, who, roles, boilerplate) for w, ch, who, roles, _ in HONEST]
    assert not passed(plan(steps))


def test_every_role_ticked_on_every_step_with_sales_at_the_very_end_fails():
    everyone = [SDM, FO, TE, FIN, "procurement", "user", "champion"]
    steps = [(w, ch, MARKETER, everyone, f"{act} (touch {i})") for i, (w, ch, _, _, act) in enumerate(HONEST)]
    steps.append((20, "phone", EXEC, everyone, "Sam finally calls everyone who engaged to ask for a meeting."))
    assert not passed(plan(steps))


def test_a_plan_of_three_rows_in_one_week_fails():
    steps = [(1, "email", MARKETER, [SDM, FO, TE, FIN], "Send everyone the brochure about our platform today."),
             (1, "linkedin", EXEC, [SDM, FO, TE, FIN], "Connect with everyone on LinkedIn on the same day."),
             (1, "phone", EXEC, [SDM, FO, TE, FIN], "Call everyone straight after the email and the note.")]
    assert not passed(plan(steps))



def test_findings_on_a_gamed_plan_are_plain_words_without_field_names():
    snake = re.compile(r"\b[a-z]+_[a-z_]+\b")
    gamed = plan([(w, "direct_mail" if i % 2 else "sales_meeting", ("both", "sales"), ["procurement", "user"],
                   "Send the standard pack to everyone.") for i, (w, *_rest) in enumerate(HONEST)], tier="1:many")
    findings = ck.check(workspace(), gamed).findings
    assert findings and not [f.message for f in findings if snake.search(f.message)]
