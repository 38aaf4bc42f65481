"""Qualification rules as data: the module's default rule set, the learner's own saved rules, and which accounts
they qualify.

Module 09 (qualified signals) defines a rule by its level, the signal types that count, how many signals within
how many days, from how many known contacts with a buying role (optionally only some roles or tiers), and the
response time. `MODULE_RULES` is that module's worked rule set; `rules_from_answer` reads the rows the learner
saved in the qualification-rules exercise; `qualifying_signals` applies one rule to one account's signals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from lms.abm.coverage import normalise_roles, normalise_tier
from lms.abm.signals import LIGHT_TYPES, QUALIFYING_TYPES
from lms.abm.snapshot import AccountSnap, SignalSnap, WorkspaceSnapshot
from lms.abm.vocabulary import SIGNAL_TYPES

SALES_LEVELS = ("hot", "warm", "account_surge")  # the levels that reach sales; nurture stays with marketing
LEVEL_WORDS = {"hot": "hot", "warm": "warm", "account_surge": "account surge", "nurture": "nurture"}


@dataclass(frozen=True)
class QualRule:
    """One qualification rule. `min_contacts` 0 lets anonymous (account-level) signals count."""

    name: str
    level: str
    types: frozenset[str]
    min_signals: int
    window_days: float
    min_contacts: int = 1
    roles: frozenset[str] = frozenset()  # only signals from contacts in these roles (empty: any buying role)
    tiers: frozenset[str] = frozenset()  # only accounts in these tiers (empty: every tier)
    response_hours: float | None = None
    min_roles: int = 0  # distinct buying roles among the contacts (module 09's warm rule: 2)
    one_of_roles: frozenset[str] = frozenset()  # at least one contact in one of these roles

    @property
    def label(self) -> str:
        """The rule as a learner would name it: "Hot hand-raisers (hot)"."""
        level = LEVEL_WORDS.get(self.level, self.level)
        return self.name if self.name.lower() == level else f"{self.name} ({level})"


# Module 09's worked rule set (Hot, Warm, Account surge); nurture never reaches sales, so it is left out.
MODULE_RULES: tuple[QualRule, ...] = (
    QualRule("Hot", "hot", frozenset({"demo_request", "meeting_request"}), 1, 30, response_hours=1),
    QualRule("Warm", "warm", QUALIFYING_TYPES, 3, 14, min_contacts=1, response_hours=24, min_roles=2,
             one_of_roles=frozenset({"senior_decision_maker", "functional_owner"})),
    QualRule("Account surge", "account_surge", frozenset({"intent_spike", "pricing_page_visit"}), 3, 7,
             min_contacts=0, response_hours=16),
)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple | set | frozenset):
        return []
    return [v.strip() for v in value if isinstance(v, str) and v.strip()]


def rule_from_row(row: object, number: int) -> tuple[QualRule | None, str | None]:
    """Return (rule, None) for a saved qualification-rules row, or (None, why it cannot be applied)."""
    if not isinstance(row, Mapping):
        return None, f"rule {number} could not be read"
    name = row.get("name") if isinstance(row.get("name"), str) and row.get("name").strip() else f"Rule {number}"
    level = str(row.get("level") or "").strip().lower().replace(" ", "_")
    types = frozenset(t for t in _strings(row.get("signal_types")) if t in SIGNAL_TYPES)
    count, days = _number(row.get("min_signals")), _number(row.get("window_days"))
    contacts = _number(row.get("min_contacts"))
    if not types or count is None or count < 1 or days is None or days <= 0:
        return None, f"“{name.strip()}” lacks its signal types, a minimum count or a window"
    level = level or ("hot" if count == 1 else "warm")  # rules saved before levels existed
    tiers = frozenset(t for t in (normalise_tier(x) for x in _strings(row.get("tiers"))) if t)
    hours = _number(row.get("response_hours"))
    return QualRule(name.strip(), level, types, int(count), days, int(contacts) if contacts is not None else 1,
                    frozenset(normalise_roles(_strings(row.get("roles")))), tiers,
                    hours if hours is not None and hours > 0 else None), None


def rules_from_answer(answer: object) -> tuple[tuple[QualRule, ...], str | None]:
    """Return the sales-facing rules of a saved qualification-rules answer, and why it could not be used (or None).

    A missing answer, one with no readable rule, or one whose rules are all nurture gives no rules and a reason;
    the caller then falls back to MODULE_RULES and says so.
    """
    if not isinstance(answer, Mapping) or not answer.get("rules"):
        return (), "you have not saved qualification rules yet"
    rows = answer.get("rules")
    if not isinstance(rows, list | tuple):
        return (), "your saved qualification rules could not be read"
    rules, problems = [], []
    for number, row in enumerate(rows, start=1):
        rule, problem = rule_from_row(row, number)
        if rule is not None and rule.level in SALES_LEVELS:
            rules.append(rule)
        elif problem:
            problems.append(problem)
    if not rules:
        why = "; ".join(problems) or "none of them sends an account to sales"
        return (), f"your saved qualification rules cannot be applied ({why})"
    return tuple(rules), None


def _contact_ok(rule: QualRule, ws: WorkspaceSnapshot, signal: SignalSnap) -> bool:
    contact = ws.contact(signal.contact_id)
    if contact is None:
        return rule.min_contacts == 0
    roles = set(normalise_roles(contact.roles))
    return bool(roles & rule.roles) if rule.roles else bool(roles) or rule.min_contacts == 0


def _meets(rule: QualRule, ws: WorkspaceSnapshot, group: Sequence[SignalSnap]) -> bool:
    if len(group) < rule.min_signals:
        return False
    people = [ws.contact(s.contact_id) for s in group if ws.contact(s.contact_id) is not None]
    if len({c.id for c in people}) < rule.min_contacts:
        return False
    roles = {r for c in people for r in normalise_roles(c.roles)}
    if len(roles) < rule.min_roles or (rule.one_of_roles and not roles & rule.one_of_roles):
        return False
    if rule.level == "account_surge" and rule is MODULE_RULES[2]:
        return "intent_spike" in {s.type for s in group} and sum(s.type == "pricing_page_visit" for s in group) >= 2
    return True


def qualifying_signals(rule: QualRule, ws: WorkspaceSnapshot, account: AccountSnap,
                       signals: Sequence[SignalSnap], until: datetime, since: datetime | None = None
                       ) -> list[SignalSnap]:
    """Return the latest signals (oldest first) with which `account` met `rule` by `until`, or [] when it did not.

    `signals` are the account's signals oldest first. The rule is met when, within any span of its window, enough
    signals of its types come from contacts it counts (known, with a buying role in its roles) at an account in
    its tiers. With `since`, only a span whose last signal is at or after `since` counts.
    """
    if rule.tiers and normalise_tier(account.tier) not in rule.tiers:
        return []
    counted = [s for s in signals if s.occurred_at <= until and s.type in rule.types and _contact_ok(rule, ws, s)]
    span = timedelta(days=rule.window_days)
    for end in range(len(counted) - 1, -1, -1):
        last = counted[end]
        if since is not None and last.occurred_at < since:
            break
        group = [s for s in counted[: end + 1] if last.occurred_at - s.occurred_at <= span]
        if _meets(rule, ws, group):
            return group
    return []


def is_light_only(signals: Sequence[SignalSnap]) -> bool:
    """True when every signal is light (an ad click or a page view): too little to hand to sales."""
    return bool(signals) and all(s.type in LIGHT_TYPES for s in signals)
