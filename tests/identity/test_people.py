"""The people page and a cohort's page at any size: a page of people at a time, found by name, email and role, never
the whole organisation (10,000 learners made these pages 3 MB and 1 MB: every person a row, or an option)."""

from __future__ import annotations

import re

import pytest

from lms.extensions import db
from lms.identity.models import CohortMember
from lms.identity.people import CANDIDATES_PER_PAGE, PEOPLE_PER_PAGE
from tests.factories import make_cohort, make_org, make_user


@pytest.fixture
def org(app):
    org = make_org("Northwind Analytics")
    make_user(org, ("org_admin", "manager"), email="olivia@northwind.example", name="Olivia Hart")
    return org


def _learners(org, count: int, cohort=None) -> None:
    for i in range(count):
        make_user(org, ("learner",), email=f"learner{i:03d}@northwind.example", name=f"Learner {i:03d}",
                  cohort=cohort, commit=False)
    db.session.commit()


def _rows(page: str) -> list[str]:
    """The people listed in the page's table (their emails), in order."""
    return re.findall(r'<td data-label="Email">([^<]+)</td>', page)


def test_the_people_page_shows_a_page_of_people_by_name_and_how_many_there_are(client, auth, org):
    _learners(org, PEOPLE_PER_PAGE + 10)
    auth.login("olivia@northwind.example")
    first = client.get("/admin/members").get_data(as_text=True)
    assert len(_rows(first)) == PEOPLE_PER_PAGE
    assert _rows(first)[0] == "learner000@northwind.example"
    assert f"{PEOPLE_PER_PAGE + 11} people in all, by name: page 1 of 2." in first
    assert 'href="/admin/members?page=2"' in first
    second = client.get("/admin/members?page=2").get_data(as_text=True)
    assert _rows(second) == [f"learner{i:03d}@northwind.example" for i in range(PEOPLE_PER_PAGE, PEOPLE_PER_PAGE + 10)
                             ] + ["olivia@northwind.example"]


def test_people_are_found_by_words_of_their_name_or_email_and_by_role(client, auth, org):
    make_user(org, ("learner",), email="ada@northwind.example", name="Ada Lovelace")
    make_user(org, ("coach",), email="chloe@northwind.example", name="Chloe Coach")
    make_user(org, ("learner",), email="lee@northwind.example", name="Lee Late")
    auth.login("olivia@northwind.example")
    found = client.get("/admin/members?q=LOVE+ada").get_data(as_text=True)
    assert _rows(found) == ["ada@northwind.example"]
    assert "1 person matches." in found and 'value="LOVE ada"' in found  # what was typed stays in the box
    assert _rows(client.get("/admin/members?q=chloe@").get_data(as_text=True)) == ["chloe@northwind.example"]
    assert _rows(client.get("/admin/members?role=coach").get_data(as_text=True)) == ["chloe@northwind.example"]
    assert _rows(client.get("/admin/members?role=org_admin").get_data(as_text=True)) == ["olivia@northwind.example"]
    # % and _ are letters here, not wildcards.
    nobody = client.get("/admin/members?q=%25").get_data(as_text=True)
    assert _rows(nobody) == [] and "Nobody matches." in nobody and "Show everyone" in nobody


def test_a_stale_or_edited_address_still_shows_the_list(client, auth, org):
    _learners(org, 3)
    auth.login("olivia@northwind.example")
    for query in ("page=abc", "page=-4", "role=owner", "page=99"):
        response = client.get(f"/admin/members?{query}")
        assert response.status_code == 200
        assert len(_rows(response.get_data(as_text=True))) == 4, query  # page 99 of 1 shows the last page


def test_the_people_page_lists_only_its_organisation_and_shows_each_ones_roles_here(client, auth, org):
    theirs = make_org("Theirs")
    outsider = make_user(theirs, ("org_admin",), email="someone@theirs.example", name="Learner Outsider")
    from lms.identity.services import add_role

    add_role(outsider, org, "learner")  # a member of both: only this organisation's role shows here
    db.session.commit()
    make_user(theirs, ("learner",), email="other@theirs.example", name="Learner Other")
    auth.login("olivia@northwind.example")
    page = client.get("/admin/members").get_data(as_text=True)
    assert _rows(page) == ["someone@theirs.example", "olivia@northwind.example"]
    row = page[page.index("someone@theirs.example"):]
    row = row[:row.index("</tr>")]
    assert ">learner<" in row and "org admin" not in row


def test_the_people_page_takes_the_same_queries_for_ten_people_or_a_hundred(client, auth, org, queries):
    _learners(org, 9)
    auth.login("olivia@northwind.example")
    with queries:
        assert client.get("/admin/members").status_code == 200
    few = queries.count
    _learners_more = [make_user(org, ("learner", "coach"), email=f"more{i}@northwind.example", commit=False)
                      for i in range(90)]
    db.session.commit()
    with queries:
        page = client.get("/admin/members").get_data(as_text=True)
    assert queries.count == few and len(_rows(page)) == PEOPLE_PER_PAGE and len(_learners_more) == 90


def _candidates(page: str) -> list[str]:
    """The people offered to add on a cohort's page (their emails), in order."""
    part = page[page.index('id="add"'):]
    return re.findall(r'<span class="who">[^<]*<span class="muted">([^<]+)</span>', part)


def _members(page: str) -> list[str]:
    part = page[page.index('id="members"'):page.index('id="add"')]
    return re.findall(r'<span class="who">[^<]*<span class="muted">([^<]+)</span>', part)


def test_a_cohorts_page_shows_a_page_of_its_members_and_offers_a_page_of_the_others(client, auth, org):
    cohort = make_cohort(org, "Winter cohort")
    _learners(org, PEOPLE_PER_PAGE + 2, cohort=cohort)
    for i in range(CANDIDATES_PER_PAGE + 5):
        make_user(org, ("learner",), email=f"new{i:03d}@northwind.example", name=f"New {i:03d}", commit=False)
    db.session.commit()
    auth.login("olivia@northwind.example")
    page = client.get(f"/admin/cohorts/{cohort.id}").get_data(as_text=True)
    assert len(_members(page)) == PEOPLE_PER_PAGE and f"{PEOPLE_PER_PAGE + 2} in this cohort, by name: page 1 of 2" in page
    offered = _candidates(page)
    assert offered == [f"new{i:03d}@northwind.example" for i in range(CANDIDATES_PER_PAGE)]  # not its members
    assert f"{CANDIDATES_PER_PAGE + 6} people in Northwind Analytics are not in this cohort." in page  # Olivia too
    assert f'href="/admin/cohorts/{cohort.id}?people_page=2#add"' in page
    assert f'href="/admin/cohorts/{cohort.id}?page=2#members"' in page
    last = client.get(f"/admin/cohorts/{cohort.id}?people_page=2").get_data(as_text=True)
    assert _candidates(last) == [f"new{i:03d}@northwind.example" for i in range(CANDIDATES_PER_PAGE,
                                                                               CANDIDATES_PER_PAGE + 5)] + [
        "olivia@northwind.example"]


def test_people_found_are_added_in_the_role_chosen_and_the_search_stays(client, auth, org):
    cohort = make_cohort(org, "Winter cohort")
    lee = make_user(org, ("learner",), email="lee@northwind.example", name="Lee Late")
    chloe = make_user(org, ("coach",), email="chloe@northwind.example", name="Chloe Coach")
    make_user(make_org("Theirs"), ("learner",), email="lee@theirs.example", name="Lee Elsewhere")
    auth.login("olivia@northwind.example")
    found = client.get(f"/admin/cohorts/{cohort.id}?q=lee").get_data(as_text=True)
    assert _candidates(found) == ["lee@northwind.example"]  # not another organisation's Lee
    response = client.post(f"/admin/cohorts/{cohort.id}/members?q=lee", data={"user_id": lee.id, "role": "learner"})
    assert response.headers["Location"] == f"/admin/cohorts/{cohort.id}?q=lee#add"
    client.post(f"/admin/cohorts/{cohort.id}/members", data={"user_id": chloe.id, "role": "coach"})
    roles = {m.user_id: m.role for m in db.session.query(CohortMember).filter_by(cohort_id=cohort.id)}
    assert roles == {lee.id: "learner", chloe.id: "coach"}
    after = client.get(f"/admin/cohorts/{cohort.id}?q=lee").get_data(as_text=True)
    assert "Lee Late added as learner." in after or "Chloe Coach added as coach." in after
    assert _candidates(after) == [] and "Nobody outside this cohort matches." in after
    assert _members(after) == ["chloe@northwind.example", "lee@northwind.example"]


def test_a_cohorts_page_takes_the_same_queries_whatever_its_size(client, auth, org, queries):
    cohort = make_cohort(org, "Winter cohort")
    _learners(org, 3, cohort=cohort)
    auth.login("olivia@northwind.example")
    with queries:
        assert client.get(f"/admin/cohorts/{cohort.id}").status_code == 200
    few = queries.count
    for i in range(80):
        make_user(org, ("learner",), email=f"in{i}@northwind.example", cohort=cohort if i % 2 else None, commit=False)
    db.session.commit()
    with queries:
        page = client.get(f"/admin/cohorts/{cohort.id}").get_data(as_text=True)
    assert queries.count == few and len(_candidates(page)) == CANDIDATES_PER_PAGE


def _invited(page: str) -> list[str]:
    """The invitations listed (their emails), in order."""
    part = page[page.index('id="list"'):]
    return re.findall(r"<td>([^<]+@[^<]+)</td>", part)


def test_every_invitation_can_be_found_not_only_the_latest_two_hundred(client, auth, org):
    from lms.identity import services

    for i in range(260):
        services.invite(org, email=f"guest{i:03d}@northwind.example", name=f"Guest {i:03d}", days=14)
    db.session.commit()
    auth.login("olivia@northwind.example")
    page = client.get("/admin/invitations").get_data(as_text=True)
    assert _invited(page)[:2] == ["guest259@northwind.example", "guest258@northwind.example"]  # newest first
    assert len(_invited(page)) == PEOPLE_PER_PAGE and "260 invitations in all, newest first: page 1 of 6." in page
    assert 'href="/admin/invitations?page=2#list"' in page
    last = client.get("/admin/invitations?page=6").get_data(as_text=True)
    assert _invited(last)[-1] == "guest000@northwind.example"  # the first ever, beyond the latest 200
    found = client.get("/admin/invitations?q=GUEST+007").get_data(as_text=True)
    assert _invited(found) == ["guest007@northwind.example"] and "1 invitation matches." in found
    assert "Send again" in found[found.index('id="list"'):]  # and it can be sent again from there
    none = client.get("/admin/invitations?q=nobody").get_data(as_text=True)
    assert _invited(none) == [] and "No invitation matches." in none
