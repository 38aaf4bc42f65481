"""What the practice pages show, gathered in a few queries each: the exercise list, an exercise with its
answer form and runs, and a past run with its review (for the learner or their coach)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import Integer, func, select
from sqlalchemy.orm import lazyload

from lms.accounts import picks
from lms.accounts.models import Account, Workspace
from lms.accounts.picks import Pickable
from lms.accounts.workspaces import workspace_for
from lms.extensions import db
from lms.identity.models import Organization, User
from lms.practice import answers
from lms.practice.exercises import ModuleLink, brief_html, exercise_registry, exercise_title, module_links
from lms.practice.findings import AccountFindings, findings_by_account
from lms.practice.models import ExerciseRun, ReviewComment, Submission
from lms.practice.registry import Exercise
from lms.practice.reviews import mark_reviews_read, review_comments
from lms.practice.runs import HISTORY_LIMIT, WITH_DETAIL, best_key, best_run, run_history, saved_answer

# --- The exercise list -----------------------------------------------------------------------------------------

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
    def stage(self) -> str:
        """Where the learner stands: "accepted", "changes", "awaiting", "hand_in", "started" or "new"."""
        if self.review_status == "accepted":
            return "accepted"
        if self.review_status == "changes_requested":
            return "changes"
        if self.review_status == "awaiting":
            return "awaiting"
        if self.passed:
            return "hand_in"
        return "started" if self.runs else "new"

    @property
    def state(self) -> tuple[str, str]:
        """Return (label, tag class) for where the learner stands."""
        coach = self.exercise.review == "coach"
        return {
            "accepted": ("Accepted by your coach", "good"),
            "changes": ("Changes requested", "bad"),
            "awaiting": ("Awaiting your coach's review" if coach else "Handed in: awaiting review", "warn"),
            "hand_in": ("Passed the check: submit it for your coach's review" if coach else "Passed: hand it in",
                        "warn" if coach else "good"),
            "started": ("Not passed yet", "warn"),
            "new": ("Not started", ""),
        }[self.stage]


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
    for wanted in ("changes", "hand_in", "started", "new"):
        found = next((r for r in rows if r.stage == wanted), None)
        if found is not None:
            return found
    return None


# --- An exercise -----------------------------------------------------------------------------------------------

@dataclass
class ExercisePage:
    """Everything the exercise page shows."""

    exercise: Exercise
    brief_html: str
    modules: list[tuple[str, ModuleLink | None]]  # (ref, the module if the learner's organisation has it)
    links: dict[str, ModuleLink]  # every module the findings may name, by ref
    workspace: Workspace | None
    has_accounts: bool
    account_choices: list[Pickable]  # the accounts offered in the form (lms.accounts.picks.offered)
    accounts_total: int  # accounts in the workspace
    account_labels: dict[int, str]  # each offered account's label (lms.accounts.picks.labels)
    values: dict[str, object]  # the answer form's values
    slots: dict[str, answers.RowSlots]  # rows fields: how many rows to show
    runs: list[tuple[ExerciseRun, Submission | None]]  # newest first
    best: ExerciseRun | None
    best_submission: Submission | None  # the best run's submission, if it was handed in
    latest_submission: Submission | None
    account_problems: dict[str, str] = field(default_factory=dict)  # typed text matching no account -> why

    @property
    def account_typed(self) -> bool:
        """True when account fields are typed, with one list to pick from, rather than select boxes."""
        return self.accounts_total > picks.SELECT_MAX

    def account_id(self, value: object) -> int | None:
        """Return the offered account an account field's value (form text) names, else None."""
        found = answers.parse_account(str(value or ""))
        return found if found in self.account_labels else None

    def account_shown(self, value: object) -> str:
        """Return what an account field shows for its value: the account's label, else the text itself."""
        found = self.account_id(value)
        return self.account_labels[found] if found is not None else str(value or "")

    @property
    def latest(self) -> ExerciseRun | None:
        return self.runs[0][0] if self.runs else None

    @property
    def by_account(self) -> AccountFindings:
        return findings_by_account(self.latest.findings if self.latest else [])


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


def has_accounts(workspace: Workspace | None) -> bool:
    """Return True if the workspace holds at least one account."""
    if workspace is None:
        return False
    return db.session.scalar(select(Account.id).where(Account.workspace_id == workspace.id).limit(1)) is not None


def exercise_page(user: User, org: Organization, exercise: Exercise, blanks: Mapping[str, str], *,
                  sent: tuple[dict, dict[str, str]] | None = None) -> ExercisePage:
    """Gather the exercise page: brief, teaching modules, the learner's saved answer and latest runs.

    `blanks` maps a rows field to the number of empty rows the learner asked for ("add more rows"). `sent` is an
    answer sent but not saved, with the accounts typed in it that matched none (text -> why): the form shows it,
    with those accounts marked, instead of the saved answer.
    """
    workspace = workspace_for(user, org, create=False)
    history = run_history(user, org, exercise.slug)
    answer, problems = sent if sent is not None else (
        saved_answer(user, workspace, exercise.slug) if workspace else {}, {})
    values = answers.form_values(exercise.answer_fields, answer)
    if _account_fields(exercise.answer_fields):
        every = picks.workspace_accounts(workspace)
        populated, total = bool(every), len(every)
        chosen = {answers.parse_account(v) for v in _account_values(exercise.answer_fields, values)}
        choices = picks.offered(every, chosen)
        named = picks.labels(every)
        shown = {a.id: named[a.id] for a in choices}
    else:
        choices, total, populated, shown = [], 0, has_accounts(workspace), {}
    slots = {name: answers.row_slots(f, len(values.get(name) or []), blanks.get(f"blank-{name}"))
             for f in exercise.answer_fields if (name := f.get("name")) and f.get("type") == "rows"}
    best, best_submission = max(history, key=lambda row: best_key(row[0]), default=(None, None))
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
                        accounts_total=total, account_labels=shown, account_problems=problems, values=values,
                        slots=slots, runs=runs, best=best, best_submission=best_submission,
                        latest_submission=latest_submission)


# --- A past run, for the learner or their coach ----------------------------------------------------------------

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
    def by_account(self) -> AccountFindings:
        return findings_by_account(self.run.findings)

    @property
    def overall_comments(self) -> list[tuple[ReviewComment, str]]:
        return [(c, n) for c, n in self.comments if c.finding_index is None]

    def comments_on(self, index: int) -> list[tuple[ReviewComment, str]]:
        return [(c, n) for c, n in self.comments if c.finding_index == index]

    @property
    def outdated(self) -> bool:
        return self.exercise is not None and self.exercise.version != self.run.exercise_version


def _run_page(org: Organization, run: ExerciseRun, submission: Submission | None, learner: User | None = None
              ) -> RunPage:
    exercise = exercise_registry().get(run.exercise_slug)
    fields = exercise.answer_fields if exercise else ()
    values = answers.form_values(fields, run.answer)
    ids = {answers.parse_account(v) for v in _account_values(fields, values)} - {None}
    names = dict(db.session.execute(select(Account.id, Account.name).where(
        Account.id.in_(ids), Account.workspace_id == run.workspace_id)).all()) if ids else {}
    return RunPage(run=run, exercise=exercise, title=exercise_title(run.exercise_slug), submission=submission,
                   comments=review_comments(submission),
                   links=module_links(org, (f.get("module") for f in run.findings or () if isinstance(f, dict))),
                   learner=learner, answer_values=values, account_names=names)


def run_page(user: User, org: Organization, run: ExerciseRun) -> RunPage:
    """Gather a learner's past run with its submission and coach comments; marks that review as read."""
    submission = db.session.scalar(select(Submission).where(Submission.run_id == run.id))
    if submission is not None:
        mark_reviews_read(user, org, submission.id)
    return _run_page(org, run, submission)


def review_page(org: Organization, submission: Submission) -> RunPage:
    """Gather a submission for its coach: the run's findings, the learner, the comments so far."""
    run = db.session.get(ExerciseRun, submission.run_id, options=[WITH_DETAIL])
    learner = db.session.scalar(select(User).options(lazyload(User.memberships)).where(User.id == submission.user_id))
    return _run_page(org, run, submission, learner)
