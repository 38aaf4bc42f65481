"""Adoption definitions: the funnel steps, the tools counted in tool usage, and period arithmetic.

Pure. Active = at least one statement in the period.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

# "Active after completion" counts statements from 1 day to 30 days after the learner's first course completion,
# so the completion session itself (certificate, last module) does not count.
ACTIVE_AFTER_DAYS = 30
ACTIVE_AFTER_GRACE_DAYS = 1

# The funnel (DESIGN.md): invited -> activated (first sign-in) -> first module -> first import of own accounts
# -> first exercise run -> course completed -> active in the 30 days after completion.
FUNNEL: tuple[tuple[str, str], ...] = (
    ("invited", "Invited"),
    ("activated", "Activated (first sign-in)"),
    ("first_module", "Completed a first module"),
    ("first_import", "Imported their own accounts"),
    ("first_run", "Ran a first exercise"),
    ("completed", "Completed a course"),
    ("retained", "Active in the 30 days after completing"),
)
FUNNEL_LABELS = dict(FUNNEL)

FUNNEL_ADVICE = {
    "activated": "resend the invitations and ask team leads to mention the first sign-in in their next meeting",
    "first_module": "book 10 minutes in a team meeting to open the first module together",
    "first_import": "show the team how to export their accounts from the CRM and import them",
    "first_run": "ask each learner to run the target-account-list exercise on their own accounts",
    "completed": "set a due date and review progress weekly",
    "retained": "give completers a monthly ABM task on their own accounts so the practice sticks",
}


@dataclass(frozen=True)
class Tool:
    """A tool learners use, recognised in statements by verb and object type (any when empty)."""

    key: str
    label: str
    verbs: tuple[str, ...] = ()
    object_types: tuple[str, ...] = ()
    per_object: bool = False  # one row per object id (each exercise)


TOOLS: tuple[Tool, ...] = (
    Tool("modules", "Modules", ("launched",), ("module",)),
    Tool("knowledge_checks", "Knowledge checks", ("answered",), ("question",)),
    Tool("imports", "Account imports", ("imported",)),
    Tool("workspace", "Workspace edits", ("created", "updated", "deleted", "agreed", "disagreed"),
         ("account", "contact", "opportunity", "signal", "workspace")),
    Tool("handoffs", "Handoffs", (), ("handoff",)),
    Tool("exercise", "Exercise", ("ran",), ("exercise",), per_object=True),
    Tool("submissions", "Exercise submissions", ("submitted",), ("exercise", "submission")),
    Tool("reports", "Reports", ("viewed",), ("report",)),
)


def tool_label(key: str, exercise_titles: Mapping[str, str] | None = None) -> str:
    """Return the label for a tool key; "exercise:<slug>" becomes "Exercise: <title>"."""
    if key.startswith("exercise:"):
        slug = key.split(":", 1)[1]
        return f"Exercise: {(exercise_titles or {}).get(slug, slug)}"
    return next((t.label for t in TOOLS if t.key == key), key)


@dataclass(frozen=True)
class FunnelStep:
    key: str
    label: str
    count: int
    share_of_first: float | None  # percentage
    share_of_previous: float | None


def funnel(counts: Mapping[str, int]) -> list[FunnelStep]:
    """Return the funnel steps in order with each step's share of the first and of the previous step."""
    steps = []
    first = counts.get(FUNNEL[0][0], 0)
    previous = None
    for key, label in FUNNEL:
        count = counts.get(key, 0)
        steps.append(FunnelStep(
            key, label, count,
            100 * count / first if first else None,
            100 * count / previous if previous else None,
        ))
        previous = count
    return steps


def biggest_drop(steps: Iterable[FunnelStep]) -> FunnelStep | None:
    """Return the step that loses the largest share of the step before it (None if nobody drops out)."""
    worst, worst_loss = None, 0.0
    for step in steps:
        if step.share_of_previous is not None and 100 - step.share_of_previous > worst_loss:
            worst, worst_loss = step, 100 - step.share_of_previous
    return worst


def funnel_advice(steps: list[FunnelStep]) -> str | None:
    """Return one sentence on the biggest drop and what to do about it, or None."""
    step = biggest_drop(steps)
    if step is None:
        return None
    lost = 100 - (step.share_of_previous or 0)
    return (f"The biggest drop is at \u201c{step.label}\u201d ({lost:.0f}% of the step before do not reach it): "
            f"{FUNNEL_ADVICE.get(step.key, 'follow up with the learners concerned')}.")


def week_start(day: date) -> date:
    """Return the Monday of the week containing `day`."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    """Return the first day of the month containing `day`."""
    return day.replace(day=1)


def periods(start: date, end: date, period: str) -> list[date]:
    """Return the starts of every week (Monday) or month between `start` and `end` inclusive, in order."""
    out = []
    current = week_start(start) if period == "week" else month_start(start)
    while current <= end:
        out.append(current)
        if period == "week":
            current += timedelta(days=7)
        else:
            current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return out


# Week bits: week n (counted in Mondays from EPOCH) is bit n % WEEKS_PER_BLOCK of block n // WEEKS_PER_BLOCK;
# 62 bits keep every mask a positive signed 64-bit integer on both databases.
EPOCH = date(2000, 1, 3)
WEEKS_PER_BLOCK = 62


def week_number(monday: date) -> int:
    """Return the number of the week starting on `monday`, counted from EPOCH."""
    return (monday - EPOCH).days // 7


def week_bit(monday: date) -> tuple[int, int]:
    """Return (block, bit value) of the week starting on `monday`."""
    n = week_number(monday)
    return n // WEEKS_PER_BLOCK, 1 << (n % WEEKS_PER_BLOCK)


def week_masks(first: date, last: date) -> dict[int, int]:
    """Return {block: mask} covering the weeks from the one containing `first` to the one containing `last`."""
    masks: dict[int, int] = {}
    for n in range(week_number(week_start(first)), week_number(week_start(last)) + 1):
        block = n // WEEKS_PER_BLOCK
        masks[block] = masks.get(block, 0) | 1 << (n % WEEKS_PER_BLOCK)
    return masks


def fill_series(values: Mapping[date, int], starts: Iterable[date]) -> list[int]:
    """Return the values for each period start, 0 where there is no row (no activity that period)."""
    return [values.get(s, 0) for s in starts]


def share(part: int | float, whole: int | float) -> float | None:
    """Return part / whole as a percentage, None when the whole is zero."""
    return 100 * part / whole if whole else None
