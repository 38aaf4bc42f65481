"""The one PDF renderer (WeasyPrint) for certificates, handoff briefs and report exports.

Its URL fetcher serves only files under static/ and data: URLs; file:, http(s): and anything else is refused,
so a PDF can never read local files or reach the network whatever the HTML contains.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from lms.config import ROOT

STATIC = (ROOT / "static").resolve()
BASE_URL = "https://lms.invalid/"  # a fixed, unresolvable base: relative URLs become /static/... under it


class RefusedURL(ValueError):
    """A resource URL the PDF renderer will not fetch."""


def fetch(url: str, timeout: int = 10, ssl_context=None) -> dict:
    """WeasyPrint URL fetcher: data: URLs and files below static/ only."""
    from weasyprint.urls import default_url_fetcher

    if url.startswith("data:"):
        return default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.netloc == "lms.invalid" and parts.path.startswith("/static/"):
        path = (STATIC / unquote(parts.path.removeprefix("/static/"))).resolve()
        if path.is_file() and path.is_relative_to(STATIC):
            return {"file_obj": path.open("rb"), "filename": path.name}
    raise RefusedURL(f"refused to fetch {url!r} while rendering a PDF")


def render_pdf(html: str, *, title: str | None = None, author: str | None = None) -> bytes:
    """Render HTML (static assets referenced as /static/...) to PDF bytes, with title/author metadata."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetch).render()
    if title:
        document.metadata.title = title
    if author:
        document.metadata.authors = [author]
    return document.write_pdf()


def static_path(relative: str) -> Path:
    """Return the absolute path of a file under static/ (for tests and templates)."""
    return STATIC / relative
