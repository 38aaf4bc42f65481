"""The adoption funnel per cohort kept current (cohort_funnels): after every kind of change the kept counts equal
the funnel counted from every member, and the adoption report reads them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from lms.database import utcnow
from lms.extensions import db
from lms.identity import services
from lms.identity.models import CohortMember
from lms.reports.filters import Filters
from lms.reports.models import CohortFunnel
from lms.reports.queries.adoption import _computed_funnels, _kept_funnels, funnel_counts
from lms.reports.rollup import refresh_activity
from lms.tracking.services import record
from tests.factories import make_org, make_user


def agree(world) -> dict:
    """Assert the kept funnels equal the counted ones (as at now) and return them."""
    f = Filters(world.org.id, utcnow())
    kept = _kept_funnels(f)
    assert kept == _computed_funnels(f)
    return kept


def test_the_kept_funnels_follow_every_change(world):
    refresh_activity(until=utcnow())
    db.session.commit()
    before = agree(world)
    assert before[world.team_a.id]["completed"] == 2 and before[world.team_a.id]["retained"] == 1
    L = world.learners  # noqa: N806
    course = ("course", "abm-basics", "ABM basics")
    # L4 (Team B) completes the course, then is active 5 days later: completed, then active after completing.
    record(L["L4"], "completed", course, organization_id=world.org.id, timestamp=world.now - timedelta(days=6))
    db.session.commit()
    assert agree(world)[world.team_b.id]["completed"] == before[world.team_b.id]["completed"] + 1
    record(L["L4"], "launched", ("module", "abm-basics/mapping", "Mapping"), organization_id=world.org.id)
    db.session.commit()
    assert agree(world)[world.team_b.id]["retained"] == before[world.team_b.id]["retained"] + 1
    # A second completion moves nothing; an import and an exercise run are first steps too.
    record(L["L4"], "completed", course, organization_id=world.org.id)
    record(L["L4"], "imported", ("workspace", "accounts", "Accounts"), organization_id=world.org.id)
    record(L["L4"], "ran", ("exercise", "target-account-list", "Target account list"), organization_id=world.org.id)
    db.session.commit()
    agree(world)
    # L3 (Team B) is activated.
    L["L3"].activated_at = utcnow()
    db.session.commit()
    assert agree(world)[world.team_b.id]["activated"] == before[world.team_b.id]["activated"] + 1
    # A new learner joins Team A and completes a module; L5 moves from Team A to Team B.
    newcomer = make_user(world.org, ("learner",), email="new@northwind.example", cohort=world.team_a)
    record(newcomer, "completed", ("module", "abm-basics/choosing", "Choosing"), organization_id=world.org.id)
    db.session.commit()
    assert agree(world)[world.team_a.id]["invited"] == before[world.team_a.id]["invited"] + 1
    membership = db.session.scalar(select(CohortMember).where(CohortMember.cohort_id == world.team_a.id,
                                                               CohortMember.user_id == L["L5"].id))
    db.session.delete(membership)
    services.join_cohort(L["L5"], world.team_b, "learner")
    db.session.commit()
    agree(world)
    # L1 becomes Team A's coach rather than a learner in it.
    membership = db.session.scalar(select(CohortMember).where(CohortMember.cohort_id == world.team_a.id,
                                                               CohortMember.user_id == L["L1"].id))
    membership.role = "coach"
    db.session.commit()
    kept = agree(world)
    # A full rebuild gives the same counts; deleting a cohort deletes its row.
    refresh_activity(rebuild=True)
    db.session.commit()
    assert agree(world) == kept
    db.session.delete(world.team_b)
    db.session.commit()
    assert world.team_b.id not in agree(world)
    assert db.session.scalar(select(CohortFunnel).where(CohortFunnel.cohort_id == world.team_b.id)) is None


def test_the_report_reads_the_kept_counts_to_today_and_counts_members_otherwise(world, queries):
    refresh_activity(until=utcnow())
    db.session.commit()
    f = Filters(world.org.id, utcnow())
    # Tamper with the kept row: the report to today shows it, a period with a start counts the members.
    row = db.session.scalar(select(CohortFunnel).where(CohortFunnel.cohort_id == world.team_a.id))
    row.first_run += 100
    db.session.commit()
    assert funnel_counts(f)[world.team_a.id]["first_run"] == 102
    since = Filters(world.org.id, utcnow(), start=(world.now - timedelta(days=400)).date())
    assert funnel_counts(since)[world.team_a.id]["first_run"] == 2
    with queries:
        funnel_counts(f)
    assert queries.count == 3


def test_the_upgrade_counts_each_cohort_s_funnel(migrated_app):
    from flask_migrate import downgrade, upgrade

    from tests.factories import make_cohort

    upgrade(revision="head")
    org = make_org("Fabrikam", slug="fabrikam")
    team = make_cohort(org, "Team")
    ada = make_user(org, ("learner",), email="ada@fabrikam.example", cohort=team, activated_at=utcnow())
    make_user(org, ("learner",), email="bo@fabrikam.example", cohort=team)
    make_user(org, ("coach",), email="cy@fabrikam.example", cohort=team, cohort_role="coach")
    record(ada, "completed", ("module", "c/m", "M"), organization_id=org.id)
    db.session.commit()
    db.session.execute(delete(CohortFunnel))
    db.session.commit()
    db.session.remove()
    downgrade(revision="d7e8f9a0b1c2")
    upgrade(revision="head")
    row = db.session.scalar(select(CohortFunnel))
    assert (row.cohort_id, row.learners, row.activated, row.first_module, row.completed) == (team.id, 2, 1, 1, 0)
