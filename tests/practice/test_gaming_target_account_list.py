"""Gaming suite for target-account-list: lists built to pass without the work must fail; honest work passes."""

from dataclasses import replace

from tests.practice.builders_lists import honest_list
from tests.practice.snapshot_builders import load_checker, make_account, snapshot

checker = load_checker("target-account-list")


def run(accounts, **kw):
    return checker.check(snapshot(accounts, **kw), {})


def test_honest_list_passes():
    result = run(honest_list(6))
    assert result.passed and result.score == 100


def test_the_issue_list_fails_same_vague_reason_fit_five_team_owners_self_certified():
    """The practitioner's case: five rows of one vague reason, ICP fit 5, team names as owners, agreement imported."""
    vague = "big logistics company UK sector"
    accounts = [make_account(name=f"Logistics Co {i}", why_selected=vague, icp_reasons=vague, icp_fit=5,
                             sales_owner="Sales team", marketing_owner="Marketing", sales_agreed=True,
                             progress_definition="Engage the account and raise awareness") for i in range(5)]
    result = run(accounts)
    assert not result.passed
    assert result.score < checker.PASS_MARK
    rules = {f.rule for f in result.findings if f.severity != "good"}
    assert {"why-it-matters-now", "icp-fit-evidence", "sales-sign-off", "named-owners"} <= rules


def test_boilerplate_with_the_account_name_swapped_in_fails():
    accounts = [replace(a, why_selected=f"{a.name} is a strong fit with growth plans and budget for our category",
                        icp_reasons=f"{a.name}: right size, right sector, right region for our offer")
                for a in honest_list(5)]
    accounts = [replace(a, progress_definition=f"Meeting with the COO at {a.name} by the end of Q2") for a in accounts]
    result = run(accounts)
    assert not result.passed
    assert sum(1 for f in result.findings if "same text" in f.message) >= 9


def test_team_names_as_owners_fail_even_when_everything_else_is_honest():
    accounts = [replace(a, sales_owner="EMEA sales team") for a in honest_list(5)]
    result = run(accounts)
    assert not result.passed and any(f.severity == "blocker" and f.rule == "named-owners" for f in result.findings)


def test_self_certified_agreement_fails():
    """Marketing ticking 'agreed' (or an import setting it) is not sales signing off."""
    accounts = [replace(a, sales_agreed=True, sales_agreed_via=None, sales_agreed_by="Tom Reed")
                for a in honest_list(5)]
    result = run(accounts)
    assert not result.passed
    assert all("sign-off page" in f.message for f in result.findings if f.rule == "sales-sign-off")


def test_scores_without_evidence_and_undated_progress_fail():
    accounts = [replace(a, icp_reasons="Good ICP fit.", progress_definition="Move the account forward with sales")
                for a in honest_list(5)]
    assert not run(accounts).passed


def test_four_words_of_filler_per_row_fail():
    fillers = ["Strong strategic fit overall", "Key account for growth", "Important brand in market",
               "Priority target with budget", "Leading firm, great potential"]
    accounts = [replace(a, why_selected=text) for a, text in zip(honest_list(5), fillers, strict=True)]
    accounts = [replace(a, icp_reasons=text + " indeed") for a, text in zip(accounts, fillers, strict=True)]
    result = run(accounts)
    assert not result.passed
