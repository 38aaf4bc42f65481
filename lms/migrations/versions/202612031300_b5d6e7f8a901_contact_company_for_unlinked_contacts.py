"""Contacts keep the company their CRM export named while no account matches it.

Revision ID: b5d6e7f8a901
Revises: a4c5d6e7f809
Create Date: 2026-12-03 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'b5d6e7f8a901'
down_revision = 'a4c5d6e7f809'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('company', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('company')
