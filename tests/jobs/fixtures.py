"""Fixtures for background jobs (a pytest plugin of tests/conftest.py, so the reports, certificates and import tests
use them too): a real Redis with a queue of the test's own, and an rq SimpleWorker run in the test process.

The Redis is LMS_TEST_REDIS_URL (default redis://127.0.0.1:6379/15). Without one the tests that need it are skipped,
unless LMS_REQUIRE_REDIS is set (CI), where they fail. Others use this Redis too: each test has its own queue name
and deletes only its own keys.
"""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connections are refused


@dataclass
class RedisQueue:
    """The test's queue on the real Redis: how many jobs wait, and a worker that runs them here."""

    url: str
    name: str
    connection: object

    def queue(self):
        from rq import Queue

        return Queue(self.name, connection=self.connection)

    def waiting(self) -> int:
        """How many jobs wait on the queue."""
        return self.queue().count

    def work(self) -> bool:
        """Run rq's SimpleWorker in burst mode in this process (jobs run in the test's app); True if it ran any."""
        from rq import SimpleWorker

        saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            worker = SimpleWorker([self.queue()], connection=self.connection, name=f"{self.name}-worker")
            return worker.work(burst=True)
        finally:
            for sig, handler in saved.items():  # rq installs its own; give pytest its handlers back
                signal.signal(sig, handler)

    def delete(self) -> None:
        """Delete this queue's keys: its jobs, their results, its registries and its workers' keys."""
        queue = self.queue()
        ids = set(queue.job_ids)
        for registry in (queue.finished_job_registry, queue.failed_job_registry, queue.started_job_registry,
                         queue.deferred_job_registry, queue.scheduled_job_registry, queue.canceled_job_registry):
            ids.update(registry.get_job_ids())
        keys = {key for job_id in ids for key in self.connection.scan_iter(f"rq:*{job_id}*")}
        keys.update(self.connection.scan_iter(f"rq:*{self.name}*"))
        if keys:
            self.connection.delete(*keys)
        self.connection.srem("rq:queues", f"rq:queue:{self.name}")
        cron_jobs = [m for m in self.connection.zrange("rq:cron_jobs", 0, -1) if self.name.encode() in m]
        if cron_jobs:  # recurring work registered under this queue's name
            self.connection.zrem("rq:cron_jobs", *cron_jobs)


def download_file(client, path: str):
    """GET a job's file: (response, its bytes), the file closed after as a WSGI server closes it after sending."""
    response = client.get(path)
    try:
        return response, response.get_data()
    finally:
        response.close()


def redis_or_skip(url: str = REDIS_URL):
    """Return a client of the test Redis; skip the test when it can't be reached (fail under LMS_REQUIRE_REDIS)."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    connection = Redis.from_url(url, socket_connect_timeout=3)
    try:
        connection.ping()
    except (RedisConnectionError, RedisTimeoutError) as exc:
        message = f"no Redis at {url} ({exc}): set LMS_TEST_REDIS_URL"
        if os.environ.get("LMS_REQUIRE_REDIS"):
            pytest.fail(message)
        pytest.skip(message)
    return connection


@contextmanager
def own_queue(app, prefix: str = "lms-test") -> Iterator[RedisQueue]:
    """Point `app`'s jobs at a queue of its own on the real Redis; delete the queue's keys after."""
    connection = redis_or_skip()
    rq = RedisQueue(REDIS_URL, f"{prefix}-{uuid.uuid4().hex[:12]}", connection)
    app.config.update(REDIS_URL=REDIS_URL, JOB_QUEUE=rq.name)
    try:
        yield rq
    finally:
        rq.delete()
        connection.close()


@pytest.fixture
def redis_queue(app):
    """Jobs go to a queue of this test's own on the real Redis (LMS_REDIS_URL and LMS_JOB_QUEUE set)."""
    with own_queue(app) as rq:
        yield rq
