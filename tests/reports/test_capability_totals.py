"""The capability report's kept sums (`capability_totals`): after every kind of change a manager or learner can make,
they give exactly what the sums computed over the learners' rows give, and the default view reads them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, event, select

from lms.extensions import db
from lms.identity.models import CohortMember, Membership
from lms.identity.services import join_cohort
from lms.learning.models import Enrolment
from lms.reports.filters import Filters
from lms.reports.models import CapabilityTotal
from lms.reports.queries.capability import _computed_sums, _kept_sums, capability_report
from tests.factories import make_cohort, make_user
from tests.reports.conftest import enrol
from tests.reports.test_capability import _from_profiles, _submit, score


def _nonzero(sums: dict) -> dict:
    """The sums without figures nobody has (a group emptied of a figure keeps a row of zeros)."""
    return {key: {name: pair for name, pair in figures.items() if pair[1]}
            for key, figures in sums.items() if any(count for _, count in figures.values())}


def _assert_kept_sums_are_right(world) -> None:
    for function in (None, "sales", "marketing"):
        f = Filters(world.org.id, world.now, function=function)
        kept_teams, kept = _kept_sums(f)
        teams, computed = _computed_sums(f)
        assert kept_teams == teams, function
        assert _nonzero(kept) == _nonzero(computed), function
    f = Filters(world.org.id, world.now)
    report, expected = capability_report(f), _from_profiles(f)
    assert report.summaries == expected.competencies
    assert [(g.user_id, g.competency, g.gap) for g in report.gaps] == \
        [(g.user_id, g.competency, g.gap) for g in expected.largest_gaps]


@pytest.fixture
def scored(world):
    """The world with exercises submitted (knowledge-action gaps in both teams) and a coach rating."""
    score(world, (("L1", "target-account-list", 60), ("L2", "target-account-list", 90),
                  ("L4", "target-account-list", 30), ("L5", "buying-committee-map", 50)))
    _assert_kept_sums_are_right(world)
    return world


def _learner_enrolment(world, key: str) -> Enrolment:
    return db.session.scalar(select(Enrolment).where(Enrolment.user_id == world.learners[key].id))


def test_the_default_view_reads_the_kept_sums(scored):
    f = Filters(scored.org.id, scored.now)
    before = capability_report(f)
    assert before.learners == 5 and before.teams == ["Team A", "Team B"]
    # Kept sums changed behind the report's back show in the default view: it reads them.
    db.session.execute(delete(CapabilityTotal).where(CapabilityTotal.organization_id == scored.org.id,
                                                     CapabilityTotal.team == "Team B"))
    assert capability_report(f).teams == ["Team A"]
    # A cohort or a period starting on a date is computed from the learners' rows.
    assert capability_report(Filters(scored.org.id, scored.now, cohort_id=scored.team_b.id)).learners == 2
    since = Filters(scored.org.id, scored.now, start=(scored.now - timedelta(days=90)).date())
    assert capability_report(since).teams == ["Team A", "Team B"]


def test_a_new_score_moves_the_sums_and_a_rebuild_keeps_them(scored):
    from lms.reports.rollup import refresh_activity

    _submit(scored, scored.learners["L4"], "target-account-list", 95)  # L4's applied score rises: gap gone
    db.session.commit()
    _assert_kept_sums_are_right(scored)
    teams, sums = _kept_sums(Filters(scored.org.id, scored.now))
    refresh_activity(rebuild=True)  # `flask lms rollup --rebuild`: every organisation's sums recomputed
    db.session.commit()
    rebuilt_teams, rebuilt = _kept_sums(Filters(scored.org.id, scored.now))
    assert (rebuilt_teams, _nonzero(rebuilt)) == (teams, _nonzero(sums))
    _assert_kept_sums_are_right(scored)


def test_a_score_rolled_back_leaves_the_sums(scored):
    before = _kept_sums(Filters(scored.org.id, scored.now))
    _submit(scored, scored.learners["L1"], "target-account-list", 100)
    db.session.flush()
    db.session.rollback()
    assert _kept_sums(Filters(scored.org.id, scored.now)) == before


def test_moving_a_learner_to_another_cohort(scored):
    alpha = make_cohort(scored.org, "Alpha")
    member = db.session.scalar(select(CohortMember).where(CohortMember.user_id == scored.learners["L2"].id))
    db.session.delete(member)
    join_cohort(scored.learners["L2"], alpha)
    db.session.commit()
    _assert_kept_sums_are_right(scored)
    assert capability_report(Filters(scored.org.id, scored.now)).teams == ["Alpha", "Team A", "Team B"]
    member = db.session.scalar(select(CohortMember).where(CohortMember.user_id == scored.learners["L2"].id))
    db.session.delete(member)  # in no cohort at all
    db.session.commit()
    _assert_kept_sums_are_right(scored)
    assert capability_report(Filters(scored.org.id, scored.now)).teams == ["No cohort", "Team A", "Team B"]


def test_a_learner_in_a_second_cohort_and_a_cohort_renamed(scored):
    join_cohort(scored.learners["L4"], scored.team_a)  # L4's first cohort by name is now Team A
    db.session.commit()
    _assert_kept_sums_are_right(scored)
    scored.team_b.name = "A-Team"  # ... and now Team B, renamed, comes first
    db.session.commit()
    _assert_kept_sums_are_right(scored)
    assert capability_report(Filters(scored.org.id, scored.now)).teams == ["A-Team", "Team A"]


def test_an_enrolment_withdrawn_and_made_again(scored):
    enrolment = _learner_enrolment(scored, "L1")
    enrolment.withdrawn_at = scored.now
    db.session.commit()
    _assert_kept_sums_are_right(scored)
    assert capability_report(Filters(scored.org.id, scored.now)).learners == 4
    enrolment.withdrawn_at = None
    db.session.commit()
    _assert_kept_sums_are_right(scored)
    assert capability_report(Filters(scored.org.id, scored.now)).learners == 5


def test_a_job_function_changed(scored):
    scored.learners["L2"].job_function = "sales"
    db.session.commit()
    _assert_kept_sums_are_right(scored)
    assert capability_report(Filters(scored.org.id, scored.now, function="sales")).learners == 3


def test_a_learner_who_stops_being_a_learner_and_a_new_one(scored):
    membership = db.session.scalar(select(Membership).where(Membership.user_id == scored.learners["L5"].id,
                                                            Membership.role == "learner"))
    db.session.delete(membership)
    db.session.commit()
    _assert_kept_sums_are_right(scored)
    newcomer = make_user(scored.org, ("learner",), email="l7@northwind.example", name="Learner L7",
                         job_function="sales", cohort=scored.team_b)
    db.session.commit()
    _assert_kept_sums_are_right(scored)  # a learner without an enrolment is not in the report
    enrol(newcomer, scored.course, scored.org, scored.team_b, enrolled=scored.now - timedelta(days=1))
    db.session.commit()
    _assert_kept_sums_are_right(scored)
    assert capability_report(Filters(scored.org.id, scored.now)).learners == 5


def test_another_organisations_changes_leave_the_sums(scored):
    from lms.practice.models import ExerciseRun, Submission

    def snapshot():
        return [(t.team, t.competency, t.learners, t.applied_sum) for t in db.session.scalars(
            select(CapabilityTotal).where(CapabilityTotal.organization_id == scored.org.id).order_by(CapabilityTotal.id))]

    before = snapshot()
    run = ExerciseRun(organization_id=scored.other.id, user_id=scored.outsider.id, exercise_slug="target-account-list",
                      exercise_version="v", score=20, passed=False)
    db.session.add(run)
    db.session.flush()
    db.session.add(Submission(organization_id=scored.other.id, user_id=scored.outsider.id, run_id=run.id,
                              exercise_slug="target-account-list", score=20, passed=False))
    db.session.commit()
    assert snapshot() == before
    other = Filters(scored.other.id, scored.now)
    assert capability_report(other).learners == 1 and _kept_sums(other) == _computed_sums(other)


def test_the_upgrade_fills_the_sums_and_gaps_as_the_app_keeps_them(migrated_app):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import insert

    from lms.content.models import Course
    from lms.database import utcnow
    from lms.reports.competencies import rebuild_totals
    from lms.reports.models import LearnerCompetency
    from tests.factories import make_org

    upgrade(revision="head")
    now = utcnow()
    org = make_org("Fabrikam", slug="fabrikam")
    course = Course(slug="abm-basics", title="ABM basics", audience="in-house", module_count=1, minutes=10)
    db.session.add(course)
    first, second = make_cohort(org, "Zeta"), make_cohort(org, "Alpha")
    figures = {"ada": ("sales", [first, second], (40, 70, 90, 50, 3)),  # first cohort by name: Alpha
               "bo": ("marketing", [first], (None, None, 80, 90, None)),
               "cy": ("sales", [], (20, None, 60, None, 2)),  # no cohort
               "di": ("sales", [first], (50, 60, 70, 40, 4))}  # withdrawn: not covered
    for name, (function, cohorts, (pre, post, knowledge, applied, rating)) in figures.items():
        user = make_user(org, ("learner",), email=f"{name}@fabrikam.example", name=name.title(),
                         job_function=function)
        for cohort in cohorts:
            join_cohort(user, cohort)
        enrol(user, course, org, None, enrolled=now, withdrawn=now if name == "di" else None)
        db.session.flush()
        db.session.execute(insert(LearnerCompetency).values(
            organization_id=org.id, user_id=user.id, competency="account-selection", pre=pre, post=post,
            knowledge=knowledge, applied=applied, rating=rating, updated_at=now,
            gap=knowledge - applied if applied is not None else None))
    rebuild_totals(org.id)
    db.session.commit()

    def kept():
        return sorted(tuple(row) for row in db.session.execute(select(
            CapabilityTotal.team, CapabilityTotal.job_function, CapabilityTotal.competency, CapabilityTotal.learners,
            CapabilityTotal.pre_sum, CapabilityTotal.pre_n, CapabilityTotal.uplift_sum, CapabilityTotal.gap_sum,
            CapabilityTotal.gap_n, CapabilityTotal.rating_sum)))

    expected = kept()
    assert ("Alpha", "sales", "", 1, 0, 0, 0, 0, 0, 0) in expected
    assert ("No cohort", "sales", "account-selection", 0, 20, 1, 0, 0, 0, 2) in expected
    assert ("Zeta", "marketing", "account-selection", 0, 0, 0, 0, -10, 1, 0) in expected
    assert not any(row[0] == "Zeta" and row[1] == "sales" for row in expected)  # Di's enrolment is withdrawn
    db.session.remove()
    downgrade(revision="f3a4b5c6d7e8")
    upgrade(revision="head")
    assert kept() == expected
    gaps = db.session.scalars(select(LearnerCompetency.gap)).all()
    assert sorted(gaps, key=lambda gap: (gap is None, gap or 0)) == [-10, 30, 40, None]


def test_the_largest_gaps_take_ties_by_name_and_only_covered_learners(world):
    from sqlalchemy import insert

    from lms.database import utcnow
    from lms.reports.models import LearnerCompetency
    from lms.reports.queries.capability import _largest_gaps

    gaps = {"L4": 30, "L2": 30, "L1": 30, "L5": 50, "L3": -20, "L6": 90}  # L6's enrolment is withdrawn
    rows = [{"organization_id": world.org.id, "user_id": world.learners[key].id, "competency": "account-selection",
             "knowledge": 90, "applied": 90 - gap, "gap": gap, "updated_at": utcnow()} for key, gap in gaps.items()]
    rows.append({"organization_id": world.other.id, "user_id": world.outsider.id, "competency": "account-selection",
                 "knowledge": 100, "applied": 0, "gap": 100, "updated_at": utcnow()})
    db.session.execute(delete(LearnerCompetency))  # only these rows (L1's knowledge check made some)
    db.session.execute(insert(LearnerCompetency), rows)
    f = Filters(world.org.id, world.now)
    assert [(g.name, g.gap, g.team) for g in _largest_gaps(f, 2)] == [("Learner L5", 50, "Team A"),
                                                                       ("Learner L1", 30, "Team A")]
    assert [g.name for g in _largest_gaps(f, 10)] == ["Learner L5", "Learner L1", "Learner L2", "Learner L4"]
    assert [(g.name, g.team) for g in _largest_gaps(Filters(world.org.id, world.now, cohort_id=world.team_b.id),
                                                    10)] == [("Learner L4", "Team B")]
    assert [g.name for g in _largest_gaps(Filters(world.org.id, world.now, function="sales"), 10)] == ["Learner L1"]


def test_changes_over_several_flushes_and_a_savepoint_rolled_back(scored):
    l1, l4 = scored.learners["L1"], scored.learners["L4"]
    join_cohort(l1, scored.team_b)
    db.session.flush()
    l1.job_function = "marketing"
    db.session.flush()
    with db.session.begin_nested():  # kept: the savepoint is released
        _learner_enrolment(scored, "L4").withdrawn_at = scored.now
    savepoint = db.session.begin_nested()
    join_cohort(l4, make_cohort(scored.org, "Aardvarks"))
    l4.job_function = "sales"
    db.session.flush()
    savepoint.rollback()  # and what it moved goes with it
    db.session.commit()
    _assert_kept_sums_are_right(scored)
    report = capability_report(Filters(scored.org.id, scored.now))
    assert report.learners == 4 and report.teams == ["Team A", "Team B"]  # no Aardvarks: rolled back


def test_a_cohort_deleted(scored):
    db.session.delete(scored.team_a)
    db.session.commit()
    _assert_kept_sums_are_right(scored)
    assert capability_report(Filters(scored.org.id, scored.now)).teams == ["No cohort", "Team B"]


def test_many_learners_moved_at_once(scored, monkeypatch):
    from lms.reports import competencies

    monkeypatch.setattr(competencies, "BATCH", 2)  # the learners go in several statements
    enrolments = db.session.scalars(select(Enrolment).where(Enrolment.organization_id == scored.org.id)).all()
    for enrolment in enrolments:  # all in one flush (a query between them would flush each on its own)
        enrolment.withdrawn_at = scored.now
    db.session.commit()
    _assert_kept_sums_are_right(scored)
    assert capability_report(Filters(scored.org.id, scored.now)).learners == 0
    for enrolment in enrolments:
        enrolment.withdrawn_at = None
    db.session.commit()
    _assert_kept_sums_are_right(scored)
    assert capability_report(Filters(scored.org.id, scored.now)).learners == 6


def test_moving_learners_reads_each_ones_enrolments_down_their_own_index(scored):
    """Whatever SQLite's statistics say (none, as after a bulk load, or ones making the organisation's index look
    selective), each learner's "has an enrolment" test reads their own enrolments: down the organisation's index
    it read every enrolment of the organisation per learner, and assigning a course to a cohort of 10,000 spent
    15 s moving them in the capability sums."""
    from lms.reports import competencies

    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        pytest.skip("SQLite's query planner: PostgreSQL keeps its own statistics")
    ran = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        ran.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        savepoint = db.session.begin_nested()  # the statement as a flush runs it, then undone
        connection.execute(competencies._moving("sqlite"), {"org": scored.org.id, "users": [1, 2, 3], "sign": 1})
        savepoint.rollback()
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    statement, parameters = next((s, p) for s, p in ran if s.startswith("INSERT INTO capability_totals"))
    try:
        connection.exec_driver_sql("ANALYZE")
        connection.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl = 'enrolments'")
        connection.exec_driver_sql(  # the organisation's index made to look as selective as can be
            "INSERT INTO sqlite_stat1 VALUES ('enrolments', 'ix_enrolments_org_course', '100000 1 1'), "
            "('enrolments', 'ix_enrolments_user_id', '100000 50')")
        connection.exec_driver_sql("ANALYZE sqlite_schema")  # reload the statistics
        plan = " | ".join(row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}",
                                                                       parameters))
    finally:
        connection.exec_driver_sql("DROP TABLE IF EXISTS sqlite_stat1")
        connection.exec_driver_sql("ANALYZE sqlite_schema")
    assert re.search(r"SEARCH enrolments_1 USING (COVERING )?INDEX \S+ \(user_id=\?", plan), plan
