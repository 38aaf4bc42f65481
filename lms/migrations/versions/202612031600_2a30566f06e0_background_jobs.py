"""background jobs: one row per report PDF, certificate batch, large import or recurring task, with its status,
progress, result file and error

Revision ID: 2a30566f06e0
Revises: d970d44ca80f
Create Date: 2026-12-03 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2a30566f06e0'
down_revision = 'd970d44ca80f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("handler", sa.String(length=200), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("file_path", sa.String(length=500), nullable=True),
        sa.Column("file_name", sa.String(length=300), nullable=True),
        sa.Column("file_type", sa.String(length=100), nullable=True),
        sa.Column("back_url", sa.String(length=500), nullable=False),
        sa.Column("next_url", sa.String(length=500), nullable=False),
        sa.Column("next_label", sa.String(length=100), nullable=False),
        sa.Column("timeout", sa.Integer(), nullable=False),
        sa.Column("on_worker", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name=op.f("fk_jobs_organization_id_organizations"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_jobs_user_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs") as batch:
        batch.create_index("ix_jobs_org_kind_subject", ["organization_id", "kind", "subject"], unique=False)
        batch.create_index(batch.f("ix_jobs_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("jobs") as batch:
        batch.drop_index(batch.f("ix_jobs_user_id"))
        batch.drop_index("ix_jobs_org_kind_subject")
    op.drop_table("jobs")
