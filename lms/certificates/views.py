"""Certificates: your certificates, cohort certificates and ZIPs, public verification, Open Badges documents,
and revocation and reissue for platform admins."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_login import current_user, login_required

# issuing and revocation subscribe to learning's and identity's signals when imported: the blueprint imports
# them so they are connected whenever an app is created.
from lms.certificates import (
    access,
    badge_hosting,
    badges,
    cards,
    issuing,
    jobs,
    revocation,
    sharing,
    storage,
)
from lms.certificates.forms import ReasonForm
from lms.extensions import db, limiter
from lms.tenancy import platform_admin_required, role_required

bp = Blueprint("certificates", __name__)


def _verify_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def _badge_response(doc: dict, status: int = 200) -> Response:
    """JSON-LD by default; plain JSON when that is all the client accepts (Open Badges 2.0, "Setting
    Content-Type")."""
    accepted = request.accept_mimetypes
    mimetype = badges.JSON_LD
    if accepted and accepted.best_match([badges.JSON_LD, "application/json"]) == "application/json":
        mimetype = "application/json"
    response = Response(badges.to_json(doc), status=status, mimetype=mimetype)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _svg_response(svg: str, status: int = 200) -> Response:
    response = Response(svg, status=status, mimetype="image/svg+xml")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/certificates")
@login_required
def mine():
    """Your certificates: download, share, add to LinkedIn; cohort certificates for managers and coaches."""
    return render_template("certificates/mine.html", cards=cards.mine(current_user),
                           cohorts=access.cohorts_for(current_user, g.org))


@bp.app_template_global()
def my_certificates() -> dict[int, cards.Card]:
    """The signed-in user's certificates by enrolment id, for the dashboard's completed courses (one query)."""
    if not current_user.is_authenticated:
        return {}
    return {card.certificate.enrolment_id: card for card in cards.mine(current_user)}


@bp.get("/certificates/<code>.pdf")
def download(code: str):
    """The certificate's PDF: the stored file (rendered on the first download only), with an ETag so a repeat
    download answers 304; sent by the proxy when USE_X_SENDFILE is set.

    Signed in as login_required would have it, but without the user loader's ORM user: one query reads the
    session's reader and the certificate they may have (access.downloadable_or_404). A browser whose session is
    not open goes through Flask-Login (a remember-me cookie signs it in again), else to the sign-in page."""
    certificate = access.downloadable_or_404(code, session)
    if certificate is None:
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        certificate = access.downloadable_or_404(code, session)  # the remember-me cookie opened a session
        if certificate is None:
            abort(404)
    path, name = storage.download_file(certificate)
    response = send_file(path, mimetype="application/pdf", as_attachment=True, download_name=name, conditional=True,
                         etag=True, max_age=0)
    # Kept by the browser but checked with us every time: a revoked certificate must stop downloading. (Written as
    # a header: setting `response.cache_control.private` parsed and wrote the header again.)
    response.headers["Cache-Control"] = "private, no-cache, max-age=0"
    return response


@bp.get("/certificates/cohorts/<int:cohort_id>")
@role_required("manager", "coach")
def cohort(cohort_id: int):
    """A cohort's certificates, for its organisation's managers and its coaches."""
    row = access.visible_cohort_or_404(cohort_id, current_user)
    shown = [cards.card(c) for c in access.cohort_certificates(row)]
    return render_template("certificates/cohort.html", cohort=row, cards=shown)


@bp.get("/certificates/cohorts/<int:cohort_id>/certificates.zip")
@role_required("manager", "coach")
def cohort_zip(cohort_id: int):
    """All of a cohort's valid and expired certificates as one ZIP of PDFs."""
    row = access.visible_cohort_or_404(cohort_id, current_user)
    members = storage.zip_members(row)
    missing = storage.missing_pdfs(members)
    if missing and (job := jobs.render_later(row, [c.id for c in missing], current_user)) is not None:
        return redirect(url_for("jobs.show", job_id=job.id))  # its page shows the progress, then the ZIP
    response = send_file(storage.zip_of(members), mimetype="application/zip", as_attachment=True,
                         download_name=sharing.file_name(row.name, "certificates", suffix=".zip"))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/verify/<code>")
@limiter.limit(_verify_limit)
def verify(code: str):
    """Public: is this certificate valid, expired or revoked?"""
    certificate = access.by_code(code)
    if certificate is None:
        return render_template("certificates/not_found.html"), 404
    return render_template("certificates/verify.html", card=cards.card(certificate))


@bp.get("/badges/issuer.json")
def badge_issuer():
    """Open Badges 2.0 Issuer Profile."""
    return _badge_response(badge_hosting.issuer_doc())


@bp.get("/badges/classes/<slug>.json")
def badge_class(slug: str):
    """Open Badges 2.0 BadgeClass for a course that awards certificates."""
    return _badge_response(badge_hosting.badge_class_doc(badge_hosting.badge_course_or_404(slug)))


@bp.get("/badges/classes/<slug>.svg")
def badge_class_image(slug: str):
    """The course's badge image."""
    return _svg_response(badge_hosting.badge_class_svg(badge_hosting.badge_course_or_404(slug)))


@bp.get("/badges/assertions/<code>.json")
@limiter.limit(_verify_limit)
def badge_assertion(code: str):
    """Open Badges 2.0 hosted Assertion: 200, or 410 Gone with the revocation when revoked."""
    return _badge_response(*badge_hosting.assertion_doc(access.by_code_or_404(code)))


@bp.get("/badges/assertions/<code>.svg")
@limiter.limit(_verify_limit)
def badge_assertion_image(code: str):
    """The badge image baked with this assertion (its URL and JSON), to upload to a backpack."""
    svg, status = badge_hosting.baked_svg(access.by_code_or_404(code))
    response = _svg_response(svg, status)
    if status == 200 and request.args.get("download"):
        response.headers["Content-Disposition"] = "attachment; filename=badge.svg"
    return response


@bp.get("/platform/certificates")
@platform_admin_required
def admin():
    """Platform admins: find a certificate by code, holder name or email."""
    query = request.args.get("q", "")
    return render_template("certificates/admin.html", query=query, rows=access.search(query))


@bp.get("/platform/certificates/<code>")
@platform_admin_required
def admin_show(code: str):
    """Platform admins: one certificate, with revoke and reissue."""
    certificate = access.by_code_or_404(code)
    return render_template("certificates/admin_show.html", card=cards.card(certificate),
                           revoke_form=ReasonForm(prefix="revoke"), reissue_form=ReasonForm(prefix="reissue"))


@bp.post("/platform/certificates/<code>/revoke")
@platform_admin_required
def revoke(code: str):
    """Revoke a certificate, with a reason shown on its verification page."""
    certificate = access.by_code_or_404(code)
    form = ReasonForm(prefix="revoke")
    if not form.validate_on_submit():
        return render_template("certificates/admin_show.html", card=cards.card(certificate), revoke_form=form,
                               reissue_form=ReasonForm(prefix="reissue", formdata=None)), 400
    try:
        revocation.revoke(certificate, current_user, form.reason.data)
    except issuing.CertificateError as exc:
        flash(str(exc).capitalize() + ".", "error")
    else:
        db.session.commit()
        flash("Certificate revoked. Its verification page and badge now say so.", "success")
    return redirect(url_for("certificates.admin_show", code=code))


@bp.post("/platform/certificates/<code>/reissue")
@platform_admin_required
def reissue(code: str):
    """Replace a certificate with a new one (new code); the old code shows it was replaced."""
    certificate = access.by_code_or_404(code)
    form = ReasonForm(prefix="reissue")
    if not form.validate_on_submit():
        return render_template("certificates/admin_show.html", card=cards.card(certificate), reissue_form=form,
                               revoke_form=ReasonForm(prefix="revoke", formdata=None)), 400
    try:
        new = revocation.reissue(certificate, current_user, form.reason.data)
    except issuing.CertificateError as exc:
        flash(str(exc).capitalize() + ".", "error")
        return redirect(url_for("certificates.admin_show", code=code))
    db.session.commit()
    flash("Certificate reissued with a new code. The old code now shows it was replaced.", "success")
    return redirect(url_for("certificates.admin_show", code=new.code))

