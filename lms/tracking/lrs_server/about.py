"""The LRS's About Resource (xAPI 1.0.3 Communication 2.8): the versions it speaks, open to anyone, whatever
version header the request carries."""

from __future__ import annotations

from flask import current_app, request

from lms.tracking import xapi
from lms.tracking.lrs_server.blueprint import bp
from lms.tracking.lrs_server.http import LrsError, lrs_resource, response

# The latest patch of each version this LRS conforms to comes first; the earlier 1.0.x patches are listed too, as
# clients and test suites look for them (2.8.s5.b1: 1.0.0 MUST be included).
VERSIONS = [xapi.VERSION, "1.0.2", "1.0.1", "1.0.0"]


def about_document(site_name: str) -> dict:
    """The About document: {"version": [...], "extensions": {...}}, nothing else outside extensions (2.8.s5.b2)."""
    return {"version": VERSIONS, "extensions": {xapi.EXTENSION + "lrs": {"name": site_name}}}


@bp.route("/about", methods=["GET"])
@lrs_resource(version=False)
def about():
    """GET /xapi/about (HEAD too): no credentials needed (2.8.s5.b3), no version header checked (2.8.s5.b4)."""
    if request.args:
        raise LrsError(400, f"The About resource takes no parameters (got {', '.join(sorted(request.args))}).")
    return response(about_document(current_app.config["SITE_NAME"]))
