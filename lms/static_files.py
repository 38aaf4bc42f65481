"""Static files named by their content: pages link /static/css/app.css?v=<digest>, and the answer to a URL carrying
the file's current digest may be kept by the browser for a year without asking again (Cache-Control immutable). A
changed file gets a new URL, so nobody runs yesterday's stylesheet. Without the digest, or with an old one, the file
is served as Flask serves it: the browser checks with us each time (ETag, 304).

Before this, every page view made the browser revalidate its stylesheet and logo, and each of those requests cost a
signed-in request's work (the session, the user loader's query): as much again as the page's own work on a phone's
network, and on the server."""

from __future__ import annotations

from flask import Flask, Response, current_app, request, url_for
from werkzeug.security import safe_join

from lms.files import file_digest
from lms.templating import page_url

YEAR = 365 * 24 * 60 * 60
VERSION_LENGTH = 12  # hex digits of the SHA-256: enough to tell one version of a file from the next


def version(app: Flask, filename: str) -> str | None:
    """Return the version of static/`filename` to put in its URL (the start of its content's digest), or None
    when no such file is served."""
    path = safe_join(app.static_folder, filename) if app.static_folder else None
    if path is None:
        return None
    try:
        return file_digest(path)[:VERSION_LENGTH]
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def static_url(filename: str) -> str:
    """Return url_for('static', filename=filename), with its version, built once per file and script root
    (templating.page_url): the template global every page's stylesheet and logo are linked with.

    Building a static URL costs a path check, a stat and a query string (about 30 µs); the base template links three
    on every page. Files under static/ change with a deploy, which restarts the processes; in debug mode the URL is
    built each time, so an edited stylesheet gets its new version at once. A file changed under a running server
    keeps its old URL until the restart, and that URL still serves the current file, checked with us each time
    (`kept_for_a_year` keeps only the current version for a year)."""
    if current_app.debug:
        return url_for("static", filename=filename)
    return page_url("static", filename=filename)


def init_app(app: Flask) -> None:
    """Version every url_for('static', ...) and let browsers keep what they fetch with the current version."""

    app.add_template_global(static_url)

    @app.url_defaults
    def versioned(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and (v := version(app, values.get("filename", ""))):
            values["v"] = v

    @app.after_request
    def kept_for_a_year(response: Response) -> Response:
        wanted = request.args.get("v") if request.endpoint == "static" else None
        if wanted and response.status_code in (200, 304) and wanted == version(app, request.view_args["filename"]):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        return response
