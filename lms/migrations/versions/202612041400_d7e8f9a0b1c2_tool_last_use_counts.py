"""How many people last used each tool in each week (`tool_last_use_counts`), per organisation and job function:
tool usage over a period that runs to today adds up these rows instead of counting a row per person and tool.
tool_last_use keeps each row's previous week and function (`was_week`, `was_function`), so the roll-up's upsert
returns how it moved someone.

Filled here from tool_last_use, so the adoption report is right straight after the upgrade; the roll-up keeps it
with tool_last_use from then on, and `flask lms rollup --rebuild` recomputes it.

Revision ID: d7e8f9a0b1c2
Revises: c6d7e8f9a0b1
Create Date: 2026-12-04 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7e8f9a0b1c2'
down_revision = 'c6d7e8f9a0b1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tool_last_use_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('tool', sa.String(length=160), nullable=False),
    sa.Column('job_function', sa.String(length=20), nullable=False),
    sa.Column('last_week', sa.Date(), nullable=False),
    sa.Column('users', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_tool_last_use_counts_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tool_last_use_counts')),
    sa.UniqueConstraint('organization_id', 'tool', 'job_function', 'last_week', name=op.f('uq_tool_last_use_counts_organization_id'))
    )
    with op.batch_alter_table('tool_last_use', schema=None) as batch_op:
        batch_op.add_column(sa.Column('was_function', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('was_week', sa.Date(), nullable=True))
    op.execute(
        "INSERT INTO tool_last_use_counts (organization_id, tool, job_function, last_week, users) "
        "SELECT organization_id, tool, job_function, last_week, count(*) FROM tool_last_use "
        "GROUP BY organization_id, tool, job_function, last_week")


def downgrade():
    op.drop_table('tool_last_use_counts')
    with op.batch_alter_table('tool_last_use', schema=None) as batch_op:
        batch_op.drop_column('was_week')
        batch_op.drop_column('was_function')
