"""ABM Academy: the Flask application factory."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path

from flask import Flask, has_request_context
from flask.ctx import _AppCtxGlobals

from lms.config import ROOT, Defaults


class TenantGlobals(_AppCtxGlobals):
    """`g` whose tenant (g.org, g.roles) is read when something first asks for it (lms.tenancy.load_tenant), not
    before every request: a request that never asks, such as a stylesheet or an Open Badges document, costs no
    query for the signed-in user. Outside a request there is no tenant: g.org is None, g.roles empty."""

    def __getattr__(self, name: str):
        if name not in ("org", "roles"):
            return super().__getattr__(name)
        if has_request_context():
            from lms.tenancy import load_tenant

            load_tenant()  # sets both
        else:
            self.org, self.roles = None, frozenset()
        return self.__dict__[name]


def create_app(config: Mapping | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, CLI, error pages and security headers.

    Settings come from `lms.config.Defaults`, then `LMS_*` environment variables, then `DATABASE_URL`,
    then `config` (tests). Returns the configured Flask app.
    """
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_relative_config=True,
    )
    app.app_ctx_globals_class = TenantGlobals
    app.config.from_object(Defaults)
    app.config.from_prefixed_env("LMS")
    _database_url_from_env(app)
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _secret_key(app)
    if not app.config["STORAGE_DIR"]:
        app.config["STORAGE_DIR"] = str(Path(app.instance_path) / "files")

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_cli(app)
    return app


def _database_url_from_env(app: Flask) -> None:
    import os

    url = os.environ.get("DATABASE_URL")
    if url and "SQLALCHEMY_DATABASE_URI" not in {k.removeprefix("LMS_") for k in os.environ}:
        # Heroku-style URLs say postgres://; SQLAlchemy wants postgresql+psycopg:// for psycopg 3.
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://") :]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        app.config["SQLALCHEMY_DATABASE_URI"] = url


def _secret_key(app: Flask) -> None:
    """Use LMS_SECRET_KEY, or a key generated once into instance/secret_key (never committed)."""
    if app.config.get("SECRET_KEY"):
        return
    if app.testing:
        app.config["SECRET_KEY"] = "testing-only-key"  # noqa: S105 - only when TESTING
        return
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    app.config["SECRET_KEY"] = path.read_text().strip()


def register_extensions(app: Flask) -> None:
    """Initialise the extensions created in lms.extensions."""
    from lms import database, security, static_files
    from lms.extensions import csrf, db, limiter, login_manager, migrate
    from lms.models import load_all

    load_all()
    app.config.setdefault("RATELIMIT_ENABLED", True)
    database.engine_options(app.config)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    security.init_app(app)
    static_files.init_app(app)

    from lms import templating

    templating.init_app(app)
    database.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Register each package's blueprint (`bp` in lms/<package>/views), imported by name so a missing one fails."""
    from lms.accounts.views import bp as accounts
    from lms.api.views import bp as api
    from lms.assessment.views import bp as assessment
    from lms.certificates.views import bp as certificates
    from lms.content.views import bp as content
    from lms.identity.views import bp as identity
    from lms.jobs import bp as jobs
    from lms.learning.views import bp as learning
    from lms.practice.views import bp as practice
    from lms.privacy import bp as privacy
    from lms.reports.live import keep_roll_ups_current
    from lms.reports.views import bp as reports
    from lms.tracking.lrs_server import bp as xapi
    from lms.tracking.views import bp as tracking
    from lms.workshops.views import bp as workshops

    keep_roll_ups_current()  # report roll-ups counted in the transaction that changes them
    for blueprint in (identity, content, learning, accounts, practice, assessment, tracking, reports, certificates,
                      privacy, workshops, xapi, api, jobs):
        app.register_blueprint(blueprint)
    from lms.extensions import csrf

    csrf.exempt(xapi)  # the LRS authenticates every request by HTTP Basic or a bearer token, never by cookies
    csrf.exempt(api)  # the REST API authenticates every request by a bearer token, never by cookies


def register_errorhandlers(app: Flask) -> None:
    """Friendly pages for 400, 403, 404, 405, 413, 429 and 500."""
    from lms import errors

    errors.init_app(app)


def register_cli(app: Flask) -> None:
    """The `flask lms …` command group."""
    from lms.cli import lms_group

    app.cli.add_command(lms_group)
