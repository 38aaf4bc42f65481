"""Stage 2 of an import: which CRM wrote a table, which records it holds, and which column is which field.

Pure. Recognises Salesforce (reports and Data Loader), HubSpot, Dynamics 365 and our own export; for any
other file it suggests a mapping by similarity.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from lms.accounts.fields import ABM_COLUMNS, FIELDS, HELPER_FIELDS, Entity

Source = Literal["salesforce_report", "salesforce_api", "hubspot", "dynamics", "abm_academy", "unknown"]


@dataclass(frozen=True)
class Detected:
    """What detect_format recognised: the CRM, the entity, and a header -> canonical field mapping."""

    source: Source
    entity: Entity | None
    mapping: dict[str, str]
    ignored: tuple[str, ...] = ()  # e.g. Dynamics "(Do Not Modify)" bookkeeping columns
    unmapped: tuple[str, ...] = ()


_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def _norm_header(header: str) -> str:
    return _SPACES.sub(" ", header.replace("\ufeff", "").strip()).casefold()


def _aliases(*pairs: str) -> dict[str, str]:
    """Build an alias table from "header=field" strings, keeping their order as the column priority."""
    return {_norm_header(h): f for h, _, f in (p.partition("=") for p in pairs)}


_TIER_ALIASES = ("ABM Tier=tier", "Tier=tier", "Account Tier=tier")

ALIASES: dict[str, dict[str, dict[str, str]]] = {
    "salesforce_api": {
        "accounts": _aliases(
            "Id=external_id", "Name=name", "Website=website", "Industry=industry", "NumberOfEmployees=employees",
            "AnnualRevenue=revenue", "BillingCountry=region", "BillingState=region", "Owner.Name=owner",
            "ABM_Tier__c=tier", "Tier__c=tier",
        ),
        "contacts": _aliases(
            "Id=external_id", "FirstName=first_name", "LastName=last_name", "Name=full_name", "Email=email",
            "Title=title", "AccountId=account_external_id", "Account.Name=account_name", "Phone=phone",
            "MobilePhone=phone", "BuyerAttributes=crm_role", "Buying_Role__c=crm_role",
            "MailingCountry=region", "MailingState=region",
        ),
        "opportunities": _aliases(
            "Id=external_id", "Name=name", "AccountId=account_external_id", "Account.Name=account_name",
            "StageName=stage", "Amount=amount", "CurrencyIsoCode=currency", "CreatedDate=created_at",
            "CloseDate=closed_at", "IsWon=is_won", "IsClosed=is_closed", "LeadSource=source",
        ),
    },
    "salesforce_report": {
        "accounts": _aliases(
            "Account ID=external_id", "Account Name=name", "Website=website", "Industry=industry",
            "Employees=employees", "Annual Revenue=revenue", "Billing Country=region",
            "Billing State/Province=region", "Account Owner=owner", *_TIER_ALIASES,
        ),
        "contacts": _aliases(
            "Contact ID=external_id", "First Name=first_name", "Last Name=last_name", "Full Name=full_name",
            "Email=email", "Title=title", "Account ID=account_external_id", "Account Name=account_name",
            "Phone=phone", "Mobile=phone", "Buyer Attributes=crm_role", "Buying Role=crm_role",
            "Contact Role=crm_role", "Mailing Country=region", "Mailing State/Province=region",
        ),
        "opportunities": _aliases(
            "Opportunity ID=external_id", "Opportunity Name=name", "Account ID=account_external_id",
            "Account Name=account_name", "Stage=stage", "Amount=amount", "Opportunity Currency=currency",
            "Amount Currency=currency", "Created Date=created_at", "Close Date=closed_at", "Won=is_won",
            "Closed=is_closed", "Lead Source=source",
        ),
    },
    "hubspot": {
        "accounts": _aliases(
            "Record ID=external_id", "Company name=name", "Company Domain Name=website", "Website URL=website",
            "Industry=industry", "Number of Employees=employees", "Annual Revenue=revenue",
            "Country/Region=region", "State/Region=region", "Company owner=owner",
            "Ideal Customer Profile Tier=tier", *_TIER_ALIASES,
        ),
        "contacts": _aliases(
            "Record ID=external_id", "First Name=first_name", "Last Name=last_name", "Email=email",
            "Job Title=title", "Primary Associated Company ID=account_external_id",
            "Associated Company IDs=account_external_id", "Record ID - Company=account_external_id",
            "Associated Company=account_name", "Company Name=account_name", "Phone Number=phone",
            "Mobile Phone Number=phone", "Buying Role=crm_role", "Country/Region=region", "State/Region=region",
        ),
        "opportunities": _aliases(
            "Record ID=external_id", "Deal Name=name", "Associated Company IDs=account_external_id",
            "Primary Associated Company ID=account_external_id", "Associated Company=account_name",
            "Deal Stage=stage", "Amount=amount", "Currency=currency", "Create Date=created_at",
            "Close Date=closed_at", "Is Closed Won=is_won", "Is Closed=is_closed", "Original Source=source",
        ),
    },
    "dynamics": {
        "accounts": _aliases(
            "(Do Not Modify) Account=external_id", "Account Name=name", "Website=website", "Industry=industry",
            "Number of Employees=employees", "Annual Revenue=revenue", "Address 1: Country/Region=region",
            "Address 1: State/Province=region", "Owner=owner", *_TIER_ALIASES,
        ),
        "contacts": _aliases(
            "(Do Not Modify) Contact=external_id", "First Name=first_name", "Last Name=last_name",
            "Full Name=full_name", "Email=email", "Email 1=email", "Job Title=title",
            "Company Name=account_name", "Account Name=account_name", "Business Phone=phone",
            "Mobile Phone=phone", "Role=crm_role", "Address 1: Country/Region=region",
            "Address 1: State/Province=region",
        ),
        "opportunities": _aliases(
            "(Do Not Modify) Opportunity=external_id", "Topic=name", "Potential Customer=account_name",
            "Account=account_name", "Sales Stage=stage", "Pipeline Phase=stage", "Est. Revenue=amount",
            "Actual Revenue=amount", "Currency=currency", "Created On=created_at", "Actual Close Date=closed_at",
        ),
    },
    "abm_academy": {entity: dict(cols) for entity, cols in ABM_COLUMNS.items()},
}

# Headers that only one source writes; finding one is strong evidence for that source.
_SIGNATURES: dict[str, tuple[str, ...]] = {
    "abm_academy": ("external_id",),
    "hubspot": ("record id", "associated company", "associated company ids", "primary associated company id"),
    "dynamics": ("(do not modify)",),
    "salesforce_api": ("accountid", "account.name", "billingcountry", "numberofemployees", "lastname", "stagename"),
    "salesforce_report": ("account owner", "billing state/province", "mailing country", "account id"),
}
_SOURCE_ORDER = ("abm_academy", "dynamics", "hubspot", "salesforce_api", "salesforce_report")
# Entities whose files carry people are preferred on a tie: an accounts file rarely has First Name.
_ENTITY_ORDER = ("handoffs", "signals", "opportunities", "contacts", "accounts")
_DNM = "(do not modify) "

# Words that custom spreadsheets use, for suggestions on unknown formats.
_GENERIC: dict[str, dict[str, str]] = {
    "accounts": _aliases(
        "org=name", "organisation=name", "organization=name", "company=name", "account=name", "customer=name",
        "name=name", "web=website", "site=website", "url=website", "domain=website", "homepage=website",
        "headcount=employees", "staff=employees", "fte=employees", "size=employees", "turnover=revenue",
        "revenue=revenue", "arr=revenue", "sector=industry", "vertical=industry", "country=region",
        "region=region", "territory=region", "location=region", "state=region", "segment=tier", "tier=tier",
        "owner=owner", "rep=owner", "account manager=owner", "id=external_id", "crm id=external_id",
    ),
    "contacts": _aliases(
        "first=first_name", "forename=first_name", "given name=first_name", "surname=last_name",
        "last=last_name", "family name=last_name", "name=full_name", "contact=full_name", "e-mail=email",
        "mail=email", "email address=email", "position=title", "role=title", "job=title",
        "company=account_name", "organisation=account_name", "org=account_name", "account=account_name",
        "tel=phone", "telephone=phone", "mobile=phone", "country=region", "id=external_id",
    ),
    "signals": _aliases(
        "activity=type", "event=type", "signal=type", "date=occurred_at", "when=occurred_at",
        "subject=topic", "company=account_name", "account=account_name", "email=contact_email",
    ),
    "opportunities": _aliases(
        "deal=name", "opportunity=name", "value=amount", "company=account_name", "account=account_name",
        "phase=stage", "status=stage", "opened=created_at", "closed=closed_at", "won=is_won",
    ),
}
_IDENTITY: dict[str, tuple[tuple[str, ...], ...]] = {
    "accounts": (("name",),),
    "contacts": (("first_name", "last_name", "email", "full_name"),),
    "signals": (("type",), ("occurred_at",)),
    "opportunities": (("name",), ("amount", "stage")),
    "handoffs": (("sent_at",),),
}


def _eligible(entity: str, fields: set[str]) -> bool:
    return all(any(f in fields for f in group) for group in _IDENTITY[entity])


def detect_format(headers: Iterable[str], entity: Entity | None = None) -> Detected:
    """Return the CRM source, entity and header -> canonical field mapping the headers look like.

    Header matching is case- and space-insensitive. Pass `entity` when the caller already knows it.
    For an unrecognised file, `source` is "unknown" and `mapping` holds suggestions for a mapping form.
    """
    headers = [h.strip() for h in headers]
    normed = [_norm_header(h) for h in headers]
    present = {n for n in normed if n}
    # Dynamics bookkeeping columns; the entity's own GUID column is mapped to external_id below.
    dnm = tuple(h for h, n in zip(headers, normed, strict=True) if n.startswith(_DNM))
    best: tuple[int, int, int, str, str] | None = None
    for s_rank, source in enumerate(_SOURCE_ORDER):
        bonus = 3 * sum(1 for sig in _SIGNATURES[source] if any(n == sig or n.startswith(sig) for n in present))
        for e_rank, ent in enumerate(_ENTITY_ORDER):
            table = ALIASES[source].get(ent)
            if table is None or (entity and ent != entity):
                continue
            hits = present & table.keys()
            if not hits or not _eligible(ent, {table[h] for h in hits}):
                continue
            if source == "abm_academy" and len(hits) < max(2, len(present) * 0.6):
                continue  # snake_case canonical names: trust them only when most headers are ours
            score = (len(hits) + bonus, -s_rank, -e_rank, source, ent)
            if best is None or score > best:
                best = score
    if best is None or best[0] < 2:
        return _suggest(headers, normed, entity, dnm)
    source, ent = best[3], best[4]
    table = ALIASES[source][ent]
    by_norm = {n: h for h, n in reversed(list(zip(headers, normed, strict=True))) if n}
    mapping = {by_norm[alias]: f for alias, f in table.items() if alias in by_norm}
    ignored = tuple(h for h in dnm if h not in mapping)
    unmapped = tuple(h for h in headers if h and h not in mapping and h not in ignored)
    return Detected(source, ent, mapping, ignored, unmapped)  # type: ignore[arg-type]


def _suggest(headers: list[str], normed: list[str], entity: Entity | None, ignored: tuple[str, ...]) -> Detected:
    candidates = [entity] if entity else ["contacts", "opportunities", "signals", "accounts"]
    best: tuple[int, str, dict[str, str]] | None = None
    for ent in candidates:
        known: dict[str, str] = dict(_GENERIC.get(ent, {}))
        for source in _SOURCE_ORDER:
            known.update({k: v for k, v in ALIASES[source].get(ent, {}).items() if k not in known})
        known.update({f.replace("_", " "): f for f in FIELDS[ent] + HELPER_FIELDS.get(ent, ())})
        scored: list[tuple[float, str, str]] = []
        for header, norm in zip(headers, normed, strict=True):
            if not norm or header in ignored:
                continue
            field_, score = _guess_field(norm, known)
            if field_:
                scored.append((score, header, field_))
        mapping: dict[str, str] = {}
        taken: set[str] = set()
        for _score, header, field_ in sorted(scored, key=lambda t: -t[0]):
            if field_ not in taken:
                mapping[header] = field_
                taken.add(field_)
        mapping = {h: mapping[h] for h in headers if h in mapping}  # back in file order for the form
        rank = len(mapping) + (5 if _eligible(ent, taken) else 0)
        if best is None or rank > best[0]:
            best = (rank, ent, mapping)
    assert best is not None
    rank, ent, mapping = best
    guessed = ent if rank >= 5 or entity else None
    unmapped = tuple(h for h in headers if h and h not in mapping and h not in ignored)
    return Detected("unknown", guessed, mapping, ignored, unmapped)  # type: ignore[arg-type]


_NOISE = frozenset({"note", "notes", "comment", "comments", "description", "created", "modified", "last"})


def _guess_field(norm: str, known: dict[str, str]) -> tuple[str | None, float]:
    if norm in known:
        return known[norm], 1.0
    squashed = _NOT_WORD.sub(" ", norm).strip()
    if squashed in known:
        return known[squashed], 0.95
    words = squashed.split()
    if _NOISE.intersection(words):
        return None, 0.0  # "Owner Notes" or "Created Date" are not the owner or a date we need
    for word in words:
        if word in known:
            return known[word], 0.8
    close = difflib.get_close_matches(squashed, list(known), n=1, cutoff=0.8)
    if close:
        return known[close[0]], difflib.SequenceMatcher(None, squashed, close[0]).ratio() * 0.9
    return None, 0.0


def mapping_fingerprint(headers: Iterable[str]) -> str:
    """Return a stable 16-hex-digit hash of the normalised, sorted headers, to remember a mapping by."""
    normed = sorted({_norm_header(h) for h in headers} - {""})
    return hashlib.sha256("\x1f".join(normed).encode("utf-8")).hexdigest()[:16]
