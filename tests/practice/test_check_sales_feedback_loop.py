"""The sales-feedback-loop checker: decisions and reason codes in the workspace, and changes that answer them."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from lms.abm.snapshot import WorkspaceSnapshot
from tests.practice.builders_signals import large_activity_workspace, make_handoff
from tests.practice.snapshot_builders import NOW, load_checker, make_account, make_contact, snapshot

check = load_checker("sales-feedback-loop").check

LARKSPUR = make_account(id=1, name="Larkspur Devices Ltd")
JANE = make_contact(LARKSPUR, "finance", id=10, first_name="Jane", last_name="Doe")

LIGHT = {
    "reason": "light_signal",
    "change": "Raise the build-up rule to three signals from two contacts within fourteen days before any handoff",
    "owner": "marketing",
    "due_week": 1,
}
WEAK = {
    "reason": "weak_role",
    "change": "Only hand off once a functional owner or senior decision maker has engaged, and multi-thread first",
    "owner": "both",
    "due_week": 2,
}


def handoff(i: int, status: str, reason: str | None = None, feedback: str | None = "Not enough intent", **kw):
    kw.setdefault("sent_at", NOW - timedelta(days=20))
    return make_handoff(
        LARKSPUR,
        JANE,
        id=i,
        status=status,
        rejection_reason=reason,
        sales_feedback=feedback if status == "rejected" else None,
        **kw,
    )


def base_handoffs():
    """Three accepted, three rejected for light signal, one for weak role: seven decided."""
    return [handoff(i, "accepted") for i in (1, 2, 3)] + [
        handoff(4, "rejected", "light_signal"),
        handoff(5, "rejected", "light_signal"),
        handoff(6, "rejected", "light_signal"),
        handoff(7, "rejected", "weak_role", "Intern, not a buyer"),
    ]


def workspace(*extra, handoffs=None):
    return snapshot(
        [LARKSPUR], [JANE], handoffs=tuple((base_handoffs() if handoffs is None else handoffs) + list(extra))
    )


def answer(*rows):
    return {"changes": [dict(r) for r in rows] if rows else [dict(LIGHT), dict(WEAK)]}


def find(result, **match):
    return [f for f in result.findings if all(getattr(f, k) == v for k, v in match.items())]


def test_good_loop_passes_with_a_tally():
    result = check(workspace(), answer())
    assert result.passed
    assert result.score == 100
    assert result.findings == ()
    s = result.summary
    assert (s["decided"], s["accepted"], s["rejected"]) == (7, 3, 4)
    assert s["acceptance_rate"] == round(3 / 7, 3)
    assert s["reasons"] == {
        "wrong_account": 0,
        "weak_role": 1,
        "poor_timing": 0,
        "light_signal": 3,
        "missing_context": 0,
    }
    assert s["most_frequent_reasons"] == ["light_signal"]
    json.dumps(s)


def test_handoff_undecided_for_more_than_seven_days():
    result = check(workspace(handoff(8, "sent", sent_at=NOW - timedelta(days=9))), answer())
    (f,) = find(result, about="handoff", about_id=8)
    assert (f.severity, f.field) == ("improve", "status")
    assert "waited 9 days" in f.message and "ask Priya Shah to accept or reject" in f.message
    assert "Jane Doe at Larkspur Devices Ltd" in f.message
    assert result.summary["awaiting_over_7_days"] == 1


def test_recent_undecided_handoff_is_fine():
    result = check(workspace(handoff(8, "sent", sent_at=NOW - timedelta(days=2))), answer())
    assert not find(result, about_id=8)
    assert result.summary["awaiting_decision"] == 1


def test_rejection_without_reason_code():
    result = check(workspace(handoff(8, "rejected", None)), answer())
    (f,) = find(result, about_id=8, field="rejection_reason")
    assert f.severity == "improve"
    assert "without a reason code" in f.message and "light_signal" in f.message
    assert result.summary["rejected_without_reason"] == 1


def test_rejection_with_an_unknown_code():
    result = check(workspace(handoff(8, "rejected", "too_busy")), answer())
    (f,) = find(result, about_id=8, field="rejection_reason")
    assert "'too_busy' is not a code" in f.message


def test_rejection_without_feedback_text():
    result = check(workspace(handoff(8, "rejected", "light_signal", feedback="  ")), answer())
    (f,) = find(result, about_id=8, field="sales_feedback")
    assert "no feedback" in f.message


def test_too_few_decided_handoffs_asks_for_more_feedback():
    hs = [handoff(1, "accepted"), handoff(2, "rejected", "light_signal"), handoff(3, "sent")]
    result = check(workspace(handoffs=hs), answer(LIGHT))
    (f,) = find(result, severity="blocker", field="handoffs")
    assert "decided 2 handoffs" in f.message and "Collect more feedback" in f.message
    assert not result.passed


def test_most_frequent_reason_without_a_change_is_a_blocker():
    result = check(workspace(), answer(WEAK))
    (f,) = find(result, severity="blocker", field="changes")
    assert f.label == "light signal"
    assert "3 handoffs for light signal — your most frequent reason —" in f.message
    assert not result.passed


def test_other_occurring_reason_without_a_change_is_improve():
    result = check(workspace(), answer(LIGHT))
    (f,) = find(result, field="changes")
    assert f.severity == "improve"
    assert "1 handoff for weak role" in f.message
    assert result.score < 100


def test_vague_change():
    result = check(workspace(), answer({**LIGHT, "change": "Better signals"}, WEAK))
    (f,) = find(result, about="answer", about_id=1, field="change")
    assert "too vague" in f.message and "2 words" in f.message and "at least 12 words" in f.message


def test_change_without_owner():
    result = check(workspace(), answer({**LIGHT, "owner": None}, WEAK))
    (f,) = find(result, about_id=1, field="owner")
    assert f.severity == "improve"


def test_most_frequent_reason_must_come_first():
    result = check(workspace(), answer({**LIGHT, "due_week": 4}, {**WEAK, "due_week": 1}))
    (f,) = find(result, field="due_week")
    assert f.about_id == 1
    assert "most frequent rejection reason is light signal" in f.message
    assert "change 2 (weak role) is scheduled before it" in f.message


def test_without_due_weeks_row_order_decides():
    result = check(workspace(), answer({**WEAK, "due_week": None}, {**LIGHT, "due_week": None}))
    assert [f for f in find(result, field="due_week") if "most frequent" in f.message]
    assert len(find(result, field="due_week")) == 3  # two missing due weeks, one order finding


def test_change_for_a_reason_that_never_occurred():
    timing = {**LIGHT, "reason": "poor_timing", "due_week": 3}
    result = check(workspace(), answer(LIGHT, WEAK, timing))
    (f,) = find(result, about_id=3, field="reason")
    assert f.severity == "improve"
    assert "focus on the reasons you actually see" in f.message.lower()


def test_change_with_an_unknown_reason():
    result = check(workspace(), answer(LIGHT, WEAK, {**LIGHT, "reason": "vibes"}))
    (f,) = find(result, about_id=3, field="reason")
    assert "'vibes' is not a rejection reason" in f.message


def test_all_accepted_is_good():
    hs = [handoff(i, "accepted") for i in range(1, 6)]
    result = check(workspace(handoffs=hs), {"changes": []})
    assert result.passed
    assert [f.severity for f in result.findings] == ["good"]


def test_no_handoffs_is_a_blocker():
    result = check(snapshot([LARKSPUR], [JANE]), answer())
    assert find(result, severity="blocker", field="handoffs")
    assert result.score == 0


def test_empty_workspace_is_a_blocker_not_an_error():
    result = check(WorkspaceSnapshot(name="empty", now=NOW), answer())
    assert result.score == 0
    assert "import your accounts" in result.findings[0].message


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        [],
        "changes",
        {"changes": "x"},
        {"changes": [None, 4, {"reason": 3, "change": ["a"], "owner": {}, "due_week": "soon"}]},
        {
            "changes": [
                {"reason": "light_signal", "change": None, "owner": "marketing", "due_week": float("nan")}
            ]
        },
    ],
)
def test_garbage_answers_do_not_raise(garbage):
    result = check(workspace(), garbage)
    assert not result.passed
    json.dumps(result.summary)


def test_large_workspace_runs():
    result = check(large_activity_workspace(), answer())
    json.dumps(result.summary)
    assert result.summary["decided"] > 3000
