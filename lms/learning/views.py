"""The learner's dashboard, catalogue, courses, modules and knowledge checks; managers' assignments."""

from __future__ import annotations

from pathlib import Path
from weakref import WeakKeyDictionary

from flask import (
    abort,
    current_app,
    flash,
    g,
    get_template_attribute,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup

from lms.content.outline import ModuleOutline
from lms.database import once_more_after_a_clash, utcnow
from lms.extensions import db
from lms.forms import EmptyForm
from lms.learning import (
    assignment_views,  # noqa: F401 - the managers' pages, on the same blueprint
    services,
)
from lms.learning.blueprint import bp
from lms.learning.progress import due_state

ASSET_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".pdf", ".csv", ".xlsx", ".docx", ".pptx"}


def _org():
    if g.org is None:
        abort(404)
    return g.org


@bp.get("/dashboard")
@login_required
def dashboard():
    """What to do next: due and overdue courses first, then in progress, then done."""
    items = services.dashboard(current_user, g.org) if g.org else []
    roles = g.roles if g.org else frozenset()
    work = services.role_work(g.org, roles, utcnow()) if g.org else {}
    return render_template("learning/dashboard.html", items=items, now=utcnow(), due_state=due_state, work=work,
                           is_learner="learner" in roles)


@bp.get("/courses")
@login_required
def catalogue():
    """The courses available to you."""
    return render_template("learning/catalogue.html", rows=services.catalogue(current_user, _org()))


@bp.get("/courses/<course>")
@login_required
def course_show(course: str):
    """A course: outcomes, modules, minutes left, progress and where to resume."""
    view = services.course_view(current_user, _org(), course)
    return render_template("learning/course.html", view=view, can_enrol=services.can_self_enrol(view.course))


@bp.post("/courses/<course>/enrol")
@login_required
@once_more_after_a_clash
def course_enrol(course: str):
    """Enrol yourself on a public course."""
    row = services.course_or_404(course, _org())
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not services.can_self_enrol(row):
        flash("Your manager assigns this course. Ask them to add you.", "info")
        return redirect(url_for("learning.course_show", course=course))
    services.enrol(current_user, row, g.org)
    db.session.commit()
    flash(f"You're enrolled on {row.title}. Start with the first module.", "success")
    return redirect(url_for("learning.course_show", course=course))


def _enrolled_view(course: str, module: str | None = None):
    view = services.course_view(current_user, _org(), course, module=module)
    if view.enrolment is None:
        abort(404)  # answers and progress belong to enrolled learners only
    return view


# Each module's options as list items, drawn once per module version: the same for every learner but for their
# order and which are checked. Drawing them on every view (six escaped values an option) was a fifth of the module
# page's template. Kept beside the module's cached outline: a content sync replaces the outline, which drops these.
_options_drawn: WeakKeyDictionary[ModuleOutline, dict[str, list[tuple[Markup, Markup]]]] = WeakKeyDictionary()


def drawn_options(module: ModuleOutline) -> dict[str, list[tuple[Markup, Markup]]]:
    """Return {question id: for each of its options, in the file's order, its list item (unchecked, checked with the
    option's feedback)} (templates/learning/_option.html). Drawn again on every view in debug mode, so an edited
    template shows at once."""
    drawn = None if current_app.debug else _options_drawn.get(module)
    if drawn is None:
        option = get_template_attribute("learning/_option.html", "option")
        drawn = {}
        for q in module.questions:
            kind = "radio" if q["type"] == "single" else "checkbox"
            drawn[q["id"]] = [(option(kind, q["id"], i, o, False), option(kind, q["id"], i, o, True))
                              for i, o in enumerate(q["options"])]
        _options_drawn[module] = drawn
    return drawn


@bp.get("/courses/<course>/<module>")
@login_required
@once_more_after_a_clash
def module_show(course: str, module: str):
    """A module: the lesson, its knowledge check, and previous/next. A plain re-read writes nothing."""
    view = _enrolled_view(course, module)
    current, answers = view.current, view.answers
    if services.launch(current_user, g.org, view, current):
        db.session.commit()
    return render_template("learning/module.html", view=view, module=current, answers=answers, grade=None,
                           graded_id=None, orders=services.option_orders(current_user, view, current),
                           options=drawn_options(current))


@bp.post("/courses/<course>/<module>/questions/<question_id>")
@login_required
@once_more_after_a_clash
def module_answer(course: str, module: str, question_id: str):
    """Check an answer on the server and show feedback for the options chosen and the explanation."""
    view = _enrolled_view(course)
    current = services.module_in(view, module)
    if not EmptyForm().validate_on_submit():
        abort(400)
    chosen = [int(v) for v in request.form.getlist("option") if v.isdigit()]
    grade = services.answer(current_user, g.org, view, current, question_id, chosen)
    db.session.commit()
    answers = services.answers_for(current_user, g.org, current)
    return render_template("learning/module.html", view=view, module=current, answers=answers, grade=grade,
                           graded_id=question_id, orders=services.option_orders(current_user, view, current),
                           options=drawn_options(current))


@bp.post("/courses/<course>/<module>/complete")
@login_required
@once_more_after_a_clash
def module_complete(course: str, module: str):
    """Mark the module complete and go to the next one."""
    view = _enrolled_view(course)
    current = services.module_in(view, module)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        finished_course = services.complete_module(current_user, g.org, view, current)
    except services.QuestionsUnanswered as exc:
        flash(f"Answer the check before you mark \u201c{current.title}\u201d complete: {exc}.", "error")
        return redirect(url_for("learning.module_show", course=course, module=module, _anchor="check"))
    db.session.commit()
    if finished_course:
        flash(f"You've completed {view.course.title}. Well done.", "success")
        return redirect(url_for("learning.course_show", course=course))
    following = next((m for m in view.modules if m.position > current.position), None)
    if following:
        flash(f"\u201c{current.title}\u201d completed. Next: {following.title}.", "success")
        return redirect(url_for("learning.module_show", course=course, module=following.slug))
    flash("Module completed. Check the course page for anything left to do.", "success")
    return redirect(url_for("learning.course_show", course=course))


@bp.get("/courses/<course>/assets/<path:path>")
@login_required
def course_asset(course: str, path: str):
    """An image or download from the course's folder (only known file types; no way out of the folder)."""
    services.course_or_404(course, _org())
    folder = Path(current_app.config["COURSES_DIR"]) / course
    if Path(path).suffix.lower() not in ASSET_TYPES:
        abort(404)
    response = send_from_directory(folder, path, max_age=3600)
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response
