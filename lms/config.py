"""Settings: safe defaults, overridden by LMS_* environment variables and DATABASE_URL in create_app."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class Defaults:
    """Defaults for every setting; create_app layers the environment and a test mapping on top."""

    SQLALCHEMY_DATABASE_URI = "sqlite:///lms.sqlite"  # resolved against instance/ by Flask-SQLAlchemy
    # Added to by lms.database.engine_options: pool_pre_ping for a database server, pool_recycle for an SQLite file.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    COURSES_DIR = str(ROOT / "courses")
    EXERCISES_DIR = str(ROOT / "exercises")
    STORAGE_DIR = ""  # where generated files (certificate PDFs, exports) live; default instance/files

    SITE_NAME = "ABM Academy"
    PUBLIC_ORG_SLUG = "public-courses"
    TIMEZONE = "Europe/London"

    # Sessions and cookies. Secure flags are also set per request when it arrives over HTTPS.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12  # after the browser's last activity
    SESSION_REFRESH_AFTER = 5 * 60  # re-sign an unchanged session cookie at most this often (lms/security.py)
    HTTPS = False  # LMS_HTTPS=true behind a TLS-terminating proxy: secure cookies and HSTS

    WTF_CSRF_TIME_LIMIT = 60 * 60 * 8
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024  # uploads; the importer enforces its own, clearer limit below it
    IMPORT_MAX_BYTES = 10 * 1024 * 1024
    IMPORT_MAX_ROWS = 50_000

    # Rate limits (flask-limiter). Memory storage serves one process; set a redis:// URI for several.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"  # per email and address together
    LOGIN_EMAIL_RATE_LIMIT = "30 per minute;200 per hour"  # per email from anywhere; a known browser is exempt
    VERIFY_RATE_LIMIT = "60 per minute"
    BOOKING_RATE_LIMIT = "10 per minute;30 per hour"  # workshop bookings and cancellations, per person

    # Tokens
    PASSWORD_RESET_HOURS = 2
    INVITATION_DAYS = 14

    # Outgoing mail: with no MAIL_SERVER, messages are written to the log (development).
    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_SENDER = "ABM Academy <no-reply@abm-academy.example>"
    MAIL_TIMEOUT = 10
    # Where "bring your team" enquiries go (LMS_ENQUIRIES_EMAIL); empty means the MAIL_SENDER address.
    ENQUIRIES_EMAIL = ""

    PER_PAGE = 25

    # Absolute links in emails and exports made outside a request (cron), e.g. https://academy.example.com.
    # Without it, links use the request's host or SERVER_NAME.
    SITE_URL = ""

    # The learning record API and forwarding to an external LRS (xAPI 1.0.3).
    XAPI_ACTIVITY_BASE = ""  # activity IRIs start with this; default <site URL>/xapi/activities
    # The academy's own verb IRIs start with this (LMS_XAPI_VERB_BASE); set <site URL>/xapi/verbs/ to make each
    # resolve to its entry in the verb list this site publishes there.
    XAPI_VERB_BASE = "https://abm-academy.org/xapi/verbs/"
    LRS_ENDPOINT = ""  # e.g. https://lrs.example.com/xapi/ ; statements are POSTed to <endpoint>/statements
    LRS_USERNAME = ""
    LRS_PASSWORD = ""
    LRS_BATCH_SIZE = 50
    LRS_TIMEOUT = 10
    LRS_RETRY_SECONDS = 60  # first back-off after a failed batch; doubles per attempt
    LRS_RETRY_MAX_SECONDS = 6 * 60 * 60

    # Reminders (`flask lms remind`, daily from cron).
    REMINDER_DUE_SOON_DAYS = 3
    REMINDER_DIGEST_DAYS = 7  # managers' digest of overdue learners, at most once in this many days
    # Workshop attendees are reminded this many days before their session (the week's, then the day's).
    WORKSHOP_REMINDER_DAYS = (7, 1)

    # Background jobs (lms/jobs.py): with LMS_REDIS_URL (e.g. redis://127.0.0.1:6379/0) report PDFs, certificate
    # batches and large imports go on this rq queue for `flask lms worker`; without it they run in the request.
    REDIS_URL = ""
    JOB_QUEUE = "lms"
    JOB_KEEP_DAYS = 7  # finished jobs and their files (report PDFs) are deleted after this many days
    IMPORT_JOB_ROWS = 5_000  # imports of more rows than this run as a job with a progress bar
    REMINDER_CRON = "0 7 * * *"  # `flask lms worker --with-scheduler`: when the reminders go (server local time)
    LRS_FORWARD_SECONDS = 60  # ... and how often statements are forwarded to the external LRS

    # Capability assessments: questions per competency by difficulty (1 easy, 2 medium, 3 hard), and optional
    # time limits in minutes (global, or per course slug, which wins).
    ASSESSMENT_MIX = {1: 1, 2: 2, 3: 1}
    ASSESSMENT_TIME_LIMIT_MINUTES = None
    ASSESSMENT_TIME_LIMITS: dict = {}
