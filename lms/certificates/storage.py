"""Stored certificate PDFs: rendered once, kept under STORAGE_DIR keyed by what they show, served from the file;
batches rendered by recycled worker processes; ZIPs of a cohort's certificates."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from flask import current_app
from sqlalchemy import select

from lms.certificates import batch, paths, sharing
from lms.certificates.access import CertificateRow, cohort_certificates
from lms.certificates.batch import Printable
from lms.certificates.models import Certificate
from lms.certificates.rendering import design_digest, logo_url, pdf_context, printable, render_certificate
from lms.extensions import db
from lms.files import write_atomically
from lms.identity.models import Cohort
from lms.urls import site_url


def _fingerprint(context: dict) -> str:
    payload = json.dumps(context, sort_keys=True, ensure_ascii=False) + design_digest()
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _path_for(certificate: Certificate | CertificateRow, context: dict) -> Path:
    return paths.pdf_path(certificate.code, _fingerprint(context))


def stored_pdf(certificate: Certificate) -> Path | None:
    """Return the stored PDF showing the certificate as it is now, or None if it has not been rendered."""
    path = _path_for(certificate, pdf_context(certificate))
    return path if path.is_file() else None


# How many downloaded certificates' files an app keeps (_known_download), about a kilobyte each; then it starts afresh.
KNOWN_DOWNLOADS = 10_000


class Download(NamedTuple):
    """A downloaded certificate's stored PDF and the name the browser saves it as."""

    path: Path
    name: str


def _known_download(certificate: CertificateRow) -> Download:
    """Return the stored path and saved-as name of a downloaded certificate, worked out once per app for each version
    of it.

    The path is keyed by the PDF's values (pdf_context), and working them out was a tenth of a download's time.
    The key here is what those values are made of: the row (the certificate and its organisation, as the
    download's query read them), the site's address, the logo file and the PDF's design. A change to any of them is
    a new key, so the PDF is rendered again, as before. The site's name and the storage folder are the app's own
    settings, so they cannot change under the same app. The name comes from the row alone.
    """
    key = (certificate._replace(competencies=tuple(certificate.competencies or ())), site_url(),
           logo_url(certificate.organization), design_digest())
    known = current_app.extensions.setdefault("lms.certificate_downloads", {})
    download = known.get(key)
    if download is None:
        if len(known) >= KNOWN_DOWNLOADS:
            known.clear()
        download = known[key] = Download(_path_for(certificate, pdf_context(certificate)), download_name(certificate))
    return download


def _stored(path: Path, certificate: Certificate | CertificateRow, context: dict | None) -> Path:
    """Render and store the certificate's PDF at `path` unless it is there; older versions (before a name change)
    are removed."""
    if not path.is_file():
        write_atomically(path, render_certificate(certificate, context))
        paths.remove_other_versions(path, certificate.code)
    return path


def pdf_file(certificate: Certificate) -> Path:
    """Return the path of the certificate's stored PDF, rendering and storing it first if needed (once: later
    calls find the file)."""
    context = pdf_context(certificate)
    return _stored(_path_for(certificate, context), certificate, context)


def download_file(certificate: CertificateRow) -> Download:
    """Return a downloaded certificate's stored PDF (rendered and stored first if needed) and its saved-as name."""
    download = _known_download(certificate)
    _stored(download.path, certificate, None)  # a new PDF's render works its values out again
    return download


def missing_pdfs(certificates: Iterable[Certificate]) -> list[Certificate]:
    """Return those of `certificates` whose current PDF has not been rendered yet."""
    return [c for c in certificates if stored_pdf(c) is None]


def render_missing(certificate_ids: Sequence[int], *,
                   on_progress: Callable[[int, int], None] | None = None) -> int:
    """Render and store the PDFs of these certificates that are not stored yet, in recycled worker processes
    (lms.certificates.batch) when there are more than a few; returns how many were rendered. Older versions of
    the rendered ones are removed. `on_progress(done, total)` is called as each PDF is written.

    One call for a whole batch renders it fastest: each call with more than a few PDFs starts its workers afresh
    (about a third of a second each).
    """
    if not certificate_ids:
        return 0
    rows = db.session.scalars(select(Certificate).where(Certificate.id.in_(list(certificate_ids))))
    missing: list[tuple[str, Path, Printable]] = []
    for certificate in rows:
        context = pdf_context(certificate)
        path = _path_for(certificate, context)
        if not path.is_file():
            missing.append((certificate.code, path, printable(certificate, context)))
    total = len(missing)
    done = batch.render_all([(item, path) for _, path, item in missing],
                            on_done=(lambda count: on_progress(count, total)) if on_progress else None)
    for code, path, _ in missing:
        paths.remove_other_versions(path, code)
    return done.count


def download_name(certificate: Certificate | CertificateRow) -> str:
    """Return the file name a downloaded PDF is saved as."""
    return sharing.file_name(certificate.holder_name, certificate.course_title)


def zip_of(certificates: Sequence[Certificate]) -> io.BytesIO:
    """Return a ZIP of the certificates' stored PDFs (rendering any missing), one file per certificate."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            name = sharing.file_name(certificate.holder_name, certificate.course_title, certificate.code[:8])
            archive.write(pdf_file(certificate), arcname=name)
    buffer.seek(0)
    return buffer


def zip_members(cohort: Cohort) -> list[Certificate]:
    """Return the cohort's certificates that go into its ZIP: current ones that are not revoked."""
    return [c for c in cohort_certificates(cohort) if c.revoked_at is None]
