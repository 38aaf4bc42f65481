"""Each role's landing page leads with its own work: a coach's waiting reviews, a manager's overdue learners, an
org admin's pending invitations; "choose your first course" is for learners."""

from __future__ import annotations

from datetime import timedelta

from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Invitation
from tests.factories import make_cohort, make_org, make_user


def test_a_coach_sees_the_reviews_waiting_not_a_course_to_choose(app, client, auth):
    org = make_org("Northwind")
    cohort = make_cohort(org, "Team")
    make_user(org, ("coach",), email="chloe@northwind.example", cohort=cohort, cohort_role="coach")
    auth.login("chloe@northwind.example")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "No submissions wait for your review" in page
    assert "Choose your first course" not in page


def test_an_org_admin_and_manager_see_their_work(app, client, auth):
    org = make_org("Northwind")
    make_user(org, ("org_admin", "manager"), email="olivia@northwind.example")
    db.session.add(Invitation(organization_id=org.id, email="new@northwind.example", name="New", role="learner",
                              token_hash="c" * 64, expires_at=utcnow() + timedelta(days=3)))
    db.session.commit()
    auth.login("olivia@northwind.example")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "1 invitation not yet accepted" in page and "Nobody is overdue" in page
    assert "Choose your first course" not in page


def test_a_learner_still_gets_choose_your_first_course(app, client, auth):
    org = make_org("Northwind")
    make_user(org, ("learner",), email="ada@northwind.example")
    auth.login("ada@northwind.example")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Choose your first course" in page and "Your work today" not in page
