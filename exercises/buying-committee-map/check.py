"""Check the buying-committee map: does each chosen account have a known contact in every required role?

Accounts mapped: the answer's `accounts` rows, or by default every 1:1 and 1:few target account.
Required roles (lms.abm.coverage): the account's own `required_roles`, else the answer's per-tier override
(`required_1_1`, `required_1_few`, `required_1_many`), else the tier default: 1:1 needs the senior decision
maker (economic buyer), a champion and any four more of functional owner, technical evaluator, finance,
procurement, user and influencer; 1:few needs senior decision maker, functional owner, technical evaluator
and finance; 1:many needs senior decision maker and functional owner.

Coverage per account = required roles with at least one contact / required roles (ABM-REFERENCE 4.2).
Score = mean coverage across mapped accounts. A 1:1 account without a champion is a blocker.
"""

from __future__ import annotations

from lms.abm.coverage import (
    coverage_of_roles,
    normalise_roles,
    normalise_tier,
    required_roles,
    roles_present,
)
from lms.abm.snapshot import WorkspaceSnapshot
from lms.abm.vocabulary import role_label
from lms.practice.result import Finding, Result, score_from_ratio, sort_findings
from lms.practice.values import as_id, as_rows

PASS_MARK = 80

M_ROLES = "abm-foundations/buying-groups-and-roles"
M_TIER = "abm-foundations/tiering-one-to-one-few-many"
M_CONTACTS = "abm-foundations/building-the-contact-list"

OVERRIDE_FIELDS = {"required_1_1": "1:1", "required_1_few": "1:few", "required_1_many": "1:many"}

# Who to look for, per role: the fix a learner can act on.
ROLE_HINTS = {
    "senior_decision_maker": "add the executive who owns the outcome and the budget line (a VP, C-level or "
    "Head of the function that benefits)",
    "functional_owner": "add the director or head who runs the team that would use what you sell",
    "technical_evaluator": "add the person who will assess integration, security and data (IT, architecture "
    "or engineering lead)",
    "finance": "add the person who signs off budget (Finance Director, FP&A lead or CFO)",
    "procurement": "add the person who runs supplier selection and contracts (procurement or purchasing "
    "manager)",
    "user": "add someone who would use it day to day (an analyst, coordinator or team member)",
    "influencer": "add an adjacent team lead or adviser whose opinion the decision makers trust",
    "champion": "find the person who wants this to happen and will sell it internally, and mark them as champion",
    "blocker": "note anyone likely to resist (the incumbent tool owner or a sceptic) and mark them as blocker",
}


def _tier_label(account) -> str:
    return normalise_tier(account.tier) or "no tier"


def _chosen_accounts(workspace, answer: dict, findings: list[Finding]) -> list | None:
    """Return the accounts the learner chose in the answer (None if they chose none)."""
    rows = as_rows(answer.get("accounts"))
    if rows is None:
        findings.append(
            Finding(
                "improve",
                "The accounts to map could not be read: pick each account from the list, one per row, or leave "
                "the table empty to map all your 1:1 and 1:few target accounts.",
                "answer",
                None,
                "Accounts to map",
                "accounts",
                M_ROLES,
            )
        )
        return None
    chosen: dict[int, object] = {}
    for number, row in enumerate(rows, start=1):
        value = row.get("account") if isinstance(row, dict) else row
        if value is None or value == "":
            continue
        account = workspace.account(as_id(value))
        if account is None:
            findings.append(
                Finding(
                    "improve",
                    f"Row {number} of the accounts to map names an account that is not in your workspace "
                    f"({value!r}): pick one of your accounts or delete the row.",
                    "answer",
                    number,
                    f"Accounts to map, row {number}",
                    "accounts.account",
                    M_ROLES,
                )
            )
            continue
        chosen.setdefault(account.id, account)
    return list(chosen.values()) or None


def _overrides(answer: dict, findings: list[Finding]) -> dict[str, tuple[str, ...]]:
    overrides: dict[str, tuple[str, ...]] = {}
    for field, tier in OVERRIDE_FIELDS.items():
        value = answer.get(field)
        if value is None or value == [] or value == "":
            continue
        roles = normalise_roles(value)
        raw = (
            value.split(",")
            if isinstance(value, str)
            else value
            if isinstance(value, list | tuple)
            else [value]
        )
        unknown = [str(v) for v in raw if str(v).strip() and not normalise_roles([v])]
        if unknown:
            findings.append(
                Finding(
                    "improve",
                    f"The required roles for {tier} include {', '.join(repr(u) for u in unknown)}, which "
                    f"{'is not a buying role' if len(unknown) == 1 else 'are not buying roles'}: choose from the "
                    "role list.",
                    "answer",
                    None,
                    f"Required roles for {tier}",
                    field,
                    M_ROLES,
                )
            )
        if roles:
            overrides[tier] = roles
    return overrides


def check(workspace: WorkspaceSnapshot, answer: dict) -> Result:
    findings: list[Finding] = []
    if not isinstance(answer, dict):
        answer = {}
    if not workspace.accounts:
        findings.append(
            Finding(
                "blocker",
                "Your workspace has no accounts yet: import your accounts and contacts first (Accounts > Import).",
                field="accounts",
                module=M_CONTACTS,
            )
        )
        return Result(0, False, tuple(findings), {"accounts_mapped": 0})

    overrides = _overrides(answer, findings)
    chosen = _chosen_accounts(workspace, answer, findings)
    if chosen is None:
        chosen = [a for a in workspace.accounts if a.is_target and normalise_tier(a.tier) in ("1:1", "1:few")]
        if not chosen:
            findings.append(
                Finding(
                    "blocker",
                    "None of your target accounts is tiered 1:1 or 1:few, so there is nothing to map: tier your "
                    "most important target accounts, or choose the accounts to map in the form.",
                    field="tier",
                    module=M_TIER,
                )
            )
            return Result(0, False, sort_findings(findings), {"accounts_mapped": 0})

    total = 0.0
    complete: list[str] = []
    no_champion = 0
    roleless = 0
    for a in chosen:
        tier = _tier_label(a)
        contacts = workspace.contacts_of(a.id)
        requirement = required_roles(a, overrides)
        detail = coverage_of_roles(roles_present(contacts), requirement)
        total += detail.ratio
        # A 1:1 account needs a champion whatever roles the learner requires.
        one_to_one = tier == "1:1"
        champion_required = "champion" in requirement.must

        if not a.is_target:
            findings.append(
                Finding(
                    "improve",
                    f"{a.name} is not on your target account list: add it to the list or map a target account "
                    "instead.",
                    "account",
                    a.id,
                    a.name,
                    "is_target",
                    M_TIER,
                )
            )
        if tier == "no tier" and requirement.source != "account":
            findings.append(
                Finding(
                    "improve",
                    f"{a.name} has no tier, so it is checked against the 1:many roles: set its tier so it is "
                    "checked against the right buying group.",
                    "account",
                    a.id,
                    a.name,
                    "tier",
                    M_TIER,
                )
            )

        if not contacts:
            if one_to_one:
                no_champion += 1
            champion = (
                (" Start with a champion: without one, nobody is selling for you on the inside.")
                if one_to_one
                else ""
            )
            findings.append(
                Finding(
                    "blocker" if one_to_one else "improve",
                    f"{a.name} ({tier}) has no contacts yet: add its buying group ({requirement.describe()}).{champion}",
                    "account",
                    a.id,
                    a.name,
                    "contacts",
                    M_CONTACTS,
                )
            )
            continue

        if one_to_one and "champion" not in detail.present and not champion_required:
            no_champion += 1
            findings.append(
                Finding(
                    "blocker",
                    f"{a.name} (1:1) has no champion contact: {ROLE_HINTS['champion']}. A 1:1 account without a "
                    "champion has nobody selling for you on the inside.",
                    "account",
                    a.id,
                    a.name,
                    "contacts",
                    M_ROLES,
                )
            )
        for role in detail.missing_must:
            severity = "improve"
            if role == "champion" and one_to_one:
                severity = "blocker"
                no_champion += 1
            message = (
                f"{a.name} ({tier}) has no {role_label(role)} contact: {ROLE_HINTS.get(role, 'add one')}."
            )
            if role == "champion" and one_to_one:
                message += " A 1:1 account without a champion has nobody selling for you on the inside."
            else:
                message += f" If one of your contacts already plays this role, give them the {role_label(role)} role."
            findings.append(Finding(severity, message, "account", a.id, a.name, "contacts", M_ROLES))
        if detail.pool_missing:
            options = ", ".join(role_label(r) for r in detail.pool_unfilled)
            findings.append(
                Finding(
                    "improve",
                    f"{a.name} ({tier}) needs {detail.pool_missing} more role{'s' if detail.pool_missing > 1 else ''} "
                    f"from the wider buying group: add contacts for any {detail.pool_missing} of {options}.",
                    "account",
                    a.id,
                    a.name,
                    "contacts",
                    M_ROLES,
                )
            )
        if detail.complete:
            complete.append(a.name)

        blocker_noted = False
        for c in contacts:
            roles = normalise_roles(c.roles)
            if not roles:
                roleless += 1
                title = f" ({c.title})" if c.title else ""
                findings.append(
                    Finding(
                        "improve",
                        f"{c.name}{title} at {a.name} has no buying role: set their role from their title and "
                        "what you know of them, so they count towards the map.",
                        "contact",
                        c.id,
                        c.name,
                        "roles",
                        M_ROLES,
                    )
                )
            elif "blocker" in roles and not blocker_noted:
                blocker_noted = True
                findings.append(
                    Finding(
                        "good",
                        f"Good: you've identified a blocker at {a.name}, {c.name}. Plan how to address their "
                        "concerns before they surface late in the deal.",
                        "contact",
                        c.id,
                        c.name,
                        "roles",
                        M_ROLES,
                    )
                )

    mean = total / len(chosen)
    if complete:
        names = ", ".join(complete[:5]) + (f" and {len(complete) - 5} more" if len(complete) > 5 else "")
        findings.append(
            Finding(
                "good",
                f"{len(complete)} of {len(chosen)} mapped accounts have every required role covered: {names}.",
                module=M_ROLES,
            )
        )
    score = score_from_ratio(mean)
    blockers = any(f.severity == "blocker" for f in findings)
    summary = {
        "accounts_mapped": len(chosen),
        "mean_coverage": round(mean, 3),
        "accounts_complete": len(complete),
        "share_complete": round(len(complete) / len(chosen), 3),
        "one_to_one_without_champion": no_champion,
        "contacts_without_roles": roleless,
    }
    return Result(score, score >= PASS_MARK and not blockers, sort_findings(findings), summary)
