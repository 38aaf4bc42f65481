"""Gaming the sales-handoff checker: the shortcuts a learner in a hurry might take must each fail; honest work passes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.practice.builders_signals import make_signal
from tests.practice.handoff_fixtures import (
    ALDER,
    BIRCH,
    DEMO,
    RAVI,
    alder_handoff,
    birch_handoff,
    honest_workspace,
)
from tests.practice.snapshot_builders import NOW, load_checker, make_contact

check = load_checker("sales-handoff").check
BOILERPLATE = {
    "buying_group_relevance": "Key stakeholder in the buying group for our solution",
    "engagement_summary": "Engaged with our content and showed strong interest recently",
    "recommended_follow_up": "Reach out this week with our standard introduction, share the product overview deck "
                             "and offer a demo slot that suits them",
}


def test_honest_handoffs_pass():
    assert check(honest_workspace(), {}).passed


def test_boilerplate_briefs_copied_across_handoffs_fail():
    ws = honest_workspace(handoffs=[alder_handoff(**BOILERPLATE), birch_handoff(**BOILERPLATE)])
    result = check(ws, {})
    assert not result.passed
    assert any("same words appear on other handoffs" in f.message for f in result.findings)


def test_team_names_as_owners_fail():
    ws = honest_workspace(handoffs=[alder_handoff(sales_owner="Sales"), birch_handoff(sales_owner="SDR team")])
    assert not check(ws, {}).passed


def test_an_intern_tagged_as_the_decision_maker_fails():
    intern = make_contact(ALDER, "senior_decision_maker", "finance", id=14, first_name="Jo", last_name="Bell",
                          title="Marketing Intern")
    ws = honest_workspace(handoffs=[alder_handoff(contact=intern, contact_role="senior_decision_maker"),
                                    birch_handoff(contact=intern)])
    ws = replace(ws, contacts=(*ws.contacts, intern), _by_id={})
    assert not check(ws, {}).passed


def test_handing_over_ad_clicks_as_qualified_fails():
    clicks = [make_signal(acc, contact, "ad_click", NOW - timedelta(days=d), id=600 + d)
              for acc, contact, d in ((ALDER, None, 6), (ALDER, None, 5), (BIRCH, RAVI, 4), (BIRCH, RAVI, 3))]
    ws = honest_workspace(signals=clicks, handoffs=[alder_handoff(signal_id=None), birch_handoff(signal_id=None)])
    result = check(ws, {})
    assert not result.passed
    assert any("ad clicks and page views only" in f.message for f in result.findings)


def test_out_of_bounds_slas_that_are_never_missed_fail():
    # A week-long SLA can never be breached; a 0.1-hour one is fiction. Neither is a promise sales can keep.
    ws = honest_workspace(handoffs=[alder_handoff(sla_hours=200), birch_handoff(sla_hours=300)])
    result = check(ws, {})
    assert not result.passed


def test_vague_reasons_for_selection_and_a_non_target_fail():
    vague = (replace(ALDER, why_selected="Big UK company in our sector", is_target=False),
             replace(BIRCH, why_selected="Good fit for our ICP", tier=None))
    ws = replace(honest_workspace(), accounts=vague, _by_id={})
    assert not check(ws, {}).passed


def test_skipping_the_handoff_of_a_demo_request_fails():
    ws = honest_workspace(handoffs=[birch_handoff()])
    result = check(ws, {})
    assert not result.passed
    assert any(f.account == "Alder Freight" and "no handoff" in f.message for f in result.findings)
    assert DEMO.account_id == ALDER.id
