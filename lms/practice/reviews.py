"""Coach reviews: the queue of hand-ins from the cohorts a coach coaches (and, on public courses, from attendees
whose cohort has no coach), comments and decisions, the learner's review notifications, and the list behind the
coach's daily reminder. Add and flush, never commit."""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask import abort, current_app
from sqlalchemy import Integer, Select, bindparam, exists, func, literal, select, union, update

from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Cohort, CohortMember, Membership, Organization, User
from lms.learning.reminders import WaitingReview
from lms.mail import send_template
from lms.paging import Page, paginate
from lms.practice.errors import PracticeError
from lms.practice.exercises import exercise_registry, exercise_title
from lms.practice.models import (
    REVIEW_STATUS_LABELS,
    ExerciseRun,
    ReviewComment,
    ReviewNotification,
    Submission,
)
from lms.practice.submissions import credit_pass, needs_coach
from lms.tracking.services import record
from lms.urls import external_url

REVIEW_DECISIONS = ("accepted", "changes_requested")
REVIEWS_PER_PAGE = 50  # a coach's review queue


def _coached_learners(coach: User, org: Organization):
    """A subquery of the ids of the learners whose submissions `coach` reviews in `org`.

    Those of the cohorts `coach` coaches there; and, when `org` runs the public courses and `coach` is one of its
    coaches, also the attendees no cohort coach looks after (public sessions often have no coach of their own:
    the coaches of the organisation that provides the public courses review their work).
    """
    coached = (select(CohortMember.cohort_id).join(Cohort, Cohort.id == CohortMember.cohort_id)
               .where(CohortMember.user_id == coach.id, CohortMember.role == "coach",
                      Cohort.organization_id == org.id))
    cohort_learners = select(CohortMember.user_id).where(CohortMember.cohort_id.in_(coached),
                                                         CohortMember.role == "learner")
    if org.kind != "public":
        return cohort_learners
    is_org_coach = exists().where(Membership.user_id == coach.id, Membership.organization_id == org.id,
                                  Membership.role == "coach")
    with_coach = (select(CohortMember.cohort_id).join(Cohort, Cohort.id == CohortMember.cohort_id)
                  .where(CohortMember.role == "coach", Cohort.organization_id == org.id))
    looked_after = (select(CohortMember.user_id).where(CohortMember.cohort_id.in_(with_coach),
                                                       CohortMember.role == "learner"))
    attendees = (select(Membership.user_id)
                 .where(Membership.organization_id == org.id, Membership.role == "learner", is_org_coach,
                        Membership.user_id.not_in(looked_after)))
    return union(cohort_learners, attendees).subquery().select()


@dataclass(frozen=True)
class ReviewRow:
    """One submission in a coach's review queue."""

    submission: Submission
    learner_name: str
    learner_email: str
    title: str


def _review_queue(coach: User, org: Organization, status: str | None) -> Select:
    """The submissions of the learners `coach` coaches, newest first, optionally of one status."""
    query = (select(Submission, User.name, User.email).join(User, User.id == Submission.user_id)
             .where(Submission.organization_id == org.id, Submission.user_id.in_(_coached_learners(coach, org))))
    if status in REVIEW_STATUS_LABELS:
        query = query.where(Submission.status == status)
    return query.order_by(Submission.submitted_at.desc(), Submission.id.desc())


def _review_row(submission: Submission, name: str, email: str) -> ReviewRow:
    return ReviewRow(submission, name, email, exercise_title(submission.exercise_slug))


def coach_submissions(coach: User, org: Organization, status: str | None = None) -> list[ReviewRow]:
    """Return every submission of the learners `coach` coaches, newest first, optionally of one status (one
    query, whatever the number)."""
    return [_review_row(*row) for row in db.session.execute(_review_queue(coach, org, status)).all()]


def review_queue_page(coach: User, org: Organization, status: str | None, page: int) -> Page:
    """Return one page (REVIEWS_PER_PAGE) of the coach's review queue as coach_submissions orders it: every
    submission can be reached, the oldest waiting too (two queries)."""
    found = paginate(_review_queue(coach, org, status), page, REVIEWS_PER_PAGE)
    found.items = [_review_row(*row) for row in found.items]
    return found


def coach_counts(coach: User, org: Organization) -> dict[str, int]:
    """Return {status: number of submissions} for the learners `coach` coaches (one query)."""
    counts = dict.fromkeys(REVIEW_STATUS_LABELS, 0)
    counts.update(db.session.execute(
        select(Submission.status, func.count(Submission.id))
        .where(Submission.organization_id == org.id, Submission.user_id.in_(_coached_learners(coach, org)))
        .group_by(Submission.status)).all())
    return counts


def awaiting_review_for_coach(coach: User) -> list[WaitingReview]:
    """Return what waits for `coach`'s review, for their daily reminder: in each organisation where they hold
    the coach role, the submissions their review queue lists as awaiting (from learners of the cohorts they
    coach there), by organisation name and then newest first, each with the link to its review page.

    One query for the organisations, then one per organisation. Raises lms.urls.SiteURLMissing outside a
    request without LMS_SITE_URL or SERVER_NAME.
    """
    orgs = db.session.scalars(
        select(Organization).join(Membership, Membership.organization_id == Organization.id)
        .where(Membership.user_id == coach.id, Membership.role == "coach")
        .order_by(Organization.name, Organization.id)).all()
    return [WaitingReview(organization=org.name, exercise=row.title, learner=row.learner_name,
                          submitted_at=row.submission.submitted_at,
                          url=external_url("practice.review_show", submission_id=row.submission.id))
            for org in orgs for row in coach_submissions(coach, org, "awaiting")]


def reviews_work_of(coach: User, org: Organization, learner_id: int) -> bool:
    """Return True if `coach` reviews this learner's submissions in `org` (see _coached_learners)."""
    return bool(db.session.scalar(select(literal(learner_id).in_(_coached_learners(coach, org)))))


def review_or_404(coach: User, org: Organization, submission_id: int) -> Submission:
    """Return a submission by one of `coach`'s learners in this organisation, or abort 404."""
    submission = db.session.get(Submission, submission_id)
    if submission is None or submission.organization_id != org.id:
        abort(404)
    if not reviews_work_of(coach, org, submission.user_id):
        abort(404)
    return submission


def review_comments(submission: Submission | None) -> list[tuple[ReviewComment, str]]:
    """Return a submission's review comments with their authors' names, oldest first ([] for none)."""
    if submission is None:
        return []
    return [(c, name or "Your coach") for c, name in db.session.execute(
        select(ReviewComment, User.name).outerjoin(User, User.id == ReviewComment.author_id)
        .where(ReviewComment.submission_id == submission.id).order_by(ReviewComment.id)).all()]


def review(coach: User, org: Organization, submission: Submission, *, comment: str | None,
           finding_comments: Mapping[int, str], decision: str | None) -> ReviewNotification:
    """Add the coach's comments (on the submission and on findings by index), set the decision, record
    "commented"/"reviewed", and notify the learner. Returns the notification (to email).

    Accepting a passed submission of an exercise that needs a coach's review credits the exercise (and may
    complete the learner's course): until then it does not count.

    Raises PracticeError when there is neither a comment nor a new decision.
    """
    run = db.session.get(ExerciseRun, submission.run_id)
    count = len(run.findings or []) if run else 0
    texts = [(None, (comment or "").strip())] + sorted(
        (i, (t or "").strip()) for i, t in finding_comments.items() if isinstance(i, int) and 0 <= i < count)
    texts = [(i, t[:5000]) for i, t in texts if t]
    decision = decision if decision in REVIEW_DECISIONS else None
    changes = decision is not None and decision != submission.status
    if not texts and not changes:
        raise PracticeError("Write a comment or choose a decision before saving the review.")
    title = exercise_title(submission.exercise_slug)
    obj = ("submission", submission.id, f"{title} (submission {submission.id})")
    for index, text in texts:
        db.session.add(ReviewComment(organization_id=org.id, submission_id=submission.id, author_id=coach.id,
                                     finding_index=index, body=text))
        record(coach, "commented", obj, {"response": text[:1000], "finding": index, "learner": submission.user_id},
               organization_id=org.id, cohort_id=submission.cohort_id)
    if changes:
        submission.status, submission.reviewed_at, submission.reviewer_id = decision, utcnow(), coach.id
        record(coach, "reviewed", obj, {"status": decision, "success": decision == "accepted",
                                        "score": submission.score, "learner": submission.user_id},
               organization_id=org.id, cohort_id=submission.cohort_id)
        if (decision == "accepted" and submission.passed
                and needs_coach(exercise_registry().get(submission.exercise_slug))):
            credit_pass(db.session.get(User, submission.user_id), org, submission.exercise_slug, submission.score)
    note = ReviewNotification(organization_id=org.id, user_id=submission.user_id, submission_id=submission.id,
                              coach_id=coach.id, status=submission.status, comments=len(texts))
    db.session.add(note)
    db.session.flush()
    return note


def email_review(note: ReviewNotification, run_url: str) -> bool:
    """Email the learner about a review (status, the coach's comments and the link). Returns False, logging
    the fault, if the mail server fails: the review itself is already saved."""
    submission = db.session.get(Submission, note.submission_id)
    learner = db.session.get(User, note.user_id)
    coach = db.session.get(User, note.coach_id) if note.coach_id else None
    if submission is None or learner is None:
        return False
    run = db.session.get(ExerciseRun, submission.run_id)
    findings = run.findings if run else []
    comments = [(c, findings[c.finding_index] if c.finding_index is not None and c.finding_index < len(findings)
                 else None) for c, _ in review_comments(submission)[-note.comments:]] if note.comments else []
    title = exercise_title(submission.exercise_slug)
    try:
        send_template(learner.email, f"Your coach reviewed \u201c{title}\u201d", "practice/email/review",
                      learner=learner, coach=coach, submission=submission, title=title, comments=comments,
                      status_label=REVIEW_STATUS_LABELS.get(note.status, note.status), url=run_url)
    except (smtplib.SMTPException, OSError):
        current_app.logger.exception("review email to %s failed", learner.email)
        return False
    return True


@dataclass(frozen=True)
class ReviewNote:
    """An unread review notification, as the learner's dashboard shows it."""

    id: int
    submission_id: int
    run_id: int
    title: str
    status: str
    status_label: str
    coach_name: str
    comments: int
    created_at: datetime


def recent_reviews(user: User, org: Organization | None, limit: int = 5) -> list[ReviewNote]:
    """Return the learner's unread review notifications, newest first (one query)."""
    if org is None:
        return []
    rows = db.session.execute(_unread_reviews(), {"user_id": user.id, "org_id": org.id, "limit": limit}).all()
    return [ReviewNote(n.id, n.submission_id, run_id, exercise_title(slug), n.status,
                       REVIEW_STATUS_LABELS.get(n.status, n.status), coach or "Your coach", n.comments, n.created_at)
            for n, run_id, slug, coach in rows]


@cache
def _unread_reviews() -> Select:
    """recent_reviews' statement, built once: every dashboard asks it, nearly always to find nothing, and building
    the statement and its cache key cost more than running it."""
    return (select(ReviewNotification, Submission.run_id, Submission.exercise_slug, User.name)
            .join(Submission, Submission.id == ReviewNotification.submission_id)
            .outerjoin(User, User.id == ReviewNotification.coach_id)
            .where(ReviewNotification.user_id == bindparam("user_id"),
                   ReviewNotification.organization_id == bindparam("org_id"), ReviewNotification.read_at.is_(None))
            .order_by(ReviewNotification.created_at.desc(), ReviewNotification.id.desc())
            .limit(bindparam("limit", type_=Integer)))


def mark_reviews_read(user: User, org: Organization, submission_id: int) -> None:
    """Mark the learner's notifications about one submission as read."""
    db.session.execute(update(ReviewNotification).where(
        ReviewNotification.user_id == user.id, ReviewNotification.organization_id == org.id,
        ReviewNotification.submission_id == submission_id, ReviewNotification.read_at.is_(None)
    ).values(read_at=utcnow()))
