"""What every LRS resource shares (xAPI 1.0.3 Communication 3 and 4): who is asking (HTTP Basic with the
organisation's LRS credentials, or an API token as a read-only bearer), the version header, errors as JSON."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import Response, current_app, g, jsonify, request

from lms.extensions import db
from lms.tracking import services, xapi
from lms.tracking.credentials import credential_for
from lms.tracking.directory import directory
from lms.tracking.statements import xapi_site
from lms.tracking.validation import VERSION_PATTERN

VERSION_HEADER = "X-Experience-API-Version"


@dataclass(frozen=True)
class Principal:
    """Who is calling the LRS: their organisation, what they may do, and the authority their statements carry."""

    organization_id: int
    can_read: bool
    can_write: bool
    authority: dict  # an Agent (the tool, by its key) or the organisation for a bearer token
    credential_id: int | None = None


class LrsError(Exception):
    """An answer other than success: the status and the reason, in plain words."""

    def __init__(self, status: int, message: str, headers: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def response(body=None, status: int = 200, headers: dict | None = None, mimetype: str | None = None) -> Response:
    """A response with the version header: JSON for dicts and lists, bytes or text as given, empty for None."""
    if isinstance(body, dict | list):
        resp = jsonify(body)
        resp.status_code = status
    else:
        resp = Response(body if body is not None else b"", status=status, mimetype=mimetype)
    resp.headers[VERSION_HEADER] = xapi.VERSION
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def error(status: int, message: str, headers: dict | None = None) -> Response:
    """An error as JSON ({"error": message}) with the version header; 401 says how to authenticate."""
    extra = dict(headers or {})
    if status == 401:
        extra.setdefault("WWW-Authenticate", 'Basic realm="xAPI"')
    return response({"error": message}, status, extra)


def check_version() -> None:
    """Every request but About must say which 1.0.x version it speaks. Raises LrsError(400)."""
    version = request.headers.get(VERSION_HEADER)
    if version is None:
        raise LrsError(400, f"Send the {VERSION_HEADER} header (this LRS speaks xAPI {xapi.VERSION}).")
    if not VERSION_PATTERN.match(version.strip()):
        raise LrsError(400, f"{VERSION_HEADER} {version!r} is not supported: this LRS speaks xAPI {xapi.VERSION}.")


def authenticate() -> Principal:
    """The caller, from HTTP Basic (LRS credentials) or a bearer API token (read only). Raises LrsError(401) when
    the credentials are missing, wrong, revoked, or their organisation is suspended."""
    auth = request.authorization
    principal = None
    if auth is not None and auth.type == "basic":
        credential = credential_for(auth.username, auth.password)
        if credential is not None:
            principal = Principal(credential.organization_id, credential.can_read, credential.can_write,
                                  _tool_authority(credential.key, credential.name), credential.id)
    elif auth is not None and auth.type == "bearer":
        token = services.token_for(auth.token)
        if token is not None:
            name = directory().names([token.organization_id], []).organizations.get(token.organization_id)
            principal = Principal(token.organization_id, True, False,
                                  xapi.authority(xapi_site(), token.organization_id, name))
    if principal is None:  # a suspended organisation's credentials and tokens were revoked when it was suspended
        raise LrsError(401, "Send valid LRS credentials (HTTP Basic: the key and secret your organisation admin "
                            "created), or an API token as a bearer.")
    return principal


def _tool_authority(key: str, name: str) -> dict:
    site = xapi_site()
    return {"objectType": "Agent", "name": name, "account": {"homePage": site.home_page, "name": key}}


def lrs_resource(*, write: bool = False, version: bool = True) -> Callable:
    """Decorate an LRS view: checks the version header (unless `version` is False: About), authenticates (sets
    g.lrs to the Principal; About needs none), checks the scope (403 when the credentials may not read or write
    as the method needs), turns LrsError into its JSON answer, and commits when the view succeeds."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            try:
                if version:
                    check_version()
                    principal = authenticate()
                    needs_write = write or request.method in ("PUT", "POST", "DELETE")
                    if needs_write and not principal.can_write:
                        raise LrsError(403, "These credentials may read this LRS but not write to it.")
                    if not needs_write and not principal.can_read:
                        raise LrsError(403, "These credentials may write to this LRS but not read it.")
                    g.lrs = principal
                result = view(*args, **kwargs)
            except LrsError as exc:
                db.session.rollback()
                return error(exc.status, exc.message, exc.headers)
            db.session.commit()
            return result

        return wrapper

    return decorate


def max_body() -> int:
    """The largest request body the LRS accepts (413 beyond it): the app's MAX_CONTENT_LENGTH."""
    return current_app.config.get("MAX_CONTENT_LENGTH") or 16 * 1024 * 1024
