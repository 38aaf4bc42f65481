"""The qualification-rules checker: rules run on the learner's own signals as at workspace.now."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from lms.abm.snapshot import WorkspaceSnapshot
from tests.practice.builders_signals import large_activity_workspace, make_signal
from tests.practice.snapshot_builders import NOW, load_checker, make_account, make_contact, snapshot

check = load_checker("qualification-rules").check

HOT = {
    "name": "Hot hand-raisers",
    "signal_types": ["demo_request", "meeting_request", "pricing_page_visit"],
    "min_signals": 1,
    "window_days": 7,
    "min_contacts": 1,
    "owner": "sales",
    "response_hours": 4,
}
BUILD_UP = {
    "name": "Build-up",
    "signal_types": ["content_download", "webinar", "website_visit"],
    "min_signals": 2,
    "window_days": 14,
    "min_contacts": 2,
    "owner": "sdr",
    "response_hours": 48,
}


def workspace(*extra_signals, demo_follow_up=timedelta(hours=1), **account_kw):
    """Six targets: Alpha has a followed-up demo request, Bravo a build-up from two people, the rest one visit."""
    names = ("Alpha Ltd", "Bravo Ltd", "Charlie Ltd", "Delta Ltd", "Echo Ltd", "Foxtrot Ltd")
    accounts = [make_account(id=i + 1, name=n, **account_kw) for i, n in enumerate(names)]
    contacts = [
        make_contact(accounts[0], "senior_decision_maker", id=10, first_name="Ada", last_name="Lovelace"),
        make_contact(accounts[1], "functional_owner", id=20),
        make_contact(accounts[1], "finance", id=21),
    ] + [make_contact(a, "user", id=30 + i) for i, a in enumerate(accounts[2:])]
    demo_at = NOW - timedelta(days=2)
    signals = [
        make_signal(
            accounts[0],
            contacts[0],
            "demo_request",
            demo_at,
            id=1,
            followed_up_at=demo_at + demo_follow_up if demo_follow_up is not None else None,
        ),
        make_signal(accounts[1], contacts[1], "content_download", NOW - timedelta(days=10), id=2),
        make_signal(
            accounts[1],
            contacts[2],
            "webinar",
            NOW - timedelta(days=8),
            id=3,
            followed_up_at=NOW - timedelta(days=8) + timedelta(hours=5),
        ),
    ] + [
        make_signal(a, c, "website_visit", NOW - timedelta(days=20), id=40 + i)
        for i, (a, c) in enumerate(zip(accounts[2:], contacts[3:], strict=True))
    ]
    return snapshot(accounts, contacts, signals=tuple(signals) + tuple(extra_signals))


def answer(*rows):
    return {"rules": [dict(r) for r in rows] if rows else [dict(HOT), dict(BUILD_UP)]}


def find(result, **match):
    return [f for f in result.findings if all(getattr(f, k) == v for k, v in match.items())]


def test_good_rules_on_a_good_workspace_pass():
    result = check(workspace(), answer())
    assert result.passed
    assert result.score == 100
    assert [f.severity for f in result.findings] == ["good"]
    json.dumps(result.summary)


def test_summary_lists_qualified_accounts_with_their_signals():
    result = check(workspace(), answer())
    rows = {(q["account"], q["rule"]): q for q in result.summary["qualified"]}
    assert set(rows) == {("Alpha Ltd", "Hot hand-raisers"), ("Bravo Ltd", "Build-up")}
    assert [s["id"] for s in rows[("Bravo Ltd", "Build-up")]["signals"]] == [2, 3]
    assert rows[("Alpha Ltd", "Hot hand-raisers")]["signals"][0]["contact"] == "Ada Lovelace"
    assert result.summary["rules"][0]["accounts_qualified_now"] == 1
    assert result.summary["follow_ups_due"] == 2
    assert result.summary["follow_ups_on_time"] == 2


def test_fewer_than_two_rules_is_a_blocker():
    result = check(workspace(), answer(HOT))
    (f,) = find(result, severity="blocker", field="rules")
    assert f.about == "answer"
    assert "at least 2" in f.message
    assert not result.passed


def test_incomplete_rule_is_a_blocker_naming_the_row():
    rule = {k: v for k, v in BUILD_UP.items() if k not in ("owner", "response_hours")}
    result = check(workspace(), answer(HOT, rule))
    (f,) = find(result, severity="blocker", about="answer", about_id=2)
    assert f.field == "owner"
    assert "Rule 2 ('Build-up') is incomplete" in f.message
    assert "who follows up" in f.message and "response time" in f.message
    assert f.module == "abm-foundations/qualified-signals"
    assert not result.passed


def test_rule_without_signal_types_is_incomplete():
    result = check(workspace(), answer(HOT, {**BUILD_UP, "signal_types": []}))
    (f,) = find(result, severity="blocker", about_id=2)
    assert f.field == "signal_types"


def test_slow_response_to_high_intent_signals_is_a_blocker_citing_hbr():
    result = check(workspace(), answer({**HOT, "response_hours": 48}, BUILD_UP))
    (f,) = find(result, field="response_hours", about_id=1)
    assert f.severity == "blocker"
    assert "HBR" in f.message and "60 times" in f.message and "24 hours" in f.message
    assert f.module == "abm-foundations/follow-up-and-the-sales-handoff"
    assert not result.passed


def test_response_slower_than_72_hours_is_improve():
    result = check(workspace(), answer(HOT, {**BUILD_UP, "response_hours": 96}))
    (f,) = find(result, field="response_hours", about_id=2)
    assert f.severity == "improve"
    assert "96 h" in f.message and "72 hours" in f.message


def test_rule_that_never_matches_is_too_strict():
    result = check(workspace(), answer(HOT, {**BUILD_UP, "min_signals": 5}))
    (f,) = find(result, about_id=2, field="min_signals")
    assert f.severity == "improve"
    assert "too strict" in f.message and "nothing would ever reach sales" in f.message
    assert result.summary["rules"][1]["accounts_matched_90_days"] == 0


def test_rule_that_matches_more_than_half_the_targets_is_too_loose():
    webinars = [
        make_signal(i, 30 + i - 3, "webinar", NOW - timedelta(days=15), id=90 + i) for i in range(3, 7)
    ]
    loose = {**BUILD_UP, "signal_types": ["webinar"], "min_signals": 1, "min_contacts": 1, "window_days": 30}
    result = check(workspace(*webinars), answer(HOT, loose))
    (f,) = find(result, about_id=2, field="min_signals")
    assert "too loose" in f.message and "5 of your 6" in f.message
    assert f.severity == "improve"


def test_single_low_intent_signal_is_a_light_signal():
    light = {
        **BUILD_UP,
        "name": "Any visit",
        "signal_types": ["website_visit"],
        "min_signals": 1,
        "min_contacts": 1,
    }
    result = check(workspace(), answer(HOT, light))
    flagged = [f for f in find(result, about_id=2, field="min_signals") if "a light signal" in f.message]
    assert len(flagged) == 1
    assert "on a single website visit" in flagged[0].message
    assert flagged[0].severity == "improve"


def test_qualifying_signal_without_follow_up_is_flagged_with_account_contact_and_owner():
    result = check(workspace(demo_follow_up=None), answer())
    (f,) = find(result, about="signal", about_id=1)
    assert f.severity == "improve"
    assert f.field == "followed_up_at"
    assert f.label == "Alpha Ltd"
    assert "Ada Lovelace at Alpha Ltd" in f.message
    assert "Hot hand-raisers" in f.message
    assert "Owner: sales (Priya Shah)" in f.message
    assert "no follow-up has been recorded" in f.message
    assert result.summary["follow_ups_overdue"] == 1


def test_follow_up_later_than_the_response_time_is_flagged():
    result = check(workspace(demo_follow_up=timedelta(hours=10)), answer())
    (f,) = find(result, about="signal", about_id=1)
    assert "only followed up" in f.message


def test_a_timely_follow_up_on_another_signal_of_the_account_counts():
    visit = make_signal(1, 10, "website_visit", NOW - timedelta(days=2, minutes=-30), id=99)
    visit = replace(visit, followed_up_at=NOW - timedelta(days=2) + timedelta(hours=2))
    result = check(workspace(visit, demo_follow_up=None), answer())
    assert not find(result, about="signal")


def test_signal_not_yet_due_is_not_flagged():
    fresh = make_signal(4, 31, "pricing_page_visit", NOW - timedelta(hours=1), id=98)
    result = check(workspace(fresh), answer())
    assert not find(result, about="signal", about_id=98)
    assert any(q["account"] == "Delta Ltd" for q in result.summary["qualified"])


def test_roles_limit_which_signals_count():
    finance_only = {
        **BUILD_UP,
        "signal_types": ["content_download", "webinar"],
        "min_signals": 1,
        "min_contacts": 1,
        "roles": ["finance"],
    }
    result = check(workspace(), answer(HOT, finance_only))
    qualified = [q for q in result.summary["qualified"] if q["row"] == 2]
    assert [(q["account"], [s["id"] for s in q["signals"]]) for q in qualified] == [("Bravo Ltd", [3])]


def test_tiers_limit_which_accounts_count():
    ws = workspace()
    ws = replace(ws, accounts=(replace(ws.accounts[0], tier="1:1"), *ws.accounts[1:]), _by_id={})
    result = check(ws, answer({**HOT, "tiers": ["1:many"]}, BUILD_UP))
    assert "too strict" in find(result, about_id=1, field="min_signals")[0].message
    result = check(ws, answer({**HOT, "tiers": ["1:1"]}, BUILD_UP))
    assert not find(result, about_id=1, field="min_signals")


def test_no_recent_signals_is_reported_once_instead_of_every_rule_being_too_strict():
    ws = workspace()
    old = tuple(
        replace(s, occurred_at=s.occurred_at - timedelta(days=200), followed_up_at=None) for s in ws.signals
    )
    result = check(replace(ws, signals=old, _by_id={}), answer())
    assert "last 90 days" in find(result, field="signals")[0].message
    assert not [f for f in result.findings if "too strict" in f.message]


def test_empty_workspace_is_a_blocker_not_an_error():
    result = check(WorkspaceSnapshot(name="empty", now=NOW), answer())
    assert result.score == 0
    assert not result.passed
    assert "import your accounts first" in find(result, severity="blocker", field="accounts")[0].message


def test_workspace_without_signals_is_a_blocker():
    result = check(snapshot([make_account()]), answer())
    assert find(result, severity="blocker", field="signals")
    assert result.score == 0


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        [],
        "rules",
        {"rules": "x"},
        {"rules": [1, None, "row"]},
        {
            "rules": [
                {
                    "name": 5,
                    "signal_types": "demo_request, nonsense",
                    "min_signals": "abc",
                    "window_days": float("nan"),
                    "min_contacts": True,
                    "roles": ["ceo?", 3],
                    "tiers": ["2:2", None],
                    "owner": 7,
                    "response_hours": -1,
                },
                {"signal_types": {"a": 1}, "min_signals": [], "window_days": "1e9999", "response_hours": "4"},
            ]
        },
    ],
)
def test_garbage_answers_do_not_raise(garbage):
    result = check(workspace(), garbage)
    assert not result.passed
    json.dumps(result.summary)


def test_garbage_row_becomes_findings_naming_the_row_and_field():
    result = check(workspace(), {"rules": [{**HOT, "min_signals": "abc", "tiers": ["2:2"]}, BUILD_UP]})
    fields = {f.field for f in find(result, about="answer", about_id=1)}
    assert {"min_signals", "tiers"} <= fields


def test_large_workspace_runs():
    result = check(large_activity_workspace(), answer(HOT, BUILD_UP, {**BUILD_UP, "roles": ["finance"]}))
    json.dumps(result.summary)
    assert result.summary["targets"] > 4000


def test_build_up_rule_with_some_high_intent_types_is_not_held_to_the_hot_limit():
    mixed = {
        **BUILD_UP,
        "signal_types": ["webinar", "content_download", "pricing_page_visit"],
        "response_hours": 48,
    }
    result = check(workspace(), answer(HOT, mixed))
    assert not find(result, about_id=2, field="response_hours")
    assert result.passed
