"""The migration that makes statements carry their actor fills in existing rows: actor and instructor from users,
and revokes the tokens of organisations already inactive."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import column, insert, table, text

from lms.extensions import db

BEFORE = "46b3b6c82436"
WHEN = datetime(2026, 11, 2, 9, 0)


def _insert(conn, table_name: str, /, **values) -> None:
    conn.execute(insert(table(table_name, *(column(key) for key in values))).values(**values))


def _old_rows(conn) -> None:
    for org_id, active in ((1, True), (2, False)):
        _insert(conn, "organizations", id=org_id, slug=f"org-{org_id}", name=f"Org {org_id}", kind="client",
                timezone="Europe/London", is_active=active, created_at=WHEN)
    for user_id, email, name in ((1, "ada@northwind.example", "Ada Lovelace"), (2, "marcus@northwind.example",
                                                                               "Marcus Bell")):
        _insert(conn, "users", id=user_id, email=email, name=name, job_function="sales", is_platform_admin=False,
                is_active_user=True, reminders_opt_out=False, session_version=1, created_at=WHEN)
    statement = {"timestamp": WHEN, "stored": WHEN, "object_type": "course", "object_id": "tiny-course",
                 "organization_id": 1}
    _insert(conn, "statements", id="s-launched", actor_id=1, verb="launched", **statement)
    _insert(conn, "statements", id="s-assigned", actor_id=1, verb="assigned",
            context=json.dumps({"assigned_by": 2, "due_at": "2027-03-10T00:30:00Z"}), **statement)
    _insert(conn, "statements", id="s-platform", actor_id=None, verb="invited", **statement)
    for token_id, org_id in ((1, 1), (2, 2)):
        _insert(conn, "api_tokens", id=token_id, organization_id=org_id, name="BI", token_hash=f"{token_id:064d}",
                prefix="abm_xxxxxx", created_at=WHEN)


@pytest.mark.db
def test_existing_statements_get_their_actor_and_instructor_and_inactive_tokens_are_revoked(migrated_app):
    upgrade(revision=BEFORE)
    with db.engine.begin() as conn:
        _old_rows(conn)
    upgrade()
    with db.engine.connect() as conn:
        actors = dict(conn.execute(text("SELECT id, actor_email FROM statements")).all())
        names = dict(conn.execute(text("SELECT id, actor_name FROM statements")).all())
        context = conn.execute(text("SELECT context FROM statements WHERE id = 's-assigned'")).scalar()
        revoked = dict(conn.execute(text("SELECT id, revoked_at FROM api_tokens")).all())
    assert actors == {"s-launched": "ada@northwind.example", "s-assigned": "ada@northwind.example",
                      "s-platform": None}
    assert names["s-launched"] == "Ada Lovelace"
    context = json.loads(context) if isinstance(context, str) else context
    assert context == {"assigned_by": 2, "due_at": "2027-03-10T00:30:00Z",
                       "instructor": {"email": "marcus@northwind.example", "name": "Marcus Bell"}}
    assert revoked[1] is None and revoked[2] is not None

    downgrade(revision=BEFORE)
    with db.engine.connect() as conn:
        context = conn.execute(text("SELECT context FROM statements WHERE id = 's-assigned'")).scalar()
    context = json.loads(context) if isinstance(context, str) else context
    assert "instructor" not in context
