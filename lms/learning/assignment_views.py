"""Managers' assignments: assign a course with a due date to a cohort or to people found by name or email, move
or withdraw it. Lists come a page at a time, so the pages stay small in an organisation of 10,000 people.

The people chosen travel in the page itself, with no JavaScript and no state on the server: the search form (GET)
and the assignment form (POST) carry them as hidden `user_ids`, with what was typed in the assignment form, and
the list's page links carry them in the address.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from lms.database import utcnow
from lms.extensions import db
from lms.forms import EmptyForm, choices
from lms.identity import services as identity_services
from lms.learning import assignments as assigning
from lms.learning.blueprint import bp
from lms.learning.forms import MAX_CHOSEN, AssignForm, DueDateForm, PeopleSearch
from lms.learning.progress import due_state
from lms.templating import datetime_local, to_local, user_zone
from lms.tenancy import role_required


def _page_number() -> int:
    return max(1, request.args.get("page", type=int) or 1)


def _assign_form() -> AssignForm:
    # A GET fills the form from the address: the people chosen and what was typed travel there between searches.
    form = AssignForm(zone=user_zone(), **({} if request.method == "POST" else {"formdata": request.args}))
    form.course_id.choices = choices((c.id, c.title) for c in assigning.assignable_courses(g.org))
    return form


def _assign_to_choices(cohorts: list[tuple[int, str]], chosen: int) -> list:
    named = f"The people you chose ({chosen})" if chosen else "Named people (find and choose them first)"
    return choices([(0, named), *cohorts])


@bp.route("/manage/assignments", methods=["GET", "POST"])
@role_required("manager")
def assignments():
    """Assign a course with a due date to a cohort or to people found by searching; the assignments, paged."""
    form = _assign_form()
    if form.validate_on_submit():
        cohort = assigning.cohort_or_404(g.org.id, form.cohort_id.data) if form.cohort_id.data else None
        people = [] if cohort else assigning.people_or_404(g.org.id, form.user_ids.data)
        course = assigning.course_or_404(g.org, form.course_id.data)
        outcome = assigning.assign(g.org, course, form.due_at, current_user, cohort=cohort, people=people)
        db.session.commit()
        flash(assigning.outcome_message(outcome, datetime_local(outcome.assignment.due_at)), "success")
        return redirect(url_for("learning.assignments"))
    cohorts = [(c.id, c.name) for c in identity_services.cohorts_of(g.org.id)]
    search = PeopleSearch(request.args, cohorts)
    chosen_ids, capped = search.choose(form.user_ids.data)
    chosen = assigning.chosen_people(g.org.id, chosen_ids)
    form.cohort_id.choices = _assign_to_choices(cohorts, len(chosen))
    results = (assigning.search_people(g.org.id, search.q.data, search.results_page, search.in_cohort.data)
               if search.active else None)
    return render_template("learning/assignments.html", form=form, search=search, chosen=chosen, results=results,
                           capped=capped, max_chosen=MAX_CHOSEN, state=_state(search, results, form, chosen),
                           rows=assigning.assignment_rows(g.org.id, utcnow(), search.list_page.data))


def _state(search: PeopleSearch, results: assigning.Page | None, form: AssignForm, chosen: list) -> dict:
    """What the assignments page shows, as the arguments of its address: every form and link carries it on."""
    return {"q": search.q.data if search.active else None, "in_cohort": search.in_cohort.data or None,
            "page": results.page if results else None, "list_page": search.list_page.data if search.list_page.data > 1
            else None, **form.typed(), "user_ids": [person.id for person in chosen]}


@bp.route("/manage/assignments/<int:assignment_id>", methods=["GET", "POST"])
@role_required("manager")
def assignment_edit(assignment_id: int):
    """Move an assignment's due date (an extension, usually) and see how its learners are doing, a page at a time."""
    assignment = assigning.assignment_or_404(g.org.id, assignment_id)
    local = to_local(assignment.due_at)
    form = DueDateForm(zone=user_zone(), due_date=local.date(), due_time=local.time())
    if form.validate_on_submit():
        changed = assigning.reschedule(assignment, form.due_at, current_user)
        db.session.commit()
        flash(f"Due date moved to {datetime_local(assignment.due_at)} for {changed} learner(s).", "success")
        return redirect(url_for("learning.assignments"))
    now = utcnow()
    counts = assigning.assignment_counts(assignment, now)
    return render_template("learning/assignment_edit.html", form=form, assignment=assignment, counts=counts,
                           learners=assigning.assignment_learners(assignment, _page_number(), counts.learners),
                           now=now, due_state=due_state, withdraw=EmptyForm())


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
