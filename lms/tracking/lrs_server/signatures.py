"""Signed statements (xAPI Data 2.6): the checks the LRS makes on a JWS signature attachment before it stores the
statement. Pure: no Flask, no database."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from lms.tracking.validation import SIGNATURE_USAGE

ALGORITHMS = {"RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512}
SIGNATURE_TYPE = "application/octet-stream"


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _parts(jws: bytes) -> tuple[str, str, str]:
    """(protected header, payload, signature) of a compact (or flattened JSON) serialisation, base64url."""
    text = jws.decode("ascii").strip()
    if text.startswith("{"):
        data = json.loads(text)
        return data["protected"], data["payload"], data["signature"]
    header, payload, signature = text.split(".")
    return header, payload, signature


def _verify(header: Mapping, signing_input: bytes, signature: bytes) -> str | None:
    chain = header.get("x5c")
    if not chain:
        return None
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0]))
        key = certificate.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            return "the signing certificate's key is not an RSA key"
        key.verify(signature, signing_input, padding.PKCS1v15(), ALGORITHMS[header["alg"]]())
    except InvalidSignature:
        return "the signature does not verify against the certificate in its x5c header"
    except (ValueError, TypeError, IndexError, binascii.Error):
        return "the x5c header does not hold an X.509 certificate"
    return None


def signature_problems(statement: Mapping, jws: bytes, same: Callable[[Mapping, Mapping], bool]) -> list[str]:
    """What makes a statement's signature malformed (an empty list when it is well formed): the JWS must decode,
    use RS256, RS384 or RS512, carry the statement as its JSON payload (logically the same, by `same`, as the
    statement received without its signature attachment) and verify against the x5c certificate when it has one."""
    try:
        header_b64, payload_b64, signature_b64 = _parts(jws)
        header = json.loads(_b64url(header_b64))
        signature = _b64url(signature_b64)
        payload = json.loads(_b64url(payload_b64).decode("utf-8"))
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        return ["the signature is not a JSON web signature with a JSON statement as its payload"]
    if not isinstance(header, dict) or header.get("alg") not in ALGORITHMS:
        return ["the signature must use the algorithm RS256, RS384 or RS512"]
    if not isinstance(payload, dict):
        return ["the signature's payload must be the statement as a JSON object"]
    unsigned = dict(statement)
    others = [a for a in statement.get("attachments", []) if a.get("usageType") != SIGNATURE_USAGE]
    unsigned.pop("attachments", None)
    if others:
        unsigned["attachments"] = others
    if not same(payload, unsigned):
        return ["the signed statement (the signature's payload) differs from the statement sent"]
    problem = _verify(header, f"{header_b64}.{payload_b64}".encode("ascii"), signature)
    return [problem] if problem else []


def signature_attachments(statement: Mapping) -> list[Mapping]:
    """The statement's signature attachments (usageType http://adlnet.gov/expapi/attachments/signature)."""
    return [a for a in statement.get("attachments", []) if isinstance(a, Mapping)
            and a.get("usageType") == SIGNATURE_USAGE]
