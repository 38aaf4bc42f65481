"""The REST API's blueprint: /api/openapi.json, generated from the operations below, and the read operations
under /api/v1 for the API token's organisation."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, url_for

from lms.api import accounts, assignments, certificates, enrolments, figures
from lms.api.http import PREFIX, init_blueprint, operation, page, spec
from lms.api.params import (
    AccountQuery,
    AssignmentQuery,
    CertificateQuery,
    CompletionQuery,
    EnrolmentQuery,
    ProgressQuery,
    ReportQuery,
)
from lms.api.schemas import (
    AdoptionFigures,
    AssignmentPage,
    CapabilityFigures,
    CertificatePage,
    CompletionFigures,
    CompletionPage,
    EnrolmentPage,
    ProgressPage,
    WorkspaceAccountPage,
)
from lms.database import utcnow

bp = Blueprint("api", __name__, url_prefix=PREFIX)
init_blueprint(bp)


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API, generated from the code."""
    return jsonify(spec.spec)


@bp.get("/v1/enrolments")
@operation(EnrolmentQuery, EnrolmentPage, operation_id="listEnrolments", tag="Learning")
def enrolments_list(query: EnrolmentQuery):
    """Enrolments

    Every enrolment of your organisation (withdrawn ones too) with its learner, course, cohort, state, due date and
    dates, oldest first."""
    items, total = enrolments.enrolments(g.api_org_id, query, utcnow())
    return page(EnrolmentPage, items, total, query)


@bp.get("/v1/assignments")
@operation(AssignmentQuery, AssignmentPage, operation_id="listAssignments", tag="Learning")
def assignments_list(query: AssignmentQuery):
    """Assignments

    Courses assigned to a cohort or to named people with a due date, soonest due first, with how many learners
    each has, how many completed and how many are overdue."""
    items, total = assignments.assignments(g.api_org_id, query, utcnow())
    return page(AssignmentPage, items, total, query)


@bp.get("/v1/progress")
@operation(ProgressQuery, ProgressPage, operation_id="listProgress", tag="Learning")
def progress_list(query: ProgressQuery):
    """Progress

    Each learner's progress in each course they are enrolled in: modules done of the course's modules, percent,
    knowledge-check scores and last activity."""
    items, total = enrolments.progress(g.api_org_id, query)
    return page(ProgressPage, items, total, query)


@bp.get("/v1/completions")
@operation(CompletionQuery, CompletionPage, operation_id="listCompletions", tag="Learning")
def completions_list(query: CompletionQuery):
    """Completions

    Completed courses, in the order they were completed, whether on time, and the certificate issued for each."""
    items, total = enrolments.completions(g.api_org_id, query)
    return page(CompletionPage, items, total, query)


@bp.get("/v1/certificates")
@operation(CertificateQuery, CertificatePage, operation_id="listCertificates", tag="Certificates")
def certificates_list(query: CertificateQuery):
    """Certificates

    Certificates issued to your organisation's learners: code, holder, course, issue and expiry dates, state and
    the public verification URL."""
    items, total = certificates.certificates(g.api_org_id, query, utcnow(), _verify_url)
    return page(CertificatePage, items, total, query)


def _verify_url(code: str) -> str:
    return url_for("certificates.verify", code=code, _external=True)


@bp.get("/v1/workspace-accounts")
@operation(AccountQuery, WorkspaceAccountPage, operation_id="listWorkspaceAccounts", tag="Workspaces")
def workspace_accounts_list(query: AccountQuery):
    """Workspace accounts

    The target accounts in your organisation's team workspaces, with tier, owners, ICP fit and sales' verdict."""
    items, total = accounts.workspace_accounts(g.api_org_id, query)
    return page(WorkspaceAccountPage, items, total, query)


@bp.get("/v1/reports/completion")
@operation(ReportQuery, CompletionFigures, operation_id="getCompletionFigures", tag="Reports")
def completion_figures(query: ReportQuery):
    """Completion figures

    Enrolments not started, in progress, completed and overdue, and the completion rate: in total, per cohort and
    per course; and how many laggards there are."""
    return figures.completion_figures(figures.report_filters(g.api_org_id, query, utcnow()))


@bp.get("/v1/reports/capability")
@operation(ReportQuery, CapabilityFigures, operation_id="getCapabilityFigures", tag="Reports")
def capability_figures(query: ReportQuery):
    """Capability figures

    Per competency: pre- and post-assessment scores, uplift, knowledge and applied scores, the knowledge-action
    gap and the coach rating, averaged over the learners."""
    return figures.capability_figures(figures.report_filters(g.api_org_id, query, utcnow()))


@bp.get("/v1/reports/adoption")
@operation(ReportQuery, AdoptionFigures, operation_id="getAdoptionFigures", tag="Reports")
def adoption_figures(query: ReportQuery):
    """Adoption figures

    The adoption funnel, weekly and monthly active learners, tool usage, figures per job function and the number
    of laggards."""
    return figures.adoption_figures(figures.report_filters(g.api_org_id, query, utcnow()))
