"""The LRS: statements from other tools kept whole in the one store (source, verb/activity IRIs, actor IFI,
registration, voided, the document, the credential); Basic-auth credentials per tool; State and Profile documents;
mappings from other tools' statements to practices.

Revision ID: d970d44ca80f
Revises: adf6a19feb01
Create Date: 2026-12-03 09:25:06.502322

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd970d44ca80f'
down_revision = 'adf6a19feb01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lrs_credentials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('can_read', sa.Boolean(), nullable=False),
    sa.Column('can_write', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_lrs_credentials_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_lrs_credentials_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lrs_credentials')),
    sa.UniqueConstraint('key', name=op.f('uq_lrs_credentials_key'))
    )
    with op.batch_alter_table('lrs_credentials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lrs_credentials_organization_id'), ['organization_id'], unique=False)

    op.create_table('lrs_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('activity_id', sa.String(length=1000), nullable=False),
    sa.Column('agent_ifi', sa.String(length=600), nullable=False),
    sa.Column('registration', sa.String(length=36), nullable=False),
    sa.Column('document_id', sa.String(length=500), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('content_type', sa.String(length=200), nullable=False),
    sa.Column('etag', sa.String(length=64), nullable=False),
    sa.Column('updated', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_lrs_documents_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lrs_documents')),
    sa.UniqueConstraint('organization_id', 'kind', 'activity_id', 'agent_ifi', 'registration', 'document_id', name='uq_lrs_documents_key')
    )
    with op.batch_alter_table('lrs_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lrs_documents_organization_id'), ['organization_id'], unique=False)

    op.create_table('tool_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('credential_id', sa.Integer(), nullable=True),
    sa.Column('verb_iri', sa.String(length=500), nullable=True),
    sa.Column('activity_type', sa.String(length=500), nullable=True),
    sa.Column('activity_prefix', sa.String(length=1000), nullable=True),
    sa.Column('practice', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['credential_id'], ['lrs_credentials.id'], name=op.f('fk_tool_mappings_credential_id_lrs_credentials'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_tool_mappings_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tool_mappings'))
    )
    with op.batch_alter_table('tool_mappings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tool_mappings_organization_id'), ['organization_id'], unique=False)

    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=10), server_default='academy', nullable=False))
        batch_op.add_column(sa.Column('verb_iri', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('activity_iri', sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column('actor_ifi', sa.String(length=600), nullable=True))
        batch_op.add_column(sa.Column('registration', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('voided', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('document', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('credential_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_statements_credential_id'), ['credential_id'], unique=False)
        batch_op.create_index('ix_statements_org_activity_iri', ['organization_id', 'activity_iri'], unique=False)
        batch_op.create_index('ix_statements_org_actor_ifi', ['organization_id', 'actor_ifi'], unique=False)
        batch_op.create_index('ix_statements_org_verb_iri', ['organization_id', 'verb_iri'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_statements_credential_id_lrs_credentials'), 'lrs_credentials', ['credential_id'], ['id'], ondelete='SET NULL')

    op.create_table('lrs_attachments',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('sha2', sa.String(length=128), nullable=False),
    sa.Column('content_type', sa.String(length=200), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_lrs_attachments_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'sha2', name=op.f('pk_lrs_attachments'))
    )



def downgrade():
    op.drop_table('lrs_attachments')
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_statements_credential_id_lrs_credentials'), type_='foreignkey')
        batch_op.drop_index('ix_statements_org_verb_iri')
        batch_op.drop_index('ix_statements_org_actor_ifi')
        batch_op.drop_index('ix_statements_org_activity_iri')
        batch_op.drop_index(batch_op.f('ix_statements_credential_id'))
        batch_op.drop_column('credential_id')
        batch_op.drop_column('document')
        batch_op.drop_column('voided')
        batch_op.drop_column('registration')
        batch_op.drop_column('actor_ifi')
        batch_op.drop_column('activity_iri')
        batch_op.drop_column('verb_iri')
        batch_op.drop_column('source')

    with op.batch_alter_table('tool_mappings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tool_mappings_organization_id'))

    op.drop_table('tool_mappings')
    with op.batch_alter_table('lrs_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lrs_documents_organization_id'))

    op.drop_table('lrs_documents')
    with op.batch_alter_table('lrs_credentials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lrs_credentials_organization_id'))

    op.drop_table('lrs_credentials')
