"""One verdict per account per review link: a unique key on (account_id, invitation_id).

The link's form refused a second verdict, but two requests at once (a double click) could both store one, because
the key on (account_id, reviewer_id) does not hold guests, whose reviewer_id is empty. Where that happened, the
latest verdict is kept: it is the one the account shows (each verdict sets the account's own fields).

Revision ID: f9a0b1c2d3e4
Revises: e8f9a0b1c2d3
Create Date: 2026-12-04 16:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f9a0b1c2d3e4'
down_revision = 'e8f9a0b1c2d3'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM account_reviews WHERE invitation_id IS NOT NULL AND id NOT IN ("
               "SELECT max(id) FROM account_reviews WHERE invitation_id IS NOT NULL "
               "GROUP BY account_id, invitation_id)")
    with op.batch_alter_table('account_reviews', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_account_reviews_guest_verdict', ['account_id', 'invitation_id'])


def downgrade():
    with op.batch_alter_table('account_reviews', schema=None) as batch_op:
        batch_op.drop_constraint('uq_account_reviews_guest_verdict', type_='unique')
