"""Check the contact list: coverage of the target accounts, contact density, data quality and matching.

Checks:
  coverage      target accounts with no contacts
  density       known contacts per target account against the tier's aim (DENSITY_AIM), from the
                ABM-REFERENCE 4.2 benchmark of 8-15 known contacts for enterprise and 4-8 for mid-market
  duplicates    the same normalised email twice; the same full name twice at one account
  email         missing, malformed (lms.abm.domains.is_valid_email) or free-mail addresses
  matching      contacts whose email domain belongs to a different account than the one they are linked to
                (lms.abm.matching.AccountIndex), and contacts not linked to any account
  completeness  contacts without a job title or a buying role
Score = 40% density-weighted coverage (mean over target accounts of min(1, contacts / aim))
      + 40% data quality (the share of contacts with none of the problems above)
      + 20% lead-to-account match rate (linked contacts / contacts, after dedupe).
"""

from __future__ import annotations

import re
import unicodedata

from lms.abm.coverage import normalise_roles, normalise_tier
from lms.abm.domains import (
    email_domain,
    is_free_mail,
    is_valid_email,
    normalise_email,
    registrable_domain,
)
from lms.abm.matching import AccountIndex, AccountRef
from lms.abm.snapshot import WorkspaceSnapshot
from lms.practice.result import Finding, Result, score_from_ratio, sort_findings

PASS_MARK = 75
# Known contacts to aim for per target account, by tier. 1:1 accounts are the enterprise end of the
# benchmark (8-15), 1:few the mid-market end (4-8); 1:many needs the economic buyer and the functional owner.
DENSITY_AIM = {"1:1": 8, "1:few": 4, "1:many": 2}
DEFAULT_AIM = DENSITY_AIM["1:many"]  # a target without a tier
WEIGHTS = {"coverage": 0.4, "quality": 0.4, "match_rate": 0.2}

M_CONTACTS = "abm-foundations/building-the-contact-list"
M_ROLES = "abm-foundations/buying-groups-and-roles"
M_TOOLS = "abm-alignment-programme/tool-adoption-and-enablement"

# Syntactically plain addresses (dot-atoms at an ASCII host with an alphabetic TLD, no "--") are valid for
# lms.abm.domains.is_valid_email too, which costs ~40 microseconds an address (email_validator). Only
# addresses outside this subset, or on special-use TLDs that email_validator rejects, are sent to it.
_PLAIN_EMAIL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
_SPECIAL_TLDS = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})


class _Domains:
    """Per-check caches: many contacts share a host, and a domain look-up costs ~10 microseconds."""

    def __init__(self, index: AccountIndex) -> None:
        self.index = index
        self.registrable: dict[str, str | None] = {}
        self.free: dict[str, bool] = {}
        self.owners: dict[str, tuple[int, ...]] = {}

    def email_facts(self, raw: object) -> tuple[str, str, str | None]:
        """Return (normalised email, "missing" | "invalid" | "ok", registrable domain or None)."""
        if raw is None:
            return "", "missing", None
        email = normalise_email(raw if isinstance(raw, str) else str(raw))
        if not email:
            return "", "missing", None
        if (
            _PLAIN_EMAIL.fullmatch(email)
            and len(email) <= 254
            and email.index("@") <= 64
            and email.rsplit(".", 1)[-1] not in _SPECIAL_TLDS
            and "--" not in email.rpartition("@")[2]  # punycode ("xn--") and other IDNA rules: let it decide
        ):
            host = email.rpartition("@")[2]
            domain = self.registrable.get(host, "")
            if domain == "":
                domain = self.registrable[host] = registrable_domain(host)
            return email, "ok", domain
        if is_valid_email(email):
            return email, "ok", email_domain(email)
        return email, "invalid", None

    def is_free(self, domain: str) -> bool:
        free = self.free.get(domain)
        if free is None:
            free = self.free[domain] = is_free_mail(domain)
        return free

    def owners_of(self, domain: str) -> tuple[int, ...]:
        owners = self.owners.get(domain)
        if owners is None:
            owners = self.owners[domain] = self.index.by_domain(domain)[0]
        return owners


def _fold_name(contact) -> str | None:
    first, last = contact.first_name, contact.last_name
    if not (isinstance(first, str) and isinstance(last, str) and first.strip() and last.strip()):
        return None
    text = f"{first} {last}".casefold()
    if text.isascii():
        return " ".join(text.split())
    text = unicodedata.normalize("NFKD", text)
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).split())


class _At:
    """ " at <account name>", built only when a finding needs it."""

    __slots__ = ("account",)

    def __init__(self, account) -> None:
        self.account = account

    def __format__(self, spec: str) -> str:
        return f" at {self.account.name}" if self.account else ""


def _title(contact) -> str:
    return f" ({contact.title})" if isinstance(contact.title, str) and contact.title.strip() else ""


def check(workspace: WorkspaceSnapshot, answer: dict) -> Result:
    findings: list[Finding] = []
    accounts = workspace.accounts
    contacts = workspace.contacts
    if not accounts:
        findings.append(
            Finding(
                "blocker",
                "Your workspace has no accounts yet: import your accounts first (Accounts > Import), then your "
                "contacts.",
                field="accounts",
                module=M_CONTACTS,
            )
        )
        return Result(0, False, tuple(findings), {"contacts": 0, "targets": 0})
    targets = [a for a in accounts if a.is_target]
    if not contacts:
        findings.append(
            Finding(
                "blocker",
                f"Your workspace has {len(accounts)} accounts but no contacts: import the people you know at your "
                "target accounts (a CRM export or a CSV with name, email, title and company).",
                field="contacts",
                module=M_CONTACTS,
            )
        )
        return Result(0, False, tuple(findings), {"contacts": 0, "targets": len(targets)})

    by_id = {}
    for a in accounts:
        by_id.setdefault(a.id, a)
    # Contacts carry no company name, so only the domain side of the index is used: names are left out,
    # which keeps indexing 5,000 accounts to a few hundredths of a second.
    index = AccountIndex(AccountRef(a.id, "", website=a.website or a.domain) for a in by_id.values())
    domains = _Domains(index)

    clean = dict.fromkeys((c.id for c in contacts), True)
    duplicate_ids: set[int] = set()
    first_by_email: dict[str, object] = {}
    first_by_name: dict[tuple[int, str], object] = {}
    counts = {
        "missing_email": 0,
        "invalid_email": 0,
        "free_mail": 0,
        "duplicates": 0,
        "domain_conflicts": 0,
        "unlinked": 0,
        "missing_title": 0,
        "missing_roles": 0,
    }

    def flag(c, message: str, field: str, module: str = M_CONTACTS, key: str | None = None) -> None:
        clean[c.id] = False
        if key:
            counts[key] += 1
        findings.append(Finding("improve", message, "contact", c.id, c.name, field, module))

    free_mail_ids: set[int] = set()
    for c in contacts:
        account = by_id.get(c.account_id) if c.account_id is not None else None
        at = _At(account)
        email, status, domain = domains.email_facts(c.email)

        # Email quality.
        if status == "missing":
            flag(
                c,
                f"{c.name}{_title(c)}{at} has no email address: find their work email, so they can be reached and "
                "matched to their account.",
                "email",
                key="missing_email",
            )
        elif status == "invalid":
            flag(
                c,
                f"{c.name}{at} has a malformed email address ('{email}'): correct it to name@company-domain.",
                "email",
                key="invalid_email",
            )
        elif domain and domains.is_free(domain):
            free_mail_ids.add(c.id)
            flag(
                c,
                f"{c.name}{at} has a personal email address ({domain}): replace it with their work email, which "
                "also links them to the right account.",
                "email",
                key="free_mail",
            )

        # Duplicates: the same email anywhere, or the same full name at the same account.
        if status == "ok":
            first = first_by_email.setdefault(email, c)
            if first is not c:
                duplicate_ids.add(c.id)
                flag(
                    c,
                    f"{c.name}{at} is a duplicate of {first.name} (contact {first.id}): both have the email "
                    f"{email}. Merge them into one record.",
                    "email",
                    key="duplicates",
                )
        name_key = _fold_name(c) if account is not None and c.id not in duplicate_ids else None
        if name_key:
            first = first_by_name.setdefault((c.account_id, name_key), c)
            if first is not c:
                duplicate_ids.add(c.id)
                flag(
                    c,
                    f"{c.name}{at} appears twice (also contact {first.id}), with different email addresses: "
                    "check whether they are the same person and merge them, keeping their current work email.",
                    "name",
                    key="duplicates",
                )

        # Linking to accounts.
        if account is None:
            counts["unlinked"] += 1
            clean[c.id] = False
            if c.account_id is not None:
                problem = (
                    f"{c.name} is linked to an account that is not in your workspace (id {c.account_id})"
                )
            else:
                problem = f"{c.name}{_title(c)} is not linked to an account"
            # The index's domain look-up is what match_lead does for an email without a company name.
            owners = domains.owners_of(domain) if domain and not domains.is_free(domain) else ()
            names = [by_id[i].name for i in owners if i in by_id]
            if len(names) == 1:
                message = (
                    f"{problem}, but their email domain ({domain}) belongs to {names[0]}: link them to it."
                )
            elif names:
                message = (
                    f"{problem}; their email domain ({domain}) belongs to {' and '.join(names[:3])}: link them to "
                    "the one they work for."
                )
            else:
                message = (
                    f"{problem}: link them to the company they work for, or remove them if it is not one of your "
                    "accounts."
                )
            findings.append(Finding("improve", message, "contact", c.id, c.name, "account_id", M_TOOLS))
        elif domain:
            owners = domains.owners_of(domain)
            if owners and account.id not in owners and len(owners) == 1:
                other = by_id.get(owners[0])
                other_name = other.name if other else f"account {owners[0]}"
                flag(
                    c,
                    f"{c.name} is linked to {account.name}, but their email domain ({domain}) belongs to "
                    f"{other_name}: move them to {other_name}, or correct the email if they work at "
                    f"{account.name}.",
                    "account_id",
                    M_TOOLS,
                    key="domain_conflicts",
                )

        # Completeness.
        if not (isinstance(c.title, str) and c.title.strip()):
            flag(
                c,
                f"{c.name}{at} has no job title: add it, since the title tells you their buying role and seniority.",
                "title",
                key="missing_title",
            )
        if not normalise_roles(c.roles):
            flag(
                c,
                f"{c.name}{_title(c)}{at} has no buying role: set one (for example finance, technical evaluator) so "
                "they count towards the buying group.",
                "roles",
                M_ROLES,
                key="missing_roles",
            )

    # Coverage and density of target accounts (distinct contacts only).
    per_account: dict[int, int] = {}
    for c in contacts:
        if c.id not in duplicate_ids and c.account_id is not None:
            per_account[c.account_id] = per_account.get(c.account_id, 0) + 1
    covered = density_met = 0
    weighted = 0.0
    for a in targets:
        n = per_account.get(a.id, 0)
        tier = normalise_tier(a.tier)
        aim = DENSITY_AIM.get(tier, DEFAULT_AIM)
        weighted += min(1.0, n / aim)
        tier_text = tier or "no tier"
        if n == 0:
            findings.append(
                Finding(
                    "improve",
                    f"{a.name} ({tier_text}) is a target account with no contacts: add the people in its buying "
                    f"group, at least {aim} to start with.",
                    "account",
                    a.id,
                    a.name,
                    "contacts",
                    M_CONTACTS,
                )
            )
            continue
        covered += 1
        if n >= aim:
            density_met += 1
        else:
            benchmark = {
                "1:1": "enterprise buying groups need 8-15 known contacts",
                "1:few": "mid-market buying groups need 4-8 known contacts",
            }.get(tier, "reach at least the economic buyer and the functional owner")
            findings.append(
                Finding(
                    "improve",
                    f"{a.name} ({tier_text}) has {n} contact{'s' if n != 1 else ''}; aim for at least {aim} for a "
                    f"{tier or '1:many'} account ({benchmark}). Add the missing members of its buying group.",
                    "account",
                    a.id,
                    a.name,
                    "contacts",
                    M_CONTACTS,
                )
            )

    distinct = [c for c in contacts if c.id not in duplicate_ids]
    linked = sum(1 for c in distinct if c.account_id is not None and c.account_id in by_id)
    business = [c for c in distinct if c.id not in free_mail_ids]
    linked_business = sum(1 for c in business if c.account_id is not None and c.account_id in by_id)
    match_rate = linked / len(distinct) if distinct else 0.0
    match_rate_business = linked_business / len(business) if business else 0.0
    coverage = covered / len(targets) if targets else 0.0
    quality = sum(clean.values()) / len(clean)
    coverage_score = weighted / len(targets) if targets else 0.0

    if not targets:
        findings.append(
            Finding(
                "improve",
                "None of your accounts is marked as a target account, so coverage cannot be measured: mark the "
                "accounts on your target list.",
                field="is_target",
                module=M_CONTACTS,
            )
        )
    elif covered == len(targets) and len(targets) > 1:
        findings.append(
            Finding(
                "good",
                f"Every one of your {len(targets)} target accounts has at least one contact.",
                module=M_CONTACTS,
            )
        )
    if counts["duplicates"] == 0 and len(contacts) >= 10:
        findings.append(
            Finding("good", "No duplicate contacts: your list is clean of repeats.", module=M_CONTACTS)
        )

    ratio = (
        WEIGHTS["coverage"] * coverage_score
        + WEIGHTS["quality"] * quality
        + WEIGHTS["match_rate"] * match_rate
    )
    score = score_from_ratio(ratio)
    blockers = any(f.severity == "blocker" for f in findings)
    summary = {
        "contacts": len(contacts),
        "distinct_contacts": len(distinct),
        "targets": len(targets),
        "coverage": round(coverage, 3),
        "density_met": round(density_met / len(targets), 3) if targets else 0.0,
        "contacts_per_target": round(sum(per_account.get(a.id, 0) for a in targets) / len(targets), 2)
        if targets
        else 0.0,
        "data_quality": round(quality, 3),
        "clean_contacts": sum(clean.values()),
        "match_rate": round(match_rate, 3),
        "match_rate_excluding_free_mail": round(match_rate_business, 3),
        "issues": counts,
        "parts": {
            "coverage": round(coverage_score, 3),
            "quality": round(quality, 3),
            "match_rate": round(match_rate, 3),
        },
    }
    return Result(score, score >= PASS_MARK and not blockers, sort_findings(findings), summary)
