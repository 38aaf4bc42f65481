"""The module page against Kolibri's learner page, each as a share of the same bare Flask route (issue 16: >= 8x).

Both are served the same way, gunicorn sync x2 on loopback, and driven the same way (wrk -c16), in interleaved
rounds with the bare route: bare, our module page, Kolibri's learner page; again. Both run on SQLite.

- Ours: bench_pages' SQLite database (the real courses and a generated organisation), a learner part-way through
  a course, their module page.
- Kolibri: KOLIBRI (pinned below) installed from PyPI into its own virtualenv (instance/bench/kolibri-venv, made on
  the first run; Kolibri pins its own Django, so it does not share ours), a device provisioned in
  instance/bench/kolibri-home with one facility and one learner, signed in through Kolibri's session API; the
  page is `/en/learn/`, the document Kolibri serves to a signed-in learner (its learner app), and with it the
  learner home's data its app asks for next (`/learn/api/homehydrate`): a visit costs Kolibri's server both.

What this compares, and what it leaves out: Kolibri's learner page is a single-page app; the document and the home
data are the server's part of a visit to the learner's home, and a resource's page asks Kolibri's API for more (the
resource, its progress). This machine reaches no Kolibri Studio, so the device holds no channel and those calls are
not timed: Kolibri's figures are its best case, and the ratios lower bounds of ours over it. The document is the same for every visitor (the learner's
own data comes through the API), while our module page is the lesson, the learner's answers and progress, drawn on
the server.

Run with `make bench` (or `.venv/bin/pytest -q -s tests/benchmarks/bench_kolibri.py -o addopts="" -p no:cacheprovider`).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from tests.benchmarks import bench_pages
from tests.benchmarks.serving import (
    USER_AGENT,
    BenchError,
    interleaved_runs,
    login_cookie,
    median_ratio,
    running,
    served,
    throughput,
)
from tests.databases import BENCH_FOLDER
from tests.ports import free_port

KOLIBRI = "kolibri==0.19.5"
GUNICORN = "gunicorn>=23,<24"
VENV = BENCH_FOLDER / "kolibri-venv"
HOME = BENCH_FOLDER / "kolibri-home"
FACILITY = "Bench facility"
LEARNER = ("bench-learner", "bench-password-2026", "Bench Learner Kolibri")
TARGET = 8.0  # the module page's share of bare over Kolibri's (issue 16)
START_TIMEOUT = 120.0

# Run in `kolibri manage shell`: one learner in the facility provisioned below; prints the facility's id.
_MAKE_LEARNER = """
from kolibri.core.auth.models import Facility, FacilityUser
facility = Facility.objects.get(name={facility!r})
user = FacilityUser.objects.filter(username={username!r}, facility=facility).first()
if user is None:
    user = FacilityUser(username={username!r}, facility=facility, full_name={full_name!r})
    user.set_password({password!r})
    user.save()
print("FACILITY_ID", facility.id)
"""


def _kolibri_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LMS_", "KOLIBRI_", "DJANGO_"))}
    env.update({"KOLIBRI_HOME": str(HOME), "PYTHONDONTWRITEBYTECODE": "1"})
    return env


def _run(command: list, what: str, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, env=_kolibri_env(), **kwargs)  # noqa: S603
    if result.returncode:
        raise BenchError(f"{what} failed ({result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return result


def _installed() -> Path:
    """Kolibri's virtualenv's bin folder, installing KOLIBRI and gunicorn on the first run."""
    stamp = VENV / f".installed-{KOLIBRI}"
    if not stamp.exists():
        print(f"\ninstalling {KOLIBRI} into {VENV} (once)")
        _run([sys.executable, "-m", "venv", "--clear", str(VENV)], "making Kolibri's virtualenv")
        result = subprocess.run([VENV / "bin" / "python", "-m", "pip", "install", "--quiet", KOLIBRI, GUNICORN],
                                capture_output=True, text=True)  # noqa: S603
        if result.returncode:
            pytest.skip(f"could not install {KOLIBRI} from PyPI, so Kolibri is not measured: "
                        f"{(result.stderr.strip().splitlines() or ['no output'])[-1]}")
        stamp.touch()
    return VENV / "bin"


def _provisioned(bin_folder: Path) -> str:
    """Provision the device (once) and make the learner; return the facility's id."""
    kolibri = str(bin_folder / "kolibri")
    HOME.mkdir(parents=True, exist_ok=True)
    if not (HOME / ".bench-provisioned").exists():
        _run([kolibri, "manage", "migrate"], "Kolibri's migrations", timeout=600)
        _run([kolibri, "manage", "provisiondevice", "--facility", FACILITY, "--superusername", "bench-admin",
              "--superuserpassword", "bench-admin-2026", "--preset", "formal", "--language_id", "en", "--noinput"],
             "provisioning Kolibri's device", timeout=600)
        (HOME / ".bench-provisioned").touch()
    username, password, full_name = LEARNER
    script = _MAKE_LEARNER.format(facility=FACILITY, username=username, password=password, full_name=full_name)
    out = _run([kolibri, "manage", "shell"], "making Kolibri's learner", input=script, timeout=600).stdout
    return next(line.split()[1] for line in out.splitlines() if line.startswith("FACILITY_ID"))


@contextmanager
def kolibri_served(bin_folder: Path) -> Iterator[str]:
    """Kolibri's WSGI application under gunicorn sync x2 on a free loopback port; yield its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(bin_folder / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2", "--worker-class",
               "sync", "--log-level", "warning", "--timeout", "120", "kolibri.deployment.default.wsgi:application"]
    with running(command, _kolibri_env(), f"{base}/en/learn/", timeout=START_TIMEOUT):
        print(f"\nserving Kolibri ({KOLIBRI}) on {base}: gunicorn sync x2")
        yield base


def kolibri_cookie(base: str, facility_id: str) -> str:
    """Sign the learner in through Kolibri's session API; return the Cookie header value, checked to be the
    learner's."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]  # as the measured requests say, like ours
    opener.open(f"{base}/en/learn/", timeout=30).read()
    headers = {"Content-Type": "application/json", "Referer": f"{base}/en/learn/", "User-Agent": USER_AGENT}
    csrf = next((c.value for c in jar if c.name.endswith("csrftoken")), None)
    if csrf is not None:  # Kolibri 0.19 sets its CSRF cookie at sign-in, and its session API takes none before
        headers["X-CSRFToken"] = csrf
    username, password, full_name = LEARNER
    body = json.dumps({"username": username, "password": password, "facility": facility_id}).encode()
    request = urllib.request.Request(f"{base}/api/auth/session/", data=body, method="POST", headers=headers)
    with opener.open(request, timeout=30) as response:
        if json.loads(response.read()).get("username") != username:
            raise BenchError("Kolibri's session API did not sign the learner in")
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    # Kolibri serves every visitor the same document and tells its app who is signed in through this API (the
    # app's own call on load): check the cookie is a learner's before timing the page with it.
    csrf = next((c.value for c in jar if c.name.endswith("csrftoken")), "")
    check = urllib.request.Request(f"{base}/api/auth/session/current/", data=b'{"active": false}', method="PUT",
                                   headers={**headers, "Cookie": cookie, "X-CSRFToken": csrf})
    with urllib.request.urlopen(check, timeout=30) as response:
        if json.loads(response.read()).get("full_name") != full_name:
            raise BenchError("Kolibri does not see the learner as signed in with the cookie")
    return cookie


def test_bench_module_page_against_kolibri():
    bin_folder = _installed()
    facility_id = _provisioned(bin_folder)
    url = bench_pages._sqlite_url()
    email, course, module = bench_pages._prepare(url)
    seconds, rounds = bench_pages.SECONDS, bench_pages.ROUNDS
    with served(url) as base, kolibri_served(bin_folder) as kolibri:
        ours = login_cookie(base, email, bench_pages.PASSWORD)
        theirs = kolibri_cookie(kolibri, facility_id)
        runs = interleaved_runs({
            "bare": lambda: throughput(f"{base}/bench/bare", seconds=seconds),
            "module page": lambda: throughput(f"{base}/courses/{course}/{module}", cookie=ours, seconds=seconds),
            "Kolibri learner page": lambda: throughput(f"{kolibri}/en/learn/", cookie=theirs, seconds=seconds),
            "Kolibri learner's home data": lambda: throughput(f"{kolibri}/learn/api/homehydrate", cookie=theirs,
                                                               seconds=seconds),
        }, rounds=rounds)
    # A visit to Kolibri's learner home costs the server both requests: its rate is 1 / (1/document + 1/data).
    runs["Kolibri visit (document + home data)"] = [
        1 / (1 / page + 1 / data) for page, data in zip(runs["Kolibri learner page"],
                                                         runs["Kolibri learner's home data"], strict=True)]
    print(f"\nbare Flask route {statistics.median(runs['bare']):,.0f} req/s (gunicorn sync x2, wrk -c16, {rounds} "
          f"interleaved rounds of {seconds:.0f} s; each share is the median of the rounds' page/bare)")
    kolibri_measures = ("Kolibri learner page", "Kolibri learner's home data", "Kolibri visit (document + home data)")
    for name in ("module page", *kolibri_measures):
        print(f"{name}: {statistics.median(runs[name]):,.0f} req/s = {100 * median_ratio(runs, name, 'bare'):.1f}% "
              f"of bare")
    for name in (kolibri_measures[0], kolibri_measures[2]):
        times = statistics.median(page / theirs for page, theirs in zip(runs["module page"], runs[name], strict=True))
        print(f"module page over {name}: {times:.1f}x (target >= {TARGET:.0f}x)")
    print("(Kolibri's document is the same static shell for every visitor; the learner's data comes with the second "
          "request, so the visit is what a learner waits for)")
