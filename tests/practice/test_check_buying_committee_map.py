"""exercises/buying-committee-map/check.py: required roles per account and tier, coverage, champions."""

import pytest

from tests.practice.snapshot_builders import (
    ONE_TO_FEW_FULL,
    ONE_TO_ONE_FULL,
    committee,
    large_workspace,
    load_checker,
    make_account,
    make_contact,
    snapshot,
)

checker = load_checker("buying-committee-map")

M_ROLES = "abm-foundations/buying-groups-and-roles"
M_TIER = "abm-foundations/tiering-one-to-one-few-many"
M_CONTACTS = "abm-foundations/building-the-contact-list"


def mapped_workspace():
    harbour = make_account(name="Harbourline Logistics", tier="1:1")
    fern = make_account(name="Fernhollow Labs", tier="1:few")
    many = make_account(name="Quenby Group", tier="1:many")  # not mapped by default
    contacts = committee(harbour, *ONE_TO_ONE_FULL) + committee(fern, *ONE_TO_FEW_FULL)
    return harbour, fern, many, contacts


def test_fully_mapped_accounts_pass_with_full_coverage():
    harbour, fern, many, contacts = mapped_workspace()
    result = checker.check(snapshot([harbour, fern, many], contacts), {})
    assert result.passed
    assert result.score == 100
    assert result.summary["accounts_mapped"] == 2
    assert result.summary["mean_coverage"] == 1.0
    assert result.summary["accounts_complete"] == 2
    assert [f.severity for f in result.findings] == ["good"]
    assert "2 of 2 mapped accounts" in result.findings[0].message


def test_empty_workspace_says_import_first():
    result = checker.check(snapshot(), {})
    assert result.score == 0
    assert not result.passed
    assert result.findings[0].severity == "blocker"
    assert "import your accounts" in result.findings[0].message


def test_no_one_to_one_or_few_targets_is_a_blocker():
    result = checker.check(snapshot([make_account(tier="1:many")]), {})
    assert result.score == 0
    (finding,) = result.findings
    assert finding.severity == "blocker"
    assert finding.field == "tier"
    assert "1:1 or 1:few" in finding.message
    assert finding.module == M_TIER


def test_missing_role_is_named_with_who_to_add():
    harbour, fern, many, contacts = mapped_workspace()
    contacts = [c for c in contacts if not (c.account_id == fern.id and "finance" in c.roles)]
    result = checker.check(snapshot([harbour, fern, many], contacts), {})
    (finding,) = [f for f in result.findings if f.about_id == fern.id]
    assert finding.severity == "improve"
    assert finding.field == "contacts"
    assert finding.module == M_ROLES
    assert finding.message.startswith(
        "Fernhollow Labs (1:few) has no finance contact: add the person who signs off budget"
    )
    assert result.score == 88  # mean of 1.0 and 3/4
    assert result.summary["mean_coverage"] == 0.875
    assert result.passed


def test_one_to_one_without_champion_is_a_blocker():
    harbour, fern, many, contacts = mapped_workspace()
    contacts = [c for c in contacts if "champion" not in c.roles]
    result = checker.check(snapshot([harbour, fern, many], contacts), {})
    blocker = result.findings[0]
    assert blocker.severity == "blocker"
    assert blocker.about_id == harbour.id
    assert "Harbourline Logistics (1:1) has no champion contact" in blocker.message
    assert result.score == 92  # (5/6 + 1) / 2
    assert not result.passed
    assert result.summary["one_to_one_without_champion"] == 1


def test_one_to_one_needs_four_more_roles_from_the_wider_group():
    harbour = make_account(name="Harbourline Logistics", tier="1:1")
    contacts = committee(harbour, "senior_decision_maker", "champion", "finance", "user")
    result = checker.check(snapshot([harbour], contacts), {})
    (finding,) = [f for f in result.findings if f.about_id == harbour.id]
    assert finding.severity == "improve"
    assert "needs 2 more roles from the wider buying group" in finding.message
    assert "functional owner, technical evaluator, procurement, influencer" in finding.message
    assert result.score == 67  # 4 of 6 slots


def test_any_four_of_the_wider_group_will_do():
    harbour = make_account(tier="1:1")
    contacts = committee(
        harbour, "senior_decision_maker", "champion", "user", "influencer", "procurement", "finance"
    )
    result = checker.check(snapshot([harbour], contacts), {})
    assert result.score == 100


def test_account_required_roles_win_over_tier_and_overrides():
    account = make_account(name="Wyndle Health", tier="1:few", required_roles=("finance", "procurement"))
    contacts = committee(account, "finance")
    answer = {"required_1_few": ["user"]}
    result = checker.check(snapshot([account], contacts), answer)
    (finding,) = [f for f in result.findings if f.about_id == account.id]
    assert "no procurement contact" in finding.message
    assert result.score == 50


def test_answer_overrides_replace_the_tier_defaults():
    account = make_account(name="Wyndle Health", tier="1:few")
    contacts = committee(account, "user", "finance")
    result = checker.check(snapshot([account], contacts), {"required_1_few": ["user", "finance"]})
    assert result.score == 100
    result = checker.check(snapshot([account], contacts), {"required_1_few": ["champion", "finance", "user"]})
    assert result.score == 67


def test_unknown_roles_in_an_override_are_reported():
    account = make_account(tier="1:few")
    contacts = committee(account, *ONE_TO_FEW_FULL)
    result = checker.check(snapshot([account], contacts), {"required_1_few": ["finance", "wizard"]})
    finding = next(f for f in result.findings if f.field == "required_1_few")
    assert finding.about == "answer"
    assert "'wizard'" in finding.message
    assert result.score == 100  # the valid part (finance) still applies


def test_one_to_one_override_without_champion_still_needs_a_champion():
    harbour = make_account(name="Harbourline Logistics", tier="1:1")
    contacts = committee(harbour, "finance")
    result = checker.check(snapshot([harbour], contacts), {"required_1_1": ["finance"]})
    assert result.score == 100
    assert result.findings[0].severity == "blocker"
    assert "no champion contact" in result.findings[0].message
    assert not result.passed


def test_chosen_accounts_replace_the_default_selection():
    harbour, fern, many, contacts = mapped_workspace()
    contacts += committee(many, "senior_decision_maker")
    answer = {"accounts": [{"account": many.id}]}
    result = checker.check(snapshot([harbour, fern, many], contacts), answer)
    assert result.summary["accounts_mapped"] == 1
    (finding,) = [f for f in result.findings if f.about_id == many.id]
    assert "Quenby Group (1:many) has no functional owner contact" in finding.message
    assert result.score == 50


def test_unknown_account_rows_are_reported_and_skipped():
    harbour, fern, many, contacts = mapped_workspace()
    answer = {"accounts": [{"account": 999999}, {"account": "abc"}, {"account": None}, {"account": fern.id}]}
    result = checker.check(snapshot([harbour, fern, many], contacts), answer)
    rows = [f for f in result.findings if f.field == "accounts.account"]
    assert [f.about_id for f in rows] == [1, 2]
    assert "999999" in rows[0].message
    assert result.summary["accounts_mapped"] == 1
    assert result.score == 100


def test_account_with_no_contacts():
    harbour = make_account(name="Harbourline Logistics", tier="1:1")
    fern = make_account(name="Fernhollow Labs", tier="1:few")
    result = checker.check(snapshot([harbour, fern]), {})
    by_id = {f.about_id: f for f in result.findings}
    assert by_id[harbour.id].severity == "blocker"
    assert "has no contacts yet" in by_id[harbour.id].message
    assert "champion" in by_id[harbour.id].message
    assert by_id[fern.id].severity == "improve"
    assert by_id[fern.id].module == M_CONTACTS
    assert result.score == 0


def test_contacts_without_roles_are_listed():
    harbour, fern, many, contacts = mapped_workspace()
    roleless = make_contact(fern, first_name="Dana", last_name="Pike", title="Head of IT")
    result = checker.check(snapshot([harbour, fern, many], [*contacts, roleless]), {})
    (finding,) = [f for f in result.findings if f.about == "contact"]
    assert finding.about_id == roleless.id
    assert finding.field == "roles"
    assert finding.label == "Dana Pike"
    assert "Dana Pike (Head of IT) at Fernhollow Labs has no buying role" in finding.message
    assert result.summary["contacts_without_roles"] == 1


def test_contacts_with_only_invalid_roles_count_as_roleless():
    fern = make_account(tier="1:few")
    contacts = [*committee(fern, *ONE_TO_FEW_FULL), make_contact(fern, "ceo", "boss")]
    result = checker.check(snapshot([fern], contacts), {})
    assert result.summary["contacts_without_roles"] == 1


def test_an_identified_blocker_is_noted_as_good():
    harbour, fern, many, contacts = mapped_workspace()
    sceptic = make_contact(harbour, "blocker", "influencer", first_name="Rob", last_name="Stone")
    result = checker.check(snapshot([harbour, fern, many], [*contacts, sceptic]), {})
    finding = next(f for f in result.findings if f.about_id == sceptic.id)
    assert finding.severity == "good"
    assert "you've identified a blocker at Harbourline Logistics, Rob Stone" in finding.message
    assert "address their concerns" in finding.message


def test_untiered_and_non_target_chosen_accounts_are_flagged():
    loose = make_account(name="Oyelaran Systems", tier=None, is_target=False)
    contacts = committee(loose, "senior_decision_maker", "functional_owner")
    result = checker.check(snapshot([loose], contacts), {"accounts": [{"account": loose.id}]})
    fields = {f.field for f in result.findings if f.about_id == loose.id}
    assert fields == {"tier", "is_target"}
    assert result.score == 100  # checked against the 1:many default


def test_summary_counts_accounts_at_full_coverage():
    harbour, fern, many, contacts = mapped_workspace()
    other = make_account(tier="1:few")
    result = checker.check(snapshot([harbour, fern, many, other], contacts), {})
    assert result.summary["accounts_complete"] == 2
    assert result.summary["share_complete"] == 0.667
    assert result.score == 67


@pytest.mark.parametrize(
    "answer",
    [
        None,
        "nonsense",
        {"accounts": "all of them"},
        {"accounts": [None, 3.5, "x", {"account": [1]}, {"account": True}]},
        {"required_1_1": "finance, champion", "required_1_few": 42, "required_1_many": [None, {"a": 1}]},
    ],
)
def test_garbage_answers_do_not_raise(answer):
    harbour, fern, many, contacts = mapped_workspace()
    result = checker.check(snapshot([harbour, fern, many], contacts), answer)
    assert 0 <= result.score <= 100


def test_a_large_workspace_runs():
    result = checker.check(large_workspace(5000, 8), {})
    assert result.summary["accounts_mapped"] > 1000
