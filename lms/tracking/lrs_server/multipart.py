"""multipart/mixed bodies (RFC 2046) as xAPI sends statements with attachments: the statements as the first part,
each attachment's raw data in a part of its own. Reads CRLF or bare LF line ends. Pure: no Flask, no database."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from email.message import Message


class MultipartError(ValueError):
    """A body that is not multipart/mixed as RFC 2046 and xAPI describe it, with the reason."""


@dataclass(frozen=True)
class Part:
    """One part: its headers (names in lower case) and its raw content."""

    headers: dict[str, str]
    content: bytes


def boundary_of(content_type: str) -> str:
    """The boundary parameter of a multipart Content-Type. Raises MultipartError when there is none."""
    message = Message()
    message["content-type"] = content_type
    boundary = message.get_param("boundary")
    if not isinstance(boundary, str) or not boundary or len(boundary) > 70:
        raise MultipartError("the multipart/mixed Content-Type needs a boundary parameter (1-70 characters)")
    return boundary


def _headers(block: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    last = None
    for line in re.split(rb"\r?\n", block):
        if not line:
            continue
        if line[:1] in (b" ", b"\t") and last:
            headers[last] += " " + line.strip().decode("latin-1")
            continue
        name, colon, value = line.partition(b":")
        if not colon or not name.strip():
            raise MultipartError(f"a part has a malformed header line: {line[:60]!r}")
        last = name.strip().decode("latin-1").lower()
        headers[last] = value.strip().decode("latin-1")
    return headers


def _part(raw: bytes) -> Part:
    if raw.startswith((b"\r\n", b"\n")):
        return Part({}, raw[2:] if raw.startswith(b"\r\n") else raw[1:])
    ends = [(i, sep) for sep in (b"\r\n\r\n", b"\n\n") if (i := raw.find(sep)) >= 0]
    if not ends:
        raise MultipartError("a part has no blank line between its headers and its content")
    at, sep = min(ends)
    return Part(_headers(raw[:at]), raw[at + len(sep):])


def parse(body: bytes, boundary: str) -> list[Part]:
    """The parts of a multipart body, in order. Raises MultipartError when the body does not start with the
    boundary (after an optional preamble), a part is malformed, or the closing boundary is missing."""
    delimiter = b"--" + boundary.encode("latin-1")
    if body.startswith(delimiter):
        position = 0
    elif (found := body.find(b"\n" + delimiter)) >= 0:
        position = found + 1
    else:
        raise MultipartError("the body does not contain the boundary the Content-Type names")
    parts = []
    while True:
        after = position + len(delimiter)
        if body[after:after + 2] == b"--":
            break
        end_of_line = body.find(b"\n", after)
        if end_of_line < 0 or body[after:end_of_line].strip(b" \t\r"):
            raise MultipartError("a boundary line is malformed, or the closing boundary is missing")
        start = end_of_line + 1
        following = body.find(b"\n" + delimiter, start - 1)
        if following < 0:
            raise MultipartError("the closing boundary is missing")
        raw = body[start:following] if following >= start else b""
        parts.append(_part(raw[:-1] if raw.endswith(b"\r") else raw))
        position = following + 1
    if not parts:
        raise MultipartError("the body has no parts")
    return parts


def build(parts: list[Part]) -> tuple[bytes, str]:
    """A multipart/mixed body of these parts (CRLF line ends) and its boundary."""
    boundary = uuid.uuid4().hex
    chunks = []
    for part in parts:
        head = "".join(f"{name}: {value}\r\n" for name, value in part.headers.items())
        chunks.append(f"--{boundary}\r\n{head}\r\n".encode("latin-1") + part.content + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), boundary
