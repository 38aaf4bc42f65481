"""Friendly error pages: what went wrong in plain words, and where to go next."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("That request didn't make sense", "Something in what was sent was missing or malformed."),
    403: ("You can't do that here", "Your role doesn't allow this. Ask your organisation's admin if you need it."),
    404: ("Page not found", "It may have moved, or you may not have access to it."),
    405: ("That didn't work", "This page can't be used that way."),
    413: ("That file is too large", "Upload a smaller file: the limit is shown on the upload page."),
    429: ("Too many attempts", "Please wait a minute before trying again."),
    500: ("Something went wrong on our side", "We've logged the problem. Please try again in a moment."),
}


def init_app(app: Flask) -> None:
    """Register handlers that render templates/errors/error.html with the right status."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_template(
            "errors/error.html",
            code=400,
            title="This form has expired",
            detail="For your security, forms time out. Go back, reload the page and submit it again.",
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        title, detail = MESSAGES.get(code, (error.name, error.description))
        return render_template("errors/error.html", code=code, title=title, detail=detail), code

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        if app.testing and app.config.get("PROPAGATE_EXCEPTIONS") is not False:
            raise error
        app.logger.exception("Unhandled error")
        title, detail = MESSAGES[500]
        return render_template("errors/error.html", code=500, title=title, detail=detail), 500
