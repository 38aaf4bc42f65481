"""KPIs on a hand-computed fixture (builders_signals.kpi_workspace, window Q4 2024), and when they cannot be computed."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import pytest

from lms.abm import kpi, signals
from lms.abm import kpis as K
from lms.abm.snapshot import WorkspaceSnapshot
from tests.practice.builders_signals import (
    Q4_END,
    Q4_START,
    kpi_workspace,
    large_activity_workspace,
    make_handoff,
    make_opportunity,
    make_signal,
)
from tests.practice.snapshot_builders import NOW, make_account, make_contact, snapshot


def by_slug(ws=None, start=Q4_START, end=Q4_END, **kw) -> dict[str, kpi.Kpi]:
    return K.kpis_by_slug(K.compute_kpis(ws or kpi_workspace(), start, end, **kw))


def test_compute_kpis_returns_every_kpi_in_slug_order():
    kpis = K.compute_kpis(kpi_workspace(), Q4_START, Q4_END)
    assert [k.slug for k in kpis] == list(kpi.KPI_SLUGS)
    assert all(k.unit in kpi.UNITS and k.definition and k.name == kpi.KPI_NAMES[k.slug] for k in kpis)
    json.dumps([k.as_dict() for k in kpis])


def test_engagement_rate_needs_three_qualifying_signals_from_known_contacts_as_module_12_defines():
    # Alder: webinar, download and meeting request from known contacts (engaged). Birch: one anonymous pricing-page
    # visit (account-level, not engagement). Cedar: one anonymous ad click. Damson: a page view and an ad click
    # (light) plus a meeting request: one qualifying signal. Fir: nothing. Elm is not a target.
    k = by_slug()["engagement_rate"]
    assert (k.numerator, k.denominator, k.value) == (1, 5, 0.2)
    assert k.unit == "ratio"
    assert "at least 3 qualifying signals" in k.definition and "Anonymous signals do not count" in k.definition
    assert "1 target account(s) have no tier" in k.note


def test_one_anonymous_pricing_page_visit_does_not_make_an_account_engaged():
    a = make_account(id=1)
    ws = snapshot([a], [make_contact(a, "finance", id=2)],
                  signals=(make_signal(a, None, "pricing_page_visit", datetime(2024, 11, 1)),))
    assert K.engagement_rate(ws, Q4_START, Q4_END).value == 0.0


def test_light_signals_do_not_count_towards_engagement():
    a = make_account(id=1)
    c = make_contact(a, "finance", id=2)
    light = tuple(make_signal(a, c, t, datetime(2024, 11, d)) for d, t in
                  enumerate(("ad_click", "website_visit", "ad_click", "website_visit"), start=1))
    assert K.engagement_rate(snapshot([a], [c], signals=light), Q4_START, Q4_END).value == 0.0
    three = light[:1] + tuple(make_signal(a, c, "webinar", datetime(2024, 12, d)) for d in (1, 2, 3))
    assert K.engagement_rate(snapshot([a], [c], signals=three), Q4_START, Q4_END).value == 1.0


def test_engagement_thresholds_are_parameters():
    assert by_slug(min_signals=1)["engagement_rate"].numerator == 2  # Alder, and Damson's meeting request
    # Counting every type, Damson's page view, ad click and meeting request from one contact make three.
    assert by_slug(qualifying_types=None)["engagement_rate"].numerator == 2
    k = by_slug(qualifying_types=None, min_contacts=2)["engagement_rate"]
    assert k.numerator == 1  # Damson's signals all come from one contact; Alder's from two
    assert "at least 2 known contact(s)" in k.definition
    # An agreed decisive type engages on one signal, but only from a known contact: Birch's visit is anonymous.
    k = by_slug(high_intent_types={"pricing_page_visit", "meeting_request"})["engagement_rate"]
    assert k.numerator == 2


def test_engagement_by_tier_one_kpi_per_tier():
    kpis = by_slug()
    assert kpis["engagement_rate_1_1"].value == 1.0
    assert kpis["engagement_rate_1_few"].value == 0.0
    one_to_many = kpis["engagement_rate_1_many"]
    assert (one_to_many.numerator, one_to_many.denominator, one_to_many.value) == (0, 2, 0.0)
    assert len(K.engagement_by_tier(kpi_workspace(), Q4_START, Q4_END)) == 3


def test_engagement_by_tier_is_none_for_an_empty_tier():
    ws = kpi_workspace()
    ws = replace(ws, accounts=tuple(a for a in ws.accounts if a.tier != "1:1"), _by_id={})
    k = K.engagement_rate(ws, Q4_START, Q4_END, tier="1:1")
    assert k.value is None
    assert "No target accounts are tiered 1:1" in k.note


def test_account_reach_counts_any_signal():
    k = by_slug()["account_reach"]
    assert (k.numerator, k.denominator, k.value) == (4, 5, 0.8)


def test_tal_coverage_and_contact_density():
    kpis = by_slug()
    assert (kpis["tal_coverage"].numerator, kpis["tal_coverage"].value) == (3, 0.6)
    density = kpis["contact_density"]
    assert (density.numerator, density.denominator, density.value, density.unit) == (5, 5, 1.0, "count")


def test_buying_group_coverage_mean_and_share_complete():
    kpis = by_slug()
    # Alder 1:1: 2 of 6 slots; Birch 1:few: 4 of 4; Cedar 1:many: 0 of 2; Damson: 1 of 2; Fir (no tier): 0 of 2.
    mean = kpis["buying_group_coverage"]
    assert mean.value == pytest.approx((2 / 6 + 1 + 0 + 0.5 + 0) / 5)
    complete = kpis["buying_group_complete"]
    assert (complete.numerator, complete.denominator, complete.value) == (1, 5, 0.2)


def test_buying_group_coverage_uses_role_overrides():
    k = by_slug(role_overrides={"1:1": ["senior_decision_maker", "champion"]})["buying_group_coverage"]
    assert k.value == pytest.approx((1 + 1 + 0 + 0.5 + 0) / 5)


def test_match_rate_counts_contacts_linked_to_a_known_account():
    k = by_slug()["match_rate"]
    assert (k.numerator, k.denominator, k.value) == (6, 8, 0.75)


def test_sales_acceptance_rate_is_accepted_over_sent_as_module_12_defines():
    k = by_slug()["sales_acceptance_rate"]
    # Sent in Q4: #1 and #2 accepted, #3 rejected, #4 still waiting (counts as not accepted).
    assert (k.numerator, k.denominator, k.value) == (2, 4, 0.5)
    assert "1 handoff(s) sent in the window still await" in k.note
    decided = by_slug(acceptance_basis="decided")["sales_acceptance_rate"]
    assert (decided.numerator, decided.denominator) == (2, 3)
    assert decided.value == pytest.approx(2 / 3)


def test_follow_up_sla_over_handoffs_due_in_window():
    # Due in Q4: #1 (met), #2 (touched 6 h late), #3 (never touched), #5 (sent in September, default 24 h, met).
    # #4 falls due on 2 January, after the window.
    k = by_slug()["follow_up_sla"]
    assert (k.numerator, k.denominator, k.value) == (2, 4, 0.5)
    assert "1 handoff(s) had no SLA, so 24 h was assumed" in k.note


def test_follow_up_sla_ignores_handoffs_not_yet_due_at_now():
    h = make_handoff(make_account(id=1), None, sent_at=NOW, sla_hours=24, first_touch_at=None)
    ws = snapshot([make_account(id=1)], handoffs=(h,))
    k = K.follow_up_sla(ws, datetime(2025, 1, 1), datetime(2025, 6, 1))
    assert k.value is None
    assert "No handoff fell due" in k.note


def test_median_time_to_first_follow_up_in_hours():
    k = by_slug()["time_to_follow_up"]
    assert (k.value, k.denominator, k.unit) == (24.0, 3, "hours")  # 2 h, 30 h, 24 h
    assert "1 handoff(s) sent in the window have no first touch" in k.note


def test_meetings_created_counts_booked_handoffs_and_unlinked_meeting_requests_on_targets():
    k = by_slug()["meetings_created"]
    # Handoffs #1 and #2 booked; Alder's meeting request is #1's signal (not counted twice); Damson's counts;
    # Elm's is not a target.
    assert (k.value, k.numerator, k.denominator, k.unit) == (3.0, 3, None, "count")
    assert by_slug(include_meeting_requests=False)["meetings_created"].value == 2.0


def test_pipeline_sourced_sums_abm_opportunities_created_in_window_on_targets():
    k = by_slug()["pipeline_sourced"]
    # Alder 100k + Birch 50k ("ABM " counts) + Fir (no amount); not Cedar (sales), Elm (not a target), Damson (Aug).
    assert (k.value, k.denominator, k.unit) == (150_000.0, 3, "money")
    assert "1 opportunity has no amount" in k.note


def test_pipeline_influenced_counts_a_touch_before_creation_or_while_the_deal_is_open():
    k = by_slug()["pipeline_influenced"]
    # Alder (webinar 5 Oct before 15 Nov) + Cedar (ad click 15 Nov before 20 Dec) + Birch (pricing visit on
    # 1 Dec, while the deal created on 20 Oct is open): "before or during the opportunity".
    assert (k.value, k.denominator) == (180_000.0, 3)
    assert "while it was open" in k.definition
    # With 30 days: Alder's download (1 Nov) still counts; Cedar's ad click is 35 days before.
    assert by_slug(influence_days=30)["pipeline_influenced"].value == 150_000.0


def test_pipeline_influenced_ignores_touches_after_the_deal_closed():
    a = make_account(id=1)
    opp = make_opportunity(a, 10_000, created_at=datetime(2024, 10, 1), closed_at=datetime(2024, 10, 10))
    ws = snapshot([a], signals=(make_signal(a, None, "webinar", datetime(2024, 11, 1)),), opportunities=(opp,))
    assert K.pipeline_influenced(ws, Q4_START, Q4_END).value == 0.0


def test_won_revenue_counts_wins_closed_in_window_on_targets():
    k = by_slug()["won_revenue"]
    assert (k.value, k.denominator) == (20_000.0, 1)


def test_every_kpi_is_none_with_a_note_on_an_empty_workspace():
    kpis = K.compute_kpis(WorkspaceSnapshot(name="empty", now=NOW), Q4_START, Q4_END)
    assert all(k.value is None and k.note for k in kpis)
    assert "import your accounts" in by_slug(WorkspaceSnapshot(name="e", now=NOW))["engagement_rate"].note


def test_signal_kpis_are_none_without_signals():
    kpis = by_slug(replace(kpi_workspace(), signals=(), _by_id={}))
    for slug in ("engagement_rate", "account_reach", "pipeline_influenced"):
        assert kpis[slug].value is None
        assert "import engagement signals" in kpis[slug].note


def test_handoff_kpis_are_none_without_handoffs():
    kpis = by_slug(replace(kpi_workspace(), handoffs=(), _by_id={}))
    for slug in ("sales_acceptance_rate", "follow_up_sla", "time_to_follow_up"):
        assert kpis[slug].value is None
        assert "No handoffs in the workspace" in kpis[slug].note
    assert kpis["meetings_created"].value == 2.0  # the meeting requests at Alder and Damson still count


def test_pipeline_kpis_are_none_without_opportunities():
    kpis = by_slug(replace(kpi_workspace(), opportunities=(), _by_id={}))
    for slug in ("pipeline_sourced", "pipeline_influenced", "won_revenue"):
        assert kpis[slug].value is None
        assert "import opportunities" in kpis[slug].note


def test_pipeline_sourced_is_none_when_no_opportunity_has_a_source():
    ws = kpi_workspace()
    ws = replace(ws, opportunities=tuple(replace(o, source=None) for o in ws.opportunities), _by_id={})
    k = by_slug(ws)["pipeline_sourced"]
    assert k.value is None
    assert 'set source = "abm"' in k.note


def test_acceptance_is_zero_when_sales_decided_nothing_sent_in_window_and_none_on_the_decided_basis():
    a = make_account(id=1)
    ws = snapshot([a], handoffs=(make_handoff(a, None, sent_at=datetime(2024, 11, 1), status="sent"),))
    assert K.sales_acceptance_rate(ws, Q4_START, Q4_END).value == 0.0
    k = K.sales_acceptance_rate(ws, Q4_START, Q4_END, basis="decided")
    assert k.value is None
    assert "ask sales to decide" in k.note


def test_match_rate_is_none_without_contacts():
    k = K.match_rate(snapshot([make_account()]))
    assert k.value is None
    assert "import your contacts" in k.note


def test_an_empty_window_gives_none_not_an_error():
    kpis = K.compute_kpis(kpi_workspace(), Q4_END, Q4_START)
    windowed = [k for k in kpis if k.slug not in ("tal_coverage", "contact_density", "match_rate")]
    windowed = [k for k in windowed if not k.slug.startswith("buying_group")]
    assert all(k.value is None and "window is empty" in k.note for k in windowed)


def test_is_engaged_helper():
    a = make_account(id=1)
    c = make_contact(a, "finance", id=2)
    three = [make_signal(a, c, "webinar"), make_signal(a, c, "content_download"), make_signal(a, c, "email_reply")]
    assert signals.is_engaged(three, {2})
    assert not signals.is_engaged(three[:2] + [make_signal(a, c, "ad_click")], {2})
    assert not signals.is_engaged(three, {2}, qualifying_types={"webinar"})
    assert not signals.is_engaged([make_signal(a, None, "webinar")] * 3, {2})
    assert not signals.is_engaged([make_signal(a, None, "demo_request")], set(), high_intent_types={"demo_request"})
    assert signals.is_engaged([make_signal(a, c, "demo_request")], {2}, high_intent_types={"demo_request"})
    assert {"ad_click", "website_visit"} == signals.LIGHT_TYPES
    assert not signals.LIGHT_TYPES & signals.QUALIFYING_TYPES


def test_large_workspace_runs():
    kpis = K.compute_kpis(large_activity_workspace(), Q4_START, Q4_END)
    assert len(kpis) == len(kpi.KPI_SLUGS)
    json.dumps([k.as_dict() for k in kpis])
