"""Number formats for report pages, PDFs and CSVs (UK style): counts, percentages, money, days ago."""

from __future__ import annotations

from datetime import datetime

SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


def num(value: float | int | None, places: int = 0) -> str:
    """Return 1,234 (or "–" for None)."""
    if value is None:
        return "–"
    return f"{value:,.{places}f}"


def pct(value: float | None, places: int = 0) -> str:
    """Return 42% (or "–" for None)."""
    return "–" if value is None else f"{value:,.{places}f}%"


def money(value: float | None, currency: str = "GBP", places: int = 0) -> str:
    """Return £12,500 / -£3,000 (or "–" for None)."""
    if value is None:
        return "–"
    sign = "-" if value < 0 else ""
    return f"{sign}{SYMBOLS.get(currency, currency + ' ')}{abs(value):,.{places}f}"


def days_ago(value: datetime | None, now: datetime) -> str:
    """Return "today", "1 day ago", "12 days ago" or "never"."""
    if value is None:
        return "never"
    days = (now - value).days
    if days <= 0:
        return "today"
    return f"{days} day{'s' if days != 1 else ''} ago"


def signed(value: float | None, places: int = 0) -> str:
    """Return +12 / -3 / 0 (or "–")."""
    if value is None:
        return "–"
    return f"{value:+,.{places}f}" if round(value, places) else f"{0:.{places}f}"
