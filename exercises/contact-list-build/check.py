"""Check the contact list: the right people, reachable, linked to the right account, once each.

Rules, in the order a learner fixes them (each testable alone on a `Context`):
  emails-usable             every contact has a valid work email: not missing, malformed, free-mail or a shared inbox
  no-duplicates             the same email twice, or the same full name twice at one account, is one person
  linked-to-the-right-account  contacts linked to an account, and to the one their email domain belongs to
                            (match rate: linked contacts / contacts after duplicates and rejected rows, module 06)
  titles-and-roles          a title and a buying role the title does not contradict, at most two roles (blockers)
  buying-group-by-tier      each target account has a counted contact in every role its tier needs: the tier sets
                            the buying group (1:1 includes finance and procurement), never a head count by size
Density (known contacts per target account) is reported beside abmatic's benchmarks, which are by company size.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from lms.abm.buying_group import SHARED_INBOXES, Standing, requirement, standing
from lms.abm.coverage import coverage_of_roles, normalise_roles, normalise_tier
from lms.abm.domains import (
    email_domain,
    is_free_mail,
    is_valid_email,
    normalise_email,
    registrable_domain,
)
from lms.abm.matching import AccountIndex, AccountRef
from lms.abm.snapshot import AccountSnap, ContactSnap, WorkspaceSnapshot
from lms.abm.vocabulary import role_label
from lms.practice.result import Finding, Result
from lms.practice.rules import Outcome, Rules

PASS_MARK = 75

M_CONTACTS = "abm-foundations/building-the-contact-list"
M_ROLES = "abm-foundations/buying-groups-and-roles"
M_TIER = "abm-foundations/tiering-one-to-one-few-many"
M_TOOLS = "abm-alignment-programme/tool-adoption-and-enablement"

RULES = Rules()

# Syntactically plain addresses (dot-atoms at an ASCII host with an alphabetic TLD, no "--") are valid for
# lms.abm.domains.is_valid_email too, which costs ~40 microseconds an address (email_validator). Only
# addresses outside this subset, or on special-use TLDs that email_validator rejects, are sent to it.
_PLAIN_LOCAL = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_PLAIN_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_SPECIAL_TLDS = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})
_UNREAD, _NOT_PLAIN = object(), object()  # a host not seen yet; a host only email_validator may judge


class _Domains:
    """Per-check caches: many contacts share an email host, and reading a domain costs ~10 microseconds."""

    def __init__(self, index: AccountIndex) -> None:
        self.index = index
        self.hosts: dict[str, object] = {}  # host -> its registrable domain (or None), or _NOT_PLAIN
        self.facts: dict[str, tuple[bool, tuple[int, ...]]] = {}  # domain -> (free-mail?, accounts it belongs to)
        self.unusual: dict[str, tuple[str, str, str | None]] = {}  # addresses email_validator judged

    def email_facts(self, raw: object) -> tuple[str, str, str | None]:
        """Return (normalised email, "missing" | "invalid" | "ok", registrable domain or None)."""
        if raw is None:
            return "", "missing", None
        email = normalise_email(raw if isinstance(raw, str) else str(raw))
        if not email:
            return "", "missing", None
        local, at, host = email.rpartition("@")
        # A plain local part (letters and digits are the usual case, and the cheap test), at most 64 characters,
        # in an address of at most 254; the host is judged once.
        if at and len(local) <= 64 and len(email) <= 254 and (
                local.isalnum() and local.isascii() or _PLAIN_LOCAL.fullmatch(local)):
            domain = self.hosts.get(host, _UNREAD)
            if domain is _UNREAD:
                # Special-use TLDs, and punycode ("xn--") and other IDNA rules: let email_validator decide.
                plain = (_PLAIN_HOST.fullmatch(host) and host.rpartition(".")[2] not in _SPECIAL_TLDS
                         and "--" not in host)
                domain = self.hosts[host] = registrable_domain(host) if plain else _NOT_PLAIN
            if domain is not _NOT_PLAIN:
                return email, "ok", domain
        read = self.unusual.get(email)
        if read is None:  # email_validator takes ~40 microseconds, and a list repeats its odd addresses
            valid = is_valid_email(email)
            read = self.unusual[email] = (email, "ok", email_domain(email)) if valid else (email, "invalid", None)
        return read

    def domain_facts(self, domain: str) -> tuple[bool, tuple[int, ...]]:
        """Return (is it free-mail, the accounts it belongs to: none for free-mail) for a registrable domain."""
        facts = self.facts.get(domain)
        if facts is None:
            free = is_free_mail(domain)
            facts = self.facts[domain] = (free, () if free else self.index.by_domain(domain)[0])
        return facts


def _fold_name(contact: ContactSnap) -> str | None:
    first, last = contact.first_name, contact.last_name
    if not (isinstance(first, str) and isinstance(last, str) and first.strip() and last.strip()):
        return None
    text = f"{first} {last}".casefold()
    if not text.isascii():
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(text.split())


@dataclass(frozen=True)
class Context:
    """What the rules read: accounts by id, target accounts, and each contact's email, duplicate, link and roles.

    A contact's email is read into three maps of plain strings, not an object per contact: on 40,000 contacts
    the garbage collector's passes over such objects cost more than reading the emails."""

    workspace: WorkspaceSnapshot
    accounts: Mapping[int, AccountSnap]
    targets: tuple[AccountSnap, ...]
    addresses: Mapping[int, str]  # contact id -> email trimmed and lower-cased ("" when there is none)
    email_domains: Mapping[int, str | None]  # contact id -> the email's registrable domain
    email_states: Mapping[int, str]  # contact id -> "missing" | "invalid" | "free" (mail) | "shared" (inbox) | "ok"
    duplicate_of: Mapping[int, tuple[ContactSnap, str]]  # contact id -> (first record, "email" | "name")
    owners: Mapping[int, tuple[int, ...]]  # contact id -> accounts their email domain belongs to
    standing: Mapping[int, Standing]
    # account id -> how many contacts it has once duplicates are left out, and the roles they count for
    group_sizes: Mapping[int | None, int]
    group_roles: Mapping[int | None, tuple[str, ...]]


def build_context(workspace: WorkspaceSnapshot) -> Context:
    """Return the context for `workspace`: read every email once, find duplicates and the domain's accounts."""
    accounts: dict[int, AccountSnap] = {}
    for a in workspace.accounts:
        accounts.setdefault(a.id, a)
    # Contacts carry no company name, so only the domain side of the index is used (fast on 5,000 accounts). Each
    # account is indexed by its stored registrable domain, as the importer's index does: the same string as most of
    # its contacts' email hosts, so a new company's domain is worked out once, not once from the website and again
    # from the emails.
    domains = _Domains(AccountIndex(AccountRef(a.id, "", website=a.domain or a.website) for a in accounts.values()))
    addresses, email_domains, email_states, duplicate_of, owners, standings = {}, {}, {}, {}, {}, {}
    by_email: dict[str, ContactSnap] = {}
    by_name: dict[int, dict[str, ContactSnap]] = {}  # account id -> folded name -> its first contact
    for c in workspace.contacts:
        address, status, domain = domains.email_facts(c.email)
        # is_shared_inbox(c.email), on the address trimmed and lower-cased already
        local, at, _ = address.rpartition("@")
        inbox = bool(at) and local in SHARED_INBOXES
        standings[c.id] = standing(c, shared=inbox and isinstance(c.email, str))
        free = False
        if domain:
            free, owned_by = domains.domain_facts(domain)
            if not free:
                owners[c.id] = owned_by
        addresses[c.id], email_domains[c.id] = address, domain
        email_states[c.id] = status if status != "ok" else "free" if free else "shared" if inbox else "ok"
        if status == "ok":
            first = by_email.setdefault(address, c)
            if first is not c:
                duplicate_of[c.id] = (first, "email")
                continue
        name = _fold_name(c) if c.account_id in accounts else None
        if name:
            names = by_name.get(c.account_id)
            if names is None:
                names = by_name[c.account_id] = {}
            first = names.setdefault(name, c)
            if first is not c:
                duplicate_of[c.id] = (first, "name")
    group_sizes: dict[int | None, int] = {}
    group_roles: dict[int | None, tuple[str, ...]] = {}
    for c in workspace.contacts:
        if c.id not in duplicate_of:
            group_sizes[c.account_id] = group_sizes.get(c.account_id, 0) + 1
            if counted := standings[c.id].counted:
                group_roles[c.account_id] = group_roles.get(c.account_id, ()) + counted
    return Context(workspace, accounts, workspace.targets, addresses, email_domains, email_states, duplicate_of,
                   owners, standings, group_sizes, group_roles)


def _at(ctx: Context, c: ContactSnap) -> AccountSnap | None:
    return ctx.accounts.get(c.account_id) if c.account_id is not None else None


def _about(ctx: Context, severity: str, c: ContactSnap, message: str, field: str, module: str | None = None,
           account: AccountSnap | None = None) -> Finding:
    a = account or _at(ctx, c)
    return Finding(severity, message, "contact", c.id, c.name, field, module,
                   account_id=a.id if a else None, account=a.name if a else None)


def _where(ctx: Context, c: ContactSnap) -> str:
    a = _at(ctx, c)
    title = f" ({c.title.strip()})" if isinstance(c.title, str) and c.title.strip() else ""
    return f"{c.name}{title}" + (f" at {a.name}" if a else "")


@RULES.rule("emails-usable", module=M_CONTACTS, weight=1.5)
def emails_usable(ctx: Context) -> Outcome:
    """Every contact can be reached at work: an email that is present, valid, not free-mail, not a shared inbox."""
    findings = []
    for c in ctx.workspace.contacts:
        state = ctx.email_states[c.id]
        if state == "ok":
            continue
        if state == "missing":
            message = f"Find a work email for {_where(ctx, c)}, so they can be reached and matched to their account."
        elif state == "invalid":
            message = (f"{_where(ctx, c)} has a malformed email ('{ctx.addresses[c.id]}'): correct it to "
                       "name@company-domain.")
        elif state == "free":
            message = (f"{_where(ctx, c)} has a personal address ({ctx.email_domains[c.id]}): replace it with their "
                       "work email, which also links them to the right account.")
        else:  # a shared inbox
            message = (f"{ctx.addresses[c.id]} is a shared inbox, not a person: find the person behind it, or remove it "
                       "from the buying group.")
        findings.append(_about(ctx, "improve", c, message, "email"))
    n = len(ctx.workspace.contacts)
    counts = {"email_problems": len(findings)}
    return Outcome.of(n - len(findings), n, findings, **counts)


@RULES.rule("no-duplicates", module=M_CONTACTS, weight=1)
def no_duplicates(ctx: Context) -> Outcome:
    """Each person appears once: the same email twice, or the same name twice at one account, is one contact."""
    findings = []
    for c in ctx.workspace.contacts:
        if c.id not in ctx.duplicate_of:
            continue
        first, how = ctx.duplicate_of[c.id]
        if how == "email":
            message = f"{_where(ctx, c)} is the same person as contact {first.id}: both use {ctx.addresses[c.id]}. Merge them."
        else:
            message = (f"{_where(ctx, c)} appears twice (also contact {first.id}), with another email: check it is the "
                       "same person and merge them, keeping the work email and the fuller record.")
        findings.append(_about(ctx, "improve", c, message, "email" if how == "email" else "name"))
    n = len(ctx.workspace.contacts)
    return Outcome.of(n - len(findings), n, findings, duplicates=len(findings))


def _link_problem(ctx: Context, c: ContactSnap, account: AccountSnap | None) -> str | None:
    """Return why a contact is not linked to the right account (None when it is); `account` is the one it is
    linked to, if it is in the workspace."""
    owned_by = ctx.owners.get(c.id, ())
    if account is not None and (not owned_by or owned_by == (account.id,)):
        return None  # linked, and the email domain says nothing else: most contacts
    owners = [ctx.accounts[i] for i in owned_by if i in ctx.accounts]
    if account is None:
        problem = (f"{c.name} is linked to an account that is not in your workspace" if c.account_id is not None
                   else f"{_where(ctx, c)} is not linked to an account")
        if len(owners) == 1:
            return f"{problem}, but their email domain belongs to {owners[0].name}: link them to it."
        if owners:
            return f"{problem}; their email domain belongs to {' and '.join(a.name for a in owners[:3])}: pick one."
        return f"{problem}: link them to the company they work for, or remove them if it is not one of your accounts."
    if len(owners) == 1 and owners[0].id != account.id:
        return (f"{c.name} is linked to {account.name}, but their email domain belongs to {owners[0].name}: the link "
                f"stands until you know, so check with the sales owner which company they work for now.")
    return None


@RULES.rule("linked-to-the-right-account", module=M_TOOLS, weight=2)
def linked_to_the_right_account(ctx: Context) -> Outcome:
    """Contacts are linked to their account, and the name and the email domain agree (module 06's match order)."""
    findings, counted, linked, business, linked_business = [], 0, 0, 0, 0
    for c in ctx.workspace.contacts:
        state = ctx.email_states[c.id]
        if c.id in ctx.duplicate_of or state == "invalid":
            continue  # the match rate is after duplicates and rejected rows
        account = _at(ctx, c)
        problem = _link_problem(ctx, c, account)
        counted += 1
        business += state != "free"
        if problem:
            findings.append(_about(ctx, "improve", c, problem, "account_id", account=account))
        if account is not None:
            linked += 1
            linked_business += state != "free"
    conflicts = sum(1 for f in findings if _at(ctx, ctx.workspace.contact(f.about_id)) is not None)
    figures = {"match_rate": round(linked / counted, 3) if counted else 0.0, "domain_conflicts": conflicts,
               "match_rate_excluding_free_mail": round(linked_business / business, 3) if business else 0.0}
    return Outcome.of(linked - conflicts, counted, findings, **figures)


@RULES.rule("titles-and-roles", module=M_ROLES, weight=1.5)
def titles_and_roles(ctx: Context) -> Outcome:
    """Every contact has a job title and a buying role the title does not contradict, and at most two roles."""
    findings, sound = [], 0
    for c in ctx.workspace.contacts:
        state = ctx.standing[c.id]
        titled = isinstance(c.title, str) and bool(c.title.strip())
        if state.contradicted or state.too_many:
            fix = " Fix the role, or the title if it has changed." if state.contradicted else ""
            findings.append(_about(ctx, "blocker", c, f"{_where(ctx, c)}: {'; '.join(state.problems)}.{fix}", "roles"))
        elif not titled:
            findings.append(_about(ctx, "improve", c, f"Find the job title of {_where(ctx, c)}: without it their role "
                                   "cannot be confirmed, so they do not count towards the buying group.", "title",
                                   M_CONTACTS))
        elif not normalise_roles(c.roles):
            findings.append(_about(ctx, "improve", c, f"Give {_where(ctx, c)} a buying role from their title, so they "
                                   "count towards the buying group.", "roles"))
        else:
            sound += 1
    n = len(ctx.workspace.contacts)
    return Outcome.of(sound, n, findings)


def _group_facts(a: AccountSnap, roles: tuple[str, ...]) -> tuple:
    """(the roles `a` needs, their coverage by `roles`, its tier in words): the same for every account that has
    its tier, required roles and counted roles, so thousands of accounts share a few dozen readings."""
    need = requirement(a)
    return need, coverage_of_roles(roles, need.roles), normalise_tier(a.tier) or "no tier"


@RULES.rule("buying-group-by-tier", module=M_CONTACTS, weight=4)
def buying_group_by_tier(ctx: Context) -> Outcome:
    """Each target account has a counted contact in every role its tier needs (module 04), not a head count."""
    findings, total, people = [], 0.0, 0
    read: dict[tuple, tuple] = {}  # what the rule reads of an account, from its tier, roles and group's roles
    for a in ctx.targets:
        size = ctx.group_sizes.get(a.id, 0)
        people += size
        roles = ctx.group_roles.get(a.id, ())
        key = (normalise_tier(a.tier), normalise_roles(a.required_roles), roles)  # all that _group_facts reads
        facts = read.get(key)
        if facts is None:
            facts = read[key] = _group_facts(a, roles)
        need, detail, tier = facts
        total += detail.ratio
        if not size:
            message = f"{a.name} ({tier}) has no contacts: add the people its tier needs ({need.roles.describe()})."
        elif not detail.complete:
            gaps = [role_label(r) for r in detail.missing_must]
            if detail.pool_missing:
                gaps.append(f"{detail.pool_missing} more of {', '.join(map(role_label, detail.pool_unfilled))}")
            message = (f"{a.name} ({tier}) has a counted contact in {detail.filled} of the {detail.slots} roles its "
                       f"tier needs: add {', '.join(gaps)}.")
        else:
            continue
        findings.append(Finding("improve", message, "account", a.id, a.name, "contacts",
                                M_TIER if tier == "1:1" and size else None))
    n = len(ctx.targets)
    if not n:
        findings.append(Finding("improve", "None of your accounts is marked as a target, so the buying groups cannot "
                                "be checked: mark the accounts on your target list.", field="is_target"))
    figures = {"targets": n, "buying_group_coverage": round(total / n, 3) if n else 0.0,
               "contacts_per_target": round(people / n, 2) if n else 0.0,
               "density_benchmark": "8-15 known contacts for an enterprise account, 4-8 for mid-market (abmatic)"}
    return Outcome(total / n if n else None, tuple(findings), figures)


def check(workspace: WorkspaceSnapshot, answer: dict) -> Result:
    """Return the Result of the contact list in `workspace` (there is no form: `answer` is ignored)."""
    if not workspace.accounts:
        return Result(0, False, (Finding("blocker", "Your workspace has no accounts yet: import your accounts first "
                                         "(Accounts > Import), then your contacts.", field="accounts",
                                         module=M_CONTACTS),), {"contacts": 0, "targets": 0})
    if not workspace.contacts:
        return Result(0, False, (Finding("blocker", f"Your workspace has {len(workspace.accounts)} accounts but no "
                                         "contacts: import the people you know at your target accounts (name, work "
                                         "email, job title and company).", field="contacts", module=M_CONTACTS),),
                      {"contacts": 0, "targets": len(workspace.targets)})
    ctx = build_context(workspace)
    return RULES.evaluate(ctx, pass_mark=PASS_MARK, summary={"contacts": len(workspace.contacts),
                                                              "distinct_contacts": len(workspace.contacts)
                                                              - len(ctx.duplicate_of)})
