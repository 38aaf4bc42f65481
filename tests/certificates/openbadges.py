"""An Open Badges 2.0 structure check for tests: the rules of the spec's vocabulary and hosted verification
that our documents must meet (the `openbadges` validator needs the network, so it isn't used)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 - parses the SVGs this app serves, in tests
from datetime import datetime
from urllib.parse import urlsplit

CONTEXT = "https://w3id.org/openbadges/v2"
ISO_8601_WITH_ZONE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
IDENTITY_HASH = re.compile(r"^(sha256\$[0-9a-fA-F]{64}|md5\$[0-9a-fA-F]{32})$")


def _is_url(value) -> bool:
    parts = urlsplit(value) if isinstance(value, str) else None
    return bool(parts and parts.scheme in ("http", "https") and parts.netloc)


def _types(doc: dict) -> list[str]:
    value = doc.get("type")
    return value if isinstance(value, list) else [value]


def _datetime_problems(doc: dict, key: str) -> list[str]:
    value = doc.get(key)
    if not isinstance(value, str) or not ISO_8601_WITH_ZONE.match(value):
        return [f"{key} must be an ISO 8601 string with a time zone, got {value!r}"]
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return []


def _common(doc: dict, type_: str, url: str | None) -> list[str]:
    problems = []
    if doc.get("@context") != CONTEXT:
        problems.append(f"@context must be {CONTEXT!r}")
    if type_ not in _types(doc):
        problems.append(f"type must include {type_!r}, got {doc.get('type')!r}")
    if not _is_url(doc.get("id")):
        problems.append(f"id must be an HTTP(S) IRI, got {doc.get('id')!r}")
    elif url is not None and doc["id"] != url:
        problems.append(f"id {doc['id']!r} is not the URL it was fetched from ({url!r})")
    return problems


def assertion_problems(doc: dict, url: str | None = None) -> list[str]:
    """Problems with a hosted Assertion (a revoked one only needs id and revoked)."""
    problems = _common(doc, "Assertion", url)
    if doc.get("revoked") is True:
        if "revocationReason" in doc and not isinstance(doc["revocationReason"], str):
            problems.append("revocationReason must be text")
        return problems
    recipient = doc.get("recipient")
    if not isinstance(recipient, dict):
        return [*problems, "recipient must be an IdentityObject"]
    if recipient.get("type") != "email":
        problems.append("recipient.type must be 'email'")
    if recipient.get("hashed") is not True:
        problems.append("recipient.hashed must be the boolean true")
    if not IDENTITY_HASH.match(str(recipient.get("identity", ""))):
        problems.append("recipient.identity must be an IdentityHash (sha256$hex)")
    if not isinstance(recipient.get("salt"), str):
        problems.append("recipient.salt must be text when hashed with a salt")
    if not _is_url(doc.get("badge")):
        problems.append("badge must be the BadgeClass IRI")
    verification = doc.get("verification")
    if not isinstance(verification, dict) or verification.get("type") not in ("hosted", "HostedBadge"):
        problems.append("verification.type must be 'hosted' (HostedBadge)")
    problems += _datetime_problems(doc, "issuedOn")
    if "expires" in doc:
        problems += _datetime_problems(doc, "expires")
    if "image" in doc and not _is_url(doc["image"]):
        problems.append("image must be an IRI")
    if "revoked" in doc and not isinstance(doc["revoked"], bool):
        problems.append("revoked must be a boolean")
    return problems


def badge_class_problems(doc: dict, url: str | None = None) -> list[str]:
    """Problems with a BadgeClass."""
    problems = _common(doc, "BadgeClass", url)
    for key in ("name", "description"):
        if not isinstance(doc.get(key), str) or not doc[key]:
            problems.append(f"{key} is required text")
    if not _is_url(doc.get("image")):
        problems.append("image must be an IRI")
    criteria = doc.get("criteria")
    if not (_is_url(criteria) or (isinstance(criteria, dict) and (criteria.get("narrative") or
                                                                  _is_url(criteria.get("id"))))):
        problems.append("criteria must be an IRI or a Criteria document with a narrative or id")
    if not _is_url(doc.get("issuer")):
        problems.append("issuer must be the issuer Profile's IRI")
    if "tags" in doc and not all(isinstance(t, str) for t in doc["tags"]):
        problems.append("tags must be text")
    return problems


def issuer_problems(doc: dict, url: str | None = None) -> list[str]:
    """Problems with an issuer Profile (id, type, name, url and email are required for issuers)."""
    problems = _common(doc, "Issuer", url)
    if not isinstance(doc.get("name"), str) or not doc["name"]:
        problems.append("name is required")
    if not _is_url(doc.get("url")):
        problems.append("url must be an HTTP(S) URL")
    if "@" not in str(doc.get("email", "")):
        problems.append("email is required")
    return problems


def same_origin(*urls: str) -> bool:
    """Hosted verification's default scope: assertion, badge class and issuer on one origin."""
    return len({(urlsplit(u).scheme, urlsplit(u).netloc) for u in urls}) == 1


def parse_svg(data: bytes | str) -> ET.Element:
    """Parse an SVG this app produced (raises ParseError when it isn't well-formed XML)."""
    return ET.fromstring(data)  # noqa: S314 - our own output, not untrusted input
