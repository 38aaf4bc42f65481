"""Statements for the Statement Resource conformance tests: a small valid one to vary, and helpers to send and read."""

from __future__ import annotations

import copy
import hashlib
import uuid

STATEMENTS = "/xapi/statements"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
ACTIVITY = "http://www.example.com/activities/explosives-training"


def new_id() -> str:
    return str(uuid.uuid4())


def statement(**overrides) -> dict:
    """A small valid statement (Ben completed explosives training); keyword arguments replace properties."""
    doc = {
        "actor": {"objectType": "Agent", "name": "Ben", "mbox": "mailto:ben@example.com"},
        "verb": {"id": COMPLETED, "display": {"en-US": "completed", "de": "abgeschlossen"}},
        "object": {"objectType": "Activity", "id": ACTIVITY,
                   "definition": {"name": {"en-US": "Explosives training", "de": "Sprengstoffausbildung"},
                                  "description": {"en-US": "How not to", "de": "Wie nicht"}}},
    }
    doc.update(copy.deepcopy(overrides))
    return doc


def voiding(target_id: str, **overrides) -> dict:
    """A statement voiding `target_id`."""
    return statement(verb={"id": VOIDED, "display": {"en-US": "voided"}},
                     object={"objectType": "StatementRef", "id": target_id}, **overrides)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def attachment(data: bytes, **overrides) -> dict:
    """An attachment object for `data` (text/plain), to send with the data as a part or with a fileUrl."""
    out = {"usageType": "http://example.com/attachment-usage/test", "display": {"en-US": "A test attachment"},
           "contentType": "text/plain", "length": len(data), "sha2": sha256(data)}
    out.update(overrides)
    return out


def multipart(first: bytes | str, parts: list[tuple[dict, bytes]], boundary: str = "abcABC0123'()+_,-./:=?",
              newline: bytes = b"\r\n") -> tuple[bytes, str]:
    """A multipart/mixed body: `first` (the statements, JSON) then each (headers, data) part; and its Content-Type."""
    first = first.encode() if isinstance(first, str) else first
    b = boundary.encode()
    chunks = [b"--" + b + newline + b"Content-Type: application/json" + newline + newline + first + newline]
    for headers, data in parts:
        head = b"".join(f"{k}: {v}".encode() + newline for k, v in headers.items())
        chunks.append(b"--" + b + newline + head + newline + data + newline)
    chunks.append(b"--" + b + b"--" + newline)
    return b"".join(chunks), f'multipart/mixed; boundary="{boundary}"'


def part_headers(data: bytes, **extra) -> dict:
    """The headers xAPI asks of an attachment part."""
    headers = {"Content-Type": "text/plain", "Content-Transfer-Encoding": "binary", "X-Experience-API-Hash": sha256(data)}
    headers.update(extra)
    return headers


def post(lrs, doc, **kw):
    return lrs.post(STATEMENTS, json=doc, **kw)


def put(lrs, doc, statement_id: str | None = None, **kw):
    return lrs.put(STATEMENTS, query={"statementId": statement_id or doc["id"]}, json=doc, **kw)


def get(lrs, **query):
    """GET /xapi/statements with these query parameters (dicts JSON-encoded)."""
    return lrs.get(STATEMENTS, query=query)


def ids(response) -> list[str]:
    return [s["id"] for s in response.get_json()["statements"]]


def store(lrs, *docs) -> list[str]:
    """POST the statements (one request) and return their ids; fails the test unless the LRS answers 200."""
    response = post(lrs, list(docs))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()
