"""Stage 3 of an import: one cell's text -> a typed value (number, date, tier, signal type, roles, …).

Pure. A value that cannot be read raises BadValue, whose message completes "<field> '<raw>' …".
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from babel.numbers import NumberFormatError, parse_decimal

from lms.abm.domains import is_valid_email, normalise_email
from lms.abm.matching import canonical_external_id
from lms.abm.vocabulary import BUYING_ROLES, HANDOFF_STATUSES, REJECTION_REASONS, SIGNAL_TYPES, TIERS
from lms.accounts.fields import FORMULA_TRIGGERS

_KINDS: dict[str, str] = {
    "employees": "int", "sla_hours": "int", "icp_fit": "score",
    "revenue": "number", "amount": "number",
    "occurred_at": "date", "followed_up_at": "date", "created_at": "date", "closed_at": "date",
    "sent_at": "date", "first_touch_at": "date",
    "is_won": "bool", "is_closed": "bool", "is_target": "bool", "meeting_booked": "bool",
    "email": "email", "contact_email": "email", "website": "url", "tier": "tier", "type": "signal_type",
    "required_roles": "roles", "currency": "currency", "rejection_reason": "reason",
    "external_id": "id", "account_external_id": "id", "signal_external_id": "id",
}

# Values CRMs and spreadsheets use for "nothing here" in typed columns.
_BLANKS = frozenset({"", "-", "--", "—", "n/a", "na", "none", "null", "nil", "#n/a"})

_THOUSANDS = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")
_DOT_THOUSANDS = re.compile(r"-?\d{1,3}(\.\d{3})+")
_DECIMAL_COMMA = re.compile(r"-?\d{1,3}(\.\d{3})*,\d+|-?\d+,\d{1,2}")
_SUFFIX = re.compile(r"-?\d+([.,]\d+)?\s*(k|m|mn|bn|b)\.?", re.I)
_SCIENTIFIC = re.compile(r"-?\d+(\.\d+)?e[+-]?\d+", re.I)
_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_ROLE_SEPARATORS = re.compile(r"[;,]")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_CURRENCY_CHARS = "£$€¥"
_CURRENCY_CODE = re.compile(r"^(gbp|usd|eur)\s*|\s*(gbp|usd|eur)$", re.I)
_ISO_DT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?", re.I
)
_SLASH_DT = re.compile(
    r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?)?", re.I
)
_TIERS = {
    **dict.fromkeys(("1:1", "1-1", "1to1", "one to one", "one-to-one", "tier 1", "tier1", "tier_1", "t1", "1",
                     "strategic"), "1:1"),
    **dict.fromkeys(("1:few", "1-few", "1 to few", "one to few", "one-to-few", "tier 2", "tier2", "tier_2",
                     "t2", "2"), "1:few"),
    **dict.fromkeys(("1:many", "1-many", "1 to many", "one to many", "one-to-many", "tier 3", "tier3", "tier_3",
                     "t3", "3", "programmatic"), "1:many"),
}
_SIGNAL_SYNONYMS = {
    **{t: t for t in SIGNAL_TYPES},
    **dict.fromkeys(("download", "content", "whitepaper_download", "ebook_download", "asset_download",
                     "content_syndication", "guide_download"), "content_download"),
    **dict.fromkeys(("webinar_attended", "webinar_attendance", "webinar_registration", "webinar_registered"),
                    "webinar"),
    **dict.fromkeys(("web_visit", "site_visit", "page_view", "visit", "website"), "website_visit"),
    **dict.fromkeys(("pricing", "pricing_visit", "pricing_page", "pricing_page_view"), "pricing_page_visit"),
    **dict.fromkeys(("demo", "request_a_demo", "demo_requested", "contact_sales"), "demo_request"),
    **dict.fromkeys(("intent", "intent_surge", "surge", "bombora_surge", "intent_topic_surge"), "intent_spike"),
    **dict.fromkeys(("reply", "email_response", "replied"), "email_reply"),
    **dict.fromkeys(("meeting", "meeting_booked", "meeting_requested"), "meeting_request"),
    **dict.fromkeys(("event", "event_attended", "trade_show", "conference", "field_event"), "event_attendance"),
    **dict.fromkeys(("ad", "linkedin_ad_click", "paid_click", "ad_engagement"), "ad_click"),
}
_TRUE = frozenset({"true", "yes", "y", "1", "won", "closed won", "x", "✓"})
_FALSE = frozenset({"false", "no", "n", "0", "lost", "closed lost"})


class BadValue(Exception):
    """A value that cannot be parsed; the message completes "<field> '<raw>' …"."""


def id_key(value: str) -> str:
    """Return the key an external id is compared on (Salesforce 18 -> 15 characters, GUIDs lower-cased)."""
    return canonical_external_id(value)


def _strip_currency(t: str) -> str:
    """Return the number without a currency symbol or code: "£85,000,000.00" -> "85,000,000.00"."""
    t = t.strip(_CURRENCY_CHARS + " ")
    return _CURRENCY_CODE.sub("", t).strip(_CURRENCY_CHARS + " ")


def _parse_number(s: str, decimal_comma: bool = False) -> float:
    """Return the number in `s` as Excel and CRMs save it: currency signs and thousands separators allowed.

    `decimal_comma` reads it as a continental European locale writes it ("1.000.000" or "1.234,50"), which
    is how a semicolon-separated file saves numbers. Raises BadValue for text that is not one number.
    """
    t = _strip_currency(" ".join(s.replace("\u00a0", " ").split()))
    if _SUFFIX.fullmatch(t):
        raise BadValue("uses a 'k'/'m' style suffix; write the number in full")
    if _SCIENTIFIC.fullmatch(t):
        raise BadValue("is in scientific notation; format the column as a number before exporting")
    if not decimal_comma:
        if _DOT_THOUSANDS.fullmatch(t):
            raise BadValue("is ambiguous (dot as a thousands separator?); write 1200 or 1,200")
        if _DECIMAL_COMMA.fullmatch(t) and not _THOUSANDS.fullmatch(t):
            raise BadValue("uses a decimal comma; write 1200.50 or 1,200.50")
    try:
        value = float(parse_decimal(t, locale="de_DE" if decimal_comma else "en_GB", strict=True))
    except NumberFormatError:
        raise BadValue("is not a number") from None
    if value < 0:
        raise BadValue("must not be negative")
    return value


def _parse_int(s: str, decimal_comma: bool = False) -> int:
    try:
        value = _parse_number(s, decimal_comma)
    except BadValue as exc:
        if str(exc) in {"is not a number", "must not be negative"} or "ambiguous" in str(exc):
            raise BadValue(str(exc).replace("is not a number", "is not a whole number")) from None
        raise
    if not value.is_integer():
        raise BadValue("is not a whole number")
    return int(value)


def parse_datetime(s: str, *, dayfirst: bool = True) -> datetime:
    """Return a naive UTC datetime from ISO, Salesforce, HubSpot or DD/MM/YYYY text; raises ValueError."""
    t = s.strip()
    if m := _ISO_DT.fullmatch(t):
        y, mo, d, hh, mm, ss, frac, tz = m.groups()
        micro = int((frac or "0")[:6].ljust(6, "0"))
        dt = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0), micro)
        if tz and tz.upper() != "Z":
            sign = 1 if tz[0] == "+" else -1
            digits = tz[1:].replace(":", "")
            offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            dt = (dt.replace(tzinfo=timezone(sign * offset))).astimezone(UTC).replace(tzinfo=None)
        return dt
    if m := _SLASH_DT.fullmatch(t):
        a, b, y, hh, mm, ss, ampm = m.groups()
        d, mo = (a, b) if dayfirst else (b, a)
        hour = int(hh or 0)
        if ampm:
            if not 1 <= hour <= 12:
                raise ValueError("hour out of range")
            hour = hour % 12 + (12 if ampm.lower().startswith("p") else 0)
        return datetime(int(y), int(mo), int(d), hour, int(mm or 0), int(ss or 0))
    raise ValueError("unrecognised date")


def clean_cell(raw: str) -> str:
    """Return the cell trimmed, without the `'` formula guard our exports put before = + - @ tab or CR."""
    s = raw.strip()
    # Undo the formula-injection guard our exports add, so a round trip gives the value back.
    if s[:1] == "'" and s[1:2] in FORMULA_TRIGGERS and len(s) > 1:
        s = s[1:]
    return s


def is_blank_marker(s: str) -> bool:
    """True for text CRMs and spreadsheets use for "nothing here" in a typed column ("n/a", "-", "null")."""
    return s.casefold() in _BLANKS


def parse_value(kind: str, s: str, dayfirst: bool, *, decimal_comma: bool = False) -> Any:
    """Return the typed value of a cleaned, non-empty cell of `kind` (value_kind); None for a blank marker.

    `decimal_comma` reads numbers the continental European way (a semicolon-separated file).
    Raises BadValue when the text is not a value of that kind.
    """
    if kind == "text":
        return s
    if kind == "id":
        # HubSpot "Associated Company IDs" lists several; the first is the primary association.
        return s.split(";")[0].strip() or None
    if s.casefold() in _BLANKS:
        return None
    if kind == "int":
        return _parse_int(s, decimal_comma)
    if kind == "score":
        v = _parse_int(s, decimal_comma)
        if v > 100:
            raise BadValue("is not a score from 0 to 100")
        return v
    if kind == "number":
        return _parse_number(s, decimal_comma)
    if kind == "date":
        try:
            return parse_datetime(s, dayfirst=dayfirst)
        except ValueError:
            order = "DD/MM/YYYY" if dayfirst else "MM/DD/YYYY"
            raise BadValue(f"is not a date (use YYYY-MM-DD or {order})") from None
    if kind == "bool":
        v = s.casefold()
        if v in _TRUE:
            return True
        if v in _FALSE:
            return False
        raise BadValue("is not yes/no (use true or false)")
    if kind == "email":
        if not is_valid_email(s):
            raise BadValue("is not a valid address")
        return normalise_email(s)
    if kind == "url":
        return s
    if kind == "tier":
        tier = _TIERS.get(_SPACES.sub(" ", s.casefold()))
        if tier is None:
            raise BadValue(f"is not one of {', '.join(TIERS)}")
        return tier
    if kind == "signal_type":
        key = _NOT_WORD.sub("_", s.casefold()).strip("_")
        found = _SIGNAL_SYNONYMS.get(key)
        if found is None:
            raise BadValue(f"is not a known signal type ({', '.join(SIGNAL_TYPES)})")
        return found
    if kind == "roles":
        roles = tuple(r.strip().casefold().replace(" ", "_") for r in _ROLE_SEPARATORS.split(s) if r.strip())
        unknown = [r for r in roles if r not in BUYING_ROLES]
        if unknown:
            raise BadValue(f"has unknown buying roles {', '.join(unknown)}")
        return roles
    if kind == "currency":
        if not _CURRENCY.fullmatch(s):
            raise BadValue("is not a three-letter currency code such as GBP")
        return s.upper()
    if kind == "reason":
        if s not in REJECTION_REASONS:
            raise BadValue(f"is not one of {', '.join(REJECTION_REASONS)}")
        return s
    if kind == "handoff_status":
        if s.casefold() not in HANDOFF_STATUSES:
            raise BadValue(f"is not one of {', '.join(HANDOFF_STATUSES)}")
        return s.casefold()
    raise AssertionError(kind)  # pragma: no cover


def split_full_name(full: str) -> tuple[str | None, str]:
    """Return (first, last) of "First Last" or "Last, First": "Jo van der Berg" -> ("Jo", "van der Berg")."""
    if "," in full:
        last, _, first = full.partition(",")
        return (first.strip() or None), last.strip()
    parts = full.split(None, 1)
    return (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])


def value_kind(entity: str, field_: str) -> str:
    """Return the kind of value a canonical field holds ("int", "date", "tier", …; "text" by default)."""
    if entity == "handoffs" and field_ == "status":
        return "handoff_status"
    return _KINDS.get(field_, "text")
