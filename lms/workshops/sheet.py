"""The sign-in sheet as the coach's page and its CSV show it: each person on the session's roster with their
email, organisation, job function, pre-work done, and their mark (who marked it, when). A fixed number of queries
whatever the number of people; the CSV is safe to open in a spreadsheet (formula injection guarded)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from lms.accounts.exporting import safe_cell
from lms.extensions import db
from lms.identity.models import FUNCTION_LABELS, User
from lms.learning.deadlines import utc_to_local, zone
from lms.workshops import services
from lms.workshops.models import ATTENDANCE_LABELS, Booking, WorkshopSession
from lms.workshops.stats import prework_done


@dataclass(frozen=True)
class SheetRow:
    """One person on the sign-in sheet."""

    booking: Booking
    name: str
    email: str
    organisation: str  # the client organisations they belong to, if any (not the provider's own)
    job_function: str
    booked_at: datetime  # UTC
    attendance: str | None  # present | partial | absent, or None while unmarked
    marked_at: datetime | None  # UTC
    marked_by: str
    prework_done: int


@dataclass(frozen=True)
class Sheet:
    """A session's sign-in sheet: its people by name and how many pre-work modules the course sets."""

    session: WorkshopSession
    rows: list[SheetRow]
    prework_total: int

    def counts(self) -> dict[str, int]:
        """{"present": n, "partial": n, "absent": n, "unmarked": n} over the sheet."""
        counts = dict.fromkeys((*ATTENDANCE_LABELS, "unmarked"), 0)
        for row in self.rows:
            counts[row.attendance or "unmarked"] += 1
        return counts


def _organisations(user: User) -> str:
    return ", ".join(sorted({m.organization.name for m in user.memberships if m.organization.kind != "public"}))


def sign_in_sheet(session: WorkshopSession) -> Sheet:
    """The session's sign-in sheet (five queries: the roster with the people's memberships, the pre-work, its
    progress, and who marked)."""
    bookings = services.roster(session)
    modules = services.prework_modules(session)
    done = prework_done(session, (b.user_id for b in bookings), [m.id for m in modules])
    marker_ids = {b.attendance_marked_by_id for b in bookings if b.attendance_marked_by_id}
    markers = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(marker_ids))).all()
                   ) if marker_ids else {}
    rows = [SheetRow(booking=b, name=b.user.name, email=b.user.email,
                     organisation=_organisations(b.user),
                     job_function=FUNCTION_LABELS[b.user.job_function],
                     booked_at=b.created_at, attendance=b.attendance, marked_at=b.attendance_marked_at,
                     marked_by=markers.get(b.attendance_marked_by_id, ""), prework_done=done.get(b.user_id, 0))
            for b in bookings]
    return Sheet(session=session, rows=rows, prework_total=len(modules))


def _local(value: datetime | None, zone_name: str) -> str:
    return f"{utc_to_local(value, zone(zone_name)):%Y-%m-%d %H:%M}" if value else ""


def sheet_csv(sheet: Sheet) -> bytes:
    """The sheet as UTF-8 CSV (with a BOM so Excel reads accents), times on the session's clock (the zone named in
    the headers), every text cell guarded against formula injection."""
    zone_name = sheet.session.timezone
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Name", "Email", "Organisation", f"Booked at ({zone_name})", "Attendance",
                     f"Marked at ({zone_name})", "Marked by", "Pre-work done"])
    for r in sheet.rows:
        writer.writerow([safe_cell(v) for v in (
            r.name, r.email, r.organisation, _local(r.booked_at, zone_name),
            ATTENDANCE_LABELS[r.attendance] if r.attendance else "Not marked",
            _local(r.marked_at, zone_name), r.marked_by, f"{r.prework_done} of {sheet.prework_total}")])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
