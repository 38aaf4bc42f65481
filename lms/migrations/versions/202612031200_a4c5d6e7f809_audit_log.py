"""the audit log; organisations get a seat limit; a module review can be recorded in the app

The audit log says who did what to whom, and when (personal-data exports, deletion requests, erasures,
organisation changes, module reviews).

Revision ID: a4c5d6e7f809
Revises: 9f3d4e5a6b82
Create Date: 2026-12-03 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4c5d6e7f809'
down_revision = '9f3d4e5a6b82'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("subject_name", sa.String(length=300), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_audit_entries_actor_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name=op.f("fk_audit_entries_organization_id_organizations"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries") as batch:
        batch.create_index("ix_audit_entries_org_at", ["organization_id", "at"], unique=False)
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(sa.Column("seat_limit", sa.Integer(), nullable=True))
    with op.batch_alter_table("modules") as batch:
        batch.add_column(sa.Column("reviewed_by", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("reviewed_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("modules") as batch:
        batch.drop_column("reviewed_on")
        batch.drop_column("reviewed_by")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("seat_limit")
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_index("ix_audit_entries_org_at")
    op.drop_table("audit_entries")
