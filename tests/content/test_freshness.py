"""review_state: fresh, due within 30 days, overdue after the due date."""

from __future__ import annotations

from datetime import date

from lms.content.freshness import ReviewState, review_state

REVIEWED = date(2026, 1, 1)  # every 90 days -> due on 2026-04-01


def test_fresh_when_more_than_30_days_remain() -> None:
    assert review_state(REVIEWED, 90, date(2026, 3, 1)) == ReviewState("fresh", date(2026, 4, 1), 31)


def test_due_when_30_days_or_fewer_remain() -> None:
    assert review_state(REVIEWED, 90, date(2026, 3, 2)) == ReviewState("due", date(2026, 4, 1), 30)


def test_due_not_overdue_on_the_due_date_itself() -> None:
    assert review_state(REVIEWED, 90, date(2026, 4, 1)) == ReviewState("due", date(2026, 4, 1), 0)


def test_overdue_the_day_after_the_due_date_with_negative_days_left() -> None:
    assert review_state(REVIEWED, 90, date(2026, 4, 2)) == ReviewState("overdue", date(2026, 4, 1), -1)


def test_review_interval_sets_the_due_date() -> None:
    assert review_state(REVIEWED, 365, date(2026, 1, 1)).due_on == date(2027, 1, 1)
