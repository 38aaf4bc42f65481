"""sales agreement means something: how each verdict came, guest review links, reviews by people without a login

Accounts record how sales' verdict came (sales_agreed_via: "sales", "guest" or "coach"). Existing rows keep NULL:
agreement that did not come through sign-off (for instance from an imported file) does not count. A learner can
invite a sales colleague without a login to review their target list through an expiring link
(account_review_invitations, only the token's hash stored); such a review has no reviewer_id, so account_reviews
keeps the reviewer's name, email, the invitation and the path of each verdict.

Revision ID: 5c0a9e1d2b7f
Revises: ba5262f66ea5
Create Date: 2026-12-03 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c0a9e1d2b7f'
down_revision = 'ba5262f66ea5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_review_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_name', sa.String(length=200), nullable=False),
    sa.Column('reviewer_email', sa.String(length=254), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                            name=op.f('fk_account_review_invitations_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                            name=op.f('fk_account_review_invitations_organization_id_organizations'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'],
                            name=op.f('fk_account_review_invitations_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_review_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_account_review_invitations_token_hash'))
    )
    with op.batch_alter_table('account_review_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_review_invitations_organization_id'), ['organization_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_account_review_invitations_workspace_id'), ['workspace_id'],
                              unique=False)

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sales_agreed_via', sa.String(length=10), nullable=True))

    with op.batch_alter_table('account_reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invitation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewer_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('reviewer_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('via', sa.String(length=10), nullable=True))
        batch_op.alter_column('reviewer_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_account_reviews_invitation_id'), ['invitation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_account_reviews_invitation_id_account_review_invitations'),
                                    'account_review_invitations', ['invitation_id'], ['id'], ondelete='SET NULL')


def downgrade():
    # Reviews by invited colleagues have no user to keep them by: they go, as the invitations do.
    op.execute(sa.text("DELETE FROM account_reviews WHERE reviewer_id IS NULL"))
    with op.batch_alter_table('account_reviews', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_account_reviews_invitation_id_account_review_invitations'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_account_reviews_invitation_id'))
        batch_op.alter_column('reviewer_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('via')
        batch_op.drop_column('reviewer_email')
        batch_op.drop_column('reviewer_name')
        batch_op.drop_column('invitation_id')

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('sales_agreed_via')

    with op.batch_alter_table('account_review_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_review_invitations_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_account_review_invitations_organization_id'))

    op.drop_table('account_review_invitations')
