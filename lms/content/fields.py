"""Typed fields of the content files: each value read as the kind its field expects, faults reported by line.

Pure (no Flask, no database).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lms.content.problems import Report
from lms.content.yaml_lines import Lines


@dataclass(frozen=True)
class Field:
    """What one field of a content file must hold."""

    kind: str  # a key of KINDS
    required: bool = True
    non_empty: bool = False


KINDS: dict[str, str] = {
    "text": "non-empty text",
    "int": "a whole number",
    "bool": "true or false",
    "date": "a date (YYYY-MM-DD)",
    "texts": "a list of text items",
    "list": "a list",
    "mapping": "a mapping of fields",
}


def typed(value: Any, kind: str) -> Any:
    """Return `value` as `kind` (text stripped, lists as tuples), or None if it is not one."""
    if kind == "text":
        return (value.strip() or None) if isinstance(value, str) else None
    if kind == "int":
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if kind == "bool":
        return value if isinstance(value, bool) else None
    if kind == "date":
        if isinstance(value, datetime):
            return value.date()
        return value if isinstance(value, date) else None
    if kind == "texts":
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            return None
        return tuple(item.strip() for item in value)
    if kind == "list":
        return value if isinstance(value, list) else None
    return value if isinstance(value, dict) else None


def read_fields(
    data: dict[Any, Any],
    lines: Lines,
    spec: dict[str, Field],
    report: Report,
    missing_line: int,
    prefix: str = "",
) -> dict[str, Any]:
    """Return the well-typed values of `data` by field name, reporting unknown, missing and mistyped ones."""
    for name in data:
        if name not in spec:
            report(lines.at(name), f"{prefix}unknown field '{name}'")
    values: dict[str, Any] = {}
    for name, spec_field in spec.items():
        if name not in data:
            if spec_field.required:
                report(missing_line, f"{prefix}missing required field '{name}'")
            continue
        value = typed(data[name], spec_field.kind)
        if value is None:
            report(lines.at(name), f"{prefix}'{name}' must be {KINDS[spec_field.kind]}")
        elif spec_field.non_empty and not value:
            report(lines.at(name), f"{prefix}'{name}' must not be empty")
        else:
            values[name] = value
    return values


def label(kind: str, slug: Any, index: int) -> str:
    """Return how messages name an item: by its slug or id when it has a usable one, else by its position."""
    return f"{kind} '{slug.strip()}'" if isinstance(slug, str) and slug.strip() else f"{kind} {index + 1}"
