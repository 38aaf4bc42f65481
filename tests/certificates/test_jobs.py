"""Certificate batches as background jobs: a cohort's ZIP renders its missing PDFs in the request without Redis;
with Redis the batch waits for the worker, whose progress the job's page shows, then the link to the ZIP."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from lms import jobs as job_queue
from lms.certificates import jobs, storage
from lms.extensions import db
from tests.certificates.conftest import issue_certificate, sync_courses
from tests.factories import make_cohort, make_org, make_user
from tests.jobs.fixtures import UNREACHABLE_REDIS


def make_cohort_with_certificates(course, count: int = 3, org=None):
    org = org or make_org()
    cohort = make_cohort(org, "Batch")
    certs = [issue_certificate(make_user(org, cohort=cohort), org, course, cohort=cohort) for _ in range(count)]
    return cohort, certs


@pytest.fixture
def batch(app):
    org = make_org()
    cohort, certs = make_cohort_with_certificates(sync_courses(), 3, org)
    return cohort, certs, make_user(org, ("manager",), email="m@batch.example")


def zip_path(cohort) -> str:
    return f"/certificates/cohorts/{cohort.id}/certificates.zip"


def test_render_missing_renders_the_missing_ones_now(app, course):
    _, certs = make_cohort_with_certificates(course)
    assert storage.missing_pdfs(certs) == certs
    assert storage.render_missing([c.id for c in certs]) == 3
    assert storage.missing_pdfs(certs) == []
    assert storage.render_missing([c.id for c in certs]) == 0  # all stored: nothing rendered again


def test_without_a_queue_the_zip_renders_the_missing_pdfs_in_the_request(client, auth, batch):
    cohort, certs, manager = batch
    auth.login(manager.email)
    response = client.get(zip_path(cohort))
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert storage.missing_pdfs(certs) == []
    job = db.session.scalar(select(job_queue.Job))
    assert (job.kind, job.status, job.message) == ("certificates", "done", "3 certificate PDFs rendered.")


def test_a_redis_that_cannot_be_reached_renders_in_the_request(client, auth, batch, app, caplog):
    app.config["REDIS_URL"] = UNREACHABLE_REDIS
    cohort, certs, manager = batch
    auth.login(manager.email)
    with caplog.at_level(logging.WARNING, logger="lms.jobs"):
        assert client.get(zip_path(cohort)).status_code == 200
    assert storage.missing_pdfs(certs) == []
    assert any("running it in-process" in r.getMessage() for r in caplog.records)


def test_with_redis_the_zip_queues_the_batch_and_its_page_leads_to_the_zip(client, auth, batch, app, redis_queue,
                                                                             monkeypatch):
    cohort, certs, manager = batch
    auth.login(manager.email)
    response = client.get(zip_path(cohort))
    assert response.status_code == 302
    job_page = response.headers["Location"]
    assert storage.missing_pdfs(certs) == certs  # nothing rendered in the request
    assert client.get(zip_path(cohort)).headers["Location"] == job_page  # asking again: the same batch
    assert redis_queue.waiting() == 1
    assert "Waiting to start" in client.get(job_page).get_data(as_text=True)

    calls, seen = [], []
    render_missing = jobs.render_missing

    def spy(ids, on_progress):
        calls.append(list(ids))
        return render_missing(ids, on_progress=lambda done, total: (seen.append((done, total)),
                                                                   on_progress(done, total)))

    monkeypatch.setattr(jobs, "render_missing", spy)
    redis_queue.work()
    assert [len(ids) for ids in calls] == [3]  # one batch: its worker processes start once
    assert seen == [(1, 3), (2, 3), (3, 3)]  # progress as each PDF is written
    assert storage.missing_pdfs(certs) == []
    page = client.get(job_page).get_data(as_text=True)
    assert "3 certificate PDFs rendered." in page and "Download the ZIP" in page
    assert f'href="{zip_path(cohort)}"' in page
    response = client.get(zip_path(cohort))
    assert response.status_code == 200 and response.mimetype == "application/zip"


def _progress() -> tuple[int, int, str]:
    from tests.jobs.handlers import seen_progress

    return seen_progress(db.session.scalar(select(job_queue.Job.id)))


def test_the_batch_page_is_the_requesters_only(client, auth, batch, redis_queue):
    cohort, certs, manager = batch
    other_manager = make_user(certs[0].organization, ("manager",), email="m2@batch.example")
    outsider = make_user(make_org(), ("manager",), email="m@elsewhere.example")
    auth.login(manager.email)
    job_page = client.get(zip_path(cohort)).headers["Location"]
    for email in (other_manager.email, outsider.email):
        auth.logout()
        auth.login(email)
        assert client.get(job_page).status_code == 404, email
