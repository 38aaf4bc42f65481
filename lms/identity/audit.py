"""The audit log: who did what to whom, when. Platform admins read all of it; an org admin their organisation's."""

from __future__ import annotations

from sqlalchemy import select

from lms.extensions import db
from lms.identity.models import AuditEntry, User
from lms.paging import Page, paginate

ENTRIES_PER_PAGE = 100

ACTION_LABELS = {
    "exported-own-data": "downloaded their personal data",
    "deletion-requested": "asked for their personal data to be deleted",
    "erased-personal-data": "erased the personal data of",
    "suspended-organisation": "suspended the organisation",
    "reactivated-organisation": "reactivated the organisation",
    "edited-organisation": "edited the organisation",
    "marked-module-reviewed": "marked a module reviewed",
}


def log(action: str, *, actor: User | None, organization_id: int | None, subject_id: int | None = None,
        subject_name: str = "", **detail: object) -> AuditEntry:
    """Add an entry (flushed with the change it records; the caller commits)."""
    if action not in ACTION_LABELS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(action=action, organization_id=organization_id, actor_id=actor.id if actor else None,
                       actor_name=actor.name if actor else "the platform", subject_id=subject_id,
                       subject_name=subject_name, detail=dict(detail))
    db.session.add(entry)
    db.session.flush()
    return entry


def entries_page(organization_id: int | None, page: int = 1) -> Page:
    """Return one page (ENTRIES_PER_PAGE) of the entries of one organisation (or of all, for None), newest first:
    every entry can be reached, however old (two queries)."""
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if organization_id is not None:
        stmt = stmt.where(AuditEntry.organization_id == organization_id)
    return paginate(stmt, page, ENTRIES_PER_PAGE, scalars=True)


def deletion_requested(user_id: int, organization_id: int) -> AuditEntry | None:
    """Return the member's latest request to delete their data in this organisation, if any is still open."""
    latest = db.session.scalar(select(AuditEntry).where(
        AuditEntry.subject_id == user_id, AuditEntry.organization_id == organization_id,
        AuditEntry.action.in_(("deletion-requested", "erased-personal-data")))
        .order_by(AuditEntry.id.desc()).limit(1))
    return latest if latest is not None and latest.action == "deletion-requested" else None
