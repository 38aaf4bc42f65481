"""Findings grouped by account fit a 375 px phone: the run page and the coach's review page, with long account
names, the "Fix this first" line and the fix links."""

from __future__ import annotations

from lms.accounts.workspaces import workspace_for
from lms.extensions import db
from lms.identity.services import join_cohort
from tests.factories import make_cohort, make_org, make_user
from tests.practice.web_helpers import add_account, add_contact


def _overflow(page) -> int:
    return page.driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_run_and_review_pages_group_findings_by_account_without_sideways_scrolling(live_app, page):
    with live_app.app_context():
        org = make_org("Northwind Analytics")
        cohort = make_cohort(org, "Northwind winter 2026", shares_workspace=False)
        learner = make_user(org, ("learner",), email="maya@northwind.example", name="Maya Okafor", cohort=cohort)
        make_user(org, ("coach",), email="chloe@academy.example", name="Chloe Adeyemi", cohort=cohort,
                  cohort_role="coach")
        join_cohort(learner, cohort, "learner")
        ws = workspace_for(learner, org)
        for n in range(3):
            account = add_account(ws, f"Fernhollow{n}LaboratoriesInternationalHoldingsGroupLimitedPartnership", "1:few")
            add_contact(ws, account, "senior_decision_maker")
        db.session.commit()
        db.session.remove()

    page.driver.set_window_size(375, 800)
    page.sign_in("maya@northwind.example")
    page.go("/exercises/buying-committee-map")
    page.click("Check my work")
    assert "FIX THIS FIRST" in page.text.upper()
    assert "Findings about 3 accounts" in page.text
    assert _overflow(page) <= 0, "the exercise page scrolls sideways on a 375px screen"
    page.click("Hand in for feedback")  # opens the run handed in
    assert page.path.startswith("/runs/")
    assert "Fernhollow0Laboratories" in page.text and "Fix it" in page.text
    assert _overflow(page) <= 0, "the run page scrolls sideways on a 375px screen"
    page.click("Sign out")

    page.sign_in("chloe@academy.example")
    page.go("/reviews")
    page.click("Review Maya Okafor: Map the buying committee")
    assert "Findings about 3 accounts" in page.text
    assert _overflow(page) <= 0, "the review page scrolls sideways on a 375px screen"
