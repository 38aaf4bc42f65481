"""The WSGI module the HTTP benchmarks serve under gunicorn (tests/benchmarks/serving.py starts it).

The app is built as in production, from the environment (`LMS_*` settings, the database in
`LMS_SQLALCHEMY_DATABASE_URI`), plus a bare route `/bench/bare` answering "ok": the framework floor every page's
throughput is measured against.
"""

from __future__ import annotations

from lms import create_app

application = create_app()


@application.route("/bench/bare")
def bench_bare() -> str:
    return "ok"


app = application
