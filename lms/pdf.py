"""The one PDF renderer (WeasyPrint) for certificates, handoff briefs and report exports.

Its URL fetcher serves only files under static/ and data: URLs; file:, http(s): and anything else is refused,
so a PDF can never read local files or reach the network whatever the HTML contains.
"""

from __future__ import annotations

import base64
import gc
import logging
import mimetypes
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from lms.config import ROOT

STATIC = (ROOT / "static").resolve()
BASE_URL = "https://lms.invalid/"  # a fixed, unresolvable base: relative URLs become /static/... under it


class RefusedURL(ValueError):
    """A resource URL the PDF renderer will not fetch."""


def fetch(url: str, timeout: int = 10, ssl_context=None):
    """WeasyPrint URL fetcher: data: URLs and files below static/ only; raises RefusedURL for anything else.

    Decodes data: URLs itself and answers with WeasyPrint's URLFetcherResponse (its default fetcher and dict
    answers are deprecated since 69).
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
    from weasyprint.urls import URLFetcherResponse

    return URLFetcherResponse(url, body, headers={"Content-Type": mime})


STATIC_URL = BASE_URL + "static/"


class _ThreadCaches(threading.local):
    """What each thread keeps between documents: WeasyPrint objects are not shared across threads (Pango's font
    maps are not thread-safe), so every thread builds its own once."""

    def __init__(self) -> None:
        self.font_config = None
        self.stylesheets: dict[str, tuple[tuple[int, int], object]] = {}
        self.static_images: dict[str, object] = {}


_local = _ThreadCaches()


def font_config():
    """Return this thread's WeasyPrint FontConfiguration, created once and reused.

    Reusing it loads each @font-face font (static/fonts) once per process instead of once per document, which
    halves the time a certificate takes. One per thread, because Pango's font maps are not thread-safe.
    """
    from weasyprint.text.fonts import FontConfiguration

    if _local.font_config is None:
        _local.font_config = FontConfiguration()
    return _local.font_config


def stylesheet(relative: str):
    """Return this thread's parsed WeasyPrint CSS for the file static/`relative`, parsed once and reused.

    Built with this thread's font configuration, whose @font-face fonts it registers once (a CSS object and the
    FontConfiguration it was built with go together). Parsed again only when the file changes (one stat per
    call), so an edited stylesheet shows in the next PDF without a restart. Raises FileNotFoundError.
    """
    from weasyprint import CSS

    path = STATIC / relative
    stat = path.stat()
    key = (stat.st_mtime_ns, stat.st_size)
    sheets = _local.stylesheets
    cached = sheets.get(relative)
    if cached is None or cached[0] != key:
        css = CSS(string=path.read_text(encoding="utf-8"), base_url=BASE_URL, url_fetcher=fetch,
                  font_config=font_config())
        cached = sheets[relative] = (key, css)
    return cached[1]


def release() -> None:
    """Drop this thread's font configuration, stylesheets and images (the font configuration removes its temporary
    folder of @font-face fonts as it goes); the next render sets them up again."""
    _local.font_config = None
    _local.stylesheets = {}
    _local.static_images = {}


def _image_cache() -> dict:
    """Return a WeasyPrint image cache for one document: this thread's images from static/ (the logo: parsed
    once, drawn the same in every document), and room for the document's own (data: URLs such as a QR code),
    which are dropped with it so the cache never grows with the documents rendered."""
    return dict(_local.static_images)


def _keep_static_images(cache: dict) -> None:
    kept = _local.static_images
    for url, image in cache.items():
        if isinstance(url, str) and url.startswith(STATIC_URL) and url not in kept:
            kept[url] = image


def render_pdf(html: str, *, title: str | None = None, author: str | None = None,
               stylesheets: Sequence[str] = ()) -> bytes:
    """Render HTML (static assets referenced as /static/...) to PDF bytes, with title/author metadata.

    `stylesheets` names CSS files under static/ (e.g. "certificates/certificate.css"), parsed once per thread
    and applied to every document (see `stylesheet`). @font-face rules may load fonts from /static/fonts/; the
    system's fonts (fontconfig) fill in the rest.
    """
    from weasyprint import HTML

    _warn_once_about_font_subsetting()
    cache = _image_cache()
    with fewer_collections():
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetch).render(
            font_config=font_config(), stylesheets=[stylesheet(name) for name in stylesheets], cache=cache)
        _keep_static_images(cache)
        if title:
            document.metadata.title = title
        if author:
            document.metadata.authors = [author]
        return document.write_pdf()


# While a document renders, the cyclic garbage collector runs a young-generation pass every RENDER_GC_THRESHOLD
# new objects instead of every 700 (Python's default). A render makes and drops hundreds of thousands of objects, and
# with the default each pass promotes the survivors, so the older generations fill and are walked again and again,
# with every object the process holds (an app: 200,000 and more). Rendering the 10,000-learner report PDFs in a
# process holding the app took 25-30% less CPU with 10,000 (peak memory the same); switching the collector off saved
# no more and left 130 MB more behind. In the rq worker's horses, whose app is frozen (lms.worker), it saves less.
RENDER_GC_THRESHOLD = 10_000
_collector = threading.Lock()
_rendering = 0  # renders under way in this process (threads share the collector's thresholds)
_thresholds: tuple[int, ...] = ()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the block with the collector's first threshold at RENDER_GC_THRESHOLD (at least), restoring it when the
    last render of the process ends: thresholds are the process's, so overlapping renders in threads share one
    change."""
    global _rendering, _thresholds
    with _collector:
        if _rendering == 0:
            _thresholds = gc.get_threshold()
            gc.set_threshold(max(RENDER_GC_THRESHOLD, _thresholds[0]), *_thresholds[1:])
        _rendering += 1
    try:
        yield
    finally:
        with _collector:
            _rendering -= 1
            if _rendering == 0:
                gc.set_threshold(*_thresholds)


LANG = "en-GB"  # the language every PDF template declares (<html lang="en-GB">): its hyphenation patterns
# What the warm-up renders: bold, italic and figures (the fonts' faces), and a word too long for its line in the
# PDFs' language with hyphens: auto, which makes WeasyPrint load that language's hyphenation patterns (Pyphen keeps
# them for the process; reading them takes 60 ms, which every report PDF's job paid again in its work horse).
WARM_UP_HTML = (f'<p lang="{LANG}">Warm-up: <b>bold</b>, <i>italic</i>, 0123456789</p>'
                f'<p lang="{LANG}" style="hyphens: auto; width: 30pt">Internationalisation</p>')


def warm_up(stylesheets: Sequence[str]) -> None:
    """Ready this thread to render: import WeasyPrint, make its font configuration, parse `stylesheets` (files under
    static/) and render WARM_UP_HTML with each, so fontconfig and Pango have loaded the fonts they name (every PDF
    of ours names its fonts: none falls back to the default one) and Pyphen the PDFs' hyphenation patterns.

    A process that forks a child per job (the rq worker) calls it once before forking: every child then starts with
    all that done instead of paying for it in each job (lms.worker.prepare_work_horses).
    """
    for name in stylesheets:
        render_pdf(WARM_UP_HTML, stylesheets=(name,))


def font_subsetter() -> str:
    """Return which library WeasyPrint subsets embedded fonts with here: "HarfBuzz" (libharfbuzz-subset, C) or
    "fontTools" (pure Python, ten times slower on the certificate's fonts and more with fontTools 4.68+)."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return "HarfBuzz" if harfbuzz_subset is not None and harfbuzz.hb_version_atleast(4, 1, 0) else "fontTools"


_warned = threading.Event()


def _warn_once_about_font_subsetting() -> None:
    if _warned.is_set():
        return
    _warned.set()
    if font_subsetter() != "HarfBuzz":
        logging.getLogger(__name__).warning(
            "WeasyPrint is subsetting fonts with fontTools: every PDF takes several times longer. Install "
            "HarfBuzz's subsetting library (Debian: apt-get install libharfbuzz-subset0).")


def static_path(relative: str) -> Path:
    """Return the absolute path of a file under static/ (for tests and templates)."""
    return STATIC / relative
