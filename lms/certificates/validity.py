"""Pure certificate rules: expiry from the validity period, the state shown on /verify, hours and dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta

STATES = ("valid", "expired", "revoked", "replaced")
STATE_LABELS = {"valid": "Valid", "expired": "Expired", "revoked": "Revoked", "replaced": "Replaced"}


def expiry(issued_at: datetime, validity_months: int | None) -> datetime | None:
    """Return when a certificate issued at `issued_at` expires, or None when the course sets no validity.

    Months are calendar months (31 January + 1 month = 28 or 29 February). Raises nothing.
    """
    if not validity_months or validity_months <= 0:
        return None
    return issued_at + relativedelta(months=validity_months)


@dataclass(frozen=True)
class Status:
    state: str  # one of STATES
    since: datetime | None  # when it was revoked, replaced or expired; None while valid

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def is_valid(self) -> bool:
        return self.state == "valid"


def status(now: datetime, *, expires_at: datetime | None, revoked_at: datetime | None,
           replaced: bool) -> Status:
    """Return the state of a certificate at `now` (all naive UTC): replaced and revoked win over expired."""
    if revoked_at is not None:
        return Status("replaced" if replaced else "revoked", revoked_at)
    if expires_at is not None and expires_at <= now:
        return Status("expired", expires_at)
    return Status("valid", None)


def hours(minutes: int) -> str:
    """Return learning hours with one decimal place (95 minutes -> "1.6"), rounding halves up."""
    tenths = (max(minutes, 0) * 10 + 30) // 60
    return f"{tenths // 10}.{tenths % 10}"


def local_date(value: datetime, timezone: str | None) -> date:
    """Return the calendar date of a naive-UTC datetime in `timezone` (Europe/London when unknown)."""
    try:
        zone = ZoneInfo(timezone or "Europe/London")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("Europe/London")
    return value.replace(tzinfo=UTC).astimezone(zone).date()


def long_date(value: date) -> str:
    """Format a date the UK way: 5 March 2027."""
    return f"{value.day} {value:%B %Y}"


def iso8601(value: datetime) -> str:
    """Return a naive-UTC datetime as ISO 8601 with an explicit UTC offset (as Open Badges 2.0 requires)."""
    return value.replace(tzinfo=UTC, microsecond=0).isoformat()
