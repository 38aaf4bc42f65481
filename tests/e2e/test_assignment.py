"""Journey: a manager assigns a course to a cohort with a due date; a learner sees it on the dashboard, due."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from lms.content.sync import sync_content
from lms.database import utcnow
from lms.extensions import db
from tests.factories import make_cohort, make_org, make_user


def test_manager_assigns_a_course_to_a_cohort_and_the_learner_sees_it_due(live_app, page):
    due = (utcnow() + timedelta(days=30)).date()
    with live_app.app_context():
        sync_content(Path(live_app.config["COURSES_DIR"]), {})
        org = make_org("Northwind Analytics", timezone="Europe/London")
        cohort = make_cohort(org, "Sales and marketing, winter")
        make_user(org, ("manager",), email="marcus@northwind.example", name="Marcus Bell")
        make_user(org, ("learner",), email="maya@northwind.example", name="Maya Okafor", cohort=cohort)
        db.session.remove()

    page.sign_in("marcus@northwind.example")
    page.click("Assign")
    assert page.path == "/manage/assignments"
    assert "Nothing assigned yet." in page.text
    Select(page.driver.find_element(By.ID, "course_id")).select_by_visible_text("ABM in Ten Minutes")
    Select(page.driver.find_element(By.ID, "cohort_id")).select_by_visible_text("Sales and marketing, winter")
    # Date and time inputs take their value in ISO form whatever the browser's locale shows.
    for field_id, value in (("due_date", due.isoformat()), ("due_time", "17:00")):
        element = page.driver.find_element(By.ID, field_id)
        assert element.get_attribute("type") == field_id.split("_")[1]
        page.driver.execute_script("arguments[0].value = arguments[1]", element, value)
    page.press(page.driver.find_element(By.XPATH, "//main//form//button[normalize-space()='Assign']"))
    # The form posts to "#assign" so an error lands on the form; after the redirect the browser keeps that anchor.
    assert page.path.split("#")[0] == "/manage/assignments"
    expected_due = f"{due.day} {due:%b %Y}, 17:00"  # the manager's zone is London's; the learner's too
    assert "ABM in Ten Minutes assigned to 1 learner" in page.text
    row = page.driver.find_element(By.XPATH, "//table//tr[td[contains(., 'ABM in Ten Minutes')]]").text
    assert "Sales and marketing, winter" in row and expected_due in row
    page.click("Sign out")

    page.sign_in("maya@northwind.example")
    assert page.path == "/dashboard"
    card = page.driver.find_element(By.XPATH, "//article[.//a[normalize-space()='ABM in Ten Minutes']]").text
    assert f"Due {expected_due}" in card
    assert "Start: Choosing target accounts" in page.text
