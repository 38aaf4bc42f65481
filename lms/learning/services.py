"""Learning operations: catalogue, enrolment, module progress, knowledge checks, completion. Flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import NamedTuple

from flask import abort
from sqlalchemy import Row, Select, bindparam, func, select
from sqlalchemy.orm import Bundle, contains_eager

from lms.content.models import Course, Module
from lms.content.outline import ModuleOutline, course_outline, course_outlines
from lms.database import json_rows, set_once, utcnow
from lms.extensions import db
from lms.identity.models import Invitation, Organization, User
from lms.learning import progress
from lms.learning.models import Enrolment, ExerciseCredit, ModuleProgress, QuestionAnswer
from lms.learning.signals import course_completed
from lms.tracking.services import record


def visible_courses_clause(org: Organization):
    """SQL condition for the courses an organisation's people may see: public ones, plus in-house for clients."""
    return _visible_courses(org is not None and org.kind == "client")


def _visible_courses(client: bool):
    if client:
        return Course.is_archived.is_(False)
    return (Course.is_archived.is_(False)) & (Course.audience == "public")


def catalogue(user: User, org: Organization) -> list[tuple[Course, Enrolment | None, int]]:
    """Return (course, the user's enrolment or None, modules completed) for every visible course (two queries)."""
    rows = db.session.execute(
        select(Course, Enrolment)
        .outerjoin(Enrolment, (Enrolment.course_id == Course.id) & (Enrolment.user_id == user.id)
                   & (Enrolment.organization_id == org.id) & Enrolment.withdrawn_at.is_(None))
        .where(visible_courses_clause(org))
        .order_by(Course.audience.desc(), Course.title)
        .options(contains_eager(Enrolment.course))  # the course is in the row already: no second join for it
    ).all()
    done = _completed_counts(user.id, org.id)
    return [(course, enrolment, done.get(course.id, 0)) for course, enrolment in rows]


def _completed_counts(user_id: int, org_id: int) -> dict[int, int]:
    from sqlalchemy import func

    return dict(db.session.execute(
        select(Module.course_id, func.count(ModuleProgress.id))
        .join(ModuleProgress, ModuleProgress.module_id == Module.id)
        .where(ModuleProgress.user_id == user_id, ModuleProgress.organization_id == org_id,
               ModuleProgress.completed_at.is_not(None), Module.is_archived.is_(False))
        .group_by(Module.course_id)
    ).all())


def course_or_404(slug: str, org: Organization) -> Course:
    """Return the visible course with this slug, or abort 404."""
    course = db.session.scalar(select(Course).where(Course.slug == slug, visible_courses_clause(org)))
    if course is None:
        abort(404)
    return course


def can_self_enrol(course: Course) -> bool:
    """Public courses are open to anyone signed in; in-house courses are assigned by a manager."""
    return course.audience == "public"


def enrol(user: User, course: Course, org: Organization, *, cohort_id: int | None = None, source: str = "self",
          due_at=None, assigned_by: User | None = None) -> Enrolment:
    """Enrol the user (idempotent: an existing enrolment is returned, a withdrawn one revived); the statement is
    recorded only when the enrolment is new or revived."""
    enrolment = db.session.scalar(select(Enrolment).where(
        Enrolment.user_id == user.id, Enrolment.course_id == course.id, Enrolment.organization_id == org.id))
    is_new = enrolment is None or enrolment.withdrawn_at is not None
    if enrolment is None:
        enrolment = Enrolment(user_id=user.id, course_id=course.id, organization_id=org.id)
        db.session.add(enrolment)
    enrolment.withdrawn_at = None
    enrolment.cohort_id = cohort_id or enrolment.cohort_id
    enrolment.source = source
    if due_at is not None:
        enrolment.due_at = due_at
    if assigned_by is not None:
        enrolment.assigned_by_id = assigned_by.id
    db.session.flush()
    if is_new:
        record(user, "enrolled", ("course", course.slug, course.title), {"source": source},
               organization_id=org.id, cohort_id=enrolment.cohort_id, course_slug=course.slug)
    return enrolment


@dataclass
class CourseView:
    # The course and the learner's enrolment (None when not enrolled) as read-only rows of their columns;
    # `_enrolment_row` puts in the ORM object of an enrolment a request changes.
    course: CourseRow
    modules: list[ModuleOutline]  # the active modules in order, cached per content version (lms.content.outline)
    # By module id: read-only rows of PROGRESS_COLUMNS as loaded; `_progress_row` puts in the ORM row of a module a
    # request changes.
    progress: dict[int, ProgressRow | ModuleProgress]
    enrolment: EnrolmentRow | Enrolment | None
    summary: progress.CourseProgress
    # With course_view(..., module=slug): that module, and the learner's answers to its questions by question id.
    current: ModuleOutline | None = None
    answers: dict[str, AnswerRow] = field(default_factory=dict)

    def state(self, module: ModuleOutline) -> str:
        p = self.progress.get(module.id)
        if p is None:
            return "not_started"
        return "completed" if p.completed_at else "in_progress"

    def updated_since_completed(self, module: ModuleOutline) -> bool:
        p = self.progress.get(module.id)
        return bool(p and p.completed_version and p.completed_version != module.version)


# The learner pages' statements are built once (functools.cache) and run with parameters: building a statement
# and computing its cache key on every request cost more than running it.


# The learner pages read progress and answers as plain rows of the columns they show, not ORM objects: loading a
# course's progress as ORM objects cost about 20 µs a module, more than the query. A request that changes a module's
# progress loads that one row as an ORM object (`_progress_row`); answers are changed through `answers_for`.
_progress, _answers = ModuleProgress.__table__.c, QuestionAnswer.__table__.c
PROGRESS_COLUMNS = (_progress.id, _progress.module_id, _progress.started_at, _progress.completed_at,
                    _progress.completed_version, _progress.best_score, _progress.first_score, _progress.launched_on)
ANSWER_COLUMNS = (_answers.question_id, _answers.chosen, _answers.is_correct)  # what the module page shows
CourseRow = EnrolmentRow = Row  # read by column name, as the ORM objects are


class ProgressRow(NamedTuple):
    id: int
    module_id: int
    started_at: datetime | None
    completed_at: datetime | None
    completed_version: str | None
    best_score: int | None
    first_score: int | None
    launched_on: date | None


class AnswerRow(NamedTuple):
    question_id: str
    chosen: list[int]
    is_correct: bool


def _progress_on_modules_of(courses, *columns) -> Select:
    """The learner's progress rows (:user_id, :org_id; `columns`, by default PROGRESS_COLUMNS) on the modules
    (archived ones too: callers look up the active ones) of the courses `courses` picks, a condition on the modules'
    course_id: a subquery, not a list of module ids, which SQLAlchemy would write into the SQL again on every
    execution. The condition may name an enclosing query's table (the course page's courses): it is correlated."""
    modules = Module.__table__
    return select(*(columns or PROGRESS_COLUMNS)).where(
        _progress.user_id == bindparam("user_id"), _progress.organization_id == bindparam("org_id"),
        _progress.module_id.in_(select(modules.c.id).where(courses(modules.c.course_id)).correlate_except(modules)))


@cache
def _enrolled_progress() -> Select:
    """The dashboard's progress rows: on the courses the learner is enrolled on (not withdrawn)."""
    enrolments = Enrolment.__table__.c
    enrolled = select(enrolments.course_id).where(
        enrolments.user_id == bindparam("user_id"), enrolments.organization_id == bindparam("org_id"),
        enrolments.withdrawn_at.is_(None))
    return _progress_on_modules_of(lambda course_id: course_id.in_(enrolled))


@cache
def _course_page(client: bool, with_answers: bool) -> Select:
    """A visible course (:slug), the learner's enrolment on it (:user_id, :org_id; its columns NULL when there is
    none) and their progress rows on its modules, in one round trip: the progress as one JSON list (`json_rows`).
    With answers, also the learner's answers to the course's active module with slug :module, as another list."""
    courses, enrolments, modules = Course.__table__, Enrolment.__table__, Module.__table__
    progress_rows = _progress_on_modules_of(lambda course_id: course_id == courses.c.id,
                                            json_rows(*PROGRESS_COLUMNS)).scalar_subquery()
    columns = [Bundle("course", *courses.c), Bundle("enrolment", *enrolments.c), progress_rows.label("progress")]
    if with_answers:
        current = (select(modules.c.id).where(modules.c.course_id == courses.c.id, modules.c.slug == bindparam("module"),
                                              modules.c.is_archived.is_(False))
                   .correlate(courses).scalar_subquery())
        columns.append(select(json_rows(*ANSWER_COLUMNS))
                       .where(_answers.user_id == bindparam("user_id"), _answers.organization_id == bindparam("org_id"),
                              _answers.module_id == current)
                       .scalar_subquery().label("answers"))
    return (select(*columns)
            .select_from(courses.outerjoin(
                enrolments, (enrolments.c.course_id == courses.c.id) & (enrolments.c.user_id == bindparam("user_id"))
                & (enrolments.c.organization_id == bindparam("org_id")) & enrolments.c.withdrawn_at.is_(None)))
            .where(courses.c.slug == bindparam("slug"), _visible_courses(client)))


def _timestamp(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)  # ISO text from json_rows, on both databases


def _progress_rows(data: list | None) -> dict[int, ProgressRow]:
    """{module id: ProgressRow} from the page query's JSON list (PROGRESS_COLUMNS' order)."""
    return {r[1]: ProgressRow(r[0], r[1], _timestamp(r[2]), _timestamp(r[3]), r[4], r[5], r[6],
                              None if r[7] is None else date.fromisoformat(r[7])) for r in data or ()}


def _answer_rows(data: list | None) -> dict[str, AnswerRow]:
    """{question id: AnswerRow} from the page query's JSON list (ANSWER_COLUMNS' order)."""
    return {r[0]: AnswerRow(r[0], r[1], bool(r[2])) for r in data or ()}


def course_view(user: User, org: Organization, slug: str, *, module: str | None = None) -> CourseView:
    """Load a visible course with the user's enrolment and their progress on its modules (one query: with `module`,
    that module's slug, the same query brings the learner's answers to it) and its active modules (cached per content
    version: no query); 404 if the course is not visible, has no active module or no such module."""
    params = {"user_id": user.id, "org_id": org.id, "slug": slug}
    if module is not None:
        params["module"] = module
    row = db.session.execute(_course_page(org.kind == "client", module is not None), params).first()
    if row is None:
        abort(404)
    course, enrolment = row.course, row.enrolment if row.enrolment.id is not None else None
    modules = course_outline(course)
    if not modules:
        abort(404)
    current = _module_named(modules, module) if module is not None else None
    states = _progress_rows(row.progress)
    answers = _answer_rows(row.answers) if module is not None else {}
    summary = progress.course_progress([_state(m, states.get(m.id)) for m in modules])
    return CourseView(course, modules, states, enrolment, summary, current, answers)


def _state(module: ModuleOutline, p: ProgressRow | ModuleProgress | None) -> progress.ModuleState:
    score = p.best_score if p and p.best_score is not None else (0 if module.questions else None)
    return progress.ModuleState(module.id, module.minutes, bool(p and p.completed_at), score)


def module_in(view: CourseView, slug: str) -> ModuleOutline:
    """Return the module of this course with `slug`, or abort 404."""
    return _module_named(view.modules, slug)


def _module_named(modules: list[ModuleOutline], slug: str) -> ModuleOutline:
    module = next((m for m in modules if m.slug == slug), None)
    if module is None:
        abort(404)
    return module


def answers_for(user: User, org: Organization, module: ModuleOutline) -> dict[str, QuestionAnswer]:
    """Return the user's answers to the module's questions by question id (no query for a module without any)."""
    if not module.questions:
        return {}
    return {a.question_id: a for a in db.session.scalars(
        _answers_to(), {"user_id": user.id, "module_id": module.id, "org_id": org.id})}


@cache
def _answers_to() -> Select:
    return select(QuestionAnswer).where(
        QuestionAnswer.user_id == bindparam("user_id"), QuestionAnswer.module_id == bindparam("module_id"),
        QuestionAnswer.organization_id == bindparam("org_id"))


def _progress_row(user: User, org: Organization, module: ModuleOutline, view: CourseView) -> ModuleProgress:
    """Return the learner's progress on `module` as an ORM object to change (loaded by its id when the view holds a
    plain row; made when there is none), and keep it in the view, so what the request reads next shows the change."""
    row = view.progress.get(module.id)
    if isinstance(row, ModuleProgress):
        return row
    if row is None:
        row = ModuleProgress(user_id=user.id, module_id=module.id, organization_id=org.id, started_at=utcnow())
        db.session.add(row)
    else:
        row = db.session.get_one(ModuleProgress, row.id)
    view.progress[module.id] = row
    return row


def _enrolment_row(view: CourseView) -> Enrolment:
    """Return the learner's enrolment as an ORM object to change (loaded by its id when the view holds a plain row),
    and keep it in the view, so what the request reads next shows the change. The view must have an enrolment."""
    row = view.enrolment
    if not isinstance(row, Enrolment):
        row = view.enrolment = db.session.get_one(Enrolment, row.id)
    return row


def launch(user: User, org: Organization, view: CourseView, module: ModuleOutline) -> bool:
    """Note that the learner opened a module: progress started and the resume point moved when they change, and a
    "launched" statement once per learner, module and day (UTC), known from the progress row's `launched_on`:
    re-reading a page is no new launch, and a plain page view writes nothing and reads nothing more (the first view
    of a day loads the progress row to change it, and a view that moves the resume point loads the enrolment).
    Returns True when something was added or changed (the caller commits then)."""
    now = utcnow()
    row = view.progress.get(module.id)
    changed = row is None
    if row is None or row.launched_on != now.date():
        row = _progress_row(user, org, module, view)
    enrolment = view.enrolment
    if enrolment is not None and (enrolment.started_at is None or enrolment.last_module_id != module.id):
        enrolment = _enrolment_row(view)
        if enrolment.started_at is None:
            enrolment.started_at = now
        enrolment.last_module_id = module.id
        changed = True
    if row.launched_on != now.date():
        activity = f"{view.course.slug}/{module.slug}"
        record(user, "launched", ("module", activity, module.title), {"version": module.version},
               organization_id=org.id, cohort_id=enrolment.cohort_id if enrolment else None,
               course_slug=view.course.slug, timestamp=now)
        row.launched_on = now.date()
        changed = True
    return changed


def answer(user: User, org: Organization, view: CourseView, module: ModuleOutline, question_id: str,
           chosen: list[int]) -> progress.Grade:
    """Grade an answer on the server, keep the best result per question, update the module's best score."""
    question = next((q for q in module.questions if q["id"] == question_id), None)
    if question is None:
        abort(404)
    result = progress.grade(question, chosen)
    answers = answers_for(user, org, module)
    row = answers.get(question_id)
    if row is None:
        row = QuestionAnswer(user_id=user.id, module_id=module.id, organization_id=org.id, question_id=question_id,
                             version=module.version)
        db.session.add(row)
        answers[question_id] = row
    if row.first_correct is None:
        row.first_correct = result.correct
    row.chosen, row.is_correct = list(result.chosen), result.correct
    row.ever_correct = bool(row.ever_correct or result.correct)
    row.attempts = (row.attempts or 0) + 1
    row.version, row.answered_at = module.version, utcnow()
    prog = _progress_row(user, org, module, view)
    prog.attempts = (prog.attempts or 0) + 1
    score = progress.module_score([q["id"] for q in module.questions],
                                  [qid for qid, a in answers.items() if a.ever_correct])
    prog.best_score = max(prog.best_score or 0, score or 0)
    prog.first_score = progress.module_score([q["id"] for q in module.questions],
                                             [qid for qid, a in answers.items() if a.first_correct])
    options = question.get("options", [])
    # The answer as a cmi.interaction: the options (ids are their indexes), the right ones, the question's score.
    record(user, "answered", ("question", f"{view.course.slug}/{module.slug}#{question_id}", question["prompt"][:200]),
           {"success": result.correct, "response": list(result.chosen),
            "score": {"raw": int(result.correct), "min": 0, "max": 1}, "module_score": score,
            "first_attempt": row.attempts == 1},
           {"interaction": {"type": "choice", "choices": [o.get("text", "") for o in options],
                            "correct": [i for i, o in enumerate(options) if o.get("correct")]}},
           organization_id=org.id, course_slug=view.course.slug,
           cohort_id=view.enrolment.cohort_id if view.enrolment else None)
    return result


class QuestionsUnanswered(Exception):
    """The module's knowledge check has questions the learner has not answered yet."""

    def __init__(self, unanswered: int) -> None:
        super().__init__(f"{unanswered} question{'s' if unanswered != 1 else ''} of the check not answered yet")
        self.unanswered = unanswered


def option_orders(user: User, view: CourseView, module: ModuleOutline) -> dict[str, list[int]]:
    """Return {question id: the order this learner sees its options in}."""
    return {q["id"]: progress.option_order(user.id, f"{view.course.slug}/{module.slug}#{q['id']}",
                                           len(q.get("options", ())))
            for q in module.questions}


def complete_module(user: User, org: Organization, view: CourseView, module: ModuleOutline) -> bool:
    """Mark a module complete (against its current version); returns True if this completed the course.

    Raises QuestionsUnanswered while any of the module's questions has no answer: the check is part of the module.
    """
    answered = set(answers_for(user, org, module))
    unanswered = sum(1 for q in module.questions if q["id"] not in answered)
    if unanswered:
        raise QuestionsUnanswered(unanswered)
    row = _progress_row(user, org, module, view)
    db.session.flush()  # a new row is inserted: a second request making it at the same moment clashes here
    if set_once(row, ModuleProgress.completed_at, utcnow()):
        record(user, "completed", ("module", f"{view.course.slug}/{module.slug}", module.title),
               {"completion": True, "score": row.best_score, "version": module.version}, organization_id=org.id,
               course_slug=view.course.slug, cohort_id=view.enrolment.cohort_id if view.enrolment else None)
    row.completed_version = module.version
    db.session.flush()
    return refresh_completion(user, org, view)


def passed_exercises(user_id: int, org_id: int) -> set[str]:
    """Return the slugs of the exercises the user has passed in this organisation."""
    return set(db.session.scalars(select(ExerciseCredit.exercise_slug).where(
        ExerciseCredit.user_id == user_id, ExerciseCredit.organization_id == org_id)))


def refresh_completion(user: User, org: Organization, view: CourseView) -> bool:
    """Apply the course's completion rules; record the completion once, with its date. Returns True if it
    was completed by this call."""
    if view.enrolment is None or view.enrolment.completed_at is not None:
        return False
    enrolment = _enrolment_row(view)
    check = progress.completion([_state(m, view.progress.get(m.id)) for m in view.modules], view.course.pass_mark,
                                view.course.required_exercises, passed_exercises(user.id, org.id),
                                enrolment.attendance if view.course.attendance_required else None)
    if not check.complete or not set_once(enrolment, Enrolment.completed_at, utcnow()):
        return False
    record(user, "completed", ("course", view.course.slug, view.course.title), {"completion": True},
           organization_id=org.id, cohort_id=enrolment.cohort_id, course_slug=view.course.slug)
    db.session.flush()
    course_completed.send(enrolment, user=user)
    return True


def record_exercise_pass(user: User, org_id: int, slug: str, score: int) -> None:
    """Credit a passed exercise (practice calls this when a submission passes); keeps the best score."""
    credit = db.session.scalar(select(ExerciseCredit).where(
        ExerciseCredit.user_id == user.id, ExerciseCredit.organization_id == org_id,
        ExerciseCredit.exercise_slug == slug))
    if credit is None:
        db.session.add(ExerciseCredit(user_id=user.id, organization_id=org_id, exercise_slug=slug, best_score=score))
    else:
        credit.best_score = max(credit.best_score, score)
    db.session.flush()


def dashboard(user: User, org: Organization) -> list[tuple[Enrolment, progress.CourseProgress, ModuleOutline | None]]:
    """Return the user's active enrolments with progress and the module to do next (two queries; a third after
    a content sync, for the changed courses' outlines)."""
    enrolments = list(db.session.scalars(_enrolments_of(), {"user_id": user.id, "org_id": org.id}))
    if not enrolments:
        return []
    by_course = course_outlines(e.course for e in enrolments)
    states = {p.module_id: p for p in db.session.execute(_enrolled_progress(),
                                                         {"user_id": user.id, "org_id": org.id})}
    out = []
    for e in enrolments:
        course_modules = by_course.get(e.course_id, [])
        summary = progress.course_progress([_state(m, states.get(m.id)) for m in course_modules])
        resume = next((m for m in course_modules if m.id == e.last_module_id and m.id in states
                       and not states[m.id].completed_at), None)
        nxt = resume or next((m for m in course_modules if m.id == summary.next_module_id), None)
        out.append((e, summary, nxt))
    return out


@cache
def _enrolments_of() -> Select:
    return (select(Enrolment).where(Enrolment.user_id == bindparam("user_id"),
                                    Enrolment.organization_id == bindparam("org_id"), Enrolment.withdrawn_at.is_(None))
            .order_by(Enrolment.completed_at.is_not(None), Enrolment.due_at.is_(None), Enrolment.due_at,
                      Enrolment.enrolled_at))


def role_work(org: Organization, roles: frozenset[str], now: datetime) -> dict[str, int]:
    """Return the counts each role's landing page leads with: a manager's overdue learners, an org admin's
    pending invitations (one query each, only for the roles held)."""
    work: dict[str, int] = {}
    if "manager" in roles:
        work["overdue"] = db.session.scalar(select(func.count(func.distinct(Enrolment.user_id))).where(
            Enrolment.organization_id == org.id, Enrolment.completed_at.is_(None), Enrolment.withdrawn_at.is_(None),
            Enrolment.due_at.is_not(None), Enrolment.due_at < now)) or 0
    if "org_admin" in roles:
        work["invitations"] = db.session.scalar(select(func.count(Invitation.id)).where(
            Invitation.organization_id == org.id, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
            Invitation.expires_at > now)) or 0
    return work
