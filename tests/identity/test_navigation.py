"""The main navigation: each person sees the entries their roles allow, the current page's entry is marked, and a
change of role shows in the next page drawn (the navigation is kept per page and roles, never per person)."""

from __future__ import annotations

import re

from lms.extensions import db
from lms.identity.models import Membership
from tests.factories import make_org, make_user


def menu(client, path: str = "/dashboard") -> list[str]:
    """The main navigation's entries, the current one marked with a star."""
    html = client.get(path).get_data(as_text=True)
    nav = re.search(r'<nav class="menu" aria-label="Main">(.*?)</nav>', html, re.S).group(1)
    return [label + ("*" if current else "")
            for current, label in re.findall(r'<a href="[^"]+"( aria-current="page")?>([^<]+)</a>', nav)]


def test_a_learner_and_a_manager_of_one_organisation_see_their_own_menus(client, auth):
    org = make_org("Nav", slug="nav")
    learner = make_user(org, ("learner",), email="lea@nav.example")
    manager = make_user(org, ("learner", "manager"), email="max@nav.example")
    db.session.commit()
    auth.login(learner.email)
    assert menu(client) == ["Dashboard*", "Courses", "Workspace", "Exercises", "Progress", "Certificates"]
    auth.logout()
    auth.login(manager.email)
    assert menu(client) == ["Dashboard*", "Courses", "Workspace", "Exercises", "Progress", "Certificates", "Assign",
                            "Reports"]
    assert menu(client, "/courses")[:2] == ["Dashboard", "Courses*"]
    auth.logout()
    auth.login(learner.email)
    assert "Reports" not in menu(client)  # the manager's menu is not served to the learner on the same page


def test_a_new_role_shows_in_the_next_page(client, auth):
    org = make_org("Grow", slug="grow")
    user = make_user(org, ("learner",), email="gus@grow.example")
    db.session.commit()
    auth.login(user.email)
    assert "People" not in menu(client)
    db.session.add(Membership(user_id=user.id, organization_id=org.id, role="org_admin"))
    db.session.commit()
    assert menu(client)[-5:] == ["People", "Cohorts", "API tokens", "Connected tools", "Audit log"]
