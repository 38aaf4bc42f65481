"""The `flask lms …` command group: demo data and, per package, their own sub-commands."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import make_url

from lms import database, jobs
from lms.extensions import db


@click.group("lms")
def lms_group() -> None:
    """ABM Academy commands."""


@lms_group.command("demo")
@click.option("--password", default="abm-demo-2026", show_default=True, help="Password for every demo user.")
@with_appcontext
def demo(password: str) -> None:
    """Create the demo organisations, cohorts and users (idempotent) and print their logins."""
    from lms.demo import load_demo

    logins = load_demo(password)
    db.session.commit()
    click.echo(f"Demo logins (password for all: {password}):")
    for role, email in logins:
        click.echo(f"  {role:<16} {email}")


@lms_group.group("content")
def content_group() -> None:
    """Check and load course and exercise content."""


def _content_problems(stale: bool) -> list:
    from pathlib import Path

    from flask import current_app

    from lms.content.loader import check_assessments, check_tree, load_catalogue
    from lms.practice.registry import check_exercises, scan

    courses_root = Path(current_app.config["COURSES_DIR"])
    exercises_root = Path(current_app.config["EXERCISES_DIR"])
    exercises, _ = scan(exercises_root)
    problems = check_tree(courses_root, exercise_slugs=set(exercises), stale=stale)
    try:
        catalogue = load_catalogue(courses_root)
    except Exception:  # noqa: BLE001 - the faults are already in `problems`
        refs, competencies = None, None
    else:
        refs = {f"{c.slug}/{m.slug}" for c in catalogue.courses for m in c.modules}
        competencies = {c.slug for c in catalogue.competencies}
    if refs is not None:
        problems += check_exercises(exercises_root, refs, competencies)
    else:
        problems += scan(exercises_root)[1]
    problems += check_assessments(courses_root, competencies)
    return problems


@content_group.command("check")
@click.option("--stale", is_flag=True, help="Also fail when a module's review is overdue.")
@with_appcontext
def content_check(stale: bool) -> None:
    """Validate courses/ and exercises/; print `path:line: problem` for each fault and exit 1 if any."""
    problems = _content_problems(stale)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        raise SystemExit(1)
    click.echo("Content OK.")


@content_group.command("sync")
@with_appcontext
def content_sync() -> None:
    """Load courses/ into the database (idempotent); removed modules are archived, progress kept."""
    from pathlib import Path

    from flask import current_app

    from lms.content.loader import ContentError
    from lms.content.sync import sync_content
    from lms.practice.exercises import exercise_registry

    try:
        report = sync_content(Path(current_app.config["COURSES_DIR"]), exercise_registry())
    except ContentError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(f"Content synced: {report}.")


def _now_option(value: str | None):
    """Parse --now (ISO 8601; UTC when no offset) to naive UTC, or return the current time."""
    from lms.database import utcnow
    from lms.tracking.xapi import parse_timestamp

    if not value:
        return utcnow()
    try:
        return parse_timestamp(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--now") from None


@lms_group.command("remind")
@click.option("--now", "now_text", help="Act as if it were this time (ISO 8601, UTC if no offset); for tests.")
@click.option("--dry-run", is_flag=True, help="List who would get which reminder; send nothing.")
@with_appcontext
def remind(now_text: str | None, dry_run: bool) -> None:
    """Email reminders (run daily from cron): assignments due soon or overdue, managers' weekly digest of overdue
    learners, coaches' submissions awaiting review, and booked workshop sessions a week and a day ahead. Never the
    same reminder twice; opt-outs of course reminders respected (a booked session's reminder is a service message)."""
    from lms.urls import SiteURLMissing

    now = _now_option(now_text)
    try:
        failed = send_reminders(now, dry_run, click.echo)
    except SiteURLMissing as exc:
        raise click.ClickException(str(exc)) from None
    if failed:
        raise SystemExit(1)


def send_reminders(now, dry_run: bool, echo: Callable[..., None]) -> int:
    """Send the reminders due at `now` (course, coach and workshop ones), each once, telling `echo` what happened;
    returns how many could not be sent. Raises lms.urls.SiteURLMissing when links can't be built."""
    from datetime import timedelta

    from sqlalchemy.exc import IntegrityError

    from lms.learning import reminders
    from lms.practice.reviews import awaiting_review_for_coach
    from lms.workshops import reminders as workshop_reminders

    due = reminders.due_reminders(now, awaiting_review=awaiting_review_for_coach)
    due_sessions = workshop_reminders.due_session_reminders(now)

    def claim_course_reminder(reminder) -> bool:
        try:
            reminders.claim(reminder)
        except IntegrityError:  # another run claimed it a moment ago
            db.session.rollback()
            return False
        return True

    failed = _deliver("Reminders", due, claim_course_reminder, reminders.send, reminders.unclaim, dry_run, echo)
    if not dry_run:
        reminders.forget_sent((now - timedelta(days=60)).date())
        db.session.commit()
    failed += _deliver("Workshop reminders", due_sessions, workshop_reminders.claim, workshop_reminders.send,
                       workshop_reminders.unclaim, dry_run, echo)
    return failed


def _deliver(label: str, due: list, claim, send, unclaim, dry_run: bool, echo: Callable[..., None]) -> int:
    """Send each reminder once: claimed and committed before sending (so neither a parallel run nor a crash after
    sending can send it again), the claim given back when the send fails. `claim` returns False when another run
    has it. Echoes one summary line; returns how many failed."""
    import smtplib

    sent = skipped = failed = 0
    for reminder in due:
        if dry_run:
            echo(f"  would send {reminder.reason} to {reminder.email}: {reminder.subject}")
            continue
        claimed = claim(reminder)
        db.session.commit()
        if not claimed:
            skipped += 1
            continue
        try:
            send(reminder)
        except (smtplib.SMTPException, OSError) as exc:
            unclaim(reminder)
            db.session.commit()
            echo(f"  could not send {reminder.reason} to {reminder.email}: {exc}", err=True)
            failed += 1
            continue
        sent += 1
    echo(f"{label}: {sent} sent, {skipped} already sent, {failed} failed"
         f"{f', {len(due)} due (dry run)' if dry_run else ''}.")
    return failed


@lms_group.command("xapi-forward")
@click.option("--batch-size", type=click.IntRange(1, 500), help="Statements per request (default LMS_LRS_BATCH_SIZE).")
@click.option("--retry-now", is_flag=True, help="Ignore the back-off and retry waiting statements now.")
@click.option("--every", type=click.FloatRange(min=1), help="Keep running as a worker, checking every N seconds.")
@with_appcontext
def xapi_forward(batch_size: int | None, retry_now: bool, every: float | None) -> None:
    """Send queued statements to the external LRS (LMS_LRS_ENDPOINT) in batches, from cron or as a worker.

    A failed batch waits with exponential back-off and nothing is lost; a delivered batch is never sent again.
    Exits 1 when the LRS could not be reached.
    """
    import time

    from flask import current_app

    from lms.tracking import jobs as tracking_jobs
    from lms.urls import SiteURLMissing

    lrs = tracking_jobs.configured_lrs()
    if lrs is None:
        raise click.ClickException("LMS_LRS_ENDPOINT is not set: there is no LRS to forward statements to.")
    size = batch_size or int(current_app.config["LRS_BATCH_SIZE"])
    while True:
        try:
            summary, failed = forward_statements(lrs, size, retry_now)
        except SiteURLMissing as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(summary)
        if every is None:
            break
        retry_now = False
        time.sleep(every)
    if failed:
        raise SystemExit(1)


def forward_statements(lrs, size: int, retry_now: bool = False) -> tuple[str, bool]:
    """Send every statement waiting for the LRS, a batch at a time (each committed: a delivered batch stays
    delivered whatever happens next), then purge the delivered ones. Returns (a summary line, whether a batch failed
    with an error). Raises lms.urls.SiteURLMissing when activity IRIs can't be built."""
    from lms.database import utcnow
    from lms.tracking import jobs as tracking_jobs

    delivered, failed, error, skip = 0, 0, None, set()
    while True:
        outcome = tracking_jobs.forward_batch(lrs, utcnow(), batch_size=size, retry_now=retry_now, skip=skip)
        db.session.commit()
        delivered += outcome.delivered
        skip.update(outcome.deferred)
        failed += len(outcome.deferred)
        error = outcome.error or error
        if outcome.empty or outcome.unreachable:
            break
    tracking_jobs.purge_delivered(utcnow())
    db.session.commit()
    state = tracking_jobs.outbox_state()
    when = f", next attempt {state.next_attempt_at:%Y-%m-%d %H:%M} UTC" if state.waiting else ""
    summary = (f"Forwarded {delivered} statement(s); {state.waiting} waiting{when}."
               + (f" Last error: {error}" if error else ""))
    return summary, bool(failed and error)


@lms_group.command("rollup")
@click.option("--rebuild", is_flag=True, help="Empty the roll-up and count every statement again.")
@with_appcontext
def rollup(rebuild: bool) -> None:
    """Update the weekly activity roll-up behind the reports' active-learner charts (idempotent, incremental)."""
    from lms.reports.rollup import refresh_activity

    run = refresh_activity(rebuild=rebuild)
    db.session.commit()
    click.echo(f"Rolled up {run.statements} statements up to {run.processed_to:%Y-%m-%d %H:%M:%S} UTC "
               f"in {run.seconds:.2f} s.")


@lms_group.command("generate")
@click.option("--learners", default=10_000, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--statements", default=1_000_000, show_default=True, type=click.IntRange(0, 100_000_000))
@click.option("--org-slug", default="bench", show_default=True, help="Slug of the organisation to create.")
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--password", default="abm-demo-2026", show_default=True, help="Password of the manager and learners.")
@with_appcontext
def generate(learners: int, statements: int, org_slug: str, seed: int, password: str) -> None:
    """Create a large synthetic organisation (bulk inserts) so reports can be tried at scale."""
    from lms.identity.passwords import hash_password
    from lms.reports.generate import generate as generate_data

    try:
        made = generate_data(org_slug, learners, statements, seed, password_hash=hash_password(password))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Generated {made.organization.name}: {made.learners} learners, {made.statements} statements in "
               f"{made.seconds:.1f} s. Sign in as {made.manager_email} (password: {password}).")
    click.echo(database.refresh_statistics())


# --- background jobs ---------------------------------------------------------------------------------------


def remind_job(run: jobs.JobRun) -> str:
    """Job: send the reminders due now, as `flask lms remind` does; returns what it did. Raises JobFailed when links
    can't be built or some could not be sent (they are tried again next time)."""
    from lms.database import utcnow
    from lms.urls import SiteURLMissing

    lines: list[str] = []
    try:
        failed = send_reminders(utcnow(), False, lambda line, err=False: lines.append(line))
    except SiteURLMissing as exc:
        raise jobs.JobFailed(str(exc)) from None
    if failed:
        raise jobs.JobFailed("\n".join(lines))
    return "\n".join(lines)


def forward_job(run: jobs.JobRun) -> str:
    """Job: send the statements waiting for the external LRS, as `flask lms xapi-forward` does; returns the summary.
    Raises JobFailed when the LRS is not configured or could not be reached (nothing is lost: they wait)."""
    from lms.tracking import jobs as tracking_jobs
    from lms.urls import SiteURLMissing

    lrs = tracking_jobs.configured_lrs()
    if lrs is None:
        raise jobs.JobFailed("LMS_LRS_ENDPOINT is not set: there is no LRS to forward statements to.")
    try:
        summary, failed = forward_statements(lrs, int(current_app.config["LRS_BATCH_SIZE"]))
    except SiteURLMissing as exc:
        raise jobs.JobFailed(str(exc)) from None
    if failed:
        raise jobs.JobFailed(summary)
    return summary


def statistics_job(run: jobs.JobRun) -> str:
    """Job: refresh the database's query statistics (SQLite; PostgreSQL keeps its own); returns what it did."""
    return database.refresh_statistics()


def recurring_tasks(config) -> dict[str, jobs.Recurring]:
    """The recurring work by name: reminders daily (LMS_REMINDER_CRON), statements to the LRS every
    LMS_LRS_FORWARD_SECONDS, finished jobs and their files deleted nightly, SQLite's query statistics refreshed
    nightly."""
    tasks = [jobs.Recurring("remind", remind_job, "Reminders", cron=config["REMINDER_CRON"], timeout=30 * 60),
             jobs.Recurring("xapi-forward", forward_job, "Forward statements to the LRS",
                            interval=int(config["LRS_FORWARD_SECONDS"]), timeout=10 * 60),
             jobs.Recurring("purge-jobs", jobs.purge_job, "Delete old job files", cron="30 3 * * *"),
             jobs.Recurring("statistics", statistics_job, "Refresh the database's query statistics",
                            cron="45 3 * * *")]
    return {task.kind: task for task in tasks}


def worker_schedule(config) -> list[jobs.Recurring]:
    """What `worker --with-scheduler` queues: the recurring work, forwarding only when an LRS is configured and
    statistics only on SQLite."""
    sqlite = make_url(config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "sqlite"
    return [task for kind, task in recurring_tasks(config).items()
            if (kind != "xapi-forward" or config["LRS_ENDPOINT"]) and (kind != "statistics" or sqlite)]


@lms_group.command("worker")
@click.option("--queue", "queues", multiple=True, help="A queue to work on (default LMS_JOB_QUEUE); repeatable.")
@click.option("--burst", is_flag=True, help="Stop once the queues are empty.")
@click.option("--with-scheduler", is_flag=True,
              help="Also queue the recurring work on time: reminders daily, statements to the LRS every minute, old "
                   "job files deleted nightly. Give it to one worker only.")
@with_appcontext
def worker(queues: tuple[str, ...], burst: bool, with_scheduler: bool) -> None:
    """Run the background-job worker on Redis (LMS_REDIS_URL): report PDFs, certificate batches, large imports,
    and with --with-scheduler the recurring work. Without LMS_REDIS_URL there is no queue: jobs run in the process
    that asks for them."""
    from lms import worker as rq_worker

    app = current_app._get_current_object()
    if not app.config["REDIS_URL"]:
        raise click.ClickException("LMS_REDIS_URL is not set: jobs run in the web process, there is no queue to "
                                   "work on.")
    schedule = worker_schedule(app.config) if with_scheduler else []
    rq_worker.work(app, list(queues) or [app.config["JOB_QUEUE"]], burst=burst, schedule=schedule)


@lms_group.command("enqueue")
@click.argument("task", type=click.Choice(["remind", "xapi-forward", "purge-jobs", "statistics"]))
@with_appcontext
def enqueue(task: str) -> None:
    """Queue one piece of recurring work now, for cron without `worker --with-scheduler` (e.g. `0 7 * * *
    flask lms enqueue remind`). Without LMS_REDIS_URL it runs here and then; exits 1 when it failed."""
    found = recurring_tasks(current_app.config)[task]
    job = jobs.enqueue(found.handler, kind=found.kind, title=found.title, organization_id=None, subject=found.kind,
                       timeout=found.timeout)
    click.echo(f"Job {job.id} ({found.title}): {job.status}.")
    if job.status in jobs.FINISHED and (job.message or job.error):
        click.echo(job.error or job.message)
    if job.status == "failed":
        raise SystemExit(1)
