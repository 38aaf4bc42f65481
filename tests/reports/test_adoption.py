"""Adoption: the funnel steps, weekly/monthly actives from the roll-up, sales vs marketing, A-players, the page."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import select

from lms.database import utcnow
from lms.extensions import db
from lms.reports.filters import Filters
from lms.reports.models import ActivityWeekly
from lms.reports.queries.a_players import a_players
from lms.reports.queries.adoption import active_series, funnel_counts
from lms.reports.queries.by_function import by_function
from lms.reports.rollup import refresh_activity
from lms.tracking.services import record
from tests.factories import make_cohort, make_org, make_user
from tests.reports.conftest import bulk_statement


def rolled_up(world):
    refresh_activity(until=utcnow())
    db.session.commit()


def test_funnel_steps_per_cohort(world):
    rolled_up(world)
    counts = funnel_counts(Filters(world.org.id, world.now))
    # Team A: L1, L2, L5 and one open invitation; L2 never completed a module; only L1 active after completing.
    assert counts[world.team_a.id] == {"invited": 4, "activated": 3, "first_module": 2, "first_import": 2,
                                       "first_run": 2, "completed": 2, "retained": 1}
    # Team B: L3 (never signed in), L4 (completed a module), L6 (withdrawn, still a member).
    assert counts[world.team_b.id] == {"invited": 3, "activated": 2, "first_module": 1, "first_import": 0,
                                       "first_run": 0, "completed": 0, "retained": 0}
    assert world.other_cohort.id not in counts


def test_funnel_filters(world):
    rolled_up(world)
    sales = funnel_counts(Filters(world.org.id, world.now, function="sales"))
    # Team A sales: L1 plus the invitation (sales); Team B sales: L3 and L6.
    assert sales[world.team_a.id]["invited"] == 2 and sales[world.team_a.id]["retained"] == 1
    assert sales[world.team_b.id]["invited"] == 2
    only_b = funnel_counts(Filters(world.org.id, world.now, cohort_id=world.team_b.id))
    assert list(only_b) == [world.team_b.id]


def test_active_after_completion_counts_days_one_to_thirty(world):
    rolled_up(world)
    L1 = world.learners["L1"]  # noqa: N806
    # L1's only later statement is 10 days after completing; move the check to day 31 by completing earlier.
    record(L1, "completed", ("course", "other", "Other"), organization_id=world.org.id,
           timestamp=world.now - timedelta(days=100))
    db.session.commit()
    rolled_up(world)
    counts = funnel_counts(Filters(world.org.id, world.now))
    # The roll-up keeps the earliest completion even though it arrived later: 100 days ago now counts,
    # and L1's statements 45 and 44 days ago fall after its day 30.
    assert counts[world.team_a.id]["retained"] == 0


def test_sales_vs_marketing(world):
    refresh_activity(until=world.now + timedelta(minutes=1))
    rows = {r.function: r for r in by_function(Filters(world.org.id, world.now))}
    # Sales: L1, L3, L6 (L6's enrolment withdrawn); marketing: L2, L4, L5.
    assert (rows["sales"].learners, rows["sales"].enrolments, rows["sales"].completed, rows["sales"].overdue) == \
        (3, 2, 1, 0)
    assert (rows["marketing"].learners, rows["marketing"].enrolments, rows["marketing"].completed,
            rows["marketing"].overdue) == (3, 3, 1, 1)
    assert rows["sales"].active == 1  # L1 only; L3 and L6 have no statements
    assert rows["marketing"].active == 3
    # Up to today, learners and "active" are counted from each learner's latest statement; for a period that ended
    # (seen from tomorrow), from the weekly roll-up: the same people either way.
    to_today = Filters(world.org.id, world.now, end=world.now.date())
    ended = Filters(world.org.id, world.now + timedelta(days=1), end=world.now.date())
    assert to_today.to_today and not ended.to_today
    assert by_function(to_today) == list(rows.values())
    assert [(r.function, r.learners, r.active) for r in by_function(ended)] == \
        [(r.function, r.learners, r.active) for r in rows.values()]


def test_a_players_rank_by_applied_score_then_activity(world):
    from lms.practice.models import ExerciseRun, Submission

    def submit(user, slug, score):
        run = ExerciseRun(organization_id=world.org.id, user_id=user.id, exercise_slug=slug, exercise_version="v",
                          score=score, passed=score >= 70)
        db.session.add(run)
        db.session.flush()
        db.session.add(Submission(organization_id=world.org.id, user_id=user.id, run_id=run.id, exercise_slug=slug,
                                  score=score, passed=score >= 70))

    L = world.learners  # noqa: N806
    submit(L["L1"], "target-account-list", 90)
    submit(L["L1"], "buying-committee-map", 80)
    submit(L["L1"], "buying-committee-map", 60)  # the best submission counts
    submit(L["L5"], "target-account-list", 60)
    submit(L["L4"], "target-account-list", 85)
    db.session.commit()
    refresh_activity(until=world.now + timedelta(minutes=1))
    players = a_players(Filters(world.org.id, world.now))
    assert [(p.name, p.applied) for p in players] == [("Learner L1", 85), ("Learner L4", 85)]
    assert players[0].statements == 6 and players[1].statements == 2  # equal applied: more active first


def test_adoption_page(client, auth, world):
    rolled_up(world)
    auth.login("manager@northwind.example")
    page = client.get("/reports/adoption").get_data(as_text=True)
    assert "Adoption funnel" in page and "Weekly active learners" in page and "Monthly active learners" in page
    assert "The biggest drop is at" in page
    assert "2 laggards have done nothing for 14 days" in page
    assert "Team A" in page and "Team B" in page
    assert "Contoso" not in page


def test_adoption_page_says_its_figures_are_current_unless_statements_were_loaded_in_bulk(client, auth, world):
    auth.login("manager@northwind.example")
    page = client.get("/reports/adoption").get_data(as_text=True)
    assert "count each action as it is recorded" in page
    assert "not counted yet" not in page  # live roll-ups: no cron job to ask for
    for org, user in ((world.org, world.learners["L1"]), (world.other, world.outsider)):
        bulk_statement(org.id, user.id, world.now)
    db.session.commit()
    page = client.get("/reports/adoption").get_data(as_text=True)
    assert "1 action loaded in bulk is not counted yet:" in page  # Northwind's only, not Contoso's
    assert "run <code>flask lms rollup</code>" in page
    refresh_activity()
    db.session.commit()
    assert "not counted yet" not in client.get("/reports/adoption").get_data(as_text=True)


def _at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day) + timedelta(hours=hour)


def test_weekly_and_monthly_active_learners_from_the_rollup(app):
    org, other = make_org("Roll", slug="roll"), make_org("Else", slug="else")
    u1, u2, u3 = (make_user(org, ("learner",), email=f"u{i}@roll.example", commit=False) for i in (1, 2, 3))
    boss = make_user(org, ("manager",), email="boss@roll.example", commit=False)
    make_user(other, ("learner",), email="x@else.example", commit=False)
    for user, day in ((u1, "2026-01-05"), (u1, "2026-01-06"), (u1, "2026-02-02"),
                      (u2, "2026-01-11"), (u2, "2026-01-12"),  # Sunday, then Monday: two weeks
                      (u3, "2026-01-31"), (u3, "2026-02-01"),  # one week, two months
                      (boss, "2026-01-05")):  # a manager is not a learner
        record(user, "launched", ("module", "c/m", "M"), organization_id=org.id, timestamp=_at(day))
    record(u1, "launched", ("module", "c/m", "M"), organization_id=other.id, timestamp=_at("2026-01-19"))
    db.session.commit()  # counted as they were committed: the roll-up command finds nothing left
    assert refresh_activity(until=utcnow() + timedelta(days=1)).statements == 0
    f = Filters(org.id, datetime(2026, 3, 1), start=date(2026, 1, 1), end=date(2026, 2, 28))
    weeks, wau = active_series(f, "week")
    # The organisation's totals agree with the per-learner roll-up a filter reads (everyone's function: marketing).
    assert active_series(replace(f, function="marketing"), "week") == (weeks, wau)
    assert active_series(replace(f, function="marketing"), "month") == active_series(f, "month")
    assert weeks[0] == date(2025, 12, 29) and weeks[-1] == date(2026, 2, 23)
    assert dict(zip(weeks, wau, strict=True)) == {
        date(2025, 12, 29): 0, date(2026, 1, 5): 2, date(2026, 1, 12): 1, date(2026, 1, 19): 0,
        date(2026, 1, 26): 1, date(2026, 2, 2): 1, date(2026, 2, 9): 0, date(2026, 2, 16): 0, date(2026, 2, 23): 0}
    months, mau = active_series(f, "month")
    assert dict(zip(months, mau, strict=True)) == {date(2026, 1, 1): 3, date(2026, 2, 1): 2}
    u3_rows = db.session.scalars(select(ActivityWeekly).where(ActivityWeekly.user_id == u3.id)).all()
    assert sorted((r.week_start, r.month_start, r.statements) for r in u3_rows) == [
        (date(2026, 1, 26), date(2026, 1, 1), 1), (date(2026, 1, 26), date(2026, 2, 1), 1)]


def test_cohort_filter_on_active_learners(app):
    org = make_org("Co", slug="co")
    a, b = make_cohort(org, "A"), make_cohort(org, "B")
    ua = make_user(org, ("learner",), email="a@co.example", cohort=a, commit=False)
    ub = make_user(org, ("learner",), email="b@co.example", cohort=b, commit=False)
    for user in (ua, ub):
        record(user, "launched", ("module", "c/m", "M"), organization_id=org.id, timestamp=_at("2026-01-07"))
    db.session.commit()
    refresh_activity(until=utcnow() + timedelta(days=1))
    f = Filters(org.id, datetime(2026, 1, 31), start=date(2026, 1, 5), end=date(2026, 1, 11))
    assert active_series(f, "week")[1] == [2]
    assert active_series(Filters(**{**f.__dict__, "cohort_id": a.id}), "week")[1] == [1]


def test_the_learner_count_is_everyone_whatever_their_function(world):
    from lms.reports.queries.adoption import adoption_report

    rolled_up(world)
    assert adoption_report(Filters(world.org.id, world.now), {}).learners == 6
    # A function set outside the three (an import from an older system, say) gets its own row and still counts.
    world.learners["L4"].job_function = "partnerships"
    db.session.commit()
    report = adoption_report(Filters(world.org.id, world.now), {})
    assert [(r.function, r.learners) for r in report.functions] == [("sales", 3), ("marketing", 2),
                                                                      ("partnerships", 1)]
    assert report.learners == 6
