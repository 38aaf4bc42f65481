"""Manager reports: completion, learner drill-down, capability, adoption, ROI, the provider's workshop sessions, and
their CSV and PDF exports."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms import jobs
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import User
from lms.pdf import render_pdf
from lms.reports import exports, formatting
from lms.reports.completion import STATUS_LABELS
from lms.reports.costs import costs_for, save_costs
from lms.reports.filters import Filters
from lms.reports.forms import FilterForm, RoiInputsForm
from lms.reports.queries.adoption import adoption_report
from lms.reports.queries.capability import capability_report, competency_names
from lms.reports.queries.completion import completion_report
from lms.reports.queries.learner import learner_detail
from lms.reports.queries.roi import roi_report
from lms.reports.queries.scope import cohort_or_404, cohorts
from lms.reports.queries.tools import exercise_titles
from lms.reports.queries.workshops import workshop_report
from lms.tenancy import has_role, org_id, role_required
from lms.tracking.services import record

bp = Blueprint("reports", __name__, url_prefix="/reports")

TITLES = {"completion": "Completion", "capability": "Capability", "adoption": "Adoption and tool usage",
          "roi": "Return on investment"}
PDF_TIMEOUT = 15 * 60  # seconds a worker may spend on one report PDF
PDF_STYLESHEET = "css/reports-pdf.css"  # under static/: parsed once per process (lms.pdf.stylesheet), not per PDF
TABLES = {"completion": exports.completion_tables, "capability": exports.capability_tables,
          "adoption": exports.adoption_tables, "roi": exports.roi_tables}


@bp.context_processor
def _helpers() -> dict:
    return {"fmt": formatting, "report_titles": TITLES, "status_labels": STATUS_LABELS}


def _record_view(user, org: int, report: str, title: str, *, verb: str = "viewed", result: dict | None = None):
    """Record that `user` viewed (or exported) a report; the caller commits."""
    record(user, verb, ("report", report, title), result, organization_id=org)


def _filters() -> tuple[FilterForm, Filters]:
    """Validate the filter form from the query string; on errors keep them on the form and use the defaults."""
    now = utcnow()
    choices = cohorts(org_id())
    wanted = request.args.get("cohort", "")
    if wanted.isdigit() and int(wanted) not in {c.id for c in choices}:
        abort(404)  # another organisation's cohort: not revealed
    form = FilterForm(request.args, cohorts=choices, today=now.date())
    f = Filters(org_id(), now)
    if form.validate():
        f = Filters(org_id(), now, cohort_id=int(form.cohort.data) if form.cohort.data else None,
                    start=form.start.data, end=form.end.data, function=form.function.data or None,
                    status=form.status.data or None, sort=form.sort.data or "name",
                    descending=form.order.data == "desc", page=form.page.data or 1, weeks=form.weeks.data or 4)
    return form, f


def _build(report: str, f: Filters, *, full: bool = False):
    if report == "completion":
        return completion_report(f, full=full)
    if report == "capability":
        return capability_report(f)
    if report == "adoption":
        return adoption_report(f, exercise_titles(), full=full)
    if report == "roi":
        return roi_report(f)
    abort(404)


def _page(report: str):
    form, f = _filters()
    built = _build(report, f)
    _record_view(current_user, f.org_id, report, TITLES[report])
    db.session.commit()
    return render_template(f"reports/{report}.html", report=built, form=form, name=report, now=f.now)


@bp.get("")
@role_required("manager")
def index():
    """The reports, with the most urgent next steps from the completion report."""
    form, f = _filters()
    built = completion_report(f)
    workshops = _workshops(f.org_id, form, f.now) if g.org.kind == "public" else None
    _record_view(current_user, f.org_id, "index", "Reports")
    db.session.commit()
    return render_template("reports/index.html", report=built, form=form, name="index", now=f.now,
                           workshops=workshops)


def _workshops(organization_id: int | None, form: FilterForm, now):
    """The workshop sessions report for the filter form's period (the default period when the form has errors)."""
    start, end = (form.start.data, form.end.data) if not form.errors else (None, None)
    since = datetime.combine(start, time.min) if start else None
    until = datetime.combine(end + timedelta(days=1), time.min) if end else None
    return workshop_report(organization_id, since, until, now)


def _workshop_scope() -> int | None:
    """Whose sessions the signed-in person may see: every provider's for a platform admin (None), their own for a
    manager of the provider's public organisation; 404 for anyone else (a client's manager included)."""
    if current_user.is_platform_admin:
        return None
    if g.org is not None and g.org.kind == "public" and "manager" in g.roles:
        return g.org.id
    abort(404)


@bp.get("/workshops")
@login_required
def workshops():
    """Workshop sessions: seats, waiting lists and sign-in sheets per session, fill and no-show rates."""
    scope, now = _workshop_scope(), utcnow()
    form = FilterForm(request.args, today=now.date())
    form.validate()
    report = _workshops(scope, form, now)
    _record_view(current_user, scope, "workshops", "Workshop sessions")
    db.session.commit()
    return render_template("reports/workshops.html", workshops=report, period_form=form, form=None,
                           name="workshops", now=now)


@bp.get("/workshops.csv")
@login_required
def workshops_csv():
    """Download the workshop sessions (every row) as CSV."""
    scope, now = _workshop_scope(), utcnow()
    form = FilterForm(request.args, today=now.date())
    form.validate()
    table = exports.workshop_tables(_workshops(scope, form, now))["sessions"]
    _record_view(current_user, scope, "workshops", "Workshop sessions", verb="exported", result={"format": "csv"})
    db.session.commit()
    return Response(exports.csv_bytes(table.headers, table.rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="workshop-sessions-{now:%Y-%m-%d}.csv"'})


@bp.get("/completion")
@role_required("manager")
def completion():
    """Completion per organisation, cohort and course; the learner table; laggards."""
    return _page("completion")


@bp.get("/capability")
@role_required("manager")
def capability():
    """Team x competency heatmaps, uplift, and knowledge-action gaps."""
    return _page("capability")


@bp.get("/adoption")
@role_required("manager")
def adoption():
    """The adoption funnel, active learners, tool usage, sales vs marketing, laggards and A-players."""
    return _page("adoption")


@bp.get("/roi")
@role_required("manager")
def roi():
    """ROI of a cohort's programme with every input and assumption shown."""
    return _page("roi")


@bp.get("/learners/<int:user_id>")
@role_required("manager")
def learner(user_id: int):
    """One learner: enrolments, progress, last activity, capability and their statements."""
    now = utcnow()
    detail = learner_detail(org_id(), user_id, now)
    _record_view(current_user, org_id(), "learner", f"Learner: {detail.user.name}")
    db.session.commit()
    return render_template("reports/learner.html", detail=detail, now=now, name="learner",
                           names=competency_names())


@bp.get("/learners/<int:user_id>/<table>.csv")
@role_required("manager")
def learner_csv(user_id: int, table: str):
    """Download one table of a learner's drill-down (their latest 1,000 statements for the activity)."""
    detail = learner_detail(org_id(), user_id, utcnow(), timeline=1000)
    tables = exports.learner_tables(detail, competency_names())
    if table not in tables:
        abort(404)
    _record_view(current_user, org_id(), "learner", f"Learner: {detail.user.name}", verb="exported",
                 result={"format": "csv", "table": table})
    db.session.commit()
    data = tables[table]
    return Response(exports.csv_bytes(data.headers, data.rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="learner-{user_id}-{table}.csv"'})


@bp.route("/roi/<int:cohort_id>/inputs", methods=["GET", "POST"])
@role_required("manager")
def roi_inputs(cohort_id: int):
    """Enter a cohort's programme costs and ROI assumptions."""
    cohort = cohort_or_404(org_id(), cohort_id)
    saved = costs_for(org_id(), cohort.id)
    form = RoiInputsForm(obj=saved if request.method == "GET" else None, cohort_id=cohort.id,
                         cohorts=cohorts(org_id()))
    if request.method == "GET" and saved is not None and saved.comparison_cohort_id:
        form.comparison_cohort.data = str(saved.comparison_cohort_id)
    if form.validate_on_submit():
        save_costs(org_id(), cohort.id, form.values(), current_user)
        db.session.commit()
        flash(f"Programme costs for {cohort.name} saved.", "success")
        return redirect(url_for("reports.roi", cohort=cohort.id))
    return render_template("reports/roi_inputs.html", form=form, cohort=cohort, name="roi")


@bp.get("/<report>/<table>.csv")
@role_required("manager")
def export_csv(report: str, table: str):
    """Download one table of a report as CSV (every row, not just the page shown)."""
    if report not in TABLES:
        abort(404)
    _, f = _filters()
    tables = TABLES[report](_build(report, f, full=True))
    if table not in tables:
        abort(404)
    _record_view(current_user, f.org_id, report, TITLES[report], verb="exported",
                 result={"format": "csv", "table": table})
    db.session.commit()
    data = tables[table]
    filename = f"{g.org.slug}-{report}-{table}-{f.end_date:%Y-%m-%d}.csv"
    return Response(exports.csv_bytes(data.headers, data.rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/<report>.pdf")
@role_required("manager")
def export_pdf(report: str):
    """The PDF's page for an old link or a bookmark: the filters checked, a button that prepares the PDF."""
    if report not in TABLES:
        abort(404)
    _filters()  # another organisation's cohort answers 404 here too
    return render_template("reports/pdf_request.html", name=report, title=TITLES[report])


@bp.post("/<report>/pdf")
@role_required("manager")
def pdf_request(report: str):
    """Prepare a report's PDF as a background job (with these filters) and show its progress, then the file."""
    if report not in TABLES:
        abort(404)
    _, f = _filters()
    _record_view(current_user, f.org_id, report, TITLES[report], verb="exported", result={"format": "pdf"})
    job = jobs.enqueue(pdf_job, kind="report-pdf", title=f"{TITLES[report]} report (PDF)", organization_id=f.org_id,
                       user_id=current_user.id, role="manager",
                       args={"report": report, "query": request.query_string.decode()},
                       back_url=url_for(f"reports.{report}", **request.args.to_dict()), timeout=PDF_TIMEOUT)
    return redirect(url_for("jobs.show", job_id=job.id), 303)


def pdf_job(run: jobs.JobRun) -> str:
    """Job: render a report's PDF as its requester asked for it (their organisation, their filters) and store it;
    returns what it shows. Raises JobFailed when they are no longer a manager there."""
    report, query = run.args["report"], run.args["query"]
    run.progress(0, 2, "Gathering the figures")
    user = db.session.get(User, run.user_id) if run.user_id else None
    with jobs.as_requester(user, run.organization_id, f"/reports/{report}.pdf", query):
        if not has_role("manager"):
            raise jobs.JobFailed("Only the organisation's managers can have its reports.")
        form, f = _filters()
        html = render_template("reports/pdf.html", report=_build(report, f), form=form, name=report, now=f.now,
                               pdf=True, title=TITLES[report])
        run.progress(1, 2, "Drawing the PDF")
        pdf = render_pdf(html, title=f"{TITLES[report]}: {g.org.name}", author=g.org.name,
                         stylesheets=(PDF_STYLESHEET,))
        run.save_file(pdf, f"{g.org.slug}-{report}-{f.end_date:%Y-%m-%d}.pdf", "application/pdf")
        return f"{TITLES[report]}, {f.describe()}."
