"""Check the sales feedback loop as named rules: sales decides every handoff within its SLA with a reason code, and
marketing answers each reason that occurs with a specific change owned by a named person, with a date and a check.

Modules 11 (foundations) and 08 (alignment programme): accepted or rejected within the SLA window, never silent;
the reason code is required; one specific change per pattern, with an owner, a date and a check next month.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from lms.abm.integrity import is_answered, owner_problem, repeated, words
from lms.abm.snapshot import HandoffSnap, WorkspaceSnapshot
from lms.abm.vocabulary import REJECTION_REASONS
from lms.practice.result import Finding, Result
from lms.practice.rules import Outcome, Rules
from lms.practice.values import as_number, as_rows, as_text, is_blank_row

PASS_MARK = 75
MIN_DECIDED = 5  # decided handoffs before a pattern can be read
MIN_CHANGE_WORDS = 12
DEFAULT_DECISION_HOURS = 24  # module 10's warm SLA, for handoffs sent without one

M_REASONS = "abm-foundations/sales-feedback-and-rejection-reasons"
M_ACT = "abm-alignment-programme/capturing-and-acting-on-sales-feedback"
REASON_WORDS = {code: code.replace("_", " ") for code in REJECTION_REASONS}
_HINTS = {
    "wrong_account": "re-check the account against the ideal customer profile with sales and re-tier or remove it",
    "weak_role": "require a senior decision maker, functional owner or several roles before handing off",
    "poor_timing": "keep the account in nurture with a revisit date from sales",
    "light_signal": "raise the count, shorten the window or require more roles in the qualification rule",
    "missing_context": "make the empty fields of the handoff brief required",
}

RULES = Rules()


@dataclass(frozen=True)
class Change:
    """One row of the learner's plan, read leniently."""

    row: int
    reason: str | None
    text: str
    owner: str
    check: str
    due_week: float | None


@dataclass(frozen=True)
class Context:
    """The workspace's handoffs, the rejection tally and the learner's planned changes."""

    ws: WorkspaceSnapshot
    reasons: Counter  # reason code -> rejections with that code
    changes: tuple[Change, ...]
    unreadable: tuple[int, ...]  # answer rows that could not be read

    @property
    def ranked(self) -> list[tuple[str, int]]:
        """The reasons that occur, most frequent first (ties in the vocabulary's order)."""
        return sorted(self.reasons.items(), key=lambda kv: (-kv[1], REJECTION_REASONS.index(kv[0])))


def reason_code(value: object) -> str | None:
    """Return the rejection reason code for a loose value ("Light signal" -> light_signal), or None."""
    key = re.sub(r"[\s\-]+", "_", as_text(value).lower())
    return key if key in REJECTION_REASONS else None


def build_context(workspace: WorkspaceSnapshot, answer: object) -> Context:
    """Return the context: the coded rejections in the workspace and the readable rows of the plan."""
    reasons = Counter(code for h in workspace.handoffs if h.status == "rejected"
                      and (code := reason_code(h.rejection_reason)))
    raw = as_rows(answer.get("changes")) if isinstance(answer, Mapping) else []
    changes, unreadable = [], []
    for i, row in enumerate(raw or [], start=1):
        if not isinstance(row, Mapping):
            unreadable.append(i)
        elif not is_blank_row(row):
            week = as_number(row.get("due_week"))
            changes.append(Change(i, reason_code(row.get("reason")), as_text(row.get("change")),
                                  as_text(row.get("owner")), as_text(row.get("check")),
                                  week if week is not None and week >= 1 else None))
    return Context(workspace, reasons, tuple(changes), tuple(unreadable))


def _handoff(ctx: Context, h: HandoffSnap, severity: str, message: str, module: str = M_REASONS) -> Finding:
    account = ctx.ws.account(h.account_id)
    name = account.name if account else None
    return Finding(severity, message, "handoff", h.id, name, None, module, account_id=h.account_id, account=name)


def _who(ctx: Context, h: HandoffSnap) -> str:
    account = ctx.ws.account(h.account_id)
    contact = ctx.ws.contact(h.contact_id)
    where = account.name if account else "an unknown account"
    sent = f", sent {h.sent_at.day} {h.sent_at:%b %Y}" if isinstance(h.sent_at, datetime) else ""
    return f"The handoff for {contact.name + ' at ' if contact else ''}{where}{sent}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


# --- the rules ---------------------------------------------------------------------------------------------------


@RULES.rule("enough-decisions", module=M_ACT, weight=0)
def enough_decisions(ctx: Context) -> Outcome:
    """At least MIN_DECIDED handoffs accepted or rejected, so there is a pattern to act on (no score of its own)."""
    decided = sum(1 for h in ctx.ws.handoffs if h.status in ("accepted", "rejected"))
    findings = []
    if ctx.ws.handoffs and decided < MIN_DECIDED:
        findings.append(Finding("blocker", f"Sales has decided {_plural(decided, 'handoff')}; the loop needs at "
                                f"least {MIN_DECIDED} accepted or rejected to show a pattern. Ask sales to decide "
                                "every handoff, with a reason code for each rejection."))
    accepted = sum(1 for h in ctx.ws.handoffs if h.status == "accepted")
    return Outcome.of(0, 0, findings, decided=decided, accepted=accepted,
                      acceptance_rate=round(accepted / len(ctx.ws.handoffs), 3) if ctx.ws.handoffs else None,
                      reasons={code: ctx.reasons.get(code, 0) for code in REJECTION_REASONS})


@RULES.rule("decided-within-the-sla", module=M_REASONS, weight=1)
def decided_within_the_sla(ctx: Context) -> Outcome:
    """No handoff is left undecided once its SLA window has passed (module 11: accepted or rejected, never silent)."""
    findings, due, ok = [], 0, 0
    for h in ctx.ws.handoffs:
        if not isinstance(h.sent_at, datetime):
            continue
        hours = h.sla_hours if isinstance(h.sla_hours, int | float) and h.sla_hours > 0 else DEFAULT_DECISION_HOURS
        if h.sent_at + timedelta(hours=float(hours)) > ctx.ws.now:
            continue
        due += 1
        if h.status in ("accepted", "rejected"):
            ok += 1
            continue
        owner = as_text(h.sales_owner) or "the sales owner"
        findings.append(_handoff(ctx, h, "improve", f"{_who(ctx, h)} is past its {float(hours):g}-hour SLA with no "
                                 f"decision: ask {owner} to accept it, or reject it with a reason code."))
    return Outcome.of(ok, due, findings)


@RULES.rule("rejections-have-a-reason", module=M_REASONS, weight=1)
def rejections_have_a_reason(ctx: Context) -> Outcome:
    """Every rejected handoff carries one of the five reason codes (the feedback rate of module 08)."""
    rejected = [h for h in ctx.ws.handoffs if h.status == "rejected"]
    findings = [_handoff(ctx, h, "improve", f"{_who(ctx, h)} was rejected without a reason: ask sales to pick "
                         f"one of {', '.join(REASON_WORDS.values())}.")
                for h in rejected if reason_code(h.rejection_reason) is None]
    return Outcome.of(len(rejected) - len(findings), len(rejected), findings)


def change_problems(ctx: Context, change: Change, copied: set[int]) -> list[str]:
    """Return what a change still needs to be specific, owned, dated and checked ([] when nothing)."""
    gaps = []
    if len(words(change.text)) < MIN_CHANGE_WORDS or not is_answered(change.text):
        gaps.append(f"say what will change and where, in at least {MIN_CHANGE_WORDS} words"
                    + (f" (for example: {_HINTS[change.reason]})" if change.reason else ""))
    if change.row in copied:
        gaps.append("words of its own: the same change is given for another reason")
    if problem := owner_problem(change.owner, ctx.ws):
        gaps.append(f"a named owner ({problem})")
    if change.due_week is None:
        gaps.append("the week it will be done by")
    if not is_answered(change.check, 3):
        gaps.append("how you will know it worked next month, such as the acceptance rate or this reason falling")
    return gaps


@RULES.rule("changes-are-specific-and-owned", module=M_ACT, weight=2)
def changes_are_specific_and_owned(ctx: Context) -> Outcome:
    """Each change for a reason that occurs is specific, not copied, owned by a named person, dated and checked."""
    copied = set(repeated({c.row: c.text for c in ctx.changes}))
    findings = [Finding("improve", f"Change {i} could not be read: fill it in again.", "answer", i)
                for i in ctx.unreadable]
    relevant = [c for c in ctx.changes if c.reason and ctx.reasons.get(c.reason)]
    ok = 0
    for change in relevant:
        if gaps := change_problems(ctx, change, copied):
            findings.append(Finding("improve", f"Change {change.row} ({REASON_WORDS[change.reason]}) needs "
                                    + "; ".join(gaps) + ".", "answer", change.row, REASON_WORDS[change.reason]))
        else:
            ok += 1
    return Outcome.of(ok, len(relevant) + len(ctx.unreadable), findings)


@RULES.rule("every-reason-answered", module=M_ACT, weight=4)
def every_reason_answered(ctx: Context) -> Outcome:
    """Each reason that occurs has a change, weighted by how often it occurs; the most frequent is a must."""
    total = sum(ctx.reasons.values())
    if not total:
        return Outcome.of(0, 0)
    copied = set(repeated({c.row: c.text for c in ctx.changes}))
    quality = {}
    for change in ctx.changes:
        if change.reason in ctx.reasons:
            score = 1.0 if not change_problems(ctx, change, copied) else 0.5
            quality[change.reason] = max(quality.get(change.reason, 0.0), score)
    findings, earned = [], 0.0
    top = ctx.ranked[0][1]
    for code, n in ctx.ranked:
        earned += n * quality.get(code, 0.0)
        if code not in quality:
            most = n == top
            findings.append(Finding("blocker" if most else "improve", f"Sales rejected {_plural(n, 'handoff')} for "
                                    f"{REASON_WORDS[code]}{', your most frequent reason,' if most else ''} but your "
                                    f"plan has no change for it: add one, for example {_HINTS[code]}.", "answer",
                                    label=REASON_WORDS[code]))
    return Outcome(earned / total, tuple(findings))


@RULES.rule("most-frequent-first", module=M_ACT, weight=1)
def most_frequent_first(ctx: Context) -> Outcome:
    """The change for the most frequent reason is due no later than any other change."""
    if not ctx.reasons:
        return Outcome.of(0, 0)
    top = {code for code, n in ctx.ranked if n == ctx.ranked[0][1]}
    leads = [c for c in ctx.changes if c.reason in top]
    if not leads:
        return Outcome.of(0, 1)  # every-reason-answered already says what to add

    def when(c: Change) -> tuple[float, int]:
        return (c.due_week if c.due_week is not None else math.inf, c.row)
    first, lead = min(ctx.changes, key=when), min(leads, key=when)
    if first.reason in top or when(lead)[0] <= when(first)[0]:
        return Outcome.of(1, 1)
    return Outcome.of(0, 1, [Finding("improve", f"Change {first.row} is scheduled before the change for your most "
                                     f"frequent reason ({REASON_WORDS[lead.reason]}): bring change {lead.row} "
                                     "forward.", "answer", lead.row, REASON_WORDS[lead.reason])])


@RULES.rule("focus-on-real-reasons", module=M_REASONS, weight=1)
def focus_on_real_reasons(ctx: Context) -> Outcome:
    """Changes answer reasons sales actually gives, not problems you do not have."""
    findings = []
    for change in ctx.changes:
        if change.reason is None:
            findings.append(Finding("improve", f"Change {change.row}: choose the rejection reason it answers.",
                                    "answer", change.row))
        elif not ctx.reasons.get(change.reason):
            findings.append(Finding("improve", f"Change {change.row}: sales has not rejected any handoff for "
                                    f"{REASON_WORDS[change.reason]}, so it fixes a problem you do not have.",
                                    "answer", change.row, REASON_WORDS[change.reason]))
    return Outcome.of(len(ctx.changes) - len(findings), len(ctx.changes), findings)


def check(workspace: WorkspaceSnapshot, answer: dict) -> Result:
    """Return the Result for the sales-feedback-loop exercise."""
    first = []
    if not workspace.accounts:
        first.append(Finding("blocker", "Your workspace has no accounts yet: import your accounts, contacts and "
                             "handoffs first, so the loop can be read from what sales did with them.", module=M_REASONS))
    elif not workspace.handoffs:
        first.append(Finding("blocker", "You have no handoffs yet: hand qualified signals to sales and ask them to "
                             "accept or reject each one with a reason.", module=M_REASONS))
    ctx = build_context(workspace, answer)
    return RULES.evaluate(ctx, pass_mark=PASS_MARK, first=first)
