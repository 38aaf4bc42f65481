"""What every API operation shares: the OpenAPI generator (spectree), API-token auth, strict parameters, errors as
JSON with the documented `Error` schema, and paging links.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Response, current_app, g, request, url_for
from pydantic import BaseModel
from spectree import Response as Responses
from spectree import SecurityScheme, SecuritySchemeData, SpecTree
from werkzeug.exceptions import HTTPException

from lms.api.paging import Window
from lms.api.params import Query
from lms.api.problems import ApiError, from_validation, unknown_parameters
from lms.api.schemas import Error, PageMeta
from lms.extensions import db
from lms.tracking import services

PREFIX = "/api"
REALM = "ABM Academy API"
DESCRIPTION = """Read your organisation's learning programme: enrolments, assignments, progress, completions,
certificates, report figures and the team workspaces' target accounts.

**Authentication.** Every operation needs an API token of your organisation (an organisation admin creates one
under Admin → API tokens): send `Authorization: Bearer <token>`. Without a valid token the answer is 401 with a
`WWW-Authenticate: Bearer` challenge. A token reads only its own organisation: another organisation's ids answer
404, as ids that do not exist do.

**Paging.** Lists take `page` (from 1) and `per_page` (at most 200) and answer with `total`, `pages`, and the
`next` and `previous` page URLs (null at either end).

**Errors** are JSON objects with `status`, a stable `error` code, a `message` and `details`: 400 for a parameter
the operation does not take, 401 without a valid token, 404 for a filter naming nothing of yours, 422 for a
parameter with a value that is not valid."""

spec = SpecTree(
    "flask",
    mode="strict",  # document only the operations declared here, never the rest of the application
    title=REALM,
    version="1.0.0",
    description=DESCRIPTION,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    validation_error_status=422,
    validation_error_model=Error,
    security_schemes=[SecurityScheme(name="bearerAuth", data=SecuritySchemeData(
        type="http", scheme="bearer", description="An API token of your organisation."))],
    security={"bearerAuth": []},
)


def _reject_invalid(req, resp, req_validation_error, instance, model_adapter) -> None:
    """spectree's hook after it validated the query: answer 422 with our `Error` rather than its own list."""
    if req_validation_error is not None:
        raise from_validation(model_adapter.validation_errors(req_validation_error))


def authenticate() -> int:
    """Return the organisation id of the request's bearer API token. Raises ApiError(401) without a valid one."""
    auth = request.authorization
    secret = auth.token if auth is not None and auth.type == "bearer" else None
    token = services.token_for(secret)
    if token is None:
        challenge = f'Bearer realm="{REALM}"' + (', error="invalid_token"' if secret else "")
        raise ApiError(401, "unauthorized", "Send a valid API token of your organisation: "
                       "Authorization: Bearer <token>.", headers={"WWW-Authenticate": challenge})
    org_id = token.organization_id
    db.session.commit()  # the token's last use; the rest of the request only reads
    return org_id


def _check_names(query: type[BaseModel]) -> None:
    known = list(query.model_fields)
    unknown = [name for name in request.args if name not in known]
    if unknown:
        raise unknown_parameters(unknown, known)


def operation(query: type[BaseModel], answer: type[BaseModel], *, operation_id: str, tag: str) -> Callable:
    """Declare an API operation: its query model and its 200 model go into the OpenAPI document with every error
    it can answer (400, 401, 404, 422; every operation has a filter that can name something). The request is
    authenticated first (sets g.api_org_id), then its parameter names and values are checked."""
    codes = {"HTTP_200": answer, "HTTP_400": (Error, "A parameter this operation does not take."),
             "HTTP_401": (Error, "No valid API token."),
             "HTTP_404": (Error, "A filter names something that is not there, or not your organisation's."),
             "HTTP_422": (Error, "A parameter value is not valid.")}

    def decorate(view: Callable) -> Callable:
        validated = spec.validate(query=query, resp=Responses(**codes), tags=[tag], operation_id=operation_id,
                                  before=_reject_invalid)(view)

        @wraps(validated)
        def wrapper(*args, **kwargs):
            g.api_org_id = authenticate()
            _check_names(query)
            return validated(*args, **kwargs)

        return wrapper

    return decorate


def page(model: type[PageMeta], items: list, total: int, query: Query) -> PageMeta:
    """Return one page of a list as `model`, with its totals and the URLs of the pages around it."""
    window = Window(query.page, query.per_page, total)
    kept = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}  # as the client wrote them

    def link(number: int) -> str:
        return url_for(request.endpoint, page=number, per_page=query.per_page, **kept, _external=True)

    return model(items=items, page=window.page, per_page=window.per_page, total=total, pages=window.pages,
                 next=link(window.page + 1) if window.has_next else None,
                 previous=link(window.previous_page) if window.has_previous else None)


def error_response(error: ApiError) -> Response:
    """The JSON answer for an ApiError, with its headers."""
    response = current_app.response_class(error.body().model_dump_json(), status=error.status,
                                          mimetype="application/json")
    response.headers.update(error.headers)
    return response


def from_http(error: HTTPException) -> ApiError:
    """Return an ApiError for a werkzeug HTTPException (404, 405 with its Allow header, 413, …)."""
    code = error.code or 500
    names = {404: "not_found", 405: "method_not_allowed", 413: "too_large", 429: "rate_limited"}
    headers = {k: v for k, v in error.get_headers() if k.lower() == "allow"}
    return ApiError(code, names.get(code, "http_error"), error.description or error.name, headers=headers)


def init_blueprint(bp) -> None:
    """Answer every error under /api as JSON: the blueprint's own, and routing errors (an unknown path, a method
    the path does not allow), which Flask raises before it knows the blueprint."""

    @bp.errorhandler(ApiError)
    def api_error(error: ApiError):
        return error_response(error)

    @bp.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return error_response(from_http(error))

    @bp.errorhandler(Exception)
    def server_error(error: Exception):
        if current_app.testing and current_app.config.get("PROPAGATE_EXCEPTIONS") is not False:
            raise error
        current_app.logger.exception("Unhandled error in the API")
        return error_response(ApiError(500, "server_error", "Something went wrong on our side."))

    @bp.before_app_request
    def routing_error():
        error = request.routing_exception
        if isinstance(error, HTTPException) and (error.code or 0) >= 400 and (
                request.path == PREFIX or request.path.startswith(PREFIX + "/")):
            return error_response(from_http(error))
        return None
