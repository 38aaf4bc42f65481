"""Managers' assignments: assign a course with a due date to a cohort or named people, move or withdraw it."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_login import current_user

from lms.database import utcnow
from lms.extensions import db
from lms.forms import EmptyForm, choices
from lms.identity import services as identity_services
from lms.learning import assignments as assigning
from lms.learning.forms import AssignForm, DueDateForm
from lms.learning.progress import due_state
from lms.learning.views import bp
from lms.templating import datetime_local, to_local, user_zone
from lms.tenancy import role_required


def _assign_form() -> AssignForm:
    form = AssignForm(zone=user_zone())
    form.course_id.choices = choices((c.id, c.title) for c in assigning.assignable_courses(g.org))
    form.cohort_id.choices = choices([(0, "Named people (tick them below)")]
                                     + [(c.id, c.name) for c in identity_services.cohorts_of(g.org.id)])
    form.user_ids.choices = choices((u.id, f"{u.name} ({u.email})") for u in assigning.assignable_people(g.org.id))
    return form


@bp.route("/manage/assignments", methods=["GET", "POST"])
@role_required("manager")
def assignments():
    """Assign a course with a due date to a cohort or named people; the assignments with their counts."""
    form = _assign_form()
    if form.validate_on_submit():
        cohort = assigning.cohort_or_404(g.org.id, form.cohort_id.data) if form.cohort_id.data else None
        people = [] if cohort else assigning.people_or_404(g.org.id, form.user_ids.data)
        course = assigning.course_or_404(g.org, form.course_id.data)
        outcome = assigning.assign(g.org, course, form.due_at, current_user, cohort=cohort, people=people)
        db.session.commit()
        flash(assigning.outcome_message(outcome, datetime_local(outcome.assignment.due_at)), "success")
        return redirect(url_for("learning.assignments"))
    return render_template("learning/assignments.html", form=form,
                           rows=assigning.assignment_rows(g.org.id, utcnow()))


@bp.route("/manage/assignments/<int:assignment_id>", methods=["GET", "POST"])
@role_required("manager")
def assignment_edit(assignment_id: int):
    """Move an assignment's due date (an extension, usually) and see how each learner is doing."""
    assignment = assigning.assignment_or_404(g.org.id, assignment_id)
    local = to_local(assignment.due_at)
    form = DueDateForm(zone=user_zone(), due_date=local.date(), due_time=local.time())
    if form.validate_on_submit():
        changed = assigning.reschedule(assignment, form.due_at, current_user)
        db.session.commit()
        flash(f"Due date moved to {datetime_local(assignment.due_at)} for {changed} learner(s).", "success")
        return redirect(url_for("learning.assignments"))
    return render_template("learning/assignment_edit.html", form=form, assignment=assignment,
                           learners=assigning.assignment_learners(assignment), now=utcnow(), due_state=due_state,
                           withdraw=EmptyForm())


@bp.post("/manage/assignments/<int:assignment_id>/withdraw")
@role_required("manager")
def assignment_withdraw(assignment_id: int):
    """Withdraw an assignment: learners who haven't completed it are taken off the course."""
    assignment = assigning.assignment_or_404(g.org.id, assignment_id)
    if EmptyForm().validate_on_submit():
        withdrawn = assigning.withdraw(assignment, current_user)
        db.session.commit()
        flash(f"Assignment of {assignment.course.title} withdrawn: {withdrawn} learner(s) taken off the course; "
              "completions stay.", "info")
    return redirect(url_for("learning.assignments"))
