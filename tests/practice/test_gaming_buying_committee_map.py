"""Gaming suite for buying-committee-map: maps built to pass without knowing the people must fail; an honest map
passes."""

from tests.practice.builders_lists import buying_group
from tests.practice.snapshot_builders import (
    ONE_TO_FEW_FULL,
    ONE_TO_ONE_FULL,
    load_checker,
    make_account,
    make_contact,
    snapshot,
)

checker = load_checker("buying-committee-map")


def accounts():
    return make_account(name="Larkspur Devices", tier="1:1"), make_account(name="Harrowgate Logistics", tier="1:few")


def test_honest_map_passes():
    big, mid = accounts()
    result = checker.check(snapshot([big, mid], buying_group(big, *ONE_TO_ONE_FULL) + buying_group(mid, *ONE_TO_FEW_FULL)), {})
    assert result.passed and result.score == 100


def test_one_intern_tagged_as_four_roles_fails():
    """The practitioner's case: one "Intern" holding four buying roles scored 100."""
    _, mid = accounts()
    intern = make_contact(mid, *ONE_TO_FEW_FULL, title="Intern")
    result = checker.check(snapshot([mid], [intern]), {})
    assert not result.passed and result.score < checker.PASS_MARK
    assert any(f.severity == "blocker" and f.about_id == intern.id for f in result.findings)


def test_roles_the_titles_contradict_fail():
    _, mid = accounts()
    contacts = [make_contact(mid, "senior_decision_maker", title="Marketing Intern"),
                make_contact(mid, "functional_owner", title="Director of Operations"),
                make_contact(mid, "technical_evaluator", title="IT Manager"),
                make_contact(mid, "finance", title="Head of Engineering")]
    assert not checker.check(snapshot([mid], contacts), {}).passed


def test_two_people_stretched_over_every_role_fail():
    big, _ = accounts()
    contacts = [make_contact(big, "senior_decision_maker", "champion", "finance", title="Chief Executive Officer"),
                make_contact(big, "functional_owner", "technical_evaluator", "procurement", title="Head of Operations")]
    assert not checker.check(snapshot([big], contacts), {}).passed


def test_narrowing_the_required_roles_to_one_fails_a_one_to_one():
    big, _ = accounts()
    contacts = buying_group(big, "functional_owner")
    answer = {"required_1_1": ["functional_owner"]}
    assert not checker.check(snapshot([big], contacts), answer).passed


def test_untitled_placeholders_and_shared_inboxes_fail():
    _, mid = accounts()
    contacts = [make_contact(mid, role, title=None) for role in ONE_TO_FEW_FULL]
    contacts[0] = make_contact(mid, "senior_decision_maker", title="Chief Operating Officer",
                               email=f"info@{mid.domain}")
    assert not checker.check(snapshot([mid], contacts), {}).passed
