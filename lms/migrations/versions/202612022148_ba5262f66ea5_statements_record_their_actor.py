"""statements record their actor (and instructor) as xAPI does; tokens of inactive organisations revoked

Tracking no longer joins identity's tables to serve statements: each statement keeps the actor's email and name it
was recorded with, and an assignment's instructor in its context. Existing rows are filled in from users as they
are now. Identity revokes an organisation's API tokens when it deactivates it, so tokens of organisations that are
inactive already are revoked here.

Revision ID: ba5262f66ea5
Revises: 46b3b6c82436
Create Date: 2026-12-02 21:48:19

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ba5262f66ea5'
down_revision = '46b3b6c82436'
branch_labels = None
depends_on = None

# The verbs learning's assignments record with an `assigned_by` user id in the context.
ASSIGNMENT_VERBS = ("assigned", "rescheduled", "withdrew")
BATCH = 1000

users = sa.table("users", sa.column("id", sa.Integer), sa.column("email", sa.String), sa.column("name", sa.String))
statements = sa.table("statements", sa.column("id", sa.String), sa.column("actor_id", sa.Integer),
                      sa.column("actor_email", sa.String), sa.column("actor_name", sa.String),
                      sa.column("verb", sa.String), sa.column("context", sa.JSON))
organizations = sa.table("organizations", sa.column("id", sa.Integer), sa.column("is_active", sa.Boolean))
api_tokens = sa.table("api_tokens", sa.column("organization_id", sa.Integer), sa.column("revoked_at", sa.DateTime))


def upgrade():
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('actor_name', sa.String(length=200), nullable=True))
        batch_op.create_index('ix_statements_org_actor_email', ['organization_id', 'actor_email', 'actor_id'],
                              unique=False)

    bind = op.get_bind()
    actor = users.alias("actor")
    bind.execute(statements.update().where(statements.c.actor_id.is_not(None)).values(
        actor_email=sa.select(actor.c.email).where(actor.c.id == statements.c.actor_id).scalar_subquery(),
        actor_name=sa.select(actor.c.name).where(actor.c.id == statements.c.actor_id).scalar_subquery(),
    ))
    _record_instructors(bind)
    inactive = sa.select(organizations.c.id).where(organizations.c.is_active.is_(sa.false()))
    bind.execute(api_tokens.update()
                 .where(api_tokens.c.revoked_at.is_(None), api_tokens.c.organization_id.in_(inactive))
                 .values(revoked_at=datetime.now(UTC).replace(tzinfo=None)))


def _assignment_contexts(bind):
    rows = bind.execute(sa.select(statements.c.id, statements.c.context)
                        .where(statements.c.verb.in_(ASSIGNMENT_VERBS))).all()
    return [(row.id, row.context) for row in rows if isinstance(row.context, dict)]


def _record_instructors(bind):
    """Copy the manager named by `assigned_by` into the context as the recorded instructor."""
    rows = [(sid, context) for sid, context in _assignment_contexts(bind)
            if isinstance(context.get("assigned_by"), int) and "instructor" not in context]
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]
        ids = {context["assigned_by"] for _, context in batch}
        people = {row.id: (row.email, row.name)
                  for row in bind.execute(sa.select(users.c.id, users.c.email, users.c.name).where(users.c.id.in_(ids)))}
        for sid, context in batch:
            person = people.get(context["assigned_by"])
            if person:
                bind.execute(statements.update().where(statements.c.id == sid).values(
                    context={**context, "instructor": {"email": person[0], "name": person[1]}}))


def downgrade():
    bind = op.get_bind()
    for sid, context in _assignment_contexts(bind):
        if "instructor" in context:
            bind.execute(statements.update().where(statements.c.id == sid).values(
                context={k: v for k, v in context.items() if k != "instructor"}))
    # Tokens revoked because their organisation was inactive stay revoked.
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_index('ix_statements_org_actor_email')
        batch_op.drop_column('actor_name')
        batch_op.drop_column('actor_email')
