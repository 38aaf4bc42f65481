"""The adoption funnel per cohort kept current (`cohort_funnels`): learners, activated and each first-time
milestone, counted as they change. `learner_milestones.added_first_steps` records which first-time milestones the
roll-up's last upsert of a row set, and an index on first course completions finds those who completed.

Filled here from the cohorts' members, so the adoption report is right straight after the upgrade;
`flask lms rollup --rebuild` recomputes it too.

Revision ID: e8f9a0b1c2d3
Revises: d7e8f9a0b1c2
Create Date: 2026-12-04 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e8f9a0b1c2d3'
down_revision = 'd7e8f9a0b1c2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cohort_funnels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('learners', sa.Integer(), nullable=False),
    sa.Column('activated', sa.Integer(), nullable=False),
    sa.Column('first_module', sa.Integer(), nullable=False),
    sa.Column('first_import', sa.Integer(), nullable=False),
    sa.Column('first_run', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_cohort_funnels_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_cohort_funnels_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_funnels')),
    sa.UniqueConstraint('cohort_id', name=op.f('uq_cohort_funnels_cohort_id'))
    )
    with op.batch_alter_table('cohort_funnels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_funnels_organization_id'), ['organization_id'], unique=False)
    with op.batch_alter_table('learner_milestones', schema=None) as batch_op:
        batch_op.add_column(sa.Column('added_first_steps', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index('ix_learner_milestones_org_course', ['organization_id', 'first_course_at'], unique=False)
    op.execute(
        "INSERT INTO cohort_funnels (organization_id, cohort_id, learners, activated, first_module, first_import, "
        "first_run, completed) "
        "SELECT c.organization_id, m.cohort_id, count(*), count(u.activated_at), count(lm.first_module_at), "
        "count(lm.first_import_at), count(lm.first_run_at), count(lm.first_course_at) "
        "FROM cohort_members m JOIN cohorts c ON c.id = m.cohort_id JOIN users u ON u.id = m.user_id "
        "LEFT JOIN learner_milestones lm ON lm.user_id = m.user_id AND lm.organization_id = c.organization_id "
        "WHERE m.role = 'learner' GROUP BY c.organization_id, m.cohort_id")


def downgrade():
    with op.batch_alter_table('learner_milestones', schema=None) as batch_op:
        batch_op.drop_index('ix_learner_milestones_org_course')
        batch_op.drop_column('added_first_steps')
    with op.batch_alter_table('cohort_funnels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohort_funnels_organization_id'))
    op.drop_table('cohort_funnels')
