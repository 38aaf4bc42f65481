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
    weeks = func.count(ActivityWeekly.week_start.distinct())
    active = db.session.execute(
        select(User.id, User.name, User.email, User.job_function, total, weeks)
        .join(ActivityWeekly, ActivityWeekly.user_id == User.id)
        .where(ActivityWeekly.organization_id == f.org_id,
               ActivityWeekly.week_start >= adoption.week_start(f.chart_start),
               ActivityWeekly.week_start <= f.end_date, User.id.in_(learner_ids(f)))
        .group_by(User.id, User.name, User.email, User.job_function)
        .order_by(desc(total), User.id).limit(A_PLAYER_CANDIDATES)).all()
    best = best_scores_for_users([row[0] for row in active], f.org_id)
    players = []
    for uid, name, email, fn, n, n_weeks in active:
        applied = capability.mean(best.get(uid, {}).values())
        if applied is not None and applied >= A_PLAYER_MIN_APPLIED:
            players.append(APlayer(uid, name, email, fn, applied, int(n or 0), n_weeks))
    return sorted(players, key=lambda p: (-p.applied, -p.statements, p.name))[:limit]
