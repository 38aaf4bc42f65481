"""Large imports as background jobs: above LMS_IMPORT_JOB_ROWS the Import button starts a job whose page shows the
progress, then what was imported; the preview and confirm flow and all-or-nothing stay as they are; small files
import in the request as before."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms import jobs
from lms.accounts import workspaces
from lms.accounts.batches import upload_kept
from lms.accounts.models import Account, ImportBatch
from lms.extensions import db
from tests.accounts.web_support import apply, batch_id, count, make_team, text, upload, upload_fixture
from tests.conftest import _test_config
from tests.factories import make_org, make_user

THREE_ACCOUNTS = (
    b"Account Name,Website,Industry\r\n"
    b"Larkspur Devices,larkspur-devices.example,Electronics\r\n"
    b"Kettlewell & Sons,kettlewell-sons.example,Manufacturing\r\n"
    b"Fernhollow Labs,fernhollow.example,Biotechnology\r\n"
)


@pytest.fixture
def app_config(tmp_path) -> dict:
    return _test_config(tmp_path, IMPORT_JOB_ROWS=2)  # three rows are "large" here


@pytest.fixture
def team(app, auth):
    team = make_team()
    auth.login(team.marketing.email)
    return team


def the_job() -> jobs.Job:
    db.session.expire_all()
    return db.session.scalar(select(jobs.Job).where(jobs.Job.kind == "import"))


def test_a_large_file_says_it_imports_in_the_background_and_a_small_one_does_not(client, team, app):
    batch = batch_id(upload(client, "a.csv", THREE_ACCOUNTS))
    assert "imported in the background" in text(client.get(f"/workspace/import/{batch}"))
    app.config["IMPORT_JOB_ROWS"] = 5_000
    assert "imported in the background" not in text(client.get(f"/workspace/import/{batch}"))
    assert apply(client, batch).headers["Location"] == "/workspace/accounts"  # in the request, as before
    assert count(Account) == 3 and the_job() is None


def test_without_redis_a_large_import_runs_as_a_job_in_the_request(client, team):
    batch = batch_id(upload(client, "a.csv", THREE_ACCOUNTS))
    response = apply(client, batch)
    job = the_job()
    assert response.headers["Location"] == f"/jobs/{job.id}"
    assert (job.status, job.done, job.total) == ("done", 3, 3)
    assert count(Account) == 3
    page = text(client.get(f"/jobs/{job.id}"))
    assert "Imported accounts from a.csv: 3 new, 0 updated." in page
    assert "See the accounts" in page
    assert not upload_kept(db.session.get(ImportBatch, batch))  # the kept upload is deleted after the commit
    assert "Imported accounts" in text(client.get(f"/workspace/import/{batch}"))


def test_with_redis_the_import_waits_for_the_worker_and_its_page_shows_the_progress(client, team, redis_queue):
    batch = batch_id(upload(client, "a.csv", THREE_ACCOUNTS))
    job_page = apply(client, batch).headers["Location"]
    assert job_page == f"/jobs/{the_job().id}"
    assert count(Account) == 0 and redis_queue.waiting() == 1
    page = text(client.get(job_page))
    assert "Importing a.csv" in page and "Waiting to start" in page
    assert client.get(f"/workspace/import/{batch}").headers["Location"] == job_page  # the preview: its progress
    assert apply(client, batch).headers["Location"] == job_page  # a second click: the same job
    assert redis_queue.waiting() == 1

    redis_queue.work()
    job = the_job()
    assert (job.status, job.message) == ("done", "Imported accounts from a.csv: 3 new, 0 updated.")
    assert count(Account) == 3
    assert "Imported accounts" in text(client.get(f"/workspace/import/{batch}"))
    assert apply(client, batch).headers["Location"] == f"/workspace/import/{batch}"  # already imported: no-op
    assert count(Account) == 3


def test_rows_with_errors_still_block_importing_everything(client, team, redis_queue):
    batch = batch_id(upload_fixture(client, "ragged_rows.csv"))
    apply(client, batch, "all")
    redis_queue.work()
    job = the_job()
    assert job.status == "failed" and "1 row has errors" in job.error
    assert "1 row has errors" in text(client.get(f"/jobs/{job.id}"))
    assert count(Account) == 0
    assert db.session.get(ImportBatch, batch).status == "previewed"

    apply(client, batch, "valid")  # the explicit choice, as before
    redis_queue.work()
    assert count(Account) == 4


def test_a_failure_during_the_import_leaves_nothing_half_imported(client, team, monkeypatch, redis_queue):
    batch = batch_id(upload(client, "a.csv", THREE_ACCOUNTS))

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(workspaces, "record", broken)  # fails after the rows were flushed
    apply(client, batch)
    redis_queue.work()
    job = the_job()
    assert (job.status, job.error) == ("failed", jobs.FAILED_MESSAGE)
    assert count(Account) == 0
    assert db.session.get(ImportBatch, batch).status == "previewed" and upload_kept(db.session.get(ImportBatch, batch))


def test_a_teammates_import_in_progress_is_said_and_not_shown(client, auth, team, redis_queue):
    batch = batch_id(upload(client, "a.csv", THREE_ACCOUNTS))
    job_page = apply(client, batch).headers["Location"]
    auth.logout()
    auth.login(team.sales.email)  # shares the workspace
    response = apply(client, batch)
    assert response.headers["Location"] == f"/workspace/import/{batch}"
    assert "Someone in your team is importing this file now." in text(client.get(response.headers["Location"]))
    assert client.get(job_page).status_code == 404
    outsider = make_user(make_org("Contoso"), ("learner",), email="lee@contoso.example")
    auth.logout()
    auth.login(outsider.email)
    assert client.get(job_page).status_code == 404
    assert redis_queue.waiting() == 1
