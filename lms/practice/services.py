"""Practice operations: the exercise registry, runs, submissions, coach reviews and handoff briefs.

They add and flush, never commit: the view or CLI command owns the commit.
"""

from __future__ import annotations

import smtplib
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from flask import abort, current_app
from sqlalchemy import Integer, and_, func, select, update
from sqlalchemy.orm import lazyload, undefer_group

from lms.abm.coverage import normalise_roles
from lms.abm.vocabulary import role_label
from lms.accounts.models import Account, Contact, Handoff, Workspace
from lms.accounts.workspaces import build_snapshot, workspace_for, workspace_or_404
from lms.content.models import Course, Module
from lms.content.render import render_module
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Cohort, CohortMember, Organization, User
from lms.learning.services import (
    course_view,
    dashboard,
    record_exercise_pass,
    refresh_completion,
    visible_courses_clause,
)
from lms.mail import send_template
from lms.practice import answers
from lms.practice.briefs import list_indents_for_markdown
from lms.practice.findings import group_findings, module_ref, severity_counts, snapshot_counts, stored_result
from lms.practice.models import (
    REVIEW_STATUS_LABELS,
    ExerciseRun,
    ReviewComment,
    ReviewNotification,
    SavedAnswer,
    Submission,
)
from lms.practice.registry import Exercise, scan
from lms.practice.result import Result
from lms.tracking.services import record

REVIEW_DECISIONS = ("accepted", "changes_requested")
ACCOUNT_CHOICES = 500  # accounts offered in an answer form's account lists: target accounts by tier come first


class PracticeError(ValueError):
    """A user-facing reason a practice operation could not be done."""


class CheckFailed(PracticeError):
    """The exercise's checker raised instead of returning a Result (a fault in the exercise, not the learner)."""


# --- The exercise registry -------------------------------------------------------------------------------------

def exercise_registry() -> dict[str, Exercise]:
    """Return the app's {slug: Exercise} registry, loaded once from EXERCISES_DIR.

    Exercises with faults are left out (and logged): `flask lms content check` reports them.
    """
    registry = current_app.extensions.get("lms_exercises")
    if registry is None:
        registry, problems = scan(Path(current_app.config["EXERCISES_DIR"]))
        for problem in problems:
            current_app.logger.warning("exercise not loaded: %s", problem)
        current_app.extensions["lms_exercises"] = registry
    return registry


def exercise_or_404(slug: str) -> Exercise:
    """Return the exercise with this slug, or abort 404."""
    exercise = exercise_registry().get(slug)
    if exercise is None:
        abort(404)
    return exercise


def exercise_title(slug: str) -> str:
    """Return an exercise's title, or its slug if it is no longer installed."""
    exercise = exercise_registry().get(slug)
    return exercise.title if exercise else slug.replace("-", " ").capitalize()


def brief_html(exercise: Exercise) -> str:
    """Return the exercise's brief as sanitised HTML, rendered once per version and kept in memory."""
    cache = current_app.extensions.setdefault("lms_exercise_briefs", {})
    key = (exercise.slug, exercise.version)
    if key not in cache:
        cache[key] = render_module(list_indents_for_markdown(exercise.brief_markdown), module_url=lambda _slug: None,
                                   asset_url=lambda path: path, exercise_card=lambda _slug: "")
    return cache[key]


@dataclass(frozen=True)
class ModuleLink:
    ref: str  # "course-slug/module-slug"
    course: str
    module: str
    title: str
    minutes: int
    position: int


def module_links(org: Organization, refs: Iterable[str]) -> dict[str, ModuleLink]:
    """Return the active modules named by "course/module" refs that the organisation can see (one query)."""
    pairs = {r: p for r in set(refs) if (p := module_ref(r))}
    courses = {c for c, _ in pairs.values()}
    if not courses:
        return {}
    rows = db.session.execute(
        select(Course.slug, Module.slug, Module.title, Module.minutes, Module.position)
        .join(Module, Module.course_id == Course.id)
        .where(Course.slug.in_(courses), Module.is_archived.is_(False), visible_courses_clause(org))
    ).all()
    found = {f"{c}/{m}": ModuleLink(f"{c}/{m}", c, m, title, minutes, position)
             for c, m, title, minutes, position in rows}
    return {ref: found[ref] for ref in pairs if ref in found}


# --- Answers and runs ------------------------------------------------------------------------------------------

def saved_answer(user: User, workspace: Workspace | None, slug: str) -> dict:
    """Return the learner's saved answer for an exercise in this workspace ({} if none)."""
    if workspace is None:
        return {}
    row = db.session.scalar(select(SavedAnswer.answer).where(
        SavedAnswer.workspace_id == workspace.id, SavedAnswer.user_id == user.id, SavedAnswer.exercise_slug == slug))
    return row if isinstance(row, dict) else {}


def save_answer(user: User, org: Organization, workspace: Workspace, slug: str, answer: dict) -> SavedAnswer:
    """Keep the learner's answer for an exercise in this workspace (a draft between runs); returns the row."""
    row = db.session.scalar(select(SavedAnswer).where(
        SavedAnswer.workspace_id == workspace.id, SavedAnswer.user_id == user.id, SavedAnswer.exercise_slug == slug))
    if row is None:
        row = SavedAnswer(organization_id=org.id, workspace_id=workspace.id, user_id=user.id, exercise_slug=slug)
        db.session.add(row)
    row.answer = dict(answer)
    row.updated_at = utcnow()
    db.session.flush()
    return row


# A run's findings can run to hundreds of kilobytes on a big workspace: the models defer them (with the summary
# and the answer, as one group); pages that show a run's detail load the group with the run.
_DETAIL = undefer_group("detail")
HISTORY_LIMIT = 500  # runs of one exercise read for the exercise page (best and latest among them)


def run_exercise(user: User, org: Organization, workspace: Workspace, exercise: Exercise, answer: dict, *,
                 now: datetime | None = None) -> ExerciseRun:
    """Save the answer, check the workspace with the exercise's checker, store the run and record "ran".

    Checkers run in-process (under a second on 5,000 accounts). Raises CheckFailed if the checker raises or
    returns something other than a Result; the saved answer is kept either way.
    """
    save_answer(user, org, workspace, exercise.slug, answer)
    snapshot = build_snapshot(workspace, now)
    started = time.perf_counter()
    try:
        result = exercise.check(snapshot, answer)
        if not isinstance(result, Result):
            raise TypeError(f"check() returned {type(result).__name__}, not a Result")
    except Exception as exc:  # noqa: BLE001 - a faulty exercise must not take the page down with it
        current_app.logger.exception("exercise %s failed on workspace %s", exercise.slug, workspace.id)
        raise CheckFailed("The check could not run because of a fault in this exercise. Your answer is saved; "
                          "we've logged the problem, so please try again later.") from exc
    elapsed = int((time.perf_counter() - started) * 1000)
    findings, summary, total = stored_result(result)
    run = ExerciseRun(organization_id=org.id, user_id=user.id, workspace_id=workspace.id,
                      exercise_slug=exercise.slug, exercise_version=exercise.version, score=result.score,
                      passed=result.passed, findings=findings, findings_total=total, summary=summary,
                      snapshot_counts=snapshot_counts(snapshot), answer=dict(answer), duration_ms=elapsed)
    db.session.add(run)
    db.session.flush()
    record(user, "ran", ("exercise", exercise.slug, exercise.title),
           {"score": result.score, "success": result.passed, "run": run.id, "version": exercise.version,
            "findings": severity_counts([{"severity": f.severity} for f in result.findings])},
           organization_id=org.id, cohort_id=workspace.cohort_id)
    return run


def run_or_404(user: User, org: Organization, run_id: int) -> ExerciseRun:
    """Return one of the user's own runs in this organisation, or abort 404."""
    run = db.session.get(ExerciseRun, run_id, options=[_DETAIL])
    if run is None or run.organization_id != org.id or run.user_id != user.id:
        abort(404)
    return run


def run_history(user: User, org: Organization, slug: str, limit: int = HISTORY_LIMIT
                ) -> list[tuple[ExerciseRun, Submission | None]]:
    """Return the user's runs of an exercise, newest first (at most `limit`), each with its submission if
    handed in; the runs' findings are not loaded until read (one query)."""
    return [tuple(row) for row in db.session.execute(
        select(ExerciseRun, Submission).outerjoin(Submission, Submission.run_id == ExerciseRun.id)
        .where(ExerciseRun.user_id == user.id, ExerciseRun.organization_id == org.id,
               ExerciseRun.exercise_slug == slug)
        .order_by(ExerciseRun.id.desc()).limit(limit)
    ).all()]


def _best_key(run: ExerciseRun) -> tuple:
    return (bool(run.passed), run.score, run.id)


def best_run(user_id: int, org_id: int, slug: str) -> ExerciseRun | None:
    """Return the user's best run of an exercise: passed first, then the highest score, then the newest."""
    return db.session.scalar(
        select(ExerciseRun)
        .where(ExerciseRun.user_id == user_id, ExerciseRun.organization_id == org_id, ExerciseRun.exercise_slug == slug)
        .order_by(ExerciseRun.passed.desc(), ExerciseRun.score.desc(), ExerciseRun.id.desc()).limit(1))


# --- Pages -----------------------------------------------------------------------------------------------------

@dataclass
class ExerciseRow:
    """One exercise in the list, with the learner's standing on it."""

    exercise: Exercise
    first_module: ModuleLink | None
    runs: int = 0
    best_score: int | None = None
    passed: bool = False
    submitted: bool = False
    best_submitted: int | None = None
    review_status: str | None = None  # the latest submission's status

    @property
    def state(self) -> tuple[str, str]:
        """Return (label, tag class) for where the learner stands."""
        if self.review_status == "accepted":
            return "Accepted by your coach", "good"
        if self.review_status == "changes_requested":
            return "Changes requested", "bad"
        if self.review_status == "awaiting":
            return "Handed in: awaiting review", "warn"
        if self.passed:
            return "Passed: hand it in", "good"
        if self.runs:
            return "Not passed yet", "warn"
        return "Not started", ""


def exercise_overview(user: User, org: Organization) -> list[ExerciseRow]:
    """Return every exercise with the learner's runs, best score and review state (three queries in all),
    in the order the courses teach them."""
    registry = exercise_registry()
    links = module_links(org, (m for ex in registry.values() for m in ex.modules[:1]))
    stats = {slug: (n, best, bool(passed)) for slug, n, best, passed in db.session.execute(
        select(ExerciseRun.exercise_slug, func.count(ExerciseRun.id), func.max(ExerciseRun.score),
               func.max(ExerciseRun.passed.cast(Integer)))
        .where(ExerciseRun.user_id == user.id, ExerciseRun.organization_id == org.id)
        .group_by(ExerciseRun.exercise_slug)
    ).all()}
    rows = {slug: ExerciseRow(ex, links.get(ex.modules[0]) if ex.modules else None)
            for slug, ex in registry.items()}
    for slug, (n, best, passed) in stats.items():
        if slug in rows:
            rows[slug].runs, rows[slug].best_score, rows[slug].passed = n, best, passed
    for slug, status, score in db.session.execute(
        select(Submission.exercise_slug, Submission.status, Submission.score)
        .where(Submission.user_id == user.id, Submission.organization_id == org.id)
        .order_by(Submission.submitted_at, Submission.id)
    ).all():
        if slug in rows:
            row = rows[slug]
            row.submitted, row.review_status = True, status
            row.best_submitted = max(row.best_submitted or 0, score)

    def order(row: ExerciseRow) -> tuple:
        link = row.first_module
        return (link is None, link.course if link else "", link.position if link else 0, row.exercise.title)

    return sorted(rows.values(), key=order)


def next_exercise(rows: list[ExerciseRow]) -> ExerciseRow | None:
    """Return the exercise to work on next: changes asked for, then passed but not handed in, then started,
    then the first not started (in course order); None when every exercise is handed in."""
    for wanted in ("Changes requested", "Passed: hand it in", "Not passed yet", "Not started"):
        found = next((r for r in rows if r.state[0] == wanted), None)
        if found is not None:
            return found
    return None


@dataclass
class ExercisePage:
    """Everything the exercise page shows."""

    exercise: Exercise
    brief_html: str
    modules: list[tuple[str, ModuleLink | None]]  # (ref, the module if the learner's organisation has it)
    links: dict[str, ModuleLink]  # every module the findings may name, by ref
    workspace: Workspace | None
    has_accounts: bool
    account_choices: list[tuple[int, str, str | None, bool]]  # (id, name, tier, is_target) offered in the form
    accounts_total: int  # accounts in the workspace (the form offers the first ACCOUNT_CHOICES of them)
    values: dict[str, object]  # the answer form's values
    slots: dict[str, answers.RowSlots]  # rows fields: how many rows to show
    runs: list[tuple[ExerciseRun, Submission | None]]  # newest first
    best: ExerciseRun | None
    best_submission: Submission | None  # the best run's submission, if it was handed in
    latest_submission: Submission | None

    @property
    def latest(self) -> ExerciseRun | None:
        return self.runs[0][0] if self.runs else None

    @property
    def groups(self):
        return group_findings(self.latest.findings) if self.latest else []



def _all_module_refs(exercise: Exercise, runs: Iterable[ExerciseRun]) -> set[str]:
    refs = set(exercise.modules)
    for run in runs:
        refs.update(f.get("module") for f in run.findings or () if isinstance(f, dict) and f.get("module"))
    return refs


def _account_fields(fields: Iterable[Mapping]) -> bool:
    for f in fields:
        if f.get("type") == "account" or any(c.get("type") == "account" for c in f.get("columns") or ()):
            return True
    return False


def account_choices(workspace: Workspace | None) -> list[tuple[int, str, str | None, bool]]:
    """Return (id, name, tier, is_target) of the workspace's accounts, target accounts first, by tier and name."""
    if workspace is None:
        return []
    rows = db.session.execute(
        select(Account.id, Account.name, Account.tier, Account.is_target).where(Account.workspace_id == workspace.id)
    ).all()
    tiers = {"1:1": 0, "1:few": 1, "1:many": 2}
    return sorted((tuple(r) for r in rows), key=lambda r: (not r[3], tiers.get(r[2], 3), r[1].lower(), r[0]))


def has_accounts(workspace: Workspace | None) -> bool:
    """Return True if the workspace holds at least one account."""
    if workspace is None:
        return False
    return db.session.scalar(select(Account.id).where(Account.workspace_id == workspace.id).limit(1)) is not None


def exercise_page(user: User, org: Organization, exercise: Exercise, blanks: Mapping[str, str]) -> ExercisePage:
    """Gather the exercise page: brief, teaching modules, the learner's saved answer and latest runs.

    `blanks` maps a rows field to the number of empty rows the learner asked for ("add more rows").
    """
    workspace = workspace_for(user, org, create=False)
    history = run_history(user, org, exercise.slug)
    values = answers.form_values(exercise.answer_fields,
                                 saved_answer(user, workspace, exercise.slug) if workspace else {})
    if _account_fields(exercise.answer_fields):
        choices = account_choices(workspace)
        populated, total = bool(choices), len(choices)
        chosen = set(_account_values(exercise.answer_fields, values))
        choices = choices[:ACCOUNT_CHOICES] + [c for c in choices[ACCOUNT_CHOICES:] if str(c[0]) in chosen]
    else:
        choices, total, populated = [], 0, has_accounts(workspace)
    slots = {name: answers.row_slots(f, len(values.get(name) or []), blanks.get(f"blank-{name}"))
             for f in exercise.answer_fields if (name := f.get("name")) and f.get("type") == "rows"}
    best, best_submission = max(history, key=lambda row: _best_key(row[0]), default=(None, None))
    if len(history) == HISTORY_LIMIT:  # a very long history: the best may be older than the runs read
        best = best_run(user.id, org.id, exercise.slug)
        best_submission = db.session.scalar(select(Submission).where(Submission.run_id == best.id))
    submissions = [s for _, s in history if s is not None]
    latest_submission = max(submissions, key=lambda s: s.id, default=None)
    runs = history[:10]
    links = module_links(org, _all_module_refs(exercise, (r for r, _ in runs[:1])))
    return ExercisePage(exercise=exercise, brief_html=brief_html(exercise),
                        modules=[(ref, links.get(ref)) for ref in exercise.modules], links=links,
                        workspace=workspace, has_accounts=populated, account_choices=choices,
                        accounts_total=total, values=values,
                        slots=slots, runs=runs, best=best, best_submission=best_submission,
                        latest_submission=latest_submission)


@dataclass
class RunPage:
    """A past run as the learner (or their coach) sees it, with the review if it was handed in."""

    run: ExerciseRun
    exercise: Exercise | None
    title: str
    submission: Submission | None
    comments: list[tuple[ReviewComment, str]]  # (comment, author's name), oldest first
    links: dict[str, ModuleLink]
    learner: User | None = None
    answer_values: dict[str, object] = field(default_factory=dict)
    account_names: dict[int, str] = field(default_factory=dict)

    @property
    def groups(self):
        return group_findings(self.run.findings)

    @property
    def overall_comments(self) -> list[tuple[ReviewComment, str]]:
        return [(c, n) for c, n in self.comments if c.finding_index is None]

    def comments_on(self, index: int) -> list[tuple[ReviewComment, str]]:
        return [(c, n) for c, n in self.comments if c.finding_index == index]

    @property
    def outdated(self) -> bool:
        return self.exercise is not None and self.exercise.version != self.run.exercise_version


def _comments(submission: Submission | None) -> list[tuple[ReviewComment, str]]:
    if submission is None:
        return []
    return [(c, name or "Your coach") for c, name in db.session.execute(
        select(ReviewComment, User.name).outerjoin(User, User.id == ReviewComment.author_id)
        .where(ReviewComment.submission_id == submission.id).order_by(ReviewComment.id)).all()]


def _run_page(org: Organization, run: ExerciseRun, submission: Submission | None, learner: User | None = None
              ) -> RunPage:
    exercise = exercise_registry().get(run.exercise_slug)
    fields = exercise.answer_fields if exercise else ()
    values = answers.form_values(fields, run.answer)
    ids = {answers.parse_account(v) for v in _account_values(fields, values)} - {None}
    names = dict(db.session.execute(select(Account.id, Account.name).where(
        Account.id.in_(ids), Account.workspace_id == run.workspace_id)).all()) if ids else {}
    return RunPage(run=run, exercise=exercise, title=exercise_title(run.exercise_slug), submission=submission,
                   comments=_comments(submission),
                   links=module_links(org, (f.get("module") for f in run.findings or () if isinstance(f, dict))),
                   learner=learner, answer_values=values, account_names=names)


def _account_values(fields: Iterable[Mapping], values: Mapping[str, object]) -> list[str]:
    """The account ids (as form text) an answer names, in account fields and account columns."""
    found = []
    for f in fields:
        value = values.get(f.get("name"))
        if f.get("type") == "account" and isinstance(value, str):
            found.append(value)
        elif f.get("type") == "rows" and isinstance(value, list):
            columns = [c["name"] for c in f.get("columns") or () if c.get("type") == "account"]
            found.extend(row.get(c) for row in value for c in columns if isinstance(row.get(c), str))
    return found


def run_page(user: User, org: Organization, run: ExerciseRun) -> RunPage:
    """Gather a learner's past run with its submission and coach comments; marks that review as read."""
    submission = db.session.scalar(select(Submission).where(Submission.run_id == run.id))
    if submission is not None:
        mark_reviews_read(user, org, submission.id)
    return _run_page(org, run, submission)


# --- Submissions -----------------------------------------------------------------------------------------------

def _learner_cohort_id(user: User, org: Organization) -> int | None:
    return db.session.scalar(
        select(CohortMember.cohort_id).join(Cohort, Cohort.id == CohortMember.cohort_id)
        .where(CohortMember.user_id == user.id, Cohort.organization_id == org.id)
        .order_by(Cohort.is_archived, CohortMember.joined_at.desc(), CohortMember.id.desc()).limit(1))


def submit_best(user: User, org: Organization, exercise: Exercise) -> Submission:
    """Hand in the learner's best run for credit and review, and record "submitted".

    A passed submission credits the exercise (learning.record_exercise_pass) and completes any of the
    learner's courses that required it and whose other rules are met. Raises PracticeError when there is no
    run yet or the best run is already handed in.
    """
    run = best_run(user.id, org.id, exercise.slug)
    if run is None:
        raise PracticeError("Run the check first: you hand in your best run.")
    if db.session.scalar(select(Submission.id).where(Submission.run_id == run.id)) is not None:
        raise PracticeError(f"Your best run ({run.score}/100) is already handed in. Improve your work, run the "
                            "check again, then hand in the better run.")
    cohort_id = _learner_cohort_id(user, org)
    submission = Submission(organization_id=org.id, user_id=user.id, run_id=run.id, cohort_id=cohort_id,
                            exercise_slug=exercise.slug, score=run.score, passed=run.passed, status="awaiting")
    db.session.add(submission)
    db.session.flush()
    record(user, "submitted", ("exercise", exercise.slug, exercise.title),
           {"score": run.score, "success": run.passed, "run": run.id, "submission": submission.id},
           organization_id=org.id, cohort_id=cohort_id)
    if run.passed:
        record_exercise_pass(user, org.id, exercise.slug, run.score)
        for enrolment, summary, _ in dashboard(user, org):
            if (enrolment.completed_at is None and summary.total
                    and exercise.slug in (enrolment.course.required_exercises or [])):
                refresh_completion(user, org, course_view(user, org, enrolment.course.slug))
    return submission


def best_scores(user_id: int, org_id: int) -> dict[str, int]:
    """Return {exercise slug: the best submitted score} for one learner in one organisation (one query)."""
    return dict(db.session.execute(
        select(Submission.exercise_slug, func.max(Submission.score))
        .where(Submission.user_id == user_id, Submission.organization_id == org_id)
        .group_by(Submission.exercise_slug)).all())


def best_scores_for_users(user_ids: Iterable[int], org_id: int) -> dict[int, dict[str, int]]:
    """Return {user id: {exercise slug: best submitted score}} for many learners in one query.

    Learners with no submission are left out.
    """
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    out: dict[int, dict[str, int]] = {}
    for uid, slug, score in db.session.execute(
        select(Submission.user_id, Submission.exercise_slug, func.max(Submission.score))
        .where(Submission.user_id.in_(ids), Submission.organization_id == org_id)
        .group_by(Submission.user_id, Submission.exercise_slug)).all():
        out.setdefault(uid, {})[slug] = score
    return out


# --- Coach reviews ---------------------------------------------------------------------------------------------

def _coached_learners(coach: User, org: Organization):
    """A subquery of the ids of the learners in the cohorts `coach` coaches in `org`."""
    coached = (select(CohortMember.cohort_id).join(Cohort, Cohort.id == CohortMember.cohort_id)
               .where(CohortMember.user_id == coach.id, CohortMember.role == "coach",
                      Cohort.organization_id == org.id))
    return select(CohortMember.user_id).where(CohortMember.cohort_id.in_(coached), CohortMember.role == "learner")


@dataclass(frozen=True)
class ReviewRow:
    submission: Submission
    learner_name: str
    learner_email: str
    title: str


def coach_submissions(coach: User, org: Organization, status: str | None = None, limit: int = 200
                      ) -> list[ReviewRow]:
    """Return the submissions of the learners `coach` coaches, newest first, optionally of one status
    (one query, whatever the number)."""
    query = (select(Submission, User.name, User.email).join(User, User.id == Submission.user_id)
             .where(Submission.organization_id == org.id, Submission.user_id.in_(_coached_learners(coach, org))))
    if status in REVIEW_STATUS_LABELS:
        query = query.where(Submission.status == status)
    rows = db.session.execute(query.order_by(Submission.submitted_at.desc(), Submission.id.desc()).limit(limit))
    return [ReviewRow(s, name, email, exercise_title(s.exercise_slug)) for s, name, email in rows.all()]


def coach_counts(coach: User, org: Organization) -> dict[str, int]:
    """Return {status: number of submissions} for the learners `coach` coaches (one query)."""
    counts = dict.fromkeys(REVIEW_STATUS_LABELS, 0)
    counts.update(db.session.execute(
        select(Submission.status, func.count(Submission.id))
        .where(Submission.organization_id == org.id, Submission.user_id.in_(_coached_learners(coach, org)))
        .group_by(Submission.status)).all())
    return counts


def review_or_404(coach: User, org: Organization, submission_id: int) -> Submission:
    """Return a submission by one of `coach`'s learners in this organisation, or abort 404."""
    submission = db.session.get(Submission, submission_id)
    if submission is None or submission.organization_id != org.id:
        abort(404)
    learner = _coached_learners(coach, org).where(CohortMember.user_id == submission.user_id).limit(1)
    if db.session.scalar(learner) is None:
        abort(404)
    return submission


def review_page(org: Organization, submission: Submission) -> RunPage:
    """Gather a submission for its coach: the run's findings, the learner, the comments so far."""
    run = db.session.get(ExerciseRun, submission.run_id, options=[_DETAIL])
    learner = db.session.scalar(select(User).options(lazyload(User.memberships)).where(User.id == submission.user_id))
    return _run_page(org, run, submission, learner)


def review(coach: User, org: Organization, submission: Submission, *, comment: str | None,
           finding_comments: Mapping[int, str], decision: str | None) -> ReviewNotification:
    """Add the coach's comments (on the submission and on findings by index), set the decision, record
    "commented"/"reviewed", and notify the learner. Returns the notification (to email).

    Raises PracticeError when there is neither a comment nor a new decision.
    """
    run = db.session.get(ExerciseRun, submission.run_id)
    count = len(run.findings or []) if run else 0
    texts = [(None, (comment or "").strip())] + sorted(
        (i, (t or "").strip()) for i, t in finding_comments.items() if isinstance(i, int) and 0 <= i < count)
    texts = [(i, t[:5000]) for i, t in texts if t]
    decision = decision if decision in REVIEW_DECISIONS else None
    changes = decision is not None and decision != submission.status
    if not texts and not changes:
        raise PracticeError("Write a comment or choose a decision before saving the review.")
    title = exercise_title(submission.exercise_slug)
    obj = ("submission", submission.id, f"{title} (submission {submission.id})")
    for index, text in texts:
        db.session.add(ReviewComment(organization_id=org.id, submission_id=submission.id, author_id=coach.id,
                                     finding_index=index, body=text))
        record(coach, "commented", obj, {"response": text[:1000], "finding": index, "learner": submission.user_id},
               organization_id=org.id, cohort_id=submission.cohort_id)
    if changes:
        submission.status, submission.reviewed_at, submission.reviewer_id = decision, utcnow(), coach.id
        record(coach, "reviewed", obj, {"status": decision, "success": decision == "accepted",
                                        "score": submission.score, "learner": submission.user_id},
               organization_id=org.id, cohort_id=submission.cohort_id)
    note = ReviewNotification(organization_id=org.id, user_id=submission.user_id, submission_id=submission.id,
                              coach_id=coach.id, status=submission.status, comments=len(texts))
    db.session.add(note)
    db.session.flush()
    return note


def email_review(note: ReviewNotification, run_url: str) -> bool:
    """Email the learner about a review (status, the coach's comments and the link). Returns False, logging
    the fault, if the mail server fails: the review itself is already saved."""
    submission = db.session.get(Submission, note.submission_id)
    learner = db.session.get(User, note.user_id)
    coach = db.session.get(User, note.coach_id) if note.coach_id else None
    if submission is None or learner is None:
        return False
    run = db.session.get(ExerciseRun, submission.run_id)
    findings = run.findings if run else []
    comments = [(c, findings[c.finding_index] if c.finding_index is not None and c.finding_index < len(findings)
                 else None) for c, _ in _comments(submission)[-note.comments:]] if note.comments else []
    title = exercise_title(submission.exercise_slug)
    try:
        send_template(learner.email, f"Your coach reviewed \u201c{title}\u201d", "practice/email/review",
                      learner=learner, coach=coach, submission=submission, title=title, comments=comments,
                      status_label=REVIEW_STATUS_LABELS.get(note.status, note.status), url=run_url)
    except (smtplib.SMTPException, OSError):
        current_app.logger.exception("review email to %s failed", learner.email)
        return False
    return True


@dataclass(frozen=True)
class ReviewNote:
    """An unread review notification, as the learner's dashboard shows it."""

    id: int
    submission_id: int
    run_id: int
    title: str
    status: str
    status_label: str
    coach_name: str
    comments: int
    created_at: datetime


def recent_reviews(user: User, org: Organization | None, limit: int = 5) -> list[ReviewNote]:
    """Return the learner's unread review notifications, newest first (one query)."""
    if org is None:
        return []
    rows = db.session.execute(
        select(ReviewNotification, Submission.run_id, Submission.exercise_slug, User.name)
        .join(Submission, Submission.id == ReviewNotification.submission_id)
        .outerjoin(User, User.id == ReviewNotification.coach_id)
        .where(ReviewNotification.user_id == user.id, ReviewNotification.organization_id == org.id,
               ReviewNotification.read_at.is_(None))
        .order_by(ReviewNotification.created_at.desc(), ReviewNotification.id.desc()).limit(limit)).all()
    return [ReviewNote(n.id, n.submission_id, run_id, exercise_title(slug), n.status,
                       REVIEW_STATUS_LABELS.get(n.status, n.status), coach or "Your coach", n.comments, n.created_at)
            for n, run_id, slug, coach in rows]


def mark_reviews_read(user: User, org: Organization, submission_id: int) -> None:
    """Mark the learner's notifications about one submission as read."""
    db.session.execute(update(ReviewNotification).where(
        ReviewNotification.user_id == user.id, ReviewNotification.organization_id == org.id,
        ReviewNotification.submission_id == submission_id, ReviewNotification.read_at.is_(None)
    ).values(read_at=utcnow()))


# --- Handoff briefs --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HandoffBrief:
    """What a one-page handoff brief shows a seller."""

    id: int
    account: str
    website: str | None
    tier: str | None
    why_selected: str | None
    contact: str | None
    contact_title: str | None
    contact_email: str | None
    role: str | None
    buying_group_relevance: str | None
    engagement_summary: str | None
    qualification_level: str | None
    recommended_follow_up: str | None
    sales_owner: str | None
    sent_at: datetime | None
    sla_hours: int | None
    sla_due_at: datetime | None
    first_touch_at: datetime | None
    status: str
    workspace: str

    def text(self, value: str | None, limit: int = 600) -> str:
        """The value cut to `limit` characters so the brief stays on one page."""
        value = (value or "").strip()
        return value if len(value) <= limit else value[: limit - 1].rstrip() + "\u2026"


def handoff_brief(user: User, org: Organization, handoff_id: int) -> HandoffBrief:
    """Return the brief of a handoff in a workspace the user works in; another team's or organisation's
    handoff aborts 404."""
    row = db.session.execute(
        select(Handoff, Account, Contact).join(Account, Account.id == Handoff.account_id)
        .outerjoin(Contact, and_(Contact.id == Handoff.contact_id, Contact.workspace_id == Handoff.workspace_id))
        .where(Handoff.id == handoff_id, Handoff.organization_id == org.id)).first()
    if row is None:
        abort(404)
    handoff, account, contact = row
    workspace = workspace_or_404(user, org, handoff.workspace_id)
    roles = normalise_roles([handoff.contact_role])
    if not roles and contact is not None:
        roles = normalise_roles(tuple(contact.roles or ()))
    contact_name = None
    if contact is not None:
        contact_name = " ".join(p for p in (contact.first_name, contact.last_name) if p) or contact.email
    due = handoff.sent_at + timedelta(hours=handoff.sla_hours) if handoff.sent_at and handoff.sla_hours else None
    return HandoffBrief(
        id=handoff.id, account=account.name, website=account.website or account.domain, tier=account.tier,
        why_selected=account.why_selected, contact=contact_name, contact_title=contact.title if contact else None,
        contact_email=contact.email if contact else None,
        role=", ".join(role_label(r) for r in roles) or (handoff.contact_role or None),
        buying_group_relevance=handoff.buying_group_relevance, engagement_summary=handoff.engagement_summary,
        qualification_level=handoff.qualification_level, recommended_follow_up=handoff.recommended_follow_up,
        sales_owner=handoff.sales_owner, sent_at=handoff.sent_at, sla_hours=handoff.sla_hours, sla_due_at=due,
        first_touch_at=handoff.first_touch_at, status=handoff.status, workspace=workspace.name)


def note_brief_exported(user: User, org: Organization, brief: HandoffBrief) -> None:
    """Record that the user downloaded a handoff brief."""
    record(user, "exported", ("handoff", brief.id, f"Handoff brief: {brief.account}"), {"format": "pdf"},
           organization_id=org.id)
