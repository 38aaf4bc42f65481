"""The day of the learner's latest launch of a module, on their progress row: the module page records a "launched"
statement once per learner, module and day without querying the statements.

Existing rows start empty: on the day of the upgrade, a learner who had opened a module before it and opens it again
after it is recorded as launching it once more that day (one extra statement at most per learner and module).

Revision ID: f3a4b5c6d7e8
Revises: e1f2a3b4c5d6
Create Date: 2026-12-04 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3a4b5c6d7e8'
down_revision = 'e1f2a3b4c5d6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('module_progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('launched_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('module_progress', schema=None) as batch_op:
        batch_op.drop_column('launched_on')
