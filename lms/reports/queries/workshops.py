"""The provider's workshop sessions report: each session's seats, waiting list and sign-in sheet with its fill and
no-show rates, and the period's summary. A fixed number of queries whatever the number of sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from lms.extensions import db
from lms.workshops.models import DELIVERY_LABELS, WorkshopSession
from lms.workshops.stats import ProviderSummary, SessionStats, provider_summary, session_stats


@dataclass(frozen=True)
class WorkshopRow:
    """One session in the report."""

    session_id: int
    starts_at: datetime  # UTC
    timezone: str
    course: str
    title: str
    delivery: str  # as people read it: "Virtual", "In person"
    stats: SessionStats


@dataclass(frozen=True)
class WorkshopReport:
    """The sessions that start in the period (and, for a period running to today, those still to come), and the
    summary of the sessions run in it."""

    rows: list[WorkshopRow]
    summary: ProviderSummary
    includes_upcoming: bool


def workshop_report(organization_id: int | None, since: datetime | None, until: datetime | None,
                    now: datetime) -> WorkshopReport:
    """The report for one provider organisation (every one's when `organization_id` is None: a platform admin) from
    `since` (None: the beginning) to `until` (None: today, upcoming sessions included); six queries. Cancelled
    sessions are left out."""
    query = (select(WorkshopSession).where(WorkshopSession.is_cancelled.is_(False))
             .order_by(WorkshopSession.starts_at, WorkshopSession.id))
    if organization_id is not None:
        query = query.where(WorkshopSession.organization_id == organization_id)
    if since is not None:
        query = query.where(WorkshopSession.starts_at >= since)
    if until is not None:
        query = query.where(WorkshopSession.starts_at < until)
    sessions = list(db.session.scalars(query))
    figures = session_stats(sessions)
    rows = [WorkshopRow(session_id=s.id, starts_at=s.starts_at, timezone=s.timezone, course=s.course.title,
                        title=s.title, delivery=DELIVERY_LABELS[s.delivery], stats=figures[s.id]) for s in sessions]
    summary = provider_summary(since, min(until, now) if until else now, organization_id=organization_id)
    return WorkshopReport(rows=rows, summary=summary, includes_upcoming=until is None)
