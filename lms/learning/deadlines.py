"""Due dates across time zones: a manager's local date and time to stored UTC and back, which enrolments need a
reminder, and the day a reminder belongs to. Pure: naive datetimes are UTC, zones are ZoneInfo objects."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DUE_SOON = "due_soon"
OVERDUE = "overdue"


def zone(name: str | None, fallback: str = "Europe/London") -> tzinfo:
    """Return the time zone called `name`, or `fallback` when it is empty or unknown."""
    for candidate in (name, fallback, "Europe/London"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return UTC


def local_to_utc(day: date, at: time, tz: tzinfo) -> datetime:
    """Return the naive-UTC instant of `day` at `at` on the wall clock of `tz`.

    A wall time skipped by a daylight-saving change (01:30 when clocks jump from 01:00 to 02:00) means the
    instant an hour later; an ambiguous one (clocks going back) means its first occurrence.
    """
    local = datetime.combine(day, at).replace(tzinfo=tz, fold=0)
    return local.astimezone(UTC).replace(tzinfo=None)


def utc_to_local(value: datetime, tz: tzinfo) -> datetime:
    """Return a stored naive-UTC datetime as an aware datetime on the wall clock of `tz`."""
    return value.replace(tzinfo=UTC).astimezone(tz)


def local_day(now: datetime, tz: tzinfo) -> date:
    """Return the date it is in `tz` at the naive-UTC instant `now`."""
    return utc_to_local(now, tz).date()


def format_local(value: datetime, tz: tzinfo) -> str:
    """Format a stored UTC datetime as UK-style local date and time, e.g. "9 Mar 2027, 19:30"."""
    return utc_to_local(value, tz).strftime("%-d %b %Y, %H:%M")


def due_problem(day: date | None, at: time | None, tz: tzinfo, now: datetime) -> str | None:
    """Return why a due date typed in `tz` can't be used (missing, or not in the future), or None if it can."""
    if day is None or at is None:
        return "Enter the date and time it is due."
    if local_to_utc(day, at, tz) <= now:
        return "The due date has passed: choose a date and time in the future."
    return None


def reminder_reason(due_at: datetime | None, completed_at: datetime | None, now: datetime,
                    soon_days: int = 3) -> str | None:
    """Return OVERDUE, DUE_SOON (due within `soon_days`) or None for an enrolment (all naive UTC).

    Whether it is overdue compares instants, not dates: a course due at 00:30 UTC is overdue at 00:45 UTC for
    a learner in New York (where it is still the evening before) and in Tokyo alike.
    """
    if completed_at is not None or due_at is None:
        return None
    if due_at <= now:
        return OVERDUE
    if due_at - now <= timedelta(days=soon_days):
        return DUE_SOON
    return None


def digest_due(last_sent: date | None, today: date, every_days: int = 7) -> bool:
    """Return True when a periodic digest last sent on `last_sent` (a local date) is due again `today`."""
    return last_sent is None or (today - last_sent).days >= every_days
