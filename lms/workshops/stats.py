"""Workshop figures from grouped counts: each session's seats, waiting list and sign-in sheet, the provider's
summary (fill and no-show rates, promotions, moves), and the attendees' pre-work done. A fixed number of queries
whatever the number of sessions or people."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, true
from sqlalchemy.orm import aliased

from lms.database import utcnow
from lms.extensions import db
from lms.learning.models import ModuleProgress
from lms.workshops.models import Booking, WorkshopSession


@dataclass(frozen=True)
class SessionStats:
    """One session's figures. `confirmed` counts the seats held (including a no-show who has since moved to
    another date: they held this seat); `moved` counts those who moved away before being marked."""

    capacity: int
    confirmed: int = 0
    waiting: int = 0
    cancelled: int = 0
    moved: int = 0
    present: int = 0
    partial: int = 0
    absent: int = 0

    @property
    def marked(self) -> int:
        """How many on the sign-in sheet have a mark."""
        return self.present + self.partial + self.absent

    @property
    def unmarked(self) -> int:
        """How many seats on the sign-in sheet have no mark yet."""
        return max(0, self.confirmed - self.marked)

    @property
    def fill_rate(self) -> float | None:
        """Seats held as a percentage of capacity (None for a session without seats)."""
        return 100 * self.confirmed / self.capacity if self.capacity else None

    @property
    def no_show_rate(self) -> float | None:
        """Absent as a percentage of those marked; None until someone is marked."""
        return 100 * self.absent / self.marked if self.marked else None


def _counts(session_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """{session id: {"confirmed": n, "waiting": n, ..., "present": n, ...}} in one grouped query."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if not session_ids:
        return counts
    rows = db.session.execute(
        select(Booking.session_id, Booking.status, Booking.attendance, func.count(Booking.id))
        .where(Booking.session_id.in_(session_ids))
        .group_by(Booking.session_id, Booking.status, Booking.attendance))
    for session_id, status, attendance, n in rows:
        bucket = counts[session_id]
        if status == "confirmed" or (status == "moved" and attendance is not None):
            bucket["confirmed"] += n
            if attendance is not None:
                bucket[attendance] += n
        elif status == "waitlisted":
            bucket["waiting"] += n
        elif status == "cancelled":
            bucket["cancelled"] += n
        elif status == "moved":
            bucket["moved"] += n
    return counts


def session_stats(sessions: Iterable[WorkshopSession]) -> dict[int, SessionStats]:
    """{session id: SessionStats} for `sessions` (anything with `id` and `capacity`), in one grouped query."""
    sessions = list(sessions)
    counts = _counts([s.id for s in sessions])
    return {s.id: SessionStats(capacity=s.capacity, **counts.get(s.id, {})) for s in sessions}


@dataclass(frozen=True)
class ProviderSummary:
    """The provider's figures for a period: the sessions that started in it (cancelled sessions left out), and
    the promotions and moves made in it."""

    sessions_run: int
    average_fill_rate: float | None  # the mean of those sessions' fill rates, a percentage
    no_show_rate: float | None  # absent / marked over those sessions, a percentage
    marked: int
    absent: int
    promotions: int  # seats given from a waiting list
    moves: int  # bookings moved to another date (timed by the new booking)


def provider_summary(since: datetime | None, until: datetime | None = None, *, organization_id: int | None = None
                     ) -> ProviderSummary:
    """The summary of the period from `since` (None: the beginning) to `until` (default now), for every provider
    organisation or only `organization_id`'s, in three queries."""
    until = until or utcnow()
    since = since or datetime.min
    in_scope = (WorkshopSession.organization_id == organization_id) if organization_id is not None else true()
    run = db.session.execute(select(WorkshopSession.id, WorkshopSession.capacity).where(
        in_scope, WorkshopSession.is_cancelled.is_(False), WorkshopSession.starts_at >= since,
        WorkshopSession.starts_at < until)).all()
    stats = list(session_stats(run).values())
    fills = [s.fill_rate for s in stats if s.fill_rate is not None]
    marked, absent = sum(s.marked for s in stats), sum(s.absent for s in stats)
    in_session = select(WorkshopSession.id).where(in_scope)
    promotions = (select(func.count(Booking.id)).where(
        Booking.session_id.in_(in_session), Booking.promoted_at >= since, Booking.promoted_at < until)
        .scalar_subquery())
    new = aliased(Booking)
    moves = (select(func.count(Booking.id)).join(new, (new.session_id == Booking.moved_to_id)
                                                  & (new.user_id == Booking.user_id))
             .where(Booking.session_id.in_(in_session), Booking.status == "moved", new.created_at >= since,
                    new.created_at < until).scalar_subquery())
    promoted_count, moved_count = db.session.execute(select(promotions, moves)).one()
    return ProviderSummary(sessions_run=len(run), average_fill_rate=sum(fills) / len(fills) if fills else None,
                           no_show_rate=100 * absent / marked if marked else None, marked=marked, absent=absent,
                           promotions=promoted_count, moves=moved_count)


def prework_done(session: WorkshopSession, user_ids: Iterable[int], module_ids: Sequence[int]) -> dict[int, int]:
    """{user id: how many of `module_ids` (the session's pre-work) they have completed in the session's
    organisation}, in one grouped query; people with none done are left out."""
    user_ids = list(user_ids)
    if not user_ids or not module_ids:
        return {}
    rows = db.session.execute(
        select(ModuleProgress.user_id, func.count(ModuleProgress.id)).where(
            ModuleProgress.user_id.in_(user_ids), ModuleProgress.module_id.in_(module_ids),
            ModuleProgress.organization_id == session.organization_id, ModuleProgress.completed_at.is_not(None))
        .group_by(ModuleProgress.user_id))
    return dict(rows.all())
