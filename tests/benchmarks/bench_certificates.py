"""Certificate benchmarks, each printed with its ratio to a floor measured in the same run:
one render against a one-line WeasyPrint PDF, a 200-person cohort batch against 200 of those, and serving a
stored PDF against a bare Flask route through the same test client.

Run with `make bench` (or `.venv/bin/pytest -q -s tests/benchmarks/bench_certificates.py -o addopts=""`).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from lms import pdf
from lms.certificates import jobs
from lms.certificates.rendering import render_certificate
from lms.extensions import db
from tests.certificates.conftest import issue_certificate, sync_courses
from tests.factories import make_cohort, make_org, make_user

COHORT_SIZE = 200


def median_seconds(fn: Callable[[], object], repeat: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(name: str, seconds: float, floor_name: str, floor: float) -> None:
    print(f"\n{name}: {seconds * 1000:.1f} ms = {seconds / floor:.1f} x {floor_name} ({floor * 1000:.2f} ms); "
          f"throughput {100 * floor / seconds:.0f}% of the floor's")


def test_bench_certificates(app, client, auth):
    app.add_url_rule("/bench/bare", "bench_bare", lambda: "ok")  # before the first request
    course = sync_courses()
    org = make_org("Bench")
    cohort = make_cohort(org, "Two hundred")
    holder = make_user(org, email="holder@bench.example", name="Zoë Ångström-Øverby", cohort=cohort)
    first = issue_certificate(holder, org, course, cohort=cohort)
    names = ["Zoë Ångström-Øverby", "José Núñez", "Łukasz Wąs", "王小明", "محمد الأحمد"]
    certs = [first] + [
        issue_certificate(make_user(org, name=names[i % len(names)], cohort=cohort, commit=False), org, course,
                          cohort=cohort)
        for i in range(COHORT_SIZE - 1)
    ]
    db.session.commit()

    with app.test_request_context():
        floor_render = median_seconds(lambda: pdf.render_pdf("<p>Certificate</p>"), repeat=20)
        one = median_seconds(lambda: render_certificate(first), repeat=20)
    report("Render one certificate", one, "a one-line WeasyPrint PDF", floor_render)

    ids = [c.id for c in certs]
    start = time.perf_counter()
    rendered = jobs.render_certificates(ids)  # in-process: no LMS_REDIS_URL here
    batch = time.perf_counter() - start
    assert rendered == COHORT_SIZE
    report(f"Render a {COHORT_SIZE}-person cohort (batch job, in-process)", batch,
           f"{COHORT_SIZE} one-line PDFs", floor_render * COHORT_SIZE)
    print(f"  {batch / COHORT_SIZE * 1000:.1f} ms per certificate")

    auth.login(holder.email)
    path = f"/certificates/{first.code}.pdf"
    assert client.get(path).status_code == 200
    floor_route = median_seconds(lambda: client.get("/bench/bare"), repeat=300, warmup=20)
    served = median_seconds(lambda: client.get(path), repeat=300, warmup=20)
    report("Serve a stored certificate PDF", served, "a bare Flask route", floor_route)
