"""Journey: a manager asks for a report's PDF; the page waits for the worker, updates itself (a meta refresh, which
the Content-Security-Policy allows) and then offers the file."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from lms import jobs
from lms.extensions import db
from tests.factories import make_org, make_user
from tests.jobs.fixtures import own_queue


@pytest.fixture
def live_queue(live_app):
    """The live app queues its jobs on a queue of this test's own on the real Redis."""
    with own_queue(live_app, "lms-e2e") as queue:
        yield queue


def test_the_pdf_page_waits_for_the_worker_then_offers_the_file(live_app, live_queue, page):
    with live_app.app_context():
        org = make_org("Northwind Analytics")
        make_user(org, ("manager",), email="marcus@northwind.example", name="Marcus Bell")
        db.session.remove()
    page.sign_in("marcus@northwind.example")

    page.go("/reports/completion")
    page.click("Download PDF")
    assert page.path.startswith("/jobs/")
    assert "Completion report (PDF)" in page.text and "Waiting to start" in page.text
    assert live_queue.waiting() == 1

    with live_app.app_context():
        live_queue.work()
        assert db.session.scalar(db.select(jobs.Job.status)) == "done"
        db.session.remove()
    WebDriverWait(page.driver, 15).until(lambda d: "Download" in page.text and "Ready." in page.text)
    link = page.driver.find_element("partial link text", "Download")
    assert link.get_attribute("href").endswith("/file") and "-completion-" in link.text and link.text.endswith(".pdf")
