"""Assessment operations: the question bank, pre/post attempts, coach ratings and capability profiles.

They flush, never commit: the view or command owns the commit. Set-based reads (`profiles_for`) take a fixed
number of queries whatever the number of learners, so manager reports can call them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime

from flask import abort
from sqlalchemy import and_, case, func, select

from lms.assessment import capability, papers
from lms.assessment.models import (
    KIND_LABELS,
    AssessmentAnswer,
    AssessmentAttempt,
    AssessmentQuestion,
    CoachRating,
)
from lms.content.loader import DEFAULT_DIFFICULTY
from lms.content.models import Competency, Course, Module
from lms.extensions import db
from lms.identity.models import Cohort, CohortMember, Organization, User
from lms.learning import services as learning
from lms.learning.models import Enrolment, QuestionAnswer
from lms.learning.progress import grade
from lms.practice import services as practice
from lms.tracking.services import record

ASSESSMENT_PREFIX = "assessments/"  # keys of assessment-only questions; the loader keeps that name off courses


class AssessmentUnavailable(Exception):
    """The assessment cannot be started now; `reason` says why, in words for the learner."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AttemptClosed(Exception):
    """The attempt is closed: its answers can no longer change."""


# --- Settings and keys -------------------------------------------------------------------------------------


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


def module_question_key(course_slug: str, module_slug: str, question_id: str) -> str:
    return f"{course_slug}/{module_slug}#{question_id}"


def bank_question_key(competency: str, question_id: str) -> str:
    return f"{ASSESSMENT_PREFIX}{competency}#{question_id}"


def _split_key(key: str) -> tuple[str, str, str] | None:
    """Return (folder, file, question id) of a question key, or None if it is malformed."""
    path, _, question_id = key.partition("#")
    folder, _, name = path.partition("/")
    return (folder, name, question_id) if folder and name and question_id else None


# --- The question bank -------------------------------------------------------------------------------------


def bank(competencies: Collection[str], org: Organization) -> tuple[list[papers.BankItem], dict[str, dict]]:
    """Return the bank items of these competencies and their questions by key (two queries).

    The bank holds every question of the active modules the organisation can see, under each competency its
    module teaches (difficulty 2 unless the question gives one), and the active assessment-only questions.
    """
    wanted = set(competencies)
    items: list[papers.BankItem] = []
    questions: dict[str, dict] = {}
    rows = db.session.execute(
        select(Course.slug, Module.slug, Module.competencies, Module.questions)
        .join(Module, Module.course_id == Course.id)
        .where(learning.visible_courses_clause(org), Module.is_archived.is_(False))
        .order_by(Course.slug, Module.position)
    )
    for course_slug, module_slug, module_competencies, module_questions in rows:
        tagged = [c for c in module_competencies or () if c in wanted]
        for question in module_questions or ():
            if not tagged:
                break
            key = module_question_key(course_slug, module_slug, question["id"])
            questions[key] = question
            difficulty = question.get("difficulty", DEFAULT_DIFFICULTY)
            items.extend(papers.BankItem(key, competency, difficulty) for competency in tagged)
    for row in db.session.scalars(select(AssessmentQuestion).where(
            AssessmentQuestion.is_archived.is_(False), AssessmentQuestion.competency_slug.in_(wanted))):
        key = bank_question_key(row.competency_slug, row.question_id)
        questions[key] = row.question
        items.append(papers.BankItem(key, row.competency_slug, row.difficulty))
    return items, questions


def questions_for(keys: Iterable[str]) -> dict[str, dict]:
    """Return the questions with these keys (archived ones included, so old papers still show), by key.

    At most two queries; a key whose question no longer exists is left out.
    """
    module_keys, bank_keys = set(), set()
    for key in keys:
        parts = _split_key(key)
        if parts is not None:
            (bank_keys if key.startswith(ASSESSMENT_PREFIX) else module_keys).add(parts)
    found: dict[str, dict] = {}
    if module_keys:
        rows = db.session.execute(
            select(Course.slug, Module.slug, Module.questions).join(Module, Module.course_id == Course.id)
            .where(Course.slug.in_({c for c, _, _ in module_keys}), Module.slug.in_({m for _, m, _ in module_keys}))
        )
        for course_slug, module_slug, module_questions in rows:
            for question in module_questions or ():
                if (course_slug, module_slug, question["id"]) in module_keys:
                    found[module_question_key(course_slug, module_slug, question["id"])] = question
    if bank_keys:
        rows = db.session.scalars(select(AssessmentQuestion).where(
            AssessmentQuestion.competency_slug.in_({c for _, c, _ in bank_keys}),
            AssessmentQuestion.question_id.in_({q for _, _, q in bank_keys})))
        for row in rows:
            if (ASSESSMENT_PREFIX.rstrip("/"), row.competency_slug, row.question_id) in bank_keys:
                found[bank_question_key(row.competency_slug, row.question_id)] = row.question
    return found


# --- A course's assessments --------------------------------------------------------------------------------


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
    """Keys of the questions the learner has met: on earlier papers and in module knowledge checks."""
    seen = {item["key"] for paper in db.session.scalars(select(AssessmentAttempt.paper).where(
        AssessmentAttempt.user_id == user_id, AssessmentAttempt.organization_id == org_id)) for item in paper}
    rows = db.session.execute(
        select(Course.slug, Module.slug, QuestionAnswer.question_id)
        .join(Module, Module.id == QuestionAnswer.module_id).join(Course, Course.id == Module.course_id)
        .where(QuestionAnswer.user_id == user_id, QuestionAnswer.organization_id == org_id))
    seen.update(module_question_key(*row) for row in rows)
    return seen


def _title(attempt_kind: str, course: Course) -> str:
    return f"{KIND_LABELS[attempt_kind]}: {course.title}"


def start_attempt(user: User, org: Organization, ctx: CourseContext, kind: str, settings: Settings,
                  now: datetime) -> AssessmentAttempt:
    """Start the learner's pre- or post-course assessment, or return the one already started.

    The paper is drawn from the bank with the attempt's id as the seed, fresh questions first, in the
    configured difficulty mix. Raises AssessmentUnavailable when it is not on offer or the bank is empty.
    """
    if kind in ctx.attempts:
        return ctx.attempts[kind]
    offered = ctx.offer(kind)
    if offered.state != "available":
        raise AssessmentUnavailable(offered.reason)
    items, _ = bank(ctx.competencies, org)
    if not items:
        raise AssessmentUnavailable("There are no questions for this course's competencies yet.")
    course, enrolment = ctx.view.course, ctx.view.enrolment
    attempt = AssessmentAttempt(
        user_id=user.id, organization_id=org.id, course_id=course.id, kind=kind, paper=[],
        cohort_id=enrolment.cohort_id if enrolment else None, started_at=now,
        time_limit_minutes=settings.time_limit_minutes,
        deadline_at=papers.deadline(now, settings.time_limit_minutes),
    )
    db.session.add(attempt)
    db.session.flush()  # the id seeds the draw
    paper = papers.draw_paper(items, ctx.competencies, settings.mix, seed=attempt.id,
                              avoid=_seen_keys(user.id, org.id))
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
    correct = set(db.session.scalars(select(AssessmentAnswer.question_key).where(
        AssessmentAnswer.attempt_id == attempt.id, AssessmentAnswer.is_correct.is_(True))))
    result = papers.score_paper([papers.PaperItem(**item) for item in attempt.paper], correct)
    attempt.closed_at = attempt.deadline_at if timed_out else now
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


@dataclass
class CourseAssessments:
    """A course the learner is (or was) enrolled on, with their pre- and post-course attempts."""

    course: Course
    enrolment: Enrolment
    pre: AssessmentAttempt | None = None
    post: AssessmentAttempt | None = None


def course_assessments(user_id: int, org_id: int) -> list[CourseAssessments]:
    """Return the learner's courses in this organisation with their attempts (one query).

    Withdrawn enrolments are included only when they hold an attempt. An attempt needs an enrolment, and
    enrolments are withdrawn, never deleted, so every attempt of the learner is here.
    """
    rows = db.session.execute(
        select(Enrolment, AssessmentAttempt).outerjoin(AssessmentAttempt, and_(
            AssessmentAttempt.course_id == Enrolment.course_id, AssessmentAttempt.user_id == Enrolment.user_id,
            AssessmentAttempt.organization_id == Enrolment.organization_id))
        .where(Enrolment.user_id == user_id, Enrolment.organization_id == org_id)
        .order_by(Enrolment.enrolled_at, Enrolment.id))
    out: dict[int, CourseAssessments] = {}
    for enrolment, attempt in rows:
        item = out.setdefault(enrolment.id, CourseAssessments(enrolment.course, enrolment))
        if attempt is not None:
            setattr(item, attempt.kind, attempt)
    return [i for i in out.values() if i.enrolment.withdrawn_at is None or i.pre or i.post]


@dataclass(frozen=True)
class ProgressPage:
    learner: User
    profile: capability.LearnerProfile
    courses: list[CourseAssessments]
    learners: list[CoachedLearner]  # the learners this user coaches (their own page only)
    framework: list[Competency]


def progress_page(learner: User, org_id: int, *, framework: list[Competency] | None = None,
                  coaching: bool = False) -> ProgressPage:
    """Return what a progress page shows: the profile, the courses' assessments and, for a coach, their
    learners. Five queries (six for a coach), four when `framework` is given."""
    framework = competencies() if framework is None else framework
    courses = course_assessments(learner.id, org_id)
    attempts = [a for item in courses for a in (item.pre, item.post) if a is not None]
    profile = profiles_for([learner.id], org_id, framework=framework, attempts={learner.id: attempts})[learner.id]
    learners = coached_learners(learner.id, org_id) if coaching else []
    return ProgressPage(learner, profile, courses, learners, framework)


# --- People: who may see and rate whom ---------------------------------------------------------------------


def coached_cohort_id(coach_id: int, learner_id: int, org_id: int) -> int | None:
    """Return a cohort of this organisation that `coach_id` coaches and `learner_id` learns in, else None."""
    coach, learner = CohortMember.__table__.alias("coach"), CohortMember.__table__.alias("learner")
    return db.session.scalar(
        select(Cohort.id).join(coach, coach.c.cohort_id == Cohort.id).join(learner, learner.c.cohort_id == Cohort.id)
        .where(Cohort.organization_id == org_id, Cohort.is_archived.is_(False),
               coach.c.user_id == coach_id, coach.c.role == "coach",
               learner.c.user_id == learner_id, learner.c.role == "learner")
        .order_by(Cohort.id).limit(1))


@dataclass(frozen=True)
class CoachedLearner:
    user_id: int
    name: str
    cohort: str


def coached_learners(coach_id: int, org_id: int) -> list[CoachedLearner]:
    """Return the learners in the active cohorts this user coaches, by cohort and name (one query)."""
    coach, learner = CohortMember.__table__.alias("coach"), CohortMember.__table__.alias("learner")
    return [CoachedLearner(*row) for row in db.session.execute(
        select(User.id, User.name, Cohort.name).join(learner, learner.c.user_id == User.id)
        .join(Cohort, Cohort.id == learner.c.cohort_id).join(coach, coach.c.cohort_id == Cohort.id)
        .where(Cohort.organization_id == org_id, Cohort.is_archived.is_(False), coach.c.user_id == coach_id,
               coach.c.role == "coach", learner.c.role == "learner")
        .order_by(Cohort.name, User.name))]


def competencies() -> list[Competency]:
    """Return the active competencies in framework order."""
    return list(db.session.scalars(select(Competency).where(Competency.is_archived.is_(False))
                                   .order_by(Competency.position)))


def rate(coach: User, learner: User, org_id: int, cohort_id: int | None, competency: Competency, level: int,
         comment: str) -> CoachRating:
    """Record a coach's rating (1-5 against the competency's levels) with a comment, and a "rated" statement.

    Ratings are a history: this one becomes the learner's current rating for the competency.
    """
    if level not in range(1, 6):
        raise ValueError(f"level must be 1 to 5, not {level}")
    rating = CoachRating(organization_id=org_id, learner_id=learner.id, coach_id=coach.id, cohort_id=cohort_id,
                         competency_slug=competency.slug, level=level, comment=comment.strip())
    db.session.add(rating)
    record(coach, "rated", ("competency", competency.slug, competency.name),
           {"score": {"raw": level, "min": 1, "max": 5}, "response": rating.comment},
           context={"learner_id": learner.id}, organization_id=org_id, cohort_id=cohort_id)
    db.session.flush()
    return rating


# --- Capability profiles -----------------------------------------------------------------------------------


def applied_inputs(user_ids: Collection[int], org_id: int) -> dict[int, dict[str, int]]:
    """Return each learner's best submitted score per exercise slug in the organisation (practice's numbers)."""
    return practice.best_scores_for_users(list(user_ids), org_id)


def _attempt_results(user_ids: Collection[int], org_id: int) -> dict[int, list[capability.AttemptResult]]:
    out: dict[int, list[capability.AttemptResult]] = {}
    rows = db.session.execute(
        select(AssessmentAttempt.user_id, AssessmentAttempt.kind, AssessmentAttempt.closed_at, AssessmentAttempt.scores)
        .where(AssessmentAttempt.organization_id == org_id, AssessmentAttempt.user_id.in_(user_ids),
               AssessmentAttempt.closed_at.is_not(None)))
    for user_id, kind, closed_at, scores in rows:
        out.setdefault(user_id, []).append(_result(kind, closed_at, scores))
    return out


def _result(kind: str, closed_at: datetime, scores: dict) -> capability.AttemptResult:
    tallies = {slug: papers.Tally(int(s.get("correct", 0)), int(s.get("total", 0))) for slug, s in (scores or {}).items()}
    return capability.AttemptResult(kind, closed_at, tallies)


def _check_rows(user_ids: Collection[int], org_id: int) -> dict[int, list[tuple[list[str], int, int]]]:
    out: dict[int, list[tuple[list[str], int, int]]] = {}
    # Grouped by module id, so the module's competencies (functionally dependent on it) may be selected.
    rows = db.session.execute(
        select(QuestionAnswer.user_id, Module.competencies, func.count(QuestionAnswer.id),
               func.sum(case((QuestionAnswer.ever_correct.is_(True), 1), else_=0)))
        .join(Module, Module.id == QuestionAnswer.module_id)
        .where(QuestionAnswer.organization_id == org_id, QuestionAnswer.user_id.in_(user_ids))
        .group_by(QuestionAnswer.user_id, Module.id))
    for user_id, module_competencies, answered, right in rows:
        out.setdefault(user_id, []).append((module_competencies or [], int(answered), int(right or 0)))
    return out


def _latest_ratings(user_ids: Collection[int], org_id: int) -> dict[int, dict[str, capability.Rating]]:
    latest = (select(func.max(CoachRating.id))
              .where(CoachRating.organization_id == org_id, CoachRating.learner_id.in_(user_ids))
              .group_by(CoachRating.learner_id, CoachRating.competency_slug))
    out: dict[int, dict[str, capability.Rating]] = {}
    rows = db.session.execute(
        select(CoachRating, User.name).outerjoin(User, User.id == CoachRating.coach_id)
        .where(CoachRating.id.in_(latest)))
    for rating, coach_name in rows:
        out.setdefault(rating.learner_id, {})[rating.competency_slug] = capability.Rating(
            rating.level, rating.comment, coach_name or "A former coach", rating.rated_at)
    return out


def profiles_for(user_ids: Iterable[int], org_id: int, *, framework: list[Competency] | None = None,
                 attempts: Mapping[int, list[AssessmentAttempt]] | None = None,
                 ) -> dict[int, capability.LearnerProfile]:
    """Return the capability profile of each learner in `user_ids` within the organisation.

    A fixed number of queries whatever the number of learners: the competencies (skipped when `framework` is
    given), closed attempts (skipped when the caller passes the learners' `attempts`), module-check tallies,
    latest coach ratings and practice's best scores. Every learner asked for gets a profile, empty or not.
    """
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    framework = competencies() if framework is None else framework
    rows = [(c.slug, c.name) for c in framework]
    if attempts is None:
        results = _attempt_results(ids, org_id)
    else:
        results = {uid: [_result(a.kind, a.closed_at, a.scores) for a in items if a.closed_at is not None]
                   for uid, items in attempts.items()}
    checks = _check_rows(ids, org_id)
    ratings = _latest_ratings(ids, org_id)
    best = applied_inputs(ids, org_id)
    mapping = {slug: exercise.competencies for slug, exercise in practice.exercise_registry().items()}
    profiles = {}
    for uid in ids:
        pre, post = capability.assessment_results(results.get(uid, []))
        profiles[uid] = capability.build_profile(
            uid, rows, pre=pre, post=post, checks=capability.check_tallies(checks.get(uid, [])),
            applied=capability.applied_scores(best.get(uid, {}), mapping), ratings=ratings.get(uid, {}))
    return profiles
