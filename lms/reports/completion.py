"""Completion and laggard definitions (DESIGN.md "Reports and their definitions"), as plain functions.

Pure. `reports.queries.enrolment_states` computes the same states in SQL; a test checks they agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# A laggard: an enrolment not completed and no statement in the organisation for LAGGARD_DAYS (or none at all).
LAGGARD_DAYS = 14
# An enrolment (not withdrawn) is exactly one of these; overdue is a flag on top (due date passed, not completed).
STATUSES = ("not_started", "in_progress", "completed")
STATUS_LABELS = {"not_started": "Not started", "in_progress": "In progress", "completed": "Completed",
                 "overdue": "Overdue"}


def status(started_at: datetime | None, completed_at: datetime | None) -> str:
    """Return "completed", "in_progress" (a module opened) or "not_started" for one enrolment."""
    if completed_at is not None:
        return "completed"
    return "in_progress" if started_at is not None else "not_started"


def is_overdue(due_at: datetime | None, completed_at: datetime | None, now: datetime) -> bool:
    """Return True when the due date has passed and the course is not completed (all naive UTC)."""
    return completed_at is None and due_at is not None and due_at < now


def laggard_cutoff(now: datetime) -> datetime:
    """Return the moment before which a learner's last statement makes them a laggard."""
    return now - timedelta(days=LAGGARD_DAYS)


def is_laggard(has_open_enrolment: bool, last_activity: datetime | None, now: datetime) -> bool:
    """Return True for a learner with an enrolment not completed and no statement in the last LAGGARD_DAYS."""
    return has_open_enrolment and (last_activity is None or last_activity < laggard_cutoff(now))


@dataclass
class Counts:
    """Enrolment counts for one group (organisation, cohort or course)."""

    enrolled: int = 0
    not_started: int = 0
    in_progress: int = 0
    completed: int = 0
    overdue: int = 0

    def add(self, other: Counts) -> None:
        self.enrolled += other.enrolled
        self.not_started += other.not_started
        self.in_progress += other.in_progress
        self.completed += other.completed
        self.overdue += other.overdue

    @property
    def completion_rate(self) -> float | None:
        """Completed / enrolled as a percentage, None with nobody enrolled."""
        return 100 * self.completed / self.enrolled if self.enrolled else None


@dataclass(frozen=True)
class GroupCounts:
    """One row of the grouped SQL: counts for (cohort, course)."""

    cohort_id: int | None
    cohort: str
    course_id: int
    course: str
    counts: Counts


@dataclass
class Summary:
    total: Counts = field(default_factory=Counts)
    by_cohort: dict[str, Counts] = field(default_factory=dict)
    by_course: dict[str, Counts] = field(default_factory=dict)
    rows: list[GroupCounts] = field(default_factory=list)


def summarise(rows: Iterable[GroupCounts]) -> Summary:
    """Return totals for the organisation, per cohort and per course from (cohort, course) counts."""
    summary = Summary()
    for row in rows:
        summary.rows.append(row)
        summary.total.add(row.counts)
        summary.by_cohort.setdefault(row.cohort, Counts()).add(row.counts)
        summary.by_course.setdefault(row.course, Counts()).add(row.counts)
    return summary


def next_actions(total: Counts, laggards: int) -> list[str]:
    """Return what the manager should do next, most urgent first (an empty programme gets one hint)."""
    actions = []
    if not total.enrolled:
        return ["Nobody is enrolled in this selection yet: assign a course to a cohort to start."]
    if total.overdue:
        actions.append(f"{total.overdue} enrolment{'s are' if total.overdue != 1 else ' is'} overdue: agree a new "
                       "date with each learner or their line manager.")
    if laggards:
        actions.append(f"{laggards} laggard{'s have' if laggards != 1 else ' has'} done nothing for "
                       f"{LAGGARD_DAYS} days: send them a nudge (their emails are in the laggards CSV).")
    if total.not_started:
        actions.append(f"{total.not_started} enrolment{'s have' if total.not_started != 1 else ' has'} not started: "
                       "remind them that the first module takes ten minutes.")
    if not actions:
        actions.append("Everyone is on track: share the completion rate with the team.")
    return actions
