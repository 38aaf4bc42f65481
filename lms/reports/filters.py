"""The filters every report takes (period, cohort, function, status, sort, page) as one plain value.

Pure: the view builds `Filters` from the validated form; `reports.queries` turns it into SQL conditions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

CHART_DAYS = 365
MAX_PERIOD_DAYS = 5 * 366
FUNCTIONS = ("sales", "marketing", "other")
SORTS = ("name", "email", "cohort", "course", "status", "due", "progress", "last_activity")


@dataclass(frozen=True)
class Filters:
    """One request's filters. The period is inclusive of both dates; an open start means "since the beginning",
    except for activity charts, which show at most `CHART_DAYS` before the end."""

    org_id: int
    now: datetime  # naive UTC
    cohort_id: int | None = None
    start: date | None = None
    end: date | None = None
    function: str | None = None
    status: str | None = None  # not_started | in_progress | completed | overdue
    sort: str = "name"
    descending: bool = False
    page: int = 1
    per_page: int = 50
    weeks: int = 4  # practice use outside the academy: the weeks before and after each person's training

    @property
    def end_date(self) -> date:
        """The last day of the period (today when open)."""
        return self.end or self.now.date()

    @property
    def to_today(self) -> bool:
        """Whether the period runs to today: figures kept current as actions happen (a learner's latest action,
        last use of a tool, capability sums) answer it without per-week data."""
        return self.end_date >= self.now.date()

    @property
    def start_at(self) -> datetime | None:
        """The first moment of the period, or None when open."""
        return datetime.combine(self.start, time.min) if self.start else None

    @property
    def end_before(self) -> datetime:
        """The first moment after the period (exclusive bound)."""
        return datetime.combine(self.end_date + timedelta(days=1), time.min)

    @property
    def chart_start(self) -> date:
        """The first day activity charts show: the period's start, or CHART_DAYS before its end."""
        return self.start or (self.end_date - timedelta(days=CHART_DAYS - 1))

    @property
    def activity_start_at(self) -> datetime:
        """The first moment counted by activity figures (tool usage, active learners)."""
        return datetime.combine(self.chart_start, time.min)

    def with_page(self, page: int) -> Filters:
        return replace(self, page=max(1, page))

    def describe(self) -> str:
        """Return the period in words, e.g. "1 Jan 2026 to 31 Mar 2026" or "up to 31 Mar 2026"."""
        end = _day(self.end_date)
        return f"{_day(self.start)} to {end}" if self.start else f"up to {end}"


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def period_problem(start: date | None, end: date | None, today: date) -> str | None:
    """Return what is wrong with a period in words, or None when it is fine."""
    if start and end and start > end:
        return "The start date is after the end date: choose a start on or before the end."
    if start and end and (end - start).days > MAX_PERIOD_DAYS:
        return "Choose a period of at most five years."
    if start and start > today:
        return "The start date is in the future: choose a date up to today."
    return None
