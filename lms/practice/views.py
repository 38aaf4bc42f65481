"""Exercises: the list, an exercise with its answer form and result, runs, hand-in, coach reviews, handoff briefs."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from lms.abm.vocabulary import BUYING_ROLES, ROLE_LABELS, SIGNAL_TYPES
from lms.accounts import picks
from lms.accounts.workspaces import workspace_for
from lms.database import once_more_after_a_clash
from lms.extensions import db
from lms.forms import EmptyForm
from lms.pdf import render_pdf
from lms.practice import answers
from lms.practice.artefact_files import MEDIA_TYPES
from lms.practice.artefacts import artefact_file, artefact_or_404, available, download_name
from lms.practice.errors import CheckFailed, PracticeError
from lms.practice.exercises import exercise_or_404
from lms.practice.findings import (
    SEVERITY_LABELS,
    SEVERITY_TAGS,
    comment_key,
    fix_target,
    parse_finding_comments,
    summary_figures,
)
from lms.practice.forms import AnswerForm, ReviewForm
from lms.practice.handoffs import handoff_brief, note_brief_exported
from lms.practice.models import REVIEW_STATUS_LABELS
from lms.practice.pages import exercise_overview, exercise_page, next_exercise, review_page, run_page
from lms.practice.reviews import (
    coach_counts,
    email_review,
    recent_reviews,
    review,
    review_or_404,
    review_queue_page,
)
from lms.practice.runs import run_exercise, run_or_404, save_answer
from lms.practice.submissions import counts_as_passed, needs_coach, submit_best
from lms.tenancy import role_required

bp = Blueprint("practice", __name__)


def _org():
    if g.org is None:
        abort(404)
    return g.org


def endpoint_url(endpoint: str | None, **kwargs) -> str | None:
    """Return the URL of an app page, or None when there is no page to link (a missing endpoint fails loudly)."""
    return url_for(endpoint, **kwargs) if endpoint else None


def fix_link(finding: dict, workspace_empty: bool = False) -> tuple[str, str] | None:
    """Return (label, URL) of the page where the learner fixes what a finding names, or None."""
    target = fix_target(finding, workspace_empty=workspace_empty)
    if target is None:
        return None
    if target.anchor:
        return target.label, f"#{target.anchor}"
    url = endpoint_url(target.endpoint, **dict(target.args))
    return (target.label, url) if url else None


def artefact_link(submission, exercise, mine: bool = True) -> tuple[str, str] | None:
    """Return (label, URL) of a submission's artefact download, or None while it gives none."""
    if not available(submission, exercise):
        return None
    spec = exercise.artefact
    label = f"Download {'your ' if mine else ''}{spec['title']} ({spec['format'].upper()})"
    return label, url_for("practice.artefact_download", submission_id=submission.id)


@bp.context_processor
def _helpers() -> dict:
    return {"fix_link": fix_link, "endpoint_url": endpoint_url, "severity_tags": SEVERITY_TAGS,
            "severity_labels": SEVERITY_LABELS,
            "summary_figures": summary_figures, "counts_as_passed": counts_as_passed, "needs_coach": needs_coach,
            "artefact_link": artefact_link,
            "role_labels": ROLE_LABELS, "buying_roles": BUYING_ROLES, "signal_types": SIGNAL_TYPES,
            "status_labels": REVIEW_STATUS_LABELS, "comment_key": comment_key, "field_key": answers.field_key,
            "cell_key": answers.cell_key}


@bp.app_template_global()
def reviews_waiting() -> int | None:
    """How many submissions wait for the signed-in coach's review here (None for someone who is not a coach)."""
    if not current_user.is_authenticated or g.org is None or "coach" not in g.roles:
        return None
    return coach_counts(current_user, g.org).get("awaiting", 0)


@bp.app_template_global()
def recent_review_notes() -> list:
    """The signed-in learner's unread review notifications, for practice/_dashboard_reviews.html on any page."""
    if not current_user.is_authenticated or g.org is None:
        return []
    return recent_reviews(current_user, g.org)


@bp.get("/exercises")
@login_required
def exercises():
    """Every exercise, with your best score, where you stand and the module to read first."""
    rows = exercise_overview(current_user, _org())
    return render_template("practice/exercises.html", rows=rows, next_row=next_exercise(rows),
                           review_notes=recent_reviews(current_user, g.org))


@bp.get("/exercises/<slug>")
@login_required
def exercise_show(slug: str):
    """An exercise: its brief, your answer form, and the result of your latest check."""
    exercise = exercise_or_404(slug)
    page = exercise_page(current_user, _org(), exercise, request.args)
    return render_template("practice/exercise.html", page=page, form=AnswerForm(), submit_form=EmptyForm())


@bp.post("/exercises/<slug>/run")
@login_required
@once_more_after_a_clash
def exercise_run(slug: str):
    """Save your answer and check your workspace (or, for "add more rows", save it and show more rows)."""
    exercise = exercise_or_404(slug)
    if not AnswerForm().validate_on_submit():
        abort(400)
    workspace = workspace_for(current_user, _org())
    picker = picks.Picker(workspace)
    answer = answers.parse_answer(exercise.answer_fields, request.form, account=picker.resolve)
    if picker.problems:  # typed accounts that match none: nothing saved or checked, everything typed shown again
        page = exercise_page(current_user, g.org, exercise, request.form, sent=(answer, picker.problems))
        return render_template("practice/exercise.html", page=page, form=AnswerForm(), submit_form=EmptyForm()), 400
    more = request.form.get("more")
    if more in answers.rows_fields(exercise.answer_fields):
        save_answer(current_user, g.org, workspace, slug, answer)
        db.session.commit()
        blank = answers.row_slots({}, 0, request.form.get(f"blank-{more}")).blank + answers.BLANK_ROWS
        return redirect(url_for("practice.exercise_show", slug=slug, _anchor=f"field-{more}",
                                **{f"blank-{more}": blank}))
    try:
        run = run_exercise(current_user, g.org, workspace, exercise, answer)
    except CheckFailed as exc:
        db.session.commit()  # the answer is kept as a draft
        flash(str(exc), "error")
        return redirect(url_for("practice.exercise_show", slug=slug))
    db.session.commit()
    flash(_run_message(run, exercise), "success" if run.passed else "info")
    return redirect(url_for("practice.exercise_show", slug=slug, _anchor="result"))


def _run_message(run, exercise) -> str:
    if run.passed and needs_coach(exercise):
        return f"Checked: {run.score}/100. Passed the check \u2014 now submit it for your coach's review."
    if run.passed:
        return f"Checked: {run.score}/100, passed. Hand it in for credit and your coach's review."
    return (f"Checked: {run.score}/100 (you pass at {exercise.pass_mark} with nothing to fix). Work through the "
            "findings below, then check again.")


@bp.post("/exercises/<slug>/submit")
@login_required
@once_more_after_a_clash
def exercise_submit(slug: str):
    """Hand in your best run for credit and review."""
    exercise = exercise_or_404(slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        submission = submit_best(current_user, _org(), exercise)
    except PracticeError as exc:
        flash(str(exc), "warning")
        return redirect(url_for("practice.exercise_show", slug=slug))
    db.session.commit()
    if submission.passed and needs_coach(exercise):
        flash(f"Submitted for review ({submission.score}/100). It counts as passed once your coach accepts it.",
              "success")
    elif submission.passed:
        flash(f"Handed in ({submission.score}/100): the exercise counts as passed. Your coach will review it.",
              "success")
    else:
        flash(f"Handed in for review ({submission.score}/100). It counts once a run passes: keep improving and "
              "hand in again.", "info")
    return redirect(url_for("practice.run_show", run_id=submission.run_id))


@bp.get("/runs/<int:run_id>")
@login_required
def run_show(run_id: int):
    """One of your past runs: score, findings, and your coach's review if you handed it in."""
    run = run_or_404(current_user, _org(), run_id)
    page = run_page(current_user, g.org, run)
    db.session.commit()  # notifications about this review are now read
    return render_template("practice/run.html", page=page)


@bp.get("/reviews")
@role_required("coach")
def reviews():
    """Submissions from the learners in the cohorts you coach, newest first."""
    status = request.args.get("status", "awaiting")
    status = status if status in REVIEW_STATUS_LABELS else "all"
    found = review_queue_page(current_user, g.org, None if status == "all" else status,
                              request.args.get("page", 1, type=int))
    return render_template("practice/reviews.html", found=found, status=status,
                           counts=coach_counts(current_user, g.org))


@bp.route("/reviews/<int:submission_id>", methods=["GET", "POST"])
@role_required("coach")
def review_show(submission_id: int):
    """A learner's submission: comment on it and on its findings, and accept it or ask for changes."""
    submission = review_or_404(current_user, g.org, submission_id)
    page = review_page(g.org, submission)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            note = review(current_user, g.org, submission, comment=form.comment.data,
                          finding_comments=parse_finding_comments(request.form, len(page.run.findings)),
                          decision=form.decision.data)
        except PracticeError as exc:
            form.comment.errors.append(str(exc))
        else:
            db.session.commit()
            emailed = email_review(note, url_for("practice.run_show", run_id=submission.run_id, _external=True))
            flash(f"Review saved. {page.learner.name} {'has been emailed and ' if emailed else ''}will see it on "
                  "their dashboard.", "success")
            return redirect(url_for("practice.reviews"))
    return render_template("practice/review.html", page=page, form=form)


@bp.get("/submissions/<int:submission_id>/artefact")
@login_required
def artefact_download(submission_id: int):
    """What a passed submission gives the learner to take back to work (for them, their coach, admins, managers)."""
    submission, exercise = artefact_or_404(current_user, _org(), submission_id)
    path = artefact_file(submission, exercise)
    return send_file(io.BytesIO(path.read_bytes()), mimetype=MEDIA_TYPES[exercise.artefact["format"]],
                     as_attachment=True, download_name=download_name(submission, exercise), max_age=0)


@bp.get("/workspace/handoffs/<int:handoff_id>/brief.pdf")
@login_required
def handoff_pdf(handoff_id: int):
    """A one-page A4 brief of a handoff for the seller who follows it up."""
    brief = handoff_brief(current_user, _org(), handoff_id)
    html = render_template("practice/pdf/handoff_brief.html", brief=brief)
    pdf = render_pdf(html, title=f"Handoff brief: {brief.account}", author=current_user.name)
    note_brief_exported(current_user, g.org, brief)
    db.session.commit()
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="handoff-{brief.id}-brief.pdf"'})
