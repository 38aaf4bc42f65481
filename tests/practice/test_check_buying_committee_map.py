"""exercises/buying-committee-map/check.py: each rule alone (a fixture that passes, one that fails), the module
contradictions fixed, and the whole check on edge cases."""

import pytest

from lms.abm.buying_group import requirement
from tests.practice.builders_lists import buying_group, person
from tests.practice.snapshot_builders import (
    ONE_TO_FEW_FULL,
    ONE_TO_ONE_FULL,
    large_workspace,
    load_checker,
    make_account,
    make_contact,
    snapshot,
)

checker = load_checker("buying-committee-map")


def ctx_of(accounts, contacts, overrides=None):
    ws = snapshot(accounts, contacts)
    return checker.build_context(ws, tuple(accounts), overrides or {})


def mapped():
    big = make_account(name="Larkspur Devices", tier="1:1")
    mid = make_account(name="Harrowgate Logistics", tier="1:few")
    return [big, mid], buying_group(big, *ONE_TO_ONE_FULL) + buying_group(mid, *ONE_TO_FEW_FULL)


# --- the whole check -------------------------------------------------------------------------------------------


def test_fully_mapped_accounts_pass_with_full_marks():
    accounts, contacts = mapped()
    result = checker.check(snapshot(accounts, contacts), {})
    assert (result.score, result.passed) == (100, True)
    assert result.summary["accounts_complete"] == 2


def test_empty_workspace_says_import_first():
    result = checker.check(snapshot([]), {})
    assert not result.passed and "import your accounts" in result.findings[0].message


def test_no_one_to_one_or_few_targets_is_a_blocker():
    result = checker.check(snapshot([make_account(tier="1:many")]), {})
    assert not result.passed and result.findings[0].severity == "blocker"


@pytest.mark.parametrize("answer", [None, "x", {"accounts": "oops"}, {"required_1_1": 3}, {"accounts": [{"a": 1}]}])
def test_garbage_answers_do_not_raise(answer):
    accounts, contacts = mapped()
    assert 0 <= checker.check(snapshot(accounts, contacts), answer).score <= 100


def test_a_large_workspace_runs():
    result = checker.check(large_workspace(2000, 8), {})
    assert 0 <= result.score <= 100


def test_chosen_accounts_replace_the_default_selection_and_unknown_rows_are_reported():
    accounts, contacts = mapped()
    result = checker.check(snapshot(accounts, contacts), {"accounts": [{"account": accounts[1].id}, {"account": 999}]})
    assert result.summary["accounts_mapped"] == 1
    assert any(f.about == "answer" and f.about_id == 2 for f in result.findings)


def test_untiered_and_non_target_chosen_accounts_are_flagged():
    odd = make_account(name="Odd Co", tier=None, is_target=False)
    result = checker.check(snapshot([odd], buying_group(odd, "senior_decision_maker", "functional_owner")),
                           {"accounts": [{"account": odd.id}]})
    assert {f.field for f in result.findings if f.account_id == odd.id} >= {"is_target", "tier"}


def test_findings_about_contacts_name_their_account():
    big = make_account(name="Larkspur Devices", tier="1:1")
    contacts = buying_group(big, *ONE_TO_ONE_FULL) + [make_contact(big, title="Planning Analyst")]
    result = checker.check(snapshot([big], contacts), {})
    contact_findings = [f for f in result.findings if f.about == "contact"]
    assert contact_findings and all(f.account_id == big.id and f.account == big.name for f in contact_findings)


# --- roles-fit-titles ------------------------------------------------------------------------------------------


def test_roles_fit_titles_passes_when_titles_support_the_roles():
    accounts, contacts = mapped()
    assert checker.roles_fit_titles(ctx_of(accounts, contacts)).met == 1


@pytest.mark.parametrize("title, role", [("Intern", "senior_decision_maker"), ("Graduate Trainee", "finance"),
                                         ("Planning Analyst", "senior_decision_maker"),
                                         ("IT Director", "finance"), ("Chief of Staff", "senior_decision_maker"),
                                         ("Media Buyer", "procurement")])
def test_contradiction_a_role_the_title_contradicts_is_a_blocker_and_does_not_count(title, role):
    """Module 05: a Media Buyer is not procurement, a Chief of Staff is not C-level; integrity: juniors do not sign."""
    other = "functional_owner" if role == "senior_decision_maker" else "senior_decision_maker"
    account = make_account(tier="1:few", required_roles=(role, other))
    contacts = buying_group(account, other) + [make_contact(account, role, title=title)]
    ctx = ctx_of([account], contacts)
    outcome = checker.roles_fit_titles(ctx)
    assert outcome.met == 0.5 and outcome.findings[0].severity == "blocker"
    assert checker.required_roles_covered(ctx).met == 0.5


def test_contradiction_one_person_holds_at_most_two_roles():
    """Module 05 said one person can hold several roles; the course now caps it at two (their title's role and
    champion or blocker), so an intern tagged with four roles fills none."""
    account = make_account(tier="1:few")
    intern = make_contact(account, *ONE_TO_FEW_FULL, title="Operations Director")
    ctx = ctx_of([account], [intern])
    assert checker.roles_fit_titles(ctx).findings[0].severity == "blocker"
    assert checker.required_roles_covered(ctx).met == 0


def test_contradiction_untitled_contacts_and_shared_inboxes_do_not_count():
    """Module 06: without a title no role can be confirmed; shared inboxes are not people."""
    account = make_account(tier="1:many", domain="quenby.example")
    contacts = [make_contact(account, "senior_decision_maker", title=None),
                make_contact(account, "functional_owner", email="info@quenby.example")]
    ctx = ctx_of([account], contacts)
    outcome = checker.roles_fit_titles(ctx)
    assert outcome.met == 0 and {f.severity for f in outcome.findings} == {"improve"}
    assert checker.required_roles_covered(ctx).met == 0


# --- contacts-have-roles ---------------------------------------------------------------------------------------


def test_contacts_have_roles_passes_when_everyone_is_tagged():
    accounts, contacts = mapped()
    assert checker.contacts_have_roles(ctx_of(accounts, contacts)).met == 1


def test_contacts_without_roles_are_listed():
    accounts, contacts = mapped()
    extra = make_contact(accounts[0], "not-a-role", title="Planning Analyst")
    outcome = checker.contacts_have_roles(ctx_of(accounts, contacts + [extra]))
    assert outcome.met < 1 and outcome.findings[0].about_id == extra.id


# --- required-roles-covered ------------------------------------------------------------------------------------


def test_coverage_passes_when_every_required_role_has_a_person():
    accounts, contacts = mapped()
    assert checker.required_roles_covered(ctx_of(accounts, contacts)).met == 1


def test_a_missing_role_is_named_with_who_to_look_for():
    account = make_account(name="Harrowgate Logistics", tier="1:few")
    outcome = checker.required_roles_covered(ctx_of([account], buying_group(account, *ONE_TO_FEW_FULL[:3])))
    assert outcome.met == 0.75
    assert outcome.findings[0].message.startswith("Harrowgate Logistics (1:few) has no finance contact (3 of 4 roles)")
    assert "find the person who signs off budget" in outcome.findings[0].message


def test_contradiction_one_to_one_needs_finance_and_procurement():
    """Module 04 names the four roles beyond the economic buyer and champion; the old "any four" pool let a 1:1
    map be complete with users and influencers and no one who pays or contracts."""
    account = make_account(tier="1:1")
    roles = ("senior_decision_maker", "champion", "functional_owner", "technical_evaluator", "user", "influencer")
    outcome = checker.required_roles_covered(ctx_of([account], buying_group(account, *roles)))
    assert outcome.met == pytest.approx(4 / 6)
    assert "finance" in outcome.findings[0].message and "procurement" in outcome.findings[0].message


def test_account_required_roles_win_over_tier_and_form():
    account = make_account(tier="1:few", required_roles=("senior_decision_maker", "finance"))
    ctx = ctx_of([account], buying_group(account, "senior_decision_maker", "finance"),
                 {"1:few": ("procurement",)})
    assert checker.required_roles_covered(ctx).met == 1


def test_contradiction_narrower_required_roles_keep_the_tier_minimum():
    """Module 04: the senior decision maker, and at 1:1 the champion, finance and procurement, always stay."""
    account = make_account(tier="1:1")
    overrides = {"1:1": ("functional_owner",)}
    need = requirement(account, overrides)
    assert set(need.roles.must) == {"functional_owner", "senior_decision_maker", "champion", "finance", "procurement"}
    outcome = checker.required_roles_covered(ctx_of([account], buying_group(account, "functional_owner"), overrides))
    assert outcome.met == pytest.approx(1 / 5)
    assert any(f.field == "required_roles" for f in outcome.findings)


def test_unknown_roles_in_the_form_are_reported():
    overrides, findings = checker.read_overrides({"required_1_few": ["finance", "wizard"]})
    assert overrides == {"1:few": ("finance",)} and "'wizard'" in findings[0].message


def test_an_account_without_contacts_asks_for_its_buying_group():
    account = make_account(tier="1:few")
    outcome = checker.required_roles_covered(ctx_of([account], []))
    assert outcome.met == 0 and "no contacts" in outcome.findings[0].message


def test_an_identified_blocker_is_noted_as_good():
    accounts, contacts = mapped()
    contacts.append(person(accounts[1], "influencer", "blocker"))
    outcome = checker.required_roles_covered(ctx_of(accounts, contacts))
    assert any(f.severity == "good" and "blocker" in f.message for f in outcome.findings)


# --- one-to-one-has-a-champion ---------------------------------------------------------------------------------


def test_champion_rule_passes_with_a_champion_at_every_one_to_one():
    accounts, contacts = mapped()
    assert checker.one_to_one_has_a_champion(ctx_of(accounts, contacts)).met == 1


def test_one_to_one_without_a_champion_is_a_blocker():
    account = make_account(tier="1:1")
    roles = [r for r in ONE_TO_ONE_FULL if r != "champion"]
    outcome = checker.one_to_one_has_a_champion(ctx_of([account], buying_group(account, *roles)))
    assert outcome.met == 0 and outcome.findings[0].severity == "blocker"


def test_a_champion_who_is_also_the_blocker_is_no_champion():
    account = make_account(tier="1:1")
    contacts = buying_group(account, *[r for r in ONE_TO_ONE_FULL if r != "champion"])
    contacts.append(make_contact(account, "champion", "blocker", title="Operations Manager"))
    assert checker.one_to_one_has_a_champion(ctx_of([account], contacts)).met == 0
