"""Read the loose values of an exercise answer (ids, numbers, text, lists, rows) for the checkers.

Pure and total: every function accepts any value a JSON answer (or a test) can hold and never raises.
"""

from __future__ import annotations

import math
from collections.abc import Container, Mapping

_BLANK = (None, "", [], ())


def as_id(value: object) -> int | None:
    """Return a record id from an int, a whole float or a string of digits ("12" -> 12), else None.

    Bools are not ids; negative numbers pass through as ints, but "-3" (like any other text) is not read.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value.strip())
    return None


def as_number(value: object, *, formatted: bool = False) -> float | None:
    """Return a finite float from a number or numeric text ("12", " 1.5 "), else None (bools, NaN, inf too).

    With `formatted`, text may also carry thousands commas and a trailing percent sign, as people write
    figures: "1,200" -> 1200.0 and "45%" -> 45.0 (the sign is dropped, the number is not divided by 100).
    """
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | float):
            f = float(value)
        elif isinstance(value, str):
            text = value.strip()
            if formatted:
                text = text.rstrip("%").replace(",", "")
            f = float(text)
        else:
            return None
    except (ValueError, OverflowError):  # not a number, or an int too large for a float
        return None
    return f if math.isfinite(f) else None


def as_text(value: object) -> str:
    """Return a string answer stripped of surrounding white space; anything else is ""."""
    return value.strip() if isinstance(value, str) else ""


def as_strings(value: object) -> list[str]:
    """Return the non-blank strings, stripped, of a list, tuple or set, or of comma-separated text.

    Items that are not strings are dropped; any other value gives [].
    """
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple | set | frozenset):
        return []
    return [v.strip() for v in value if isinstance(v, str) and v.strip()]


def as_rows(value: object) -> list | None:
    """Return the rows of a `rows` answer field as a list: [] when it is missing or empty, None when unreadable.

    A list or tuple is the rows (each row is normally a dict, but may be anything); None and "" are no rows;
    anything else cannot be read, and the checker decides whether that is a finding.
    """
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return None


def filled_rows(answer: Mapping, name: str) -> list[tuple[int, dict]]:
    """Return the filled rows of a `rows` field as (row number from 1, row): blank and unreadable rows left out."""
    rows = as_rows(answer.get(name)) or []
    return [(n, r) for n, r in enumerate(rows, start=1) if isinstance(r, dict) and not is_blank_row(r)]


def is_blank_row(row: Mapping) -> bool:
    """Return True when every cell of an answer row is empty (None, "", [] or ()): a row left unfilled."""
    return all(v in _BLANK for v in row.values())


def is_filled(value: object, placeholders: Container[str] = frozenset()) -> bool:
    """Return True for a string with text in it that is not, case-insensitively, one of `placeholders`."""
    text = as_text(value)
    return bool(text) and text.lower() not in placeholders
