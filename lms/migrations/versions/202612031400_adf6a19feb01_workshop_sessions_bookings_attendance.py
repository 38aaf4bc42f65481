"""Workshop sessions with dated parts, bookings with waiting list and attendance, enquiries; courses say how they
run as a workshop (pre-work, attendance required, follow-up days); enrolments carry the attendance mark.

Revision ID: adf6a19feb01
Revises: b5d6e7f8a901
Create Date: 2026-12-03 08:55:06.814533

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'adf6a19feb01'
down_revision = 'b5d6e7f8a901'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('workshop_enquiries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('company', sa.String(length=200), nullable=False),
    sa.Column('team_size', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_workshop_enquiries_course_id_courses'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_workshop_enquiries_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_enquiries'))
    )
    with op.batch_alter_table('workshop_enquiries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_enquiries_user_id'), ['user_id'], unique=False)

    op.create_table('workshop_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('delivery', sa.String(length=20), nullable=False),
    sa.Column('venue_name', sa.String(length=200), nullable=False),
    sa.Column('venue_address', sa.Text(), nullable=False),
    sa.Column('join_url', sa.String(length=500), nullable=False),
    sa.Column('timezone', sa.String(length=60), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.Column('price_text', sa.String(length=200), nullable=False),
    sa.Column('booking_deadline', sa.DateTime(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('is_cancelled', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'], name=op.f('fk_workshop_sessions_coach_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_workshop_sessions_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_workshop_sessions_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_workshop_sessions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_workshop_sessions_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_sessions')),
    sa.UniqueConstraint('cohort_id', name=op.f('uq_workshop_sessions_cohort_id'))
    )
    with op.batch_alter_table('workshop_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_sessions_coach_id'), ['coach_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_sessions_course_id'), ['course_id'], unique=False)
        batch_op.create_index('ix_workshop_sessions_org_starts', ['organization_id', 'starts_at'], unique=False)

    op.create_table('workshop_bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('promoted_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('moved_to_id', sa.Integer(), nullable=True),
    sa.Column('attendance', sa.String(length=10), nullable=True),
    sa.Column('attendance_marked_at', sa.DateTime(), nullable=True),
    sa.Column('attendance_marked_by_id', sa.Integer(), nullable=True),
    sa.Column('reminded_week_at', sa.DateTime(), nullable=True),
    sa.Column('reminded_day_at', sa.DateTime(), nullable=True),
    sa.Column('next_offer_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['attendance_marked_by_id'], ['users.id'], name=op.f('fk_workshop_bookings_attendance_marked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['moved_to_id'], ['workshop_sessions.id'], name=op.f('fk_workshop_bookings_moved_to_id_workshop_sessions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_workshop_bookings_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['workshop_sessions.id'], name=op.f('fk_workshop_bookings_session_id_workshop_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_workshop_bookings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_bookings')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_workshop_bookings_session_id'))
    )
    with op.batch_alter_table('workshop_bookings', schema=None) as batch_op:
        batch_op.create_index('ix_workshop_bookings_session_status', ['session_id', 'status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_bookings_user_id'), ['user_id'], unique=False)

    op.create_table('workshop_session_parts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['workshop_sessions.id'], name=op.f('fk_workshop_session_parts_session_id_workshop_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_session_parts'))
    )
    with op.batch_alter_table('workshop_session_parts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_session_parts_session_id'), ['session_id'], unique=False)

    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prework', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('attendance_required', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('follow_up_days', sa.Integer(), nullable=False, server_default='14'))

    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attendance', sa.String(length=10), nullable=True))



def downgrade():
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_column('attendance')

    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('follow_up_days')
        batch_op.drop_column('attendance_required')
        batch_op.drop_column('prework')

    with op.batch_alter_table('workshop_session_parts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_session_parts_session_id'))

    op.drop_table('workshop_session_parts')
    with op.batch_alter_table('workshop_bookings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_bookings_user_id'))
        batch_op.drop_index('ix_workshop_bookings_session_status')

    op.drop_table('workshop_bookings')
    with op.batch_alter_table('workshop_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_workshop_sessions_org_starts')
        batch_op.drop_index(batch_op.f('ix_workshop_sessions_course_id'))
        batch_op.drop_index(batch_op.f('ix_workshop_sessions_coach_id'))

    op.drop_table('workshop_sessions')
    with op.batch_alter_table('workshop_enquiries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_enquiries_user_id'))

    op.drop_table('workshop_enquiries')
