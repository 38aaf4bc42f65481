"""Check the learner's signal qualification rules as named rules, by running them on their own signals.

A qualification rule (one answer row) qualifies a target account when, within `window_days`, it has at least
`min_signals` signals of the rule's types, from at least `min_contacts` different known contacts who hold a
buying role (module 09: "from any mapped role"); only contacts holding one of `roles`, when set; only accounts
in `tiers`, when set. Each signal that brings an account to the threshold is owed a follow-up by the rule's
named owner within `response_hours` working hours (module 10).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lms.abm.coverage import normalise_roles, normalise_tier
from lms.abm.integrity import credible_roles as roles_of_contact
from lms.abm.integrity import owner_problem, sla_problem, team_member
from lms.abm.signals import HIGH_INTENT_TYPES, HOT_TYPES, LIGHT_TYPES, SignalIndex
from lms.abm.snapshot import AccountSnap, SignalSnap, WorkspaceSnapshot
from lms.abm.vocabulary import SIGNAL_TYPES, TIERS
from lms.practice.result import Finding, Result
from lms.practice.rules import Outcome, Rules
from lms.practice.values import as_number, as_rows, as_strings, as_text, is_blank_row

PASS_MARK = 75
MIN_RULES = 2
HOT_MAX_HOURS = 24  # module 10: hot signals within a business hour; never more than a working day's worth
MAX_WINDOW_DAYS = 30  # module 09: "three downloads over six months are not the same as three in a week"
CALIBRATION_DAYS = 90  # module 09: run last quarter's signals through the rule
TOO_LOOSE_SHARE = 0.5  # more than this share of targets reaching sales swamps them
MAX_LATE_FINDINGS = 20
LEVELS = ("hot", "warm", "account_surge", "nurture")
SALES_LEVELS = ("hot", "warm", "account_surge")  # nurture stays with marketing (module 09)
WORK_START, WORK_END = 9, 17  # working hours, Monday to Friday

M_SIGNALS = "abm-foundations/qualified-signals"
M_FOLLOW = "abm-foundations/follow-up-and-the-sales-handoff"

HBR = ("HBR's 'The Short Life of Online Sales Leads' found firms contacting a lead within an hour were about 7 times "
       "more likely to qualify it than firms that waited an hour longer")

RULES = Rules()


@dataclass(frozen=True)
class QRule:
    """One parsed answer row."""

    row: int
    name: str
    level: str | None
    types: frozenset[str]
    min_signals: int | None
    window_days: float | None
    min_contacts: int | None
    roles: frozenset[str] | None
    tiers: frozenset[str] | None
    owner: str
    backup: str
    response_hours: float | None
    problems: tuple[str, ...]  # what is missing or unreadable, in plain words

    @property
    def label(self) -> str:
        return f"Rule {self.row} ('{self.name}')" if self.name else f"Rule {self.row}"

    @property
    def to_sales(self) -> bool:
        return self.level in SALES_LEVELS

    @property
    def hot(self) -> bool:
        """Hot by level, or because it fires on a single demo or meeting request whatever it is called."""
        return self.level == "hot" or (self.min_signals == 1 and bool(self.types & HOT_TYPES))

    @property
    def runnable(self) -> bool:
        return bool(self.types) and None not in (self.min_signals, self.window_days, self.min_contacts)


@dataclass
class Run:
    """What one rule does on the workspace: accounts matched in the last 90 days, now, and follow-ups owed."""

    matched_90: set[int] = field(default_factory=set)
    qualified_now: dict[int, list[SignalSnap]] = field(default_factory=dict)
    triggers: list[tuple[SignalSnap, int]] = field(default_factory=list)


@dataclass
class Context:
    ws: WorkspaceSnapshot
    rules: list[QRule]
    targets: list[AccountSnap]
    recent_signals: int
    runs: dict[int, Run]  # by rule row
    followups: dict[int, list[datetime]]  # by account: when any of its signals was followed up, sorted


def _answer(message: str, rule: QRule | None = None, module: str = M_SIGNALS, severity: str = "improve") -> Finding:
    return Finding(severity, message, "answer", rule.row if rule else None, rule.name if rule else None,
                   module=module)


def _account_finding(severity: str, message: str, account: AccountSnap, module: str = M_SIGNALS,
                     about: str = "account", about_id: int | None = None) -> Finding:
    return Finding(severity, message, about, about_id if about_id is not None else account.id, account.name,
                   module=module, account_id=account.id, account=account.name)


# --- reading the answer ---------------------------------------------------------------------------------------


def _whole(raw: Mapping, key: str, minimum: int, what: str, problems: list[str]) -> int | None:
    n = as_number(raw.get(key))
    if n is None or n < minimum:
        problems.append(f"set {what} (a whole number, at least {minimum})")
        return None
    return math.ceil(n - 1e-9)


def parse_rule(row: int, raw: Mapping) -> QRule:
    """Return the rule in one answer row; what is missing or unreadable goes in its `problems`."""
    problems: list[str] = []
    level = as_text(raw.get("level")).lower().replace(" ", "_") or None
    if level not in LEVELS:
        problems.append("choose its level: hot, warm, account surge or nurture")
        level = None
    types = frozenset(t for v in as_strings(raw.get("signal_types"))
                      if (t := v.strip().lower().replace(" ", "_").replace("-", "_")) in SIGNAL_TYPES)
    if not types:
        problems.append("choose the signal types that count (for example a demo request or a pricing-page visit)")
    min_signals = _whole(raw, "min_signals", 1, "how many signals it takes", problems)
    window = as_number(raw.get("window_days"))
    if window is None or window <= 0:
        problems.append("set the number of days the signals must fall within")
        window = None
    min_contacts = _whole(raw, "min_contacts", 0, "how many different people they must come from", problems)
    hours = as_number(raw.get("response_hours"))
    if hours is None or hours <= 0:
        problems.append("set the response time in working hours")
        hours = None
    roles = frozenset(normalise_roles(as_strings(raw.get("roles")))) or None
    tiers = frozenset(t for v in as_strings(raw.get("tiers")) if (t := normalise_tier(v)) in TIERS) or None
    return QRule(row, as_text(raw.get("name")), level, types, min_signals, window, min_contacts, roles, tiers,
                 as_text(raw.get("owner")), as_text(raw.get("backup")), hours, tuple(problems))


def read_rules(answer: object) -> list[QRule]:
    """Return the non-blank rules of an answer (rows that are not dicts are skipped)."""
    rows = as_rows(answer.get("rules")) if isinstance(answer, Mapping) else None
    return [parse_rule(i, raw) for i, raw in enumerate(rows or [], start=1)
            if isinstance(raw, Mapping) and not is_blank_row(raw)]


# --- running a rule -------------------------------------------------------------------------------------------


def credible_roles(ws: WorkspaceSnapshot) -> dict[int, frozenset[str]]:
    """Return {contact id: buying roles} for contacts whose roles are believable: at most two, none contradicted
    by the job title. A contact tagged with more roles, or only with contradicted ones, counts as unmapped."""
    out: dict[int, frozenset[str]] = {}
    seen: dict[tuple, frozenset[str]] = {}  # (roles, title) as stored -> credible roles: they repeat across contacts
    for c in ws.contacts:
        key = (c.roles, c.title)
        try:
            kept = seen.get(key)
        except TypeError:  # junk roles that cannot be a key: read uncached by the same function
            kept = frozenset(roles_of_contact(c)[0])
        else:
            if kept is None:
                kept = seen[key] = frozenset(roles_of_contact(c)[0])
        if kept:
            out[c.id] = kept
    return out


def roles_engaged(people, mapped: dict[int, frozenset[str]]) -> int:
    """Return how many people in different buying roles these contacts are (module 09 counts roles, not heads:
    two planners are one role): the smaller of the mapped people and the distinct roles they hold."""
    known = [mapped[c] for c in people if c in mapped]
    return min(len(known), len(frozenset().union(*known)))


def run_rule(rule: QRule, ws: WorkspaceSnapshot, targets: list[AccountSnap], ix: SignalIndex,
             mapped: dict[int, frozenset[str]]) -> Run:
    """Return what `rule` qualifies: accounts in the last 90 days, accounts now, and the triggering signals."""
    now, window = ws.now, timedelta(days=rule.window_days or 0)
    horizon = now - timedelta(days=CALIBRATION_DAYS)
    run, need_n, need_c = Run(), rule.min_signals or 1, rule.min_contacts or 0
    for a in targets:
        if rule.tiers is not None and normalise_tier(a.tier) not in rule.tiers:
            continue
        sigs = [s for s in ix.between(a.id, horizon - window, now + timedelta(microseconds=1))
                if s.type in rule.types and (rule.roles is None or mapped.get(s.contact_id, frozenset()) & rule.roles)]
        people: Counter = Counter()
        left = 0
        for j, s in enumerate(sigs):
            if s.contact_id in mapped:
                people[s.contact_id] += 1
            while sigs[left].occurred_at <= s.occurred_at - window:
                gone = sigs[left].contact_id
                if gone in mapped:
                    people[gone] -= 1
                    if not people[gone]:
                        del people[gone]
                left += 1
            if j - left + 1 >= need_n and roles_engaged(people, mapped) >= need_c and s.occurred_at > horizon:
                run.matched_90.add(a.id)
                if s.occurred_at > now - window:
                    run.triggers.append((s, a.id))
        current = [s for s in sigs if s.occurred_at > now - window]
        if len(current) >= need_n and roles_engaged({s.contact_id for s in current}, mapped) >= need_c:
            run.qualified_now[a.id] = current
    return run


def add_working_hours(start: datetime, hours: float) -> datetime:
    """Return the moment `hours` working hours (Monday to Friday, 09:00-17:00) after `start`."""
    t, left = start, timedelta(hours=hours)
    while True:
        day_start = t.replace(hour=WORK_START, minute=0, second=0, microsecond=0)
        day_end = t.replace(hour=WORK_END, minute=0, second=0, microsecond=0)
        if t.weekday() >= 5 or t >= day_end:
            t = (t + timedelta(days=1)).replace(hour=WORK_START, minute=0, second=0, microsecond=0)
            continue
        t = max(t, day_start)
        if t + left <= day_end:
            return t + left
        left -= day_end - t
        t = day_end


# --- the rules ------------------------------------------------------------------------------------------------


@RULES.rule("at-least-two-rules", module=M_SIGNALS, weight=0)
def at_least_two_rules(ctx: Context) -> Outcome:
    """Two rules at least: one for hot hand-raisers and one for a build-up across the buying group."""
    n = len(ctx.rules)
    if n >= MIN_RULES:
        return Outcome.of(1, 1)
    return Outcome.of(n, MIN_RULES, [_answer(
        f"You have {n} rule{'s' if n != 1 else ''}: write at least {MIN_RULES}, typically a hot rule for demo and "
        "meeting requests (answered within the hour) and a warm rule for a build-up of signals from several people "
        "at one account.", severity="blocker")])


@RULES.rule("rules-are-complete", module=M_SIGNALS, weight=2)
def rules_are_complete(ctx: Context) -> Outcome:
    """Every rule has a level, signal types, thresholds and a response time (owners have their own rule)."""
    findings = [_answer(f"{r.label} is incomplete: {'; '.join(r.problems)}. A rule sales can trust names the "
                        "signals, the thresholds, who follows up and how fast.", r, severity="blocker")
                for r in ctx.rules if r.problems]
    for r in ctx.rules:
        if r.min_signals is not None and r.min_contacts is not None and r.min_contacts > r.min_signals:
            findings.append(_answer(f"{r.label} needs {r.min_contacts} people but only {r.min_signals} signals, so it "
                                    "can never be met: raise the number of signals or lower the number of people.", r))
    complete = sum(1 for r in ctx.rules if not r.problems)
    return Outcome.of(complete, len(ctx.rules), findings)


@RULES.rule("named-owner-and-backup", module=M_FOLLOW, weight=1.5)
def named_owner_and_backup(ctx: Context) -> Outcome:
    """Module 10: each rule has one owner, a named person (in sales for hot and warm rules, on a team workspace), and
    a different named backup for holidays."""
    findings, met = [], 0
    for r in ctx.rules:
        problem = owner_problem(r.owner, ctx.ws)
        if problem:
            findings.append(_answer(f"{r.label}: {problem}. Name the person who follows up, such as the account "
                                    "executive for the account, so someone answers for it.", r, M_FOLLOW, "blocker"))
            continue
        member = team_member(r.owner, ctx.ws.team)
        if r.level in ("hot", "warm") and member is not None and member.job_function == "marketing":
            findings.append(_answer(f"{r.label}: {r.owner} works in marketing, but hot and warm signals go to sales. "
                                    "Name the salesperson who follows up; marketing can brief them.", r, M_FOLLOW))
            met -= 0.5
        backup = owner_problem(r.backup, ctx.ws)
        if backup is None and r.backup.lower() == r.owner.lower():
            backup = "the backup is the owner again"
        if backup:
            findings.append(_answer(f"{r.label}: no one covers for {r.owner} ({backup}). Name a different person "
                                    "as backup: a response time that only works when everyone is at their desk is "
                                    "not a response time.", r, M_FOLLOW))
            met += 0.5
        else:
            met += 1
    return Outcome.of(met, len(ctx.rules), findings)


def _response_problem(r: QRule) -> tuple[str, str] | None:
    """Return (severity, message) for a response time that is out of bounds or too slow for a hot rule."""
    problem = sla_problem(r.response_hours)
    if problem:
        return "blocker", f"{r.label}: {problem}."
    if r.hot and r.response_hours > HOT_MAX_HOURS:
        return "blocker", (f"{r.label} catches demo or meeting requests but allows {r.response_hours:g} working hours "
                           f"to respond. {HBR}. Set {HOT_MAX_HOURS} hours or less, ideally 1.")
    return None


@RULES.rule("response-times", module=M_FOLLOW, weight=1.5)
def response_times(ctx: Context) -> Outcome:
    """Response times within 1 to 72 working hours, hot rules within 24, and the hotter the level the faster."""
    findings, met = [], 0
    timed = [r for r in ctx.rules if r.response_hours is not None]
    for r in timed:
        problem = _response_problem(r)
        if problem:
            findings.append(_answer(problem[1], r, M_FOLLOW, problem[0]))
        else:
            met += 1
    fastest_cooler = min((r.response_hours for r in timed if r.level in ("warm", "account_surge", "nurture")),
                         default=None)
    for r in timed:
        if r.level == "hot" and fastest_cooler is not None and r.response_hours > fastest_cooler:
            findings.append(_answer(f"{r.label} is hot but slower ({r.response_hours:g} hours) than a cooler rule "
                                    f"({fastest_cooler:g} hours): the hotter the signal, the shorter the time.",
                                    r, M_FOLLOW))
    return Outcome.of(met, len(timed), findings)


@RULES.rule("no-sales-on-a-light-signal", module=M_SIGNALS, weight=1)
def no_sales_on_a_light_signal(ctx: Context) -> Outcome:
    """A rule that goes to sales never fires on one ad click or website visit, or on light signals alone."""
    findings, judged, met = [], 0, 0
    for r in ctx.rules:
        if not r.types or not r.to_sales:
            continue
        judged += 1
        light = sorted(r.types & LIGHT_TYPES)
        words = " or ".join(t.replace("_", " ") for t in light)
        if light and r.types <= LIGHT_TYPES:
            findings.append(_answer(f"{r.label} sends accounts to sales on {words} alone: those are background "
                                    "activity, not buying signals. Add demo requests, replies or event attendance, or "
                                    "make it a nurture rule.", r, severity="blocker"))
        elif light and r.min_signals == 1:
            findings.append(_answer(f"{r.label} sends an account to sales on a single {words}: the light signal sales "
                                    "rejects most. Require at least 2 or 3 signals from more than one person, or drop "
                                    "those types from this rule.", r, severity="blocker"))
        elif r.level == "hot" and not r.types & HIGH_INTENT_TYPES:
            findings.append(_answer(f"{r.label} is called hot but fires on none of the high-intent signals: base it on "
                                    "demo or meeting requests, replies or pricing-page visits, or call it warm.", r))
        else:
            met += 1
    return Outcome.of(met, judged, findings)


@RULES.rule("counts-the-buying-group", module=M_SIGNALS, weight=1)
def counts_the_buying_group(ctx: Context) -> Outcome:
    """A window of 30 days at most; warm rules need two people or named roles; hot rules a known person."""
    findings, met, judged = [], 0, 0
    for r in ctx.rules:
        if r.window_days is None or r.min_contacts is None:
            continue
        judged, ok = judged + 1, True
        if r.window_days > MAX_WINDOW_DAYS:
            ok = False
            findings.append(_answer(f"{r.label} counts signals over {r.window_days:g} days: three downloads over six "
                                    f"months are not three in a week. Keep the window to {MAX_WINDOW_DAYS} days or "
                                    "less.", r))
        if r.level == "warm" and r.min_contacts < 2 and not r.roles:
            ok = False
            findings.append(_answer(f"{r.label} can be met by one person: 'any contact' lets one keen junior user look "
                                    "like a buying group. Require at least 2 people, or name the roles that count.", r))
        if r.level == "hot" and r.min_contacts < 1:
            ok = False
            findings.append(_answer(f"{r.label} can fire with nobody known: a hot rule is a request from a known "
                                    "person with a buying role. Require at least 1 person.", r))
        met += ok
    return Outcome.of(met, judged, findings)


@RULES.rule("calibrated-on-your-signals", module=M_SIGNALS, weight=1.5)
def calibrated_on_your_signals(ctx: Context) -> Outcome:
    """Each sales rule would have qualified some target accounts in the last 90 days, but not more than half."""
    findings, judged, met = [], 0, 0
    n = len(ctx.targets)
    for r in ctx.rules:
        run = ctx.runs.get(r.row)
        if run is None or not r.to_sales or not ctx.recent_signals:
            continue
        judged += 1
        if not run.matched_90:
            findings.append(_answer(f"{r.label} would not have qualified a single target account in the last "
                                    f"{CALIBRATION_DAYS} days, so nothing would reach sales: lower the thresholds, "
                                    "widen the window or add signal types.", r))
        elif len(run.matched_90) > TOO_LOOSE_SHARE * n:
            findings.append(_answer(f"{r.label} would have qualified {len(run.matched_90)} of your {n} target "
                                    f"accounts in the last {CALIBRATION_DAYS} days: sales would drown and stop trusting "
                                    "your handoffs. Raise the thresholds or drop light signal types.", r))
        else:
            met += 1
    return Outcome.of(met, judged, findings)


def _owed(ctx: Context) -> dict[int, tuple[datetime, SignalSnap, int, QRule]]:
    owed: dict[int, tuple[datetime, SignalSnap, int, QRule]] = {}
    for r in ctx.rules:
        run = ctx.runs.get(r.row)
        if run is None or r.response_hours is None or sla_problem(r.response_hours):
            continue
        for s, account_id in run.triggers:
            due = add_working_hours(s.occurred_at, r.response_hours)
            if s.id not in owed or due < owed[s.id][0]:
                owed[s.id] = (due, s, account_id, r)
    return owed


@RULES.rule("followed-up-in-time", module=M_FOLLOW, weight=1.5)
def followed_up_in_time(ctx: Context) -> Outcome:
    """Each signal a rule qualified was followed up (on it, or on a later signal of the account) by its due time."""
    due_now = [o for o in _owed(ctx).values() if o[0] < ctx.ws.now]
    late = []
    for due, s, account_id, r in due_now:
        times = ctx.followups.get(account_id, [])
        if bisect_right(times, due) <= bisect_left(times, s.occurred_at):
            late.append((due, s, account_id, r))
    late.sort(key=lambda x: (x[0], x[1].id))
    findings = []
    for due, s, account_id, r in late[:MAX_LATE_FINDINGS]:
        a = ctx.ws.account(account_id)
        contact = ctx.ws.contact(s.contact_id)
        who = contact.name if contact else "an unnamed visitor"
        findings.append(_account_finding(
            "improve", f"{s.type.replace('_', ' ').capitalize()} from {who} on {s.occurred_at:%d %b %Y} met "
            f"{r.label[0].lower()}{r.label[1:]}; it was due a follow-up by {due:%d %b %Y %H:%M} and none is recorded in time. "
            f"{r.owner or 'The owner'} should follow up now and record it on the signal.",
            a, M_FOLLOW, "signal", s.id))
    if len(late) > MAX_LATE_FINDINGS:
        findings.append(_answer(f"…and {len(late) - MAX_LATE_FINDINGS} more qualified signals are past their response "
                                "time: agree with the owners how they will clear the queue.", module=M_FOLLOW))
    return Outcome.of(len(due_now) - len(late), len(due_now), findings, follow_ups_due=len(due_now),
                      follow_ups_overdue=len(late))


# --- the check ------------------------------------------------------------------------------------------------


def _first(ws: WorkspaceSnapshot, targets: list[AccountSnap]) -> list[Finding]:
    if not targets:
        return [Finding("blocker", "Your workspace has no target accounts yet: import your accounts, mark the ones "
                        "on your target account list, then import their signals.", module=M_SIGNALS)]
    if not ws.signals:
        return [Finding("blocker", "Your workspace has no signals yet: import your engagement signals (visits, "
                        "downloads, demo requests, replies) so your rules can be tried on them.", module=M_SIGNALS)]
    return []


def _summary(ctx: Context) -> dict:
    rules = [{"row": r.row, "name": r.name, "level": r.level, "owner": r.owner, "backup": r.backup,
              "response_hours": r.response_hours, "signal_types": sorted(r.types),
              "accounts_qualified_now": len(ctx.runs[r.row].qualified_now) if r.row in ctx.runs else 0,
              "accounts_matched_90_days": len(ctx.runs[r.row].matched_90) if r.row in ctx.runs else 0}
             for r in ctx.rules]
    qualified = [{"account_id": acc, "account": ctx.ws.account(acc).name, "rule": r.name or f"rule {r.row}",
                  "row": r.row, "signals": [s.id for s in sigs]}
                 for r in ctx.rules if r.row in ctx.runs for acc, sigs in ctx.runs[r.row].qualified_now.items()]
    return {"targets": len(ctx.targets), "signals_last_90_days": ctx.recent_signals, "rules": rules,
            "qualified_total": len(qualified), "qualified": qualified[:200]}


def build_context(ws: WorkspaceSnapshot, answer: object) -> Context:
    """Return the context the rules read: the parsed rules and what each does on the target accounts."""
    rules, targets = read_rules(answer), list(ws.targets)
    ix, mapped = SignalIndex(ws), credible_roles(ws)
    start, end = ws.now - timedelta(days=CALIBRATION_DAYS), ws.now + timedelta(seconds=1)
    recent = sum(len(ix.between(a.id, start, end)) for a in targets)
    runs = {r.row: run_rule(r, ws, targets, ix, mapped) for r in rules if r.runnable and targets}
    followups = {acc: sorted(s.followed_up_at for s in sigs if isinstance(s.followed_up_at, datetime))
                 for acc, sigs in ix.by_account.items()}
    return Context(ws, rules, targets, recent, runs, followups)


def check(workspace: WorkspaceSnapshot, answer: dict) -> Result:
    """Return the Result of running the qualification-rules RULES on the learner's rules and signals."""
    ctx = build_context(workspace, answer)
    first = _first(workspace, ctx.targets)
    if ctx.targets and workspace.signals and not ctx.recent_signals:
        first.append(Finding("improve", f"None of your target accounts has a signal in the last {CALIBRATION_DAYS} "
                             "days, so the rules cannot be tried on recent behaviour: import your latest signals.",
                             module=M_SIGNALS))
    result = RULES.evaluate(ctx, pass_mark=PASS_MARK, first=first, summary=_summary(ctx))
    if first and first[0].severity == "blocker":
        return Result(0, False, result.findings, result.summary)
    return result

