"""Check an account plan for one 1:1 target account: insight, value hypothesis, relationship map and 90 days.

Rules, in the order a learner should fix them (weights in brackets):
  account-is-a-one-to-one-target       [1]  the plan is for a 1:1 account on the target list (blocker otherwise)
  insight-is-specific                  [2]  the insight names what is happening there: a signal, an opportunity,
                                            a contact, a figure from the workspace, or a cited https URL
  value-hypothesis-is-testable         [2]  their problem (specific to them), our capability, a measurable outcome
  relationships-cover-the-buying-group [2]  contacts of that account, the senior decision maker, finance (blockers
                                            when missing) and one more role; titles that contradict roles; two roles
                                            a person at most
  relationships-have-owners-and-actions[2]  every contact has a named owner on our side and its own next action
  ninety-days-are-planned              [2]  at least 4 actions in weeks 1-13, named owners, outcomes; a complete
                                            sales and a complete marketing action (blockers when missing)
  plan-has-an-owner-and-a-backup       [1]  a named owner of the plan and a different named backup
Code cannot judge the quality of an insight, so the exercise is also reviewed by a coach.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from lms.abm.coverage import normalise_roles, normalise_tier
from lms.abm.integrity import (
    MAX_ROLES_PER_CONTACT,
    Facts,
    account_facts,
    is_answered,
    meaningful_words,
    mentions,
    owner_problem,
    repeated,
    role_contradiction,
    team_member,
)
from lms.abm.snapshot import AccountSnap, ContactSnap, WorkspaceSnapshot
from lms.abm.vocabulary import role_label
from lms.practice.result import Finding, Result
from lms.practice.rules import Outcome, Rules
from lms.practice.values import as_id, as_number, as_rows, as_text, is_blank_row

PASS_MARK = 75
M_PLAN = "abm-in-practice/account-insight-and-the-one-to-one-plan"
M_ROLES = "abm-foundations/buying-groups-and-roles"
M_TIER = "abm-foundations/tiering-one-to-one-few-many"
REQUIRED_ROLES = ("senior_decision_maker", "finance")
MIN_OTHER_ROLES = 1  # roles beyond the two above
DAYS_WEEKS = 13  # the next 90 days
MIN_STEPS = 4  # a quarter of work on a 1:1 account is more than a call and an email
SIDES = ("sales", "marketing")
URL = re.compile(r"https://[^\s/$.?#][^\s]*\.[^\s]+", re.IGNORECASE)

RULES = Rules()


@dataclass
class Ctx:
    """What the rules read: the workspace, the answer, the chosen account and what is specific to it."""

    workspace: WorkspaceSnapshot
    answer: dict
    account: AccountSnap | None
    evidence: Facts | None
    # Read once and shared by the rules: the relationship rows, and the workspace's contacts' names and emails
    # lower-cased (a name that is not the account's own contact is looked for among all of them).
    memo: dict = field(default_factory=dict, repr=False)


def _evidence(workspace: WorkspaceSnapshot, account: AccountSnap) -> Facts:
    """The account's facts without its own name, domain and industry: naming the account is not insight."""
    facts = account_facts(workspace, account)
    plain = set(meaningful_words(account.name)) | set(meaningful_words(account.industry))
    if account.domain:
        plain |= set(meaningful_words(account.domain.split(".")[0].replace("-", " ")))
    return dataclasses.replace(facts, words=facts.words - plain)


def _finding(ctx: Ctx, severity: str, message: str, field: str, number: int | None = None,
             label: str | None = None, module: str | None = None) -> Finding:
    a = ctx.account
    return Finding(severity, message, "answer", number, label or "Account plan", field, module,
                   a.id if a else None, a.name if a else None)


def _name(ctx: Ctx) -> str:
    return ctx.account.name if ctx.account else "the account"


@RULES.rule("account-is-a-one-to-one-target", module=M_TIER, weight=1)
def account_is_a_one_to_one_target(ctx: Ctx) -> Outcome:
    a = ctx.account
    if a is None:
        given = ctx.answer.get("account")
        what = "Choose the account this plan is for" if given in (None, "") else \
            f"The account chosen ({given!r}) is not in your workspace: choose one of your accounts"
        return Outcome.of(0, 1, [_finding(ctx, "blocker", f"{what}: a 1:1 target account.", "account")])
    problems = []
    if not a.is_target:
        problems.append(f"{a.name} is not on your target account list: plan a 1:1 target account, or add "
                        "it to the list with sales' agreement first")
    if normalise_tier(a.tier) != "1:1":
        tier = normalise_tier(a.tier) or "not tiered"
        problems.append(f"{a.name} is {tier}: an account plan like this is for a 1:1 account, one that "
                        "earns its own programme; choose one, or re-tier this one if it deserves it")
    return Outcome.of(0 if problems else 1, 1, [Finding("blocker", p + ".", "account", a.id, a.name, "tier")
                                                for p in problems])


@RULES.rule("insight-is-specific", module=M_PLAN, weight=2)
def insight_is_specific(ctx: Ctx) -> Outcome:
    text = as_text(ctx.answer.get("insight"))
    if not is_answered(text, 8):
        return Outcome.of(0, 1, [_finding(ctx, "blocker", f"Say what is happening at {_name(ctx)} right now, in a "
                                          "few sentences: what they are changing, what you have seen them do, "
                                          "who is involved.", "insight", label="Account insight")])
    if URL.search(text) or (ctx.evidence and mentions(text, ctx.evidence)):
        return Outcome.of(1, 1)
    return Outcome.of(0, 1, [_finding(ctx, "improve", f"Your insight could be about any company: back it with "
                                      f"something you know about {_name(ctx)}, such as a signal and its date, an "
                                      "opportunity, a contact and what they said, a figure, or the https address "
                                      "of the page you read it on.", "insight", label="Account insight")])


def _hypothesis_problems(ctx: Ctx) -> list[tuple[str, str]]:
    problem, capability, outcome = (as_text(ctx.answer.get(k)) for k in ("problem", "capability", "outcome"))
    found = []
    if not is_answered(problem):
        found.append(("problem", f"Name the problem {_name(ctx)} has, in their words, not ours."))
    elif ctx.evidence and not mentions(problem, ctx.evidence):
        found.append(("problem", f"The problem you name could be anyone's: tie it to what you have seen at "
                                 f"{_name(ctx)} (a signal, an opportunity, a person, a figure)."))
    if not is_answered(capability):
        found.append(("capability", "Say which of our capabilities answers that problem, and how."))
    if not is_answered(outcome, 3):
        found.append(("outcome", "State the outcome they would get, as something they can measure."))
    elif not any(ch.isdigit() for ch in outcome):
        found.append(("outcome", "Make the outcome measurable: give a figure and a time, such as 'cut failed "
                                 "deliveries from 4% to 2% within two quarters'."))
    return found


@RULES.rule("value-hypothesis-is-testable", module=M_PLAN, weight=2)
def value_hypothesis_is_testable(ctx: Ctx) -> Outcome:
    found = _hypothesis_problems(ctx)
    return Outcome.of(3 - len(found), 3, [_finding(ctx, "improve", msg, field, label="Value hypothesis")
                                          for field, msg in found])


def _contact_named(text: str, contacts: tuple[ContactSnap, ...],
                   lowered: list[tuple[str, str | None]] | None = None) -> ContactSnap | None:
    """Return the contact a name or email names among `contacts` (full name, email, or a unique last name).

    `lowered`, when given, holds each contact's (name, email) lower-cased, in the same order: a search of the
    whole workspace then compares each contact's words only when its name contains the name's longest word.
    """
    key = " ".join(meaningful_words(text))
    if not key:
        return None
    email = text.strip().lower()
    probe = max(key.split(" "), key=len)  # every name whose words are `key` contains it
    for n, c in enumerate(contacts):
        name, address = lowered[n] if lowered is not None else (None, None)
        if (name is None or probe in name) and key == " ".join(meaningful_words(c.name)):
            return c
        if c.email and email == (address if lowered is not None else c.email.lower()):
            return c
    last = [c for c in contacts if c.last_name and isinstance(c.last_name, str) and probe in c.last_name.lower()
            and key == " ".join(meaningful_words(c.last_name))]
    return last[0] if len(last) == 1 else None


def _lowered(ctx: Ctx) -> list[tuple[str, str | None]]:
    if "lowered" not in ctx.memo:
        ctx.memo["lowered"] = [(c.name.lower() if isinstance(c.name, str) else "", c.email.lower() if c.email else None)
                               for c in ctx.workspace.contacts]
    return ctx.memo["lowered"]


@dataclass(frozen=True)
class _Rel:
    number: int
    contact: ContactSnap | None
    given: str
    role: str | None
    row: dict


def _relationships(ctx: Ctx) -> list[_Rel]:
    if "relationships" not in ctx.memo:
        ctx.memo["relationships"] = _read_relationships(ctx)
    return ctx.memo["relationships"]


def _read_relationships(ctx: Ctx) -> list[_Rel]:
    rows = as_rows(ctx.answer.get("relationships")) or []
    rels = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or is_blank_row(row):
            continue
        given = as_text(row.get("contact"))
        own = ctx.workspace.contacts_of(ctx.account.id) if ctx.account else ()
        contact = _contact_named(given, own) or _contact_named(given, ctx.workspace.contacts, _lowered(ctx))
        roles = normalise_roles([row.get("role")] if isinstance(row.get("role"), str) else row.get("role"))
        rels.append(_Rel(number, contact, given, roles[0] if roles else None, row))
    return rels


def _relationship_row_problems(ctx: Ctx, rel: _Rel) -> list[str]:
    a = ctx.account
    if rel.contact is None:
        who = f"'{rel.given}'" if rel.given else "No one"
        return [f"{who} is not one of {_name(ctx)}'s contacts: pick a contact of the account, or add them to your "
                "workspace first"]
    if a and rel.contact.account_id != a.id:
        other = ctx.workspace.account(rel.contact.account_id)
        return [f"{rel.contact.name} works at {other.name if other else 'another account'}, not {a.name}: map "
                f"{a.name}'s own people"]
    if rel.role is None:
        return [f"Give {rel.contact.name} the buying role they play"]
    clash = role_contradiction(rel.contact.title, rel.role)
    return [f"{rel.contact.name}: {clash}; choose the role their job really gives them"] if clash else []


@RULES.rule("relationships-cover-the-buying-group", module=M_ROLES, weight=2)
def relationships_cover_the_buying_group(ctx: Ctx) -> Outcome:
    rels = _relationships(ctx)
    if not rels:
        return Outcome.of(0, 1, [_finding(ctx, "blocker", f"Map your relationships at {_name(ctx)}: one row per "
                                          "contact, with their buying role, how well we know them, who owns the "
                                          "relationship and the next action.", "relationships",
                                          label="Relationship map")])
    findings = [_finding(ctx, "improve", p + ".", "relationships.contact", r.number, f"Relationship {r.number}")
                for r in rels for p in _relationship_row_problems(ctx, r)]
    valid = [r for r in rels if not _relationship_row_problems(ctx, r)]
    roles = {r.role for r in valid}
    for role in REQUIRED_ROLES:
        if role not in roles:
            findings.append(_finding(ctx, "blocker", f"Your map has no {role_label(role)} at {_name(ctx)}: find "
                                     "the person who plays that part, add them to the account's contacts and map "
                                     "them.",
                                     "relationships.role", label="Relationship map"))
    others = len(roles - set(REQUIRED_ROLES))
    if others < MIN_OTHER_ROLES:
        findings.append(_finding(ctx, "improve", "A 1:1 buying group is more than the decision maker and "
                                 "finance: add at least one more role, such as the functional owner or a champion.",
                                 "relationships.role", label="Relationship map"))
    per_contact: dict[int, set[str]] = {}
    for r in valid:
        per_contact.setdefault(r.contact.id, set()).add(r.role)
    for r in valid:
        if len(per_contact.get(r.contact.id, ())) > MAX_ROLES_PER_CONTACT:
            findings.append(_finding(ctx, "improve", f"{r.contact.name} plays {len(per_contact[r.contact.id])} "
                                     f"roles in your map: one person rarely plays more than "
                                     f"{MAX_ROLES_PER_CONTACT}; find the other people.", "relationships.role",
                                     r.number, f"Relationship {r.number}"))
            per_contact[r.contact.id] = set()  # one finding per contact
    met = len(valid) / len(rels) + sum(role in roles for role in REQUIRED_ROLES) / 2 + min(others, 1)
    return Outcome.of(met, 3, findings)


@RULES.rule("relationships-have-owners-and-actions", module=M_PLAN, weight=2)
def relationships_have_owners_and_actions(ctx: Ctx) -> Outcome:
    rels = _relationships(ctx)
    findings, met = [], 0
    actions = {r.number: as_text(r.row.get("next_action")) for r in rels}
    copied = repeated(actions, names={r.number: r.contact.name if r.contact else r.given for r in rels})
    for r in rels:
        label, who = f"Relationship {r.number}", r.contact.name if r.contact else (r.given or "this contact")
        problems = []
        if (why := owner_problem(r.row.get("owner"), ctx.workspace)) is not None:
            problems.append(("owner", f"Name who on our side owns the relationship with {who}: {why}."))
        if not as_text(r.row.get("strength")):
            problems.append(("strength", f"Say how well we know {who} today."))
        if not is_answered(actions[r.number], 3):
            problems.append(("next_action", f"Give the next action with {who}: what, by whom, by when."))
        elif r.number in copied:
            problems.append(("next_action", f"The next action with {who} is the same as for relationship "
                                            f"{copied[r.number][0]}: write what moves this person on."))
        findings += [_finding(ctx, "improve", m, f"relationships.{f}", r.number, label) for f, m in problems]
        met += not problems
    return Outcome.of(met, len(rels), findings)


def _step_problems(ctx: Ctx, row: dict, copied: bool) -> list[tuple[str, str]]:
    found = []
    week = as_number(row.get("week"))
    if week is None or not week.is_integer() or not 1 <= week <= DAYS_WEEKS:
        found.append(("week", f"Give the week it happens, 1 to {DAYS_WEEKS}."))
    if row.get("side") not in SIDES:
        found.append(("side", "Say whether it is a sales or a marketing action."))
    if not is_answered(row.get("action"), 3):
        found.append(("action", "Say what happens, in a sentence."))
    elif copied:
        found.append(("action", "This action repeats another row: each step of the 90 days does something new."))
    if (why := owner_problem(row.get("owner"), ctx.workspace)) is not None:
        found.append(("owner", f"Name its owner: {why}."))
    if not is_answered(row.get("outcome"), 2):
        found.append(("outcome", "Say what it should achieve, such as 'CFO meeting booked'."))
    return found


def _side_mismatch(ctx: Ctx, row: dict) -> str | None:
    person = team_member(as_text(row.get("owner")), ctx.workspace.team)
    side = row.get("side")
    if person and person.job_function in SIDES and side in SIDES and person.job_function != side:
        return f"{person.name} works in {person.job_function}, but this is marked as a {side} action"
    return None


@RULES.rule("ninety-days-are-planned", module=M_PLAN, weight=2)
def ninety_days_are_planned(ctx: Ctx) -> Outcome:
    rows = [(n, r) for n, r in enumerate(as_rows(ctx.answer.get("next_90_days")) or [], start=1)
            if isinstance(r, dict) and not is_blank_row(r)]
    if not rows:
        return Outcome.of(0, 1, [_finding(ctx, "blocker", f"Plan the next 90 days at {_name(ctx)}: week by week, "
                                          "the action, its owner and the outcome you expect.", "next_90_days",
                                          label="Next 90 days")])
    copied = repeated({n: as_text(r.get("action")) for n, r in rows})
    findings, met, sides = [], 0, set()
    for n, row in rows:
        problems = _step_problems(ctx, row, n in copied)
        if (mismatch := _side_mismatch(ctx, row)) is not None:
            problems.append(("side", mismatch + ": correct the owner or the side."))
        findings += [_finding(ctx, "improve", m, f"next_90_days.{f}", n, f"Step {n}") for f, m in problems]
        met += not problems
        if not problems:
            sides.add(row["side"])
    for side in SIDES:
        if side not in sides:
            findings.append(_finding(ctx, "blocker", f"The 90 days have no complete {side} action: an account plan "
                                     "is sales and marketing working the account together; add one with a named "
                                     "owner.", "next_90_days.side", label="Next 90 days"))
    enough = len(rows) >= MIN_STEPS
    if not enough:
        findings.append(_finding(ctx, "improve", f"{len(rows)} action(s) will not carry {_name(ctx)} through a "
                                 f"quarter: plan at least {MIN_STEPS}, spread over the 13 weeks.", "next_90_days",
                                 label="Next 90 days"))
    return Outcome.of(met / len(rows) + len(sides) + enough, 2 + len(SIDES), findings)


@RULES.rule("plan-has-an-owner-and-a-backup", module=M_PLAN, weight=1)
def plan_has_an_owner_and_a_backup(ctx: Ctx) -> Outcome:
    owner, backup = ctx.answer.get("plan_owner"), ctx.answer.get("backup_owner")
    findings = []
    if (why := owner_problem(owner, ctx.workspace)) is not None:
        findings.append(("plan_owner", f"Name the person who owns this plan: {why}."))
    if (why := owner_problem(backup, ctx.workspace)) is not None:
        findings.append(("backup_owner", f"Name a backup who keeps the plan moving when the owner is away: {why}."))
    elif as_text(backup).lower() == as_text(owner).lower():
        findings.append(("backup_owner", "The backup is the owner: name someone else."))
    return Outcome.of(2 - len(findings), 2, [_finding(ctx, "improve", m, f, label="Owners") for f, m in findings])


def check(workspace: WorkspaceSnapshot, answer: dict) -> Result:
    """Return the result of the account plan in `answer` against the learner's workspace."""
    if not isinstance(answer, dict):
        answer = {}
    if not workspace.accounts:
        return Result(0, False, (Finding("blocker", "Your workspace has no accounts yet: import your accounts and "
                                         "contacts first (Accounts > Import), then plan one of your 1:1 accounts.",
                                         field="account", module=M_PLAN),))
    account = workspace.account(as_id(answer.get("account")))
    evidence = _evidence(workspace, account) if account else None
    return RULES.evaluate(Ctx(workspace, answer, account, evidence), pass_mark=PASS_MARK)
