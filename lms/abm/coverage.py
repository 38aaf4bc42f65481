"""Buying-group coverage: which buying roles an account needs, and how many of them have a known contact.

Shared by the exercise checkers (buying-committee map, campaign plan, KPI exercises). Pure functions of
snapshot records, no I/O.

The requirement for a tier is a `RoleRequirement`: roles that *must* each have a contact, plus, optionally,
"at least N distinct roles from this pool". The 1:1 default is the economic buyer (senior_decision_maker) and
a champion, and at least four more distinct roles from the rest of the committee; 1:few and 1:many are
plain lists. Precedence (most specific first): the account's own `required_roles` (set by the learner), then
per-tier overrides (for example from an exercise answer), then `DEFAULT_REQUIRED_ROLES`.

Coverage per account (ABM-REFERENCE 4.2) = |required roles with at least one contact| / |required roles|,
where a pool counts as `count` slots of which at most `count` can be filled.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from lms.abm.vocabulary import BUYING_ROLES, TIERS, role_label

_ROLE_ALIASES = {
    "economic_buyer": "senior_decision_maker",
    "decision_maker": "senior_decision_maker",
    "sdm": "senior_decision_maker",
    "executive_sponsor": "senior_decision_maker",
    "budget_holder": "finance",
    "technical": "technical_evaluator",
    "evaluator": "technical_evaluator",
    "end_user": "user",
    "users": "user",
    "purchasing": "procurement",
}

_TIER_ALIASES = {
    "1:1": "1:1",
    "1-1": "1:1",
    "1to1": "1:1",
    "one_to_one": "1:1",
    "onetoone": "1:1",
    "strategic": "1:1",
    "1:few": "1:few",
    "1-few": "1:few",
    "1tofew": "1:few",
    "one_to_few": "1:few",
    "onetofew": "1:few",
    "lite": "1:few",
    "1:many": "1:many",
    "1-many": "1:many",
    "1tomany": "1:many",
    "one_to_many": "1:many",
    "onetomany": "1:many",
    "programmatic": "1:many",
}


@dataclass(frozen=True)
class RoleRequirement:
    """Roles an account's buying group needs: every role in `must`, plus `pool_count` distinct roles of `pool`."""

    must: tuple[str, ...] = ()
    pool: tuple[str, ...] = ()
    pool_count: int = 0
    source: str = "default"  # "default" | "override" | "account"

    def __post_init__(self) -> None:
        # Kept as tuples whatever the caller passed, so a requirement is hashable and its coverage cached.
        object.__setattr__(self, "must", tuple(self.must))
        object.__setattr__(self, "pool", tuple(self.pool))

    @property
    def slots(self) -> int:
        """The denominator of coverage: the number of roles the account needs."""
        return len(self.must) + min(self.pool_count, len(self.pool))

    @property
    def roles(self) -> tuple[str, ...]:
        """Every role the requirement mentions (must first, then the pool), without duplicates."""
        return tuple(dict.fromkeys(self.must + self.pool))

    def describe(self) -> str:
        """A short human description, e.g. "senior decision maker, champion and any 4 of finance, …"."""
        parts = [role_label(r) for r in self.must]
        text = ", ".join(parts)
        if self.pool and self.pool_count:
            pool_text = (
                f"any {min(self.pool_count, len(self.pool))} of {', '.join(role_label(r) for r in self.pool)}"
            )
            text = f"{text} and {pool_text}" if text else pool_text
        return text or "no roles"


# The defaults per tier. 1:1: the economic buyer and a champion, plus at least four more distinct roles.
DEFAULT_REQUIRED_ROLES: dict[str, RoleRequirement] = {
    "1:1": RoleRequirement(
        must=("senior_decision_maker", "champion"),
        pool=("functional_owner", "technical_evaluator", "finance", "procurement", "user", "influencer"),
        pool_count=4,
    ),
    "1:few": RoleRequirement(
        must=("senior_decision_maker", "functional_owner", "technical_evaluator", "finance")
    ),
    "1:many": RoleRequirement(must=("senior_decision_maker", "functional_owner")),
}


def normalise_role(value: object) -> str | None:
    """Return the canonical buying role for a loose value ("Economic buyer" -> senior_decision_maker), or None."""
    if not isinstance(value, str):
        return None
    return _normalise_role_str(value)


@lru_cache(maxsize=1024)
def _normalise_role_str(value: str) -> str | None:
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    while "__" in key:
        key = key.replace("__", "_")
    key = _ROLE_ALIASES.get(key, key)
    return key if key in BUYING_ROLES else None


def normalise_roles(values: object) -> tuple[str, ...]:
    """Return the distinct valid roles in a list (or a comma-separated string), in order; junk is dropped."""
    if values is None or values == ():
        return ()
    if isinstance(values, tuple):
        try:
            return _normalise_role_tuple(values)  # contact roles: few distinct tuples, so cached
        except TypeError:  # an unhashable item (junk): read uncached by the same function, which raises its own
            pass
    return _normalise_roles(values)


@lru_cache(maxsize=4096)
def _normalise_role_tuple(values: tuple) -> tuple[str, ...]:
    return _normalise_roles(values)


def _normalise_roles(values: object) -> tuple[str, ...]:
    if isinstance(values, str):
        values = values.split(",")
    if not isinstance(values, Iterable):
        return ()
    out: dict[str, None] = {}
    for v in values:
        r = normalise_role(v)
        if r:
            out[r] = None
    return tuple(out)


def normalise_tier(value: object) -> str | None:
    """Return one of TIERS for a loose tier value ("1-1", "one to few"), or None."""
    if not isinstance(value, str):
        return None
    return _normalise_tier_str(value)


@lru_cache(maxsize=256)  # asked of every account, again and again, with a handful of values
def _normalise_tier_str(value: str) -> str | None:
    key = value.strip().lower().replace(" ", "_")
    if key in TIERS:
        return key
    return _TIER_ALIASES.get(key) or _TIER_ALIASES.get(key.replace("_", ""))


def required_roles(
    account: object, overrides: Mapping[str, object] | None = None, *, tier: str | None = None
) -> RoleRequirement:
    """Return the roles this account needs.

    `account` is an AccountSnap (anything with `tier` and `required_roles`). `overrides` maps a tier ("1:1",
    "1:few", "1:many") to a list of roles or a RoleRequirement; a plain list means every role is required.
    The account's own non-empty `required_roles` wins, then the override for its tier, then the default. An
    account without a (valid) tier gets the 1:many default. `tier`, when given, is used instead of the
    account's tier (e.g. a campaign planned for 1:1 checks every account against the 1:1 roles).
    """
    own = normalise_roles(getattr(account, "required_roles", None))
    if own:
        return RoleRequirement(must=own, source="account")
    tier = normalise_tier(tier) or normalise_tier(getattr(account, "tier", None)) or "1:many"
    if overrides:
        override = overrides.get(tier)
        if isinstance(override, RoleRequirement) and override.slots:
            return override
        roles = normalise_roles(override)
        if roles:
            return RoleRequirement(must=roles, source="override")
    return DEFAULT_REQUIRED_ROLES[tier]


def roles_present(contacts: Iterable[object]) -> set[str]:
    """Return the set of valid buying roles held by at least one of these contacts."""
    present: set[str] = set()
    for c in contacts:
        present.update(normalise_roles(getattr(c, "roles", None)))
    return present


@dataclass(frozen=True)
class CoverageDetail:
    ratio: float  # 0-1
    filled: int  # required slots with a contact
    slots: int  # required slots
    missing_must: tuple[str, ...]  # must-have roles with no contact
    pool_missing: int  # how many more distinct pool roles are needed
    pool_unfilled: tuple[str, ...]  # the pool roles that could fill them
    present: frozenset[str]  # every role that has a contact

    @property
    def complete(self) -> bool:
        return self.filled >= self.slots


def coverage_of_roles(present: Iterable[str], required: RoleRequirement) -> CoverageDetail:
    """Return the coverage of a requirement by a set of roles that have (at least one) contact."""
    return _coverage_of_roles(frozenset(present), required)


# Thousands of accounts share a few dozen combinations of roles present and roles required.
@lru_cache(maxsize=4096)
def _coverage_of_roles(have: frozenset[str], required: RoleRequirement) -> CoverageDetail:
    missing_must = tuple(r for r in required.must if r not in have)
    pool_need = min(required.pool_count, len(required.pool))
    pool_have = sum(1 for r in required.pool if r in have)
    pool_filled = min(pool_have, pool_need)
    filled = len(required.must) - len(missing_must) + pool_filled
    slots = required.slots
    return CoverageDetail(
        ratio=(filled / slots) if slots else 1.0,
        filled=filled,
        slots=slots,
        missing_must=missing_must,
        pool_missing=pool_need - pool_filled,
        pool_unfilled=tuple(r for r in required.pool if r not in have),
        present=have,
    )


def coverage_detail(
    account: object, contacts: Iterable[object], required: RoleRequirement | Iterable[str] | None = None
) -> CoverageDetail:
    """Return the coverage detail of an account's contacts against `required` (default: required_roles(account))."""
    return coverage_of_roles(roles_present(contacts), _as_requirement(account, required))


def coverage(
    account: object, contacts: Iterable[object], required: RoleRequirement | Iterable[str] | None = None
) -> float:
    """Return buying-group coverage (0-1): required roles with at least one contact / required roles.

    `required` may be a RoleRequirement, a plain list of roles (all required) or None (use
    `required_roles(account)`). An empty requirement counts as fully covered.
    """
    return coverage_detail(account, contacts, required).ratio


def _as_requirement(account: object, required: RoleRequirement | Iterable[str] | None) -> RoleRequirement:
    if isinstance(required, RoleRequirement):
        return required
    if required is None:
        return required_roles(account)
    return RoleRequirement(must=normalise_roles(required), source="override")
