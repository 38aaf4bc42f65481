"""Report PDFs as background jobs: the click queues a job and shows its progress; the worker renders the PDF with
the manager's filters; the page then offers the file, which only the organisation's managers can download. Without
Redis (or when it can't be reached) the same flow runs in the request."""

from __future__ import annotations

import io
import logging
import re

from pypdf import PdfReader
from sqlalchemy import select

from lms import jobs
from lms.extensions import db
from lms.tracking.models import Statement
from tests.factories import make_user
from tests.jobs.fixtures import UNREACHABLE_REDIS, download_file
from tests.pdfs import pdf_text


def ask_for_pdf(client, report: str, query: str = "") -> str:
    """Click "Download PDF" on a report page; return the job page it leads to."""
    response = client.post(f"/reports/{report}/pdf{'?' + query if query else ''}")
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert re.fullmatch(r"/jobs/\d+", response.headers["Location"])
    return response.headers["Location"]


def file_link(page: str) -> str:
    return re.search(r'href="(/jobs/\d+/file)"', page).group(1)


def test_the_pdf_is_queued_then_the_page_offers_the_file_the_worker_made(client, auth, world, redis_queue):
    auth.login("manager@northwind.example")
    job_page = ask_for_pdf(client, "completion", f"cohort={world.team_a.id}")
    page = client.get(job_page).get_data(as_text=True)
    assert "Completion report (PDF)" in page and "Waiting to start" in page and 'http-equiv="refresh"' in page
    assert "/file" not in page
    assert redis_queue.waiting() == 1

    redis_queue.work()
    page = client.get(job_page).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page
    response, data = download_file(client, file_link(page))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "northwind" in response.headers["Content-Disposition"] and "completion" in response.headers[
        "Content-Disposition"]
    text = pdf_text(data)
    for expected in ("Northwind", "Completion", "Learner L2", "Learner L1", "Learner L5"):
        assert expected in text, expected
    assert "Learner L3" not in text and "Learner L4" not in text  # Team B's: the manager's filter was kept
    assert PdfReader(io.BytesIO(data)).metadata.title == "Completion: Northwind"


def test_without_redis_the_same_flow_runs_in_the_request(client, auth, world):
    auth.login("manager@northwind.example")
    job_page = ask_for_pdf(client, "capability")
    page = client.get(job_page).get_data(as_text=True)
    assert "Ready." in page and 'http-equiv="refresh"' not in page
    response, data = download_file(client, file_link(page))
    assert response.status_code == 200
    assert "Capability" in pdf_text(data)
    job = db.session.scalar(select(jobs.Job))
    assert (job.kind, job.on_worker, job.done, job.total, job.role) == ("report-pdf", False, 2, 2, "manager")


def test_a_redis_that_cannot_be_reached_makes_the_pdf_in_the_request(client, auth, world, app, caplog):
    app.config["REDIS_URL"] = UNREACHABLE_REDIS
    auth.login("manager@northwind.example")
    with caplog.at_level(logging.WARNING, logger="lms.jobs"):
        page = client.get(ask_for_pdf(client, "adoption")).get_data(as_text=True)
    assert "Ready." in page
    assert "Adoption funnel" in pdf_text(download_file(client, file_link(page))[1])
    assert any("running it in-process" in r.getMessage() for r in caplog.records)


def test_asking_records_one_exported_statement(client, auth, world):
    auth.login("manager@northwind.example")
    ask_for_pdf(client, "roi")
    db.session.expire_all()
    row = db.session.scalar(select(Statement).where(Statement.verb == "exported"))
    assert (row.object_type, row.object_id, row.result) == ("report", "roi", {"format": "pdf"})


def test_only_the_organisations_managers_see_the_job_and_its_file(client, auth, world, redis_queue):
    auth.login("manager@northwind.example")
    job_page = ask_for_pdf(client, "completion")
    redis_queue.work()
    file_path = file_link(client.get(job_page).get_data(as_text=True))
    auth.logout()

    make_user(world.org, ("manager",), email="second-manager@northwind.example")
    make_user(world.other, ("manager",), email="manager@contoso.example")
    auth.login("second-manager@northwind.example")
    assert download_file(client, file_path)[0].status_code == 200
    for email in ("l1@northwind.example", "coach@northwind.example", "manager@contoso.example"):
        auth.logout()
        auth.login(email)
        assert client.get(job_page).status_code == 404, email
        assert client.get(file_path).status_code == 404, email


def test_a_manager_who_lost_the_role_before_the_worker_ran_gets_no_pdf(client, auth, world, redis_queue):
    from lms.identity.models import Membership

    auth.login("manager@northwind.example")
    job_page = ask_for_pdf(client, "completion")
    db.session.execute(Membership.__table__.update().where(Membership.user_id == world.manager.id)
                       .values(role="learner"))
    db.session.commit()
    redis_queue.work()
    job = db.session.scalar(select(jobs.Job))
    db.session.refresh(job)
    assert (job.status, job.error) == ("failed", "Only the organisation's managers can have its reports.")
    assert job.file_path is None
    assert job_page == f"/jobs/{job.id}"


def test_learners_cannot_ask_and_another_organisations_cohort_answers_404(client, auth, world):
    auth.login("l1@northwind.example")
    assert client.post("/reports/completion/pdf").status_code == 403
    auth.logout()
    auth.login("manager@northwind.example")
    assert client.post(f"/reports/completion/pdf?cohort={world.other_cohort.id}").status_code == 404
    assert client.post("/reports/nonsense/pdf").status_code == 404
    assert db.session.scalar(select(jobs.Job)) is None


def test_the_report_page_button_posts_with_the_filters_and_an_old_pdf_link_offers_it(client, auth, world):
    auth.login("manager@northwind.example")
    page = client.get(f"/reports/completion?cohort={world.team_a.id}").get_data(as_text=True)
    assert f'action="/reports/completion/pdf?cohort={world.team_a.id}"' in page
    old_link = client.get(f"/reports/completion.pdf?cohort={world.team_a.id}")
    assert old_link.status_code == 200
    assert f'action="/reports/completion/pdf?cohort={world.team_a.id}"' in old_link.get_data(as_text=True)
