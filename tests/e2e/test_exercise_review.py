"""Journey: a learner checks the buying-committee map, fixes a contact's role, passes and hands it in; their coach
comments and accepts it; the learner reads the comment."""

from __future__ import annotations

from lms.accounts.workspaces import workspace_for
from lms.extensions import db
from lms.identity.services import join_cohort
from tests.factories import make_cohort, make_org, make_user
from tests.practice.web_helpers import add_account, add_contact


def tick(page, label: str) -> None:
    from selenium.webdriver.common.by import By

    page.driver.find_element(By.XPATH, f"//label[normalize-space()='{label}']").click()


def test_learner_fixes_a_gap_passes_hands_in_and_reads_the_coach_comment(live_app, page):
    with live_app.app_context():
        org = make_org("Northwind Analytics")
        cohort = make_cohort(org, "Northwind winter 2026", shares_workspace=False)
        learner = make_user(org, ("learner",), email="maya@northwind.example", name="Maya Okafor", cohort=cohort)
        make_user(org, ("coach",), email="chloe@academy.example", name="Chloe Adeyemi", cohort=cohort,
                  cohort_role="coach")
        join_cohort(learner, cohort, "learner")
        ws = workspace_for(learner, org)
        fern = add_account(ws, "Fernhollow Labs", "1:few")
        add_contact(ws, fern, "senior_decision_maker", first_name="Rowan", last_name="Hale", title="COO")
        add_contact(ws, fern, "functional_owner", first_name="Priya", last_name="Nair", title="Head of Operations")
        add_contact(ws, fern, "technical_evaluator", first_name="Sam", last_name="Ode", title="IT Architect")
        add_contact(ws, fern, first_name="Dana", last_name="Whitlock", title="Head of FP&A")
        db.session.commit()
        db.session.remove()

    page.sign_in("maya@northwind.example")
    page.go("/exercises/buying-committee-map")
    assert "Read the brief, do the work, then check it" in page.text
    page.click("Check my work")
    assert page.path == "/exercises/buying-committee-map#result"
    assert "Fernhollow Labs (1:few) has no finance contact" in page.text
    assert "Dana Whitlock (Head of FP&A) at Fernhollow Labs has no buying role" in page.text
    assert "Not passed yet" in page.text

    page.click("Fix it (Dana Whitlock)")
    assert page.path.startswith("/workspace/contacts/") and page.path.endswith("/edit")
    tick(page, "Finance")
    page.click("Save")
    assert "Saved Dana Whitlock" in page.text

    page.go("/exercises/buying-committee-map")
    page.click("Check my work")
    assert "Checked: 100/100, passed" in page.text
    assert "You passed with 100/100: hand it in" in page.text
    page.click("Hand in my best run")
    assert "the exercise counts as passed" in page.text
    assert "Awaiting review" in page.text
    page.click("Sign out")

    page.sign_in("chloe@academy.example")
    page.go("/reviews")
    assert "Maya Okafor" in page.text and "Awaiting review (1)" in page.text
    page.click("Review Maya Okafor: Map the buying committee")
    page.fill("Your comment to the learner", "Great catch on Dana: add procurement before the pilot.")
    tick(page, "Accept: the work is good")
    page.click("Save the review")
    assert "Review saved. Maya Okafor has been emailed and will see it on their dashboard." in page.text
    assert "Nothing is waiting for your review" in page.text
    page.click("Sign out")

    page.sign_in("maya@northwind.example")
    page.go("/exercises")
    assert "NEW FROM YOUR COACH" in page.text.upper()
    assert "Chloe Adeyemi accepted your hand-in of Map the buying committee" in page.text
    page.click("Map the buying committee")  # the notification comes before the exercise cards
    assert page.path.startswith("/runs/")
    assert "Great catch on Dana: add procurement before the pilot." in page.text
    assert "Accepted" in page.text
    page.go("/exercises")
    assert "accepted your hand-in" not in page.text  # read: it leaves the list


def test_exercise_pages_fit_a_phone_screen_without_sideways_scrolling(live_app, page):
    with live_app.app_context():
        org = make_org("Northwind Analytics")
        cohort = make_cohort(org, "Northwind winter 2026", shares_workspace=False)
        learner = make_user(org, ("learner", "coach"), email="maya@northwind.example", name="Maya Okafor",
                            cohort=cohort, cohort_role="coach")
        ws = workspace_for(learner, org)
        add_account(ws, "Fernhollow Labs with a rather long company name that goes on", "1:few")
        db.session.commit()
        db.session.remove()
    page.driver.set_window_size(375, 800)
    page.sign_in("maya@northwind.example")
    page.go("/exercises/buying-committee-map")
    page.click("Check my work")
    for path in ("/exercises", "/exercises/buying-committee-map", "/exercises/campaign-plan",
                 "/exercises/qualification-rules", "/exercises/measurement-plan", "/reviews"):
        page.go(path)
        overflow = page.driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a 375px screen"
