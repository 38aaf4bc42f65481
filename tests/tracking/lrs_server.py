"""A small real LRS for tests: an HTTP server on a free loopback port that stores POSTed statements by id and can
be switched down (503), offline (connection refused) or picky (400 for chosen statement ids)."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _answer(self, status: int, body) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
        lrs = self.server.lrs
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lrs.lock:
            lrs.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
            if self.path != "/xapi/statements":
                return self._answer(404, {"error": "no such resource"})
            if lrs.mode == "down" or (lrs.fail_after is not None and lrs.successes >= lrs.fail_after):
                return self._answer(503, {"error": "down for maintenance"})
            if self.headers.get("Authorization") != lrs.expected_auth:
                return self._answer(401, {"error": "bad credentials"})
            statements = json.loads(body)
            if any(s["id"] in lrs.poison for s in statements):
                return self._answer(400, {"error": "statement rejected"})
            for s in statements:
                held = lrs.stored.get(s["id"])
                if held is not None and held != s:
                    return self._answer(409, {"error": f"a different statement {s['id']} exists"})
            for s in statements:
                if s["id"] not in lrs.stored:
                    lrs.stored[s["id"]] = s
                    lrs.received.append(s["id"])
            lrs.successes += 1
            return self._answer(200, [s["id"] for s in statements])


class _Server(ThreadingHTTPServer):
    lrs: FakeLRS


class FakeLRS:
    def __init__(self, username: str = "key", password: str = "secret") -> None:  # noqa: S107 - test credentials
        self.expected_auth = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        self.mode = "up"  # up | down
        self.fail_after: int | None = None  # answer 503 after this many successful requests
        self.poison: set[str] = set()
        self.stored: dict[str, dict] = {}
        self.received: list[str] = []  # ids in the order first stored
        self.requests: list[dict] = []
        self.successes = 0
        self.lock = threading.Lock()
        self.port = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/xapi/"

    def start(self) -> FakeLRS:
        self._server = _Server(("127.0.0.1", self.port), _Handler)
        self._server.lrs = self
        self.port = self._server.server_address[1]
        server = self._server
        self._thread = threading.Thread(target=lambda: server.serve_forever(poll_interval=0.05), daemon=True)
        self._thread.start()
        return self

    def go_offline(self) -> None:
        """Close the listening socket: connections are refused until come_back()."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def come_back(self) -> None:
        self.start()

    stop = go_offline
