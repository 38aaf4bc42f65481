"""Workshop pages: the booked attendee's calendar file (routes on lms.workshops.views.blueprint.bp)."""

from __future__ import annotations

from flask import Response, abort
from flask_login import current_user, login_required

from lms.extensions import db
from lms.workshops import calendar, services
from lms.workshops.models import WorkshopSession
from lms.workshops.views.blueprint import bp


@bp.get("/workshops/<int:session_id>/calendar.ics")
@login_required
def calendar_file(session_id: int):
    """The signed-in attendee's own seat as an .ics download; 404 for anyone without a confirmed booking."""
    session = db.session.get(WorkshopSession, session_id)
    booking = services.booking_for(session, current_user) if session is not None else None
    if booking is None or booking.status != "confirmed" or session.is_cancelled:
        abort(404)
    return Response(calendar.invitation(booking, method="PUBLISH"), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="workshop-{session.id}.ics"',
                             "Cache-Control": "private, no-store"})
