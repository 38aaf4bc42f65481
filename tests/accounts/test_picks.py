"""Account labels in answer forms: each account's label is one no other account of the workspace has."""

from __future__ import annotations

from lms.accounts.picks import Pickable, labels


def _account(i: int, name: str, domain: str | None = None) -> Pickable:
    return Pickable(i, name, domain, "1:few", True)


def test_a_name_alone_when_no_other_account_has_it_in_any_case_or_spacing():
    found = labels([_account(1, "Fernhollow Labs"), _account(2, "fernhollow  LABS", "fern.example"),
                    _account(3, "Zephyr Mills")])
    assert found == {1: "Fernhollow Labs (#1)", 2: "fernhollow  LABS (fern.example)", 3: "Zephyr Mills"}


def test_the_domain_then_the_id_tell_the_same_names_apart():
    found = labels([_account(1, "Acme", "acme.com"), _account(2, "Acme", "acme.co.uk"), _account(3, "Acme", "acme.com"),
                    _account(4, "Acme")])
    assert found == {1: "Acme (#1)", 2: "Acme (acme.co.uk)", 3: "Acme (#3)", 4: "Acme (#4)"}


def test_an_account_named_like_another_accounts_label_gets_its_id_too():
    found = labels([_account(1, "Acme", "acme.com"), _account(2, "Acme", "acme.co.uk"),
                    _account(3, "Acme (acme.com)")])
    assert found == {1: "Acme (acme.com) (#1)", 2: "Acme (acme.co.uk)", 3: "Acme (acme.com) (#3)"}
    assert len({label.casefold() for label in found.values()}) == 3
