"""server-side sessions; public sign-ups confirm their email; emailed tokens have a purpose

Each signed-in browser becomes a user_sessions row, so signing out, a password reset and "sign out everywhere"
end the session for real. Everyone who exists today is taken as confirmed (they were invited, created by an
admin, or signed up and used the account). Session cookies issued before this revision carry no session token
and stop working: everyone signs in once more.

Revision ID: 9f3d4e5a6b82
Revises: 8e2c3d4f5a71
Create Date: 2026-12-03 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9f3d4e5a6b82'
down_revision = '8e2c3d4f5a71'
branch_labels = None
depends_on = None

users = sa.table("users", sa.column("created_at", sa.DateTime), sa.column("email_confirmed_at", sa.DateTime))


def upgrade():
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    with op.batch_alter_table("user_sessions") as batch:
        batch.create_index(batch.f("ix_user_sessions_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email_confirmed_at", sa.DateTime(), nullable=True))
    op.execute(users.update().values(email_confirmed_at=users.c.created_at))
    with op.batch_alter_table("password_reset_tokens") as batch:
        batch.add_column(sa.Column("purpose", sa.String(length=10), nullable=False, server_default="reset"))


def downgrade():
    with op.batch_alter_table("password_reset_tokens") as batch:
        batch.drop_column("purpose")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email_confirmed_at")
    with op.batch_alter_table("user_sessions") as batch:
        batch.drop_index(batch.f("ix_user_sessions_user_id"))
    op.drop_table("user_sessions")
