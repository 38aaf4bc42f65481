"""Certificate batches as background jobs (lms/jobs.py): the missing PDFs of a cohort's certificates, rendered by
the worker when LMS_REDIS_URL is set, else at once; the job's page shows the progress, then the link to the ZIP."""

from __future__ import annotations

from collections.abc import Sequence

from flask import url_for

from lms import jobs
from lms.certificates.storage import render_missing
from lms.identity.models import Cohort, User


def render_job(run: jobs.JobRun) -> str:
    """Job: render the missing PDFs of the certificates in run.args["certificate_ids"] in one batch (its worker
    processes start once), recording progress as each PDF is written; returns how many it rendered. The job writes
    only files, so a batch stopped half-way keeps what it rendered and the next run skips those."""
    ids = [int(i) for i in run.args["certificate_ids"]]
    run.progress(0, len(ids), f"Rendering {len(ids)} certificate PDFs")
    rendered = render_missing(ids, on_progress=lambda done, total: run.progress(
        done, total, f"Rendered {done} of {total} certificate PDFs"))
    return f"{rendered} certificate {'PDF' if rendered == 1 else 'PDFs'} rendered."


def render_later(cohort: Cohort, certificate_ids: Sequence[int], user: User) -> jobs.Job | None:
    """Render the missing PDFs of a cohort's certificates (those in `certificate_ids`) before its ZIP is served.

    With a queue the batch is a job for the worker: returns it (its page shows the progress, then the ZIP). Without
    one, or when Redis can't be reached, they are rendered now and None is returned; a second request while a batch
    for the cohort is still waiting returns that batch.
    """
    ids = list(certificate_ids)
    if not ids:
        return None
    job = jobs.enqueue(render_job, kind="certificates", title=f"Certificates of {cohort.name}",
                       organization_id=cohort.organization_id, user_id=user.id, args={"certificate_ids": ids},
                       subject=f"cohort:{cohort.id}", timeout=300 + 2 * len(ids),
                       back_url=url_for("certificates.cohort", cohort_id=cohort.id),
                       next_url=url_for("certificates.cohort_zip", cohort_id=cohort.id), next_label="Download the ZIP")
    return job if job.status in jobs.ACTIVE else None
