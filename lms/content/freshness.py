"""When a module's content is next due for review, and whether that is soon or already past."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

# A review falling due within this many days shows as "due", so owners get a month's notice.
DUE_SOON_DAYS = 30

State = Literal["fresh", "due", "overdue"]


@dataclass(frozen=True)
class ReviewState:
    state: State
    due_on: date
    days_left: int  # negative once overdue


def review_state(last_reviewed: date, review_every_days: int, today: date) -> ReviewState:
    """Return the review state of content last reviewed on `last_reviewed`.

    The review is due on `last_reviewed + review_every_days`; it is "overdue" after that day, "due" from
    DUE_SOON_DAYS before it up to and including that day, and "fresh" before then.
    """
    due_on = last_reviewed + timedelta(days=review_every_days)
    days_left = (due_on - today).days
    if days_left < 0:
        state: State = "overdue"
    elif days_left <= DUE_SOON_DAYS:
        state = "due"
    else:
        state = "fresh"
    return ReviewState(state=state, due_on=due_on, days_left=days_left)
