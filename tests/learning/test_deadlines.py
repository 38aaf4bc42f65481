"""Pure due-date logic: local wall time to UTC and back, who needs a reminder, digests, across time zones."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from lms.learning import deadlines

NEW_YORK, TOKYO, LONDON = ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo"), ZoneInfo("Europe/London")
DUE = datetime(2027, 3, 10, 0, 30)  # 19:30 on 9 March in New York, 09:30 on 10 March in Tokyo


def test_a_local_due_time_is_stored_as_utc():
    assert deadlines.local_to_utc(date(2027, 3, 9), time(19, 30), NEW_YORK) == DUE
    assert deadlines.local_to_utc(date(2027, 3, 10), time(9, 30), TOKYO) == DUE
    assert deadlines.local_to_utc(date(2027, 7, 1), time(17, 0), LONDON) == datetime(2027, 7, 1, 16, 0)  # BST


def test_the_same_instant_shows_as_different_local_dates():
    assert deadlines.format_local(DUE, NEW_YORK) == "9 Mar 2027, 19:30"
    assert deadlines.format_local(DUE, TOKYO) == "10 Mar 2027, 09:30"


def test_wall_times_skipped_or_repeated_by_clock_changes_have_one_meaning():
    # London skips 01:00-02:00 on 28 March 2027 and repeats 01:00-02:00 on 31 October 2027.
    assert deadlines.local_to_utc(date(2027, 3, 28), time(1, 30), LONDON) == datetime(2027, 3, 28, 1, 30)
    assert deadlines.local_to_utc(date(2027, 10, 31), time(1, 30), LONDON) == datetime(2027, 10, 31, 0, 30)


def test_overdue_is_the_same_instant_everywhere_whatever_the_local_date():
    before, after = datetime(2027, 3, 10, 0, 15), datetime(2027, 3, 10, 0, 45)
    assert deadlines.reminder_reason(DUE, None, before) == deadlines.DUE_SOON
    assert deadlines.reminder_reason(DUE, None, after) == deadlines.OVERDUE
    # At 00:45 UTC it is still 9 March in New York and 10 March in Tokyo (the due date's own local date in
    # both places): comparing local dates would miss it; comparing instants does not.
    assert deadlines.local_day(after, NEW_YORK) == date(2027, 3, 9)
    assert deadlines.local_day(after, TOKYO) == date(2027, 3, 10)


def test_reminders_only_for_due_soon_or_overdue_and_never_when_completed():
    now = datetime(2027, 3, 1, 12, 0)
    assert deadlines.reminder_reason(datetime(2027, 3, 4, 12, 0), None, now) == deadlines.DUE_SOON  # exactly 3 days
    assert deadlines.reminder_reason(datetime(2027, 3, 4, 12, 1), None, now) is None
    assert deadlines.reminder_reason(datetime(2027, 2, 1), datetime(2027, 2, 2), now) is None
    assert deadlines.reminder_reason(None, None, now) is None


def test_a_due_date_must_be_given_and_in_the_future():
    now = datetime(2027, 3, 10, 0, 30)
    assert deadlines.due_problem(None, time(9, 0), LONDON, now) == "Enter the date and time it is due."
    assert "has passed" in deadlines.due_problem(date(2027, 3, 9), time(19, 30), NEW_YORK, now)
    assert deadlines.due_problem(date(2027, 3, 9), time(19, 31), NEW_YORK, now) is None


def test_the_digest_is_due_once_every_seven_days():
    today = date(2027, 3, 10)
    assert deadlines.digest_due(None, today)
    assert not deadlines.digest_due(date(2027, 3, 10), today)
    assert not deadlines.digest_due(date(2027, 3, 4), today)
    assert deadlines.digest_due(date(2027, 3, 3), today)


def test_an_unknown_zone_falls_back():
    assert deadlines.zone("Mars/Olympus", "Asia/Tokyo") == TOKYO
    assert deadlines.zone(None, "Nowhere/Else") == LONDON
