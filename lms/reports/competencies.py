"""The capability roll-up: each learner's figures per competency (`learner_competencies`), from the assessment
package's profiles. Kept current by `lms.reports.live` for the learners a transaction touched, rebuilt for a whole
organisation by `flask lms rollup --rebuild`. Flushes, never commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import delete, insert, select

from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Membership
from lms.reports.dialect import upsert
from lms.reports.models import LearnerCompetency

BATCH = 2_000  # learners per profile read on a rebuild


def _rows(org_id: int, user_ids: Iterable[int], framework, *, keep_empty: bool) -> list[dict]:
    """Return the learner_competencies rows of these learners: one per competency of their profile, or only the
    competencies with a figure unless `keep_empty` (an update must clear a figure that went away)."""
    from lms.assessment.profiles import profiles_for

    now = utcnow()
    rows = []
    for uid, profile in profiles_for(user_ids, org_id, framework=framework).items():
        for c in profile.competencies:
            figures = {"pre": c.pre, "post": c.post, "knowledge": c.knowledge, "applied": c.applied,
                       "rating": c.rating.level if c.rating is not None else None, "capability": c.capability}
            if keep_empty or any(v is not None for v in figures.values()):
                rows.append({"organization_id": org_id, "user_id": uid, "competency": c.slug, "updated_at": now,
                             **figures})
    return rows


def refresh_learners(pairs: Iterable[tuple[int | None, int | None]]) -> int:
    """Recompute the rows of these (organisation id, user id) learners; return how many learners were refreshed.

    An upsert, so two transactions refreshing one learner at once do not collide on the unique key."""
    by_org: dict[int, set[int]] = defaultdict(set)
    for org_id, user_id in pairs:
        if org_id is not None and user_id is not None:
            by_org[org_id].add(user_id)
    from lms.assessment.profiles import competencies

    framework = competencies() if by_org else []
    for org_id, users in by_org.items():
        rows = _rows(org_id, users, framework, keep_empty=True)
        if rows:
            stmt = upsert(LearnerCompetency)
            figures = ("pre", "post", "knowledge", "applied", "rating", "capability", "updated_at")
            db.session.execute(stmt.on_conflict_do_update(
                index_elements=["organization_id", "user_id", "competency"],
                set_={name: stmt.excluded[name] for name in figures}), rows)
    return sum(len(users) for users in by_org.values())


def rebuild(org_id: int | None = None) -> int:
    """Recompute every learner's rows in one organisation (or all); return how many rows were written."""
    members = select(Membership.organization_id, Membership.user_id).where(Membership.role == "learner")
    emptied = delete(LearnerCompetency)
    if org_id is not None:
        members = members.where(Membership.organization_id == org_id)
        emptied = emptied.where(LearnerCompetency.organization_id == org_id)
    db.session.execute(emptied)
    by_org: dict[int, list[int]] = defaultdict(list)
    for org, user in db.session.execute(members.order_by(Membership.organization_id, Membership.user_id)):
        by_org[org].append(user)
    from lms.assessment.profiles import competencies

    written, framework = 0, competencies()  # read once, not once per batch
    for org, users in by_org.items():
        for k in range(0, len(users), BATCH):
            rows = _rows(org, users[k:k + BATCH], framework, keep_empty=False)
            if rows:
                db.session.execute(insert(LearnerCompetency), rows)
                written += len(rows)
    db.session.flush()
    return written
