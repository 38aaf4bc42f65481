"""Part of stage 4 of an import: what a row needs (columns, fields whose unreadable value costs the row, text
limits) and what a row imported with something to check is warned about.

Pure.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lms.abm.domains import is_free_mail, registrable_domain

ACCOUNT_REF = ("account_external_id", "account_name")
REQUIRED_COLUMNS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "accounts": ((("name",), "the account name"),),
    "contacts": (
        (("last_name", "email", "full_name"), "the last name or email"),
        (("account_external_id", "account_name", "email"), "the account (its company name or ID)"),
    ),
    "signals": (
        (("type",), "the signal type"),
        (("occurred_at",), "the date it happened"),
        (("account_external_id", "account_name", "contact_email"), "the account"),
    ),
    "opportunities": (
        (("name",), "the opportunity name"),
        (("amount",), "the amount"),
        (ACCOUNT_REF, "the account (its company name or ID)"),
    ),
    "handoffs": ((("sent_at",), "the date it was sent"), (ACCOUNT_REF, "the account")),
}


@dataclass(frozen=True)
class RowWarning:
    """A row imported with something the learner should check; `kind` groups warnings on the preview."""

    line: int
    field: str | None
    kind: str  # a key of WARNING_GROUPS
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


# What each kind of warning means, as the preview's group heading says it.
WARNING_GROUPS: dict[str, str] = {
    "no_account": "No account yet: kept in Contacts with no account yet, where you link them or create the account",
    "name_from_domain": "No company name: the website's domain is used as the name until you rename it",
    "value_dropped": "A value that could not be read was left out; the rest of the row is imported",
    "too_long": "Text too long for its field was cut short",
    "blank_marker": "Cells such as 'n/a' or '-' were read as empty",
    "trimmed": "Spaces at the start or end of a name were removed",
    "free_mail": "Personal email addresses (Gmail, Outlook and the like): they never link a contact to an account",
    "no_email": "Contacts without an email address: you can't reach them or match them by email",
    "no_website": "Accounts without a website: contacts can't be linked to them by email domain",
    "no_owner": "Accounts without a sales owner: agree who follows them up",
}

# The longest text each field keeps (the database columns); longer text is cut with a warning.
MAX_LENGTHS: dict[str, int] = {
    "name": 300, "website": 500, "industry": 200, "region": 120, "owner": 200, "marketing_owner": 200,
    "first_name": 120, "last_name": 120, "full_name": 240, "title": 300, "phone": 60, "crm_role": 200,
    "account_name": 300, "external_id": 120, "account_external_id": 120, "signal_external_id": 120,
    "contact_email": 254, "email": 254, "topic": 300, "stage": 120, "source": 120, "followed_up_by": 200,
    "sales_owner": 200, "contact_role": 200, "qualification_level": 120,
}
TEXT_LIMIT = 5000  # any other text (reasons, summaries, feedback)

# Fields a row cannot be imported without when their value cannot be read; any other unreadable value is
# left out of the row with a warning (an optional field never costs the whole row).
KEY_FIELDS: dict[str, frozenset[str]] = {
    "accounts": frozenset({"name"}),
    "contacts": frozenset({"email"}),
    "signals": frozenset({"type", "occurred_at", "contact_email"}),
    "opportunities": frozenset({"name", "amount"}),
    "handoffs": frozenset({"sent_at", "contact_email", "status", "rejection_reason"}),
}
NAME_FIELDS = frozenset({"name", "first_name", "last_name", "full_name", "account_name"})


def person_key(values: Mapping[str, Any]) -> str:
    """Return a contact's name folded for comparison ("José  Núñez" -> "jose nunez"); "" without a name."""
    name = " ".join(str(values.get(k) or "") for k in ("first_name", "last_name"))
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return " ".join(folded.split())


def contact_called(values: Mapping[str, Any]) -> str:
    """Return a contact row as its warnings name it: "First Last", else the email, else "contact"."""
    return " ".join(p for p in (values["first_name"], values["last_name"]) if p) or values["email"] or "contact"


@lru_cache(maxsize=65536)  # a file names the same few hundred companies over and over
def looks_free_mail(text: str) -> bool:
    """True for a free-mail domain or a company "name" that is one (HubSpot's junk "Gmail.com" companies)."""
    t = unicodedata.normalize("NFKC", text).strip().casefold()
    if "." not in t or " " in t:
        return False
    reg = registrable_domain(t)
    return bool(reg) and is_free_mail(reg)


def clear_caches() -> None:
    """Forget the company names already checked for being free-mail domains (benchmarks start cold)."""
    looks_free_mail.cache_clear()
