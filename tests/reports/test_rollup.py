"""The activity roll-up: incremental, idempotent, rebuildable, and run by `flask lms rollup`."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from lms.database import utcnow
from lms.extensions import db
from lms.reports.models import ActivityWeekly, RollupState
from lms.reports.rollup import ROLLUP, refresh_activity
from lms.tracking.models import Statement
from lms.tracking.services import record
from tests.factories import make_org, make_user


def _at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day) + timedelta(hours=hour)


def test_rollup_is_idempotent_and_incremental(app):
    org = make_org("Inc", slug="inc")
    user = make_user(org, ("learner",), email="inc@inc.example")
    record(user, "launched", ("module", "c/m", "M"), organization_id=org.id, timestamp=_at("2026-01-05"))
    db.session.commit()
    later = utcnow() + timedelta(days=1)
    assert refresh_activity(until=later).statements == 1
    assert refresh_activity(until=later).statements == 0  # nothing new: nothing counted twice
    record(user, "answered", ("question", "c/m#q", "Q"), organization_id=org.id, timestamp=_at("2026-01-06"))
    db.session.flush()
    # The new statement was stored after the watermark: the next run adds exactly it.
    db.session.query(Statement).filter_by(verb="answered").update({"stored": later + timedelta(seconds=1)})
    db.session.commit()
    assert refresh_activity(until=later + timedelta(minutes=5)).statements == 1
    rows = db.session.scalars(select(ActivityWeekly)).all()
    assert [(r.week_start, r.statements) for r in rows] == [(date(2026, 1, 5), 2)]
    assert db.session.get(RollupState, ROLLUP).processed_to == later + timedelta(minutes=5)
    assert refresh_activity(rebuild=True, until=later + timedelta(minutes=5)).statements == 2
    assert db.session.scalars(select(ActivityWeekly.statements)).all() == [2]


def test_rollup_command(runner, app):
    org = make_org("Cmd", slug="cmd")
    user = make_user(org, ("learner",), email="cmd@cmd.example")
    record(user, "launched", ("module", "c/m", "M"), organization_id=org.id,
           timestamp=utcnow() - timedelta(days=3))
    db.session.commit()
    db.session.query(Statement).update({"stored": utcnow() - timedelta(hours=1)})
    db.session.commit()
    result = runner.invoke(args=["lms", "rollup"])
    assert result.exit_code == 0, result.output
    assert "Rolled up 1 statements" in result.output
    assert "Rolled up 0 statements" in runner.invoke(args=["lms", "rollup"]).output
