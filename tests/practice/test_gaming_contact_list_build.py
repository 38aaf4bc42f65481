"""Gaming suite for contact-list-build: lists padded to look complete must fail; an honest list passes."""

from dataclasses import replace

from tests.practice.builders_lists import buying_group, person
from tests.practice.snapshot_builders import (
    ONE_TO_FEW_FULL,
    ONE_TO_ONE_FULL,
    load_checker,
    make_account,
    make_contact,
    snapshot,
)

checker = load_checker("contact-list-build")


def accounts():
    return (make_account(name="Larkspur Devices", tier="1:1", domain="larkspur-devices.example"),
            make_account(name="Harrowgate Logistics", tier="1:few", domain="harrowgate.example"),
            make_account(name="Quenby Group", tier="1:many", domain="quenby-group.example"))


def honest():
    big, mid, small = accounts()
    return [big, mid, small], (buying_group(big, *ONE_TO_ONE_FULL) + buying_group(mid, *ONE_TO_FEW_FULL)
                               + buying_group(small, "senior_decision_maker", "functional_owner"))


def run(accounts, contacts):
    return checker.check(snapshot(accounts, contacts), {})


def test_honest_list_passes():
    result = run(*honest())
    assert result.passed and result.score == 100


def test_head_count_padding_without_the_roles_fails():
    """Eight analysts at a 1:1 account meet the old "8 contacts" aim but no buying group."""
    big, mid, small = accounts()
    contacts = [person(a, "user", first_name=f"Analyst{i}") for a in (big, mid, small) for i in range(8)]
    result = run([big, mid, small], contacts)
    assert not result.passed and result.score < checker.PASS_MARK


def test_juniors_tagged_as_decision_makers_fail():
    accounts_, contacts = honest()
    contacts = [replace(c, title="Intern") if "senior_decision_maker" in c.roles or "finance" in c.roles else c
                for c in contacts]
    result = run(accounts_, contacts)
    assert not result.passed and any(f.severity == "blocker" for f in result.findings)


def test_one_person_holding_every_role_fails():
    big, mid, small = accounts()
    contacts = [make_contact(a, *ONE_TO_ONE_FULL, title="Chief Executive Officer") for a in (big, mid, small)]
    assert not run([big, mid, small], contacts).passed


def test_shared_inboxes_and_untitled_rows_tagged_with_roles_fail():
    accounts_, contacts = honest()
    contacts = [replace(c, email="info@" + c.email.split("@")[1]) if i % 2 else replace(c, title=None)
                for i, c in enumerate(contacts)]
    result = run(accounts_, contacts)
    assert not result.passed and result.summary["buying_group_coverage"] == 0


def test_the_same_person_copied_into_every_role_fails():
    big, mid, small = accounts()
    contacts = []
    for a in (big, mid, small):
        for role in ONE_TO_ONE_FULL:
            contacts.append(make_contact(a, role, first_name="Sam", last_name="Okafor",
                                         email=f"sam.okafor@{a.domain}", title="Director of Operations"))
    result = run([big, mid, small], contacts)
    assert not result.passed
    assert result.summary["duplicates"] >= 15
