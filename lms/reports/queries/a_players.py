"""A-players: the most active learners in the period whose best submitted exercises score highest."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import desc, func, select

from lms.extensions import db
from lms.identity.models import Membership, User
from lms.reports import adoption, capability
from lms.reports.filters import Filters
from lms.reports.models import ActivityWeekly, LearnerMilestone
from lms.reports.queries.scope import among_learners, learner_ids

A_PLAYER_MIN_APPLIED = 70
A_PLAYER_CANDIDATES = 100
# The most active learners of all time read per view: the period's most active are found among them whenever that can
# be proved (see _most_active), so a view reads a few hundred learners' weeks, not every learner's.
A_PLAYER_POOL = 200


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
    period, those whose mean best submitted exercise score is at least A_PLAYER_MIN_APPLIED (three queries, four
    when the most active of all time do not settle who was most active in the period)."""
    from lms.practice.submissions import best_scores_for_users

    active = _most_active(f)
    names = {uid: (name, email, fn) for uid, name, email, fn in db.session.execute(
        select(User.id, User.name, User.email, User.job_function).where(User.id.in_([uid for uid, _, _ in active])))}
    best = best_scores_for_users(names, f.org_id)
    players = []
    for uid, n, n_weeks in active:
        applied = capability.mean(best.get(uid, {}).values())
        if applied is not None and applied >= A_PLAYER_MIN_APPLIED:
            players.append(APlayer(uid, *names[uid], applied, n, n_weeks))
    return sorted(players, key=lambda p: (-p.applied, -p.statements, p.name))[:limit]


def _most_active(f: Filters) -> list[tuple[int, int, int]]:
    """Return (learner id, statements, active weeks) in the period's weeks for its A_PLAYER_CANDIDATES most active
    learners, most statements first (then by id).

    First from the A_PLAYER_POOL learners with most statements of all time (learner_milestones.statements, down its
    index), with their weeks in the period: nobody outside that pool made more statements in the period than in all
    time, which is at most the pool's fewest, so when the pool's hundredth most active in the period made more than
    that, the pool holds the answer. Otherwise (a long history in which the period's most active are not the most
    active of all time) every learner's weeks in the period are summed.
    """
    weeks = [ActivityWeekly.organization_id == f.org_id,
             ActivityWeekly.week_start >= adoption.week_start(f.chart_start), ActivityWeekly.week_start <= f.end_date]
    # A learner test per row (EXISTS) rather than a list of every learner: the pool is read down the index,
    # most statements first, and stops at A_PLAYER_POOL learners.
    learner = among_learners(select(Membership.user_id), f).where(Membership.user_id == LearnerMilestone.user_id)
    pool = (select(LearnerMilestone.user_id, LearnerMilestone.statements)
            .where(LearnerMilestone.organization_id == f.org_id, LearnerMilestone.statements > 0, learner.exists())
            .order_by(desc(LearnerMilestone.statements)).limit(A_PLAYER_POOL)  # which of equals: the proof holds
            .subquery("pool"))
    # Each one's weeks looked up by learner (correlated, down activity_weekly's key): joined, PostgreSQL would hash
    # every learner's weeks for the few hundred wanted.
    mine = [ActivityWeekly.user_id == pool.c.user_id, *weeks]
    rows = db.session.execute(select(
        pool.c.user_id, pool.c.statements,
        select(func.sum(ActivityWeekly.statements)).where(*mine).scalar_subquery(),
        select(func.count(ActivityWeekly.week_start.distinct())).where(*mine).scalar_subquery())).all()
    ranked = _ranked((uid, n, n_weeks) for uid, _, n, n_weeks in rows if n)
    if len(rows) < A_PLAYER_POOL:  # every learner with a statement was in the pool
        return ranked
    fewest = min(total for _, total, _, _ in rows)
    if len(ranked) == A_PLAYER_CANDIDATES and ranked[-1][1] > fewest:
        return ranked
    total = func.sum(ActivityWeekly.statements).label("n")
    return _ranked(db.session.execute(
        select(ActivityWeekly.user_id, total, func.count(ActivityWeekly.week_start.distinct()))
        .where(*weeks, ActivityWeekly.user_id.in_(learner_ids(f)))
        .group_by(ActivityWeekly.user_id).order_by(desc(total), ActivityWeekly.user_id)
        .limit(A_PLAYER_CANDIDATES)))


def _ranked(rows) -> list[tuple[int, int, int]]:
    return sorted(((uid, int(n), n_weeks) for uid, n, n_weeks in rows), key=lambda r: (-r[1], r[0]))[
        :A_PLAYER_CANDIDATES]
