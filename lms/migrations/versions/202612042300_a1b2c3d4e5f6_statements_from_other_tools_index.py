"""Other tools' statements, latest first: a partial index on (organization_id, stored, id) for source lrs or csv.

The connected tools page shows an organisation's latest statements from other tools. Without this index the
database walked the organisation's statements newest first until it found twenty from other tools: all of them,
when it has none (1.4 s at 1,000,000 statements). The index holds only those statements, so the academy's own
(nearly all of them) do not pay for it on each insert.

On PostgreSQL, creating it locks writes to the statements table while it builds; on a large table, create it by
hand first with CREATE INDEX CONCURRENTLY (same name and definition), and this migration then leaves it be.

Revision ID: a1b2c3d4e5f6
Revises: f9a0b1c2d3e4
Create Date: 2026-12-04 23:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a1b2c3d4e5f6'
down_revision = 'f9a0b1c2d3e4'
branch_labels = None
depends_on = None

CONDITION = "source IN ('lrs', 'csv')"


def upgrade():
    op.create_index('ix_statements_external', 'statements', ['organization_id', 'stored', 'id'], unique=False,
                    sqlite_where=sa.text(CONDITION), postgresql_where=sa.text(CONDITION), if_not_exists=True)


def downgrade():
    op.drop_index('ix_statements_external', table_name='statements')
