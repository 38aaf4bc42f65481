"""The AI account-brief checker: every claim cites a source, and a workspace source is read to confirm the claim
and its figures and dates, rule by rule."""

from __future__ import annotations

import pytest

from tests.practice import builders_own_accounts as b
from tests.practice.snapshot_builders import load_checker, snapshot

module = load_checker("ai-account-brief")
check = module.check


def ctx(answer=None, ws=None):
    ws = ws or b.workspace()
    answer = b.ai_account_brief() if answer is None else answer
    context = module.Ctx(ws, answer, ws.account(answer.get("account")), [])
    context.claims = module._claims(context)
    return context


def with_claim(index, **changes):
    answer = b.ai_account_brief()
    answer["claims"][index].update(changes)
    return answer


def test_a_good_brief_passes_and_says_a_coach_checks_the_web_pages():
    result = check(b.workspace(), b.ai_account_brief())
    assert result.passed and result.score == 100
    (note,) = result.findings
    assert note.severity == "good" and "coach will check" in note.message and note.account == "Corvessa Freight"


@pytest.mark.parametrize("answer", [None, "x", {"account": "Corvessa", "claims": "many"}])
def test_any_answer_shape_is_read_without_raising(answer):
    result = check(b.workspace(), answer)
    assert not result.passed and any(f.severity == "blocker" for f in result.findings)


def test_an_empty_workspace_is_a_blocker():
    assert check(snapshot(), b.ai_account_brief()).findings[0].severity == "blocker"


def test_no_account_is_a_blocker():
    assert module.account_is_chosen(ctx(dict(b.ai_account_brief(), account=None))).findings[0].severity == "blocker"


def test_every_claim_needs_a_source_and_no_claim_repeats():
    assert module.every_claim_cites_a_source(ctx()).met == 1
    answer = with_claim(1, source_type=None)
    answer["claims"][3]["claim"] = answer["claims"][2]["claim"]
    outcome = module.every_claim_cites_a_source(ctx(answer))
    messages = " ".join(f.message for f in outcome.findings)
    assert "Claim 2: it has no source" in messages and "repeats claim" in messages


def test_too_few_claims_and_none_at_all():
    answer = b.ai_account_brief()
    answer["claims"] = answer["claims"][:2]
    assert module.every_claim_cites_a_source(ctx(answer)).met == 0.5
    assert module.every_claim_cites_a_source(ctx(dict(answer, claims=[]))).findings[0].severity == "blocker"


def test_each_kind_of_workspace_source_supports_a_true_claim():
    outcome = module.claims_match_their_records(ctx())
    assert outcome.met == 1 and outcome.findings == ()


@pytest.mark.parametrize("index, changes, why", [
    (0, {"claim": "Corvessa recently acquired a Dutch haulier."}, "Corvessa Freight's record"),
    (1, {"claim": "Ravi Kumar leads their IT transformation programme."}, "Ravi Kumar's record"),
    (1, {"source": "Priya Unknown"}, "no contact at Corvessa Freight matches 'Priya Unknown'"),
    (1, {"source": "Mei Tan"}, "no contact at Corvessa Freight matches"),  # a contact of another account
    (2, {"claim": "Jo Marsh asked for a demo of the platform last week."}, "the signal"),
    (2, {"source": "demo request 2025-01-10"}, "no signal at Corvessa Freight matches"),
    (3, {"source": "Warehouse robotics deal"}, "no opportunity at Corvessa Freight is called"),
])
def test_a_claim_its_source_does_not_hold_is_a_finding(index, changes, why):
    outcome = module.claims_match_their_records(ctx(with_claim(index, **changes)))
    assert outcome.met == pytest.approx(3 / 4)
    (finding,) = outcome.findings
    assert why in finding.message and finding.account_id == b.CORVESSA.id and finding.about_id == index + 1


def test_a_contact_claim_can_use_a_common_abbreviation_of_the_title():
    answer = with_claim(1, claim="Dana Hollis is the COO and signs off operations spend.", source="Dana Hollis")
    assert module.claims_match_their_records(ctx(answer)).met == 1


def test_figures_must_match_the_record():
    assert module.figures_match_the_records(ctx()).met == 1
    answer = with_claim(0, claim="Corvessa is a UK freight operator with about 6,500 staff.")
    answer["claims"][3]["claim"] = "The Leeds routing pilot is worth £120k and sits at proposal."
    outcome = module.figures_match_the_records(ctx(answer))
    messages = " ".join(f.message for f in outcome.findings)
    assert outcome.met == pytest.approx(1 / 3)
    assert "6,500 is not in the record (it holds 4,000, 310,000,000)" in messages
    assert "£120k" in messages or "120k is not in the record (it holds 80,000)" in messages


def test_a_rounded_figure_and_a_scaled_amount_match():
    answer = with_claim(0, claim="Corvessa has revenue of about £310m and some 4,000 staff.")
    answer["claims"][3]["claim"] = "The Leeds routing pilot is worth £0.08m at proposal."
    assert module.figures_match_the_records(ctx(answer)).met == 1


def test_a_date_that_differs_from_the_signal_is_a_finding():
    answer = with_claim(2, claim="Jo Marsh joined our depot routing webinar on 2025-03-04.")
    outcome = module.figures_match_the_records(ctx(answer))
    assert "the signal happened on 04 February 2025, not 04 March 2025" in outcome.findings[0].message


def test_web_sources_must_be_well_formed_https_addresses():
    assert module.web_sources_are_well_formed(ctx()).met == 1
    for source in ("http://corvessa.example/news", "corvessa news page", "https://nodot", ""):
        outcome = module.web_sources_are_well_formed(ctx(with_claim(4, source=source)))
        assert outcome.met == 0 and "full https address" in outcome.findings[0].message


def test_no_web_claims_leaves_the_web_rule_out():
    answer = b.ai_account_brief()
    answer["claims"] = answer["claims"][:4]
    assert module.web_sources_are_well_formed(ctx(answer)).met is None


def test_the_brief_must_draw_on_the_workspace():
    assert module.brief_draws_on_the_workspace(ctx()).met == 1
    answer = b.ai_account_brief()
    for n, row in enumerate(answer["claims"]):
        row.update(source_type="web page", source=f"https://news.example/item-{n}")
    assert module.brief_draws_on_the_workspace(ctx(answer)).met == 0


def test_hand_checks_must_say_what_was_checked_against_what():
    assert module.hand_checks_are_described(ctx()).met == 1
    for text in ("All good", "The AI output looked accurate and professional overall to me today"):
        assert module.hand_checks_are_described(ctx(dict(b.ai_account_brief(), checked_by_hand=text))).met == 0
    answer = dict(b.ai_account_brief(), checked_by_hand=b.ai_account_brief()["prompt"] + " checked")
    assert module.hand_checks_are_described(ctx(answer)).met == 0


def test_the_prompt_names_the_account_and_asks_for_sources():
    assert module.prompt_is_recorded(ctx()).met == 1
    generic = "Write a short brief about this company for our sales team to use before calls"
    outcome = module.prompt_is_recorded(ctx(dict(b.ai_account_brief(), prompt=generic)))
    assert outcome.met == 0 and len(outcome.findings) == 2


def test_a_number_in_the_records_own_name_is_not_a_figure_to_check():
    ws = b.workspace(opportunities=(b.PILOT_DEAL.__class__(41, b.CORVESSA.id, "Routing Platform 2026", "proposal",
                                                           80_000),))
    answer = with_claim(3, claim="The Routing Platform 2026 deal is worth £80k.", source="Routing Platform 2026")
    assert module.figures_match_the_records(ctx(answer, ws)).met == 1
    answer["claims"][3]["claim"] = "The Routing Platform 2026 deal is worth £2026k."
    (finding,) = module.figures_match_the_records(ctx(answer, ws)).findings
    assert finding.about_id == 4 and "2026k is not in the record (it holds 80,000)" in finding.message
