"""Gamed AI account briefs that must fail: sources that do not hold the claim, invented figures, one claim
copied across rows, and everything pinned on unchecked web pages."""

from __future__ import annotations

from tests.practice import builders_own_accounts as b
from tests.practice.snapshot_builders import load_checker

check = load_checker("ai-account-brief").check


def rules_failed(answer) -> set[str]:
    result = check(b.workspace(), answer)
    assert not result.passed
    return {f.rule for f in result.findings if f.severity != "good"}


def test_citing_the_account_record_for_everything_fails():
    answer = b.ai_account_brief()
    answer["claims"] = [
        {"claim": "Corvessa is expanding into cold chain logistics this year.", "source_type": "account record"},
        {"claim": "Corvessa's CEO is keen to modernise its fleet systems.", "source_type": "account record"},
        {"claim": "Corvessa recently won a large supermarket contract.", "source_type": "account record"},
        {"claim": "Corvessa is reviewing its routing software supplier.", "source_type": "account record"},
    ]
    assert "claims-match-their-records" in rules_failed(answer)


def test_invented_figures_with_real_sources_fail():
    answer = b.ai_account_brief()
    answer["claims"][0]["claim"] = "Corvessa is a UK freight operator with 12,000 staff and £2bn revenue."
    answer["claims"][3]["claim"] = "The Leeds routing pilot is worth £450k and is about to close."
    answer["claims"][2]["claim"] = "Jo Marsh joined our depot routing webinar on 2025-01-15."
    assert "figures-match-the-records" in rules_failed(answer)


def test_one_claim_copied_across_rows_with_no_checks_fails():
    answer = b.ai_account_brief()
    for row in answer["claims"]:
        row.update(claim="Corvessa is a leading freight business with strong growth.", source_type="web page",
                   source="https://corvessa.example")
    answer["checked_by_hand"] = "Looked fine"
    assert {"every-claim-cites-a-source", "brief-draws-on-the-workspace",
            "hand-checks-are-described"} <= rules_failed(answer)


def test_claims_without_sources_and_a_generic_prompt_fail():
    answer = b.ai_account_brief()
    for row in answer["claims"]:
        row.update(source_type=None, source="")
    answer["prompt"] = "Tell me everything about this company"
    assert {"every-claim-cites-a-source", "prompt-is-recorded"} <= rules_failed(answer)
