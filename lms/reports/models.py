"""Report tables: the activity, tool-usage and milestone roll-ups, their watermark, and programme costs for ROI.

Also the statements index the roll-up needs (declared here so the tracking package stays unaware of reports).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from lms.database import utcnow
from lms.extensions import db
from lms.tracking.models import Statement

# The roll-up claims the statements it has not counted yet: a partial index holds only those (a handful, or none).
Index("ix_statements_not_rolled_up", Statement.rolled_up,
      sqlite_where=Statement.rolled_up == false(), postgresql_where=Statement.rolled_up == false())


class ActivityWeekly(db.Model):
    """Statements per learner per week, split at month ends: one row per (organisation, user, week, month).

    A week that spans two months has two rows, so distinct learners per week (WAU) and per calendar month (MAU)
    are both exact. Statements are append-only, so `flask lms rollup` adds the counts of statements stored since
    its last run (`RollupState`) to these rows.
    """

    __tablename__ = "activity_weekly"
    __table_args__ = (
        UniqueConstraint("organization_id", "user_id", "week_start", "month_start"),
        Index("ix_activity_weekly_org_week", "organization_id", "week_start", "user_id"),
        Index("ix_activity_weekly_org_month", "organization_id", "month_start", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    week_start: Mapped[date] = mapped_column(Date)  # the Monday
    month_start: Mapped[date] = mapped_column(Date)  # the first of the month
    statements: Mapped[int] = mapped_column(Integer, default=0)


class RollupState(db.Model):
    """When the roll-ups were last refreshed or rebuilt by `flask lms rollup` (statements are counted as they are
    stored; this records the last full pass)."""

    __tablename__ = "rollup_state"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    processed_to: Mapped[datetime | None] = mapped_column(DateTime)
    refreshed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ProgrammeCost(db.Model):
    """A manager's programme costs and ROI assumptions for one cohort (all optional until entered)."""

    __tablename__ = "programme_costs"
    __table_args__ = (UniqueConstraint("organization_id", "cohort_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    fee_per_seat: Mapped[float | None] = mapped_column(Float)
    seats: Mapped[int | None] = mapped_column(Integer)
    hours_per_learner: Mapped[float | None] = mapped_column(Float)
    hourly_cost: Mapped[float | None] = mapped_column(Float)  # loaded: salary, benefits, overheads
    coach_costs: Mapped[float | None] = mapped_column(Float)
    platform_costs: Mapped[float | None] = mapped_column(Float)
    attribution: Mapped[float | None] = mapped_column(Float)  # 0-1: share of the improvement due to training
    confidence: Mapped[float | None] = mapped_column(Float)  # 0-1: confidence in that estimate
    gross_margin: Mapped[float | None] = mapped_column(Float)  # 0-1
    win_rate: Mapped[float | None] = mapped_column(Float)  # 0-1, applied to open pipeline
    comparison: Mapped[str] = mapped_column(String(20), default="baseline")  # baseline | group
    baseline_start: Mapped[date | None] = mapped_column(Date)
    baseline_end: Mapped[date | None] = mapped_column(Date)
    comparison_cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ToolWeekly(db.Model):
    """Uses of each tool (`reports.adoption.TOOLS`; one key per exercise) per learner per week, so tool usage over a
    period of whole weeks gives exact uses and distinct users without scanning the statements."""

    __tablename__ = "tool_weekly"
    __table_args__ = (
        UniqueConstraint("organization_id", "user_id", "week_start", "tool"),
        Index("ix_tool_weekly_org_week", "organization_id", "week_start", "tool", "job_function", "user_id", "uses"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    week_start: Mapped[date] = mapped_column(Date)
    tool: Mapped[str] = mapped_column(String(160))
    # The learner's job function when rolled up: tool usage splits by it without joining users (rebuild to
    # restate history after changing someone's function).
    job_function: Mapped[str] = mapped_column(String(20), default="other")
    uses: Mapped[int] = mapped_column(Integer, default=0)


class LearnerMilestone(db.Model):
    """Each learner's first module completed, account import, exercise run and course completed in an organisation
    (the adoption funnel's steps), kept by the roll-up as the earliest seen, their latest statement and how many
    statements the roll-up has counted (the A-players' candidates, most active first, come down its index)."""

    __tablename__ = "learner_milestones"
    __table_args__ = (UniqueConstraint("organization_id", "user_id"),
                      Index("ix_learner_milestones_org_statements", "organization_id", "statements"),
                      Index("ix_learner_milestones_org_course", "organization_id", "first_course_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    first_module_at: Mapped[datetime | None] = mapped_column(DateTime)
    first_import_at: Mapped[datetime | None] = mapped_column(DateTime)
    first_run_at: Mapped[datetime | None] = mapped_column(DateTime)
    first_course_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_at: Mapped[datetime | None] = mapped_column(DateTime)  # the latest statement the roll-up has read
    statements: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # all the roll-up has counted
    # Which first-time milestones the roll-up's last upsert of the row set (bits: lms.reports.funnels.STEPS): it
    # returns them, and the cohorts' funnel counts add them.
    added_first_steps: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class CohortFunnel(db.Model):
    """The adoption funnel of one cohort's learners, kept current (lms.reports.funnels): how many there are, how
    many were activated, and how many have reached each first-time milestone. The adoption report over a period
    that runs to today reads these rows (with pending invitations and "active after completing" counted per view)."""

    __tablename__ = "cohort_funnels"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), unique=True)
    learners: Mapped[int] = mapped_column(Integer, default=0)
    activated: Mapped[int] = mapped_column(Integer, default=0)
    first_module: Mapped[int] = mapped_column(Integer, default=0)
    first_import: Mapped[int] = mapped_column(Integer, default=0)
    first_run: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[int] = mapped_column(Integer, default=0)


class ToolUses(db.Model):
    """Uses of each tool per organisation, week and job function (no learner): tool usage counts without filters
    by cohort read these few rows."""

    __tablename__ = "tool_uses"
    __table_args__ = (UniqueConstraint("organization_id", "week_start", "tool", "job_function"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    week_start: Mapped[date] = mapped_column(Date)
    tool: Mapped[str] = mapped_column(String(160))
    job_function: Mapped[str] = mapped_column(String(20), default="other")
    uses: Mapped[int] = mapped_column(Integer, default=0)


class ToolUserWeeks(db.Model):
    """The weeks in which a learner used a tool, as bits: one row per learner, tool and block of
    `reports.adoption.WEEKS_PER_BLOCK` weeks. Distinct users of a tool over any run of whole weeks is then a count
    of rows whose bits meet the period's mask: one row per learner and tool instead of one per week."""

    __tablename__ = "tool_user_weeks"
    __table_args__ = (
        UniqueConstraint("organization_id", "user_id", "tool", "block"),
        Index("ix_tool_user_weeks_org_block", "organization_id", "block", "tool", "job_function", "user_id", "weeks"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    tool: Mapped[str] = mapped_column(String(160))
    job_function: Mapped[str] = mapped_column(String(20), default="other")
    block: Mapped[int] = mapped_column(Integer)
    weeks: Mapped[int] = mapped_column(BigInteger, default=0)


class ToolLastUse(db.Model):
    """The week in which each person last used each tool. Distinct users of a tool over a period that runs to this
    week are the rows whose last week falls in it: one row per person and tool, counted without DISTINCT over
    weeks or blocks (tool usage over the last 12 months, the adoption report's default, reads these)."""

    __tablename__ = "tool_last_use"
    __table_args__ = (
        UniqueConstraint("organization_id", "user_id", "tool"),
        Index("ix_tool_last_use_org_tool", "organization_id", "tool", "job_function", "last_week"),  # in GROUP BY order
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    tool: Mapped[str] = mapped_column(String(160))
    job_function: Mapped[str] = mapped_column(String(20), default="other")  # as of the last roll-up of a use
    last_week: Mapped[date] = mapped_column(Date)  # a Monday
    # Before the last roll-up of a use (NULL until a second one): how it moves people in tool_last_use_counts.
    was_function: Mapped[str | None] = mapped_column(String(20))
    was_week: Mapped[date | None] = mapped_column(Date)


class ToolLastUseCount(db.Model):
    """How many people last used each tool in each week, per organisation and job function: tool_last_use counted,
    kept with it in the same transaction. Distinct users of each tool over a period that runs to today, with no
    cohort filter, add up these few hundred rows instead of counting a row per person and tool."""

    __tablename__ = "tool_last_use_counts"
    __table_args__ = (UniqueConstraint("organization_id", "tool", "job_function", "last_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    tool: Mapped[str] = mapped_column(String(160))
    job_function: Mapped[str] = mapped_column(String(20))
    last_week: Mapped[date] = mapped_column(Date)  # a Monday
    users: Mapped[int] = mapped_column(Integer, default=0)


class ActiveLearners(db.Model):
    """Distinct active learners per organisation and week or calendar month: the weekly and monthly active series
    without filters read these few rows. A learner counts in a period from their first statement in it, as a
    learner of the organisation when the statement was stored (kept with activity_weekly, in the same
    transaction)."""

    __tablename__ = "active_learners"
    __table_args__ = (UniqueConstraint("organization_id", "period", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(5))  # week | month
    period_start: Mapped[date] = mapped_column(Date)  # the Monday, or the first of the month
    learners: Mapped[int] = mapped_column(Integer, default=0)


class LearnerCompetency(db.Model):
    """Each learner's capability figures per competency in an organisation, as the assessment package's profile
    gives them: kept current in the transaction that changes an input (an assessment closed, a knowledge check
    answered, a submission scored or reviewed, a coach rating), so the capability report aggregates rows instead of
    rebuilding 10,000 profiles per view. Only competencies with at least one figure have a row."""

    __tablename__ = "learner_competencies"
    __table_args__ = (
        UniqueConstraint("organization_id", "user_id", "competency"),
        Index("ix_learner_competencies_org_comp", "organization_id", "competency", "user_id"),
        Index("ix_learner_competencies_org_gap", "organization_id", "gap"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    competency: Mapped[str] = mapped_column(String(80))  # slug
    pre: Mapped[int | None] = mapped_column(SmallInteger)  # %
    post: Mapped[int | None] = mapped_column(SmallInteger)
    knowledge: Mapped[int | None] = mapped_column(SmallInteger)
    applied: Mapped[int | None] = mapped_column(SmallInteger)
    rating: Mapped[int | None] = mapped_column(SmallInteger)  # coach rating level 1-5
    capability: Mapped[int | None] = mapped_column(SmallInteger)  # weighted: applied 50%, rating 30%, knowledge 20%
    # knowledge - applied, stored so the report's largest gaps are read down an index instead of sorting every row
    gap: Mapped[int | None] = mapped_column(SmallInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CapabilityTotal(db.Model):
    """The capability report's sums per organisation, team, job function and competency, over the learners with
    an active enrolment (the report's default view: no cohort filter, a period open at the start and ending today).

    The team is the learner's first cohort by name (NO_COHORT without one). A row with competency "" counts the
    group's learners; the others hold, per figure, the sum of the values and how many learners have one (the
    report divides). Learners are taken out and added back, with their figures, in the transaction that changes
    their figures or their group (cohorts, enrolments, memberships, job functions); a group emptied keeps a row of
    zeros. `lms.reports.competencies` keeps them; `flask lms rollup --rebuild` recomputes them."""

    __tablename__ = "capability_totals"
    __table_args__ = (UniqueConstraint("organization_id", "team", "job_function", "competency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    team: Mapped[str] = mapped_column(String(200))
    job_function: Mapped[str] = mapped_column(String(20))
    competency: Mapped[str] = mapped_column(String(80))  # "" on the row counting the group's learners
    learners: Mapped[int] = mapped_column(Integer, default=0)
    pre_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    pre_n: Mapped[int] = mapped_column(Integer, default=0)
    post_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    post_n: Mapped[int] = mapped_column(Integer, default=0)
    uplift_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    uplift_n: Mapped[int] = mapped_column(Integer, default=0)
    knowledge_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    knowledge_n: Mapped[int] = mapped_column(Integer, default=0)
    applied_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    applied_n: Mapped[int] = mapped_column(Integer, default=0)
    gap_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    gap_n: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    rating_n: Mapped[int] = mapped_column(Integer, default=0)
