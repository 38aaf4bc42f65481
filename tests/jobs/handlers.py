"""Job functions for the job tests: module-level, so an rq worker imports them by name as it does the app's."""

from __future__ import annotations

from sqlalchemy.orm import Session

from lms import jobs
from lms.extensions import db
from tests.factories import make_org

# What each run saw of its own row after each progress call (read in another session, as the job's page would).
SEEN: list[tuple[int, int, str]] = []
CALLS: list[int] = []


def seen_progress(job_id: int) -> tuple[int, int, str]:
    with Session(db.engine) as session:
        row = session.get(jobs.Job, job_id)
        return row.done, row.total, row.message


def three_steps(run: jobs.JobRun) -> str:
    """Three steps with progress, then a text file named after the argument."""
    CALLS.append(run.id)
    for step in range(3):
        run.progress(step, 3, f"Step {step + 1} of 3")
        SEEN.append(seen_progress(run.id))
    run.save_file(f"Hello {run.args['name']}".encode(), f"hello {run.args['name']}.txt", "text/plain")
    return f"Said hello to {run.args['name']}."


def writes_then_refuses(run: jobs.JobRun) -> str:
    """Writes a row and a file, then fails with a message for the person who asked."""
    make_org("Should not be kept", slug="not-kept")
    run.save_file(b"half", "half.txt", "text/plain")
    raise jobs.JobFailed("The file has errors: fix them and try again.")


def breaks(run: jobs.JobRun) -> str:
    """Writes a row, then fails unexpectedly."""
    make_org("Should not be kept either", slug="not-kept-either")
    raise RuntimeError("disk on fire")
