"""Learning operations: catalogue, enrolment, module progress, knowledge checks, completion. Flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort
from sqlalchemy import func, or_, select

from lms.content.models import Course, Module
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Invitation, Organization, User
from lms.learning import progress
from lms.learning.models import Enrolment, ExerciseCredit, ModuleProgress, QuestionAnswer
from lms.learning.signals import course_completed
from lms.tracking.services import record


def visible_courses_clause(org: Organization):
    """SQL condition for the courses an organisation's people may see: public ones, plus in-house for clients."""
    if org is not None and org.kind == "client":
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


def enrolment_for(user: User, course: Course, org: Organization) -> Enrolment | None:
    """Return the user's active enrolment on the course in this organisation, or None."""
    return db.session.scalar(select(Enrolment).where(
        Enrolment.user_id == user.id, Enrolment.course_id == course.id, Enrolment.organization_id == org.id,
        Enrolment.withdrawn_at.is_(None)))


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
    course: Course
    modules: list[Module]
    progress: dict[int, ModuleProgress]
    enrolment: Enrolment | None
    summary: progress.CourseProgress

    def state(self, module: Module) -> str:
        p = self.progress.get(module.id)
        if p is None:
            return "not_started"
        return "completed" if p.completed_at else "in_progress"

    def updated_since_completed(self, module: Module) -> bool:
        p = self.progress.get(module.id)
        return bool(p and p.completed_version and p.completed_version != module.version)


def course_view(user: User, org: Organization, slug: str) -> CourseView:
    """Load a course, its active modules in order, the user's progress and enrolment (three queries)."""
    rows = db.session.execute(
        select(Course, Module).join(Module, Module.course_id == Course.id)
        .where(Course.slug == slug, visible_courses_clause(org), Module.is_archived.is_(False))
        .order_by(Module.position)
    ).all()
    if not rows:
        abort(404)
    course = rows[0][0]
    modules = [m for _, m in rows]
    states = {p.module_id: p for p in db.session.scalars(select(ModuleProgress).where(
        ModuleProgress.user_id == user.id, ModuleProgress.organization_id == org.id,
        ModuleProgress.module_id.in_([m.id for m in modules])))}
    enrolment = enrolment_for(user, course, org)
    summary = progress.course_progress([_state(m, states.get(m.id)) for m in modules])
    return CourseView(course, modules, states, enrolment, summary)


def _state(module: Module, p: ModuleProgress | None) -> progress.ModuleState:
    score = p.best_score if p and p.best_score is not None else (0 if module.questions else None)
    return progress.ModuleState(module.id, module.minutes, bool(p and p.completed_at), score)


def module_in(view: CourseView, slug: str) -> Module:
    """Return the module of this course with `slug`, or abort 404."""
    module = next((m for m in view.modules if m.slug == slug), None)
    if module is None:
        abort(404)
    return module


def answers_for(user: User, org: Organization, module: Module) -> dict[str, QuestionAnswer]:
    """Return the user's answers to the module's questions by question id."""
    return {a.question_id: a for a in db.session.scalars(select(QuestionAnswer).where(
        QuestionAnswer.user_id == user.id, QuestionAnswer.module_id == module.id,
        QuestionAnswer.organization_id == org.id))}


def _progress_row(user: User, org: Organization, module: Module, view: CourseView) -> ModuleProgress:
    row = view.progress.get(module.id)
    if row is None:
        row = ModuleProgress(user_id=user.id, module_id=module.id, organization_id=org.id, started_at=utcnow())
        db.session.add(row)
        view.progress[module.id] = row
    return row


def launch(user: User, org: Organization, view: CourseView, module: Module) -> None:
    """Note that the learner opened a module: progress started, resume point moved, a statement recorded."""
    now = utcnow()
    if module.id not in view.progress:
        _progress_row(user, org, module, view)
    enrolment = view.enrolment
    if enrolment is not None:
        if enrolment.started_at is None:
            enrolment.started_at = now
        if enrolment.last_module_id != module.id:
            enrolment.last_module_id = module.id
    record(user, "launched", ("module", f"{view.course.slug}/{module.slug}", module.title),
           {"version": module.version}, organization_id=org.id,
           cohort_id=enrolment.cohort_id if enrolment else None, course_slug=view.course.slug)


def answer(user: User, org: Organization, view: CourseView, module: Module, question_id: str,
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


def option_orders(user: User, view: CourseView, module: Module) -> dict[str, list[int]]:
    """Return {question id: the order this learner sees its options in}."""
    return {q["id"]: progress.option_order(user.id, f"{view.course.slug}/{module.slug}#{q['id']}",
                                           len(q.get("options", ())))
            for q in module.questions}


def complete_module(user: User, org: Organization, view: CourseView, module: Module) -> bool:
    """Mark a module complete (against its current version); returns True if this completed the course.

    Raises QuestionsUnanswered while any of the module's questions has no answer: the check is part of the module.
    """
    answered = set(answers_for(user, org, module))
    unanswered = sum(1 for q in module.questions if q["id"] not in answered)
    if unanswered:
        raise QuestionsUnanswered(unanswered)
    row = _progress_row(user, org, module, view)
    if row.completed_at is None:
        row.completed_at = utcnow()
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
    enrolment = view.enrolment
    if enrolment is None or enrolment.completed_at is not None:
        return False
    check = progress.completion([_state(m, view.progress.get(m.id)) for m in view.modules], view.course.pass_mark,
                                view.course.required_exercises, passed_exercises(user.id, org.id),
                                enrolment.attendance if view.course.attendance_required else None)
    if not check.complete:
        return False
    enrolment.completed_at = utcnow()
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


def dashboard(user: User, org: Organization) -> list[tuple[Enrolment, progress.CourseProgress, Module | None]]:
    """Return the user's active enrolments with progress and the module to do next (three queries)."""
    enrolments = list(db.session.scalars(select(Enrolment).where(
        Enrolment.user_id == user.id, Enrolment.organization_id == org.id, Enrolment.withdrawn_at.is_(None))
        .order_by(Enrolment.completed_at.is_not(None), Enrolment.due_at.is_(None), Enrolment.due_at,
                  Enrolment.enrolled_at)))
    if not enrolments:
        return []
    modules = list(db.session.scalars(select(Module).where(
        Module.course_id.in_([e.course_id for e in enrolments]), Module.is_archived.is_(False))
        .order_by(Module.course_id, Module.position)))
    states = {p.module_id: p for p in db.session.scalars(select(ModuleProgress).where(
        ModuleProgress.user_id == user.id, ModuleProgress.organization_id == org.id,
        or_(*[ModuleProgress.module_id == m.id for m in modules]) if modules else False))}
    by_course: dict[int, list[Module]] = {}
    for m in modules:
        by_course.setdefault(m.course_id, []).append(m)
    out = []
    for e in enrolments:
        course_modules = by_course.get(e.course_id, [])
        summary = progress.course_progress([_state(m, states.get(m.id)) for m in course_modules])
        resume = next((m for m in course_modules if m.id == e.last_module_id and m.id in states
                       and not states[m.id].completed_at), None)
        nxt = resume or next((m for m in course_modules if m.id == summary.next_module_id), None)
        out.append((e, summary, nxt))
    return out


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
