"""exercises/target-account-list/check.py: the five questions and a tier for every target account."""

import pytest

from tests.practice.snapshot_builders import large_workspace, load_checker, make_account, snapshot

checker = load_checker("target-account-list")

M_CHOOSE = "abm-foundations/choosing-target-accounts"
M_TIER = "abm-foundations/tiering-one-to-one-few-many"
M_AGREE = "abm-alignment-programme/agreeing-the-account-list"


def good_list(n=6, **overrides):
    tiers = ["1:1", "1:few", "1:few", "1:many", "1:many", "1:many"]
    return [make_account(name=f"Account {i}", tier=tiers[i % len(tiers)], **overrides) for i in range(n)]


def findings_about(result, account_id, field):
    return [f for f in result.findings if f.about_id == account_id and f.field == field]


def run(accounts):
    return checker.check(snapshot(accounts), {})


def test_a_complete_agreed_list_passes_with_full_marks():
    result = run(good_list())
    assert result.passed
    assert result.score == 100
    assert not [f for f in result.findings if f.severity != "good"]
    assert result.summary["targets"] == 6
    assert result.summary["complete_accounts"] == 6
    assert result.summary["sales_agreed"] == 6
    assert any("Sales has agreed to work all 6" in f.message for f in result.findings)


def test_empty_workspace_says_import_your_accounts_first():
    result = run([])
    assert not result.passed
    assert result.score == 0
    (finding,) = result.findings
    assert finding.severity == "blocker"
    assert "import your accounts first" in finding.message


def test_accounts_but_no_targets_is_a_blocker():
    result = run([make_account(is_target=False), make_account(is_target=False)])
    assert result.score == 0
    assert result.findings[0].severity == "blocker"
    assert result.findings[0].field == "is_target"
    assert "None of your 2 accounts" in result.findings[0].message


@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_why_selected_is_named(value):
    accounts = good_list()
    accounts[2] = make_account(name="Harbourline Logistics", why_selected=value)
    result = run(accounts)
    (finding,) = findings_about(result, accounts[2].id, "why_selected")
    assert finding.severity == "improve"
    assert finding.about == "account"
    assert finding.label == "Harbourline Logistics"
    assert finding.module == M_CHOOSE
    assert "Harbourline Logistics has no why selected" in finding.message


def test_a_too_short_reason_counts_as_missing():
    accounts = good_list()
    accounts[0] = make_account(name="Harbourline Logistics", why_selected="Big.", tier="1:1")
    result = run(accounts)
    (finding,) = findings_about(result, accounts[0].id, "why_selected")
    assert "'Big.' is too short" in finding.message
    assert "at least 4 meaningful words" in finding.message
    assert result.score < 100


def test_stopwords_and_placeholders_are_not_meaningful_words():
    assert checker.meaningful_words("It is a very big one") == 2  # big, one
    assert checker.meaningful_words("TBD") == 0
    assert checker.meaningful_words("Opening two UK depots in 2025") == 5
    assert checker.meaningful_words(None) == 0


@pytest.mark.parametrize(
    ("fit", "words"), [(None, "no ICP fit score"), (140, "140"), (-5, "-5"), ("high", "'high'")]
)
def test_icp_fit_must_be_a_score_from_0_to_100(fit, words):
    accounts = good_list()
    accounts[1] = make_account(icp_fit=fit, tier="1:few")
    result = run(accounts)
    (finding,) = findings_about(result, accounts[1].id, "icp_fit")
    assert finding.severity == "improve"
    assert words in finding.message


def test_icp_reasons_are_required():
    accounts = good_list()
    accounts[1] = make_account(icp_reasons="fits", tier="1:few")
    result = run(accounts)
    (finding,) = findings_about(result, accounts[1].id, "icp_reasons")
    assert "too short" in finding.message
    assert finding.module == M_CHOOSE


def test_sales_disagreement_is_a_blocker_quoting_the_reason():
    accounts = good_list()
    accounts[3] = make_account(
        name="Corvessa Freight",
        tier="1:many",
        sales_agreed=False,
        sales_disagree_reason="Locked into a rival",
    )
    result = run(accounts)
    (finding,) = findings_about(result, accounts[3].id, "sales_agreed")
    assert finding.severity == "blocker"
    assert "Sales has not agreed to work Corvessa Freight" in finding.message
    assert "Locked into a rival" in finding.message
    assert finding.module == M_AGREE
    assert result.findings[0] is finding  # blockers first
    assert not result.passed
    assert result.summary["sales_disagreed"] == 1


def test_not_yet_reviewed_by_sales_is_an_improvement_and_weighs_double():
    accounts = good_list()
    accounts[3] = make_account(tier="1:many", sales_agreed=None)
    result = run(accounts)
    (finding,) = findings_about(result, accounts[3].id, "sales_agreed")
    assert finding.severity == "improve"
    assert "not been reviewed by sales" in finding.message
    # One account of six loses 2 of 7 weighted points: 1 - 2 / 42.
    assert result.score == 95
    assert result.summary["sales_not_reviewed"] == 1


def test_sales_agreement_weighs_more_than_another_question():
    no_progress = good_list()
    no_progress[0] = make_account(tier="1:1", progress_definition=None)
    no_sales = good_list()
    no_sales[0] = make_account(tier="1:1", sales_agreed=None)
    assert run(no_sales).score < run(no_progress).score


@pytest.mark.parametrize(("field", "side"), [("sales_owner", "sales"), ("marketing_owner", "marketing")])
def test_both_owners_are_required(field, side):
    accounts = good_list()
    accounts[4] = make_account(name="Wyndle Health", tier="1:many", **{field: None})
    result = run(accounts)
    (finding,) = findings_about(result, accounts[4].id, field)
    assert f"Wyndle Health has no {side} owner" in finding.message
    assert finding.module == M_AGREE
    assert result.score == 99  # loses half a point of 42


def test_progress_definition_is_required():
    accounts = good_list()
    accounts[5] = make_account(tier="1:many", progress_definition="more engagement")
    result = run(accounts)
    (finding,) = findings_about(result, accounts[5].id, "progress_definition")
    assert "too short" in finding.message
    assert finding.module == M_AGREE


@pytest.mark.parametrize("tier", [None, "", "gold"])
def test_every_target_needs_a_tier(tier):
    accounts = good_list()
    accounts[5] = make_account(tier=tier)
    result = run(accounts)
    (finding,) = findings_about(result, accounts[5].id, "tier")
    assert finding.severity == "improve"
    assert finding.module == M_TIER
    assert "has no tier" in finding.message
    if tier == "gold":
        assert "'gold' is not a tier" in finding.message
    assert result.summary["tiers"]["none"] == 1


def test_fewer_than_five_targets_is_a_blocker():
    result = run(good_list(3))
    assert result.score == 100
    assert not result.passed
    blocker = next(f for f in result.findings if f.severity == "blocker")
    assert "has 3 accounts" in blocker.message
    assert "add at least 2 more" in blocker.message
    assert blocker.field == "is_target"


def test_non_target_accounts_are_ignored():
    accounts = good_list() + [make_account(is_target=False, why_selected=None, tier=None)]
    result = run(accounts)
    assert result.passed
    assert result.summary["targets"] == 6


def test_too_many_one_to_one_accounts_share():
    accounts = [make_account(tier="1:1") for _ in range(3)] + [make_account(tier="1:many") for _ in range(7)]
    result = run(accounts)
    finding = next(f for f in result.findings if f.field == "tier" and f.about == "workspace")
    assert finding.severity == "improve"
    assert "3 of your 10 target accounts are 1:1 (30%)" in finding.message
    assert finding.module == M_TIER


def test_too_many_one_to_one_accounts_absolute():
    accounts = [make_account(tier="1:1") for _ in range(11)] + [
        make_account(tier="1:many") for _ in range(60)
    ]
    result = run(accounts)
    assert any("11 of your 71 target accounts are 1:1" in f.message for f in result.findings)


def test_two_one_to_one_accounts_in_a_small_list_are_fine():
    accounts = [make_account(tier="1:1") for _ in range(2)] + [make_account(tier="1:few") for _ in range(4)]
    result = run(accounts)
    assert not [f for f in result.findings if f.about == "workspace" and f.field == "tier"]


def test_score_is_the_weighted_share_answered():
    accounts = good_list()
    accounts[0] = make_account(
        tier=None,
        why_selected=None,
        icp_fit=None,
        icp_reasons=None,
        sales_agreed=None,
        sales_owner=None,
        marketing_owner=None,
        progress_definition=None,
    )
    result = run(accounts)
    assert result.score == 83  # 35 of 42 points
    assert result.passed
    assert result.summary["complete_accounts"] == 5


def test_findings_are_ordered_blockers_first():
    accounts = good_list(4)
    accounts[0] = make_account(why_selected=None, sales_agreed=False)
    result = run(accounts)
    order = {"blocker": 0, "improve": 1, "good": 2}
    severities = [order[f.severity] for f in result.findings]
    assert severities == sorted(severities)


@pytest.mark.parametrize("answer", [None, "x", [], {"anything": [1, 2]}, {"accounts": "junk"}])
def test_garbage_answers_do_not_raise(answer):
    result = checker.check(snapshot(good_list()), answer)
    assert result.passed


def test_a_large_workspace_runs():
    result = checker.check(large_workspace(5000, 2), {})
    assert 0 <= result.score <= 100
    assert result.summary["targets"] > 4000
