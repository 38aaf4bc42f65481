"""The capability report's kept sums: `capability_totals` (per organisation, team, job function and competency,
over the learners with an enrolment not withdrawn), and each learner's knowledge-action gap stored on
`learner_competencies` with an (organisation, gap) index for the report's largest gaps.

Both are filled here from the existing rows, so the report is right straight after the upgrade; `flask lms rollup
--rebuild` recomputes them too.

Revision ID: a4b5c6d7e8f9
Revises: f3a4b5c6d7e8
Create Date: 2026-12-04 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4b5c6d7e8f9'
down_revision = 'f3a4b5c6d7e8'
branch_labels = None
depends_on = None

FIGURES = {"pre": "lc.pre", "post": "lc.post", "uplift": "lc.post - lc.pre", "knowledge": "lc.knowledge",
           "applied": "lc.applied", "gap": "lc.gap", "rating": "lc.rating"}
COLUMNS = ", ".join(f"{name}_{part}" for name in FIGURES for part in ("sum", "n"))
# The learners the report covers, one row each, with the team it shows them in (their first cohort by name).
PEOPLE = (
    "SELECT m.organization_id AS organization_id, u.id AS user_id, u.job_function AS job_function, "
    "coalesce(min(c.name), 'No cohort') AS team FROM memberships m JOIN users u ON u.id = m.user_id "
    "LEFT OUTER JOIN cohort_members cm ON cm.user_id = u.id AND cm.role = 'learner' "
    "LEFT OUTER JOIN cohorts c ON c.id = cm.cohort_id AND c.organization_id = m.organization_id "
    "WHERE m.role = 'learner' AND EXISTS (SELECT 1 FROM enrolments e WHERE e.user_id = u.id "
    "AND e.organization_id = m.organization_id AND e.withdrawn_at IS NULL) "
    "GROUP BY m.organization_id, u.id, u.job_function"
)


def upgrade():
    with op.batch_alter_table('learner_competencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gap', sa.SmallInteger(), nullable=True))
        batch_op.create_index('ix_learner_competencies_org_gap', ['organization_id', 'gap'], unique=False)
    op.execute("UPDATE learner_competencies SET gap = knowledge - applied")

    op.create_table('capability_totals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('team', sa.String(length=200), nullable=False),
    sa.Column('job_function', sa.String(length=20), nullable=False),
    sa.Column('competency', sa.String(length=80), nullable=False),
    sa.Column('learners', sa.Integer(), nullable=False),
    *(sa.Column(f"{name}_{part}", sa.BigInteger() if part == "sum" else sa.Integer(), nullable=False)
      for name in FIGURES for part in ("sum", "n")),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_capability_totals_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capability_totals')),
    sa.UniqueConstraint('organization_id', 'team', 'job_function', 'competency', name=op.f('uq_capability_totals_organization_id'))
    )
    zeros = ", ".join("0" for _ in FIGURES for _part in ("sum", "n"))
    op.execute(
        f"INSERT INTO capability_totals (organization_id, team, job_function, competency, learners, {COLUMNS}) "
        f"SELECT p.organization_id, p.team, p.job_function, '', count(*), {zeros} FROM ({PEOPLE}) p "
        "GROUP BY p.organization_id, p.team, p.job_function")
    sums = ", ".join(f"coalesce(sum({expr}), 0), count({expr})" for expr in FIGURES.values())
    op.execute(
        f"INSERT INTO capability_totals (organization_id, team, job_function, competency, learners, {COLUMNS}) "
        f"SELECT p.organization_id, p.team, p.job_function, lc.competency, 0, {sums} FROM ({PEOPLE}) p "
        "JOIN learner_competencies lc ON lc.user_id = p.user_id AND lc.organization_id = p.organization_id "
        "GROUP BY p.organization_id, p.team, p.job_function, lc.competency")


def downgrade():
    op.drop_table('capability_totals')
    with op.batch_alter_table('learner_competencies', schema=None) as batch_op:
        batch_op.drop_index('ix_learner_competencies_org_gap')
        batch_op.drop_column('gap')
