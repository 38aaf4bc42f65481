"""How many statements the roll-up has counted for each learner (`learner_milestones.statements`), with an index by
organisation: the adoption report's A-players take their most active candidates down it instead of summing every
learner's weeks.

Filled here from the statements the roll-up has counted, so the report is right straight after the upgrade;
`flask lms rollup --rebuild` recomputes it too.

Revision ID: c6d7e8f9a0b1
Revises: b5c6d7e8f9a0
Create Date: 2026-12-04 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c6d7e8f9a0b1'
down_revision = 'b5c6d7e8f9a0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('learner_milestones', schema=None) as batch_op:
        batch_op.add_column(sa.Column('statements', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index('ix_learner_milestones_org_statements', ['organization_id', 'statements'], unique=False)
    op.get_bind().execute(sa.text(
        "UPDATE learner_milestones SET statements = (SELECT count(*) FROM statements s "
        "WHERE s.organization_id = learner_milestones.organization_id AND s.actor_id = learner_milestones.user_id "
        "AND s.rolled_up = :counted)"), {"counted": True})


def downgrade():
    with op.batch_alter_table('learner_milestones', schema=None) as batch_op:
        batch_op.drop_index('ix_learner_milestones_org_statements')
        batch_op.drop_column('statements')
