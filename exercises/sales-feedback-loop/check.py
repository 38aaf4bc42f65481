"""Check the sales feedback loop: sales decides every handoff with a coded reason, and marketing acts on it.

The workspace side: handoffs still "sent" more than DECIDE_DAYS days after they were sent need a decision;
every rejected handoff needs a reason code (REJECTION_REASONS) and feedback text. The answer side: one change
per rejection reason that occurs, specific (at least MIN_CHANGE_WORDS words) and owned, the most frequent
reason scheduled first, and no effort spent on reasons that never occur. At least MIN_DECIDED decided
handoffs are needed to judge the loop.

Score = 30 for the workspace (15: share of handoffs older than DECIDE_DAYS that sales has decided; 15: share
of rejections with a reason code and feedback) + 70 for the answer (50: rejection reasons weighted by how often
they occur, fully addressed by a specific, owned change or half by a vague or unowned one; 10: the most
frequent reason is addressed first; 10: the share of changes that address reasons that occur).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta

from lms.abm.snapshot import WorkspaceSnapshot
from lms.abm.vocabulary import REJECTION_REASONS
from lms.practice.result import Finding, Result, score_from_ratio, sort_findings
from lms.practice.values import as_number, as_rows, as_text, is_blank_row, is_filled

PASS_MARK = 75
DECIDE_DAYS = 7
MIN_DECIDED = 5
MIN_CHANGE_WORDS = 12
MAX_PER_KIND = 10
OWNERS = ("marketing", "sales", "both")

M_REASONS = "abm-foundations/sales-feedback-and-rejection-reasons"
M_ACT = "abm-alignment-programme/capturing-and-acting-on-sales-feedback"

REASON_LABELS = {
    "wrong_account": "wrong account",
    "weak_role": "weak role",
    "poor_timing": "poor timing",
    "light_signal": "light signal",
    "missing_context": "missing context",
}
_REASON_HINTS = {
    "wrong_account": "tighten the target account list or the ICP criteria with sales",
    "weak_role": "hand over contacts in the buying roles sales needs, or multi-thread before handing off",
    "poor_timing": "add a timing or trigger check to the qualification rule",
    "light_signal": "raise the qualification threshold (more signals, more contacts, higher intent)",
    "missing_context": "add the engagement summary and a recommended message to every handoff",
}

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_PLACEHOLDERS = frozenset({"tbd", "tbc", "todo", "n/a", "na", "none", "-", "?", "x", "test"})


def _reason(value: object) -> str | None:
    key = re.sub(r"[\s\-]+", "_", as_text(value).lower())
    return key if key in REJECTION_REASONS else None


def _when(dt: datetime) -> str:
    return f"{dt.day} {dt:%b %Y}"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _order(row: dict) -> tuple[float, int]:
    """Sort key for changes: due week (missing last), then row number."""
    return (row["due_week"] if row["due_week"] is not None else math.inf, row["row"])


class _Capped:
    """Keeps at most MAX_PER_KIND findings of one kind, then one roll-up."""

    def __init__(self) -> None:
        self.items: list[Finding] = []
        self.more: dict[str, tuple[int, str, str | None]] = {}
        self.counts: Counter = Counter()

    def add(self, kind: str, finding: Finding, rollup: str) -> None:
        self.counts[kind] += 1
        if self.counts[kind] <= MAX_PER_KIND:
            self.items.append(finding)
        else:
            self.more[kind] = (self.counts[kind] - MAX_PER_KIND, rollup, finding.field)

    def done(self) -> list[Finding]:
        rolled = [
            Finding("improve", f"…and {n} more {text}", "handoff", None, None, field, M_REASONS)
            for n, text, field in self.more.values()
        ]
        return self.items + rolled


def check(workspace: WorkspaceSnapshot, answer: dict) -> Result:
    """Return the Result for the sales-feedback-loop exercise (see the module docstring for the scoring)."""
    ws = workspace
    findings: list[Finding] = []
    capped = _Capped()
    answer = answer if isinstance(answer, Mapping) else {}
    now = ws.now
    if not ws.accounts:
        findings.append(
            Finding(
                "blocker",
                "Your workspace has no accounts yet: import your accounts, contacts and handoffs first, so the "
                "feedback loop can be read from what sales did with your handoffs.",
                field="accounts",
                module=M_REASONS,
            )
        )
    elif not ws.handoffs:
        findings.append(
            Finding(
                "blocker",
                "You have no handoffs yet: hand qualified signals to sales and ask them to accept or reject each one "
                "with a reason before you work on the feedback loop.",
                field="handoffs",
                module=M_REASONS,
            )
        )

    accounts = {a.id: a for a in ws.accounts}

    def describe(h) -> str:
        a = accounts.get(h.account_id)
        c = ws.contact(h.contact_id)
        aname = a.name if a else f"account {h.account_id}"
        who = f"{c.name} at {aname}" if c else aname
        sent = f", sent {_when(h.sent_at)}" if isinstance(h.sent_at, datetime) else ""
        return f"Handoff {h.id} ({who}{sent})"

    accepted = rejected = awaiting = old = old_decided = coded_ok = 0
    reasons: Counter = Counter()
    no_reason = 0
    stale_before = now - timedelta(days=DECIDE_DAYS)
    for h in sorted(ws.handoffs, key=lambda h: h.id):
        status = h.status if h.status in ("accepted", "rejected") else "sent"
        is_old = isinstance(h.sent_at, datetime) and h.sent_at < stale_before
        old += is_old
        if status == "accepted":
            accepted += 1
            old_decided += is_old
            continue
        if status == "sent":
            awaiting += 1
            if is_old:
                owner = (
                    h.sales_owner.strip() if is_filled(h.sales_owner, _PLACEHOLDERS) else "the sales owner"
                )
                days = (now - h.sent_at).days
                capped.add(
                    "undecided",
                    Finding(
                        "improve",
                        f"{describe(h)} has waited {days} days for a decision: ask {owner} to accept or reject it, "
                        "with a reason code if they reject it. Undecided handoffs teach marketing nothing.",
                        "handoff",
                        h.id,
                        accounts[h.account_id].name if h.account_id in accounts else None,
                        "status",
                        M_ACT,
                    ),
                    f"handoffs have waited more than {DECIDE_DAYS} days for a decision from sales.",
                )
            continue
        rejected += 1
        old_decided += is_old
        code = _reason(h.rejection_reason)
        label = accounts[h.account_id].name if h.account_id in accounts else None
        if code:
            reasons[code] += 1
        else:
            no_reason += 1
            given = (
                f" ('{as_text(h.rejection_reason)}' is not a code)"
                if is_filled(h.rejection_reason, _PLACEHOLDERS)
                else ""
            )
            capped.add(
                "no_reason",
                Finding(
                    "improve",
                    f"{describe(h)} was rejected without a reason code{given}: ask sales to pick one of "
                    f"{', '.join(REJECTION_REASONS)}, so rejections can be counted and acted on.",
                    "handoff",
                    h.id,
                    label,
                    "rejection_reason",
                    M_REASONS,
                ),
                "rejected handoffs have no reason code.",
            )
        if not is_filled(h.sales_feedback, _PLACEHOLDERS):
            capped.add(
                "no_feedback",
                Finding(
                    "improve",
                    f"{describe(h)} was rejected with no feedback: ask sales for a sentence on what would have made "
                    "it worth working (the code says what was wrong, the feedback says what to change).",
                    "handoff",
                    h.id,
                    label,
                    "sales_feedback",
                    M_REASONS,
                ),
                "rejected handoffs have no feedback text.",
            )
        elif code:
            coded_ok += 1
    findings.extend(capped.done())

    decided = accepted + rejected
    if ws.handoffs and decided < MIN_DECIDED:
        findings.append(
            Finding(
                "blocker",
                f"Sales has decided {_plural(decided, 'handoff')} so far; the loop needs at least {MIN_DECIDED} "
                "accepted or rejected handoffs to show a pattern. Collect more feedback: agree with sales to decide "
                f"every handoff within {DECIDE_DAYS} days, with a reason code for each rejection.",
                field="handoffs",
                module=M_ACT,
            )
        )

    # The answer: one change per reason that occurs.
    raw_rows = as_rows(answer.get("changes")) or []
    rows: list[dict] = []
    for i, raw in enumerate(raw_rows, start=1):
        if not isinstance(raw, Mapping):
            findings.append(
                Finding(
                    "improve",
                    f"Change {i} could not be read: fill it in again.",
                    "answer",
                    i,
                    None,
                    "changes",
                    M_ACT,
                )
            )
            continue
        if is_blank_row(raw):
            continue
        code = _reason(raw.get("reason"))
        text = as_text(raw.get("change"))
        words = len(_WORD.findall(text))
        owner = as_text(raw.get("owner")).lower()
        week = as_number(raw.get("due_week"))
        row = {
            "row": i,
            "reason": code,
            "occurs": reasons.get(code, 0) if code else 0,
            "specific": words >= MIN_CHANGE_WORDS,
            "owner": owner if owner in OWNERS else None,
            "due_week": week if week is not None and week >= 1 else None,
        }
        rows.append(row)
        label = f"Change {i}" + (f" ({REASON_LABELS[code]})" if code else "")
        if code is None:
            given = as_text(raw.get("reason"))
            findings.append(
                Finding(
                    "improve",
                    f"Change {i}: "
                    + (
                        f"'{given}' is not a rejection reason"
                        if given
                        else "choose the rejection reason it answers"
                    )
                    + f" ({', '.join(REJECTION_REASONS)}).",
                    "answer",
                    i,
                    None,
                    "reason",
                    M_ACT,
                )
            )
            continue
        if not reasons.get(code):
            findings.append(
                Finding(
                    "improve",
                    f"{label}: sales has not rejected any handoff for {REASON_LABELS[code]}, so this change fixes a "
                    "problem you do not have. Focus on the reasons you actually see.",
                    "answer",
                    i,
                    REASON_LABELS[code],
                    "reason",
                    M_ACT,
                )
            )
            continue
        if not row["specific"]:
            findings.append(
                Finding(
                    "improve",
                    f"{label} is too vague to act on ({_plural(words, 'word')}): say what marketing will change, "
                    f"where and how you will know it worked, in at least {MIN_CHANGE_WORDS} words — e.g. "
                    f"{_REASON_HINTS[code]}.",
                    "answer",
                    i,
                    REASON_LABELS[code],
                    "change",
                    M_ACT,
                )
            )
        if row["owner"] is None:
            findings.append(
                Finding(
                    "improve",
                    f"{label} has no owner: choose marketing, sales or both, so someone is accountable for making the "
                    "change.",
                    "answer",
                    i,
                    REASON_LABELS[code],
                    "owner",
                    M_ACT,
                )
            )
        if row["due_week"] is None:
            findings.append(
                Finding(
                    "improve",
                    f"{label} has no due week: say in which week of the plan it will be done (week 1 is the first week).",
                    "answer",
                    i,
                    REASON_LABELS[code],
                    "due_week",
                    M_ACT,
                )
            )

    # Coverage of the reasons that occur, weighted by frequency.
    coded_total = sum(reasons.values())
    coverage = 0.0
    best: dict[str, float] = {}
    for row in rows:
        code = row["reason"]
        if code and reasons.get(code):
            quality = 1.0 if row["specific"] and row["owner"] else 0.5
            best[code] = max(best.get(code, 0.0), quality)
    ranked = sorted(reasons.items(), key=lambda kv: (-kv[1], REJECTION_REASONS.index(kv[0])))
    top_count = ranked[0][1] if ranked else 0
    top = [code for code, n in ranked if n == top_count]
    for code, n in ranked:
        coverage += n / coded_total * best.get(code, 0.0)
        if code in best:
            continue
        is_top = code in top
        findings.append(
            Finding(
                "blocker" if is_top else "improve",
                f"Sales rejected {_plural(n, 'handoff')} for {REASON_LABELS[code]}"
                + (" — your most frequent reason —" if is_top else "")
                + f" but your plan has no change for it: add one (e.g. {_REASON_HINTS[code]}), with an owner and a "
                "due week.",
                "answer",
                None,
                REASON_LABELS[code],
                "changes",
                M_ACT,
            )
        )
    if rejected and not coded_total:
        coverage = 0.0
    elif not coded_total:
        coverage = 1.0

    # The most frequent reason first.
    order_ok = True
    top_rows = [r for r in rows if r["reason"] in top]
    if top_rows:
        first = min(rows, key=_order)
        lead = min(top_rows, key=_order)
        lead_week, first_week = _order(lead)[0], _order(first)[0]
        if first["reason"] not in top and (
            lead_week > first_week or (lead_week == first_week == math.inf and lead["row"] > first["row"])
        ):
            order_ok = False
            findings.append(
                Finding(
                    "improve",
                    f"Your most frequent rejection reason is {REASON_LABELS[top[0]]} "
                    f"({_plural(top_count, 'handoff')}), but change {first['row']} ("
                    + (REASON_LABELS[first["reason"]] if first["reason"] else "no reason")
                    + f") is scheduled before it. Address the most frequent reason first: bring change {lead['row']} "
                    "forward.",
                    "answer",
                    lead["row"],
                    REASON_LABELS[top[0]],
                    "due_week",
                    M_ACT,
                )
            )
    elif top:
        order_ok = False
    focus = sum(1 for r in rows if r["reason"] and reasons.get(r["reason"])) / len(rows) if rows else 1.0
    if coded_total and not rows:
        focus = 0.0

    decided_part = old_decided / old if old else 1.0
    coded_part = coded_ok / rejected if rejected else 1.0
    ratio = 0.15 * decided_part + 0.15 * coded_part + 0.5 * coverage + 0.1 * order_ok + 0.1 * focus
    score = score_from_ratio(ratio) if ws.handoffs else 0
    blockers = any(f.severity == "blocker" for f in findings)
    if decided >= MIN_DECIDED and not rejected:
        findings.append(
            Finding(
                "good",
                f"Sales accepted all {decided} decided handoffs: keep asking for feedback as volumes grow.",
                field="handoffs",
                module=M_REASONS,
            )
        )
    summary = {
        "handoffs": len(ws.handoffs),
        "decided": decided,
        "accepted": accepted,
        "rejected": rejected,
        "awaiting_decision": awaiting,
        "awaiting_over_7_days": capped.counts.get("undecided", 0),
        "acceptance_rate": round(accepted / decided, 3) if decided else None,
        "reasons": {code: reasons.get(code, 0) for code in REJECTION_REASONS},
        "rejected_without_reason": no_reason,
        "most_frequent_reasons": top,
        "changes": rows,
    }
    return Result(score, score >= PASS_MARK and not blockers, sort_findings(findings), summary)
