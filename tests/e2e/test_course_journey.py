"""Journey: open a course, read a module, answer its check, complete it, see the progress bar move."""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.common.by import By

from lms.content.sync import sync_content
from lms.extensions import db
from tests.factories import make_org, make_user


def test_learner_takes_a_module_and_the_progress_bar_moves(live_app, page):
    with live_app.app_context():
        sync_content(Path(live_app.config["COURSES_DIR"]), {})
        org = make_org("Public courses", kind="public")
        make_user(org, ("learner",), email="ada@example.com", name="Ada Lovelace")
        db.session.remove()

    page.sign_in("ada@example.com")
    page.click("Browse the courses")
    page.click("ABM in Ten Minutes")
    page.click("Enrol")
    assert "0 of 2 modules done" in page.text
    bar = page.driver.find_element(By.CSS_SELECTOR, "[role=progressbar]")
    assert bar.get_attribute("aria-valuenow") == "0"

    page.click("Start: Choosing target accounts")
    assert "Check your understanding" in page.text
    # Answer the first question wrongly, read the feedback, then put it right.
    page.driver.find_element(By.ID, "q-choose-1-1").click()
    page.press(page.driver.find_element(By.XPATH, "//form[@id='q-choose-1']//button"))
    page.driver.find_element(By.XPATH, "//*[contains(., 'Not yet right: try again.')]")
    assert "Marketing effort on an account nobody in sales will follow up is wasted." in page.text
    page.driver.find_element(By.ID, "q-choose-1-0").click()
    page.press(page.driver.find_element(By.XPATH, "//form[@id='q-choose-1']//button"))
    page.driver.find_element(By.XPATH, "//form[@id='q-choose-1']//p[contains(., 'Correct.')]")
    # Completing with the rest of the check unanswered is refused with a reason.
    page.click("Mark complete and continue")
    assert "2 questions of the check not answered yet" in page.text
    for question, options in (("choose-2", (0, 1)), ("choose-3", (0,))):
        for option in options:
            page.driver.find_element(By.ID, f"q-{question}-{option}").click()
        page.press(page.driver.find_element(By.XPATH, f"//form[@id='q-{question}']//button"))
        page.driver.find_element(By.XPATH, f"//form[@id='q-{question}']//p[contains(., 'Correct.')]")

    page.click("Mark complete and continue")
    assert page.path.endswith("/courses/tiny-course/mapping-the-buying-group")
    assert "completed. Next: Mapping the buying group." in page.text
    page.click("← ABM in Ten Minutes")
    assert "1 of 2 modules done" in page.text
    bar = page.driver.find_element(By.CSS_SELECTOR, "[role=progressbar]")
    assert bar.get_attribute("aria-valuenow") == "50"
    assert bar.find_element(By.TAG_NAME, "span").size["width"] > 0
