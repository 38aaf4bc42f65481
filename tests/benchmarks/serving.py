"""Serve the app under gunicorn and measure pages over HTTP, as the issue measures them: throughput as a ratio to a
bare Flask route (`/bench/bare`) under gunicorn sync x2, driven by `wrk -c16`, bare and page runs interleaved.

    with served(url) as base:
        cookie = login_cookie(base, "learner@example.com", "password")
        bare = throughput(f"{base}/bench/bare")
        page = throughput(f"{base}/learn/...", cookie=cookie)

`interleaved()` alternates the runs (bare, page, bare, page, ...) and gives the medians, so the machine's load
drifting during a run weighs on both alike; `interleaved_runs()` keeps every figure, and `median_ratio()` gives the
median of the per-round ratios (page over bare in the same round).

`throughput` uses wrk (Debian package `wrk`) when it is on PATH, else a Python keep-alive load generator (threads
and http.client), and says which. Either way every response must be a 200: a page answering 302 or 500 fast
must not look fast, so any other status fails the measurement.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BENCH_SECRET_KEY = "bench-only-secret-key"  # noqa: S105 - a throwaway key for a local benchmark server
START_TIMEOUT = 60.0
# Every request the benchmarks make, signing in included, says the same User-Agent, as one browser does. The
# session's protection (Flask-Login, "basic") ties the session to the address and User-Agent it signed in from;
# a load generator whose User-Agent differed from the sign-in's had every response re-sign the session cookie, a
# cost no learner's browser pays.
USER_AGENT = "abm-academy-bench"

# Counts non-200 responses across wrk's threads and prints them after the run (wrk's own "Non-2xx or 3xx" line
# lets redirects through).
_WRK_SCRIPT = """
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  bad = 0
  first_bad = 0
  cookies = 0
end
function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    if first_bad == 0 then first_bad = status end
  end
  if headers["Set-Cookie"] then cookies = cookies + 1 end
end
function done(summary, latency, requests)
  local total, first, set = 0, 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("bad")
    if first == 0 then first = thread:get("first_bad") end
    set = set + thread:get("cookies")
  end
  io.write(string.format("BENCH_BAD_STATUS %d %d\\n", total, first))
  io.write(string.format("BENCH_SET_COOKIE %d\\n", set))
end
"""


class BenchError(RuntimeError):
    """The server did not start, or a measured page answered something other than 200."""


@contextmanager
def served(database_url: str, *, workers: int = 2, worker_class: str = "sync",
           env: dict | None = None) -> Iterator[str]:
    """Serve tests/benchmarks/bench_wsgi.py under gunicorn on a free loopback port; yield its base URL.

    The app reads its settings from the environment as in production: `database_url` becomes
    LMS_SQLALCHEMY_DATABASE_URI; `env` adds or overrides variables (e.g. {"LMS_RATELIMIT_ENABLED": "false"}).
    Waits until `/bench/bare` answers 200, and stops the server (and its workers) on exit.
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    child_env = server_env(database_url, env)
    command = [
        sys.executable, "-m", "gunicorn",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--worker-class", worker_class,
        "--chdir", str(ROOT),
        "--pythonpath", str(HERE),
        "--log-level", "warning",
        "--timeout", "120",
        "bench_wsgi:application",
    ]
    with running(command, child_env, f"{base}/bench/bare"):
        print(f"\nserving {database_url.split('@')[-1]} on {base}: gunicorn {worker_class} x{workers}")
        yield base


def server_env(database_url: str, env: dict | None = None) -> dict:
    """The environment of a server the benchmarks or tests start: this one's, without its LMS_* settings and
    DATABASE_URL, with the app's database, a throwaway secret key and `env` on top."""
    child_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("LMS_")}
    child_env.update({
        "LMS_SQLALCHEMY_DATABASE_URI": database_url,
        "LMS_SECRET_KEY": BENCH_SECRET_KEY,
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    child_env.update(env or {})
    return child_env


@contextmanager
def running(command: list[str], env: dict, probe: str, timeout: float = START_TIMEOUT) -> Iterator[None]:
    """Run a server (`command`, its output to a log), wait until `probe` answers 200, and stop it (and its
    workers) on exit; raise BenchError with the log if it exits or does not answer within `timeout` seconds.

    The command runs in a process group of its own, which is stopped whole: a server started through another
    program (`make serve` runs gunicorn from a shell) is stopped with it."""
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as folder:
        log = Path(folder) / "server.log"
        with open(log, "w") as log_file:
            process = subprocess.Popen(command, env=env, stdout=log_file, stderr=subprocess.STDOUT,  # noqa: S603
                                       start_new_session=True)
        try:
            _wait_until_up(probe, process, log, timeout)
            yield
        finally:
            _signal_group(process, signal.SIGTERM)  # gunicorn stops its workers on SIGTERM
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group has gone already
        os.killpg(process.pid, signum)


def _wait_until_up(probe: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"{process.args[0]} exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(probe, timeout=10) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise BenchError(f"{probe} did not answer within {timeout:.0f} s:\n{log.read_text()}")


def throughput(url: str, *, cookie: str | None = None, seconds: float = 5.0, connections: int = 16) -> float:
    """Requests per second that `url` answers with 200, over `seconds` with `connections` concurrent connections.

    Uses wrk when on PATH, else a Python keep-alive load generator; prints which. Raises BenchError if any
    response was not a 200 (or, for the Python driver, if a connection failed)."""
    if shutil.which("wrk"):
        return _wrk(url, cookie, seconds, connections)
    return _python_driver(url, cookie, seconds, connections)


def _wrk(url: str, cookie: str | None, seconds: float, connections: int) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_SCRIPT)
    try:
        command = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s", "-s", script.name,
                   "-H", f"User-Agent: {USER_AGENT}"]
        if cookie:
            command += ["-H", f"Cookie: {cookie}"]
        result = subprocess.run([*command, url], capture_output=True, text=True, check=True,  # noqa: S603
                                timeout=seconds + 60)
    finally:
        os.unlink(script.name)
    out = result.stdout
    bad = re.search(r"BENCH_BAD_STATUS (\d+) (\d+)", out)
    rate = re.search(r"Requests/sec:\s*([\d.]+)", out)
    if bad is None or rate is None:
        raise BenchError(f"could not read wrk's output:\n{out}\n{result.stderr}")
    if int(bad.group(1)):
        raise BenchError(f"{url}: {bad.group(1)} responses were not 200 (first: {bad.group(2)})")
    errors = re.search(r"Socket errors: (.*)", out)
    note = f"; socket errors: {errors.group(1)}" if errors else ""
    cookies = re.search(r"BENCH_SET_COOKIE (\d+)", out)
    if cookies and int(cookies.group(1)):
        note += f"; {int(cookies.group(1)):,} responses set a cookie"
    value = float(rate.group(1))
    print(f"  wrk -c{connections} {urllib.parse.urlsplit(url).path}: {value:,.0f} req/s{note}")
    return value


def _python_driver(url: str, cookie: str | None, seconds: float, connections: int) -> float:
    parts = urllib.parse.urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"User-Agent": USER_AGENT, **({"Cookie": cookie} if cookie else {})}
    counts = [0] * connections
    failures: list[str] = []
    start = threading.Event()
    deadline = [0.0]

    def run(slot: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        start.wait()
        try:
            while time.monotonic() < deadline[0]:
                try:
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    response.read()
                except (ConnectionError, http.client.HTTPException):
                    conn.close()  # a sync worker closes after each response: reconnect
                    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                    continue
                if response.status != 200:
                    failures.append(f"{response.status}")
                    return
                counts[slot] += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        finally:
            conn.close()

    threads = [threading.Thread(target=run, args=(slot,), daemon=True) for slot in range(connections)]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    deadline[0] = began + seconds
    start.set()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    if failures:
        raise BenchError(f"{url}: {len(failures)} connections got a response other than 200 (first: {failures[0]})")
    value = sum(counts) / elapsed
    # The GIL caps this driver at a few hundred requests a second, well below wrk: a fast route (the bare one)
    # measures the client, so ratios to it come out flattering. Install wrk for figures to compare.
    print(f"  python driver (no wrk on PATH; client-bound near a few hundred req/s), {connections} connections "
          f"{parts.path}: {value:,.0f} req/s")
    return value


def interleaved_runs(measures: dict[str, Callable[[], float]], rounds: int = 3) -> dict[str, list[float]]:
    """Run each measure once per round, in turn (bare, page, bare, page, ...); return every run's figure."""
    results: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(rounds):
        for name, measure in measures.items():
            results[name].append(measure())
    return results


def interleaved(measures: dict[str, Callable[[], float]], rounds: int = 3) -> dict[str, float]:
    """Run each measure once per round, in turn (bare, page, bare, page, ...), and return each one's median."""
    return {name: statistics.median(values) for name, values in interleaved_runs(measures, rounds).items()}


def median_ratio(runs: dict[str, list[float]], name: str, floor: str) -> float:
    """The median over rounds of `name`'s figure divided by `floor`'s in the same round: on a shared machine whose
    load drifts, a page and the floor measured side by side compare better than their medians taken apart."""
    return statistics.median(page / bare for page, bare in zip(runs[name], runs[floor], strict=True))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def login_cookie(base: str, email: str, password: str) -> str:
    """Sign in through the real login form (with its CSRF token) and return the Cookie header value to send."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    opener.addheaders = [("User-Agent", USER_AGENT)]
    with opener.open(f"{base}/login", timeout=30) as response:
        page = response.read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    if token is None:
        raise BenchError("the login page has no csrf_token field")
    data = urllib.parse.urlencode({"csrf_token": token.group(1), "email": email, "password": password}).encode()
    try:
        opener.open(f"{base}/login", data=data, timeout=30)
    except urllib.error.HTTPError as redirect:  # the redirect handler declines, so a 302 arrives as an "error"
        location = redirect.headers.get("Location", "")
        if redirect.code not in (302, 303) or "/login" in location:
            raise BenchError(f"signing in as {email} answered {redirect.code} {location}") from None
    else:
        raise BenchError(f"signing in as {email} did not redirect: wrong password, or the form changed")
    # Open the page signing in leads to, as the browser does: its forms put a CSRF token in the session, and the
    # browser keeps the cookie that carries it. Without this visit every measured page would make a new token and
    # re-sign the session cookie on each request, which a browser's second page never does.
    try:
        opener.open(urllib.parse.urljoin(f"{base}/login", location), timeout=30).read()
    except urllib.error.HTTPError as answer:
        if answer.code not in (302, 303):
            raise BenchError(f"the page after signing in as {email} answered {answer.code}") from None
    cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)
    if "session=" not in cookies:
        raise BenchError(f"signing in as {email} set no session cookie")
    return cookies
