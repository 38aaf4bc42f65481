"""The WSGI module the HTTP benchmarks serve under gunicorn (tests/benchmarks/serving.py starts it).

The app is built as in production, from the environment (`LMS_*` settings, the database in
`LMS_SQLALCHEMY_DATABASE_URI`), plus a bare route `/bench/bare` answering "ok": the framework floor every page's
throughput is measured against; and `/bench/signed-in`, the floor of a signed-in page (the session, the user
loader's query, the tenant), which no signed-in page can pass; and `/bench/bytes/<size>`, the bare route answering
that many bytes (a stored file's size, say).
"""

from __future__ import annotations

from flask import Response, g
from flask_login import login_required

from lms import create_app

application = create_app()


@application.route("/bench/bare")
def bench_bare() -> str:
    return "ok"


@application.route("/bench/signed-in")
@login_required
def bench_signed_in() -> str:
    return "ok" if g.org is not None else "no organisation"


@application.route("/bench/bytes/<int:size>")
def bench_bytes(size: int) -> Response:
    """The bare route answering `size` bytes: what moving a response of that size costs by itself (the server's
    writes, the kernel's copies, the load generator's reads), beside the bare route's two."""
    return Response(b"%" * size, mimetype="application/octet-stream")


app = application
