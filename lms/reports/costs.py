"""Programme costs and ROI assumptions per cohort: the one table managers write in reports."""

from __future__ import annotations

from sqlalchemy import select

from lms.database import utcnow
from lms.extensions import db
from lms.reports.models import ProgrammeCost


def costs_for(org_id: int, cohort_id: int) -> ProgrammeCost | None:
    """Return the cohort's saved programme costs and assumptions, or None."""
    return db.session.scalar(select(ProgrammeCost).where(ProgrammeCost.organization_id == org_id,
                                                         ProgrammeCost.cohort_id == cohort_id))


def save_costs(org_id: int, cohort_id: int, values: dict, user) -> ProgrammeCost:
    """Create or update the cohort's programme costs from validated form values; flushes and returns the row."""
    row = costs_for(org_id, cohort_id)
    if row is None:
        row = ProgrammeCost(organization_id=org_id, cohort_id=cohort_id)
        db.session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_by_id, row.updated_at = user.id, utcnow()
    db.session.flush()
    return row
