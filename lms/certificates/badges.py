"""Pure Open Badges 2.0: hosted Assertion, BadgeClass and Issuer documents, hashed recipients, baked SVGs."""

# Spec: https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html (hosted verification,
# revocation by `410 Gone` with `revoked` and `revocationReason`) and its Baking Specification (SVG:
# an `<openbadges:assertion verify="…">` element in the http://openbadges.org namespace).

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

CONTEXT = "https://w3id.org/openbadges/v2"
OPENBADGES_NS = "http://openbadges.org"
JSON_LD = "application/ld+json"


def hashed_identity(email: str, salt: str) -> str:
    """Return the IdentityHash of an email: "sha256$" + hex SHA-256 of the email followed by the salt."""
    return "sha256$" + hashlib.sha256((email + salt).encode("utf-8")).hexdigest()


def identity_matches(identity: str, email: str, salt: str) -> bool:
    """Return True when `identity` is the hash of `email` with `salt` (how a displayer checks a recipient)."""
    return identity == hashed_identity(email.strip().lower(), salt)


@dataclass(frozen=True)
class AssertionData:
    url: str  # the assertion's own URL: its id
    badge_url: str
    image_url: str
    identity: str
    salt: str
    issued_on: str  # ISO 8601 with offset
    expires: str | None
    revoked: bool
    revocation_reason: str | None


def assertion(data: AssertionData) -> dict:
    """Return the hosted Assertion. A revoked one keeps every required property and adds `revoked` and the
    reason, without the baked image (gone too): validators that read only the body (openbadges-validator-core
    1.1) then see a well-formed Assertion that says it is revoked, not a malformed one missing `recipient`."""
    doc = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": data.url,
        "recipient": {"type": "email", "hashed": True, "salt": data.salt, "identity": data.identity},
        "badge": data.badge_url,
        "verification": {"type": "hosted"},
        "issuedOn": data.issued_on,
    }
    if data.expires:
        doc["expires"] = data.expires
    if not data.revoked:
        doc["image"] = data.image_url
    else:
        doc["revoked"] = True
        if data.revocation_reason:
            doc["revocationReason"] = data.revocation_reason
    return doc


def badge_class(*, url: str, name: str, description: str, image_url: str, criteria: str, issuer_url: str,
                tags: Sequence[str] = ()) -> dict:
    """Return a BadgeClass: one per course that awards certificates."""
    doc = {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": url,
        "name": name,
        "description": description,
        "image": image_url,
        "criteria": {"narrative": criteria},
        "issuer": issuer_url,
    }
    if tags:
        doc["tags"] = list(tags)
    return doc


def issuer(*, url: str, name: str, homepage: str, email: str, image_url: str | None = None) -> dict:
    """Return the Issuer Profile (id, type, name, url and email are required for issuers)."""
    doc = {"@context": CONTEXT, "type": "Issuer", "id": url, "name": name, "url": homepage, "email": email}
    if image_url:
        doc["image"] = image_url
    return doc


def to_json(doc: dict) -> str:
    """Serialise a badge document (UTF-8 text kept as is)."""
    return json.dumps(doc, ensure_ascii=False, indent=2)


def _initials(title: str) -> str:
    words = [w for w in title.replace("-", " ").split() if w[:1].isalnum()]
    significant = [w for w in words if w[:1].isupper()] or words
    return "".join(w[0] for w in significant[:3]).upper() or "ABM"


def _lines(text: str, width: int = 18, count: int = 3) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    if len(lines) > count:
        lines = lines[:count]
        lines[-1] = lines[-1][: width - 1].rstrip() + "\u2026"
    return lines


def badge_svg(title: str, issuer_name: str) -> str:
    """Return the badge artwork for a course as a standalone SVG (the BadgeClass image, unbaked)."""
    rows = _lines(title)
    start = 292 - (len(rows) - 1) * 13
    text = "".join(
        f'<text x="256" y="{start + i * 26}" text-anchor="middle" font-size="22" font-weight="700" '
        f'fill="#ffffff">{escape(row)}</text>'
        for i, row in enumerate(rows)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512" role="img" '
        f'aria-label={quoteattr(title)}>'
        f"<title>{escape(title)}</title>"
        '<circle cx="256" cy="256" r="248" fill="#1e3a8a"/>'
        '<circle cx="256" cy="256" r="226" fill="#1d4ed8" stroke="#fbbf24" stroke-width="10"/>'
        '<circle cx="256" cy="256" r="186" fill="none" stroke="#ffffff" stroke-width="3" stroke-dasharray="6 8"/>'
        f'<text x="256" y="200" text-anchor="middle" font-size="72" font-weight="700" fill="#fbbf24" '
        f'font-family="DejaVu Sans, Noto Sans, sans-serif">{escape(_initials(title))}</text>'
        f'<g font-family="DejaVu Sans, Noto Sans, sans-serif">{text}</g>'
        f'<text x="256" y="410" text-anchor="middle" font-size="18" fill="#dbeafe" '
        f'font-family="DejaVu Sans, Noto Sans, sans-serif">{escape(issuer_name)}</text>'
        "</svg>"
    )


def bake_svg(svg: str, assertion_url: str, assertion_doc: dict | None = None) -> str:
    """Bake a hosted assertion into an SVG: declare the openbadges namespace on <svg> and put
    `<openbadges:assertion verify="URL">` straight after the opening tag, with the assertion JSON (if given)
    in CDATA. Raises ValueError for something that isn't an SVG document or is already baked."""
    start = svg.find("<svg")
    end = svg.find(">", start)
    if start < 0 or end < 0:
        raise ValueError("not an SVG document")
    if "openbadges:assertion" in svg:
        raise ValueError("the SVG already carries an Open Badges assertion")
    opening = svg[start:end]
    if 'xmlns:openbadges="' not in opening:
        opening += f' xmlns:openbadges="{OPENBADGES_NS}"'
    body = ""
    if assertion_doc is not None:
        body = "<![CDATA[" + to_json(assertion_doc).replace("]]>", "]]]]><![CDATA[>") + "]]>"
    element = f"<openbadges:assertion verify={quoteattr(assertion_url)}>{body}</openbadges:assertion>"
    return svg[:start] + opening + ">" + element + svg[end + 1:]

