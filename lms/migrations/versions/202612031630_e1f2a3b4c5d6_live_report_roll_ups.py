"""Report roll-ups kept current: statements flagged once counted (`rolled_up`, with a partial index of those not
yet counted, replacing the `stored` watermark's index), distinct active learners per organisation and week or month,
and each learner's capability figures per competency.

Existing statements up to the old watermark are marked counted, and active_learners is filled from activity_weekly,
so activity figures carry on without a rebuild. The capability rows are filled by `flask lms rollup --rebuild`
(run once after this upgrade; the README says so).

Revision ID: e1f2a3b4c5d6
Revises: 2a30566f06e0
Create Date: 2026-12-03 12:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1f2a3b4c5d6'
down_revision = '2a30566f06e0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rolled_up', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE statements SET rolled_up = true WHERE stored <= "
               "(SELECT processed_to FROM rollup_state WHERE name = 'activity_weekly')")
    op.drop_index('ix_statements_stored', table_name='statements')
    op.create_index('ix_statements_not_rolled_up', 'statements', ['rolled_up'], unique=False,
                    sqlite_where=sa.text('rolled_up = 0'), postgresql_where=sa.text('rolled_up = false'))

    op.create_table('active_learners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=5), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('learners', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_active_learners_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_active_learners')),
    sa.UniqueConstraint('organization_id', 'period', 'period_start', name=op.f('uq_active_learners_organization_id'))
    )
    for period, column in (("week", "week_start"), ("month", "month_start")):
        op.execute(
            "INSERT INTO active_learners (organization_id, period, period_start, learners) "
            f"SELECT a.organization_id, '{period}', a.{column}, count(DISTINCT a.user_id) FROM activity_weekly a "
            "JOIN memberships m ON m.organization_id = a.organization_id AND m.user_id = a.user_id "
            f"AND m.role = 'learner' GROUP BY a.organization_id, a.{column}")

    op.create_table('learner_competencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('competency', sa.String(length=80), nullable=False),
    sa.Column('pre', sa.SmallInteger(), nullable=True),
    sa.Column('post', sa.SmallInteger(), nullable=True),
    sa.Column('knowledge', sa.SmallInteger(), nullable=True),
    sa.Column('applied', sa.SmallInteger(), nullable=True),
    sa.Column('rating', sa.SmallInteger(), nullable=True),
    sa.Column('capability', sa.SmallInteger(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_learner_competencies_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_learner_competencies_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learner_competencies')),
    sa.UniqueConstraint('organization_id', 'user_id', 'competency', name=op.f('uq_learner_competencies_organization_id'))
    )
    with op.batch_alter_table('learner_competencies', schema=None) as batch_op:
        batch_op.create_index('ix_learner_competencies_org_comp', ['organization_id', 'competency', 'user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_learner_competencies_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('learner_competencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learner_competencies_user_id'))
        batch_op.drop_index('ix_learner_competencies_org_comp')
    op.drop_table('learner_competencies')
    op.drop_table('active_learners')
    op.drop_index('ix_statements_not_rolled_up', table_name='statements')
    op.create_index('ix_statements_stored', 'statements', ['stored'], unique=False)
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_column('rolled_up')
