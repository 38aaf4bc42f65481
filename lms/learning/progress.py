"""Pure learning logic: grading an answer, a module's score, course progress, completion and what's next."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Grade:
    correct: bool
    chosen: tuple[int, ...]
    feedback: tuple[tuple[int, bool, str], ...]  # (option index, option is correct, feedback html) for chosen


def grade(question: dict, chosen: Iterable[int]) -> Grade:
    """Grade one knowledge-check answer: right only if exactly the correct options were chosen.

    `question` is a synced question dict (options with `correct` and `feedback_html`). Unknown option
    indexes are ignored; raises nothing.
    """
    options = question.get("options", [])
    picked = tuple(sorted({i for i in chosen if isinstance(i, int) and 0 <= i < len(options)}))
    if question.get("type") == "single":
        picked = picked[:1]
    correct_set = {i for i, o in enumerate(options) if o.get("correct")}
    feedback = tuple((i, bool(options[i].get("correct")), options[i].get("feedback_html", "")) for i in picked)
    return Grade(correct=bool(picked) and set(picked) == correct_set, chosen=picked, feedback=feedback)


def option_order(user_id: int, question_key: str, count: int) -> list[int]:
    """Return the order one learner sees a question's options in: a shuffle fixed by learner and question.

    The same learner always sees the same order (so feedback, retries and records stay consistent); different
    learners see different orders, so "the right answer is always the first" cannot be learnt from a neighbour.
    Options keep their file index as the value submitted, so grading never depends on the order.
    """
    seed = int.from_bytes(hashlib.sha256(f"{user_id}:{question_key}".encode()).digest()[:8], "big")
    order = list(range(count))
    random.Random(seed).shuffle(order)
    return order


def module_score(question_ids: Sequence[str], correct_ids: Iterable[str]) -> int | None:
    """Return the share (0-100) of a module's questions in `correct_ids` (answered right at least once, or at
    the first attempt), None with no questions."""
    if not question_ids:
        return None
    right = set(correct_ids) & set(question_ids)
    return round(100 * len(right) / len(question_ids))


@dataclass(frozen=True)
class ModuleState:
    module_id: int
    minutes: int
    completed: bool
    score: int | None  # knowledge-check score, None if no questions


@dataclass(frozen=True)
class CourseProgress:
    total: int
    done: int
    percent: int
    minutes_left: int
    next_module_id: int | None  # the first module not yet completed, in course order


def course_progress(states: Sequence[ModuleState]) -> CourseProgress:
    """Summarise a learner's module states (in course order) as counts, percent and the next module."""
    total = len(states)
    done = sum(1 for s in states if s.completed)
    next_id = next((s.module_id for s in states if not s.completed), None)
    return CourseProgress(
        total=total,
        done=done,
        percent=round(100 * done / total) if total else 0,
        minutes_left=sum(s.minutes for s in states if not s.completed),
        next_module_id=next_id,
    )


@dataclass(frozen=True)
class CompletionCheck:
    complete: bool
    missing: tuple[str, ...]  # plain-English reasons, e.g. "3 modules not completed"


ATTENDANCE_MISSING = {
    "booked": "the workshop session not attended yet",
    "partial": "the workshop session attended only in part (your coach can mark you present once you catch up)",
    "absent": "the workshop session missed (book the next one)",
}


def completion(
    states: Sequence[ModuleState], pass_mark: int, required_exercises: Sequence[str], passed_exercises: Iterable[str],
    attendance: str | None = None,
) -> CompletionCheck:
    """Apply a course's completion rules: all modules complete, every knowledge check at or above the pass mark,
    every required exercise passed, and, where the course requires it of a workshop booking, the session
    attended (`attendance` is the enrolment's sign-in sheet mark, or None when not required). Returns whether
    it is complete and what is missing."""
    missing = []
    if attendance in ATTENDANCE_MISSING:
        missing.append(ATTENDANCE_MISSING[attendance])
    open_modules = sum(1 for s in states if not s.completed)
    if open_modules:
        missing.append(f"{open_modules} module{'s' if open_modules != 1 else ''} not completed")
    below = sum(1 for s in states if s.score is not None and s.score < pass_mark)
    if below:
        missing.append(f"{below} knowledge check{'s' if below != 1 else ''} below the pass mark of {pass_mark}%")
    passed = set(passed_exercises)
    for slug in required_exercises:
        if slug not in passed:
            missing.append(f"exercise '{slug}' not passed yet")
    return CompletionCheck(complete=not missing and bool(states), missing=tuple(missing))


def due_state(due_at: datetime | None, completed_at: datetime | None, now: datetime, soon_days: int = 7) -> str:
    """Return "done", "overdue", "due_soon", "on_track" or "no_due_date" for an enrolment (all naive UTC)."""
    if completed_at is not None:
        return "done"
    if due_at is None:
        return "no_due_date"
    if due_at < now:
        return "overdue"
    if (due_at - now).days < soon_days:
        return "due_soon"
    return "on_track"
