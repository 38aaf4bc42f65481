"""xAPI 1.0.3 Communication 1.3, the alternate request syntax: a POST with ?method=GET|PUT|POST|DELETE whose form
holds the headers, the content and the query parameters is answered as the request it stands for (rewritten in
front of the app, before routing). Every LRS response also says which xAPI version it speaks."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from http import HTTPStatus
from urllib.parse import parse_qsl, urlencode

from lms.database import utcnow
from lms.tracking import xapi
from lms.tracking.lrs_server.blueprint import bp

# Form parameters the LRS reads as headers (1.3.s3.b6), and where WSGI keeps each header.
FORM_HEADERS = {"authorization": "HTTP_AUTHORIZATION", "x-experience-api-version": "HTTP_X_EXPERIENCE_API_VERSION",
                "content-type": "CONTENT_TYPE", "content-length": "CONTENT_LENGTH", "if-match": "HTTP_IF_MATCH",
                "if-none-match": "HTTP_IF_NONE_MATCH"}
METHODS = {"GET", "HEAD", "PUT", "POST", "DELETE"}
FORM = "application/x-www-form-urlencoded"
VERSION_HEADER = "X-Experience-API-Version"


class AlternateError(Exception):
    """An alternate-syntax request the LRS refuses: the status and the reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _read(environ: dict, limit: int) -> bytes:
    length = environ.get("CONTENT_LENGTH") or ""
    if length and not length.isdigit():
        raise AlternateError(400, "Content-Length is not a number.")
    if length and int(length) > limit:
        raise AlternateError(413, f"The request is larger than this LRS accepts ({limit} bytes).")
    if length:
        body = environ["wsgi.input"].read(int(length))
    else:  # no length: read only a body the server says ends (chunked), never wait on an open connection
        body = environ["wsgi.input"].read(limit + 1) if environ.get("wsgi.input_terminated") else b""
    if len(body) > limit:
        raise AlternateError(413, f"The request is larger than this LRS accepts ({limit} bytes).")
    return body


def rewrite(environ: dict, limit: int) -> None:
    """Turn an alternate-syntax request into the request it stands for, in place: the method from `method`, the
    form's header parameters as headers (a real header of the same name wins), `content` as the body (UTF-8) and
    the other form parameters as the query string. Leaves other requests alone. Raises AlternateError (400) for a
    `method` on anything but a POST, other query parameters beside it, an unknown method or a body that is not
    form-encoded UTF-8; 413 for a body over `limit` bytes."""
    query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    methods = [value for name, value in query if name == "method"]
    if not methods:
        return
    if environ.get("REQUEST_METHOD") != "POST":
        raise AlternateError(400, "The alternate request syntax (a method parameter) is for POST requests only.")
    if len(query) != 1:
        raise AlternateError(400, "With the alternate request syntax send every parameter but method as a form "
                                  "parameter, not in the query string.")
    method = methods[0].upper()
    if method not in METHODS:
        raise AlternateError(400, f"method must be one of {', '.join(sorted(METHODS))}.")
    body = _read(environ, limit)
    if body and environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower() != FORM:
        raise AlternateError(400, f"Send the alternate request syntax's parameters as {FORM}.")
    try:
        form = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        raise AlternateError(400, "The form is not UTF-8.") from None
    headers, params, content = {}, [], None
    for name, value in form:
        if name.lower() == "content":
            content = value
        elif name.lower() in FORM_HEADERS:
            headers[name.lower()] = value
        else:
            params.append((name, value))
    for name, value in headers.items():
        if name not in ("content-type", "content-length"):
            environ.setdefault(FORM_HEADERS[name], value)
    data = content.encode("utf-8") if content is not None else b""
    environ.update({"REQUEST_METHOD": method, "QUERY_STRING": urlencode(params), "CONTENT_LENGTH": str(len(data)),
                    "CONTENT_TYPE": headers.get("content-type", "application/json" if data else ""),
                    "wsgi.input": io.BytesIO(data), "lms.xapi.alternate": True})


def _refusal(environ: dict, start_response: Callable, error: AlternateError) -> Iterable[bytes]:
    body = json.dumps({"error": error.message}).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
               (VERSION_HEADER, xapi.VERSION)]
    if environ.get("PATH_INFO", "").rstrip("/").endswith("/statements"):
        headers.append(("X-Experience-API-Consistent-Through", xapi.iso(utcnow())))
    start_response(f"{error.status} {HTTPStatus(error.status).phrase}", headers)
    return [body]


class AlternateSyntax:
    """WSGI middleware for the requests under the LRS's prefix: rewrites alternate-syntax requests, and adds the
    version header to any response that lacks it (405s and other errors raised before an LRS view runs)."""

    def __init__(self, wsgi_app: Callable, prefix: str, limit: Callable[[], int]) -> None:
        self.wsgi_app, self.prefix, self.limit = wsgi_app, prefix.rstrip("/"), limit

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path != self.prefix and not path.startswith(self.prefix + "/"):
            return self.wsgi_app(environ, start_response)
        try:
            rewrite(environ, self.limit())
        except AlternateError as error:
            return _refusal(environ, start_response, error)

        def start(status: str, headers: list, exc_info=None):
            if not any(name.lower() == VERSION_HEADER.lower() for name, _ in headers):
                headers = [*headers, (VERSION_HEADER, xapi.VERSION)]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return self.wsgi_app(environ, start)


@bp.record_once
def _install(state) -> None:
    """Put the middleware in front of the app the LRS blueprint is registered on."""
    app = state.app
    app.wsgi_app = AlternateSyntax(app.wsgi_app, state.url_prefix or bp.url_prefix or "/xapi",
                                   lambda: app.config.get("MAX_CONTENT_LENGTH") or 16 * 1024 * 1024)
