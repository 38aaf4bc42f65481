"""Check the learner's signal qualification rules by running them on their own signals, as at workspace.now.

A rule (one answer row) qualifies a target account when, within `window_days`, it has at least `min_signals`
signals of the rule's types from at least `min_contacts` distinct known contacts (only contacts holding one of
`roles`, when set; only accounts in `tiers`, when set). Each signal that brings an account to the threshold
(a "trigger") is owed a follow-up by `owner` within `response_hours`; it counts as followed up when that
signal, or any signal of the account, was followed up between the trigger and the deadline.

Score = 80% rule quality (mean over rules of: complete 40, sensible response time 20, calibrated on the last
90 days 25, not a light single signal 15; scaled down when there are fewer than two rules) + 20% the share of
qualifying triggers that were followed up in time.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from datetime import datetime, timedelta

from lms.abm.coverage import normalise_role, normalise_roles, normalise_tier
from lms.abm.signals import HIGH_INTENT_TYPES, LOW_INTENT_TYPES, SignalIndex
from lms.abm.snapshot import SignalSnap, WorkspaceSnapshot
from lms.abm.vocabulary import SIGNAL_TYPES, TIERS
from lms.practice.result import Finding, Result, score_from_ratio, sort_findings
from lms.practice.values import as_number, as_rows, as_strings, as_text, is_blank_row

PASS_MARK = 75
MIN_RULES = 2
HOT_MAX_HOURS = 24  # a rule on high-intent signals must be answered within a day
SLOW_HOURS = 72  # any rule slower than this lets the signal go cold
CALIBRATION_DAYS = 90  # a rule is tried on this many days of history
TOO_LOOSE_SHARE = 0.5  # more than this share of targets reaching sales swamps them
MAX_SIGNAL_FINDINGS = 20  # per-signal follow-up findings before a roll-up
MAX_SUMMARY_QUALIFIED = 200
OWNERS = ("sales", "sdr", "marketing")

M_SIGNALS = "abm-foundations/qualified-signals"
M_FOLLOW = "abm-foundations/follow-up-and-the-sales-handoff"

HBR = (
    "HBR's study 'The Short Life of Online Sales Leads' found that firms contacting a lead within an hour were "
    "about 7 times more likely to qualify it than firms that waited one more hour, and about 60 times more "
    "likely than firms that waited 24 hours"
)


# --- answer parsing -------------------------------------------------------------------------------------------


def _signal_type(value: str) -> str | None:
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    return key if key in SIGNAL_TYPES else None


class Rule:
    """One parsed answer row. A plain class: checkers are loaded by path, where dataclasses cannot resolve."""

    __slots__ = (
        "row",
        "name",
        "types",
        "min_signals",
        "window_days",
        "min_contacts",
        "roles",
        "tiers",
        "owner",
        "response_hours",
        "missing",
    )

    def __init__(
        self,
        row: int,
        name: str,
        types: frozenset[str],
        min_signals: int | None,
        window_days: float | None,
        min_contacts: int | None,
        roles: frozenset[str] | None,
        tiers: frozenset[str] | None,
        owner: str | None,
        response_hours: float | None,
        missing: list[str],
    ) -> None:
        self.row = row
        self.name = name
        self.types = types
        self.min_signals = min_signals
        self.window_days = window_days
        self.min_contacts = min_contacts
        self.roles = roles
        self.tiers = tiers
        self.owner = owner
        self.response_hours = response_hours
        self.missing = missing

    @property
    def label(self) -> str:
        return f"rule {self.row} ('{self.name}')" if self.name else f"rule {self.row}"

    @property
    def evaluable(self) -> bool:
        return bool(self.types) and None not in (self.min_signals, self.window_days, self.min_contacts)

    @property
    def hot(self) -> bool:
        """A rule is hot when it fires on one high-intent signal, or only on high-intent signals."""
        high = self.types & HIGH_INTENT_TYPES
        return bool(high) and (self.types <= HIGH_INTENT_TYPES or self.min_signals == 1)


REQUIRED = ("signal_types", "min_signals", "window_days", "min_contacts", "owner", "response_hours")
_FIELD_HELP = {
    "signal_types": "choose the signal types that count (e.g. demo_request, pricing_page_visit)",
    "min_signals": "set how many signals it takes (a whole number, at least 1)",
    "window_days": "set the window in days the signals must fall within (more than 0)",
    "min_contacts": "set how many different contacts they must come from (0 or more)",
    "owner": "name who follows up: sales, sdr or marketing",
    "response_hours": "set the response time in hours (more than 0)",
}


def _parse_rule(row: int, raw: Mapping, findings: list[Finding]) -> Rule:
    name = as_text(raw.get("name"))
    label = f"rule {row} ('{name}')" if name else f"rule {row}"
    missing: list[str] = []

    def bad(field: str, message: str) -> None:
        findings.append(Finding("improve", message, "answer", row, name or None, field, M_SIGNALS))

    if not name:
        bad("name", f"Rule {row} has no name: name it after what it catches (e.g. 'Hot hand-raisers').")

    types: set[str] = set()
    for v in as_strings(raw.get("signal_types")):
        t = _signal_type(v)
        if t:
            types.add(t)
        else:
            bad("signal_types", f"{label}: '{v}' is not a signal type; use one of {', '.join(SIGNAL_TYPES)}.")
    if not types:
        missing.append("signal_types")

    def whole(field: str, minimum: int) -> int | None:
        raw_value = raw.get(field)
        n = as_number(raw_value)
        if n is None:
            if raw_value not in (None, ""):
                bad(field, f"{label}: {field.replace('_', ' ')} '{raw_value}' is not a number.")
            missing.append(field)
            return None
        if n < minimum:
            bad(field, f"{label}: {field.replace('_', ' ')} is {n:g}; it must be at least {minimum}.")
            missing.append(field)
            return None
        return math.ceil(n - 1e-9)

    def positive(field: str) -> float | None:
        raw_value = raw.get(field)
        n = as_number(raw_value)
        if n is None or n <= 0:
            if raw_value not in (None, ""):
                bad(field, f"{label}: {field.replace('_', ' ')} '{raw_value}' must be a number above 0.")
            missing.append(field)
            return None
        return n

    min_signals = whole("min_signals", 1)
    window_days = positive("window_days")
    min_contacts = whole("min_contacts", 0)
    response_hours = positive("response_hours")

    roles_raw = as_strings(raw.get("roles"))
    roles = normalise_roles(roles_raw)
    unknown_roles = [r for r in roles_raw if normalise_role(r) is None]
    if unknown_roles:
        bad("roles", f"{label}: {', '.join(repr(r) for r in unknown_roles)} not a buying role and ignored.")
    tiers: set[str] = set()
    for v in as_strings(raw.get("tiers")):
        t = normalise_tier(v)
        if t:
            tiers.add(t)
        else:
            bad("tiers", f"{label}: '{v}' is not a tier; use {', '.join(TIERS)}.")

    owner = as_text(raw.get("owner")).lower() or None
    if owner not in OWNERS:
        if owner:
            bad("owner", f"{label}: owner '{owner}' is not one of {', '.join(OWNERS)}.")
        owner = None
        missing.append("owner")

    rule = Rule(
        row,
        name,
        frozenset(types),
        min_signals,
        window_days,
        min_contacts,
        frozenset(roles) or None,
        frozenset(tiers) or None,
        owner,
        response_hours,
        [f for f in REQUIRED if f in missing],
    )
    if rule.missing:
        findings.append(
            Finding(
                "blocker",
                f"{_cap(label)} is incomplete: "
                + "; ".join(_FIELD_HELP[f] for f in rule.missing)
                + ". A rule sales can trust names the signals, the thresholds, who follows up and how fast.",
                "answer",
                row,
                name or None,
                rule.missing[0],
                M_SIGNALS,
            )
        )
    if (
        rule.min_signals is not None
        and rule.min_contacts is not None
        and rule.min_contacts > rule.min_signals
    ):
        findings.append(
            Finding(
                "improve",
                f"{_cap(label)} needs {rule.min_contacts} contacts but only {rule.min_signals} signals; each "
                "signal comes from one contact, so it can never be met. Lower min contacts or raise min signals.",
                "answer",
                row,
                name or None,
                "min_contacts",
                M_SIGNALS,
            )
        )
    return rule


# --- evaluation -----------------------------------------------------------------------------------------------


class Evaluation:
    """What one rule does on the workspace."""

    __slots__ = ("matched_90", "qualified_now", "triggers")

    def __init__(self) -> None:
        self.matched_90: set[int] = set()  # accounts the rule would have qualified in the last 90 days
        self.qualified_now: dict[int, list[SignalSnap]] = {}  # account -> the signals qualifying it now
        # (signal that reached the threshold, account), for triggers inside the rule's window as at now
        self.triggers: list[tuple[SignalSnap, int]] = []


def _evaluate(
    rule: Rule,
    ws: WorkspaceSnapshot,
    targets: list,
    ix: SignalIndex,
    contact_roles: dict[int, frozenset[str]],
) -> Evaluation:
    now = ws.now
    window = timedelta(days=rule.window_days or 0)
    horizon = now - timedelta(days=CALIBRATION_DAYS)
    lookback = horizon - window
    after_now = now + timedelta(microseconds=1)
    current_start = now - window
    known = ix.known_contacts
    ev = Evaluation()
    need_n = rule.min_signals or 1
    need_c = rule.min_contacts or 0
    for a in targets:
        if rule.tiers is not None and normalise_tier(a.tier) not in rule.tiers:
            continue
        sigs = [
            s
            for s in ix.between(a.id, lookback, after_now)
            if s.type in rule.types
            and (rule.roles is None or (contact_roles.get(s.contact_id, frozenset()) & rule.roles))
        ]
        if len(sigs) < need_n:
            continue
        times = [s.occurred_at for s in sigs]
        people_of = [s.contact_id if s.contact_id in known else None for s in sigs] if need_c else None
        people: dict[int, int] = {}
        left = 0
        for j, t in enumerate(times):
            if people_of is not None and (cid := people_of[j]) is not None:
                people[cid] = people.get(cid, 0) + 1
            cutoff = t - window
            while times[left] <= cutoff:
                if people_of is not None and (old := people_of[left]) is not None:
                    if people[old] == 1:
                        del people[old]
                    else:
                        people[old] -= 1
                left += 1
            if j - left + 1 >= need_n and len(people) >= need_c and t > horizon:
                ev.matched_90.add(a.id)
                if t > current_start:
                    ev.triggers.append((sigs[j], a.id))
        current = [s for s in sigs if s.occurred_at > current_start]
        if len(current) >= need_n and len({s.contact_id for s in current if s.contact_id in known}) >= need_c:
            ev.qualified_now[a.id] = current
    return ev


# --- presentation helpers -------------------------------------------------------------------------------------


def _when(dt: datetime) -> str:
    return f"{dt.day} {dt:%b %Y, %H:%M}"


def _hours(h: float) -> str:
    return f"{h:g} h"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _qualified_entry(ws: WorkspaceSnapshot, row: int, account: str, account_id: int, rule: str, sigs) -> dict:
    """One summary line: the account, the rule and the signals that qualified it."""
    return {
        "account_id": account_id,
        "account": account,
        "rule": rule,
        "row": row,
        "signals": [
            {
                "id": s.id,
                "type": s.type,
                "contact_id": s.contact_id,
                "contact": c.name if (c := ws.contact(s.contact_id)) else None,
                "occurred_at": s.occurred_at.isoformat(),
            }
            for s in sigs
        ],
    }


# --- the check ------------------------------------------------------------------------------------------------


def check(workspace: WorkspaceSnapshot, answer: dict) -> Result:
    """Return the Result for the qualification-rules exercise (see the module docstring for the scoring)."""
    findings: list[Finding] = []
    ws = workspace
    answer = answer if isinstance(answer, Mapping) else {}
    targets = list(ws.targets)
    if not ws.accounts or not targets:
        findings.append(
            Finding(
                "blocker",
                "Your workspace has no target accounts yet: import your accounts first and mark the ones on your "
                "target account list, then import their signals.",
                field="accounts",
                module=M_SIGNALS,
            )
        )
    elif not ws.signals:
        findings.append(
            Finding(
                "blocker",
                "Your workspace has no signals yet: import your engagement signals (web visits, downloads, demo "
                "requests, replies) so your rules can be tried on them.",
                field="signals",
                module=M_SIGNALS,
            )
        )

    raw_rows = as_rows(answer.get("rules")) or []
    rules: list[Rule] = []
    for i, raw in enumerate(raw_rows, start=1):
        if isinstance(raw, Mapping):
            if not is_blank_row(raw):
                rules.append(_parse_rule(i, raw, findings))
        else:
            findings.append(
                Finding(
                    "improve",
                    f"Rule {i} could not be read: fill it in again.",
                    "answer",
                    i,
                    None,
                    "rules",
                    M_SIGNALS,
                )
            )

    if len(rules) < MIN_RULES:
        findings.append(
            Finding(
                "blocker",
                f"You have {_plural(len(rules), 'rule')}: write at least {MIN_RULES}, typically one for hot, "
                "high-intent signals (a demo or meeting request, answered within hours) and one for a build-up of "
                "lighter signals from several people at one account.",
                "answer",
                None,
                None,
                "rules",
                M_SIGNALS,
            )
        )

    now = ws.now
    ix = SignalIndex(ws)
    target_ids = {a.id for a in targets}
    recent_signals = sum(
        1
        for a in targets
        for _ in ix.between(a.id, now - timedelta(days=CALIBRATION_DAYS), now + timedelta(seconds=1))
    )
    if targets and ws.signals and not recent_signals:
        findings.append(
            Finding(
                "improve",
                f"None of your target accounts has a signal in the last {CALIBRATION_DAYS} days, so the rules cannot "
                "be tried on recent behaviour: import your latest signals.",
                field="signals",
                module=M_SIGNALS,
            )
        )
    contact_roles = (
        {c.id: frozenset(normalise_roles(c.roles)) for c in ws.contacts if c.roles}
        if any(r.roles for r in rules)
        else {}
    )
    accounts = {a.id: a for a in targets}
    followups: dict[int, list[datetime]] = {}
    for acc in target_ids:
        times = sorted(
            s.followed_up_at for s in ix.by_account.get(acc, ()) if isinstance(s.followed_up_at, datetime)
        )
        if times:
            followups[acc] = times

    rule_scores: list[float] = []
    rule_summary: list[dict] = []
    qualified_rows: list[tuple[int, str, int, str, list[SignalSnap]]] = []
    owed: dict[int, tuple[datetime, SignalSnap, int, Rule]] = {}  # signal id -> (due, signal, account, rule)
    for rule in rules:
        present = len(REQUIRED) - len(rule.missing)
        score = 0.4 * present / len(REQUIRED)

        # Response time.
        if rule.response_hours is not None:
            if rule.hot and rule.response_hours > HOT_MAX_HOURS:
                high = ", ".join(sorted(rule.types & HIGH_INTENT_TYPES))
                findings.append(
                    Finding(
                        "blocker",
                        f"{_cap(rule.label)} catches high-intent signals ({high}) but allows "
                        f"{_hours(rule.response_hours)} to respond. {HBR}. Set {HOT_MAX_HOURS} hours or less "
                        "(ideally within the hour).",
                        "answer",
                        rule.row,
                        rule.name or None,
                        "response_hours",
                        M_FOLLOW,
                    )
                )
            elif rule.response_hours > SLOW_HOURS:
                findings.append(
                    Finding(
                        "improve",
                        f"{_cap(rule.label)} allows {_hours(rule.response_hours)} to respond: after "
                        f"{SLOW_HOURS} hours the interest has gone cold. {HBR}. Aim for 24–48 hours for "
                        "build-up signals.",
                        "answer",
                        rule.row,
                        rule.name or None,
                        "response_hours",
                        M_FOLLOW,
                    )
                )
            else:
                score += 0.2

        # Light single signals.
        light = sorted(rule.types & LOW_INTENT_TYPES)
        if rule.min_signals == 1 and light:
            findings.append(
                Finding(
                    "improve",
                    f"{_cap(rule.label)} sends an account to sales on a single {' or '.join(t.replace('_', ' ') for t in light)}: that is "
                    "a light signal, the reason sales most often rejects a handoff. Require at least 2–3 signals, "
                    "from more than one contact, or drop the low-intent types from this rule.",
                    "answer",
                    rule.row,
                    rule.name or None,
                    "min_signals",
                    M_SIGNALS,
                )
            )
        else:
            score += 0.15

        entry = {
            "row": rule.row,
            "name": rule.name,
            "complete": not rule.missing,
            "signal_types": sorted(rule.types),
            "owner": rule.owner,
            "response_hours": rule.response_hours,
            "accounts_qualified_now": 0,
            "accounts_matched_90_days": 0,
        }
        rule_summary.append(entry)
        if not rule.evaluable or not targets:
            rule_scores.append(score)
            continue

        ev = _evaluate(rule, ws, targets, ix, contact_roles)
        entry["accounts_qualified_now"] = len(ev.qualified_now)
        entry["accounts_matched_90_days"] = len(ev.matched_90)

        # Calibration on the last 90 days.
        if not recent_signals:
            score += 0.25
        elif not ev.matched_90:
            findings.append(
                Finding(
                    "improve",
                    f"{_cap(rule.label)} would not have qualified a single target account in the last "
                    f"{CALIBRATION_DAYS} days: too strict — nothing would ever reach sales. Lower min signals "
                    f"({rule.min_signals}) or min contacts ({rule.min_contacts}), widen the window "
                    f"({rule.window_days:g} days) or add signal types.",
                    "answer",
                    rule.row,
                    rule.name or None,
                    "min_signals",
                    M_SIGNALS,
                )
            )
        elif len(ev.matched_90) > TOO_LOOSE_SHARE * len(targets):
            findings.append(
                Finding(
                    "improve",
                    f"{_cap(rule.label)} would have qualified {len(ev.matched_90)} of your {len(targets)} "
                    f"target accounts in the last {CALIBRATION_DAYS} days: too loose — sales will drown and stop "
                    "trusting your handoffs. Raise min signals or min contacts, narrow the window or drop light "
                    "signal types.",
                    "answer",
                    rule.row,
                    rule.name or None,
                    "min_signals",
                    M_SIGNALS,
                )
            )
        else:
            score += 0.25
        rule_scores.append(score)

        qualified_rows.extend(
            (rule.row, str(accounts[acc].name), acc, rule.name or f"rule {rule.row}", sigs)
            for acc, sigs in ev.qualified_now.items()
        )

        # Follow-up owed on each trigger in the rule's window.
        if rule.response_hours is None:
            continue
        for s, acc in ev.triggers:
            due = s.occurred_at + timedelta(hours=rule.response_hours)
            if s.id not in owed or due < owed[s.id][0]:
                owed[s.id] = (due, s, acc, rule)

    # Follow-up discipline.
    due_count = on_time = 0
    late: list[tuple[datetime, SignalSnap, int, Rule]] = []
    for due, s, acc, rule in owed.values():
        if due >= now:
            continue
        due_count += 1
        own = s.followed_up_at if isinstance(s.followed_up_at, datetime) else None
        times = followups.get(acc, [])
        if (own is not None and own <= due) or bisect_right(times, due) > bisect_left(times, s.occurred_at):
            on_time += 1
        else:
            late.append((due, s, acc, rule))
    late.sort(key=lambda x: (x[0], x[1].id))
    for due, s, acc, rule in late[:MAX_SIGNAL_FINDINGS]:
        a = accounts[acc]
        contact = ws.contact(s.contact_id)
        who = f"{contact.name} at {a.name}" if contact else f"an unnamed visitor at {a.name}"
        own = s.followed_up_at if isinstance(s.followed_up_at, datetime) else None
        state = (
            f"it was only followed up on {_when(own)}"
            if own is not None
            else "no follow-up has been recorded"
        )
        owner = rule.owner or "no one (the rule has no owner)"
        if rule.owner == "sales" and a.sales_owner:
            owner = f"sales ({a.sales_owner})"
        findings.append(
            Finding(
                "improve",
                f"{_cap(s.type.replace('_', ' '))} from {who} on {_when(s.occurred_at)} qualified under "
                f"{rule.label}; follow-up was due within {_hours(rule.response_hours or 0)} (by {_when(due)}), but "
                f"{state}. Owner: {owner} — follow up now and record it on the signal.",
                "signal",
                s.id,
                a.name,
                "followed_up_at",
                M_FOLLOW,
            )
        )
    if len(late) > MAX_SIGNAL_FINDINGS:
        findings.append(
            Finding(
                "improve",
                f"…and {len(late) - MAX_SIGNAL_FINDINGS} more qualifying signals are past their response time "
                "without a follow-up: agree with the owners how they will clear the queue.",
                "signal",
                None,
                None,
                "followed_up_at",
                M_FOLLOW,
            )
        )

    rule_part = (
        (sum(rule_scores) / len(rule_scores)) * min(1.0, len(rules) / MIN_RULES) if rule_scores else 0.0
    )
    follow_part = (on_time / due_count if due_count else 1.0) if rules else 0.0
    score = score_from_ratio(0.8 * rule_part + 0.2 * follow_part) if targets and ws.signals else 0
    blockers = any(f.severity == "blocker" for f in findings)
    if not blockers and rules and score >= 90 and not late:
        findings.append(
            Finding(
                "good",
                f"Your {_plural(len(rules), 'rule')} are complete, answered fast enough and calibrated on your own "
                "signals, and every qualified signal so far was followed up in time.",
                "answer",
                None,
                None,
                "rules",
                M_SIGNALS,
            )
        )

    qualified_rows.sort(key=lambda r: r[:3])
    summary = {
        "targets": len(targets),
        "signals_last_90_days": recent_signals,
        "rules": rule_summary,
        "qualified_total": len(qualified_rows),
        "qualified": [_qualified_entry(ws, *r) for r in qualified_rows[:MAX_SUMMARY_QUALIFIED]],
        "follow_ups_due": due_count,
        "follow_ups_on_time": on_time,
        "follow_ups_overdue": len(late),
    }
    return Result(score, score >= PASS_MARK and not blockers, sort_findings(findings), summary)
