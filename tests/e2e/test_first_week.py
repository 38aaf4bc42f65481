"""Journeys of a client's first week: an admin sends an invitation again and passes its link on; someone who
joins a cohort late finds the cohort's course assigned; a coach lands on the reviews waiting, not on a course list."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from selenium.webdriver.common.by import By

from lms.content.models import Course
from lms.content.sync import sync_content
from lms.database import utcnow
from lms.extensions import db
from lms.learning.assignments import assign
from tests.factories import make_cohort, make_org, make_user


def test_an_admin_sends_an_invitation_again_and_the_link_shown_works(live_app, page):
    with live_app.app_context():
        org = make_org("Northwind Analytics")
        make_user(org, ("org_admin",), email="olivia@northwind.example", name="Olivia Hart")
        db.session.remove()
    page.sign_in("olivia@northwind.example")
    page.go("/admin/invitations")
    page.fill("Name", "Sam Sales")
    page.fill("Email", "sam@northwind.example")
    page.click("Send invitation")
    page.click("Send again")
    flash = page.driver.find_element(By.XPATH, "//*[contains(., 'Invitation sent again to sam@northwind.example')]")
    link = next(word for word in flash.text.split() if "/invitations/" in word).rstrip(").")
    page.sign_out()
    page.driver.get(link)
    assert "Join Northwind Analytics" in page.text and "sam@northwind.example" in page.text


def test_someone_added_to_a_cohort_late_finds_its_course_assigned(live_app, page):
    with live_app.app_context():
        sync_content(Path(live_app.config["COURSES_DIR"]), {})
        org = make_org("Northwind Analytics")
        cohort = make_cohort(org, "Winter cohort")
        manager = make_user(org, ("org_admin", "manager"), email="olivia@northwind.example", name="Olivia Hart")
        make_user(org, ("learner",), email="maya@northwind.example", name="Maya Okafor", cohort=cohort)
        make_user(org, ("learner",), email="lee@northwind.example", name="Lee Late")
        assign(org, db.session.query(Course).one(), utcnow() + timedelta(days=30), manager, cohort=cohort)
        db.session.commit()
        cohort_id = cohort.id
        db.session.remove()
    page.sign_in("olivia@northwind.example")
    page.go(f"/admin/cohorts/{cohort_id}")
    page.fill("Find people by name or email", "lee")
    page.click("Find")
    assert "1 person in Northwind Analytics is not in this cohort and matches “lee”." in page.text
    page.press(page.driver.find_element(
        By.XPATH, "//li[contains(., 'lee@northwind.example')]//button[starts-with(normalize-space(), 'Add as learner')]"))
    assert "Lee Late added as learner." in page.text
    page.sign_out()
    page.sign_in("lee@northwind.example")
    assert "ABM in Ten Minutes" in page.text and "Choose your first course" not in page.text


def test_a_coach_lands_on_the_reviews_waiting(live_app, page):
    with live_app.app_context():
        org = make_org("Northwind Analytics")
        cohort = make_cohort(org, "Winter cohort")
        make_user(org, ("coach",), email="chloe@northwind.example", name="Chloe Coach", cohort=cohort,
                  cohort_role="coach")
        db.session.remove()
    page.sign_in("chloe@northwind.example")
    assert "your work today" in page.text.lower() and "No submissions wait for your review" in page.text
    assert "Choose your first course" not in page.text
