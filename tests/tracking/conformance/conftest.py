"""Fixtures for the xAPI 1.0.3 conformance suite: LRS credentials for two organisations (read/write and read only)
and requests through the Flask test client with HTTP Basic and the X-Experience-API-Version header."""

from __future__ import annotations

import base64
import json as jsonlib
from dataclasses import dataclass, field

import pytest

from lms.extensions import db
from lms.tracking.credentials import create_credential
from tests.factories import make_org

VERSION = "1.0.3"


def basic(key: str, secret: str) -> str:
    """The Authorization header value for HTTP Basic with this key and secret."""
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


@dataclass
class Lrs:
    """One organisation's LRS as a tool sees it: its credentials, and requests that carry them."""

    org: object
    key: str
    secret: str
    client: object = field(repr=False)

    @property
    def org_id(self) -> int:
        return self.org.id

    def headers(self, version: str | None = VERSION, auth: bool = True, **extra) -> dict:
        """Authorization (Basic) and X-Experience-API-Version (pass version=None to leave it out, auth=False to
        send no credentials); keyword extras become headers with '_' read as '-' (If_Match -> If-Match)."""
        headers = {}
        if auth:
            headers["Authorization"] = basic(self.key, self.secret)
        if version is not None:
            headers["X-Experience-API-Version"] = version
        for name, value in extra.items():
            headers[name.replace("_", "-")] = value
        return headers

    def request(self, method: str, path: str, *, query: dict | None = None, json=None, data=None,
                content_type: str | None = None, headers: dict | None = None, **kw):
        """Send a request with this LRS's headers; `json` is sent as application/json, `query` as the query
        string (values that are dicts or lists, such as `agent`, are JSON-encoded)."""
        all_headers = self.headers()
        all_headers.update(headers or {})
        if query is not None:
            kw["query_string"] = {k: (jsonlib.dumps(v) if isinstance(v, dict | list) else v)
                                  for k, v in query.items()}
        if json is not None:
            data, content_type = jsonlib.dumps(json), content_type or "application/json"
        return self.client.open(path, method=method, data=data, content_type=content_type, headers=all_headers,
                                **kw)

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def head(self, path: str, **kw):
        return self.request("HEAD", path, **kw)

    def put(self, path: str, **kw):
        return self.request("PUT", path, **kw)

    def post(self, path: str, **kw):
        return self.request("POST", path, **kw)

    def delete(self, path: str, **kw):
        return self.request("DELETE", path, **kw)


def _lrs(client, org, name: str, *, can_read: bool = True, can_write: bool = True) -> Lrs:
    credential, secret = create_credential(org.id, name, can_read=can_read, can_write=can_write, created_by_id=None)
    db.session.commit()
    return Lrs(org=org, key=credential.key, secret=secret, client=client)


@pytest.fixture
def lrs(app, client) -> Lrs:
    """Read and write credentials for the organisation Northwind."""
    return _lrs(client, make_org("Northwind", slug="northwind"), "Authoring tool")


@pytest.fixture
def lrs_read_only(lrs, client) -> Lrs:
    """Read-only credentials for the same organisation as `lrs`."""
    return _lrs(client, lrs.org, "Dashboard", can_read=True, can_write=False)


@pytest.fixture
def lrs_write_only(lrs, client) -> Lrs:
    """Write-only credentials for the same organisation as `lrs`."""
    return _lrs(client, lrs.org, "Sender", can_read=False, can_write=True)


@pytest.fixture
def other_lrs(app, client) -> Lrs:
    """Read and write credentials for a second organisation, Globex: it must never see Northwind's data."""
    return _lrs(client, make_org("Globex", slug="globex"), "Their tool")
