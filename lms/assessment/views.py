"""Capability pages: your progress, a learner's profile for coaches and managers, ratings, pre/post assessments."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from lms.assessment import attempts, coaching, item_stats, profiles, question_bank

# Subscribes the question-bank store to content sync; the blueprint imports it, so it is connected whenever an
# app is created.
from lms.assessment import sync as _sync  # noqa: F401
from lms.assessment.forms import RatingForm
from lms.assessment.models import KIND_LABELS, KINDS
from lms.database import once_more_after_a_clash, utcnow
from lms.extensions import db
from lms.forms import EmptyForm
from lms.identity import services as identity
from lms.identity.forms import WordSearch
from lms.learning.signals import course_completed
from lms.tenancy import has_role, platform_admin_required

bp = Blueprint("assessment", __name__)

ANSWER_MESSAGES = {
    "saved": ("Answer saved.", "success"),
    "empty": ("Choose an option before saving.", "warning"),
    "late": ("The time limit had passed, so that answer was not counted and the assessment is now closed.",
             "warning"),
}


def _org():
    if g.org is None:
        abort(404)
    return g.org


def _kind(kind: str) -> str:
    if kind not in KINDS:
        abort(404)
    return kind


def _viewable_learner(user_id: int):
    """Return (learner, the cohort the current user coaches them in, or None).

    404 for someone outside the organisation; 403 for a member the current user may not see (only their
    coaches and the organisation's managers may).
    """
    learner = identity.member_or_404(_org().id, user_id)
    cohort_id = coaching.coached_cohort_id(current_user.id, learner.id, g.org.id)
    if learner.id != current_user.id and cohort_id is None and not has_role("manager"):
        abort(403)
    return learner, cohort_id


def _profile_page(learner, cohort_id, failed: tuple[str, RatingForm] | None = None, status: int = 200):
    framework = profiles.competencies()
    page = profiles.progress_page(learner, g.org.id, framework=framework)
    forms = {c.slug: RatingForm(c.levels, prefix=c.slug, formdata=None) for c in framework} if cohort_id else {}
    forms.update([failed] if failed else [])
    return render_template("assessment/profile.html", page=page, own=learner.id == current_user.id, forms=forms,
                           open_form=failed[0] if failed else None), status


@bp.get("/progress")
@login_required
def profile():
    """Your capability profile: knowledge before and after, applied, coach ratings and the gap."""
    search = WordSearch(request.args)
    page = profiles.progress_page(current_user, _org().id, coaching=has_role("coach"), query=search.q.data,
                                  page=search.page.data)
    return render_template("assessment/profile.html", page=page, own=True, forms={}, search=search)


@bp.get("/progress/<int:user_id>")
@login_required
def learner_profile(user_id: int):
    """A learner's capability profile, for their coaches (who rate it) and their organisation's managers."""
    return _profile_page(*_viewable_learner(user_id))


@bp.post("/progress/<int:user_id>/ratings/<competency>")
@login_required
def rate(user_id: int, competency: str):
    """A coach rates one of their learners on a competency: a level from 1 to 5 with a comment."""
    learner, cohort_id = _viewable_learner(user_id)
    row = next((c for c in profiles.competencies() if c.slug == competency), None) or abort(404)
    if cohort_id is None:
        abort(403)  # managers see profiles; only the learner's coaches rate them
    form = RatingForm(row.levels, prefix=row.slug)
    if not form.validate_on_submit():
        return _profile_page(learner, cohort_id, failed=(row.slug, form), status=400)
    coaching.rate(current_user, learner, g.org.id, cohort_id, row, form.level.data, form.comment.data)
    db.session.commit()
    flash(f"Rating saved: {learner.name}, {row.name}, level {form.level.data}.", "success")
    return redirect(url_for("assessment.learner_profile", user_id=learner.id, _anchor=f"rate-{row.slug}"))


@bp.get("/assessments/<course>/<kind>")
@login_required
def overview(course: str, kind: str):
    """What the pre- or post-course assessment is, whether you can take it now, and the way in."""
    ctx = attempts.course_context(current_user, _org(), course)
    settings = attempts.settings_for(current_app.config, ctx.view.course.slug)
    return render_template("assessment/overview.html", ctx=ctx, kind=_kind(kind), label=KIND_LABELS[kind],
                           offer=ctx.offer(kind), attempt=ctx.attempts.get(kind), settings=settings,
                           form=EmptyForm())


@bp.post("/assessments/<course>/<kind>/start")
@login_required
@once_more_after_a_clash
def start(course: str, kind: str):
    """Start (or resume) the assessment: a paper drawn from the question bank for this attempt."""
    ctx = attempts.course_context(current_user, _org(), course)
    if not EmptyForm().validate_on_submit():
        abort(400)
    settings = attempts.settings_for(current_app.config, ctx.view.course.slug)
    try:
        attempt = attempts.start_attempt(current_user, g.org, ctx, _kind(kind), settings, utcnow())
        db.session.commit()
    except attempts.AssessmentUnavailable as exc:
        flash(exc.reason, "warning")
        return redirect(url_for("assessment.overview", course=course, kind=kind))
    return redirect(url_for("assessment.attempt_show", attempt_id=attempt.id))


@bp.get("/assessments/attempts/<int:attempt_id>")
@login_required
def attempt_show(attempt_id: int):
    """The paper while the attempt is open; the results, with feedback, once it is closed."""
    attempt = attempts.attempt_or_404(attempt_id, current_user, _org())
    if attempts.expire_if_due(current_user, attempt, utcnow()):
        db.session.commit()
        flash("The time limit has passed, so the assessment is closed. Answers given in time are counted.",
              "warning")
    return render_template("assessment/attempt.html", view=attempts.paper_view(attempt), form=EmptyForm())


@bp.post("/assessments/attempts/<int:attempt_id>/questions/<int:number>")
@login_required
@once_more_after_a_clash
def attempt_answer(attempt_id: int, number: int):
    """Save your answer to one question of your open attempt (checked on the server, shown when you finish)."""
    attempt = attempts.attempt_or_404(attempt_id, current_user, _org())
    if not EmptyForm().validate_on_submit():
        abort(400)
    chosen = [int(v) for v in request.form.getlist("option") if v.isdigit()]
    try:
        outcome = attempts.answer(current_user, attempt, number, chosen, utcnow())
    except attempts.AttemptClosed:
        flash("This assessment is closed, so its answers can no longer change.", "warning")
        return redirect(url_for("assessment.attempt_show", attempt_id=attempt.id))
    db.session.commit()
    flash(*ANSWER_MESSAGES[outcome])
    following = number + 1 if outcome == "saved" and number < len(attempt.paper) else number
    return redirect(url_for("assessment.attempt_show", attempt_id=attempt.id, _anchor=f"q-{following}"))


@bp.post("/assessments/attempts/<int:attempt_id>/finish")
@login_required
def attempt_finish(attempt_id: int):
    """Hand in your attempt: it is scored and closed, and the results show what was right and why."""
    attempt = attempts.attempt_or_404(attempt_id, current_user, _org())
    if not EmptyForm().validate_on_submit():
        abort(400)
    attempts.close(current_user, attempt, utcnow())
    db.session.commit()
    return redirect(url_for("assessment.attempt_show", attempt_id=attempt.id))


@course_completed.connect
def _offer_post_assessment(enrolment, **_) -> None:
    """When a learner completes a course, point them to the post-course assessment."""
    if has_request_context():
        flash("Take the post-course assessment to see how far you have come: your Progress page links to it.",
              "info")


@bp.get("/platform/assessment-items")
@platform_admin_required
def item_statistics():
    """Platform admins: every bank question's first-time answers, difficulty, discrimination and flags."""
    rows = question_bank.item_statistics()
    return render_template("assessment/item_stats.html", rows=rows, flagged=sum(r.stat.is_flagged for r in rows),
                           min_responses=item_stats.MIN_RESPONSES)
