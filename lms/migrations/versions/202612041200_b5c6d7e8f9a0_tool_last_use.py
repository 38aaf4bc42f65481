"""The week each person last used each tool (`tool_last_use`): tool usage over a period that runs to today counts one
row per person and tool instead of distinct people over weekly bits.

Filled here from tool_weekly (with each person's job function now), so the adoption report is right straight after
the upgrade; `flask lms rollup --rebuild` recomputes it too.

Revision ID: b5c6d7e8f9a0
Revises: a4b5c6d7e8f9
Create Date: 2026-12-04 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5c6d7e8f9a0'
down_revision = 'a4b5c6d7e8f9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tool_last_use',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('tool', sa.String(length=160), nullable=False),
    sa.Column('job_function', sa.String(length=20), nullable=False),
    sa.Column('last_week', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_tool_last_use_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tool_last_use_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tool_last_use')),
    sa.UniqueConstraint('organization_id', 'user_id', 'tool', name=op.f('uq_tool_last_use_organization_id'))
    )
    with op.batch_alter_table('tool_last_use', schema=None) as batch_op:
        batch_op.create_index('ix_tool_last_use_org_tool', ['organization_id', 'tool', 'job_function', 'last_week'], unique=False)
        batch_op.create_index(batch_op.f('ix_tool_last_use_user_id'), ['user_id'], unique=False)
    op.execute(
        "INSERT INTO tool_last_use (organization_id, user_id, tool, job_function, last_week) "
        "SELECT t.organization_id, t.user_id, t.tool, u.job_function, max(t.week_start) FROM tool_weekly t "
        "JOIN users u ON u.id = t.user_id GROUP BY t.organization_id, t.user_id, t.tool, u.job_function")


def downgrade():
    with op.batch_alter_table('tool_last_use', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tool_last_use_user_id'))
        batch_op.drop_index('ix_tool_last_use_org_tool')
    op.drop_table('tool_last_use')
