"""A-players: the most active learners in the period whose best submitted exercises score highest."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import desc, func, select

from lms.extensions import db
from lms.identity.models import User
from lms.reports import adoption, capability
from lms.reports.filters import Filters
from lms.reports.models import ActivityWeekly
from lms.reports.queries.scope import learner_ids

A_PLAYER_MIN_APPLIED = 70
A_PLAYER_CANDIDATES = 100


@dataclass(frozen=True)
class APlayer:
    user_id: int
    name: str
    email: str
    job_function: str
    applied: float
    statements: int
    active_weeks: int


def a_players(f: Filters, limit: int = 10) -> list[APlayer]:
    """Return the top learners by applied score then activity: among the A_PLAYER_CANDIDATES most active in the
    period, those whose mean best submitted exercise score is at least A_PLAYER_MIN_APPLIED (two queries)."""
    from lms.practice.submissions import best_scores_for_users

    total = func.sum(ActivityWeekly.statements).label("n")
    # The most active first, from the roll-up alone (its index holds organisation, week and learner); only those
    # few are then joined to their names.
    top = (select(ActivityWeekly.user_id, total, func.count(ActivityWeekly.week_start.distinct()).label("weeks"))
           .where(ActivityWeekly.organization_id == f.org_id,
                  ActivityWeekly.week_start >= adoption.week_start(f.chart_start),
                  ActivityWeekly.week_start <= f.end_date, ActivityWeekly.user_id.in_(learner_ids(f)))
           .group_by(ActivityWeekly.user_id).order_by(desc(total), ActivityWeekly.user_id)
           .limit(A_PLAYER_CANDIDATES).subquery("top"))
    active = db.session.execute(
        select(User.id, User.name, User.email, User.job_function, top.c.n, top.c.weeks)
        .join(top, top.c.user_id == User.id).order_by(desc(top.c.n), User.id)).all()
    best = best_scores_for_users([row[0] for row in active], f.org_id)
    players = []
    for uid, name, email, fn, n, n_weeks in active:
        applied = capability.mean(best.get(uid, {}).values())
        if applied is not None and applied >= A_PLAYER_MIN_APPLIED:
            players.append(APlayer(uid, name, email, fn, applied, int(n or 0), n_weeks))
    return sorted(players, key=lambda p: (-p.applied, -p.statements, p.name))[:limit]
