"""Security headers, secure cookies over HTTPS, and the login manager's user loader."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Every response's headers, unless the view set its own (a sandboxed page sets its own Content-Security-Policy).
HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000")


class Session(SecureCookieSession):
    """The session, plus when its cookie was signed (None for a new session)."""

    signed_at: datetime | None = None


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with two changes:

    - the cookie is marked Secure whenever the request itself came over HTTPS;
    - a signed-in (permanent) session's cookie is re-signed and sent again only when it is older than
      SESSION_REFRESH_AFTER seconds (or the session changed), not on every response. The session still expires
      PERMANENT_SESSION_LIFETIME after the browser's last activity, give or take those seconds; re-signing and
      compressing it on every page cost about a seventh of a signed-in request.
    """

    session_class = Session

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer, made once for each set of keys instead of on every request (its making cost a
        fifth of opening a session)."""
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        made = app.extensions.setdefault("lms.session_serializers", {})
        serializer = made.get(keys)
        if serializer is None:
            serializer = made[keys] = super().get_signing_serializer(app)
        return serializer

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or app.config["HTTPS"] or request.is_secure)

    def open_session(self, app: Flask, request: Request) -> Session | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        try:
            data, signed_at = serializer.loads(value, max_age=int(app.permanent_session_lifetime.total_seconds()),
                                               return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app: Flask, session: Session) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        if session.signed_at is None:
            return True
        return (datetime.now(UTC) - session.signed_at).total_seconds() >= app.config["SESSION_REFRESH_AFTER"]


def init_app(app: Flask) -> None:
    """Install the session interface, the response headers and the login manager settings."""
    from lms.extensions import login_manager

    app.session_interface = SessionInterface()
    if app.config["HTTPS"]:
        app.config["REMEMBER_COOKIE_SECURE"] = True
    login_manager.login_view = "identity.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        from lms.identity.sessions import active_user

        return active_user(user_id)

    @app.after_request
    def headers(response: Response) -> Response:
        # One pass over the headers the view set, then one extend: a setdefault per header searched them each time
        # (a sixteenth of a certificate download).
        present = {name.lower() for name, _ in response.headers}
        added = [header for header in HEADERS if header[0].lower() not in present]
        if (app.config["HTTPS"] or request.is_secure) and "strict-transport-security" not in present:
            added.append(HSTS)
        if request.endpoint and request.endpoint != "static" and "cache-control" not in present:
            added.append(("Cache-Control", "no-store"))  # pages carry personal data
        response.headers.extend(added)
        return response
