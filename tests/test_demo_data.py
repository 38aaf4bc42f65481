"""`flask lms demo`: the demo organisation's team holds the people its CRM export names as account owners."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import select

from lms.abm.integrity import owner_problem
from lms.accounts.models import Workspace
from lms.accounts.workspaces import build_snapshot
from lms.content.sync import sync_content
from lms.demo import load_demo
from lms.extensions import db
from lms.practice.exercises import exercise_registry

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def app_config(app_config):
    app_config["COURSES_DIR"] = str(ROOT / "courses")
    return app_config


def test_the_demo_team_workspace_is_owned_by_members_of_the_team(app):
    sync_content(Path(current_app.config["COURSES_DIR"]), exercise_registry())
    load_demo("demo-password-1")
    db.session.commit()
    team = db.session.scalars(select(Workspace).where(Workspace.kind == "team")).one()
    snapshot = build_snapshot(team)
    names = {p.name for p in snapshot.team}
    assert {"Maya Okafor", "Sam Whitfield", "Dana Whitlock", "Hannah Kerr"} <= names
    owners = {o for a in snapshot.targets for o in (a.sales_owner, a.marketing_owner) if o}
    assert len(owners) == 7
    assert {o: owner_problem(o, snapshot) for o in owners} == dict.fromkeys(owners)
    load_demo("demo-password-1")  # idempotent: nobody added twice
    db.session.commit()
    assert len(build_snapshot(team).team) == len(snapshot.team)
