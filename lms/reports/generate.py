"""The bulk loader behind `flask lms generate`: a synthetic organisation (`synthetic.py`) inserted in chunks,
then rolled up, so reports can be tried at scale. Flushes, never commits: the CLI commits.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select

from lms.accounts.models import Account, Opportunity, Workspace
from lms.assessment.models import AssessmentAttempt, CoachRating
from lms.content.models import Course, Module
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Cohort, CohortMember, Invitation, Membership, Organization, User
from lms.learning.models import Enrolment, ModuleProgress, QuestionAnswer
from lms.practice.models import ExerciseRun, Submission
from lms.reports import competencies, funnels, synthetic
from lms.reports.rollup import CHUNK, add_loaded_statements, refresh_activity
from lms.tracking.models import Statement


@dataclass(frozen=True)
class Generated:
    organization: Organization
    learners: int
    statements: int
    manager_email: str
    seconds: float


def _insert(model, rows, *, returning=None) -> list:
    """Insert rows in chunks; return the generated primary keys in row order when `returning` is given."""
    ids = []
    for k in range(0, len(rows), CHUNK):
        chunk = rows[k:k + CHUNK]
        if not chunk:
            continue
        if returning is not None:
            ids.extend(db.session.scalars(insert(model).returning(returning, sort_by_parameter_order=True), chunk))
        else:
            db.session.execute(insert(model), chunk)
    return ids


def _copy_statements(rows) -> int:
    """Load statement tuples with PostgreSQL COPY (about ten times faster than INSERT); returns the count."""
    conn = db.session.connection().connection.driver_connection
    columns = ", ".join(synthetic.STATEMENT_COLUMNS)
    n = 0
    with conn.cursor() as cursor, cursor.copy(f"COPY statements ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def _insert_statements(rows) -> int:
    n, chunk = 0, []
    for row in rows:
        chunk.append(dict(zip(synthetic.STATEMENT_COLUMNS, row, strict=True)))
        if len(chunk) >= CHUNK:
            db.session.execute(insert(Statement.__table__), chunk)
            n, chunk = n + len(chunk), []
    if chunk:
        db.session.execute(insert(Statement.__table__), chunk)
        n += len(chunk)
    return n


def generate(slug: str, learners: int, statements: int, seed: int = 1, password_hash: str | None = None,
             manager_password_hash: str | None = None, now: datetime | None = None) -> Generated:
    """Create organisation `slug` with cohorts, learners, enrolments, progress, knowledge-check answers,
    assessments, submitted exercises, coach ratings, statements over 12 months, workspaces and opportunities, using
    bulk inserts (COPY for statements on PostgreSQL), then roll up activity and capability.

    Raises ValueError if the organisation exists or no course is synced (run `flask lms content sync`).
    """
    began = time.perf_counter()
    now = now or utcnow()
    if db.session.scalar(select(Organization.id).where(Organization.slug == slug)) is not None:
        raise ValueError(f"organisation {slug!r} exists already: choose another --org-slug")
    course = db.session.scalar(select(Course).where(Course.is_archived.is_(False))
                               .order_by(Course.audience.desc(), Course.id))
    if course is None:
        raise ValueError("no course in the database: run `flask lms content sync` first")
    modules = db.session.execute(select(Module.id, Module.slug, Module.questions, Module.competencies)
                                 .where(Module.course_id == course.id, Module.is_archived.is_(False))
                                 .order_by(Module.position)).all()
    from lms.practice.exercises import exercise_registry

    taught = tuple(dict.fromkeys(slug for m in modules for slug in m.competencies or ()))
    practised = tuple(slug for slug, exercise in sorted(exercise_registry().items())
                      if set(exercise.competencies or ()) & set(taught))
    shape = synthetic.CourseShape(course.id, course.slug, course.title, tuple(m.id for m in modules),
                                  tuple(m.slug for m in modules),
                                  tuple(tuple(q["id"] for q in m.questions or ()) for m in modules), taught,
                                  tuple(course.required_exercises or ()) or practised)

    gen = synthetic.Generator(synthetic.Plan(learners, statements, now, seed))
    org = Organization(slug=slug, name=f"{slug.replace('-', ' ').title()} (generated)", kind="client")
    db.session.add(org)
    db.session.flush()
    manager = User(email=f"manager@{slug}.example", name="Generated Manager", job_function="other",
                   password_hash=manager_password_hash or password_hash, activated_at=now, email_confirmed_at=now)
    db.session.add(manager)
    db.session.flush()
    db.session.add(Membership(user_id=manager.id, organization_id=org.id, role="manager"))
    cohort_ids = _insert(Cohort, gen.cohorts(org.id), returning=Cohort.id)
    user_ids = _insert(User, gen.users(slug, password_hash), returning=User.id)
    _insert(Membership, gen.memberships(org.id, user_ids))
    _insert(CohortMember, gen.cohort_members(cohort_ids, user_ids))
    _insert(Invitation, gen.invitations(org.id, slug, cohort_ids))
    enrolments, progress = gen.enrolments(org.id, shape, cohort_ids, user_ids)
    _insert(Enrolment, enrolments)
    _insert(ModuleProgress, progress)
    workspace_ids = _insert(Workspace, gen.workspaces(org.id, cohort_ids), returning=Workspace.id)
    account_rows = gen.accounts(org.id, workspace_ids)
    account_ids = _insert(Account, account_rows, returning=Account.id)
    by_workspace: dict[int, list[int]] = {}
    for row, aid in zip(account_rows, account_ids, strict=True):
        by_workspace.setdefault(row["workspace_id"], []).append(aid)
    _insert(Opportunity, gen.opportunities(org.id, workspace_ids, by_workspace))
    # The capability report's inputs: knowledge checks, assessments, submitted exercises and coach ratings.
    _insert(QuestionAnswer, gen.knowledge_answers(shape, user_ids, progress))
    _insert(AssessmentAttempt, gen.assessments(shape, user_ids, enrolments))
    runs = gen.exercise_runs(shape, user_ids, enrolments, workspace_ids)
    _insert(Submission, gen.submissions(runs, _insert(ExerciseRun, runs, returning=ExerciseRun.id), enrolments))
    _insert(CoachRating, gen.coach_ratings(shape, user_ids, enrolments))
    rows = gen.statements(org.id, cohort_ids, user_ids, shape, sorted(exercise_registry()), now)
    made = _copy_statements(rows) if db.engine.dialect.name == "postgresql" else _insert_statements(rows)
    db.session.flush()
    add_loaded_statements(org.id)  # in one pass, so the pass below finds nothing of this organisation's
    refresh_activity(until=now)
    competencies.rebuild(org.id)  # the capability inputs went in by bulk insert, past the live roll-up
    funnels.rebuild(org.id)  # so did the cohorts' members
    return Generated(org, learners, made, manager.email, time.perf_counter() - began)
