"""knowledge checks keep the first attempt: question_answers.first_correct, module_progress.first_score

Retries are unlimited and the best score ends at 100% for everyone who persists, so reports read the first
attempt. Existing answers answered once keep that answer as the first; answers retried are taken as wrong at the
first attempt (learners retry after a wrong answer: the best guess the rows allow). Module first scores are then
computed from those.

Revision ID: 8e2c3d4f5a71
Revises: 5c0a9e1d2b7f
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8e2c3d4f5a71'
down_revision = '5c0a9e1d2b7f'
branch_labels = None
depends_on = None

answers = sa.table("question_answers", sa.column("user_id", sa.Integer), sa.column("module_id", sa.Integer),
                   sa.column("organization_id", sa.Integer), sa.column("is_correct", sa.Boolean),
                   sa.column("attempts", sa.Integer), sa.column("first_correct", sa.Boolean))
progress = sa.table("module_progress", sa.column("user_id", sa.Integer), sa.column("module_id", sa.Integer),
                    sa.column("organization_id", sa.Integer), sa.column("first_score", sa.Integer))
modules = sa.table("modules", sa.column("id", sa.Integer), sa.column("questions", sa.JSON))


def upgrade():
    with op.batch_alter_table("question_answers") as batch:
        batch.add_column(sa.Column("first_correct", sa.Boolean(), nullable=True))
    with op.batch_alter_table("module_progress") as batch:
        batch.add_column(sa.Column("first_score", sa.Integer(), nullable=True))
    op.execute(answers.update().values(first_correct=sa.and_(answers.c.attempts == 1, answers.c.is_correct)))
    bind = op.get_bind()
    counts = {mid: len(qs or []) for mid, qs in bind.execute(sa.select(modules.c.id, modules.c.questions))}
    right = bind.execute(
        sa.select(answers.c.user_id, answers.c.module_id, answers.c.organization_id,
                  sa.func.sum(sa.case((answers.c.first_correct.is_(True), 1), else_=0)))
        .group_by(answers.c.user_id, answers.c.module_id, answers.c.organization_id))
    for user_id, module_id, org_id, correct in right:
        if counts.get(module_id):
            bind.execute(progress.update().where(
                progress.c.user_id == user_id, progress.c.module_id == module_id,
                progress.c.organization_id == org_id).values(first_score=round(100 * int(correct or 0) / counts[module_id])))


def downgrade():
    with op.batch_alter_table("module_progress") as batch:
        batch.drop_column("first_score")
    with op.batch_alter_table("question_answers") as batch:
        batch.drop_column("first_correct")
