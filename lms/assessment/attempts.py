"""Pre- and post-course assessment attempts: what is on offer, starting, answering, closing and the paper.

They flush, never commit: the view owns the commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime

from flask import abort, current_app
from sqlalchemy import select

from lms.assessment import papers
from lms.assessment.models import KIND_LABELS, AssessmentAnswer, AssessmentAttempt
from lms.assessment.question_bank import bank, questions_for
from lms.content.models import Competency, Course
from lms.database import set_once
from lms.extensions import db
from lms.identity.models import Organization, User
from lms.learning import services as learning
from lms.learning.progress import grade
from lms.tracking.services import record


class AssessmentUnavailable(Exception):
    """The assessment cannot be started now; `reason` says why, in words for the learner."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AttemptClosed(Exception):
    """The attempt is closed: its answers can no longer change."""


@dataclass(frozen=True)
class Settings:
    mix: dict[int, int]
    time_limit_minutes: int | None


def settings_for(config: Mapping, course_slug: str) -> Settings:
    """Return the paper mix and time limit for a course's assessments from the app's settings.

    ASSESSMENT_MIX ({difficulty: count per competency}), ASSESSMENT_TIME_LIMIT_MINUTES (every course) and
    ASSESSMENT_TIME_LIMITS ({course slug: minutes}, which wins); no limit means untimed.
    """
    return Settings(
        mix=papers.normalise_mix(config.get("ASSESSMENT_MIX")),
        time_limit_minutes=papers.time_limit_for(
            course_slug, config.get("ASSESSMENT_TIME_LIMITS"), config.get("ASSESSMENT_TIME_LIMIT_MINUTES")
        ),
    )


@dataclass
class CourseContext:
    view: learning.CourseView
    competencies: list[str]  # taught by the course's modules, in module order
    modules_done: int
    attempts: dict[str, AssessmentAttempt]  # by kind

    def offer(self, kind: str) -> papers.Offer:
        attempt = self.attempts.get(kind)
        enrolment = self.view.enrolment
        return papers.offer(
            kind,
            enrolled=enrolment is not None,
            modules_total=len(self.view.modules),
            modules_done=self.modules_done,
            course_completed=bool(enrolment and enrolment.completed_at),
            attempt_closed=None if attempt is None else attempt.is_closed,
        )


def course_context(user: User, org: Organization, course_slug: str) -> CourseContext:
    """Load a visible course with the learner's progress and assessment attempts (four queries); 404 if none."""
    view = learning.course_view(user, org, course_slug)
    competencies: list[str] = []
    for module in view.modules:
        competencies.extend(c for c in module.competencies or () if c not in competencies)
    done = sum(1 for m in view.modules if view.state(m) == "completed")
    attempts = {a.kind: a for a in db.session.scalars(select(AssessmentAttempt).where(
        AssessmentAttempt.user_id == user.id, AssessmentAttempt.organization_id == org.id,
        AssessmentAttempt.course_id == view.course.id))}
    return CourseContext(view, competencies, done, attempts)


def _seen_keys(user_id: int, org_id: int) -> set[str]:
    """Keys of the questions on the learner's earlier papers (any course): drawn again only when nothing else is.

    Module knowledge-check questions are not in the bank at all, so they need no avoiding.
    """
    return {item["key"] for paper in db.session.scalars(select(AssessmentAttempt.paper).where(
        AssessmentAttempt.user_id == user_id, AssessmentAttempt.organization_id == org_id)) for item in paper}


BANK_TOO_SMALL = ("This assessment cannot start yet: the question bank does not hold enough questions for a paper "
                  "that repeats none you have already answered. The fault has been logged for the platform team; "
                  "please try again later.")


def _title(attempt_kind: str, course: Course) -> str:
    return f"{KIND_LABELS[attempt_kind]}: {course.title}"


def start_attempt(user: User, org: Organization, ctx: CourseContext, kind: str, settings: Settings,
                  now: datetime) -> AssessmentAttempt:
    """Start the learner's pre- or post-course assessment, or return the one already started.

    The paper is drawn from the bank with the attempt's id as the seed, in the configured difficulty mix, fresh
    questions first. The post-course paper never repeats a question of the learner's pre-course paper on the
    course: when the bank cannot supply one that way (`flask lms content check` reports such a bank), nothing
    is started and the fault is logged as an error rather than a question repeated. Raises
    AssessmentUnavailable when it is not on offer or the bank is empty or too small.
    """
    if kind in ctx.attempts:
        return ctx.attempts[kind]
    offered = ctx.offer(kind)
    if offered.state != "available":
        raise AssessmentUnavailable(offered.reason)
    items, _ = bank(ctx.competencies)
    if not items:
        raise AssessmentUnavailable("There are no questions for this course's competencies yet.")
    pre = ctx.attempts.get("pre") if kind == "post" else None
    exclude = {item["key"] for item in pre.paper} if pre is not None else set()
    short = papers.paper_shortfalls(items, ctx.competencies, settings.mix, exclude)
    course, enrolment = ctx.view.course, ctx.view.enrolment
    if short:
        current_app.logger.error(
            "assessment bank too small for the %s paper of %s (user %s): %s", kind, course.slug, user.id,
            papers.BankTooSmall(short))
        raise AssessmentUnavailable(BANK_TOO_SMALL)
    attempt = AssessmentAttempt(
        user_id=user.id, organization_id=org.id, course_id=course.id, kind=kind, paper=[],
        cohort_id=enrolment.cohort_id if enrolment else None, started_at=now,
        time_limit_minutes=settings.time_limit_minutes,
        deadline_at=papers.deadline(now, settings.time_limit_minutes),
    )
    db.session.add(attempt)
    db.session.flush()  # the id seeds the draw
    paper = papers.draw_paper(items, ctx.competencies, settings.mix, seed=attempt.id,
                              avoid=_seen_keys(user.id, org.id), exclude=exclude)
    attempt.paper = [asdict(item) for item in paper]
    ctx.attempts[kind] = attempt
    record(user, "launched", ("assessment", f"{course.slug}/{kind}", _title(kind, course)),
           {"questions": len(paper), "time_limit_minutes": settings.time_limit_minutes},
           context={"attempt": attempt.id}, organization_id=org.id, cohort_id=attempt.cohort_id,
           course_slug=course.slug)
    db.session.flush()
    return attempt


def attempt_or_404(attempt_id: int, user: User, org: Organization) -> AssessmentAttempt:
    """Return the user's own attempt in this organisation, or abort 404 (another's attempt is not revealed)."""
    attempt = db.session.get(AssessmentAttempt, attempt_id)
    if attempt is None or attempt.user_id != user.id or attempt.organization_id != org.id:
        abort(404)
    return attempt


def answer(user: User, attempt: AssessmentAttempt, number: int, chosen: list[int], now: datetime) -> str:
    """Check and keep the learner's answer to question `number` (1-based) of the paper; returns the outcome.

    "saved"; "empty" (no option chosen: nothing kept); or "late": the time limit had passed, so the answer is
    not counted and the attempt is closed. Raises AttemptClosed for a closed attempt; 404 for a number not on
    the paper or a question that no longer exists.
    """
    if attempt.is_closed:
        raise AttemptClosed()
    if not 1 <= number <= len(attempt.paper):
        abort(404)
    if papers.is_late(attempt.deadline_at, now):
        close(user, attempt, now, late_answers=1)
        return "late"
    key = attempt.paper[number - 1]["key"]
    question = questions_for([key]).get(key)
    if question is None:
        abort(404)
    result = grade(question, chosen)
    if not result.chosen:
        return "empty"
    row = db.session.scalar(select(AssessmentAnswer).where(
        AssessmentAnswer.attempt_id == attempt.id, AssessmentAnswer.question_key == key))
    if row is None:
        row = AssessmentAnswer(attempt_id=attempt.id, question_key=key)
        db.session.add(row)
    row.chosen, row.is_correct, row.answered_at = list(result.chosen), result.correct, now
    course = attempt.course
    record(user, "answered", ("question", key, question["prompt"][:200]),
           {"success": result.correct, "response": list(result.chosen)},
           context={"attempt": attempt.id, "assessment": attempt.kind}, organization_id=attempt.organization_id,
           cohort_id=attempt.cohort_id, course_slug=course.slug)
    db.session.flush()
    return "saved"


def close(user: User, attempt: AssessmentAttempt, now: datetime, late_answers: int = 0) -> None:
    """Close the attempt and score it from the answers given in time; closing twice changes nothing.

    An attempt past its time limit closes at the deadline, "by the time limit". Records "completed".
    """
    if attempt.is_closed:
        return
    timed_out = papers.is_late(attempt.deadline_at, now)
    # Closed in the database where still open: of two requests closing it at once (a double click on "finish", or
    # the time limit noticed by two pages), one scores it and records "completed"; the other changes nothing.
    if not set_once(attempt, AssessmentAttempt.closed_at, attempt.deadline_at if timed_out else now):
        return
    correct = set(db.session.scalars(select(AssessmentAnswer.question_key).where(
        AssessmentAnswer.attempt_id == attempt.id, AssessmentAnswer.is_correct.is_(True))))
    result = papers.score_paper([papers.PaperItem(**item) for item in attempt.paper], correct)
    attempt.closed_by = "time_limit" if timed_out else "learner"
    attempt.score = result.overall.percent
    attempt.scores = result.as_json()
    attempt.late_answers = (attempt.late_answers or 0) + late_answers
    course = attempt.course
    record(user, "completed", ("assessment", f"{course.slug}/{attempt.kind}", _title(attempt.kind, course)),
           {"completion": True, "score": attempt.score, "correct": result.overall.correct,
            "questions": result.overall.total, "closed_by": attempt.closed_by,
            "late_answers": attempt.late_answers,
            "competencies": {slug: t.percent for slug, t in result.by_competency.items()}},
           context={"attempt": attempt.id}, organization_id=attempt.organization_id, cohort_id=attempt.cohort_id,
           course_slug=course.slug)
    db.session.flush()


def expire_if_due(user: User, attempt: AssessmentAttempt, now: datetime) -> bool:
    """Close an open attempt whose time limit has passed; returns True if it did."""
    if attempt.is_closed or not papers.is_late(attempt.deadline_at, now):
        return False
    close(user, attempt, now)
    return True


@dataclass(frozen=True)
class PaperQuestion:
    number: int
    key: str
    competency: str
    difficulty: int
    question: dict | None  # None: removed from the content since the paper was drawn
    order: list[int]  # option indexes in the order shown
    answer: AssessmentAnswer | None


@dataclass(frozen=True)
class PaperView:
    attempt: AssessmentAttempt
    course: Course
    questions: list[PaperQuestion]
    competency_names: dict[str, str]

    @property
    def answered(self) -> int:
        return sum(1 for q in self.questions if q.answer is not None)


def paper_view(attempt: AssessmentAttempt) -> PaperView:
    """Return the attempt's paper with its questions, option order and answers (three queries, and one more
    for the competency names the results show once it is closed)."""
    keys = [item["key"] for item in attempt.paper]
    questions = questions_for(keys)
    answers = {a.question_key: a for a in db.session.scalars(select(AssessmentAnswer).where(
        AssessmentAnswer.attempt_id == attempt.id))}
    names = dict(db.session.execute(select(Competency.slug, Competency.name)).all()) if attempt.is_closed else {}
    rows = []
    for number, item in enumerate(attempt.paper, start=1):
        question = questions.get(item["key"])
        order = papers.option_order(len(question["options"]), attempt.id, item["key"]) if question else []
        rows.append(PaperQuestion(number, item["key"], item["competency"], item["difficulty"], question, order,
                                  answers.get(item["key"])))
    return PaperView(attempt, attempt.course, rows, names)
