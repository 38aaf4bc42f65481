"""The rq side of background jobs: the functions a worker runs (a recorded job by id; a recurring task), the loop
behind `flask lms worker`, and its scheduler process for the recurring work (rq's CronScheduler)."""

from __future__ import annotations

import atexit
import gc
import multiprocessing
from collections.abc import Sequence

from flask import Flask, current_app, has_app_context

from lms import create_app, jobs, pdf
from lms.certificates.rendering import STYLESHEET as CERTIFICATE_STYLESHEET
from lms.extensions import db
from lms.practice.exercises import exercise_registry
from lms.reports.views import PDF_STYLESHEET as REPORT_STYLESHEET

_app: Flask | None = None  # the worker's app, made before rq forks a work horse per job


def _worker_app() -> Flask:
    """The app a job runs in: the current one (a test, `flask lms worker`), else one made from the LMS_* environment
    once per process (a plain `rq worker lms` works too)."""
    global _app
    if has_app_context():
        return current_app._get_current_object()
    if _app is None:
        _app = create_app()
    return _app


def run(job_id: int) -> str:
    """rq job function: run recorded job `job_id` in an app context of its own; returns its final status."""
    with _worker_app().app_context():
        try:
            job = jobs.execute(job_id)
            return job.status if job is not None else "missing"
        finally:
            db.session.remove()


def run_task(handler: str, kind: str, title: str, timeout: int) -> str:
    """rq job function for recurring work: record a platform job for `handler` ("module:function") and run it here,
    unless one of that kind is still queued or running. Returns its final status, or "skipped"."""
    with _worker_app().app_context():
        try:
            if jobs.active(None, kind, kind) is not None:
                return "skipped"
            job = jobs.record(handler, kind=kind, title=title, organization_id=None, subject=kind, timeout=timeout)
            return jobs.execute(job.id).status
        finally:
            db.session.remove()


def work(app: Flask, queue_names: Sequence[str], *, burst: bool = False,
         schedule: Sequence[jobs.Recurring] = ()) -> bool:
    """Run an rq worker on these queues until it is stopped (with `burst`, until they are empty); each job runs in
    a work horse forked from this process. With a `schedule`, a child process queues the recurring tasks on time.
    Returns True when it ran any job."""
    from redis import Redis
    from rq import Queue, Worker

    global _app
    _app = app
    url = app.config["REDIS_URL"]
    connection = Redis.from_url(url)
    db.engine.dispose()  # no database connection of this process may be shared with a forked work horse
    prepare_work_horses(app)
    scheduler = None
    if schedule:
        scheduler = multiprocessing.get_context("fork").Process(
            target=_schedule, args=(url, queue_names[0], list(schedule)), name="lms-scheduler", daemon=True)
        scheduler.start()
    try:
        return Worker([Queue(name, connection=connection) for name in queue_names], connection=connection
                      ).work(burst=burst)
    finally:
        if scheduler is not None:
            scheduler.terminate()
            scheduler.join(10)


def prepare_work_horses(app: Flask) -> None:
    """Do once, in the worker, what each work horse forked from it would otherwise do again for every job: compile
    the app's templates, load the exercises (their checkers imported: 0.15 s, which the adoption report and the
    imports need), import WeasyPrint, load its fonts and parse the PDFs' stylesheets (lms.pdf.warm_up). Then
    freeze what the worker holds (gc.freeze): a horse's garbage collector never walks it, and the memory pages the
    horses share with it are not copied for the collector's sake.

    Measured with a fresh worker process for each of twelve rounds, with and without this: a 10,000-learner report
    PDF's job took 23-42% less (medians of the twelve: completion 3.5 s -> 2.8 s, capability 2.5 s -> 1.5 s, adoption
    3.6 s -> 2.4 s, on a machine in a slow phase); the worker takes 1.8-2.5 s longer to start, once.
    """
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
    with app.app_context():
        exercise_registry()
    pdf.warm_up((REPORT_STYLESHEET, CERTIFICATE_STYLESHEET))
    gc.freeze()
    atexit.unregister(_release_pdf_caches)
    atexit.register(_release_pdf_caches)


def _release_pdf_caches() -> None:
    """On the worker's way out: let its font configuration go, which removes its temporary folder of fonts, while the
    modules that needs are still there (left to the interpreter's shutdown, it failed to and said so). It sits in a
    reference cycle, so it goes with a collection of what is no longer frozen. A horse leaves by os._exit, without
    this: the folder is the worker's."""
    gc.unfreeze()
    pdf.release()
    gc.collect()


def register_schedule(scheduler, queue_name: str, schedule: Sequence[jobs.Recurring]) -> None:
    """Register each recurring task with an rq CronScheduler, as a `run_task` on `queue_name`."""
    for task in schedule:
        scheduler.register(run_task, queue_name, args=(jobs.dotted_name(task.handler), task.kind, task.title,
                                                       task.timeout),
                           cron=task.cron, interval=task.interval, job_timeout=task.timeout,
                           name=f"{queue_name}:{task.kind}")


def _schedule(url: str, queue_name: str, schedule: list[jobs.Recurring]) -> None:
    """The scheduler process: rq's CronScheduler queueing each recurring task on its clock, until terminated."""
    from redis import Redis
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=Redis.from_url(url))
    register_schedule(scheduler, queue_name, schedule)
    scheduler.start()
