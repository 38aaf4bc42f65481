"""How a session's dates and seats read: each time in the session's own time zone with the zone named
("Thu 14 Jan 2027, 09:30–16:30 GMT (London time)"), and the seats left in words. Pure: naive datetimes are UTC."""

from __future__ import annotations

from datetime import datetime

from lms.learning.deadlines import utc_to_local, zone


def place_time(zone_name: str) -> str:
    """Return "London time" for Europe/London, "New York time" for America/New_York; "" for a zone with no
    place in its name (UTC)."""
    if "/" not in zone_name:
        return ""
    return zone_name.rsplit("/", 1)[-1].replace("_", " ") + " time"


def zone_label(zone_name: str, at: datetime) -> str:
    """Return the zone as it reads at the UTC instant `at`: "GMT (London time)" in winter, "BST (London time)" in
    summer, "UTC+04 (Dubai time)" where the zone has no letters of its own."""
    abbreviation = utc_to_local(at, zone(zone_name)).tzname() or "UTC"
    if abbreviation[:1] in "+-":
        abbreviation = "UTC" + abbreviation
    place = place_time(zone_name)
    return f"{abbreviation} ({place})" if place else abbreviation


def day_text(at: datetime, zone_name: str) -> str:
    """Return the local date of the UTC instant `at`, e.g. "Thu 14 Jan 2027"."""
    return f"{utc_to_local(at, zone(zone_name)):%a %-d %b %Y}"


def moment_text(at: datetime, zone_name: str) -> str:
    """Return the UTC instant `at` on the session's clock with the zone named: "Tue 12 Jan 2027, 17:00 GMT
    (London time)"."""
    local = utc_to_local(at, zone(zone_name))
    return f"{local:%a %-d %b %Y}, {local:%H:%M} {zone_label(zone_name, at)}"


def part_text(start: datetime, end: datetime, zone_name: str) -> str:
    """Return one dated part: "Thu 14 Jan 2027, 09:30–16:30 GMT (London time)"; a part that runs past midnight
    names both days."""
    tz = zone(zone_name)
    first, last = utc_to_local(start, tz), utc_to_local(end, tz)
    if first.date() == last.date():
        span = f"{first:%a %-d %b %Y}, {first:%H:%M}–{last:%H:%M}"
    else:
        span = f"{first:%a %-d %b %Y}, {first:%H:%M} to {last:%a %-d %b %Y}, {last:%H:%M}"
    return f"{span} {zone_label(zone_name, start)}"


def seats_text(capacity: int, taken: int) -> str:
    """Return "3 seats left", "1 seat left", or "Full: join the waiting list"."""
    left = max(0, capacity - taken)
    if left == 0:
        return "Full: join the waiting list"
    return f"{left} seat{'' if left == 1 else 's'} left"


def days_text(count: int) -> str:
    """Return "1 day" or "3 days" (a session's parts)."""
    return f"{count} day{'' if count == 1 else 's'}"


def length_text(minutes: int) -> str:
    """Return a course's online time in words: "about 45 minutes", "about 2.5 hours" (to the half hour)."""
    if minutes < 90:
        return f"about {minutes} minutes"
    return f"about {round(minutes / 30) / 2:g} hours"
