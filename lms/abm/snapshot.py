"""A read-only snapshot of a workspace, as plain frozen dataclasses, that exercise checkers receive.

Checkers never see a database session or a request: the practice service builds one of these from the
workspace tables and hands it to `check(workspace, answer)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType


@dataclass(frozen=True)
class AccountSnap:
    id: int
    name: str
    domain: str | None = None  # registrable domain, e.g. "larkspur-devices.example"
    website: str | None = None
    industry: str | None = None
    employees: int | None = None
    revenue: float | None = None
    region: str | None = None
    is_target: bool = True  # on the target account list
    tier: str | None = None  # one of vocabulary.TIERS
    icp_fit: int | None = None  # 0-100
    icp_reasons: str | None = None
    why_selected: str | None = None
    sales_owner: str | None = None
    marketing_owner: str | None = None
    progress_definition: str | None = None  # what counts as progress
    sales_agreed: bool | None = None  # None: not yet reviewed by sales; False: sales disagreed
    sales_agreed_by: str | None = None
    sales_agreed_at: datetime | None = None
    sales_agreed_via: str | None = None  # "sales" (a sales member), "guest" (an invited sales colleague), "coach"
    sales_disagree_reason: str | None = None
    required_roles: tuple[str, ...] = ()  # set by the learner; empty means "use the tier's default"
    status: str | None = None


@dataclass(frozen=True)
class ContactSnap:
    id: int
    account_id: int | None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    title: str | None = None
    roles: tuple[str, ...] = ()  # buying roles (vocabulary.BUYING_ROLES), as confirmed or set by the learner
    seniority: str | None = None  # c_level | vp | director | manager | ic | unknown
    function: str | None = None

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or (self.email or f"contact {self.id}")


@dataclass(frozen=True)
class SignalSnap:
    id: int
    account_id: int | None
    contact_id: int | None
    type: str  # one of vocabulary.SIGNAL_TYPES
    occurred_at: datetime
    topic: str | None = None
    followed_up_at: datetime | None = None
    followed_up_by: str | None = None


@dataclass(frozen=True)
class OpportunitySnap:
    id: int
    account_id: int
    name: str
    stage: str | None = None
    amount: float | None = None
    currency: str = "GBP"
    created_at: datetime | None = None
    closed_at: datetime | None = None
    is_won: bool | None = None  # None while open
    source: str | None = None  # "abm" when the programme sourced it


@dataclass(frozen=True)
class HandoffSnap:
    """A qualified signal handed from marketing to sales, with the brief sales needs."""

    id: int
    account_id: int
    contact_id: int | None
    signal_id: int | None
    sent_at: datetime
    contact_role: str | None = None
    buying_group_relevance: str | None = None
    engagement_summary: str | None = None
    qualification_level: str | None = None  # e.g. hot | warm
    recommended_follow_up: str | None = None
    sales_owner: str | None = None
    sla_hours: int | None = None
    first_touch_at: datetime | None = None
    status: str = "sent"  # one of vocabulary.HANDOFF_STATUSES
    rejection_reason: str | None = None  # one of vocabulary.REJECTION_REASONS when rejected
    sales_feedback: str | None = None
    meeting_booked: bool = False


@dataclass(frozen=True)
class PersonSnap:
    """A member of the workspace's team (or the learner, on a personal workspace): who can own work."""

    name: str
    email: str | None = None
    job_function: str | None = None  # sales | marketing | other


@dataclass(frozen=True)
class WorkspaceSnapshot:
    name: str
    now: datetime  # "now" for the check, naive UTC, so checkers are deterministic
    kind: str = "personal"  # "team": an in-house cohort's shared workspace; "personal": one learner's
    team: tuple[PersonSnap, ...] = ()  # the people who work in it
    # The learner's own saved answers to the other exercises, by slug: checkers that ask the learner to apply
    # their own definitions (qualification rules, say) read them here.
    answers: Mapping[str, dict] = field(default_factory=lambda: MappingProxyType({}), compare=False)
    accounts: tuple[AccountSnap, ...] = ()
    contacts: tuple[ContactSnap, ...] = ()
    signals: tuple[SignalSnap, ...] = ()
    opportunities: tuple[OpportunitySnap, ...] = ()
    handoffs: tuple[HandoffSnap, ...] = ()
    programme_start: datetime | None = None
    _by_id: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def targets(self) -> tuple[AccountSnap, ...]:
        """The accounts on the target account list."""
        return tuple(a for a in self.accounts if a.is_target)

    def contacts_of(self, account_id: int) -> tuple[ContactSnap, ...]:
        """Return the contacts linked to one account (cached per snapshot)."""
        index = self._by_id.get("contacts")
        if index is None:
            index = {}
            for c in self.contacts:
                index.setdefault(c.account_id, []).append(c)
            self._by_id["contacts"] = index
        return tuple(index.get(account_id, ()))

    def account(self, account_id: int | None) -> AccountSnap | None:
        """Return the account with this id, or None."""
        index = self._by_id.get("accounts")
        if index is None:
            index = self._by_id["accounts"] = {a.id: a for a in self.accounts}
        return index.get(account_id)

    def contact(self, contact_id: int | None) -> ContactSnap | None:
        """Return the contact with this id, or None."""
        index = self._by_id.get("contact")
        if index is None:
            index = self._by_id["contact"] = {c.id: c for c in self.contacts}
        return index.get(contact_id)
