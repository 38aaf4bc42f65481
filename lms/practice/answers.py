"""Exercise answers, from a submitted form (MultiDict or dict) to the answer checkers receive and back to form
values, by the exercise's `answer_fields`. Pure; never raises. Form names: `answer-<field>` for a field,
`answer-<field>-<row>-<column>` for a cell of a `rows` field."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from lms.abm.coverage import normalise_role
from lms.abm.vocabulary import SIGNAL_TYPES

PREFIX = "answer"
MULTI_TYPES = frozenset({"multichoice", "roles", "signal_types"})
MAX_ROWS = 200  # rows kept per table: far more than any exercise needs, few enough to keep a page light
MAX_TEXT = 10_000  # characters kept per text cell
BLANK_ROWS = 3  # empty rows offered below the filled ones; "add more rows" adds this many again
MAX_BLANK_ROWS = 60

_NUMBER_JUNK = re.compile(r"[\s,_£$€%]")


def field_key(name: str) -> str:
    """Return the form name of a top-level answer field."""
    return f"{PREFIX}-{name}"


def cell_key(field: str, row: int, column: str) -> str:
    """Return the form name of one cell of a `rows` field (rows counted from 0)."""
    return f"{PREFIX}-{field}-{row}-{column}"


def _getlist(form: object, key: str) -> list[str]:
    """All values sent under `key`, as strings (MultiDict.getlist, or a plain dict's value or list)."""
    try:
        if hasattr(form, "getlist"):
            values = form.getlist(key)
        elif isinstance(form, Mapping):
            value = form.get(key)
            values = [] if value is None else list(value) if isinstance(value, list | tuple) else [value]
        else:
            return []
    except Exception:  # noqa: BLE001 - a form object that misbehaves is treated as empty, never an error
        return []
    return [v if isinstance(v, str) else str(v) for v in values if v is not None]


def _first(form: object, key: str) -> str:
    values = _getlist(form, key)
    return values[0] if values else ""


def _keys(form: object) -> list[str]:
    try:
        return [k for k in form if isinstance(k, str)]  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001
        return []


def parse_number(text: str) -> float | None:
    """Return a float from loosely typed text ("1,200", "60%", "£5k" is not a number), or None."""
    cleaned = _NUMBER_JUNK.sub("", text or "")
    if not cleaned or len(cleaned) > 40:
        return None
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_account(text: str) -> int | None:
    """Return an account id from a form value, or None."""
    text = (text or "").strip()
    if not text.isdigit() or len(text) > 18:
        return None
    value = int(text)
    return value or None


def _choices(field: Mapping) -> list[str]:
    raw = field.get("choices") or []
    return [str(c) for c in raw] if isinstance(raw, list | tuple) else []


def _parse_value(field: Mapping, values: list[str], account: Callable[[str], object] = parse_account) -> object:
    """Parse the values sent for one field (or cell) by its type (an account's text by `account`); unknown types
    read as text."""
    kind = field.get("type")
    if kind in MULTI_TYPES:
        out: dict[str, None] = {}
        allowed = set(_choices(field)) if kind == "multichoice" else set(SIGNAL_TYPES)
        for value in values:
            for part in value.split(",") if kind != "multichoice" else [value]:
                item = normalise_role(part) if kind == "roles" else part.strip()
                if item and (kind == "roles" or item in allowed):
                    out[item] = None
        return list(out)
    first = values[0] if values else ""
    if kind == "number":
        return parse_number(first)
    if kind == "account":
        return account(first)
    if kind == "role":
        return normalise_role(first)
    if kind == "choice":
        first = first.strip()
        return first if first in _choices(field) else None
    return first.strip()[:MAX_TEXT]


def is_empty(value: object) -> bool:
    """True for a value the learner did not fill in: None, "" or []."""
    return value is None or value == "" or value == []


def _row_indexes(form: object, name: str) -> list[int]:
    pattern = re.compile(rf"^{re.escape(PREFIX)}-{re.escape(name)}-(\d{{1,4}})-")
    found = {int(m.group(1)) for k in _keys(form) if (m := pattern.match(k))}
    return sorted(found)[:MAX_ROWS]


def _columns(field: Mapping) -> list[Mapping]:
    columns = field.get("columns") or []
    return [c for c in columns if isinstance(c, Mapping) and isinstance(c.get("name"), str)] \
        if isinstance(columns, list | tuple) else []


def parse_answer(fields: Sequence[Mapping], form: object, *,
                 account: Callable[[str], object] = parse_account) -> dict:
    """Return the answer dict an exercise's checker receives, read from a submitted form.

    Every field appears: `rows` as a list of row dicts (rows left empty are dropped), `account` as an int id
    or None (what `account` makes of the text sent: by default an id or None; lms.accounts.picks also
    reads names), `number` as a float or None, `multichoice`/`roles`/`signal_types` as lists of strings, `role`
    and `choice` as a valid value or None, text as a stripped string. Never raises.
    """
    answer: dict = {}
    for field in fields or ():
        if not isinstance(field, Mapping) or not isinstance(field.get("name"), str):
            continue
        name = field["name"]
        if field.get("type") == "rows":
            rows = []
            columns = _columns(field)
            for index in _row_indexes(form, name):
                row = {c["name"]: _parse_value(c, _getlist(form, cell_key(name, index, c["name"])), account)
                       for c in columns}
                if not all(is_empty(v) for v in row.values()):
                    rows.append(row)
            answer[name] = rows
        else:
            answer[name] = _parse_value(field, _getlist(form, field_key(name)), account)
    return answer


def _as_text(value: object) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _as_list(value: object) -> list[str]:
    if isinstance(value, list | tuple):
        return [_as_text(v) for v in value if not is_empty(v)]
    return [] if is_empty(value) else [_as_text(value)]


def form_values(fields: Sequence[Mapping], answer: Mapping | None) -> dict[str, object]:
    """Return {field name: what to show in the form} for a saved answer.

    Single values become strings, multi-value fields lists of strings, and `rows` a list of {column: value}
    rows (non-empty ones only). Never raises, whatever the saved answer holds.
    """
    answer = answer if isinstance(answer, Mapping) else {}
    out: dict[str, object] = {}
    for field in fields or ():
        if not isinstance(field, Mapping) or not isinstance(field.get("name"), str):
            continue
        name, value = field["name"], answer.get(field["name"])
        if field.get("type") == "rows":
            rows = []
            for row in value if isinstance(value, list) else []:
                if not isinstance(row, Mapping):
                    continue
                shown = {c["name"]: (_as_list(row.get(c["name"])) if c.get("type") in MULTI_TYPES
                                     else _as_text(row.get(c["name"]))) for c in _columns(field)}
                if not all(is_empty(v) for v in shown.values()):
                    rows.append(shown)
            out[name] = rows[:MAX_ROWS]
        elif field.get("type") in MULTI_TYPES:
            out[name] = _as_list(value)
        else:
            out[name] = _as_text(value)
    return out


def to_form(fields: Sequence[Mapping], answer: Mapping | None) -> dict[str, list[str]]:
    """Return the flat form data ({form name: [values]}) that `parse_answer` reads back as this answer."""
    data: dict[str, list[str]] = {}
    for field in fields or ():
        if not isinstance(field, Mapping) or not isinstance(field.get("name"), str):
            continue
        name = field["name"]
        value = form_values([field], answer).get(name)
        if field.get("type") == "rows":
            for index, row in enumerate(value or []):
                for column, cell in row.items():
                    data[cell_key(name, index, column)] = cell if isinstance(cell, list) else [cell]
        else:
            data[field_key(name)] = value if isinstance(value, list) else [value]
    return data


@dataclass(frozen=True)
class RowSlots:
    """How many rows a `rows` field shows: those with content, then empty ones to fill in."""

    filled: int  # rows with content
    blank: int  # empty rows offered after them

    @property
    def total(self) -> int:
        return self.filled + self.blank


def row_slots(field: Mapping, filled: int, extra: object = None) -> RowSlots:
    """How many rows a `rows` field shows: the filled ones, then BLANK_ROWS empty ones (or `extra`, when the
    learner asked for more), and never fewer than the field's `min_rows` in all."""
    try:
        blank = int(str(extra)) if extra not in (None, "") else BLANK_ROWS
    except ValueError:
        blank = BLANK_ROWS
    blank = max(BLANK_ROWS, min(MAX_BLANK_ROWS, blank))
    try:
        min_rows = max(0, int(field.get("min_rows") or 0))
    except (TypeError, ValueError):
        min_rows = 0
    blank = max(blank, min_rows - filled)
    blank = max(0, min(blank, MAX_ROWS - filled))
    return RowSlots(filled, blank)


def rows_fields(fields: Iterable[Mapping]) -> list[str]:
    """The names of the `rows` fields, in form order."""
    return [f["name"] for f in fields if isinstance(f, Mapping) and f.get("type") == "rows"
            and isinstance(f.get("name"), str)]
