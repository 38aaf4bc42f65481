"""Talking to an external LRS: POST a batch of statements (xAPI 1.0.3, Basic auth), and the retry back-off.

Pure apart from the HTTP call itself: no Flask, no database. Uses the standard library's HTTP client.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from lms.tracking.xapi import VERSION


class LRSError(Exception):
    """The LRS did not store the batch. `status` is the HTTP status (None when it could not be reached)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def rejected(self) -> bool:
        """True when the LRS refused the content itself (400 or 409): sending it again unchanged won't help."""
        return self.status in (400, 409)


@dataclass(frozen=True)
class LRS:
    """Where and how to send statements."""

    endpoint: str  # the LRS's xAPI base, e.g. https://lrs.example.com/xapi/
    username: str = ""
    password: str = ""
    timeout: float = 10.0

    @property
    def statements_url(self) -> str:
        return self.endpoint.rstrip("/") + "/statements"


def post_statements(lrs: LRS, statements: list[dict]) -> None:
    """POST `statements` as one JSON list to the LRS's statements resource.

    Returns when the LRS answers 200 or 204. Raises LRSError with the status for any other answer, or with no
    status when the LRS could not be reached (refused, timed out, DNS, TLS).
    """
    url = lrs.statements_url
    if urlsplit(url).scheme not in ("http", "https"):
        raise LRSError(f"the LRS endpoint must be an http(s) URL, got {lrs.endpoint!r}")
    headers = {"Content-Type": "application/json", "X-Experience-API-Version": VERSION}
    if lrs.username or lrs.password:
        credentials = base64.b64encode(f"{lrs.username}:{lrs.password}".encode()).decode()
        headers["Authorization"] = f"Basic {credentials}"
    # The scheme is checked above: only http(s), never file: or custom schemes.
    request = urllib.request.Request(url, data=json.dumps(statements).encode(), headers=headers,  # noqa: S310
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=lrs.timeout) as response:  # noqa: S310
            status = response.status
            response.read()
    except urllib.error.HTTPError as exc:
        body = exc.read(300).decode("utf-8", "replace").strip()
        raise LRSError(f"the LRS answered {exc.code} {exc.reason}: {body}".rstrip(": "), exc.code) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise LRSError(f"the LRS could not be reached: {reason}") from None
    if status not in (200, 204):
        raise LRSError(f"the LRS answered {status}", status)


def retry_delay(attempts: int, base_seconds: float, max_seconds: float) -> timedelta:
    """Return how long to wait after the `attempts`-th failed try: base, 2 x base, 4 x base ..., at most max."""
    exponent = max(0, attempts - 1)
    seconds = base_seconds * 2 ** min(exponent, 30)
    return timedelta(seconds=min(seconds, max_seconds))
