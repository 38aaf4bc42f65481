"""Who may open reports: managers of the organisation only; other organisations' objects answer 404."""

from __future__ import annotations

import pytest

from lms.extensions import db
from tests.factories import make_user

PAGES = ["/reports", "/reports/completion", "/reports/capability", "/reports/adoption", "/reports/roi",
         "/reports/completion/learners.csv", "/reports/completion.pdf"]


@pytest.mark.parametrize("email", ["l1@northwind.example", "coach@northwind.example", "admin@northwind.example"])
def test_learners_coaches_and_admins_get_403(client, auth, world, email):
    if email.startswith("admin"):
        make_user(world.org, ("org_admin",), email=email)
    auth.login(email)
    for path in [*PAGES, f"/reports/learners/{world.learners['L2'].id}", f"/reports/roi/{world.team_a.id}/inputs",
                 f"/reports/learners/{world.learners['L2'].id}/activity.csv"]:
        assert client.get(path).status_code == 403, path
    assert client.post(f"/reports/roi/{world.team_a.id}/inputs", data={"seats": "1"}).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    response = client.get("/reports/completion")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_managers_open_every_report(client, auth, world):
    auth.login("manager@northwind.example")
    for path in PAGES:
        assert client.get(path).status_code == 200, path


def test_another_organisations_cohort_and_learner_answer_404(client, auth, world):
    auth.login("manager@northwind.example")
    assert client.get(f"/reports/learners/{world.outsider.id}").status_code == 404
    assert client.get(f"/reports/roi/{world.other_cohort.id}/inputs").status_code == 404
    assert client.post(f"/reports/roi/{world.other_cohort.id}/inputs", data={"seats": "1"}).status_code == 404
    for path in ("/reports/completion", "/reports/adoption", "/reports/roi", "/reports/capability",
                 "/reports/completion/learners.csv", "/reports/roi.pdf"):
        assert client.get(f"{path}?cohort={world.other_cohort.id}").status_code == 404, path
    assert client.get("/reports/learners/999999").status_code == 404
    from lms.reports.models import ProgrammeCost

    assert db.session.query(ProgrammeCost).count() == 0


def test_the_other_organisations_manager_sees_only_their_data(client, auth, world):
    make_user(world.other, ("manager",), email="manager@contoso.example")
    auth.login("manager@contoso.example")
    page = client.get("/reports/completion").get_data(as_text=True)
    assert "Contoso Learner" in page and "Learner L1" not in page
    assert client.get(f"/reports/learners/{world.learners['L1'].id}").status_code == 404


def test_an_empty_organisation_gets_every_report_and_a_first_step(client, auth, app):
    from tests.factories import make_org

    make_user(make_org("Empty", slug="empty"), ("manager",), email="manager@empty.example")
    auth.login("manager@empty.example")
    for path in [*PAGES, "/reports/adoption.pdf", "/reports/roi.pdf", "/reports/capability/gaps.csv"]:
        assert client.get(path).status_code == 200, path
    assert "Nobody is enrolled in this selection yet" in client.get("/reports/completion").get_data(as_text=True)
    assert "Create a cohort first" in client.get("/reports/roi").get_data(as_text=True)
