"""The one PDF renderer (WeasyPrint) for certificates, handoff briefs and report exports.

Its URL fetcher serves only files under static/ and data: URLs; file:, http(s): and anything else is refused,
so a PDF can never read local files or reach the network whatever the HTML contains.
"""

from __future__ import annotations

import base64
import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from lms.config import ROOT

STATIC = (ROOT / "static").resolve()
BASE_URL = "https://lms.invalid/"  # a fixed, unresolvable base: relative URLs become /static/... under it


class RefusedURL(ValueError):
    """A resource URL the PDF renderer will not fetch."""


def fetch(url: str, timeout: int = 10, ssl_context=None):
    """WeasyPrint URL fetcher: data: URLs and files below static/ only; raises RefusedURL for anything else.

    Decodes data: URLs itself and answers with WeasyPrint's URLFetcherResponse where it has one (68+), as
    WeasyPrint 69 deprecates both its default fetcher and dict answers.
    """
    if url.startswith("data:"):
        mime, body = _data_url(url)
        return _response(url, body, mime)
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.netloc == "lms.invalid" and parts.path.startswith("/static/"):
        path = (STATIC / unquote(parts.path.removeprefix("/static/"))).resolve()
        if path.is_file() and path.is_relative_to(STATIC):
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return _response(url, path.read_bytes(), mime)
    raise RefusedURL(f"refused to fetch {url!r} while rendering a PDF")


def _data_url(url: str) -> tuple[str, bytes]:
    """Return (media type, bytes) of an RFC 2397 data: URL."""
    header, comma, payload = url[len("data:"):].partition(",")
    if not comma:
        raise RefusedURL("malformed data: URL")
    params = header.split(";")
    mime = params[0] or "text/plain"
    if "base64" in params[1:]:
        return mime, base64.b64decode(unquote(payload))
    return mime, unquote_to_bytes(payload)


def _response(url: str, body: bytes, mime: str):
    try:
        from weasyprint.urls import URLFetcherResponse
    except ImportError:  # WeasyPrint before 68 wants a dict
        return {"string": body, "mime_type": mime, "redirected_url": url}
    return URLFetcherResponse(url, body, headers={"Content-Type": mime})


_local = threading.local()


def font_config():
    """Return this thread's WeasyPrint FontConfiguration, created once and reused.

    Reusing it loads each @font-face font (static/fonts) once per process instead of once per document, which
    halves the time a certificate takes. One per thread, because Pango's font maps are not thread-safe.
    """
    from weasyprint.text.fonts import FontConfiguration

    config = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
    return config


def render_pdf(html: str, *, title: str | None = None, author: str | None = None) -> bytes:
    """Render HTML (static assets referenced as /static/...) to PDF bytes, with title/author metadata.

    @font-face rules may load fonts from /static/fonts/; the system's fonts (fontconfig) fill in the rest.
    """
    from weasyprint import HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetch).render(font_config=font_config())
    if title:
        document.metadata.title = title
    if author:
        document.metadata.authors = [author]
    return document.write_pdf()


def static_path(relative: str) -> Path:
    """Return the absolute path of a file under static/ (for tests and templates)."""
    return STATIC / relative
