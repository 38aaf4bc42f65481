"""Identity answers the learning record's directory: people by id, organisation and cohort names."""

from __future__ import annotations

from lms.identity.directory import IdentityDirectory
from lms.tracking.directory import Actor, Names
from tests.factories import make_cohort, make_org, make_user


def test_actors_are_the_users_current_emails_and_names(app, queries):
    org = make_org()
    ada = make_user(org, email="ada@northwind.example", name="Ada Lovelace")
    sam = make_user(org, email="sam@northwind.example", name="Sam Whitfield")
    with queries:
        found = IdentityDirectory().actors({ada.id, sam.id, 999})
    assert queries.count == 1
    assert found == {ada.id: Actor(ada.id, "ada@northwind.example", "Ada Lovelace"),
                     sam.id: Actor(sam.id, "sam@northwind.example", "Sam Whitfield")}
    assert ada.actor == found[ada.id]


def test_user_ids_are_found_by_their_current_email(app):
    org = make_org()
    ada = make_user(org, email="ada@northwind.example")
    make_user(org, email="sam@northwind.example")
    assert IdentityDirectory().user_ids(["ada@northwind.example", "nobody@northwind.example"]) == [ada.id]


def test_names_of_organisations_and_cohorts_take_one_query(app, queries):
    org, other = make_org("Northwind"), make_org("Globex")
    cohort = make_cohort(org, "Winter 2026")
    with queries:
        names = IdentityDirectory().names({org.id, other.id}, {cohort.id})
    assert queries.count == 1
    assert names == Names({org.id: "Northwind", other.id: "Globex"}, {cohort.id: "Winter 2026"})
    assert IdentityDirectory().names(set(), {cohort.id}) == Names({}, {cohort.id: "Winter 2026"})
    assert IdentityDirectory().names({org.id}, set()) == Names({org.id: "Northwind"}, {})
