"""Rendering a certificate's PDF (WeasyPrint, A4 landscape, embedded fonts) from its template, its stylesheet
(parsed once per process) and its stored QR code."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from flask import current_app, render_template

from lms import pdf
from lms.certificates import qr, validity
from lms.certificates.batch import Printable, render
from lms.certificates.cards import card
from lms.certificates.models import Certificate
from lms.files import file_digest
from lms.identity.models import Organization

if TYPE_CHECKING:  # a download passes a row, not the ORM object
    from lms.certificates.access import CertificateRow, OrganizationRow

FONT_DIR = pdf.static_path("fonts")
PDF_TEMPLATE = "certificates/pdf/certificate.html"
STYLESHEET = "certificates/certificate.css"  # under static/


def logo_url(org: Organization | OrganizationRow) -> str | None:
    """Return the organisation's logo as a /static/ URL if it names a file under static/, else None."""
    rel = (org.logo_path or "").strip().lstrip("/").removeprefix("static/")
    if not rel:
        return None
    path = pdf.static_path(rel).resolve()
    if not path.is_file() or not path.is_relative_to(pdf.STATIC):
        return None
    return "/static/" + path.relative_to(pdf.STATIC).as_posix()


def pdf_context(certificate: Certificate | CertificateRow) -> dict:
    """Return the values the PDF template shows for this certificate (the stored file is keyed by them)."""
    org = certificate.organization
    shown = card(certificate)
    return {
        "site_name": current_app.config["SITE_NAME"],
        "holder_name": certificate.holder_name,
        "course_title": certificate.course_title,
        "hours": shown.hours,
        "competencies": list(certificate.competencies or []),
        "issued": validity.long_date(shown.issued),
        "expires": validity.long_date(shown.expires) if shown.expires else None,
        "verify_url": shown.verify_url,
        "code": certificate.code,
        "organization": org.name if org.kind == "client" else None,
        "org_logo": logo_url(org),
    }


def design_digest() -> str:
    """Return a SHA-256 of the PDF's design, its template and its stylesheet, each file re-read only when it
    changes (one stat per file and call): stored PDFs are keyed by it, so a new design renders them again."""
    template = current_app.jinja_env.get_template(PDF_TEMPLATE)
    if template.filename is None:  # not loaded from a file: hash the source each time
        env = current_app.jinja_env
        source = hashlib.sha256(env.loader.get_source(env, PDF_TEMPLATE)[0].encode()).hexdigest()
    else:
        source = file_digest(template.filename)
    return hashlib.sha256((source + file_digest(str(pdf.static_path(STYLESHEET)))).encode()).hexdigest()


def printable(certificate: Certificate | CertificateRow, context: dict | None = None) -> Printable:
    """Return the certificate's PDF as HTML (with its stored QR code), metadata and stylesheet, ready to render in
    this process or a worker (lms.certificates.batch)."""
    context = context or pdf_context(certificate)
    html = render_template(PDF_TEMPLATE, qr=qr.data_uri(certificate.code, context["verify_url"]), **context)
    return Printable(html=html, title=f"{context['course_title']}: certificate for {context['holder_name']}",
                     author=context["site_name"], stylesheets=(STYLESHEET,))


def render_certificate(certificate: Certificate | CertificateRow, context: dict | None = None) -> bytes:
    """Render the certificate's PDF and return its bytes; stores nothing but its QR code (if it had none)."""
    return render(printable(certificate, context))
