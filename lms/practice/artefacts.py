"""Artefacts: what a learner takes back to work from a passed submission (an exercise's `artefact:`), rendered
once per submission, stored under STORAGE_DIR/artefacts and served from the store; who may download one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import abort, current_app, render_template
from sqlalchemy import select

from lms.accounts.models import Account
from lms.extensions import db
from lms.files import write_atomically
from lms.identity.models import Membership, Organization, User
from lms.pdf import render_pdf
from lms.practice import artefact_files
from lms.practice.exercises import exercise_registry
from lms.practice.models import ExerciseRun, Submission
from lms.practice.registry import Exercise
from lms.practice.reviews import reviews_work_of
from lms.practice.runs import WITH_DETAIL
from lms.practice.submissions import counts_as_passed

STORE = "artefacts"  # folder under STORAGE_DIR
MANAGING_ROLES = ("org_admin", "manager")  # besides the learner and their coach, who may download


def available(submission: Submission | None, exercise: Exercise | None) -> bool:
    """Return True if the submission gives its artefact: the exercise declares one and the submission counts as
    passed (for an exercise that needs a coach's review, once a coach accepted it)."""
    return (submission is not None and exercise is not None and isinstance(exercise.artefact, dict)
            and exercise.artefact.get("format") in artefact_files.MEDIA_TYPES and counts_as_passed(submission, exercise))


def may_download(user: User, org: Organization, submission: Submission) -> bool:
    """Return True if `user` may download this submission's artefact: the learner, a coach who reviews their
    work, or an organisation admin or manager of the submission's organisation."""
    if submission.organization_id != org.id:
        return False
    if submission.user_id == user.id:
        return True
    managing = db.session.scalar(select(Membership.id).where(
        Membership.user_id == user.id, Membership.organization_id == org.id,
        Membership.role.in_(MANAGING_ROLES)).limit(1))
    return managing is not None or reviews_work_of(user, org, submission.user_id)


def artefact_or_404(user: User, org: Organization, submission_id: int) -> tuple[Submission, Exercise]:
    """Return a submission whose artefact `user` may download, with its exercise; abort 404 otherwise (no
    such submission, someone else's, or no artefact yet)."""
    submission = db.session.get(Submission, submission_id)
    if submission is None or not may_download(user, org, submission):
        abort(404)
    exercise = exercise_registry().get(submission.exercise_slug)
    if not available(submission, exercise):
        abort(404)
    return submission, exercise


def _path(submission: Submission, fmt: str) -> Path:
    return Path(current_app.config["STORAGE_DIR"]) / STORE / f"{submission.id % 100:02}" / f"{submission.id}.{fmt}"


def stored(submission: Submission, exercise: Exercise) -> Path | None:
    """Return the stored artefact of the submission, or None if it has not been rendered yet."""
    path = _path(submission, exercise.artefact["format"])
    return path if path.is_file() else None


def artefact_file(submission: Submission, exercise: Exercise) -> Path:
    """Return the path of the submission's artefact, rendering and storing it first if needed (once: later
    downloads read the file, even if the workspace's account names change since)."""
    path = _path(submission, exercise.artefact["format"])
    if path.is_file():
        return path
    data = render(submission, exercise)
    write_atomically(path, data)
    return path


@dataclass(frozen=True)
class ArtefactDocument:
    """What the artefact PDF shows."""

    title: str
    exercise: str
    learner: str
    organisation: str
    dated: datetime  # accepted (for a coach's review) or handed in
    accepted: bool
    score: int
    items: list[artefact_files.Item]


def _account_names(run: ExerciseRun, exercise: Exercise) -> dict[int, str]:
    ids = artefact_files.account_ids(exercise.answer_fields, run.answer)
    if not ids or run.workspace_id is None:
        return {}
    return dict(db.session.execute(select(Account.id, Account.name).where(
        Account.id.in_(ids), Account.workspace_id == run.workspace_id)).all())


def render(submission: Submission, exercise: Exercise) -> bytes:
    """Return the artefact's bytes: the whole answer as a PDF, or the artefact's rows field as CSV or XLSX."""
    run = db.session.get(ExerciseRun, submission.run_id, options=[WITH_DETAIL])
    learner = db.session.get(User, submission.user_id)
    names = _account_names(run, exercise)
    spec, fmt = exercise.artefact, exercise.artefact["format"]
    if fmt in ("csv", "xlsx"):
        data = artefact_files.rows_table(exercise.answer_fields, run.answer, spec["field"], names)
        return artefact_files.csv_bytes(data) if fmt == "csv" else artefact_files.xlsx_bytes(data, spec["title"])
    org = db.session.get(Organization, submission.organization_id)
    accepted = submission.status == "accepted" and submission.reviewed_at is not None
    document = ArtefactDocument(
        title=spec["title"], exercise=exercise.title, learner=learner.name, organisation=org.name if org else "",
        dated=submission.reviewed_at if accepted else submission.submitted_at, accepted=accepted,
        score=submission.score, items=artefact_files.answer_items(exercise.answer_fields, run.answer, names))
    html = render_template("practice/pdf/artefact.html", doc=document)
    return render_pdf(html, title=f"{spec['title']}: {learner.name}", author=learner.name)


def download_name(submission: Submission, exercise: Exercise) -> str:
    """Return the name the downloaded artefact is saved as."""
    learner = db.session.get(User, submission.user_id)
    return artefact_files.file_name(exercise.artefact["title"], learner.name if learner else "",
                                    exercise.artefact["format"])
