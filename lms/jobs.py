"""Background jobs: one `jobs` row per piece of slow work (a report PDF, a certificate batch, a large import, the
reminders), run by an rq worker when LMS_REDIS_URL is set, else at once in the process that asked for it. The row
holds the status, the progress and the result file, so a page can show progress and then the file."""

from __future__ import annotations

import logging
import pkgutil
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from flask import Blueprint, abort, current_app, g, render_template, send_file, session
from flask_login import current_user, login_required
from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from lms.database import utcnow
from lms.extensions import db
from lms.files import write_atomically
from lms.tenancy import has_role, load_tenant, org_id

log = logging.getLogger(__name__)

# What an rq worker calls with the job's id. lms/worker.py makes the app there; named, not imported, because
# this plumbing sits below the packages and the worker module composes them.
WORKER_ENTRY = "lms.worker.run"
ACTIVE = ("queued", "running")
FINISHED = ("done", "failed")
FAILED_MESSAGE = "Something went wrong, so nothing was saved. Try again; if it fails again, tell your administrator."
STUCK_GRACE = timedelta(minutes=1)  # a running job past its timeout by this much has lost its worker


class Job(db.Model):
    """One piece of background work in an organisation (None: the platform's own, such as the reminders)."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_org_kind_subject", "organization_id", "kind", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Who may see the job and its file: the organisation's holders of this role, or (None) the requester only.
    role: Mapped[str | None] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(100), default="")  # e.g. "import-batch:12": one active job each
    title: Mapped[str] = mapped_column(String(200))
    handler: Mapped[str] = mapped_column(String(200))  # "module:function", called with a JobRun
    args: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued | running | done | failed
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")  # the step it is on; when done, what came of it
    error: Mapped[str | None] = mapped_column(Text)  # why it failed, in words for the person who asked
    file_path: Mapped[str | None] = mapped_column(String(500))  # relative to STORAGE_DIR
    file_name: Mapped[str | None] = mapped_column(String(300))
    file_type: Mapped[str | None] = mapped_column(String(100))
    back_url: Mapped[str] = mapped_column(String(500), default="")  # the page it was asked for on
    next_url: Mapped[str] = mapped_column(String(500), default="")  # where to go once it is done
    next_label: Mapped[str] = mapped_column(String(100), default="")
    timeout: Mapped[int] = mapped_column(Integer, default=600)  # seconds
    on_worker: Mapped[bool] = mapped_column(default=False)  # handed to rq (else run in the process that asked)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def percent(self) -> int:
        """Progress as a whole percentage (100 once done)."""
        if self.status == "done":
            return 100
        return min(100, 100 * self.done // self.total) if self.total else 0

    def is_stuck(self, now: datetime) -> bool:
        """True when it has run past its timeout: the worker running it was stopped or killed."""
        return (self.status == "running" and self.started_at is not None
                and now > self.started_at + timedelta(seconds=self.timeout) + STUCK_GRACE)


class JobFailed(Exception):
    """Raised by a job function to fail with a message for the person who asked (nothing it wrote is kept)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class JobRun:
    """What a job function is given: its job's id, organisation, requester and arguments; ways to report
    progress, to store its file, and to act once its work is committed."""

    id: int
    organization_id: int | None
    user_id: int | None
    args: dict
    file: tuple[str, str, str] | None = None  # (path under STORAGE_DIR, download name, media type)
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    def progress(self, done: int, total: int, message: str = "") -> None:
        """Record progress in a short transaction of its own, so the job's page shows it at once.

        Call it between steps, not while the job's own session holds writes: on SQLite that writer would block
        this one."""
        _update(self.id, done=done, total=total, message=message)

    def save_file(self, data: bytes, name: str, mimetype: str) -> Path:
        """Store the job's result under STORAGE_DIR/jobs/<organisation>/<job id>/ (atomically) and return its path;
        it can be downloaded once the job is done."""
        relative = f"jobs/{self.organization_id or 'platform'}/{self.id}/{_safe_name(name)}"
        path = write_atomically(_storage() / relative, data)
        self.file = (relative, name, mimetype)
        return path


@dataclass(frozen=True)
class Recurring:
    """Work the scheduler queues on a clock: `cron` (server local time) or every `interval` seconds."""

    kind: str
    handler: Callable[[JobRun], str | None]
    title: str
    cron: str | None = None
    interval: int | None = None
    timeout: int = 600


# --- recording and running --------------------------------------------------------------------------------


def enqueue(handler: Callable[[JobRun], str | None] | str, *, kind: str, title: str,
            organization_id: int | None, user_id: int | None = None, args: dict | None = None,
            role: str | None = None, subject: str = "", back_url: str = "", next_url: str = "",
            next_label: str = "", timeout: int = 600) -> Job:
    """Record a job and start it: on the rq queue (LMS_JOB_QUEUE) when LMS_REDIS_URL is set, else now, here.

    `handler(run)` does the work and may return a sentence saying what came of it. Commits the session first (the
    worker must see the row). With a `subject`, a job of that kind and subject that is still queued or running is
    returned instead of starting a second one. A Redis that cannot be reached is logged as a warning and the job
    runs here. Returns the job row (done or failed already when it ran here).
    """
    if subject and (existing := active(organization_id, kind, subject)) is not None:
        return existing
    job = record(handler, kind=kind, title=title, organization_id=organization_id, user_id=user_id, args=args,
                 role=role, subject=subject, back_url=back_url, next_url=next_url, next_label=next_label,
                 timeout=timeout)
    if current_app.config["REDIS_URL"] and _send_to_queue(job):
        return job
    return execute(job.id)


def record(handler: Callable[[JobRun], str | None] | str, *, kind: str, title: str, organization_id: int | None,
           user_id: int | None = None, args: dict | None = None, role: str | None = None, subject: str = "",
           back_url: str = "", next_url: str = "", next_label: str = "", timeout: int = 600) -> Job:
    """Add a queued job row for `handler` (a module-level function, or its "module:function" name) and commit."""
    job = Job(organization_id=organization_id, user_id=user_id, role=role, kind=kind, subject=subject,
              title=title[:200], handler=handler if isinstance(handler, str) else dotted_name(handler),
              args=args or {}, back_url=back_url, next_url=next_url, next_label=next_label, timeout=timeout)
    db.session.add(job)
    db.session.commit()
    return job


def dotted_name(function: Callable) -> str:
    """Return "module:function" for a module-level function; raises ValueError for anything a worker can't import."""
    name = f"{function.__module__}:{function.__qualname__}"
    if "<" in name:
        raise ValueError(f"{name} is not a module-level function: a worker could not import it")
    return name


def _send_to_queue(job: Job) -> bool:
    """Put the job on rq; return False (after a warning) when Redis cannot be reached."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    try:
        _queue().enqueue(WORKER_ENTRY, job.id, job_timeout=job.timeout, description=f"{job.kind} #{job.id}",
                         result_ttl=24 * 60 * 60)
    except (RedisConnectionError, RedisTimeoutError) as exc:
        log.warning("Could not queue job %s (%s) on Redis (%s): running it in-process", job.id, job.kind, exc)
        return False
    _update(job.id, on_worker=True)
    job.on_worker = True
    return True


def _queue():
    """The rq Queue this app enqueues on, on a Redis client kept per app (short timeouts: a page never hangs)."""
    from redis import Redis
    from rq import Queue

    app = current_app
    clients = app.extensions.setdefault("lms_jobs_redis", {})
    url = app.config["REDIS_URL"]
    if url not in clients:
        clients[url] = Redis.from_url(url, socket_connect_timeout=3, socket_timeout=10)
    return Queue(app.config["JOB_QUEUE"], connection=clients[url])


def execute(job_id: int) -> Job | None:
    """Run a queued job now, in this app context: claim it, call its function, record the outcome.

    The function's writes and the "done" status are committed together; on an exception both are rolled back and
    the job is marked failed (JobFailed's message, or a general one with the traceback logged). Returns the job
    row; a job already claimed (rq ran it twice, say) is returned as it is, a deleted one as None.
    """
    if not _update(job_id, _status="queued", status="running", started_at=utcnow()):
        return db.session.get(Job, job_id, populate_existing=True)
    job = db.session.get(Job, job_id, populate_existing=True)
    run = JobRun(job.id, job.organization_id, job.user_id, dict(job.args or {}))
    try:
        outcome = pkgutil.resolve_name(job.handler)(run)
    except JobFailed as exc:
        return _fail(run, exc.message)
    except Exception:
        log.exception("Job %s (%s) failed", job_id, job.kind)
        return _fail(run, FAILED_MESSAGE)
    job = db.session.get(Job, job_id, populate_existing=True)
    job.status, job.finished_at, job.message = "done", utcnow(), outcome or ""
    job.done = job.total
    if run.file is not None:
        job.file_path, job.file_name, job.file_type = run.file
    db.session.commit()
    for action in run.after_commit:
        action()
    return job


def _fail(run: JobRun, message: str) -> Job:
    db.session.rollback()
    if run.file is not None:
        (_storage() / run.file[0]).unlink(missing_ok=True)
    _update(run.id, status="failed", error=message, finished_at=utcnow())
    return db.session.get(Job, run.id, populate_existing=True)


def _update(job_id: int, _status: str | None = None, **values) -> int:
    """Update a job's row in a short transaction of its own (only while it has `_status`); returns rows changed."""
    statement = update(Job).where(Job.id == job_id).values(**values)
    if _status is not None:
        statement = statement.where(Job.status == _status)
    with Session(db.engine) as session, session.begin():
        return session.execute(statement).rowcount


def active(organization_id: int | None, kind: str, subject: str) -> Job | None:
    """Return the latest job of this kind and subject that is still queued or running (not stuck), or None."""
    owner = Job.organization_id.is_(None) if organization_id is None else Job.organization_id == organization_id
    job = db.session.scalar(select(Job).where(owner, Job.kind == kind, Job.subject == subject,
                                              Job.status.in_(ACTIVE)).order_by(Job.id.desc()).limit(1))
    return None if job is None or job.is_stuck(utcnow()) else job


@contextmanager
def as_requester(user, organization_id: int, path: str, query_string: str = "") -> Iterator[None]:
    """A request context for work someone asked for: signed in as `user` (or None) in that organisation, with
    their roles there loaded as for their own requests, so a page's code and templates run as they would for them.

    Raises JobFailed when the user can no longer sign in or is no longer a member of the organisation.
    """
    with current_app.test_request_context(path, query_string=query_string):
        if user is None or not user.is_active:
            raise JobFailed("The person who asked for this can no longer sign in.")
        # Flask-Login's own way to set current_user (login_user would also open a sign-in session we don't want).
        current_app.login_manager._update_request_context_with_user(user)
        session["org_id"] = organization_id
        load_tenant()
        if g.org is None or g.org.id != organization_id:
            raise JobFailed("The person who asked for this is no longer a member of the organisation.")
        yield


# --- files and clearing up ---------------------------------------------------------------------------------


def _storage() -> Path:
    return Path(current_app.config["STORAGE_DIR"])


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:120] or "file"


def result_file(job: Job) -> Path | None:
    """Return the finished job's stored file, or None (not done, no file, or purged)."""
    if job.status != "done" or not job.file_path:
        return None
    root = _storage().resolve()
    path = (root / job.file_path).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


def purge(before: datetime) -> int:
    """Delete the jobs that ended before `before`, or were queued before it and never ended (their worker is long
    gone), with their files; returns how many. Flushes."""
    rows = db.session.execute(select(Job.id, Job.organization_id).where(or_(
        and_(Job.status.in_(FINISHED), Job.finished_at < before),
        and_(Job.status.in_(ACTIVE), Job.created_at < before)))).all()
    for job_id, organization in rows:
        shutil.rmtree(_storage() / "jobs" / str(organization or "platform") / str(job_id), ignore_errors=True)
    if rows:
        db.session.execute(delete(Job).where(Job.id.in_([r.id for r in rows])))
    db.session.flush()
    return len(rows)


def purge_job(run: JobRun) -> str:
    """Job: delete finished jobs (and their files) older than LMS_JOB_KEEP_DAYS; returns what it did."""
    days = int(current_app.config["JOB_KEEP_DAYS"])
    return f"Deleted {purge(utcnow() - timedelta(days=days))} finished jobs older than {days} days."


# --- the pages -----------------------------------------------------------------------------------------------

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def visible_or_404(job_id: int) -> Job:
    """Return the job if the signed-in person may see it: in their current organisation, and theirs or (for a
    job shared with a role) held by someone with that role there. Anything else answers 404."""
    job = db.session.get(Job, job_id)
    if job is None or job.organization_id is None or job.organization_id != org_id():
        abort(404)
    if not (has_role(job.role) if job.role else job.user_id == current_user.id):
        abort(404)
    return job


@bp.get("/<int:job_id>")
@login_required
def show(job_id: int):
    """A job's progress (the page reloads itself until the job ends), then its file or what came of it."""
    return render_template("jobs/show.html", job=visible_or_404(job_id), now=utcnow())


@bp.get("/<int:job_id>/file")
@login_required
def download(job_id: int):
    """The finished job's file, for those who may see the job."""
    job = visible_or_404(job_id)
    path = result_file(job)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=job.file_type, as_attachment=True, download_name=job.file_name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
