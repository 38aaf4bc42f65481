"""A read-only snapshot of a workspace, as plain frozen dataclasses, that exercise checkers receive.

Checkers never see a database session or a request: the practice service builds one of these from the
workspace tables and hands it to `check(workspace, answer)`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import TypeVar

T = TypeVar("T")


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
        first, last = self.first_name, self.last_name
        # " ".join of the parts that are set, written out: this runs for most of a big workspace's contacts.
        text = " ".join((first, last)) if first and last else " ".join((first or last,)) if first or last else ""
        return text or (self.email or f"contact {self.id}")


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

    def _index(self, name: str, source: tuple, build: Callable[[tuple], T]) -> T:
        """Return build(source), built once per snapshot. The cache is keyed on the very tuple it was built from,
        because `dataclasses.replace` hands the new snapshot the same `_by_id` dict with other records."""
        cached = self._by_id.get(name)
        if cached is None or cached[0] is not source:
            cached = self._by_id[name] = (source, build(source))
        return cached[1]

    @property
    def targets(self) -> tuple[AccountSnap, ...]:
        """The accounts on the target account list (cached per snapshot)."""
        return self._index("targets", self.accounts, lambda accounts: tuple(a for a in accounts if a.is_target))

    def contacts_of(self, account_id: int) -> tuple[ContactSnap, ...]:
        """Return the contacts linked to one account, in snapshot order (cached per snapshot)."""
        return self._index("contacts", self.contacts, _group_by_account).get(account_id, ())

    def signals_of(self, account_id: int) -> tuple[SignalSnap, ...]:
        """Return the signals whose own account_id is this account, in snapshot order (cached per snapshot)."""
        return self._index("signals", self.signals, _group_by_account).get(account_id, ())

    def opportunities_of(self, account_id: int) -> tuple[OpportunitySnap, ...]:
        """Return the opportunities of one account, in snapshot order (cached per snapshot)."""
        return self._index("opportunities", self.opportunities, _group_by_account).get(account_id, ())

    def handoffs_of(self, account_id: int) -> tuple[HandoffSnap, ...]:
        """Return the handoffs for one account, in snapshot order (cached per snapshot)."""
        return self._index("handoffs", self.handoffs, _group_by_account).get(account_id, ())

    # account() and contact() are called for nearly every record a checker reads: _index written out.

    def account(self, account_id: int | None) -> AccountSnap | None:
        """Return the account with this id, or None."""
        cached = self._by_id.get("accounts")
        if cached is None or cached[0] is not self.accounts:
            cached = self._by_id["accounts"] = (self.accounts, _by_record_id(self.accounts))
        return cached[1].get(account_id)

    def contact(self, contact_id: int | None) -> ContactSnap | None:
        """Return the contact with this id, or None."""
        cached = self._by_id.get("contact")
        if cached is None or cached[0] is not self.contacts:
            cached = self._by_id["contact"] = (self.contacts, _by_record_id(self.contacts))
        return cached[1].get(contact_id)


def _group_by_account(records: tuple) -> dict[int | None, tuple]:
    groups: dict[int | None, list] = {}
    for r in records:
        group = groups.get(r.account_id)
        if group is None:
            groups[r.account_id] = [r]
        else:
            group.append(r)
    return {key: tuple(group) for key, group in groups.items()}


def _by_record_id(records: tuple) -> dict[int, object]:
    return {r.id: r for r in records}  # the last record wins when two share an id, as it always has
