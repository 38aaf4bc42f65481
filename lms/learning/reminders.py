"""Reminder emails: learners' assignments due soon or overdue, managers' weekly digest, coaches' submissions awaiting
review (listed by practice, passed in). At most one per person, reason and local day; nobody who opted out. Flush,
never commit: `flask lms remind` commits after each reminder it claims."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Membership, Organization, User
from lms.learning import deadlines
from lms.learning.assignments import overdue_by_organization
from lms.learning.models import Enrolment, SentReminder
from lms.mail import send_template
from lms.urls import external_url

MANAGER_DIGEST = "manager_digest"
COACH_REVIEWS = "coach_reviews"


@dataclass(frozen=True)
class WaitingReview:
    """A submission waiting for a coach's review, as practice lists it for the coach's reminder."""

    organization: str  # the organisation's name: a coach of several sees which to work in
    exercise: str  # the exercise's title
    learner: str  # the learner's name
    submitted_at: datetime  # naive UTC
    url: str  # the submission's review page


# Given a coach, the submissions waiting for their review. practice provides it (learning sits below practice,
# so `flask lms remind` passes it in): lms.practice.reviews.awaiting_review_for_coach.
AwaitingReview = Callable[[User], list[WaitingReview]]


@dataclass(frozen=True)
class Item:
    """One line of a reminder: what, when (in the recipient's time zone), and where to go."""

    title: str
    detail: str
    url: str


@dataclass
class Reminder:
    """One email to send, and the key that makes it once a day: (user, reason, day in their time zone)."""

    user_id: int
    email: str
    name: str
    reason: str
    day: date
    items: list[Item] = field(default_factory=list)
    sections: list[tuple[str, list[Item]]] = field(default_factory=list)  # the digest: per organisation
    count: int = 0  # coaches: submissions awaiting review (listed in `sections`, per organisation)

    @property
    def subject(self) -> str:
        n = len(self.items)
        if self.reason == deadlines.DUE_SOON:
            return f"Due soon: {self.items[0].title}" if n == 1 else f"{n} courses due soon"
        if self.reason == deadlines.OVERDUE:
            return f"Overdue: {self.items[0].title}" if n == 1 else f"{n} courses overdue"
        if self.reason == MANAGER_DIGEST:
            total = sum(len(items) for _, items in self.sections)
            return f"Weekly digest: {total} overdue course assignment{'s' if total != 1 else ''}"
        return f"{self.count} submission{'s' if self.count != 1 else ''} awaiting your review"


def _zone(user: User, org_zone: str | None):
    return deadlines.zone(user.timezone or org_zone, current_app.config["TIMEZONE"])


def _reachable(query):
    return query.where(User.reminders_opt_out.is_(False), User.is_active_user.is_(True))


def _already_sent(now: datetime) -> set[tuple[int, str, date]]:
    # Local days run from UTC-12 to UTC+14: anything sent in the last two UTC days may share a local day.
    since = (now - timedelta(days=2)).date()
    rows = db.session.execute(select(SentReminder.user_id, SentReminder.reason, SentReminder.day)
                              .where(SentReminder.day >= since))
    return {tuple(row) for row in rows}


def _learner_reminders(now: datetime, soon_days: int) -> list[Reminder]:
    rows = db.session.execute(_reachable(
        select(Enrolment, User, Organization.timezone).join(User, User.id == Enrolment.user_id)
        .join(Organization, Organization.id == Enrolment.organization_id)
        .where(Enrolment.withdrawn_at.is_(None), Enrolment.completed_at.is_(None), Enrolment.due_at.is_not(None),
               Enrolment.due_at <= now + timedelta(days=soon_days)))
        .order_by(User.id, Enrolment.due_at))
    found: dict[tuple[int, str], Reminder] = {}
    for enrolment, user, org_zone in rows:
        reason = deadlines.reminder_reason(enrolment.due_at, enrolment.completed_at, now, soon_days)
        if reason is None:
            continue
        tz = _zone(user, org_zone)
        reminder = found.setdefault((user.id, reason), Reminder(user.id, user.email, user.first_name, reason,
                                                                deadlines.local_day(now, tz)))
        reminder.items.append(Item(enrolment.course.title, deadlines.format_local(enrolment.due_at, tz),
                                   external_url("learning.course_show", course=enrolment.course.slug)))
    return list(found.values())


def _manager_digests(now: datetime, every_days: int) -> list[Reminder]:
    overdue = overdue_by_organization(now)
    if not overdue:
        return []
    managers = db.session.execute(_reachable(
        select(User, Organization).join(Membership, Membership.user_id == User.id)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(Membership.role == "manager", Membership.organization_id.in_(list(overdue))))
        .order_by(User.id, Organization.name))
    last = dict(db.session.execute(select(SentReminder.user_id, func.max(SentReminder.day))
                                   .where(SentReminder.reason == MANAGER_DIGEST)
                                   .group_by(SentReminder.user_id)).all())
    found: dict[int, Reminder] = {}
    for user, org in managers:
        tz = _zone(user, org.timezone)
        today = deadlines.local_day(now, tz)
        if not deadlines.digest_due(last.get(user.id), today, every_days):
            continue
        reminder = found.setdefault(user.id, Reminder(user.id, user.email, user.first_name, MANAGER_DIGEST, today))
        items = [Item(f"{learner.name} ({learner.email})",
                      f"{enrolment.course.title}, due {deadlines.format_local(enrolment.due_at, tz)}", "")
                 for learner, enrolment in overdue[org.id]]
        reminder.sections.append((org.name, items))
    return list(found.values())


def _coach_reminders(now: datetime, awaiting_review: AwaitingReview, sent: set[tuple[int, str, date]]
                     ) -> list[Reminder]:
    coaches = db.session.execute(_reachable(
        select(User, func.min(Organization.timezone)).join(Membership, Membership.user_id == User.id)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(Membership.role == "coach").group_by(User.id)).order_by(User.id))
    out = []
    for user, org_zone in coaches:
        tz = _zone(user, org_zone)
        today = deadlines.local_day(now, tz)
        if (user.id, COACH_REVIEWS, today) in sent:
            continue  # already emailed today: don't gather their queue again
        waiting = awaiting_review(user)
        if not waiting:
            continue
        reminder = Reminder(user.id, user.email, user.first_name, COACH_REVIEWS, today, count=len(waiting))
        by_org: dict[str, list[Item]] = {}
        for w in waiting:
            by_org.setdefault(w.organization, []).append(
                Item(w.exercise, f"{w.learner}, handed in {deadlines.format_local(w.submitted_at, tz)}", w.url))
        reminder.sections = list(by_org.items())
        out.append(reminder)
    return out


def due_reminders(now: datetime | None = None, *, awaiting_review: AwaitingReview) -> list[Reminder]:
    """Return the reminders to send now, leaving out any already sent today (each recipient's local day).

    Learners: one email per reason (due within REMINDER_DUE_SOON_DAYS, or overdue) listing their courses.
    Managers: a digest of their organisations' overdue learners when the last one is REMINDER_DIGEST_DAYS old.
    Coaches: one email listing every submission `awaiting_review(coach)` (from practice) returns, if any.
    Raises lms.urls.SiteURLMissing outside a request without LMS_SITE_URL or SERVER_NAME.
    """
    now = now or utcnow()
    cfg = current_app.config
    reminders = _learner_reminders(now, cfg["REMINDER_DUE_SOON_DAYS"])
    reminders += _manager_digests(now, cfg["REMINDER_DIGEST_DAYS"])
    sent = _already_sent(now)
    reminders += _coach_reminders(now, awaiting_review, sent)
    return [r for r in reminders if (r.user_id, r.reason, r.day) not in sent]


def claim(reminder: Reminder) -> None:
    """Note the reminder as sent (flushes). Raises sqlalchemy.exc.IntegrityError if it was sent already today, by
    a run going on at the same time: roll back and skip it."""
    db.session.add(SentReminder(user_id=reminder.user_id, reason=reminder.reason, day=reminder.day,
                                sent_at=utcnow()))
    db.session.flush()


def unclaim(reminder: Reminder) -> None:
    """Forget a claimed reminder whose email could not be sent, so the next run tries again (flushes)."""
    db.session.execute(delete(SentReminder).where(SentReminder.user_id == reminder.user_id,
                                                  SentReminder.reason == reminder.reason,
                                                  SentReminder.day == reminder.day))


def send(reminder: Reminder) -> None:
    """Send the reminder's email, with a link to the profile page to stop reminders. Raises smtplib.SMTPException
    or OSError when the mail server fails."""
    links = {"profile_url": external_url("identity.profile"),
             "dashboard_url": external_url("learning.dashboard")}
    if reminder.reason == MANAGER_DIGEST:
        links["assignments_url"] = external_url("learning.assignments")
    if reminder.reason == COACH_REVIEWS:
        links["reviews_url"] = external_url("practice.reviews")
    send_template(reminder.email, reminder.subject, f"learning/email/{reminder.reason}", reminder=reminder,
                  site_name=current_app.config["SITE_NAME"], **links)


def forget_sent(before: date) -> int:
    """Delete the record of reminders sent before `before` (old enough to play no part in "once a day" or the
    weekly digest); return how many."""
    return db.session.execute(delete(SentReminder).where(SentReminder.day < before)).rowcount or 0
