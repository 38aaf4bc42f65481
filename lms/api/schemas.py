"""What the API answers, as pydantic models: the OpenAPI document's schemas are generated from these classes.

Pure: plain values in; times are naive UTC in the database and leave with their offset ("Z").
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field


def as_utc(value: datetime) -> datetime:
    """Return a naive-UTC datetime marked as UTC (an aware one unchanged), so it is written with its offset."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


Moment = Annotated[datetime, AfterValidator(as_utc)]


class Problem(BaseModel):
    """One thing wrong with a request."""

    location: str = Field(description='Where: e.g. "query.per_page".')
    message: str


class Error(BaseModel):
    """Every error answer: the HTTP status, a stable machine-readable code, and a sentence for people."""

    status: int
    error: str = Field(description="unauthorized | not_found | unknown_parameter | invalid_parameter | "
                                   "method_not_allowed | server_error …")
    message: str
    details: list[Problem] = Field(default_factory=list)


class Person(BaseModel):
    id: int
    name: str
    email: str


class CourseRef(BaseModel):
    id: int
    slug: str
    title: str


class CohortRef(BaseModel):
    id: int
    name: str


class PageMeta(BaseModel):
    """Paging: totals, and the links to the next and previous pages (null at either end)."""

    page: int
    per_page: int
    total: int = Field(description="Items matching the filters, on every page.")
    pages: int
    next: str | None = Field(description="The URL of the next page, or null on the last.")
    previous: str | None = Field(description="The URL of the previous page, or null on the first.")


class Enrolment(BaseModel):
    id: int
    learner: Person
    course: CourseRef
    cohort: CohortRef | None
    source: str = Field(description="self | assigned | booked …")
    status: Literal["not_started", "in_progress", "completed", "withdrawn"]
    overdue: bool = Field(description="The due date has passed and the course is not completed.")
    enrolled_at: Moment
    due_at: Moment | None
    started_at: Moment | None
    completed_at: Moment | None
    withdrawn_at: Moment | None


class EnrolmentPage(PageMeta):
    items: list[Enrolment]


class AssignmentCounts(BaseModel):
    learners: int = Field(description="Learners enrolled through the assignment (withdrawn ones left out).")
    completed: int
    overdue: int


class Assignment(BaseModel):
    id: int
    course: CourseRef
    cohort: CohortRef | None = Field(description="The cohort assigned, or null for named people.")
    due_at: Moment
    created_at: Moment
    updated_at: Moment
    withdrawn_at: Moment | None
    counts: AssignmentCounts


class AssignmentPage(PageMeta):
    items: list[Assignment]


class Progress(BaseModel):
    enrolment_id: int
    learner: Person
    course: CourseRef
    cohort: CohortRef | None
    modules_done: int
    modules_total: int
    percent: int = Field(ge=0, le=100)
    knowledge_check_score: int | None = Field(
        description="The mean best score (0-100) of the course's knowledge checks taken, as the pass mark is "
                    "applied; null before any.")
    first_attempt_score: int | None = Field(
        description="The mean first-attempt score (0-100), what the learner knew; null before any.")
    last_activity_at: Moment | None = Field(description="When a module of the course was last opened or completed.")


class ProgressPage(PageMeta):
    items: list[Progress]


class Completion(BaseModel):
    enrolment_id: int
    learner: Person
    course: CourseRef
    cohort: CohortRef | None
    enrolled_at: Moment
    due_at: Moment | None
    completed_at: Moment
    on_time: bool | None = Field(description="Completed by the due date; null without one.")
    certificate_code: str | None = Field(description="The current certificate for this completion, if any.")


class CompletionPage(PageMeta):
    items: list[Completion]


class Certificate(BaseModel):
    code: str
    learner: Person = Field(description="The holder: the name as printed on the certificate.")
    course: CourseRef
    cohort: CohortRef | None
    issued_at: Moment
    expires_at: Moment | None
    revoked_at: Moment | None
    status: Literal["valid", "expired", "revoked", "replaced"]
    verify_url: str = Field(description="The public verification page.")


class CertificatePage(PageMeta):
    items: list[Certificate]


class Owners(BaseModel):
    sales: str | None
    marketing: str | None


class WorkspaceRef(BaseModel):
    id: int
    name: str
    cohort: CohortRef | None


class WorkspaceAccount(BaseModel):
    """A target company in one of the organisation's team workspaces (never a login)."""

    id: int
    name: str
    domain: str | None
    industry: str | None
    region: str | None
    employees: int | None
    tier: str | None = Field(description="1:1 | 1:few | 1:many, or null when not tiered yet.")
    icp_fit: int | None = Field(description="Ideal-customer-profile fit as scored by the team.")
    is_target: bool
    status: str
    owner: Owners
    sales_agreed: bool | None = Field(description="Sales' verdict on the account: null until reviewed.")
    workspace: WorkspaceRef
    created_at: Moment
    updated_at: Moment


class WorkspaceAccountPage(PageMeta):
    items: list[WorkspaceAccount]


class Period(BaseModel):
    """The report's filters as applied: the period (start null: from the beginning), cohort and function."""

    start: date | None
    end: date
    cohort: int | None
    function: str | None


class Counts(BaseModel):
    enrolled: int
    not_started: int
    in_progress: int
    completed: int
    overdue: int
    completion_rate: float | None = Field(description="Completed / enrolled, in percent; null with nobody enrolled.")


class CohortCounts(BaseModel):
    cohort: CohortRef | None = Field(description="null: enrolments outside any cohort.")
    counts: Counts


class CourseCounts(BaseModel):
    course: CourseRef
    counts: Counts


class CompletionFigures(BaseModel):
    filters: Period
    totals: Counts
    by_cohort: list[CohortCounts]
    by_course: list[CourseCounts]
    laggards: int = Field(description="Enrolled, not completed, no activity for 14 days (as at now).")


class CompetencyFigures(BaseModel):
    slug: str
    name: str
    pre: float | None
    post: float | None
    uplift: float | None
    knowledge: float | None
    applied: float | None
    gap: float | None = Field(description="Knowledge minus applied, in points.")
    rating: float | None = Field(description="The mean coach rating, 1-5.")
    learners: int


class CapabilityFigures(BaseModel):
    filters: Period
    learners: int
    uplift: float | None = Field(description="The mean post- minus pre-assessment score, in points.")
    competencies: list[CompetencyFigures]
    next_action: str


class FunnelStep(BaseModel):
    key: str
    label: str
    count: int
    share_of_first: float | None
    share_of_previous: float | None


class ActivePeriod(BaseModel):
    start: date
    learners: int


class ToolUse(BaseModel):
    key: str
    label: str
    uses: int
    users: int


class FunctionFigures(BaseModel):
    function: str
    learners: int
    enrolments: int
    completed: int
    overdue: int
    active: int
    completion_rate: float | None


class AdoptionFigures(BaseModel):
    filters: Period
    learners: int
    funnel: list[FunnelStep]
    weekly_active: list[ActivePeriod]
    monthly_active: list[ActivePeriod]
    tools: list[ToolUse]
    by_function: list[FunctionFigures]
    laggards: int
    rolled_up_to: Moment | None = Field(
        description="When `flask lms rollup` last ran, or null. Actions are counted as they are recorded; the command "
                    "counts statements loaded in bulk outside the academy.")
    uncounted: int = Field(description="Statements loaded in bulk that the figures do not count yet (normally 0).")
