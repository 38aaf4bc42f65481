"""A-players' candidates: the period's most active learners, found among the most active of all time when that can be
proved, else by summing every learner's weeks; and the statement counts per learner they rest on."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.reports import adoption
from lms.reports.filters import Filters
from lms.reports.models import ActivityWeekly, LearnerMilestone
from lms.reports.queries import a_players as module
from lms.reports.rollup import refresh_activity
from lms.tracking.services import record
from tests.factories import make_org, make_user
from tests.reports.conftest import bulk_statement


def counted_per_learner(org_id: int) -> dict[int, int]:
    return dict(db.session.execute(select(LearnerMilestone.user_id, LearnerMilestone.statements)
                                   .where(LearnerMilestone.organization_id == org_id)).all())


def summed_weeks(org_id: int) -> dict[int, int]:
    return dict(db.session.execute(select(ActivityWeekly.user_id, func.sum(ActivityWeekly.statements))
                                   .where(ActivityWeekly.organization_id == org_id)
                                   .group_by(ActivityWeekly.user_id)).all())


def test_each_learner_s_statement_count_is_the_sum_of_their_weeks(world):
    refresh_activity(until=world.now + timedelta(minutes=1))
    db.session.commit()
    before = counted_per_learner(world.org.id)
    assert before == summed_weeks(world.org.id) and sum(before.values()) > 0
    l4 = world.learners["L4"]
    # Live: a statement recorded now, and one dated 200 days ago (an offline client), each add one.
    record(l4, "launched", ("module", "abm-basics/mapping", "Mapping"), organization_id=world.org.id)
    record(l4, "launched", ("module", "abm-basics/mapping", "Mapping"), organization_id=world.org.id,
           timestamp=world.now - timedelta(days=200))
    db.session.commit()
    # Bulk: counted by the next roll-up.
    bulk_statement(world.org.id, l4.id, world.now - timedelta(days=3))
    refresh_activity()
    db.session.commit()
    after = counted_per_learner(world.org.id)
    assert after[l4.id] == before[l4.id] + 3
    assert after == summed_weeks(world.org.id)
    refresh_activity(rebuild=True)
    db.session.commit()
    assert counted_per_learner(world.org.id) == after


@pytest.fixture
def crowd(app):
    """Eight learners: A-H, with statements now and (for some) long before the period, as the roll-up counts them."""
    org = make_org("Fabrikam", slug="fabrikam")
    people = {name: make_user(org, ("learner",), email=f"{name.lower()}@fabrikam.example", name=name)
              for name in "ABCDEFGH"}
    from lms.database import utcnow

    now = utcnow()
    recent = {"A": 6, "B": 5, "C": 4, "D": 3, "E": 3, "F": 2, "G": 1}  # in the period (the last 12 months)
    old = {"G": 40, "H": 30}  # two years ago: most of all time, little or nothing in the period
    for name, n in recent.items():
        for k in range(n):
            bulk_statement(org.id, people[name].id, now - timedelta(days=3 + 7 * k))
    for name, n in old.items():
        for k in range(n):
            bulk_statement(org.id, people[name].id, now - timedelta(days=730 + k))
    refresh_activity()
    db.session.commit()
    return org, people, now


def by_hand(org_id: int, f: Filters, candidates: int) -> list[tuple[int, int, int]]:
    """The period's most active learners, worked out from the weekly rows in Python."""
    n, weeks = Counter(), Counter()
    for uid, statements in db.session.execute(
            select(ActivityWeekly.user_id, ActivityWeekly.statements)
            .where(ActivityWeekly.organization_id == org_id,
                   ActivityWeekly.week_start >= adoption.week_start(f.chart_start),
                   ActivityWeekly.week_start <= f.end_date)):
        n[uid] += statements
        weeks[uid] += 1
    return sorted(((uid, n[uid], weeks[uid]) for uid in n), key=lambda r: (-r[1], r[0]))[:candidates]


# All time: G 41, H 30, A 6, B 5, C 4, D 3, E 3, F 2. In the period: A 6, B 5, C 4, D 3, E 3, F 2, G 1.
@pytest.mark.parametrize(("pool", "candidates", "queries_expected"), [
    (50, 3, 1),  # the pool holds everyone with a statement
    (5, 2, 1),  # the pool (G, H, A, B, C) proves it: its second in the period (B, 5) beats its fewest of all time (C, 4)
    (4, 2, 2),  # the pool (G, H, A, B) cannot: its second (B, 5) only ties its fewest, and an outsider with 5 could
    (3, 3, 2),  # the pool (G, H, A) cannot: it has two in the period (A, G) where three are wanted; the answer is not it
])
def test_the_most_active_in_the_period_whichever_way_they_are_found(crowd, queries, monkeypatch, pool, candidates,
                                                                     queries_expected):
    org, people, now = crowd
    monkeypatch.setattr(module, "A_PLAYER_POOL", pool)
    monkeypatch.setattr(module, "A_PLAYER_CANDIDATES", candidates)
    f = Filters(org.id, now)
    with queries:
        found = module._most_active(f)
    assert found == by_hand(org.id, f, candidates)
    names = {user.id: name for name, user in people.items()}
    assert [names[uid] for uid, _, _ in found] == ["A", "B", "C"][:candidates]
    assert queries.count == queries_expected


def test_the_upgrade_counts_each_learner_s_statements_the_roll_up_has_counted(migrated_app):
    import uuid

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import insert

    from lms.database import utcnow
    from lms.tracking.models import Statement

    upgrade(revision="head")
    org = make_org("Fabrikam", slug="fabrikam")
    ada = make_user(org, ("learner",), email="ada@fabrikam.example")
    bo = make_user(org, ("learner",), email="bo@fabrikam.example")
    now = utcnow()
    db.session.execute(insert(Statement), [
        {"id": str(uuid.uuid4()), "timestamp": now, "stored": now, "actor_id": user.id, "verb": "launched",
         "object_type": "module", "object_id": "c/m", "organization_id": org.id, "rolled_up": counted}
        for user, counted in ((ada, True), (ada, True), (ada, False), (bo, True))])
    db.session.execute(insert(LearnerMilestone), [{"organization_id": org.id, "user_id": user.id, "last_at": now}
                                                  for user in (ada, bo)])
    db.session.commit()
    db.session.remove()
    downgrade(revision="b5c6d7e8f9a0")
    upgrade(revision="head")
    # Ada's third statement is not counted yet: the next roll-up adds it.
    assert counted_per_learner(org.id) == {ada.id: 2, bo.id: 1}
