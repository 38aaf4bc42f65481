"""Check the workspace's handoffs to sales: complete briefs, on the right accounts, followed up within the SLA.

Each handoff is checked for the brief sales needs (ABM-REFERENCE 4.3): the account's tier and why it was
selected, the contact and their role, buying-group relevance, an engagement summary, the qualification level,
a recommended follow-up that is a real message, the sales owner and the SLA; that it is on a target account
with a contact who works there; and that sales touched it within the SLA.

Handoffs must follow the workspace's qualified signals. With no agreed rules to hand, the default
qualification is used: in the last QUALIFY_DAYS days, any high-intent signal (kpis.HIGH_INTENT_TYPES) or two or
more signals at one target account within CLUSTER_DAYS days of each other. A qualified account counts as handed
off when a handoff names one of its qualified signals or was sent on that account no earlier than
CLUSTER_DAYS days before its first qualified signal.

Score = the share of checks that pass: 13 per handoff (12 fields and placements, plus the SLA when it can be
judged) and one per qualified account (handed off or not). A missing sales owner or contact is a blocker.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from datetime import datetime, timedelta

from rapidfuzz import fuzz

from lms.abm.coverage import normalise_role, normalise_roles, normalise_tier
from lms.abm.signals import HIGH_INTENT_TYPES, SignalIndex
from lms.abm.snapshot import SignalSnap, WorkspaceSnapshot
from lms.abm.vocabulary import role_label
from lms.practice.result import Finding, Result, score_from_ratio, sort_findings
from lms.practice.values import is_filled

PASS_MARK = 80
QUALIFY_DAYS = 30
CLUSTER_DAYS = 14
MIN_FOLLOW_UP_WORDS = 15
MIN_CONTEXT_WORDS = 4  # buying-group relevance and engagement summary
MAX_PER_KIND = 10  # detailed findings of one kind before a roll-up
MAX_SUMMARY_ROWS = 50
FUZZY_MATCH = 90

M_HANDOFF = "abm-foundations/follow-up-and-the-sales-handoff"
M_PLAYBOOK = "abm-alignment-programme/team-playbooks-and-handoffs"

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_PLACEHOLDERS = frozenset(
    {"tbd", "tbc", "todo", "n/a", "na", "none", "-", "?", "x", "xxx", "unknown", "test"}
)
_LEGAL = re.compile(
    r"\b(ltd|limited|plc|inc|incorporated|llc|llp|gmbh|ag|sa|bv|nv|corp|corporation|co|company|group|holdings|the)\b"
)

# The text fields of a handoff: (field, minimum words, what to write).
TEXT_FIELDS = (
    ("contact_role", 1, "the contact's buying role (e.g. finance, technical evaluator)"),
    (
        "buying_group_relevance",
        MIN_CONTEXT_WORDS,
        "why this person matters in the buying group and who else at the account is involved",
    ),
    ("engagement_summary", MIN_CONTEXT_WORDS, "what the contact and colleagues did, and when"),
    ("qualification_level", 1, "how qualified it is under your agreed rules (e.g. hot or warm)"),
)


def _words(text: object) -> list[str]:
    return _WORD.findall(text.lower()) if isinstance(text, str) else []


def _answered(text: object, minimum: int) -> bool:
    words = _words(text)
    if not words or not is_filled(text, _PLACEHOLDERS):
        return False
    return len(words) >= minimum


def _core_name(name: str) -> str:
    text = " ".join(_words(name))
    core = " ".join(_LEGAL.sub(" ", text).split())
    return core or text


def _mentions(text: str, phrase: str) -> bool:
    phrase = phrase.lower().strip()
    if len(phrase) < 3:
        return False
    return phrase in text or fuzz.partial_ratio(phrase, text) >= FUZZY_MATCH


def _when(dt: datetime) -> str:
    return f"{dt.day} {dt:%b %Y, %H:%M}"


def _duration(hours: float) -> str:
    if hours < 48:
        return f"{hours:.0f} h"
    return f"{hours / 24:.0f} days"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


class _Findings:
    """Collects findings, keeping at most MAX_PER_KIND of one kind and rolling up the rest."""

    def __init__(self) -> None:
        self.items: list[Finding] = []
        self.counts: dict[str, int] = {}
        self.rollups: dict[str, tuple[str, str, str | None, str]] = {}

    def add(self, kind: str, finding: Finding, rollup: str) -> None:
        n = self.counts[kind] = self.counts.get(kind, 0) + 1
        if n <= MAX_PER_KIND:
            self.items.append(finding)
        else:
            self.rollups[kind] = (finding.severity, rollup, finding.field, finding.module or M_HANDOFF)

    def done(self) -> list[Finding]:
        out = list(self.items)
        for kind, (severity, rollup, field, module) in self.rollups.items():
            more = self.counts[kind] - MAX_PER_KIND
            out.append(Finding(severity, f"…and {more} more {rollup}", "handoff", None, None, field, module))
        return out


def _qualified(ws: WorkspaceSnapshot, ix: SignalIndex, target_ids: set[int]) -> dict[int, list[SignalSnap]]:
    """Return {account id: its qualified signals in the last QUALIFY_DAYS days} under the default rules."""
    now = ws.now
    start = now - timedelta(days=QUALIFY_DAYS)
    cluster = timedelta(days=CLUSTER_DAYS)
    out: dict[int, list[SignalSnap]] = {}
    for acc in target_ids:
        sigs = ix.between(acc, start, now + timedelta(microseconds=1))
        picked = [
            s
            for i, s in enumerate(sigs)
            if s.type in HIGH_INTENT_TYPES
            or (i > 0 and s.occurred_at - sigs[i - 1].occurred_at <= cluster)
            or (i + 1 < len(sigs) and sigs[i + 1].occurred_at - s.occurred_at <= cluster)
        ]
        if picked:
            out[acc] = picked
    return out


def check(workspace: WorkspaceSnapshot, answer: dict) -> Result:
    """Return the Result for the sales-handoff exercise (no answer: it checks the workspace's handoffs)."""
    ws = workspace
    findings: list[Finding] = []
    out = _Findings()
    now = ws.now
    if not ws.accounts:
        findings.append(
            Finding(
                "blocker",
                "Your workspace has no accounts yet: import your accounts, contacts and signals first, then hand "
                "your qualified signals to sales.",
                field="accounts",
                module=M_HANDOFF,
            )
        )
        return Result(0, False, tuple(findings), {"handoffs": 0})

    ix = SignalIndex(ws)
    accounts = {a.id: a for a in ws.accounts}
    target_ids = {a.id for a in ws.accounts if a.is_target}
    qualified = _qualified(ws, ix, target_ids)
    signal_by_id = {s.id: s for s in ws.signals}
    topics_of: dict[tuple[int, int | None], set[str]] = {}
    for acc, sigs in ix.by_account.items():
        for s in sigs:
            if isinstance(s.topic, str) and s.topic.strip():
                topics_of.setdefault((acc, s.contact_id), set()).add(s.topic.strip())

    handoffs = sorted(
        (h for h in ws.handoffs if isinstance(h.sent_at, datetime)), key=lambda h: (h.sent_at, h.id)
    )
    bad_dates = len(ws.handoffs) - len(handoffs)
    if bad_dates:
        findings.append(
            Finding(
                "improve",
                f"{_plural(bad_dates, 'handoff')} {'has' if bad_dates == 1 else 'have'} no sent date and "
                "were not checked: record when each handoff was sent.",
                "handoff",
                None,
                None,
                "sent_at",
                M_HANDOFF,
            )
        )
    if not handoffs:
        findings.append(
            Finding(
                "blocker",
                "You have no handoffs yet: hand each qualified signal to sales as a brief (account, contact, why "
                "now, what to say, who owns it and by when).",
                field="handoffs",
                module=M_HANDOFF,
            )
        )

    ok = total = 0
    missing: dict[str, int] = {}
    complete = non_target = wrong_contact = sla_due = sla_met = 0
    flagged_accounts: set[tuple[int, str]] = set()
    handoff_times: dict[int, list[datetime]] = {}
    handed_signals: set[int] = set()

    def item(passed: bool, field: str | None = None) -> bool:
        nonlocal ok, total
        total += 1
        ok += passed
        if not passed and field:
            missing[field] = missing.get(field, 0) + 1
        return passed

    for h in handoffs:
        handoff_times.setdefault(h.account_id, []).append(h.sent_at)
        if h.signal_id is not None:
            handed_signals.add(h.signal_id)
        a = accounts.get(h.account_id)
        contact = ws.contact(h.contact_id)
        aname = a.name if a else f"account {h.account_id}"
        who = f"{contact.name} at {aname}" if contact else f"(no contact) at {aname}"
        label = f"Handoff {h.id} ({who}, sent {_when(h.sent_at)})"
        passed_all = True

        # The account: known, on the target list, tiered, with a reason.
        if a is None:
            out.add(
                "unknown_account",
                Finding(
                    "improve",
                    f"{label} names account id {h.account_id}, which is not in your workspace: import the account "
                    "or correct the handoff.",
                    "handoff",
                    h.id,
                    aname,
                    "account_id",
                    M_HANDOFF,
                ),
                "handoffs name accounts that are not in your workspace.",
            )
            for field in ("account", "tier", "why_selected"):
                passed_all &= item(False, field)
        else:
            if not item(a.is_target, "account"):
                passed_all = False
                non_target += 1
                out.add(
                    "non_target",
                    Finding(
                        "improve",
                        f"{label} is on {a.name}, which is not on your target account list: add it to the list "
                        "with a reason and a tier (and agree it with sales), or stop handing it over.",
                        "handoff",
                        h.id,
                        a.name,
                        "account_id",
                        M_PLAYBOOK,
                    ),
                    "handoffs are on accounts that are not on your target account list.",
                )
            if not item(normalise_tier(a.tier) is not None, "tier"):
                passed_all = False
                if (a.id, "tier") not in flagged_accounts:
                    flagged_accounts.add((a.id, "tier"))
                    out.add(
                        "tier",
                        Finding(
                            "improve",
                            f"{a.name} has no tier, so sales cannot tell how much effort handoff {h.id} deserves: "
                            "set 1:1, 1:few or 1:many on the account.",
                            "account",
                            a.id,
                            a.name,
                            "tier",
                            M_HANDOFF,
                        ),
                        "handed-off accounts have no tier.",
                    )
            if not item(is_filled(a.why_selected, _PLACEHOLDERS), "why_selected"):
                passed_all = False
                if (a.id, "why") not in flagged_accounts:
                    flagged_accounts.add((a.id, "why"))
                    out.add(
                        "why_selected",
                        Finding(
                            "improve",
                            f"{a.name} has no 'why selected', so handoff {h.id} does not tell sales why the account "
                            "matters: write its fit and the trigger you saw on the account.",
                            "account",
                            a.id,
                            a.name,
                            "why_selected",
                            M_HANDOFF,
                        ),
                        "handed-off accounts have no 'why selected'.",
                    )

        # The contact: named, known, and working at that account.
        if not item(contact is not None, "contact"):
            passed_all = False
            reason = (
                "names no contact"
                if h.contact_id is None
                else f"names contact id {h.contact_id}, who is unknown"
            )
            out.add(
                "contact",
                Finding(
                    "blocker",
                    f"{label} {reason}: sales cannot follow up without a person. Name the contact who showed the "
                    "signal (or the best contact in the buying group) on the handoff.",
                    "handoff",
                    h.id,
                    aname,
                    "contact_id",
                    M_HANDOFF,
                ),
                "handoffs name no known contact.",
            )
            item(False, "contact_at_account")
        elif not item(contact.account_id == h.account_id, "contact_at_account"):
            passed_all = False
            wrong_contact += 1
            elsewhere = accounts.get(contact.account_id)
            where = f"works at {elsewhere.name}" if elsewhere else "is not linked to any account"
            out.add(
                "contact_at_account",
                Finding(
                    "improve",
                    f"{label}: {contact.name} {where}, not {aname}. Hand over a contact at {aname}, or fix the "
                    "contact's account.",
                    "handoff",
                    h.id,
                    aname,
                    "contact_id",
                    M_HANDOFF,
                ),
                "handoffs name a contact who does not work at the handed-off account.",
            )

        # The brief's text fields.
        for field, minimum, what in TEXT_FIELDS:
            value = getattr(h, field)
            if not item(_answered(value, minimum), field):
                passed_all = False
                short = is_filled(value, _PLACEHOLDERS)
                message = (
                    f"{label}: {field.replace('_', ' ')} is too short — write {what} (at least {minimum} words)."
                    if short
                    else f"{label} has no {field.replace('_', ' ')}: write {what}."
                )
                out.add(
                    field,
                    Finding("improve", message, "handoff", h.id, aname, field, M_HANDOFF),
                    f"handoffs lack a usable {field.replace('_', ' ')}.",
                )

        # Role consistency with the contact record (role-specific messaging depends on it).
        role = normalise_role(h.contact_role)
        if role and contact is not None:
            held = normalise_roles(contact.roles)
            if held and role not in held:
                out.add(
                    "role_mismatch",
                    Finding(
                        "improve",
                        f"{label} calls {contact.name} {role_label(role)}, but the contact record says "
                        f"{', '.join(role_label(r) for r in held)}: correct one of them so the follow-up speaks to "
                        "the right concerns.",
                        "handoff",
                        h.id,
                        aname,
                        "contact_role",
                        M_PLAYBOOK,
                    ),
                    "handoffs give the contact a different role from the contact record.",
                )

        # The recommended follow-up: a real message that names the account or the contact's concern.
        text = h.recommended_follow_up if isinstance(h.recommended_follow_up, str) else ""
        low = " ".join(_words(text))
        n_words = len(_words(text))
        topics: set[str] = set()
        linked = signal_by_id.get(h.signal_id)
        if linked is not None and isinstance(linked.topic, str) and linked.topic.strip():
            topics.add(linked.topic.strip())
        if contact is not None:
            topics |= topics_of.get((h.account_id, contact.id), set())
        names_it = bool(low) and (
            (a is not None and _mentions(low, _core_name(a.name)))
            or any(_mentions(low, " ".join(_words(t))) for t in topics)
        )
        if not item(n_words >= MIN_FOLLOW_UP_WORDS and names_it, "recommended_follow_up"):
            passed_all = False
            hint = (
                f" or what they engaged with ('{sorted(topics)[0]}')"
                if topics
                else " or the problem they care about"
            )
            if not text.strip():
                message = (
                    f"{label} has no recommended follow-up: write the message sales can send "
                    f"(at least {MIN_FOLLOW_UP_WORDS} words) naming {aname}{hint}."
                )
            elif n_words < MIN_FOLLOW_UP_WORDS:
                message = (
                    f"{label}: the recommended follow-up is {_plural(n_words, 'word')}, a note rather than a "
                    f"message. Write what sales should actually say (at least {MIN_FOLLOW_UP_WORDS} words), naming "
                    f"{aname}{hint}."
                )
            else:
                message = (
                    f"{label}: the recommended follow-up could go to anyone. Make it specific to the contact: "
                    f"name {aname}{hint}."
                )
            out.add(
                "recommended_follow_up",
                Finding("improve", message, "handoff", h.id, aname, "recommended_follow_up", M_HANDOFF),
                "handoffs lack a specific recommended follow-up.",
            )

        # Ownership and the SLA.
        if not item(is_filled(h.sales_owner, _PLACEHOLDERS), "sales_owner"):
            passed_all = False
            owner_hint = (
                f" (the account owner is {a.sales_owner})"
                if a is not None and is_filled(a.sales_owner, _PLACEHOLDERS)
                else ""
            )
            out.add(
                "sales_owner",
                Finding(
                    "blocker",
                    f"{label} has no sales owner: name the seller who will follow up{owner_hint}. A handoff "
                    "without an owner is followed up by no one.",
                    "handoff",
                    h.id,
                    aname,
                    "sales_owner",
                    M_PLAYBOOK,
                ),
                "handoffs have no sales owner.",
            )
        sla = h.sla_hours
        valid_sla = isinstance(sla, int | float) and not isinstance(sla, bool) and sla > 0
        if not item(valid_sla, "sla_hours"):
            passed_all = False
            out.add(
                "sla_hours",
                Finding(
                    "improve",
                    f"{label} has no SLA: set the hours sales has to make the first touch (hours, not days, for "
                    "hot signals).",
                    "handoff",
                    h.id,
                    aname,
                    "sla_hours",
                    M_PLAYBOOK,
                ),
                "handoffs have no SLA.",
            )
        else:
            due = h.sent_at + timedelta(hours=float(sla))
            touched = h.first_touch_at if isinstance(h.first_touch_at, datetime) else None
            if touched is not None or now > due:
                sla_due += 1
                if item(touched is not None and touched <= due, "sla"):
                    sla_met += 1
                else:
                    passed_all = False
                    owner = h.sales_owner.strip() if is_filled(h.sales_owner, _PLACEHOLDERS) else "sales"
                    state = (
                        f"the first touch came {_duration((touched - h.sent_at).total_seconds() / 3600)} after it "
                        "was sent"
                        if touched is not None
                        else f"there is still no first touch, {_duration((now - due).total_seconds() / 3600)} past due"
                    )
                    out.add(
                        "sla",
                        Finding(
                            "improve",
                            f"{label}: the SLA was {float(sla):g} h (due {_when(due)}), but {state}. Agree with "
                            f"{owner} how handoffs reach them in time, and record first_touch_at.",
                            "handoff",
                            h.id,
                            aname,
                            "first_touch_at",
                            M_PLAYBOOK,
                        ),
                        "handoffs missed their SLA.",
                    )
        complete += passed_all

    # Qualified signals with no handoff.
    unhanded: list[tuple[int, list[SignalSnap]]] = []
    for acc, sigs in qualified.items():
        times = handoff_times.get(acc, [])
        first = sigs[0].occurred_at
        handed = any(s.id in handed_signals for s in sigs) or bisect_left(
            times, first - timedelta(days=CLUSTER_DAYS)
        ) < len(times)
        if not item(handed, "qualified_without_handoff"):
            unhanded.append((acc, sigs))
    unhanded.sort(key=lambda x: (-len(x[1]), str(accounts[x[0]].name), x[0]))
    for acc, sigs in unhanded:
        a = accounts[acc]
        shown = []
        for s in sorted(sigs, key=lambda s: (s.type not in HIGH_INTENT_TYPES, s.occurred_at))[:3]:
            c = ws.contact(s.contact_id)
            shown.append(
                f"{s.type.replace('_', ' ')} from {c.name if c else 'an unnamed visitor'} on {_when(s.occurred_at)}"
            )
        out.add(
            "unhanded",
            Finding(
                "improve",
                f"{a.name} has {_plural(len(sigs), 'qualified signal')} in the last {QUALIFY_DAYS} days "
                f"({'; '.join(shown)}) but no handoff: hand it to sales with a brief, or record why it does not "
                "qualify under your rules.",
                "account",
                a.id,
                a.name,
                "handoffs",
                M_HANDOFF,
            ),
            f"target accounts have qualified signals in the last {QUALIFY_DAYS} days but no handoff.",
        )

    findings.extend(out.done())
    score = score_from_ratio(ok / total) if total and handoffs else 0
    blockers = any(f.severity == "blocker" for f in findings)
    if handoffs and complete == len(handoffs) and not unhanded:
        findings.append(
            Finding(
                "good",
                f"All {_plural(len(handoffs), 'handoff')} give sales the full brief, on target accounts, and were "
                "followed up within the SLA.",
                field="handoffs",
                module=M_HANDOFF,
            )
        )
    summary = {
        "handoffs": len(handoffs),
        "complete_handoffs": complete,
        "checks_passed": ok,
        "checks": total,
        "completeness": round(ok / total, 3) if total else None,
        "failed_checks": dict(sorted(missing.items())),
        "on_non_target_accounts": non_target,
        "contact_not_at_account": wrong_contact,
        "sla_due": sla_due,
        "sla_met": sla_met,
        "sla_breached": sla_due - sla_met,
        "qualified_accounts": len(qualified),
        "qualified_without_handoff": len(unhanded),
        "unhanded": [
            {"account_id": acc, "account": accounts[acc].name, "qualified_signals": [s.id for s in sigs]}
            for acc, sigs in unhanded[:MAX_SUMMARY_ROWS]
        ],
    }
    return Result(score, score >= PASS_MARK and not blockers, sort_findings(findings), summary)
