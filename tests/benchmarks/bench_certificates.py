"""Certificate benchmarks (issue 16), each printed with its target and its ratio to a floor measured in the same run:

- render: CPU time of one certificate in this process (stylesheet, fonts and QR code stored, as after the first)
  against a one-line WeasyPrint PDF;
- memory: this process's resident set (VmRSS) before and after rendering 200 different certificates in it, twice:
  the first 200 fill the fonts', glyphs' and layouts' caches (and the allocator's high-water mark), the next 200
  show whether rendering keeps growing the process;
- batch: LMS_BENCH_CERT_BATCH (200) missing PDFs through `storage.render_missing` (recycled worker processes),
  per certificate against the in-process render, and this process's RSS before and after (first, while this
  process has rendered nothing);
- download: a stored certificate PDF served by gunicorn sync x2 and driven by wrk -c16 (tests/benchmarks/serving.py)
  as a percentage of a bare Flask route, bare and download runs interleaved; beside it, a bare route signed in (the
  cookie and the user loader's query), which shows what checking a sign-in costs by itself, and the bare route
  answering as many bytes as the PDF, which shows what moving them costs by itself.

The machine is shared: CPU times are medians of ROUNDS rounds. WeasyPrint subsets fonts with HarfBuzz when Debian's
libharfbuzz-subset0 is installed, else with fontTools (several times slower): the run says which.

Run with `make bench` (or `.venv/bin/pytest -q -s tests/benchmarks/bench_certificates.py -o addopts=""
-p no:cacheprovider`).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from lms import create_app, pdf
from lms.certificates import batch, storage
from lms.certificates.rendering import render_certificate
from lms.extensions import db
from tests.benchmarks.serving import interleaved, login_cookie, served, throughput
from tests.certificates.conftest import issue_certificate, sync_courses
from tests.conftest import FIXTURES
from tests.factories import DEFAULT_PASSWORD, make_cohort, make_org, make_user

RENDERS = 200  # for the memory figure
BATCH = int(os.environ.get("LMS_BENCH_CERT_BATCH", "200"))
ROUNDS = int(os.environ.get("LMS_BENCH_ROUNDS", "3"))
SECONDS = float(os.environ.get("LMS_BENCH_SECONDS", "5"))
SITE_URL = "http://academy.test"
NAMES = ["Zoë Ångström-Øverby", "José Núñez", "Łukasz Wąs", "王小明", "محمد الأحمد", "Ada Lovelace"]
TARGET_RENDER_MS = 30
TARGET_DOWNLOAD_SHARE = 50  # % of the bare route


def rss_mb() -> float:
    """This process's resident set size now, in MB (VmRSS)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def cpu_ms(fn: Callable[[], object], calls: int = 10, rounds: int = ROUNDS) -> float:
    """Median over `rounds` of the CPU milliseconds one call of `fn` takes (after two warm-up calls)."""
    fn()
    fn()
    results = []
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(calls):
            fn()
        results.append((time.process_time() - start) * 1000 / calls)
    return statistics.median(results)


def _certificates(count: int, org, course, cohort) -> list:
    users = [make_user(org, name=f"{NAMES[i % len(NAMES)]} {i}", cohort=cohort, commit=False) for i in range(count)]
    return [issue_certificate(user, org, course, cohort=cohort) for user in users]


def test_bench_certificates(tmp_path):
    url = f"sqlite:///{tmp_path / 'certificates.sqlite'}"
    settings = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-certificates", "RATELIMIT_ENABLED": False,
                "STORAGE_DIR": str(tmp_path / "files"), "COURSES_DIR": str(FIXTURES / "courses"), "SITE_URL": SITE_URL}
    app = create_app(settings)
    with app.app_context():
        db.create_all()
        course = sync_courses()
        org = make_org("Bench")
        cohort = make_cohort(org, "Two hundred")
        holder = make_user(org, email="holder@bench.example", name=NAMES[0], cohort=cohort)
        first = issue_certificate(holder, org, course, cohort=cohort)
        warm = _certificates(len(NAMES), org, course, cohort)
        for_memory = _certificates(2 * RENDERS, org, course, cohort)
        for_batch = _certificates(BATCH, org, course, cohort)
        print(f"\nfont subsetting: {pdf.font_subsetter()}")

        # The batch first, while this process has rendered nothing: the workers render, this process only writes
        # the HTML, so its RSS should not move.
        batch_rss, start = rss_mb(), time.perf_counter()
        with app.test_request_context():
            rendered = storage.render_missing([c.id for c in for_batch])
        elapsed, batch_growth = time.perf_counter() - start, rss_mb() - batch_rss
        assert rendered == BATCH

        with app.test_request_context():
            floor = cpu_ms(lambda: pdf.render_pdf("<p>Certificate</p>"))
            one = cpu_ms(lambda: render_certificate(first))
            print(f"certificate render: {one:.1f} ms CPU (target <= {TARGET_RENDER_MS} ms) = {one / floor:.1f}x floor "
                  f"({floor:.1f} ms: a one-line WeasyPrint PDF)")
            per = elapsed / BATCH * 1000
            print(f"batch of {BATCH} through recycled workers ({batch.default_workers()} at a time, each replaced "
                  f"after {batch.RENDERS_PER_WORKER} renders): {elapsed:.1f} s wall = {per:.0f} ms per certificate = "
                  f"{per / one:.1f}x floor (the in-process render's CPU time); this process's RSS {batch_rss:.0f} MB "
                  f"{batch_growth:+.1f} MB (target: flat)")

            for certificate in warm:  # every script's fonts loaded once, as in a process that has rendered a few
                render_certificate(certificate)
            growth = []
            for part in (for_memory[:RENDERS], for_memory[RENDERS:]):
                before, start = rss_mb(), time.perf_counter()
                for certificate in part:
                    render_certificate(certificate)
                growth.append((before, rss_mb() - before, (time.perf_counter() - start) / RENDERS * 1000))
            (first_rss, filling, wall), (next_rss, then, _) = growth
            print(f"memory over {RENDERS} renders in this process: the first {RENDERS} RSS {first_rss:.0f} MB "
                  f"{filling:+.1f} MB (caches filling; {wall:.0f} ms wall per render), the next {RENDERS} "
                  f"{next_rss:.0f} MB {then:+.1f} MB (target: flat) = {then / RENDERS * 1024:+.0f} KB per render")

        with app.test_request_context():
            size = storage.pdf_file(first).stat().st_size  # stored, as after its first download
        code = first.code
        db.session.remove()
        db.engine.dispose()

    env = {"LMS_STORAGE_DIR": settings["STORAGE_DIR"], "LMS_COURSES_DIR": settings["COURSES_DIR"],
           "LMS_SITE_URL": SITE_URL, "LMS_RATELIMIT_ENABLED": "false"}
    with served(url, env=env) as base:
        cookie = login_cookie(base, "holder@bench.example", DEFAULT_PASSWORD)
        download = f"{base}/certificates/{code}.pdf"
        medians = interleaved({"bare": lambda: throughput(f"{base}/bench/bare", seconds=SECONDS),
                               "download": lambda: throughput(download, cookie=cookie, seconds=SECONDS),
                               # What any signed-in request costs (the session cookie, the user loader's query):
                               # the download checks a sign-in too, without the ORM user.
                               "signed in": lambda: throughput(f"{base}/bench/signed-in", cookie=cookie,
                                                               seconds=SECONDS),
                               # The bare route answering the PDF's bytes: what moving them costs by itself.
                               "bytes": lambda: throughput(f"{base}/bench/bytes/{size}", seconds=SECONDS)},
                              rounds=ROUNDS)
    share = 100 * medians["download"] / medians["bare"]
    print(f"stored certificate download: {medians['download']:,.0f} req/s = {share:.1f}% of the bare route "
          f"(target >= {TARGET_DOWNLOAD_SHARE}%; floor {medians['bare']:,.0f} req/s: a bare Flask route; gunicorn "
          f"sync x2, wrk -c16, median of {ROUNDS} interleaved runs of {SECONDS:.0f} s); a bare route signed in "
          f"{100 * medians['signed in'] / medians['bare']:.1f}%; the bare route answering the PDF's {size:,} bytes "
          f"{100 * medians['bytes'] / medians['bare']:.1f}%, and the download {100 * medians['download'] / medians['bytes']:.1f}% "
          f"of that")
