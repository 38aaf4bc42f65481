"""Background jobs (lms/jobs.py): on rq with a real Redis when LMS_REDIS_URL is set, in-process without it or when
Redis can't be reached; progress and the result recorded either way; all-or-nothing; one job per subject; the
job's page and file only for those who may see them."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from lms import jobs
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Organization
from tests.factories import make_org, make_user
from tests.jobs import handlers
from tests.jobs.fixtures import UNREACHABLE_REDIS, download_file


@pytest.fixture(autouse=True)
def _fresh_handler_records():
    handlers.SEEN.clear()
    handlers.CALLS.clear()


@pytest.fixture
def requester(app):
    org = make_org("Northwind")
    return make_user(org, ("learner",), email="asker@northwind.example")


def start(user, handler=handlers.three_steps, **overrides) -> jobs.Job:
    options = {"kind": "test", "title": "Say hello", "organization_id": user.memberships[0].organization_id,
               "user_id": user.id, "args": {"name": "Ada"}, **overrides}
    return jobs.enqueue(handler, **options)


def fresh(job_id: int) -> jobs.Job:
    return db.session.get(jobs.Job, job_id, populate_existing=True)


def test_without_redis_the_job_runs_in_process_and_records_progress_and_its_file(app, requester):
    assert app.config["REDIS_URL"] == ""
    job = start(requester)
    assert (job.status, job.on_worker, job.done, job.total) == ("done", False, 3, 3)
    assert handlers.SEEN == [(0, 3, "Step 1 of 3"), (1, 3, "Step 2 of 3"), (2, 3, "Step 3 of 3")]
    assert job.message == "Said hello to Ada."
    assert job.started_at is not None and job.finished_at >= job.started_at
    assert (job.file_name, job.file_type) == ("hello Ada.txt", "text/plain")
    assert jobs.result_file(job).read_bytes() == b"Hello Ada"
    assert jobs.result_file(job).is_relative_to(Path(app.config["STORAGE_DIR"]))


def test_with_redis_the_job_waits_for_the_worker_which_records_progress_and_its_file(app, requester, redis_queue):
    job = start(requester)
    assert (job.status, job.on_worker) == ("queued", True)
    assert redis_queue.waiting() == 1
    assert handlers.CALLS == [] and jobs.result_file(job) is None

    assert redis_queue.work() is True
    job = fresh(job.id)
    assert (job.status, job.done, job.total, job.message) == ("done", 3, 3, "Said hello to Ada.")
    assert handlers.SEEN == [(0, 3, "Step 1 of 3"), (1, 3, "Step 2 of 3"), (2, 3, "Step 3 of 3")]
    assert jobs.result_file(job).read_bytes() == b"Hello Ada"
    assert redis_queue.waiting() == 0


def test_a_redis_that_cannot_be_reached_runs_the_job_in_process_with_a_warning(app, requester, caplog):
    app.config["REDIS_URL"] = UNREACHABLE_REDIS
    with caplog.at_level(logging.WARNING, logger="lms.jobs"):
        job = start(requester)
    assert (job.status, job.on_worker, job.message) == ("done", False, "Said hello to Ada.")
    assert any("running it in-process" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


def test_a_job_that_fails_keeps_nothing_it_wrote_and_says_why(app, requester):
    job = start(requester, handlers.writes_then_refuses)
    assert (job.status, job.error) == ("failed", "The file has errors: fix them and try again.")
    assert db.session.scalar(select(Organization).where(Organization.slug == "not-kept")) is None
    assert not list(Path(app.config["STORAGE_DIR"]).rglob("half.txt"))
    assert jobs.result_file(job) is None


def test_an_unexpected_error_fails_the_job_with_a_general_message_and_logs_it(app, requester, caplog):
    with caplog.at_level(logging.ERROR, logger="lms.jobs"):
        job = start(requester, handlers.breaks)
    assert (job.status, job.error) == ("failed", jobs.FAILED_MESSAGE)
    assert "disk on fire" not in job.error
    assert any("disk on fire" in r.exc_text for r in caplog.records if r.exc_text)
    assert db.session.scalar(select(Organization).where(Organization.slug == "not-kept-either")) is None


def test_a_failure_on_the_worker_is_recorded_the_same_way(app, requester, redis_queue):
    job = start(requester, handlers.writes_then_refuses)
    redis_queue.work()
    job = fresh(job.id)
    assert (job.status, job.error) == ("failed", "The file has errors: fix them and try again.")
    assert db.session.scalar(select(Organization).where(Organization.slug == "not-kept")) is None


def test_a_job_runs_once_even_when_the_worker_is_handed_it_twice(app, requester, redis_queue):
    job = start(requester)
    redis_queue.queue().enqueue(jobs.WORKER_ENTRY, job.id)  # the same job id again, as a retry would
    redis_queue.work()
    assert [job.id] == handlers.CALLS
    assert fresh(job.id).status == "done"


def test_while_a_job_for_a_subject_waits_asking_again_returns_it(app, requester, redis_queue):
    first = start(requester, subject="batch:1")
    again = start(requester, subject="batch:1")
    other = start(requester, subject="batch:2")
    assert again.id == first.id and other.id != first.id
    assert redis_queue.waiting() == 2
    redis_queue.work()
    assert start(requester, subject="batch:1").id not in (first.id, other.id)  # done: a new one is started


def test_a_job_past_its_timeout_is_stuck_and_no_longer_blocks_its_subject(app, requester, redis_queue):
    job = start(requester, subject="batch:1", timeout=60)
    job.status, job.started_at = "running", utcnow() - timedelta(minutes=5)
    db.session.commit()
    assert job.is_stuck(utcnow())
    assert jobs.active(job.organization_id, "test", "batch:1") is None
    assert start(requester, subject="batch:1").id != job.id


def test_handlers_must_be_importable_by_the_worker(app, requester):
    def local(run):
        return None

    with pytest.raises(ValueError, match="module-level"):
        start(requester, local)


def test_purge_deletes_old_jobs_and_their_files_only(app, requester):
    old = start(requester)
    recent = start(requester, args={"name": "Bo"})
    waiting = jobs.record(handlers.three_steps, kind="test", title="t", organization_id=old.organization_id)
    abandoned = jobs.record(handlers.three_steps, kind="test", title="t", organization_id=old.organization_id)
    old.finished_at = utcnow() - timedelta(days=8)
    abandoned.created_at = utcnow() - timedelta(days=8)
    db.session.commit()
    folder = jobs.result_file(old).parent
    assert jobs.purge(utcnow() - timedelta(days=7)) == 2
    db.session.commit()
    assert not folder.exists()
    assert set(db.session.scalars(select(jobs.Job.id))) == {recent.id, waiting.id}
    assert jobs.result_file(fresh(recent.id)).is_file()


# --- the pages -------------------------------------------------------------------------------------------


def test_the_page_shows_progress_while_waiting_then_the_file(client, auth, requester, redis_queue):
    job = start(requester)
    auth.login(requester.email)
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Waiting to start" in page and 'http-equiv="refresh"' in page
    assert f"/jobs/{job.id}/file" not in page
    assert client.get(f"/jobs/{job.id}/file").status_code == 404

    redis_queue.work()
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Said hello to Ada." in page and 'http-equiv="refresh"' not in page
    assert f"/jobs/{job.id}/file" in page
    response, data = download_file(client, f"/jobs/{job.id}/file")
    assert response.status_code == 200 and data == b"Hello Ada"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "private" in response.headers["Cache-Control"]


def test_the_page_shows_a_running_jobs_step(client, auth, requester, redis_queue):
    job = start(requester)
    jobs.JobRun(job.id, job.organization_id, job.user_id, {}).progress(1, 4, "Drawing the charts")
    jobs._update(job.id, status="running", started_at=utcnow())
    auth.login(requester.email)
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Drawing the charts" in page and 'aria-valuenow="25"' in page and "Step 1 of 4" in page


def test_a_failed_or_stuck_job_says_so_and_stops_refreshing(client, auth, requester, redis_queue):
    failed = start(requester, handlers.writes_then_refuses)
    redis_queue.work()
    stuck = start(requester, timeout=60)
    jobs._update(stuck.id, status="running", started_at=utcnow() - timedelta(minutes=10))
    auth.login(requester.email)
    page = client.get(f"/jobs/{failed.id}").get_data(as_text=True)
    assert "The file has errors: fix them and try again." in page and "refresh" not in page
    page = client.get(f"/jobs/{stuck.id}").get_data(as_text=True)
    assert "stopped without finishing" in page and "refresh" not in page


def test_someone_elses_job_or_another_organisations_answers_404(client, auth, requester):
    job = start(requester)
    role_job = start(requester, role="manager")
    colleague = make_user(requester.memberships[0].organization, ("learner",), email="colleague@northwind.example")
    manager = make_user(requester.memberships[0].organization, ("manager",), email="manager@northwind.example")
    outsider = make_user(make_org("Contoso"), ("manager",), email="manager@contoso.example")
    platform_job = jobs.enqueue(handlers.three_steps, kind="test", title="t", organization_id=None,
                                args={"name": "Platform"})

    auth.login(colleague.email)
    for path in (f"/jobs/{job.id}", f"/jobs/{job.id}/file", f"/jobs/{role_job.id}", f"/jobs/{platform_job.id}",
                 "/jobs/999999"):
        assert client.get(path).status_code == 404, path
    auth.logout()
    auth.login(manager.email)  # the organisation's managers see jobs shared with managers, not a learner's own
    assert download_file(client, f"/jobs/{role_job.id}/file")[0].status_code == 200
    assert client.get(f"/jobs/{job.id}").status_code == 404
    auth.logout()
    auth.login(outsider.email)
    for path in (f"/jobs/{job.id}", f"/jobs/{role_job.id}", f"/jobs/{role_job.id}/file"):
        assert client.get(path).status_code == 404, path
    auth.logout()
    assert client.get(f"/jobs/{job.id}").status_code == 302  # signed out: to sign in


def test_work_done_as_the_requester_runs_as_them_and_only_while_they_are_a_member(app, requester):
    from flask import g
    from flask_login import current_user

    northwind = requester.memberships[0].organization_id
    with jobs.as_requester(requester, northwind, "/reports/completion.pdf", "cohort=1"):
        assert current_user.id == requester.id and g.org.id == northwind and g.roles == {"learner"}
    contoso = make_org("Contoso").id
    with pytest.raises(jobs.JobFailed, match="no longer a member"), jobs.as_requester(requester, contoso, "/"):
        pass
    requester.is_active_user = False
    with pytest.raises(jobs.JobFailed, match="can no longer sign in"), jobs.as_requester(requester, northwind, "/"):
        pass
    with pytest.raises(jobs.JobFailed, match="can no longer sign in"), jobs.as_requester(None, northwind, "/"):
        pass
