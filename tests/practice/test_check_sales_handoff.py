"""The sales-handoff checker: complete briefs on target accounts, followed up in time, for every qualified signal."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from lms.abm.snapshot import WorkspaceSnapshot
from tests.practice.builders_signals import large_activity_workspace, make_handoff, make_signal
from tests.practice.snapshot_builders import NOW, load_checker, make_account, make_contact, snapshot

check = load_checker("sales-handoff").check

LARKSPUR = make_account(id=1, name="Larkspur Devices Ltd")
JANE = make_contact(LARKSPUR, "finance", id=10, first_name="Jane", last_name="Doe")
DEMO = make_signal(LARKSPUR, JANE, "demo_request", NOW - timedelta(hours=4), id=100, topic="route planning")


def workspace(*handoff_overrides: dict, accounts=(), contacts=(), signals=(), **ws_kw) -> WorkspaceSnapshot:
    """Larkspur with Jane's demo request and one complete handoff per override dict (default: one, unchanged)."""
    overrides = handoff_overrides or ({},)
    handoffs = []
    for i, kw in enumerate(overrides, start=1):
        kw = dict(kw)
        account = kw.pop("account", LARKSPUR)
        contact = kw.pop("contact", JANE)
        handoffs.append(make_handoff(account, contact, **{"id": i, "signal_id": 100, **kw}))
    return snapshot(
        (LARKSPUR, *accounts),
        (JANE, *contacts),
        signals=(DEMO, *signals),
        handoffs=tuple(handoffs),
        **ws_kw,
    )


def find(result, **match):
    return [f for f in result.findings if all(getattr(f, k) == v for k, v in match.items())]


def test_complete_handoff_passes():
    result = check(workspace(), {})
    assert result.score == 100
    assert result.passed
    assert [f.severity for f in result.findings] == ["good"]
    assert result.summary["checks"] == 14  # 13 for the handoff + 1 qualified account
    json.dumps(result.summary)


def test_missing_sales_owner_is_a_blocker_naming_account_and_contact():
    result = check(workspace({"sales_owner": None}), {})
    (f,) = find(result, field="sales_owner")
    assert (f.severity, f.about, f.about_id, f.label) == ("blocker", "handoff", 1, "Larkspur Devices Ltd")
    assert "Jane Doe at Larkspur Devices Ltd" in f.message
    assert "the account owner is Priya Shah" in f.message
    assert not result.passed


def test_missing_contact_is_a_blocker():
    result = check(workspace({"contact": None}), {})
    (f,) = find(result, field="contact_id", severity="blocker")
    assert f.about_id == 1
    assert "names no contact" in f.message
    assert not result.passed


def test_unknown_contact_is_a_blocker():
    result = check(workspace({"contact": 999}), {})
    (f,) = find(result, field="contact_id", severity="blocker")
    assert "contact id 999, who is unknown" in f.message


@pytest.mark.parametrize(
    "field", ["contact_role", "buying_group_relevance", "engagement_summary", "qualification_level"]
)
def test_each_missing_brief_field_is_named(field):
    result = check(workspace({field: None}), {})
    (f,) = find(result, field=field)
    assert (f.severity, f.about, f.about_id) == ("improve", "handoff", 1)
    assert f"has no {field.replace('_', ' ')}" in f.message
    assert "Jane Doe at Larkspur Devices Ltd" in f.message
    assert result.score == 93  # 13 of 14 checks
    assert result.passed  # above the pass mark, and not a blocker


def test_too_short_engagement_summary():
    result = check(workspace({"engagement_summary": "demo"}), {})
    (f,) = find(result, field="engagement_summary")
    assert "too short" in f.message


def test_recommended_follow_up_must_be_a_real_message():
    result = check(workspace({"recommended_follow_up": "Call her about Larkspur"}), {})
    (f,) = find(result, field="recommended_follow_up")
    assert f.severity == "improve"
    assert "4 words" in f.message and "at least 15 words" in f.message
    assert "route planning" in f.message  # suggests what the contact engaged with


def test_generic_follow_up_is_flagged():
    generic = (
        "Hello, I hope you are well. I would love to set up a quick call next week to talk about how we "
        "could help your team."
    )
    result = check(workspace({"recommended_follow_up": generic}), {})
    (f,) = find(result, field="recommended_follow_up")
    assert "could go to anyone" in f.message


def test_follow_up_naming_the_contacts_concern_counts():
    text = (
        "Thank her for the demo request and offer a short call on route planning for the new depots, with the "
        "cost model finance asked about."
    )
    result = check(workspace({"recommended_follow_up": text}), {})
    assert not find(result, field="recommended_follow_up")


def test_account_without_tier_or_reason_is_named_once():
    untiered = replace(LARKSPUR, tier=None, why_selected=None)
    ws = workspace({}, {"id": 2})
    ws = replace(ws, accounts=(untiered,), _by_id={})
    result = check(ws, {})
    (tier,) = find(result, field="tier")
    assert (tier.about, tier.about_id, tier.severity) == ("account", 1, "improve")
    assert "set 1:1, 1:few or 1:many" in tier.message
    (why,) = find(result, field="why_selected")
    assert why.about == "account"
    assert result.summary["failed_checks"]["tier"] == 2  # both handoffs lose the check


def test_handoff_on_a_non_target_account():
    other = make_account(id=2, name="Outlier plc", is_target=False)
    bob = make_contact(other, "finance", id=20, first_name="Bob", last_name="Stone")
    result = check(workspace({}, {"account": other, "contact": bob}, accounts=(other,), contacts=(bob,)), {})
    (f,) = find(result, about="handoff", about_id=2, field="account_id")
    assert "not on your target account list" in f.message
    assert result.summary["on_non_target_accounts"] == 1


def test_contact_not_at_the_handoff_account():
    other = make_account(id=2, name="Quarry Motors")
    sam = make_contact(other, "finance", id=20, first_name="Sam", last_name="Ng")
    result = check(workspace({"contact": sam}, accounts=(other,), contacts=(sam,)), {})
    (f,) = find(result, field="contact_id")
    assert f.severity == "improve"
    assert "Sam Ng works at Quarry Motors, not Larkspur Devices Ltd" in f.message


def test_sla_breached_by_a_late_first_touch():
    sent = NOW - timedelta(hours=20)
    result = check(
        workspace({"sent_at": sent, "sla_hours": 4, "first_touch_at": sent + timedelta(hours=10)}), {}
    )
    (f,) = find(result, field="first_touch_at")
    assert f.about_id == 1
    assert "the SLA was 4 h" in f.message and "10 h after it was sent" in f.message
    assert "Priya Shah" in f.message
    assert result.summary["sla_breached"] == 1


def test_sla_breached_with_no_touch_past_due():
    sent = NOW - timedelta(days=3)
    result = check(workspace({"sent_at": sent, "sla_hours": 24, "first_touch_at": None}), {})
    (f,) = find(result, field="first_touch_at")
    assert "still no first touch" in f.message


def test_sla_not_yet_due_is_not_judged():
    result = check(
        workspace({"sent_at": NOW - timedelta(hours=1), "sla_hours": 4, "first_touch_at": None}), {}
    )
    assert not find(result, field="first_touch_at")
    assert result.summary["sla_due"] == 0
    assert result.summary["checks"] == 13


def test_missing_sla():
    result = check(workspace({"sla_hours": None}), {})
    (f,) = find(result, field="sla_hours")
    assert f.severity == "improve"


def test_contact_role_that_contradicts_the_contact_record():
    result = check(workspace({"contact_role": "technical_evaluator"}), {})
    (f,) = find(result, field="contact_role")
    assert "technical evaluator" in f.message and "finance" in f.message


def test_qualified_signals_without_handoff_are_flagged_per_account():
    hot = make_account(id=2, name="Hotspur Rail")
    build = make_account(id=3, name="Builder Bros")
    slow = make_account(id=4, name="Slowcoach Ltd")
    old = make_account(id=5, name="Oldtimer Ltd")
    covered = make_account(id=6, name="Covered Co")
    people = [make_contact(a, "user", id=20 + a.id) for a in (hot, build, slow, old, covered)]
    signals = (
        make_signal(hot, people[0], "pricing_page_visit", NOW - timedelta(days=3), id=201),
        make_signal(build, people[1], "webinar", NOW - timedelta(days=20), id=301),
        make_signal(build, people[1], "content_download", NOW - timedelta(days=10), id=302),
        make_signal(slow, people[2], "webinar", NOW - timedelta(days=29), id=401),
        make_signal(slow, people[2], "webinar", NOW - timedelta(days=5), id=402),
        make_signal(old, people[3], "demo_request", NOW - timedelta(days=40), id=501),
        make_signal(covered, people[4], "demo_request", NOW - timedelta(days=5), id=601),
    )
    earlier = {
        "account": covered,
        "contact": people[4],
        "signal_id": None,
        "sent_at": NOW - timedelta(days=15),
    }
    ws = workspace(
        {},
        earlier,
        accounts=(hot, build, slow, old, covered),
        contacts=tuple(people),
        signals=signals,
    )
    result = check(ws, {})
    flagged = {f.about_id: f for f in find(result, about="account", field="handoffs")}
    assert set(flagged) == {2, 3}
    assert "pricing page visit from" in flagged[2].message and "no handoff" in flagged[2].message
    assert "2 qualified signals" in flagged[3].message
    assert result.summary["qualified_without_handoff"] == 2
    assert [u["account"] for u in result.summary["unhanded"]] == ["Builder Bros", "Hotspur Rail"]


def test_no_handoffs_is_a_blocker():
    result = check(snapshot([LARKSPUR], [JANE], signals=(DEMO,)), {})
    assert find(result, severity="blocker", field="handoffs")
    assert find(result, about="account", about_id=1, field="handoffs")  # the qualified signal with no handoff
    assert result.score == 0


def test_empty_workspace_is_a_blocker_not_an_error():
    result = check(WorkspaceSnapshot(name="empty", now=NOW), {})
    assert result.score == 0
    assert "import your accounts" in result.findings[0].message


@pytest.mark.parametrize("garbage", [None, [], "x", {"anything": object()}])
def test_answer_is_ignored_and_garbage_does_not_raise(garbage):
    assert check(workspace(), garbage).score == 100


def test_odd_values_in_the_workspace_do_not_raise():
    ws = workspace(
        {"sla_hours": "x", "first_touch_at": "yesterday", "contact_role": 5, "recommended_follow_up": 123},
        {"sent_at": None},
        {"account": 404, "contact": JANE, "sales_owner": "  "},
    )
    result = check(ws, {})
    json.dumps(result.summary)
    assert find(result, field="sent_at")  # the undated handoff is reported, not checked
    assert "not in your workspace" in find(result, about_id=3, field="account_id")[0].message
    assert find(result, about_id=3, field="sales_owner", severity="blocker")


def test_large_workspace_runs():
    result = check(large_activity_workspace(), {})
    json.dumps(result.summary)
    assert result.summary["handoffs"] == 5000
    assert len(result.findings) < 200  # capped per kind, with roll-ups
