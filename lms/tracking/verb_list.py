"""The published verb list: /xapi/verbs lists the academy's verbs, /xapi/verbs/<key> answers each own verb's IRI
(when LMS_XAPI_VERB_BASE is <site>/xapi/verbs/), as a page or, when asked for, JSON or JSON-LD."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, json, render_template, request

from lms.tracking import verbs

JSON_TYPES = ("application/json", "application/ld+json")


def _base() -> str:
    return current_app.config.get("XAPI_VERB_BASE") or verbs.ABM


def _json_type() -> str | None:
    """The JSON type the client asked for, or None when it would rather have the page (browsers, */*)."""
    best = request.accept_mimetypes.best_match(["text/html", *JSON_TYPES], default="text/html")
    return best if best in JSON_TYPES else None


def _json(body: dict, mimetype: str) -> Response:
    if mimetype == "application/ld+json":
        body = {"@context": verbs.JSONLD_CONTEXT, **body}
    response = Response(json.dumps(body, ensure_ascii=False, indent=2), mimetype=mimetype)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _vary(response) -> Response:
    response = current_app.make_response(response)
    response.vary.add("Accept")
    return response


def verb_list():
    """Every verb the academy's statements use: its own (under the verb base), then those of other vocabularies."""
    base, wanted = _base(), _json_type()
    if wanted:
        return _vary(_json({"verbs": [verbs.description(key, base) for key in verbs.VERBS]}, wanted))
    own = [verbs.description(key, base) | {"key": key} for key in verbs.own_verbs()]
    others = [verbs.description(key, base) | {"key": key} for key in verbs.VERBS if not verbs.is_own(key)]
    return _vary(render_template("tracking/verbs.html", own=own, others=others, base=base, verb=None))


def verb_show(key: str):
    """One of the academy's own verbs, at its IRI: what it means, as a page or JSON."""
    if key not in verbs.VERBS or not verbs.is_own(key):
        abort(404)
    verb, wanted = verbs.description(key, _base()), _json_type()
    if wanted:
        return _vary(_json(verb, wanted))
    return _vary(render_template("tracking/verbs.html", verb=verb | {"key": key}, base=_base()))


def register(bp: Blueprint) -> None:
    """Add the verb list's routes to the tracking blueprint (its views module calls this once). They sit beside
    the LRS's resources at /xapi (statements, about, activities, agents) without clashing with any."""
    bp.add_url_rule("/xapi/verbs", view_func=verb_list, methods=["GET"])
    bp.add_url_rule("/xapi/verbs/", view_func=verb_list, methods=["GET"])
    bp.add_url_rule("/xapi/verbs/<key>", view_func=verb_show, methods=["GET"])
