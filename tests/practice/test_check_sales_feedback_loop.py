"""The sales-feedback-loop checker, rule by rule, on an honest loop and one broken part at a time; plus one test per
contradiction between the modules and the old checker, named for it."""

from __future__ import annotations

from datetime import timedelta

from lms.abm.snapshot import PersonSnap
from tests.practice.builders_signals import make_handoff
from tests.practice.snapshot_builders import NOW, load_checker, make_account, make_contact, snapshot

module = load_checker("sales-feedback-loop")
check = module.check

LARKSPUR = make_account(id=1, name="Larkspur Devices Ltd")
JANE = make_contact(LARKSPUR, "finance", id=10, first_name="Jane", last_name="Doe")
VERDICTS = (("accepted", None), ("accepted", None), ("rejected", "light_signal"), ("rejected", "light_signal"),
            ("rejected", "light_signal"), ("rejected", "weak_role"))
LIGHT = {"reason": "light_signal", "owner": "Ruth Adams", "due_week": 1,
         "change": "Raise the build-up rule to three signals from two contacts within fourteen days before handoff",
         "check": "Light-signal rejections fall and acceptance rises next month"}
WEAK = {"reason": "weak_role", "owner": "Sam Reyes", "due_week": 2,
        "change": "Only hand off once a functional owner or senior decision maker has engaged at the account",
        "check": "Weak-role rejections fall in the monthly tally"}


def handoffs(verdicts=VERDICTS, **kw):
    kw.setdefault("sent_at", NOW - timedelta(days=20))
    return tuple(make_handoff(LARKSPUR, JANE, id=i, status=status, rejection_reason=reason, **kw)
                 for i, (status, reason) in enumerate(verdicts, start=1))


def workspace(hs=None, **kw):
    return snapshot([LARKSPUR], [JANE], handoffs=hs if hs is not None else handoffs(), **kw)


def ctx(ws=None, *rows):
    return module.build_context(ws or workspace(), {"changes": list(rows) if rows else [LIGHT, WEAK]})


def test_the_honest_loop_passes_with_full_marks():
    result = check(workspace(), {"changes": [LIGHT, WEAK]})
    assert result.passed and result.score == 100
    assert result.summary["reasons"]["light_signal"] == 3 and result.summary["acceptance_rate"] == round(2 / 6, 3)


def test_fewer_than_five_decisions_is_a_blocker():
    result = check(workspace(handoffs(VERDICTS[:3])), {"changes": [LIGHT]})
    assert not result.passed and any("at least 5" in f.message for f in result.findings)


def test_decided_within_the_sla_passes_when_every_overdue_handoff_is_decided():
    assert module.decided_within_the_sla(ctx()).met == 1


def test_a_handoff_undecided_after_its_sla_fails_even_within_a_week():
    # Contradiction 1: the old checker allowed 7 days; module 11 says accepted or rejected within the SLA window.
    waiting = make_handoff(LARKSPUR, JANE, id=9, status="sent", sent_at=NOW - timedelta(days=2), sla_hours=24)
    outcome = module.decided_within_the_sla(ctx(workspace((*handoffs(), waiting))))
    assert outcome.met == 6 / 7
    finding = outcome.findings[0]
    assert "24-hour SLA" in finding.message and finding.account == "Larkspur Devices Ltd"


def test_rejections_have_a_reason_passes_and_fails_on_a_missing_code():
    assert module.rejections_have_a_reason(ctx()).met == 1
    outcome = module.rejections_have_a_reason(ctx(workspace(handoffs((*VERDICTS, ("rejected", "too busy"))))))
    assert outcome.met == 4 / 5 and "without a reason" in outcome.findings[0].message


def test_a_rejection_without_a_note_still_counts_when_it_has_a_code():
    # Contradiction 2: module 08 makes the code required and the note optional; the old checker marked a coded
    # rejection without feedback text as not captured.
    assert module.rejections_have_a_reason(ctx(workspace(handoffs(sales_feedback=None)))).met == 1


def test_changes_are_specific_and_owned_passes_for_named_dated_checked_changes():
    assert module.changes_are_specific_and_owned(ctx()).met == 1


def test_a_team_as_owner_fails_as_modules_08_and_03_teach_a_named_person():
    # Contradiction 3: the old checker's owner was marketing, sales or both.
    outcome = module.changes_are_specific_and_owned(ctx(None, {**LIGHT, "owner": "marketing"}, WEAK))
    assert outcome.met == 0.5 and "named owner" in outcome.findings[0].message


def test_a_change_without_a_check_fails_as_module_08_asks_how_you_will_know():
    # Contradiction 4: module 08 pairs each change with a check next month; the old checker had no such field.
    outcome = module.changes_are_specific_and_owned(ctx(None, {**LIGHT, "check": ""}, WEAK))
    assert outcome.met == 0.5 and "how you will know it worked" in outcome.findings[0].message


def test_on_a_team_workspace_the_owner_must_be_on_the_team():
    team = (PersonSnap("Ruth Adams", None, "marketing"),)
    outcome = module.changes_are_specific_and_owned(ctx(workspace(kind="team", team=team)))
    assert outcome.met == 0.5 and "not a member" in outcome.findings[0].message


def test_every_reason_answered_weights_reasons_by_frequency():
    assert module.every_reason_answered(ctx()).met == 1
    outcome = module.every_reason_answered(ctx(None, WEAK))
    assert outcome.met == 0.25
    assert outcome.findings[0].severity == "blocker" and "most frequent" in outcome.findings[0].message


def test_a_vague_change_gets_half_credit():
    outcome = module.every_reason_answered(ctx(None, {**LIGHT, "change": "Fix the rules"}, WEAK))
    assert outcome.met == 0.75 * 0.5 + 0.25


def test_most_frequent_first_passes_and_fails_on_order():
    assert module.most_frequent_first(ctx()).met == 1
    outcome = module.most_frequent_first(ctx(None, {**LIGHT, "due_week": 3}, WEAK))
    assert outcome.met == 0 and "bring change 1 forward" in outcome.findings[0].message


def test_focus_on_real_reasons_passes_and_fails_on_a_reason_that_never_occurs():
    assert module.focus_on_real_reasons(ctx()).met == 1
    extra = {**WEAK, "reason": "wrong_account", "change": "Re-check the subsidiaries against the profile with sales"}
    outcome = module.focus_on_real_reasons(ctx(None, LIGHT, WEAK, extra))
    assert outcome.met == 2 / 3 and "problem you do not have" in outcome.findings[0].message


def test_unreadable_answers_do_not_raise():
    for answer in (None, {}, {"changes": "junk"}, {"changes": [None, 3, {"reason": 7, "due_week": "x"}]}):
        result = check(workspace(), answer)
        assert not result.passed
