"""The completion report on the hand-countable world (see conftest): counts, states, laggards, learner table."""

from __future__ import annotations

import re
from datetime import timedelta

from lms.extensions import db
from lms.learning.models import Enrolment
from lms.reports.filters import Filters
from lms.reports.queries.completion import completion_report, laggards, learner_rows
from lms.tracking.models import Statement


def counts(world, **kw):
    summary = completion_report(Filters(world.org.id, world.now, **kw)).summary
    return summary


def test_completion_counts_per_organisation_cohort_and_course(world):
    s = counts(world)
    t = s.total
    # L1 and L5 completed, L2 and L4 in progress, L3 not started, L2 overdue; L6 withdrawn, Contoso not counted.
    assert (t.enrolled, t.not_started, t.in_progress, t.completed, t.overdue) == (5, 1, 2, 2, 1)
    a, b = s.by_cohort["Team A"], s.by_cohort["Team B"]
    assert (a.enrolled, a.not_started, a.in_progress, a.completed, a.overdue) == (3, 0, 1, 2, 1)
    assert (b.enrolled, b.not_started, b.in_progress, b.completed, b.overdue) == (2, 1, 1, 0, 0)
    assert s.by_course["ABM basics"].enrolled == 5


def test_filters_by_cohort_function_and_period(world):
    assert counts(world, cohort_id=world.team_b.id).total.enrolled == 2
    sales = counts(world, function="sales").total
    assert (sales.enrolled, sales.completed, sales.not_started) == (2, 1, 1)  # L1, L3
    assert counts(world, start=world.now.date()).total.enrolled == 0  # enrolled 50 days ago


def test_sql_status_agrees_with_the_pure_definition(world):
    from lms.reports.completion import is_overdue, status

    rows, total = learner_rows(Filters(world.org.id, world.now), everything=True)
    assert total == 5
    by_user = {e.user_id: e for e in db.session.query(Enrolment).filter_by(organization_id=world.org.id)}
    for row in rows:
        e = by_user[row.user_id]
        assert row.status == status(e.started_at, e.completed_at)
        assert row.overdue == is_overdue(e.due_at, e.completed_at, world.now)


def test_laggards_are_open_and_silent_for_fourteen_days(world):
    rows, total = laggards(Filters(world.org.id, world.now))
    assert total == 2
    assert [r.name for r in rows] == ["Learner L3", "Learner L2"]  # never active first, then longest inactive
    assert rows[0].last_activity is None and rows[1].open_courses == 1
    assert laggards(Filters(world.org.id, world.now, cohort_id=world.team_b.id))[1] == 1
    # A page shorter than the list still says how many there are; with no laggards, none.
    first, total = laggards(Filters(world.org.id, world.now), limit=1)
    assert [r.name for r in first] == ["Learner L3"] and total == 2
    assert laggards(Filters(world.org.id, world.now, function="other")) == ([], 0)


def test_learner_table_sorts_filters_and_pages(world):
    f = Filters(world.org.id, world.now, sort="progress", descending=True)
    rows, total = learner_rows(f)
    assert total == 5
    assert [r.modules_done for r in rows] == [2, 2, 1, 1, 0]
    overdue, n = learner_rows(Filters(world.org.id, world.now, status="overdue"))
    assert n == 1 and overdue[0].name == "Learner L2"
    started, n = learner_rows(Filters(world.org.id, world.now, status="not_started"))
    assert [r.name for r in started] == ["Learner L3"]
    page2, n = learner_rows(Filters(world.org.id, world.now, per_page=2, page=2))
    assert n == 5 and [r.name for r in page2] == ["Learner L3", "Learner L4"]
    last, _ = learner_rows(Filters(world.org.id, world.now, sort="last_activity"))
    assert last[-1].name == "Learner L3"  # never active sorts last


def test_completion_page_shows_figures_and_next_steps(client, auth, world):
    auth.login("manager@northwind.example")
    page = client.get("/reports/completion").get_data(as_text=True)
    assert "2 laggards have done nothing for 14 days: send them a nudge" in page
    assert "l2@northwind.example" in page and "l3@northwind.example" in page
    assert "1 enrolment is overdue" in page
    assert re.search(r'<span class="value">5</span> <span class="label">enrolled', page)
    assert "Learner L6" not in page and "Contoso" not in page
    assert "<title id=\"enrolments-by-status-title\">Enrolments by status</title>" in page
    assert "Show the data as a table" in page


def test_viewing_a_report_records_a_viewed_statement(client, auth, world, app):
    auth.login("manager@northwind.example")
    client.get("/reports/completion")
    db.session.expire_all()
    viewed = db.session.query(Statement).filter_by(verb="viewed", object_type="report").all()
    assert [(s.actor_id, s.object_id, s.organization_id) for s in viewed] == [
        (world.manager.id, "completion", world.org.id)]


def test_bad_dates_give_a_clear_message(client, auth, world):
    auth.login("manager@northwind.example")
    page = client.get("/reports/completion?start=31/02/2026").get_data(as_text=True)
    assert "Enter the date as YYYY-MM-DD, for example 2026-03-31." in page
    page = client.get("/reports/completion?start=2026-03-01&end=2026-02-01").get_data(as_text=True)
    assert "The start date is after the end date" in page
    assert "uses the default period" in page


def test_learner_drill_down(client, auth, world):
    auth.login("manager@northwind.example")
    page = client.get(f"/reports/learners/{world.learners['L2'].id}").get_data(as_text=True)
    assert "Learner L2" in page and "Team A" in page
    assert "Overdue" in page and "1/2 (50%)" in page
    assert "20 days ago" in page
    assert "send a nudge" in page  # a laggard
    assert "launched module" in page


def test_a_statement_the_rollup_has_not_read_yet_still_ends_lagging(world):
    from lms.tracking.services import record

    record(world.learners["L2"], "launched", ("module", "abm-basics/mapping", "Mapping"),
           organization_id=world.org.id)
    db.session.commit()
    rows, total = laggards(Filters(world.org.id, world.now + timedelta(seconds=1)))
    assert total == 1 and [r.name for r in rows] == ["Learner L3"]
