"""Tool usage from the weekly tool roll-ups: uses and distinct users per tool and job function, in any period."""

from __future__ import annotations

from datetime import datetime, timedelta

from lms.database import utcnow
from lms.extensions import db
from lms.reports.filters import Filters
from lms.reports.queries.tools import tool_usage
from lms.reports.rollup import refresh_activity
from lms.tracking.services import record
from tests.factories import make_cohort, make_org, make_user


def rolled_up(world):
    refresh_activity(until=utcnow())
    db.session.commit()


def test_tool_usage_counts_and_distinct_users(world):
    rolled_up(world)
    f = Filters(world.org.id, world.now, start=(world.now - timedelta(days=60)).date())
    tools = {t.key: t for t in tool_usage(f, {"target-account-list": "Target account list"})}
    assert (tools["modules"].uses, tools["modules"].users) == (4, 3)  # L1 x2, L2, L5
    assert tools["modules"].by_function == {"sales": (2, 1), "marketing": (2, 2)}
    assert (tools["knowledge_checks"].uses, tools["knowledge_checks"].users) == (1, 1)
    assert (tools["imports"].uses, tools["imports"].users) == (2, 2)
    exercise = tools["exercise:target-account-list"]
    assert (exercise.label, exercise.uses, exercise.users) == ("Exercise: Target account list", 2, 2)
    assert "handoffs" not in tools
    # Whole weeks: from the Monday on or before 12 days ago (at most 18 days ago): L1 10 days ago, L5 5 days ago.
    narrow = {t.key: t for t in tool_usage(
        Filters(world.org.id, world.now, start=(world.now - timedelta(days=12)).date()), {})}
    assert (narrow["modules"].uses, narrow["modules"].users) == (2, 2)


def test_reports_usage_counts_managers_viewing(client, auth, world):
    auth.login("manager@northwind.example")
    client.get("/reports/completion")
    client.get("/reports/adoption")
    rolled_up(world)
    tools = {t.key: t for t in tool_usage(Filters(world.org.id, world.now + timedelta(hours=1)), {})}
    assert (tools["reports"].uses, tools["reports"].users, tools["reports"].by_function) == (2, 1, {"other": (2, 1)})


def test_tool_usage_across_a_block_of_week_bits_and_filters(app):
    from lms.reports.adoption import EPOCH, WEEKS_PER_BLOCK

    org = make_org("Bits", slug="bits")
    team = make_cohort(org, "Team")
    seller = make_user(org, ("learner",), email="s@bits.example", job_function="sales", cohort=team, commit=False)
    marketer = make_user(org, ("learner",), email="m@bits.example", job_function="marketing", commit=False)
    boundary = datetime.combine(EPOCH + timedelta(weeks=WEEKS_PER_BLOCK * 14), datetime.min.time())
    for user, when in ((seller, boundary - timedelta(days=3)), (seller, boundary + timedelta(days=1)),
                       (seller, boundary + timedelta(days=2)), (marketer, boundary + timedelta(days=8))):
        record(user, "ran", ("exercise", "campaign-plan", "Campaign plan"), organization_id=org.id, timestamp=when)
    db.session.commit()
    refresh_activity(until=utcnow())
    db.session.commit()
    now = boundary + timedelta(days=30)

    def usage(**kw):
        f = Filters(org.id, now, start=(boundary - timedelta(days=7)).date(), end=(boundary + timedelta(days=20)).date(),
                    **kw)
        [row] = tool_usage(f, {"campaign-plan": "Campaign plan"})
        return row.uses, row.users, row.by_function

    assert usage() == (4, 2, {"sales": (3, 1), "marketing": (1, 1)})  # the seller counts once across two blocks
    assert usage(function="marketing") == (1, 1, {"marketing": (1, 1)})
    assert usage(cohort_id=team.id) == (3, 1, {"sales": (3, 1)})
    f = Filters(org.id, now, start=boundary.date(), end=(boundary + timedelta(days=6)).date())  # one week, one block
    assert [(r.uses, r.users) for r in tool_usage(f, {})] == [(2, 1)]


def test_a_period_to_today_counts_users_from_their_last_use_as_the_week_bits_do(world):
    from sqlalchemy import select

    from lms.identity.models import CohortMember
    from lms.reports import adoption
    from lms.reports.queries.tools import _users_in_weeks, _users_to_date

    def to_date(f):
        cohort = select(CohortMember.user_id).where(CohortMember.cohort_id == f.cohort_id) if f.cohort_id else None
        found = _users_to_date(f, cohort)
        assert found == _users_in_weeks(f, cohort), f
        return found

    def both_ways_agree():
        for start_days in (None, 400, 60, 12, 3):
            start = (world.now - timedelta(days=start_days)).date() if start_days else None
            for kw in ({}, {"function": "sales"}, {"function": "marketing"}, {"cohort_id": world.team_a.id}):
                to_date(Filters(world.org.id, world.now, start=start, **kw))

    rolled_up(world)
    both_ways_agree()
    assert to_date(Filters(world.org.id, world.now))[("modules", "marketing")] == 2  # L2 and L5
    recent = Filters(world.org.id, world.now, start=(world.now - timedelta(days=3)).date(), cohort_id=world.team_a.id)
    # Periods run in whole weeks: L5's use 5 days ago counts only when it falls in the week of the period's start.
    l5_in_period = adoption.week_start(recent.chart_start) <= (world.now - timedelta(days=5)).date()
    assert to_date(recent) == ({("modules", "marketing"): 1} if l5_in_period else {})
    marketers = 1 + l5_in_period
    # L2 used modules 20 days ago and again now: counted as the commit stores it, beside L5 if her week is in.
    record(world.learners["L2"], "launched", ("module", "abm-basics/mapping", "Mapping"), organization_id=world.org.id)
    db.session.commit()
    both_ways_agree()
    assert to_date(recent) == {("modules", "marketing"): marketers}
    # A use stored now but dated 100 days ago (an offline client sending late) leaves her last use where it was.
    record(world.learners["L2"], "launched", ("module", "abm-basics/mapping", "Mapping"), organization_id=world.org.id,
           timestamp=world.now - timedelta(days=100))
    db.session.commit()
    both_ways_agree()
    assert to_date(recent) == {("modules", "marketing"): marketers}
    refresh_activity(rebuild=True)
    db.session.commit()
    both_ways_agree()
    assert to_date(recent) == {("modules", "marketing"): marketers}


def test_the_upgrade_fills_the_last_use_of_each_tool_from_the_weekly_roll_up(migrated_app):
    from datetime import date

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import insert, select

    from lms.reports.models import ToolLastUse, ToolWeekly

    upgrade(revision="head")
    org = make_org("Fabrikam", slug="fabrikam")
    ada = make_user(org, ("learner",), email="ada@fabrikam.example", job_function="sales")
    bo = make_user(org, ("learner",), email="bo@fabrikam.example", job_function="marketing")
    weeks = [(ada, "modules", date(2026, 9, 7)), (ada, "modules", date(2026, 11, 2)), (ada, "imports", date(2026, 10, 5)),
             (bo, "modules", date(2026, 8, 3))]
    db.session.execute(insert(ToolWeekly), [
        {"organization_id": org.id, "user_id": user.id, "week_start": week, "tool": tool, "job_function": "other",
         "uses": 1} for user, tool, week in weeks])
    db.session.commit()
    db.session.remove()
    downgrade(revision="a4b5c6d7e8f9")
    upgrade(revision="head")
    assert sorted((r.user_id, r.tool, r.job_function, r.last_week) for r in db.session.scalars(select(ToolLastUse))) \
        == sorted([(ada.id, "imports", "sales", date(2026, 10, 5)), (ada.id, "modules", "sales", date(2026, 11, 2)),
                   (bo.id, "modules", "marketing", date(2026, 8, 3))])


def last_use_counts(org_id: int) -> tuple[dict, dict]:
    """The kept counts of people per tool, function and week of last use, and the same counted from tool_last_use."""
    from sqlalchemy import func, select

    from lms.reports.models import ToolLastUse, ToolLastUseCount

    kept = {(t, fn, w): n for t, fn, w, n in db.session.execute(
        select(ToolLastUseCount.tool, ToolLastUseCount.job_function, ToolLastUseCount.last_week,
               ToolLastUseCount.users).where(ToolLastUseCount.organization_id == org_id)) if n}
    counted = {(t, fn, w): n for t, fn, w, n in db.session.execute(
        select(ToolLastUse.tool, ToolLastUse.job_function, ToolLastUse.last_week, func.count())
        .where(ToolLastUse.organization_id == org_id)
        .group_by(ToolLastUse.tool, ToolLastUse.job_function, ToolLastUse.last_week))}
    return kept, counted


def test_people_per_week_of_last_use_are_kept_as_people_use_tools(world):
    from lms.reports.adoption import week_start

    rolled_up(world)
    kept, counted = last_use_counts(world.org.id)
    assert kept == counted and sum(kept.values()) > 0
    l2 = world.learners["L2"]
    this_week = week_start(world.now.date())
    before = kept.get(("modules", "marketing", this_week), 0)
    # A use now moves L2's last use of modules to this week; a second one this week moves nothing.
    for _ in range(2):
        record(l2, "launched", ("module", "abm-basics/mapping", "Mapping"), organization_id=world.org.id)
        db.session.commit()
        kept, counted = last_use_counts(world.org.id)
        assert kept == counted
        assert kept[("modules", "marketing", this_week)] == before + 1
    # She moves to sales: her next use moves her there, from marketing.
    l2.job_function = "sales"
    db.session.commit()
    record(l2, "launched", ("module", "abm-basics/mapping", "Mapping"), organization_id=world.org.id,
           timestamp=world.now - timedelta(days=50))  # dated earlier: her last use stays this week's
    db.session.commit()
    kept, counted = last_use_counts(world.org.id)
    assert kept == counted
    assert kept.get(("modules", "marketing", this_week), 0) == before
    assert kept[("modules", "sales", this_week)] >= 1
    # A first use of a tool by someone new to it.
    record(world.learners["L4"], "imported", ("workspace", "accounts", "Accounts"), organization_id=world.org.id)
    db.session.commit()
    kept, counted = last_use_counts(world.org.id)
    assert kept == counted
    refresh_activity(rebuild=True)
    db.session.commit()
    assert last_use_counts(world.org.id) == (kept, counted)


def test_the_upgrade_counts_people_per_week_of_last_use(migrated_app):
    from datetime import date

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import insert

    from lms.reports.models import ToolLastUse

    upgrade(revision="head")
    org = make_org("Fabrikam", slug="fabrikam")
    ada = make_user(org, ("learner",), email="ada@fabrikam.example", job_function="sales")
    bo = make_user(org, ("learner",), email="bo@fabrikam.example", job_function="sales")
    cy = make_user(org, ("learner",), email="cy@fabrikam.example", job_function="marketing")
    db.session.execute(insert(ToolLastUse), [
        {"organization_id": org.id, "user_id": user.id, "tool": tool, "job_function": fn, "last_week": week}
        for user, tool, fn, week in ((ada, "modules", "sales", date(2026, 11, 2)),
                                     (bo, "modules", "sales", date(2026, 11, 2)),
                                     (cy, "modules", "marketing", date(2026, 11, 2)),
                                     (ada, "imports", "sales", date(2026, 10, 5)))])
    db.session.commit()
    db.session.remove()
    downgrade(revision="c6d7e8f9a0b1")
    upgrade(revision="head")
    assert last_use_counts(org.id)[0] == {("modules", "sales", date(2026, 11, 2)): 2,
                                          ("modules", "marketing", date(2026, 11, 2)): 1,
                                          ("imports", "sales", date(2026, 10, 5)): 1}
