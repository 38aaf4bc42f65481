"""Rendering a certificate's PDF (WeasyPrint, A4 landscape, embedded fonts) from its template and values."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import segno
from flask import current_app, render_template

from lms import pdf
from lms.certificates import validity
from lms.certificates.cards import card
from lms.certificates.models import Certificate
from lms.identity.models import Organization

FONT_DIR = pdf.static_path("fonts")
PDF_TEMPLATE = "certificates/pdf/certificate.html"


def _logo(org: Organization) -> str | None:
    """Return the organisation's logo as a /static/ URL if it names a file under static/, else None."""
    rel = (org.logo_path or "").strip().lstrip("/").removeprefix("static/")
    if not rel:
        return None
    path = pdf.static_path(rel).resolve()
    if not path.is_file() or not path.is_relative_to(pdf.STATIC):
        return None
    return "/static/" + path.relative_to(pdf.STATIC).as_posix()


def pdf_context(certificate: Certificate) -> dict:
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
        "org_logo": _logo(org),
    }


_template_digests: dict[tuple[str, int, int], str] = {}


def template_digest() -> str:
    """Return the SHA-256 of the PDF template's source, re-read only when the file changes (one stat per
    call)."""
    template = current_app.jinja_env.get_template(PDF_TEMPLATE)
    if template.filename is None:  # not loaded from a file: hash the source each time
        env = current_app.jinja_env
        return hashlib.sha256(env.loader.get_source(env, PDF_TEMPLATE)[0].encode()).hexdigest()
    stat = os.stat(template.filename)
    key = (template.filename, stat.st_mtime_ns, stat.st_size)
    if key not in _template_digests:
        _template_digests[key] = hashlib.sha256(Path(template.filename).read_bytes()).hexdigest()
    return _template_digests[key]


def qr_data_uri(url: str) -> str:
    """Return a QR code for `url` as a PNG data: URI (error correction M, no quiet zone: the page's margin is
    one). PNG rather than SVG: WeasyPrint draws an SVG QR code path by path, several times slower."""
    return segno.make(url, error="m", micro=False).png_data_uri(scale=10, border=0, dark="#111827")


def render_certificate(certificate: Certificate, context: dict | None = None) -> bytes:
    """Render the certificate's PDF (A4 landscape) and return its bytes; stores nothing."""
    context = context or pdf_context(certificate)
    html = render_template(PDF_TEMPLATE, qr=qr_data_uri(context["verify_url"]), **context)
    return pdf.render_pdf(html, title=f"{context['course_title']}: certificate for {context['holder_name']}",
                          author=context["site_name"])
