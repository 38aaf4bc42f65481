"""Which contacts honestly count towards an account's buying group, and which roles each tier must cover.

Shared by the buying-committee-map and contact-list-build checkers, so both read the modules the same way:
a 1:1 account needs the economic buyer, a champion, the functional owner, the technical evaluator, finance
and procurement (abm-foundations/tiering-one-to-one-few-many); a contact with no title, a shared inbox, a role
the title contradicts or more than two roles does not count (building-the-contact-list, buying-groups-and-roles).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from lms.abm.coverage import (
    DEFAULT_REQUIRED_ROLES,
    RoleRequirement,
    normalise_roles,
    normalise_tier,
    required_roles,
)
from lms.abm.integrity import MAX_ROLES_PER_CONTACT, role_contradiction, words
from lms.abm.roles import infer_title
from lms.abm.snapshot import AccountSnap, ContactSnap

# Module 04: "an economic buyer, a champion and four more roles: the functional owner, the technical
# evaluator, finance and procurement". coverage.DEFAULT_REQUIRED_ROLES still has "any four" there, which lets
# a 1:1 map be complete with neither finance nor procurement, so the checkers use this instead.
ONE_TO_ONE = RoleRequirement(must=("senior_decision_maker", "champion", "functional_owner", "technical_evaluator",
                                   "finance", "procurement"))
TIER_DEFAULTS = {"1:1": ONE_TO_ONE, "1:few": DEFAULT_REQUIRED_ROLES["1:few"], "1:many": DEFAULT_REQUIRED_ROLES["1:many"]}
# What no narrower requirement may drop: someone must sign off the purchase, and at 1:1 someone must sell it
# inside, hold the budget and run the supplier process (module 04; ABM-REFERENCE 2.1: finance nearly always).
TIER_MINIMUM = {"1:1": ("senior_decision_maker", "champion", "finance", "procurement"),
                "1:few": ("senior_decision_maker",), "1:many": ("senior_decision_maker",)}
# Module 06: "Shared inboxes such as info@ or sales@ are not people. Leave them out of the buying-group map."
SHARED_INBOXES = frozenset((
    "info", "sales", "hello", "contact", "contactus", "enquiries", "enquiry", "inquiries", "admin", "office",
    "support", "help", "team", "accounts", "finance", "procurement", "purchasing", "marketing", "hr", "careers",
    "jobs", "noreply", "no-reply", "reception", "mail", "general", "service",
))


@dataclass(frozen=True)
class Requirement:
    """The roles an account needs, and the minimum roles that were added to a narrower requirement."""

    roles: RoleRequirement
    added: tuple[str, ...] = ()


def requirement(account: AccountSnap, overrides: Mapping[str, object] | None = None) -> Requirement:
    """Return the roles `account` needs: its own list, else the override for its tier, else the tier default,
    topped up with the tier's minimum roles (an account without a tier is read as 1:many)."""
    tier = normalise_tier(account.tier) or "1:many"
    override = normalise_roles(overrides.get(tier)) if overrides else ()
    return _requirement(tier, normalise_roles(account.required_roles), override)


@lru_cache(maxsize=1024)  # a few tiers and lists stand for every account
def _requirement(tier: str, own: tuple[str, ...], override: tuple[str, ...]) -> Requirement:
    merged: dict[str, object] = {tier: override or TIER_DEFAULTS[tier]}
    roles = required_roles(AccountSnap(0, "", tier=tier, required_roles=own), merged)
    have = set(roles.must) | set(roles.pool)
    added = tuple(r for r in TIER_MINIMUM[tier] if r not in have)
    if added:
        roles = RoleRequirement(must=roles.must + added, pool=roles.pool, pool_count=roles.pool_count,
                                source=roles.source)
    return Requirement(roles, added)


def is_shared_inbox(email: object) -> bool:
    """True when an email address is a shared inbox (info@, sales@ ...), not a person."""
    if not isinstance(email, str) or "@" not in email:
        return False
    return email.strip().lower().rpartition("@")[0] in SHARED_INBOXES


@lru_cache(maxsize=8192)  # titles repeat across contacts, and title inference is the slow part
def role_problem(title: str | None, role: str) -> str | None:
    """Return why a job title contradicts `role` (integrity.role_contradiction, plus module 05's misleading
    titles: a chief of staff or assistant is not the senior decision maker, a media buyer is not procurement)."""
    problem = role_contradiction(title, role)
    if problem or not title or not title.strip():
        return problem
    inferred = infer_title(title)
    if role == "senior_decision_maker" and inferred.role == "influencer" and inferred.seniority not in ("c_level", "vp"):
        return f"a {title.strip()} is an influencer, not the senior decision maker who signs off the purchase"
    if role == "procurement" and "buyer" in words(title) and inferred.function != "procurement":
        return f"a {title.strip()} buys media or stock for their own team, not suppliers: they are not procurement"
    return None


@dataclass(frozen=True)
class Standing:
    """What one contact brings to the buying group: the roles that count, and why others do not."""

    counted: tuple[str, ...]
    problems: tuple[str, ...]  # plain-words reasons, for findings
    contradicted: tuple[str, ...] = ()  # roles the title contradicts
    too_many: bool = False


_NO_STANDING = Standing((), ())


def standing(contact: ContactSnap, *, shared: bool | None = None) -> Standing:
    """Return the roles `contact` honestly brings to the buying group, and why any do not count. `shared` is
    is_shared_inbox(contact.email), when the caller has read the email already."""
    if is_shared_inbox(contact.email) if shared is None else shared:
        return Standing((), (f"{contact.email} is a shared inbox, not a person: leave it out of the buying group",))
    title = contact.title.strip() if isinstance(contact.title, str) else ""
    known = _standing_of_roles_and_title(normalise_roles(contact.roles), title)
    return known if known is not None else _own_standing(contact)


@lru_cache(maxsize=8192)  # most contacts' standing follows from their roles and title alone; big lists repeat them
def _standing_of_roles_and_title(roles: tuple[str, ...], title: str) -> Standing | None:
    """The standing of any contact with these (normalised) roles and title (not a shared inbox), or None when the
    reasons must name the contact."""
    if not roles:
        return _NO_STANDING
    if len(roles) > MAX_ROLES_PER_CONTACT or ("champion" in roles and "blocker" in roles):
        return None
    return _titled_standing(title, roles) if title else None


def _own_standing(contact: ContactSnap) -> Standing:
    roles = normalise_roles(contact.roles)
    if len(roles) > MAX_ROLES_PER_CONTACT:
        return Standing((), (f"{contact.name} holds {len(roles)} buying roles; one person plays at most "
                             f"{MAX_ROLES_PER_CONTACT} parts, so none of them counts until you keep the real ones",),
                        too_many=True)
    if "champion" in roles and "blocker" in roles:
        return Standing((), (f"{contact.name} cannot be both champion and blocker: keep the one their actions show",),
                        contradicted=("champion", "blocker"))
    return Standing((), (f"{contact.name} has no job title, so their role cannot be confirmed: find the title "
                         "before they count towards the buying group",))


def _titled_standing(title: str, roles: tuple[str, ...]) -> Standing:
    contradicted = {r: role_problem(title, r) for r in roles}
    contradicted = {r: why for r, why in contradicted.items() if why}
    counted = tuple(r for r in roles if r not in contradicted)
    return Standing(counted, tuple(contradicted.values()), tuple(contradicted))
