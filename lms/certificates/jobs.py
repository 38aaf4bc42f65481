"""Background rendering of certificate PDFs: queued with rq on Redis when LMS_REDIS_URL is set and rq is
installed (an optional dependency), else run in-process. The job function works either way."""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app, has_app_context

QUEUE_NAME = "lms"


def queue():
    """Return the rq Queue when LMS_REDIS_URL is set and rq is installed, else None (run in-process)."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    try:
        from redis import Redis
        from rq import Queue
    except ImportError:
        current_app.logger.warning("LMS_REDIS_URL is set but rq is not installed: rendering in-process")
        return None
    return Queue(QUEUE_NAME, connection=Redis.from_url(url))


def render_certificates(certificate_ids: Sequence[int]) -> int:
    """Job: render and store the missing PDFs of these certificates; returns how many were rendered.

    Inside an app context (a request, a CLI command, a test) it uses that app; in an rq worker it creates the
    app from the environment (the same LMS_* settings as the web processes) and commits nothing, as it writes
    only files.
    """
    from lms.certificates.storage import render_missing

    if has_app_context():
        return render_missing(list(certificate_ids))
    from lms import create_app
    from lms.extensions import db

    app = create_app()
    with app.app_context():
        try:
            return render_missing(list(certificate_ids))
        finally:
            db.session.remove()


def render_later(certificate_ids: Sequence[int]) -> bool:
    """Queue the rendering of these certificates' PDFs if a queue is configured (returns True), else render
    them now (returns False). A Redis that can't be reached falls back to rendering now."""
    ids = list(certificate_ids)
    if not ids:
        return False
    q = queue()
    if q is not None:
        try:
            q.enqueue(render_certificates, ids, job_timeout=max(60, 2 * len(ids)),
                      description=f"Render {len(ids)} certificate PDFs")
            return True
        except Exception as exc:  # redis.exceptions.ConnectionError and kin: keep working without the queue
            current_app.logger.warning("Could not queue certificate rendering (%s): rendering in-process", exc)
    render_certificates(ids)
    return False
