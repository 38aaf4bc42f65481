"""`flask lms remind` and booked workshops: a reminder a week before and one the day before, each sent once
whatever the number of runs, never to those without a seat, with the pre-work still to do."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from lms.content.models import Module
from lms.extensions import db
from lms.learning.models import ModuleProgress
from lms.workshops import services
from lms.workshops.models import Booking
from tests.factories import make_user
from tests.ports import free_port
from tests.smtp import body_of
from tests.workshops.fixtures import BOOKED, START

WEEK_BEFORE = START - timedelta(days=7) + timedelta(hours=1)
DAY_BEFORE = START - timedelta(hours=20)
PREWORK_LINK = "http://lms.test/courses/tiny-course/choosing-target-accounts"


def _person(name: str, **overrides):
    return make_user(None, (), email=f"{name.lower()}@example.com", name=f"{name} Tester", **overrides)


def _book(session, user, now=BOOKED):
    booking = services.book(session, user, now=now)
    db.session.commit()
    return booking


def remind(runner, now: datetime, *args):
    result = runner.invoke(args=["lms", "remind", "--now", now.isoformat() + "Z", *args])
    db.session.expire_all()
    return result


def _sent(mail) -> list[tuple[str, str]]:
    return [(m["To"], m["Subject"]) for m in mail.messages]


def test_the_week_and_the_day_reminders_are_each_sent_once_however_often_it_runs(runner, mail, session_at) -> None:
    session = session_at()
    _book(session, _person("Ada"))

    early = remind(runner, START - timedelta(days=8))
    assert early.exit_code == 0, early.output
    assert "Workshop reminders: 0 sent, 0 already sent, 0 failed." in early.output
    assert mail.messages == []

    week = remind(runner, WEEK_BEFORE)
    assert week.exit_code == 0, week.output
    assert "Reminders: 0 sent, 0 already sent, 0 failed." in week.output  # the course reminders' line, as before
    assert "Workshop reminders: 1 sent, 0 already sent, 0 failed." in week.output
    assert _sent(mail) == [("ada@example.com", "ABM in Ten Minutes is next week: Thu 16 Jan 2031")]
    body = body_of(mail.messages[0])
    assert "Your workshop is a week away" in body
    assert "Thu 16 Jan 2031, 09:30–17:00 GMT (London time)" in body
    assert "The Hub, Clerkenwell, 12 St John Street, London EC1M 4AY" in body
    assert f"http://lms.test/workshops/{session.id}" in body

    for now in (WEEK_BEFORE, WEEK_BEFORE + timedelta(hours=5), START - timedelta(days=3)):
        again = remind(runner, now)
        assert again.exit_code == 0 and "Workshop reminders: 0 sent" in again.output
    assert len(mail.messages) == 1

    day = remind(runner, DAY_BEFORE)
    assert "Workshop reminders: 1 sent" in day.output
    assert _sent(mail)[1] == ("ada@example.com", "ABM in Ten Minutes is tomorrow: Thu 16 Jan 2031")
    assert "See you tomorrow" in body_of(mail.messages[1])
    assert "Workshop reminders: 0 sent" in remind(runner, DAY_BEFORE + timedelta(hours=2)).output
    assert "Workshop reminders: 0 sent" in remind(runner, START + timedelta(hours=1)).output
    assert len(mail.messages) == 2


def test_a_booking_made_three_days_before_gets_only_the_day_reminder(runner, mail, session_at) -> None:
    session = session_at()
    _book(session, _person("Ada"), now=START - timedelta(days=3))
    assert "Workshop reminders: 0 sent" in remind(runner, START - timedelta(days=3) + timedelta(hours=1)).output
    assert "Workshop reminders: 1 sent" in remind(runner, DAY_BEFORE).output
    assert _sent(mail) == [("ada@example.com", "ABM in Ten Minutes is tomorrow: Thu 16 Jan 2031")]


def test_only_confirmed_seats_on_sessions_still_running_are_reminded(runner, mail, session_at, admin) -> None:
    full = session_at(capacity=1)
    _book(full, _person("Ada"))
    assert _book(full, _person("Bea")).status == "waitlisted"
    called_off = session_at(START + timedelta(hours=2))
    _book(called_off, _person("Cal"))
    services.cancel_session(called_off, admin)
    other = session_at(START + timedelta(hours=3))
    eve = _person("Eve")
    services.cancel(_book(other, eve), eve, now=BOOKED + timedelta(days=1))
    db.session.commit()

    result = remind(runner, WEEK_BEFORE)
    assert "Workshop reminders: 1 sent" in result.output
    assert [to for to, _ in _sent(mail)] == ["ada@example.com"]


def test_the_pre_work_is_listed_while_it_is_not_done(runner, mail, session_at, provider) -> None:
    session = session_at()
    ada = _person("Ada")
    _book(session, ada)
    remind(runner, WEEK_BEFORE)
    week = body_of(mail.messages[0])
    assert "one pre-work module is still to do, by Thu 16 Jan 2031, 09:30 GMT (London time)" in week
    assert f"- Choosing target accounts (5 min): {PREWORK_LINK}" in week

    module = db.session.scalar(select(Module).where(Module.slug == "choosing-target-accounts"))
    db.session.add(ModuleProgress(user_id=ada.id, module_id=module.id, organization_id=provider.id,
                                  completed_at=WEEK_BEFORE + timedelta(days=1)))
    db.session.commit()
    remind(runner, DAY_BEFORE)
    day = body_of(mail.messages[1])
    assert "Your pre-work is done" in day
    assert PREWORK_LINK not in day


def test_reminders_about_a_booked_session_reach_people_who_turned_course_reminders_off(runner, mail, session_at
                                                                                      ) -> None:
    _book(session_at(), _person("Ada", reminders_opt_out=True))
    assert "Workshop reminders: 1 sent" in remind(runner, WEEK_BEFORE).output
    assert _sent(mail)[0][0] == "ada@example.com"
    assert "we send it even if you have\nturned reminder emails off" in body_of(mail.messages[0]).replace("\r\n", "\n")


def test_a_dry_run_lists_the_reminders_and_sends_nothing(runner, mail, session_at) -> None:
    _book(session_at(), _person("Ada"))
    result = remind(runner, WEEK_BEFORE, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would send workshop_week to ada@example.com: ABM in Ten Minutes is next week" in result.output
    assert "Workshop reminders: 0 sent, 0 already sent, 0 failed, 1 due (dry run)." in result.output
    assert mail.messages == []
    assert "Workshop reminders: 1 sent" in remind(runner, WEEK_BEFORE).output


def test_a_reminder_the_mail_server_refused_is_sent_on_the_next_run(app, runner, mail, session_at) -> None:
    booking = _book(session_at(), _person("Ada"))
    closed_port = free_port()  # nothing listens there
    app.config.update(MAIL_PORT=closed_port, MAIL_TIMEOUT=2)
    failed = remind(runner, WEEK_BEFORE)
    assert failed.exit_code == 1
    assert "Workshop reminders: 0 sent, 0 already sent, 1 failed." in failed.output
    assert "could not send workshop_week to ada@example.com" in failed.output
    assert db.session.get(Booking, booking.id).reminded_week_at is None  # the claim was given back

    app.config.update(mail.config())
    retried = remind(runner, WEEK_BEFORE + timedelta(hours=1))
    assert retried.exit_code == 0 and "Workshop reminders: 1 sent" in retried.output
    assert db.session.get(Booking, booking.id).reminded_week_at is not None
