"""Forwarding the outbox to an external LRS in batches, with exponential back-off. Flushes, never commits:
`flask lms xapi-forward` commits after each batch, so a delivered batch stays delivered."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from lms.extensions import db
from lms.tracking import lrs as lrs_client
from lms.tracking.models import OutboxEntry
from lms.tracking.statements import xapi_site, xapi_statements_by_id


def configured_lrs() -> lrs_client.LRS | None:
    """Return the LRS from the settings (LMS_LRS_ENDPOINT, _USERNAME, _PASSWORD, _TIMEOUT), or None if unset."""
    cfg = current_app.config
    if not cfg.get("LRS_ENDPOINT"):
        return None
    return lrs_client.LRS(cfg["LRS_ENDPOINT"], cfg.get("LRS_USERNAME", ""), cfg.get("LRS_PASSWORD", ""),
                          float(cfg.get("LRS_TIMEOUT", 10)))


@dataclass
class BatchOutcome:
    """What one batch did: statements delivered, statements put back to wait, and why the run should stop."""

    delivered: int = 0
    deferred: list[int] = field(default_factory=list)  # outbox ids that failed and wait for their next attempt
    error: str | None = None
    unreachable: bool = False  # the LRS is down or refusing us: stop this run and try again later
    empty: bool = False  # nothing was waiting


def _back_off(entries: list[OutboxEntry], now: datetime, error: str) -> None:
    cfg = current_app.config
    for entry in entries:
        entry.attempts += 1
        entry.last_error = error[:500]
        entry.next_attempt_at = now + lrs_client.retry_delay(entry.attempts, cfg["LRS_RETRY_SECONDS"],
                                                             cfg["LRS_RETRY_MAX_SECONDS"])


def _delivered(entries: list[OutboxEntry], now: datetime, note: str | None = None) -> None:
    for entry in entries:
        entry.attempts += 1
        entry.delivered_at = now
        entry.last_error = note


def _send(lrs: lrs_client.LRS, entries: list[OutboxEntry], docs: dict[str, dict]) -> None:
    lrs_client.post_statements(lrs, [docs[e.statement_id] for e in entries])


def forward_batch(lrs: lrs_client.LRS, now: datetime, *, batch_size: int, retry_now: bool = False,
                  skip: Collection[int] = ()) -> BatchOutcome:
    """Send the oldest waiting statements (up to `batch_size`) to the LRS and mark them delivered.

    Entries still backing off are left alone unless `retry_now`; ids in `skip` (already failed in this run)
    always are. When the LRS is unreachable or answers with a server error, the whole batch backs off (its
    next attempt doubles each time) and the outcome says to stop. When it rejects the batch's content (400 or
    409), the statements are sent one by one so that one bad statement can't hold up the rest; a 409 means
    the LRS already holds a statement with that id, so it counts as delivered. Rows are locked with SKIP
    LOCKED on PostgreSQL, so two forwarders never send the same row at once. Raises nothing for LRS faults.
    """
    conditions = [OutboxEntry.delivered_at.is_(None)]
    if not retry_now:
        conditions.append(OutboxEntry.next_attempt_at <= now)
    if skip:
        conditions.append(OutboxEntry.id.not_in(list(skip)))
    entries = list(db.session.scalars(select(OutboxEntry).where(*conditions).order_by(OutboxEntry.id)
                                      .limit(batch_size).with_for_update(skip_locked=True)))
    if not entries:
        return BatchOutcome(empty=True)
    docs = xapi_statements_by_id([e.statement_id for e in entries], xapi_site())
    try:
        _send(lrs, entries, docs)
    except lrs_client.LRSError as exc:
        if exc.rejected and len(entries) > 1:
            return _one_by_one(lrs, entries, docs, now)
        if exc.status == 409:
            _delivered(entries, now, f"409: the LRS already holds a statement with this id ({exc})")
            db.session.flush()
            return BatchOutcome(delivered=len(entries))
        _back_off(entries, now, str(exc))
        db.session.flush()
        return BatchOutcome(deferred=[e.id for e in entries], error=str(exc), unreachable=not exc.rejected)
    _delivered(entries, now)
    db.session.flush()
    return BatchOutcome(delivered=len(entries))


def _one_by_one(lrs: lrs_client.LRS, entries: list[OutboxEntry], docs: dict[str, dict],
                now: datetime) -> BatchOutcome:
    outcome = BatchOutcome()
    for i, entry in enumerate(entries):
        try:
            _send(lrs, [entry], docs)
        except lrs_client.LRSError as exc:
            if exc.status == 409:
                _delivered([entry], now, f"409: the LRS already holds a statement with this id ({exc})")
                outcome.delivered += 1
                continue
            if exc.rejected:
                _back_off([entry], now, str(exc))
                outcome.deferred.append(entry.id)
                outcome.error = str(exc)
                continue
            rest = entries[i:]
            _back_off(rest, now, str(exc))
            outcome.deferred += [e.id for e in rest]
            outcome.error, outcome.unreachable = str(exc), True
            break
        _delivered([entry], now)
        outcome.delivered += 1
    db.session.flush()
    return outcome


@dataclass(frozen=True)
class OutboxState:
    waiting: int
    next_attempt_at: datetime | None


def outbox_state() -> OutboxState:
    """Return how many statements wait to be delivered and when the next one is due to be tried."""
    waiting, next_at = db.session.execute(select(func.count(OutboxEntry.id), func.min(OutboxEntry.next_attempt_at))
                                          .where(OutboxEntry.delivered_at.is_(None))).one()
    return OutboxState(waiting, next_at)


def purge_delivered(now: datetime, keep_days: int = 30) -> int:
    """Delete outbox rows delivered more than `keep_days` ago (the statements themselves stay); return how many."""
    result = db.session.execute(delete(OutboxEntry).where(OutboxEntry.delivered_at < now - timedelta(days=keep_days)))
    return result.rowcount or 0
