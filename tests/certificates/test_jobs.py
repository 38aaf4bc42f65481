"""Rendering many PDFs: in-process without a queue; on rq with Redis when LMS_REDIS_URL is set and rq is
installed (an optional dependency: that test is skipped without it)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from lms.certificates import jobs, storage
from tests.certificates.conftest import issue_certificate, sync_courses
from tests.conftest import ROOT, _test_config
from tests.factories import make_cohort, make_org, make_user

HAS_RQ = importlib.util.find_spec("rq") is not None
REDIS_URL = "redis://127.0.0.1:6379/15"


def clear_rq(redis) -> None:
    """Remove rq's keys from the test database number (and nothing else)."""
    keys = list(redis.scan_iter("rq:*"))
    if keys:
        redis.delete(*keys)


def make_cohort_with_certificates(course, count: int = 3):
    org = make_org()
    cohort = make_cohort(org, "Batch")
    certs = [issue_certificate(make_user(org, cohort=cohort), org, course, cohort=cohort) for _ in range(count)]
    return cohort, certs


def test_without_a_queue_rendering_runs_in_process(app, course):
    _, certs = make_cohort_with_certificates(course)
    assert jobs.queue() is None
    assert storage.missing_pdfs(certs) == certs
    assert jobs.render_later([c.id for c in certs]) is False
    assert storage.missing_pdfs(certs) == []
    assert jobs.render_certificates([c.id for c in certs]) == 0  # all stored: nothing rendered again


def test_the_zip_renders_missing_pdfs_in_process_without_a_queue(client, auth, course):
    cohort, certs = make_cohort_with_certificates(course)
    manager = make_user(cohort_org := certs[0].organization, ("manager",), email="m@batch.example")
    assert cohort_org.id == cohort.organization_id
    auth.login(manager.email)
    response = client.get(f"/certificates/cohorts/{cohort.id}/certificates.zip")
    assert response.status_code == 200
    assert storage.missing_pdfs(certs) == []


@pytest.mark.skipif(HAS_RQ, reason="rq is installed: the queued path is tested below")
def test_a_redis_url_without_rq_installed_renders_in_process(app, course):
    _, certs = make_cohort_with_certificates(course, 1)
    app.config["REDIS_URL"] = REDIS_URL
    assert jobs.queue() is None
    assert jobs.render_later([certs[0].id]) is False
    assert storage.missing_pdfs(certs) == []


def test_the_job_creates_its_own_app_outside_one(tmp_path, monkeypatch):
    """What an rq worker does: no app context, settings from the LMS_* environment."""
    from lms import create_app
    from lms.extensions import db

    config = _test_config(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'jobs.sqlite'}")
    app = create_app(config)
    with app.app_context():
        db.create_all()
        _, certs = make_cohort_with_certificates(sync_courses(), 2)
        ids = [c.id for c in certs]
        db.session.remove()
    for key in ("SQLALCHEMY_DATABASE_URI", "STORAGE_DIR", "SERVER_NAME", "COURSES_DIR", "SECRET_KEY"):
        monkeypatch.setenv(f"LMS_{key}", str(config[key]))
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("rendered", jobs.render_certificates(ids)))
    worker.start()
    worker.join(60)
    assert result == {"rendered": 2}
    assert len(list(Path(config["STORAGE_DIR"]).rglob("*.pdf"))) == 2


@pytest.mark.skipif(not HAS_RQ, reason="rq is not installed (optional: pip install rq) - the queued path is "
                                       "tested only where it is")
def test_with_rq_and_redis_the_zip_queues_the_rendering_for_a_worker(tmp_path, client, auth, app):
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    redis = Redis.from_url(REDIS_URL)
    try:
        redis.ping()
    except RedisConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    clear_rq(redis)
    app.config["REDIS_URL"] = REDIS_URL
    cohort, certs = make_cohort_with_certificates(sync_courses(), 2)
    manager = make_user(certs[0].organization, ("manager",), email="m@batch.example")
    auth.login(manager.email)

    response = client.get(f"/certificates/cohorts/{cohort.id}/certificates.zip")
    assert response.status_code == 302  # "being prepared": nothing rendered in the request
    assert storage.missing_pdfs(certs) == certs
    assert redis.llen(f"rq:queue:{jobs.QUEUE_NAME}") == 1

    env = {**os.environ, "LMS_REDIS_URL": REDIS_URL}
    for key in ("SQLALCHEMY_DATABASE_URI", "STORAGE_DIR", "SERVER_NAME", "COURSES_DIR", "SECRET_KEY"):
        env[f"LMS_{key}"] = str(app.config[key])
    worker = (f"from redis import Redis; from rq import Queue, SimpleWorker; r = Redis.from_url({REDIS_URL!r}); "
              f"SimpleWorker([Queue({jobs.QUEUE_NAME!r}, connection=r)], connection=r).work(burst=True)")
    subprocess.run([sys.executable, "-c", worker], cwd=ROOT, env=env, check=True, timeout=120)

    assert storage.missing_pdfs(certs) == []
    assert client.get(f"/certificates/cohorts/{cohort.id}/certificates.zip").status_code == 200
    clear_rq(redis)


@pytest.fixture
def app_config(tmp_path) -> dict:
    # A file database, so a worker in another process sees what the test wrote.
    return _test_config(tmp_path, SQLALCHEMY_DATABASE_URI=os.environ.get("LMS_TEST_DATABASE_URL")
                        or f"sqlite:///{tmp_path / 'lms.sqlite'}")

