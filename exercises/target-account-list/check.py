"""Check the target account list: every target account answers the five questions and has a tier.

The five questions (ABM-REFERENCE 4.1, "what to record on a target-account-list row"):
  1. why it matters          why_selected (at least MIN_WORDS meaningful words)
  2. ICP fit                 icp_fit (0-100) and icp_reasons (at least MIN_WORDS meaningful words)
  3. sales will work it      sales_agreed is True (False: a disagreement to resolve; None: not yet reviewed)
  4. who owns it             sales_owner and marketing_owner
  5. what counts as progress progress_definition (at least MIN_WORDS meaningful words)
plus a tier (1:1, 1:few or 1:many).

Score: the weighted share of those answers across all target accounts. Sales agreement counts double
(WEIGHTS); ICP fit and owner give half credit for each of their two fields.
"""

from __future__ import annotations

import re

from lms.abm.coverage import normalise_tier
from lms.abm.snapshot import WorkspaceSnapshot
from lms.practice.result import Finding, Result, score_from_ratio, sort_findings
from lms.practice.values import is_filled

PASS_MARK = 80
MIN_TARGETS = 5  # a list shorter than this is not a list to tier and agree
MAX_ONE_TO_ONE = 10  # more 1:1 accounts than this is not a realistic programme...
MAX_ONE_TO_ONE_SHARE = 0.20  # ...nor more than this share of the list,
MIN_ONE_TO_ONE_FOR_SHARE = 3  # once there are at least this many (two 1:1s in a list of five is fine)
MIN_WORDS = 4  # meaningful words for a reason to count as answered ("big" does not)

WEIGHTS = {"why": 1.0, "icp": 1.0, "sales": 2.0, "owner": 1.0, "progress": 1.0, "tier": 1.0}

M_CHOOSE = "abm-foundations/choosing-target-accounts"
M_TIER = "abm-foundations/tiering-one-to-one-few-many"
M_AGREE = "abm-alignment-programme/agreeing-the-account-list"

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_STOPWORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "by",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "we",
        "our",
        "they",
        "their",
        "them",
        "he",
        "she",
        "his",
        "her",
        "you",
        "your",
        "i",
        "my",
        "me",
        "us",
        "very",
        "so",
        "too",
        "also",
        "just",
        "tbd",
        "tbc",
        "todo",
        "na",
        "none",
        "nil",
        "unknown",
        "etc",
    }
)


def meaningful_words(text: object) -> int:
    """Count the words in a free-text answer that carry meaning (not stopwords or placeholders)."""
    if not isinstance(text, str):
        return 0
    return sum(1 for w in _WORD.findall(text.lower()) if w not in _STOPWORDS and (len(w) > 1 or w.isdigit()))


def _quote(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text_answer(a, field: str, value: object, what: str, example: str, module: str, findings: list) -> bool:
    """Return True if a free-text field answers its question; otherwise add a finding saying how to fix it."""
    if meaningful_words(value) >= MIN_WORDS:
        return True
    if is_filled(value):
        message = (
            f"{a.name}: '{_quote(value)}' is too short to count as {what}. Write at least {MIN_WORDS} meaningful "
            f"words in {field.replace('_', ' ')}, {example}"
        )
    else:
        message = f"{a.name} has no {field.replace('_', ' ')}: write {what}, {example}"
    findings.append(Finding("improve", message, "account", a.id, a.name, field, module))
    return False


def check(workspace: WorkspaceSnapshot, answer: dict) -> Result:
    findings: list[Finding] = []
    accounts = tuple(getattr(workspace, "accounts", ()) or ())
    if not accounts:
        findings.append(
            Finding(
                "blocker",
                "Your workspace has no accounts yet: import your accounts first (Accounts > Import), then mark "
                "the ones you will work as target accounts.",
                field="accounts",
                module=M_CHOOSE,
            )
        )
        return Result(0, False, tuple(findings), {"targets": 0})
    targets = [a for a in accounts if a.is_target]
    if not targets:
        findings.append(
            Finding(
                "blocker",
                f"None of your {len(accounts)} accounts is on the target account list: choose the accounts that fit "
                "your ideal customer profile and show intent, and mark them as targets.",
                field="is_target",
                module=M_CHOOSE,
            )
        )
        return Result(0, False, tuple(findings), {"targets": 0, "accounts": len(accounts)})

    total_weight = sum(WEIGHTS.values())
    earned = 0.0
    answered = dict.fromkeys(WEIGHTS, 0.0)
    tiers = {"1:1": 0, "1:few": 0, "1:many": 0, "none": 0}
    agreed = disagreed = not_reviewed = complete = 0

    for a in targets:
        got = dict.fromkeys(WEIGHTS, 0.0)

        # 1. Why it matters.
        if _text_answer(
            a,
            "why_selected",
            a.why_selected,
            "why this account matters now",
            "e.g. its fit with your ideal customer profile and a trigger or intent you have seen "
            "('opening two UK depots in 2025; our routing cuts their fuel cost').",
            M_CHOOSE,
            findings,
        ):
            got["why"] = 1.0

        # 2. ICP fit: a score and the evidence behind it.
        fit = a.icp_fit
        if isinstance(fit, bool) or not isinstance(fit, int | float) or not 0 <= fit <= 100:
            if fit is None:
                message = (
                    f"{a.name} has no ICP fit score: score it 0-100 against your ideal customer profile."
                )
            else:
                message = f"{a.name} has an ICP fit score of {fit!r}: use a whole number from 0 to 100."
            findings.append(Finding("improve", message, "account", a.id, a.name, "icp_fit", M_CHOOSE))
        else:
            got["icp"] += 0.5
        if _text_answer(
            a,
            "icp_reasons",
            a.icp_reasons,
            "the evidence for its ICP fit",
            "e.g. industry, size, region and the problem you solve for them ('UK 3PL, 1,200 staff, "
            "manual route planning').",
            M_CHOOSE,
            findings,
        ):
            got["icp"] += 0.5

        # 3. Sales agreement.
        if a.sales_agreed is True:
            got["sales"] = 1.0
            agreed += 1
        elif a.sales_agreed is False:
            disagreed += 1
            reason = (
                f" (their reason: '{_quote(a.sales_disagree_reason, 80)}')"
                if is_filled(a.sales_disagree_reason)
                else ""
            )
            findings.append(
                Finding(
                    "blocker",
                    f"Sales has not agreed to work {a.name}{reason}. Resolve it before you submit: meet the account "
                    "owner, agree what would change their mind, or take the account off the target list.",
                    "account",
                    a.id,
                    a.name,
                    "sales_agreed",
                    M_AGREE,
                )
            )
        else:
            not_reviewed += 1
            findings.append(
                Finding(
                    "improve",
                    f"{a.name} has not been reviewed by sales yet: take it to the account owner, agree they will "
                    "work it, and record who agreed and when.",
                    "account",
                    a.id,
                    a.name,
                    "sales_agreed",
                    M_AGREE,
                )
            )

        # 4. Owners on both sides.
        for field, side in (("sales_owner", "sales"), ("marketing_owner", "marketing")):
            if is_filled(getattr(a, field)):
                got["owner"] += 0.5
            else:
                findings.append(
                    Finding(
                        "improve",
                        f"{a.name} has no {side} owner: name the person in {side} who is accountable for this "
                        "account.",
                        "account",
                        a.id,
                        a.name,
                        field,
                        M_AGREE,
                    )
                )

        # 5. What counts as progress.
        if _text_answer(
            a,
            "progress_definition",
            a.progress_definition,
            "what counts as progress on this account",
            "agreed with sales and measurable, e.g. 'meeting with the COO and a finance contact engaged by "
            "the end of Q2'.",
            M_AGREE,
            findings,
        ):
            got["progress"] = 1.0

        # Tier.
        tier = normalise_tier(a.tier)
        if tier:
            got["tier"] = 1.0
            tiers[tier] += 1
        else:
            tiers["none"] += 1
            bad = f" ('{_quote(str(a.tier))}' is not a tier)" if a.tier not in (None, "") else ""
            findings.append(
                Finding(
                    "improve",
                    f"{a.name} has no tier{bad}: set 1:1, 1:few or 1:many from its value and how much bespoke "
                    "work you can give it.",
                    "account",
                    a.id,
                    a.name,
                    "tier",
                    M_TIER,
                )
            )

        for key, value in got.items():
            answered[key] += value
        earned += sum(WEIGHTS[k] * v for k, v in got.items())
        if all(v >= 1.0 for v in got.values()):
            complete += 1

    n = len(targets)

    # List-level checks.
    if n < MIN_TARGETS:
        findings.append(
            Finding(
                "blocker",
                f"Your target account list has {n} account{'s' if n != 1 else ''}: add at least {MIN_TARGETS - n} "
                f"more so you have at least {MIN_TARGETS} to tier and agree with sales.",
                field="is_target",
                module=M_CHOOSE,
            )
        )
    one_to_one = tiers["1:1"]
    if one_to_one > MAX_ONE_TO_ONE or (
        one_to_one >= MIN_ONE_TO_ONE_FOR_SHARE and one_to_one > MAX_ONE_TO_ONE_SHARE * n
    ):
        findings.append(
            Finding(
                "improve",
                f"{one_to_one} of your {n} target accounts are 1:1 ({one_to_one / n:.0%}). A 1:1 account needs its "
                f"own bespoke programme; keep 1:1 to at most {MAX_ONE_TO_ONE} accounts and "
                f"{MAX_ONE_TO_ONE_SHARE:.0%} of the list, and move the rest to 1:few clusters.",
                field="tier",
                module=M_TIER,
            )
        )
    if n >= MIN_TARGETS and agreed == n:
        findings.append(
            Finding(
                "good",
                f"Sales has agreed to work all {n} target accounts: the list is a shared commitment.",
                field="sales_agreed",
                module=M_AGREE,
            )
        )
    if n >= MIN_TARGETS and complete == n:
        findings.append(
            Finding(
                "good",
                "Every target account answers all five questions and has a tier.",
                module=M_CHOOSE,
            )
        )

    score = score_from_ratio(earned / (total_weight * n))
    blockers = any(f.severity == "blocker" for f in findings)
    summary = {
        "targets": n,
        "complete_accounts": complete,
        "sales_agreed": agreed,
        "sales_disagreed": disagreed,
        "sales_not_reviewed": not_reviewed,
        "tiers": tiers,
        "answered": {k: round(v / n, 3) for k, v in answered.items()},
    }
    return Result(score, score >= PASS_MARK and not blockers, sort_findings(findings), summary)
