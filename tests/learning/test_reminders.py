"""`flask lms remind` against a real SMTP server: due soon, overdue, managers' digest; once a day; opt-outs
respected; overdue and dates right across time zones. Coaches' reminders: tests/practice/test_coach_reminders.py."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.content.models import Course
from lms.content.sync import sync_content
from lms.extensions import db
from lms.learning import assignments, reminders
from lms.learning.models import Enrolment, SentReminder
from lms.practice.reviews import awaiting_review_for_coach
from tests.factories import make_cohort, make_org, make_user
from tests.smtp import body_of

NOW = datetime(2027, 3, 10, 0, 45)  # a Wednesday, 00:45 UTC


@pytest.fixture
def people(app, smtp_server):
    app.config.update(smtp_server.config())
    sync_content(Path(app.config["COURSES_DIR"]), {})
    org = make_org("Northwind", timezone="Europe/London")
    cohort = make_cohort(org, "Winter 2026")
    manager = make_user(org, ("manager",), email="marcus@northwind.example", name="Marcus Bell")
    ada = make_user(org, ("learner",), email="ada@northwind.example", name="Ada Lovelace", cohort=cohort)
    sam = make_user(org, ("learner",), email="sam@northwind.example", name="Sam Whitfield", cohort=cohort)
    lee = make_user(org, ("learner",), email="lee@northwind.example", name="Lee Chen", cohort=cohort)
    course = db.session.scalar(select(Course).where(Course.slug == "tiny-course"))
    assignments.assign(org, course, NOW + timedelta(days=30), manager, cohort=cohort)
    due = {ada.id: NOW + timedelta(days=2), sam.id: NOW - timedelta(days=1), lee.id: NOW + timedelta(days=10)}
    for enrolment in db.session.scalars(select(Enrolment)):
        enrolment.due_at = due[enrolment.user_id]
    db.session.commit()
    return {"org": org, "manager": manager, "ada": ada, "sam": sam, "lee": lee, "course": course}


def remind(runner, now: datetime = NOW, *args):
    result = runner.invoke(args=["lms", "remind", "--now", now.isoformat() + "Z", *args])
    db.session.expire_all()
    return result


def inbox(smtp_server) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for message in smtp_server.messages:
        out.setdefault(message["To"], []).append(message["Subject"])
    return out


def test_due_soon_overdue_and_the_managers_digest_are_sent_once_however_often_it_runs(runner, people, smtp_server):
    first = remind(runner)
    assert first.exit_code == 0, first.output
    assert "3 sent" in first.output
    assert inbox(smtp_server) == {
        "ada@northwind.example": ["Due soon: ABM in Ten Minutes"],
        "sam@northwind.example": ["Overdue: ABM in Ten Minutes"],
        "marcus@northwind.example": ["Weekly digest: 1 overdue course assignment"],
    }
    second = remind(runner, NOW + timedelta(hours=3))
    assert second.exit_code == 0 and "0 sent" in second.output
    assert len(smtp_server.messages) == 3
    assert len(db.session.scalars(select(SentReminder)).all()) == 3


def test_each_email_links_the_course_and_the_profile_to_stop_reminders(runner, people, smtp_server):
    remind(runner)
    by_recipient = {m["To"]: body_of(m) for m in smtp_server.messages}
    ada = by_recipient["ada@northwind.example"]
    assert "ABM in Ten Minutes: due 12 Mar 2027, 00:45" in ada  # London is on UTC in March
    assert "http://lms.test/courses/tiny-course" in ada
    digest = by_recipient["marcus@northwind.example"]
    assert "Sam Whitfield (sam@northwind.example): ABM in Ten Minutes, due 9 Mar 2027, 00:45" in digest
    assert "Ada" not in digest and "http://lms.test/manage/assignments" in digest
    for body in by_recipient.values():
        assert "Don't send me reminder emails" in body and "http://lms.test/profile" in body


def test_the_next_day_brings_the_next_reminder(runner, people, smtp_server):
    remind(runner)
    remind(runner, NOW + timedelta(days=1))
    subjects = inbox(smtp_server)
    assert subjects["ada@northwind.example"] == ["Due soon: ABM in Ten Minutes"] * 2
    assert subjects["sam@northwind.example"] == ["Overdue: ABM in Ten Minutes"] * 2
    assert len(subjects["marcus@northwind.example"]) == 1  # the digest is weekly


def test_the_managers_digest_comes_again_after_a_week(runner, people, smtp_server):
    for days in (0, 3, 6, 7):
        remind(runner, NOW + timedelta(days=days))
    assert len(inbox(smtp_server)["marcus@northwind.example"]) == 2


def test_people_who_opted_out_get_no_reminders(runner, people, smtp_server):
    people["ada"].reminders_opt_out = True
    people["manager"].reminders_opt_out = True
    db.session.commit()
    remind(runner)
    assert inbox(smtp_server) == {"sam@northwind.example": ["Overdue: ABM in Ten Minutes"]}


def test_completed_withdrawn_and_distant_assignments_bring_no_reminder(runner, people, smtp_server):
    enrolments = {e.user_id: e for e in db.session.scalars(select(Enrolment))}
    enrolments[people["ada"].id].completed_at = NOW
    enrolments[people["sam"].id].withdrawn_at = NOW
    db.session.commit()
    result = remind(runner)
    assert "0 sent" in result.output and smtp_server.messages == []


def test_a_failed_send_is_not_recorded_and_goes_out_on_the_next_run(app, runner, people, smtp_server):
    app.config.update({"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 9, "MAIL_TIMEOUT": 2})  # nothing listens
    result = remind(runner)
    assert result.exit_code == 1 and "3 failed" in result.output
    assert db.session.scalars(select(SentReminder)).all() == []
    app.config.update(smtp_server.config())
    assert "3 sent" in remind(runner).output


def test_a_reminder_claimed_by_another_run_is_not_sent_twice(app, people):
    [first, *_] = reminders.due_reminders(NOW, awaiting_review=awaiting_review_for_coach)
    reminders.claim(first)
    db.session.commit()
    again = reminders.due_reminders(NOW, awaiting_review=awaiting_review_for_coach)
    assert (first.user_id, first.reason) not in {(r.user_id, r.reason) for r in again}
    with pytest.raises(IntegrityError):
        reminders.claim(first)
    db.session.rollback()


def test_a_dry_run_sends_and_records_nothing(runner, people, smtp_server):
    result = remind(runner, NOW, "--dry-run")
    assert "would send overdue to sam@northwind.example" in result.output
    assert smtp_server.messages == [] and db.session.scalars(select(SentReminder)).all() == []


# --- Time zones ---------------------------------------------------------------------------------


@pytest.fixture
def travellers(app, smtp_server):
    """Two learners assigned a course due at 00:30 UTC on 10 March 2027 by a manager in London."""
    app.config.update(smtp_server.config())
    sync_content(Path(app.config["COURSES_DIR"]), {})
    org = make_org("Northwind", timezone="Europe/London")
    manager = make_user(org, ("manager",), email="marcus@northwind.example", reminders_opt_out=True)
    ny = make_user(org, ("learner",), email="nia@northwind.example", name="Nia York", timezone="America/New_York")
    tokyo = make_user(org, ("learner",), email="taro@northwind.example", name="Taro Sato", timezone="Asia/Tokyo")
    course = db.session.scalar(select(Course).where(Course.slug == "tiny-course"))
    assignments.assign(org, course, datetime(2027, 3, 10, 0, 30), manager, people=[ny, tokyo])
    db.session.commit()
    return {"ny": ny, "tokyo": tokyo}


def test_the_dashboard_shows_the_stored_utc_due_date_in_each_learners_time_zone(client, auth, travellers):
    auth.login("nia@northwind.example")
    assert "Due 9 Mar 2027, 19:30" in client.get("/dashboard").get_data(as_text=True)
    auth.logout()
    auth.login("taro@northwind.example")
    assert "Due 10 Mar 2027, 09:30" in client.get("/dashboard").get_data(as_text=True)
    db.session.expire_all()
    assert {e.due_at for e in db.session.scalars(select(Enrolment))} == {datetime(2027, 3, 10, 0, 30)}


def test_who_is_overdue_is_decided_by_the_instant_not_the_local_date(runner, travellers, smtp_server):
    remind(runner, datetime(2027, 3, 10, 0, 15))  # 15 minutes before: due soon in both places
    assert inbox(smtp_server) == {"nia@northwind.example": ["Due soon: ABM in Ten Minutes"],
                                  "taro@northwind.example": ["Due soon: ABM in Ten Minutes"]}
    remind(runner, datetime(2027, 3, 10, 0, 45))  # 15 minutes after: overdue in both places
    assert inbox(smtp_server) == {"nia@northwind.example": ["Due soon: ABM in Ten Minutes", "Overdue: ABM in Ten Minutes"],
                                  "taro@northwind.example": ["Due soon: ABM in Ten Minutes", "Overdue: ABM in Ten Minutes"]}
    bodies = {m["To"]: body_of(m) for m in smtp_server.messages[2:]}
    assert "was due 9 Mar 2027, 19:30" in bodies["nia@northwind.example"]
    assert "was due 10 Mar 2027, 09:30" in bodies["taro@northwind.example"]
    days = {(r.user_id, r.reason): r.day for r in db.session.scalars(select(SentReminder))}
    assert days[(travellers["ny"].id, "overdue")] == date(2027, 3, 9)  # still the 9th in New York
    assert days[(travellers["tokyo"].id, "overdue")] == date(2027, 3, 10)


def test_once_a_day_means_the_learners_own_day(runner, travellers, smtp_server):
    remind(runner, datetime(2027, 3, 10, 0, 45))  # 19:45 on the 9th in New York
    remind(runner, datetime(2027, 3, 10, 6, 0))  # 01:00 on the 10th in New York, 15:00 on the 10th in Tokyo
    subjects = inbox(smtp_server)
    assert subjects["nia@northwind.example"] == ["Overdue: ABM in Ten Minutes"] * 2  # a new day in New York
    assert subjects["taro@northwind.example"] == ["Overdue: ABM in Ten Minutes"]  # the same day in Tokyo


# --- Links from cron ----------------------------------------------------------------------------


def test_links_use_lms_site_url_when_run_from_cron(app, runner, people, smtp_server):
    app.config.update(SERVER_NAME=None, SITE_URL="https://academy.example.com/")
    remind(runner)
    body = body_of(next(m for m in smtp_server.messages if m["To"] == "ada@northwind.example"))
    assert "https://academy.example.com/courses/tiny-course" in body
    assert "https://academy.example.com/profile" in body


def test_without_a_site_url_the_command_says_what_to_set(app, runner, people, smtp_server):
    app.config.update(SERVER_NAME=None, SITE_URL="")
    result = remind(runner)
    assert result.exit_code == 1
    assert "Set LMS_SITE_URL" in result.output
    assert smtp_server.messages == []


def test_records_of_reminders_are_forgotten_after_sixty_days(runner, people, smtp_server):
    remind(runner)
    remind(runner, NOW + timedelta(days=30))
    days = sorted({r.day for r in db.session.scalars(select(SentReminder))})
    assert days[0] == NOW.date()
    remind(runner, NOW + timedelta(days=61))
    assert min(r.day for r in db.session.scalars(select(SentReminder))) > NOW.date()
