"""Check the buying-committee map: does each mapped account have a real, known contact in every role it needs?

Accounts mapped: the answer's `accounts` rows, or by default every 1:1 and 1:few target account. Required roles
(lms.abm.buying_group): the account's own list, else the form's list for its tier, else the tier default (1:1:
economic buyer, champion, functional owner, technical evaluator, finance and procurement; 1:few: economic buyer,
functional owner, technical evaluator, finance; 1:many: economic buyer, functional owner), never without the
tier's minimum. A contact counts only for the roles their title does not contradict, with a title, as a person
(not a shared inbox), holding at most two roles.

Rules, in the order a learner fixes them:
  roles-fit-titles           no role the job title contradicts, no one holding more than two roles (blockers)
  contacts-have-roles        every contact at a mapped account has a buying role
  required-roles-covered     coverage = required roles with a counted contact / required roles, per account
  one-to-one-has-a-champion  every 1:1 account has a champion (a blocker without one)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lms.abm.buying_group import Requirement, Standing, requirement, standing
from lms.abm.coverage import coverage_of_roles, normalise_roles, normalise_tier
from lms.abm.snapshot import AccountSnap, ContactSnap, WorkspaceSnapshot
from lms.abm.vocabulary import role_label
from lms.practice.result import Finding, Result
from lms.practice.rules import Outcome, Rules
from lms.practice.values import as_id, as_rows

PASS_MARK = 80

M_ROLES = "abm-foundations/buying-groups-and-roles"
M_TIER = "abm-foundations/tiering-one-to-one-few-many"
M_CONTACTS = "abm-foundations/building-the-contact-list"

OVERRIDE_FIELDS = {"required_1_1": "1:1", "required_1_few": "1:few", "required_1_many": "1:many"}

# Who to look for, per role: the fix a learner can act on.
ROLE_HINTS = {
    "senior_decision_maker": "the executive who owns the outcome and the budget line (C-level, VP or head of the "
    "function)",
    "functional_owner": "the director who runs the team that would use what you sell",
    "technical_evaluator": "the person who will assess integration, security and data (IT or engineering lead)",
    "finance": "the person who signs off budget (finance director, FP&A lead or CFO)",
    "procurement": "the person who runs supplier selection and contracts (procurement or category manager)",
    "user": "someone who would use it every day",
    "influencer": "an adjacent team lead whose opinion the decision makers trust",
    "champion": "the person who wants this to happen and argues for it inside (from what they do, not their title)",
    "blocker": "anyone likely to resist, such as the owner of the current tool",
}

RULES = Rules()


@dataclass(frozen=True)
class Context:
    """What the rules read: the mapped accounts, their contacts, what each contact counts for, the requirements."""

    workspace: WorkspaceSnapshot
    accounts: tuple[AccountSnap, ...]
    contacts: Mapping[int, tuple[ContactSnap, ...]]  # account id -> its contacts
    standing: Mapping[int, Standing]  # contact id -> the roles they count for, and why not others
    requirements: Mapping[int, Requirement]  # account id -> roles it needs


def build_context(workspace: WorkspaceSnapshot, accounts: tuple[AccountSnap, ...],
                  overrides: Mapping[str, tuple[str, ...]]) -> Context:
    """Return the context for mapping `accounts` with the learner's per-tier `overrides`."""
    contacts = {a.id: workspace.contacts_of(a.id) for a in accounts}
    standings = {c.id: standing(c) for group in contacts.values() for c in group}
    return Context(workspace, accounts, contacts, standings, {a.id: requirement(a, overrides) for a in accounts})


def _tier(a: AccountSnap) -> str:
    return normalise_tier(a.tier) or "no tier"


def _about(severity: str, message: str, a: AccountSnap, c: ContactSnap | None = None, field: str = "roles",
           module: str | None = None) -> Finding:
    if c is None:
        return Finding(severity, message, "account", a.id, a.name, field, module)
    return Finding(severity, message, "contact", c.id, c.name, field, module, account_id=a.id, account=a.name)


@RULES.rule("roles-fit-titles", module=M_ROLES, weight=1)
def roles_fit_titles(ctx: Context) -> Outcome:
    """No contact holds a role their title contradicts, or more than two roles; untitled contacts and shared
    inboxes do not count."""
    findings, tagged, sound = [], 0, 0
    for a in ctx.accounts:
        for c in ctx.contacts[a.id]:
            if not normalise_roles(c.roles):
                continue
            tagged += 1
            state = ctx.standing[c.id]
            if not state.problems:
                sound += 1
                continue
            title = f" ({c.title.strip()})" if isinstance(c.title, str) and c.title.strip() else ""
            severity = "blocker" if state.contradicted or state.too_many else "improve"
            fix = " Fix the role, or the title if it has changed." if state.contradicted else ""
            findings.append(_about(severity, f"{c.name}{title} at {a.name}: {'; '.join(state.problems)}.{fix}", a, c,
                                   module=M_CONTACTS if severity == "improve" else None))
    return Outcome.of(sound, tagged, findings)


@RULES.rule("contacts-have-roles", module=M_ROLES, weight=1)
def contacts_have_roles(ctx: Context) -> Outcome:
    """Every contact at a mapped account has a buying role, so the map shows who they are."""
    findings, people = [], 0
    for a in ctx.accounts:
        for c in ctx.contacts[a.id]:
            people += 1
            if not normalise_roles(c.roles):
                title = f" ({c.title.strip()})" if isinstance(c.title, str) and c.title.strip() else ""
                findings.append(_about("improve", f"{c.name}{title} at {a.name} has no buying role: give them one "
                                       "from their title and what you know of them.", a, c))
    return Outcome.of(people - len(findings), people, findings, contacts_without_roles=len(findings))


def _missing_text(a: AccountSnap, detail) -> str:
    """Return "Acme (1:few) has no finance contact (3 of 4 roles): find ..." for the roles still missing, or ""."""
    roles = [r for r in detail.missing_must if r != "champion"]  # a missing champion is its own rule
    parts = [f"has no {' or '.join(map(role_label, roles))} contact"] if roles else []
    if detail.pool_missing:
        options = " or ".join(role_label(r) for r in detail.pool_unfilled)
        parts.append(f"needs {detail.pool_missing} more of {options}")
    if not parts:
        return ""
    hints = "; ".join(ROLE_HINTS[r] for r in roles)
    find = f": find {hints}" if hints else ""
    return (f"{a.name} ({_tier(a)}) {' and '.join(parts)} ({detail.filled} of {detail.slots} roles){find}. If one of "
            "your contacts already plays a role, tag them.")


@RULES.rule("required-roles-covered", module=M_ROLES, weight=4)
def required_roles_covered(ctx: Context) -> Outcome:
    """Each mapped account has a counted contact in every role it needs (coverage, module 05)."""
    findings, total, complete = [], 0.0, 0
    for a in ctx.accounts:
        need = ctx.requirements[a.id]
        counted = [r for c in ctx.contacts[a.id] for r in ctx.standing[c.id].counted]
        detail = coverage_of_roles(counted, need.roles)
        total += detail.ratio
        complete += detail.complete
        if need.added:
            findings.append(_about("improve", f"The roles you require at {a.name} leave out "
                                   f"{', '.join(map(role_label, need.added))}: at {_tier(a)} they stay required, so "
                                   "add them to its list.", a, field="required_roles", module=M_TIER))
        missing = _missing_text(a, detail)
        if not ctx.contacts[a.id]:
            findings.append(_about("improve", f"{a.name} ({_tier(a)}) has no contacts yet: add its buying group "
                                   f"({need.roles.describe()}).", a, field="contacts", module=M_CONTACTS))
        elif missing:
            findings.append(_about("improve", missing, a, field="contacts"))
        blockers = [c.name for c in ctx.contacts[a.id] if "blocker" in ctx.standing[c.id].counted]
        if blockers:
            findings.append(_about("good", f"You have marked {', '.join(blockers)} as a blocker at {a.name}: plan how "
                                   "to meet their concerns before they surface late in the deal.", a))
    n = len(ctx.accounts)
    if complete:
        findings.append(Finding("good", f"{complete} of {n} mapped accounts have a known contact in every role they "
                                "need."))
    mean = total / n if n else 0.0
    return Outcome(mean if n else None, tuple(findings), {"accounts_mapped": n, "mean_coverage": round(mean, 3),
                                                          "accounts_complete": complete,
                                                          "share_complete": round(complete / n, 3) if n else 0.0})


@RULES.rule("one-to-one-has-a-champion", module=M_TIER, weight=1)
def one_to_one_has_a_champion(ctx: Context) -> Outcome:
    """Every 1:1 account has a champion: without one, nobody sells for you on the inside."""
    findings, ones = [], 0
    for a in ctx.accounts:
        if _tier(a) != "1:1":
            continue
        ones += 1
        if not any("champion" in ctx.standing[c.id].counted for c in ctx.contacts[a.id]):
            findings.append(_about("blocker", f"{a.name} (1:1) has no champion: find {ROLE_HINTS['champion']}, and "
                                   "mark them as champion.", a, field="contacts", module=M_ROLES))
    return Outcome.of(ones - len(findings), ones, findings, one_to_one_without_champion=len(findings))


def read_overrides(answer: Mapping) -> tuple[dict[str, tuple[str, ...]], list[Finding]]:
    """Return the learner's required roles per tier, and findings for values that are not buying roles."""
    overrides, findings = {}, []
    for field, tier in OVERRIDE_FIELDS.items():
        value = answer.get(field)
        raw = value.split(",") if isinstance(value, str) else value if isinstance(value, list | tuple) else [value]
        unknown = [str(v) for v in raw if v not in (None, "") and str(v).strip() and not normalise_roles([v])]
        if unknown:
            findings.append(Finding("improve", f"The required roles for {tier} include {', '.join(map(repr, unknown))}, "
                                    "which the role list does not have: choose from it.", "answer", None,
                                    f"Required roles for {tier}", field, M_ROLES))
        roles = normalise_roles(value)
        if roles:
            overrides[tier] = roles
    return overrides, findings


def read_accounts(workspace: WorkspaceSnapshot, answer: Mapping) -> tuple[list[AccountSnap], list[Finding]]:
    """Return the accounts the learner chose in the form (empty when none), and findings for unreadable rows."""
    rows = as_rows(answer.get("accounts"))
    if rows is None:
        return [], [Finding("improve", "The accounts to map could not be read: pick each account from the list, one "
                            "per row, or leave the table empty to map your 1:1 and 1:few target accounts.", "answer",
                            None, "Accounts to map", "accounts", M_ROLES)]
    chosen, findings = {}, []
    for number, row in enumerate(rows, start=1):
        value = row.get("account") if isinstance(row, dict) else row
        if value in (None, ""):
            continue
        account = workspace.account(as_id(value))
        if account is None:
            findings.append(Finding("improve", f"Row {number} of the accounts to map is not one of your accounts: "
                                    "pick one from the list or delete the row.", "answer", number,
                                    f"Accounts to map, row {number}", "accounts.account", M_ROLES))
        else:
            chosen.setdefault(account.id, account)
    return list(chosen.values()), findings


def _selection_findings(accounts: list[AccountSnap], overrides: Mapping) -> list[Finding]:
    findings = []
    for a in accounts:
        if not a.is_target:
            findings.append(_about("improve", f"{a.name} is not on your target account list: add it to the list, or "
                                   "map a target account instead.", a, field="is_target", module=M_TIER))
        if _tier(a) == "no tier" and not normalise_roles(a.required_roles):
            findings.append(_about("improve", f"{a.name} has no tier, so it is checked against the 1:many roles: set "
                                   "its tier so it is checked against the right buying group.", a, field="tier",
                                   module=M_TIER))
    return findings


def check(workspace: WorkspaceSnapshot, answer: dict) -> Result:
    """Return the Result of mapping the buying committees of the chosen (or 1:1 and 1:few target) accounts."""
    answer = answer if isinstance(answer, dict) else {}
    if not workspace.accounts:
        return Result(0, False, (Finding("blocker", "Your workspace has no accounts yet: import your accounts and "
                                         "contacts first (Accounts > Import).", field="accounts",
                                         module=M_CONTACTS),), {"accounts_mapped": 0})
    overrides, first = read_overrides(answer)
    chosen, more = read_accounts(workspace, answer)
    first += more
    if not chosen:
        chosen = [a for a in workspace.targets if normalise_tier(a.tier) in ("1:1", "1:few")]
    if not chosen:
        first.append(Finding("blocker", "None of your target accounts is tiered 1:1 or 1:few, so there is nothing "
                             "to map: tier your most important accounts, or choose the accounts in the form.",
                             field="tier", module=M_TIER))
        return Result(0, False, tuple(first), {"accounts_mapped": 0})
    first += _selection_findings(chosen, overrides)
    return RULES.evaluate(build_context(workspace, tuple(chosen), overrides), pass_mark=PASS_MARK, first=first)
