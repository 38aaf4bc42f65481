"""Check a multi-channel campaign plan for a set of target accounts.

Rules and their weight in the score (100 in all):
  channels        10  at least MIN_CHANNELS distinct channels
  complete steps  10  the share of steps with a week (1-26), a channel, an owner, roles and an action
  sales touch     15  at least one sales touch: channel phone or sales_meeting, or owner sales or sdr
  sales early      5  ...and not only at the end: one by three-quarters of the way through the campaign
  roles reached   30  every role the tier requires (lms.abm.coverage, as in the buying-committee map)
                      is reached by at least one step, per chosen account
  cadence         15  no more than MAX_TOUCHES_PER_ROLE_WEEK touches to one role in a week, no more than
                      MAX_QUIET_WEEKS quiet weeks between active weeks, a span of at least MIN_SPAN_WEEKS weeks
  real contacts   15  the chosen accounts have contacts in the roles the plan targets
No chosen accounts, no steps or no sales touch at all are blockers.
"""

from __future__ import annotations

import re
from collections import Counter

from lms.abm.coverage import (
    DEFAULT_REQUIRED_ROLES,
    coverage_of_roles,
    normalise_roles,
    normalise_tier,
    required_roles,
    roles_present,
)
from lms.abm.snapshot import WorkspaceSnapshot
from lms.abm.vocabulary import BUYING_ROLES, TIERS, role_label
from lms.practice.result import Finding, Result, score_from_ratio, sort_findings
from lms.practice.values import as_id, as_number, as_rows

PASS_MARK = 75
MIN_CHANNELS = 3
MAX_TOUCHES_PER_ROLE_WEEK = 3
MAX_QUIET_WEEKS = 3
MIN_SPAN_WEEKS = 4
MAX_WEEK = 26
MIN_ACTION_WORDS = 3
SALES_BY = 0.75  # the first sales touch must come within this share of the campaign's span

CHANNELS = (
    "email",
    "linkedin",
    "ads",
    "event",
    "webinar",
    "direct_mail",
    "phone",
    "sales_meeting",
    "website_personalisation",
    "content",
)
OWNERS = ("sales", "marketing", "sdr", "both")
SALES_CHANNELS = ("phone", "sales_meeting")
SALES_OWNERS = ("sales", "sdr")

WEIGHTS = {
    "channels": 10,
    "complete": 10,
    "sales": 15,
    "sales_early": 5,
    "roles": 30,
    "cadence": 15,
    "contacts": 15,
}

M_ORCH = "abm-foundations/multi-channel-orchestration"
M_RHYTHM = "abm-foundations/the-operating-rhythm"
M_PILOT = "abm-alignment-programme/piloting-with-a-few-reps"
M_ROLES = "abm-foundations/buying-groups-and-roles"
M_TIER = "abm-foundations/tiering-one-to-one-few-many"

_WORD = re.compile(r"[^\W_]+")


def _as_week(value: object) -> int | None:
    week = as_number(value)
    return int(week) if week is not None and week.is_integer() and 1 <= week <= MAX_WEEK else None


def _join(names: list[str], word: str = "and") -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {word} " + names[-1]


def _roles_text(roles, word: str = "and") -> str:
    return _join([role_label(r) for r in BUYING_ROLES if r in roles], word)


class _Step:
    __slots__ = ("number", "week", "channel", "owner", "roles", "action_ok")

    def __init__(self, number, week, channel, owner, roles, action_ok):
        self.number = number
        self.week = week
        self.channel = channel
        self.owner = owner
        self.roles = roles
        self.action_ok = action_ok

    @property
    def is_sales(self) -> bool:
        return self.channel in SALES_CHANNELS or self.owner in SALES_OWNERS


def check(workspace: WorkspaceSnapshot, answer: dict) -> Result:
    findings: list[Finding] = []
    if not isinstance(answer, dict):
        answer = {}

    def answer_finding(severity, message, number, field, label, module=M_ORCH):
        findings.append(Finding(severity, message, "answer", number, label, field, module))

    if not workspace.accounts:
        findings.append(
            Finding(
                "blocker",
                "Your workspace has no accounts yet: import your accounts and contacts first (Accounts > Import), "
                "then plan a campaign for some of them.",
                field="accounts",
                module=M_ORCH,
            )
        )
        return Result(0, False, tuple(findings), {"steps": 0, "accounts": 0})

    # The accounts the campaign targets.
    chosen = []
    raw_accounts = as_rows(answer.get("accounts"))
    if raw_accounts is None:
        answer_finding(
            "improve",
            "The campaign's accounts could not be read: pick each account from the list, one per row.",
            None,
            "accounts",
            "Accounts",
        )
        raw_accounts = []
    seen: set[int] = set()
    for number, row in enumerate(raw_accounts, start=1):
        value = row.get("account") if isinstance(row, dict) else row
        if value is None or value == "":
            continue
        account = workspace.account(as_id(value))
        if account is None:
            answer_finding(
                "improve",
                f"Account row {number} names an account that is not in your workspace ({value!r}): pick one of your "
                "accounts or delete the row.",
                number,
                "accounts.account",
                f"Account row {number}",
            )
        elif account.id not in seen:
            seen.add(account.id)
            chosen.append(account)
    if not chosen:
        answer_finding(
            "blocker",
            "Choose the accounts this campaign targets: add at least one of your target accounts.",
            None,
            "accounts",
            "Accounts",
        )

    # The tier the campaign is planned for.
    tier = normalise_tier(answer.get("tier"))
    if tier is None:
        tiers = Counter(t for t in (normalise_tier(a.tier) for a in chosen) if t)
        tier = tiers.most_common(1)[0][0] if tiers else None
        given = answer.get("tier")
        bad = f" ({given!r} is not a tier)" if given not in (None, "") else ""
        planned = f"; the check assumes {tier}, the tier of most of your accounts" if tier else ""
        answer_finding(
            "improve",
            f"Choose the tier this campaign is for (1:1, 1:few or 1:many){bad}{planned}.",
            None,
            "tier",
            "Tier",
            M_TIER,
        )
    for a in chosen:
        if not a.is_target:
            findings.append(
                Finding(
                    "improve",
                    f"{a.name} is not on your target account list: campaign on target accounts, or add it to the "
                    "list with sales' agreement.",
                    "account",
                    a.id,
                    a.name,
                    "is_target",
                    M_TIER,
                )
            )
        account_tier = normalise_tier(a.tier)
        if tier and account_tier and account_tier != tier:
            findings.append(
                Finding(
                    "improve",
                    f"{a.name} is a {account_tier} account but this is a {tier} campaign: plan it with accounts of "
                    "the same tier, or change the account's tier.",
                    "account",
                    a.id,
                    a.name,
                    "tier",
                    M_TIER,
                )
            )

    # The steps.
    raw_steps = as_rows(answer.get("steps"))
    if raw_steps is None:
        answer_finding(
            "improve",
            "The steps could not be read: add them in the table, one row per step.",
            None,
            "steps",
            "Steps",
        )
        raw_steps = []
    steps: list[_Step] = []
    complete_steps = 0
    for number, row in enumerate(raw_steps, start=1):
        label = f"Step {number}"
        if not isinstance(row, dict):
            answer_finding(
                "improve", f"Step {number} is empty: fill it in or delete the row.", number, "steps", label
            )
            steps.append(_Step(number, None, None, None, (), False))
            continue
        week = _as_week(row.get("week"))
        if week is None:
            given = row.get("week")
            what = "has no week" if given in (None, "") else f"has week {given!r}"
            answer_finding(
                "improve",
                f"Step {number} {what}: give the week it happens as a whole number from 1 to {MAX_WEEK}.",
                number,
                "steps.week",
                label,
                M_RHYTHM,
            )
        channel = row.get("channel") if row.get("channel") in CHANNELS else None
        if channel is None:
            given = row.get("channel")
            what = "has no channel" if given in (None, "") else f"has channel {given!r}"
            answer_finding(
                "improve",
                f"Step {number} {what}: choose one of {', '.join(CHANNELS)}.",
                number,
                "steps.channel",
                label,
            )
        owner = row.get("owner") if row.get("owner") in OWNERS else None
        if owner is None:
            answer_finding(
                "improve",
                f"Step {number} has no owner: say who does it (sales, marketing, SDR or both), so it does not fall "
                "between teams.",
                number,
                "steps.owner",
                label,
                M_PILOT,
            )
        roles = normalise_roles(row.get("roles"))
        if not roles:
            answer_finding(
                "improve",
                f"Step {number} is not aimed at any buying role: choose the roles it reaches.",
                number,
                "steps.roles",
                label,
                M_ROLES,
            )
        action = row.get("action")
        words = len(_WORD.findall(action)) if isinstance(action, str) else 0
        action_ok = words >= MIN_ACTION_WORDS
        if not action_ok:
            what = "has no action" if words == 0 else "has too short an action"
            answer_finding(
                "improve",
                f"Step {number} {what}: describe what happens in a sentence (for example 'send the CFO the "
                "payback one-pager with a personal note').",
                number,
                "steps.action",
                label,
            )
        if week is not None and channel is not None and owner is not None and roles and action_ok:
            complete_steps += 1
        steps.append(_Step(number, week, channel, owner, roles, action_ok))

    if not steps:
        answer_finding(
            "blocker",
            "Your plan has no steps yet: add the touches week by week, with channel, owner, roles and action.",
            None,
            "steps",
            "Steps",
        )
        summary = {"steps": 0, "accounts": len(chosen), "tier": tier}
        return Result(0, False, sort_findings(findings), summary)

    earned: dict[str, float] = dict.fromkeys(WEIGHTS, 0.0)
    earned["complete"] = complete_steps / len(steps)

    # Channels.
    channels = {s.channel for s in steps if s.channel}
    if len(channels) >= MIN_CHANNELS:
        earned["channels"] = 1.0
    else:
        have = _join(sorted(channels)) or "none"
        answer_finding(
            "improve",
            f"Your plan uses {len(channels)} channel{'s' if len(channels) != 1 else ''} ({have}): use at least "
            f"{MIN_CHANNELS}, so the account meets you in more than one place (for example LinkedIn, a webinar and "
            "a sales call).",
            None,
            "steps.channel",
            "Steps",
        )

    # Sales touches.
    weeks = sorted({s.week for s in steps if s.week is not None})
    first, last = (weeks[0], weeks[-1]) if weeks else (None, None)
    sales_steps = [s for s in steps if s.is_sales]
    sales_weeks = sorted(s.week for s in sales_steps if s.week is not None)
    if not sales_steps:
        answer_finding(
            "blocker",
            "Your plan has no sales touch: add steps owned by sales or an SDR (a call, a meeting, a personal "
            "follow-up) so marketing's touches turn into conversations.",
            None,
            "steps.owner",
            "Steps",
            M_PILOT,
        )
    else:
        earned["sales"] = 1.0
        latest_ok = first + SALES_BY * (last - first) if weeks else None
        if sales_weeks and last > first and sales_weeks[0] > latest_ok:
            by = int(latest_ok)
            answer_finding(
                "improve",
                f"Sales first appears in week {sales_weeks[0]} of a campaign that runs weeks {first}-{last}: add a "
                f"sales touch by week {by} (for example an SDR call after the first email), so sales follows up "
                "engagement while it is fresh, not only at the end.",
                next(s.number for s in sales_steps if s.week == sales_weeks[0]),
                "steps.week",
                "Sales touches",
                M_PILOT,
            )
        elif sales_weeks:
            earned["sales_early"] = 1.0

    # Roles reached, per chosen account (the account's own required roles win over the tier's).
    reached: set[str] = set()
    for s in steps:
        reached.update(s.roles)
    requirements: dict[tuple, list] = {}
    ratios = []
    for a in chosen or [None]:
        # Without chosen accounts (a blocker), judge the roles against the tier's default.
        requirement = DEFAULT_REQUIRED_ROLES[tier or "1:few"] if a is None else required_roles(a, tier=tier)
        detail = coverage_of_roles(reached, requirement)
        ratios.append(detail.ratio)
        key = (requirement.must, requirement.pool, requirement.pool_count, requirement.source)
        requirements.setdefault(key, [requirement, detail, []])[2].append(a)
    earned["roles"] = sum(ratios) / len(ratios)
    for requirement, detail, accounts in requirements.values():
        where = ""
        if requirement.source == "account":
            where = f" (required at {_join([a.name for a in accounts if a is not None][:5])})"
        for role in detail.missing_must:
            answer_finding(
                "improve",
                f"No step is aimed at the {role_label(role)} role{where}: add at least one step that reaches "
                "them.",
                None,
                "steps.roles",
                "Steps",
                M_ROLES,
            )
        if detail.pool_missing:
            answer_finding(
                "improve",
                f"{f'A {tier}' if tier else 'This'} campaign should reach more of the buying group: add steps for any "
                f"{detail.pool_missing} of {_roles_text(detail.pool_unfilled)}.",
                None,
                "steps.roles",
                "Steps",
                M_ROLES,
            )

    # Cadence.
    cadence = 0
    per_role_week: Counter = Counter()
    overloaded: dict[tuple[int, str], int] = {}
    for s in steps:
        if s.week is None:
            continue
        for role in s.roles:
            per_role_week[(s.week, role)] += 1
            if per_role_week[(s.week, role)] == MAX_TOUCHES_PER_ROLE_WEEK + 1:
                overloaded[(s.week, role)] = s.number
    for (week, role), number in sorted(overloaded.items()):
        answer_finding(
            "improve",
            f"Week {week} has {per_role_week[(week, role)]} touches to the {role_label(role)}: keep it to "
            f"{MAX_TOUCHES_PER_ROLE_WEEK} a week and move the rest to other weeks.",
            number,
            "steps.week",
            f"Week {week}",
            M_RHYTHM,
        )
    if not overloaded:
        cadence += 1
    gaps = [(a, b) for a, b in zip(weeks, weeks[1:], strict=False) if b - a - 1 > MAX_QUIET_WEEKS]
    for a, b in gaps:
        answer_finding(
            "improve",
            f"Nothing happens in weeks {a + 1}-{b - 1} ({b - a - 1} weeks): add a touch so the accounts do not go "
            f"cold; keep quiet spells to {MAX_QUIET_WEEKS} weeks at most.",
            None,
            "steps.week",
            f"Weeks {a + 1}-{b - 1}",
            M_RHYTHM,
        )
    if weeks and not gaps:
        cadence += 1
    span = (last - first + 1) if weeks else 0
    if span >= MIN_SPAN_WEEKS:
        cadence += 1
    elif weeks:
        answer_finding(
            "improve",
            f"Your plan spans {span} week{'s' if span != 1 else ''}: spread it over at least {MIN_SPAN_WEEKS} "
            "weeks, since buying groups need repeated touches over time.",
            None,
            "steps.week",
            "Steps",
            M_RHYTHM,
        )
    earned["cadence"] = cadence / 3

    # The chosen accounts have contacts in the roles the plan targets.
    targeted_total = targeted_met = 0
    for a in chosen:
        contacts = workspace.contacts_of(a.id)
        if reached and not contacts:
            targeted_total += len(reached)
            findings.append(
                Finding(
                    "improve",
                    f"{a.name} has no contacts, so this plan reaches nobody there: add its buying group first.",
                    "account",
                    a.id,
                    a.name,
                    "contacts",
                    M_ROLES,
                )
            )
            continue
        present = roles_present(contacts)
        missing = reached - present
        targeted_total += len(reached)
        targeted_met += len(reached) - len(missing)
        if missing:
            findings.append(
                Finding(
                    "improve",
                    f"Your plan reaches {_roles_text(missing)}, but {a.name} has no {_roles_text(missing, 'or')} "
                    "contact: add the people (or give existing contacts the role), or those steps reach nobody "
                    "there.",
                    "account",
                    a.id,
                    a.name,
                    "contacts",
                    M_ROLES,
                )
            )
    earned["contacts"] = targeted_met / targeted_total if targeted_total else 0.0

    if (
        len(channels) >= MIN_CHANNELS
        and sales_weeks
        and earned["sales_early"]
        and earned["cadence"] == 1
        and len(chosen) > 0
    ):
        findings.append(
            Finding(
                "good",
                f"Sales is in from week {sales_weeks[0]}, working alongside {len(channels)} channels at a steady "
                "rhythm.",
                "answer",
                None,
                "Steps",
                "steps",
                M_ORCH,
            )
        )

    ratio = sum(WEIGHTS[k] * v for k, v in earned.items()) / sum(WEIGHTS.values())
    score = score_from_ratio(ratio)
    blockers = any(f.severity == "blocker" for f in findings)
    summary = {
        "tier": tier if tier in TIERS else None,
        "accounts": len(chosen),
        "steps": len(steps),
        "channels": sorted(channels),
        "weeks": [first, last] if weeks else None,
        "sales_touches": len(sales_steps),
        "first_sales_week": sales_weeks[0] if sales_weeks else None,
        "roles_reached": [r for r in BUYING_ROLES if r in reached],
        "role_coverage": round(earned["roles"], 3),
        "parts": {k: round(v, 3) for k, v in earned.items()},
    }
    return Result(score, score >= PASS_MARK and not blockers, sort_findings(findings), summary)
