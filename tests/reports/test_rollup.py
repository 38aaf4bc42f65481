"""The activity roll-ups: counted in the transaction that stores a statement, never twice, rebuildable, and
completed by `flask lms rollup` for statements inserted in bulk."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import delete, event, select

from lms.database import utcnow
from lms.extensions import db
from lms.reports.models import ActiveLearners, ActivityWeekly, LearnerMilestone, RollupState, ToolUses
from lms.reports.rollup import ROLLUP, add_loaded_statements, refresh_activity
from lms.tracking.models import Statement
from lms.tracking.services import record
from tests.factories import make_org, make_user
from tests.reports.conftest import bulk_statement


def _at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day) + timedelta(hours=hour)


def _weekly() -> list[tuple[date, int]]:
    return [(r.week_start, r.statements) for r in db.session.scalars(select(ActivityWeekly))]


def _active() -> list[tuple[str, date, int]]:
    return sorted((r.period, r.period_start, r.learners) for r in db.session.scalars(select(ActiveLearners)))


def test_a_committed_statement_is_in_the_roll_ups_at_once(app):
    org = make_org("Live", slug="live")
    user = make_user(org, ("learner",), email="live@live.example")
    record(user, "launched", ("module", "c/m", "M"), organization_id=org.id, timestamp=_at("2026-01-05"))
    db.session.commit()
    assert _weekly() == [(date(2026, 1, 5), 1)]  # no cron run needed
    assert _active() == [("month", date(2026, 1, 1), 1), ("week", date(2026, 1, 5), 1)]
    assert db.session.scalar(select(ToolUses.uses).where(ToolUses.tool == "modules")) == 1
    assert refresh_activity().statements == 0  # already counted: nothing counted twice
    record(user, "answered", ("question", "c/m#q", "Q"), organization_id=org.id, timestamp=_at("2026-01-06"))
    db.session.commit()
    assert _weekly() == [(date(2026, 1, 5), 2)]
    assert _active() == [("month", date(2026, 1, 1), 1), ("week", date(2026, 1, 5), 1)]  # the same learner
    record(user, "answered", ("question", "c/m#q", "Q"), organization_id=org.id, timestamp=_at("2026-02-02"))
    db.session.commit()
    assert _active() == [("month", date(2026, 1, 1), 1), ("month", date(2026, 2, 1), 1),
                         ("week", date(2026, 1, 5), 1), ("week", date(2026, 2, 2), 1)]
    live = _active()
    assert refresh_activity(rebuild=True).statements == 3
    assert sorted(_weekly()) == [(date(2026, 1, 5), 2), (date(2026, 2, 2), 1)]
    assert _active() == live  # a rebuild counts what the live roll-up counted


def test_a_rolled_back_statement_is_not_counted(app):
    org = make_org("Back", slug="back")
    user = make_user(org, ("learner",), email="back@back.example")
    db.session.commit()
    record(user, "launched", ("module", "c/m", "M"), organization_id=org.id, timestamp=_at("2026-01-05"))
    db.session.flush()
    db.session.rollback()
    record(user, "launched", ("module", "c/m", "M"), organization_id=org.id, timestamp=_at("2026-03-02"))
    db.session.commit()
    assert _weekly() == [(date(2026, 3, 2), 1)]


def test_only_learners_count_as_active_learners(app):
    org = make_org("Roles", slug="roles")
    manager = make_user(org, ("manager",), email="boss@roles.example")
    learner = make_user(org, ("learner",), email="ann@roles.example")
    record(manager, "viewed", ("report", "adoption", "Adoption"), organization_id=org.id,
           timestamp=_at("2026-01-05"))
    record(learner, "launched", ("module", "c/m", "M"), organization_id=org.id, timestamp=_at("2026-01-05"))
    db.session.commit()
    assert _active() == [("month", date(2026, 1, 1), 1), ("week", date(2026, 1, 5), 1)]


def test_statements_inserted_in_bulk_are_counted_by_the_next_commit_that_records_one(app):
    org = make_org("Bulk", slug="bulk")
    user = make_user(org, ("learner",), email="bulk@bulk.example")
    db.session.commit()
    bulk_statement(org.id, user.id, _at("2026-01-05"))
    record(user, "imported", ("crm-activity-export", "a.csv", "a.csv"), organization_id=org.id,
           timestamp=_at("2026-01-06"))
    db.session.commit()
    assert _weekly() == [(date(2026, 1, 5), 2)]
    milestone = db.session.scalar(select(LearnerMilestone))
    assert milestone.first_import_at == _at("2026-01-06")


def test_rollup_command_counts_what_was_left(runner, app):
    org = make_org("Cmd", slug="cmd")
    user = make_user(org, ("learner",), email="cmd@cmd.example")
    db.session.commit()
    bulk_statement(org.id, user.id, utcnow() - timedelta(days=3))
    db.session.commit()  # a bulk insert alone does not trigger the roll-up
    assert _weekly() == []
    result = runner.invoke(args=["lms", "rollup"])
    assert result.exit_code == 0, result.output
    assert "Rolled up 1 statements" in result.output
    assert "Rolled up 0 statements" in runner.invoke(args=["lms", "rollup"]).output
    assert db.session.get(RollupState, ROLLUP).refreshed_at is not None
    assert sum(n for _, n in _weekly()) == 1


def test_a_rebuild_counts_every_statement_and_rewrites_only_the_flags_of_those_never_counted(app):
    org = make_org("Again", slug="again")
    user = make_user(org, ("learner",), email="again@again.example")
    record(user, "launched", ("module", "c/m", "M"), organization_id=org.id, timestamp=_at("2026-01-05"))
    db.session.commit()
    bulk_statement(org.id, user.id, _at("2026-01-06"))  # never counted
    db.session.commit()
    written = []

    def updated_statements(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE STATEMENTS"):
            written.append(cursor.rowcount)

    event.listen(db.engine, "after_cursor_execute", updated_statements)
    try:
        assert refresh_activity(rebuild=True).statements == 2
        assert written == [1]  # the bulk statement's flag only: the counted one is not rewritten
        assert _weekly() == [(date(2026, 1, 5), 2)]
        assert refresh_activity().statements == 0  # both are counted now
        written.clear()
        refresh_activity(rebuild=True)
        assert written == [0]  # nothing left to mark
        assert _weekly() == [(date(2026, 1, 5), 2)]
    finally:
        event.remove(db.engine, "after_cursor_execute", updated_statements)


def test_statements_loaded_in_bulk_are_counted_in_one_pass_as_the_live_roll_up_counts_them(app):
    org = make_org("Loaded", slug="loaded")
    other = make_org("Other", slug="other")
    ann = make_user(org, ("learner",), email="ann@loaded.example")
    ben = make_user(org, ("learner",), email="ben@loaded.example")
    olly = make_user(other, ("learner",), email="olly@other.example")
    db.session.commit()
    days = [("2026-01-05", ann), ("2026-01-06", ann), ("2026-01-07", ben), ("2026-02-02", ben)]
    for day, user in days:
        bulk_statement(org.id, user.id, _at(day))
    bulk_statement(other.id, olly.id, _at("2026-01-05"))
    assert add_loaded_statements(org.id) == 4
    assert add_loaded_statements(org.id) == 0  # marked counted
    loaded = (sorted(_weekly()), _active())
    assert loaded == ([(date(2026, 1, 5), 1), (date(2026, 1, 5), 2), (date(2026, 2, 2), 1)],
                      [("month", date(2026, 1, 1), 2), ("month", date(2026, 2, 1), 1),
                       ("week", date(2026, 1, 5), 2), ("week", date(2026, 2, 2), 1)])
    assert refresh_activity().statements == 1  # the other organisation's statement was left for the next pass
    db.session.execute(delete(Statement).where(Statement.organization_id == other.id))
    assert refresh_activity(rebuild=True).statements == 4
    assert (sorted(_weekly()), _active()) == loaded  # what a rebuild counts
