"""Runs: the learner's saved answer, one check of an exercise on a snapshot of their workspace, and the runs
kept since. Add and flush, never commit: the view owns the commit."""

from __future__ import annotations

import dataclasses
import time
from datetime import datetime
from types import MappingProxyType

from flask import abort, current_app
from sqlalchemy import select
from sqlalchemy.orm import undefer_group

from lms.accounts.models import Workspace
from lms.accounts.workspaces import build_snapshot
from lms.collector import cycle_collection_paused
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Organization, User
from lms.practice.errors import CheckFailed
from lms.practice.findings import severity_counts, snapshot_counts, stored_result
from lms.practice.models import ExerciseRun, SavedAnswer, Submission
from lms.practice.registry import Exercise
from lms.practice.result import Result
from lms.tracking.services import record

# A run's findings can run to hundreds of kilobytes on a big workspace: the models defer them (with the summary
# and the answer, as one group); pages that show a run's detail load the group with the run.
WITH_DETAIL = undefer_group("detail")
HISTORY_LIMIT = 500  # runs of one exercise read for the exercise page (best and latest among them)


def saved_answer(user: User, workspace: Workspace | None, slug: str) -> dict:
    """Return the learner's saved answer for an exercise in this workspace ({} if none)."""
    if workspace is None:
        return {}
    row = db.session.scalar(select(SavedAnswer.answer).where(
        SavedAnswer.workspace_id == workspace.id, SavedAnswer.user_id == user.id, SavedAnswer.exercise_slug == slug))
    return row if isinstance(row, dict) else {}


def saved_answers(user: User, workspace: Workspace) -> dict[str, dict]:
    """Return all the learner's saved answers in this workspace by exercise slug (one query)."""
    rows = db.session.execute(select(SavedAnswer.exercise_slug, SavedAnswer.answer).where(
        SavedAnswer.workspace_id == workspace.id, SavedAnswer.user_id == user.id))
    return {slug: answer for slug, answer in rows if isinstance(answer, dict)}


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


def run_exercise(user: User, org: Organization, workspace: Workspace, exercise: Exercise, answer: dict, *,
                 now: datetime | None = None) -> ExerciseRun:
    """Save the answer, check the workspace with the exercise's checker, store the run and record "ran".

    Checkers run in-process (under a second on 5,000 accounts). Raises CheckFailed if the checker raises or
    returns something other than a Result; the saved answer is kept either way.
    """
    save_answer(user, org, workspace, exercise.slug, answer)
    with cycle_collection_paused():  # the snapshot and its findings are all kept until the run is stored
        snapshot = dataclasses.replace(build_snapshot(workspace, now),
                                       answers=MappingProxyType(saved_answers(user, workspace)))
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
    """Return one of the user's own runs in this organisation, with its detail loaded, or abort 404."""
    run = db.session.get(ExerciseRun, run_id, options=[WITH_DETAIL])
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


def best_key(run: ExerciseRun) -> tuple:
    """Return the sort key that puts the best run last: passed first, then the highest score, then the newest."""
    return (bool(run.passed), run.score, run.id)


def best_run(user_id: int, org_id: int, slug: str) -> ExerciseRun | None:
    """Return the user's best run of an exercise: passed first, then the highest score, then the newest."""
    return db.session.scalar(
        select(ExerciseRun)
        .where(ExerciseRun.user_id == user_id, ExerciseRun.organization_id == org_id, ExerciseRun.exercise_slug == slug)
        .order_by(ExerciseRun.passed.desc(), ExerciseRun.score.desc(), ExerciseRun.id.desc()).limit(1))
