"""Check a pilot design: a few chosen reps and their agreed accounts, a separate comparison group, success criteria
agreed with sales before launch, a sane length and a decision rule (the module "Piloting with a few reps").

Rules, in the order a learner should fix them (weights in brackets):
  reps-are-named-sales-people          [2]  2-6 reps; on a team workspace, sales members of the team; else full names
  reasons-follow-the-module            [2]  why each rep was chosen, in their own words, on the module's grounds
  pilot-accounts-are-agreed            [2]  each rep has accounts from the workspace: targets sales has agreed
                                            (a blocker when none is), ideally 1:few; each account row names a pilot rep
  comparison-group-is-separate         [2]  comparison accounts or reps, none of them in the pilot, of the same tier
                                            (a blocker when there is no such comparison)
  success-criteria-are-agreed-up-front [2]  at least 2: metric, baseline, a different target, a week within the
                                            pilot, agreed with a named sales leader (a blocker when none is
                                            complete); not pipeline alone
  pilot-length-is-sane                 [1]  8-26 weeks: a campaign cycle plus follow-up, a quarter works well
  decision-rule-is-set                 [2]  what result means scale, change the playbook, or stop
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from lms.abm.coverage import normalise_tier
from lms.abm.integrity import is_answered, meaningful_words, owner_problem, repeated, team_member, words
from lms.abm.snapshot import AccountSnap, WorkspaceSnapshot
from lms.practice.result import Finding, Result
from lms.practice.rules import Outcome, Rules
from lms.practice.values import as_id, as_number, as_text, filled_rows

PASS_MARK = 75
M_PILOT = "abm-alignment-programme/piloting-with-a-few-reps"
M_LIST = "abm-alignment-programme/agreeing-the-account-list"
M_MEASURE = "abm-alignment-programme/a-shared-measurement-framework"
REPS = (2, 6)  # "a select group": three or four is typical
WEEKS = (8, 26)  # at least a campaign cycle (4+ weeks) plus follow-up; longer than two quarters is no longer a pilot
MIN_CRITERIA = 2
PIPELINE = ("pipeline sourced", "pipeline influenced")
METRICS = ("engagement rate", "buying-group coverage", "sales acceptance rate", "follow-up within SLA",
           "meetings created", *PIPELINE, "rep adoption")
# The module's grounds for choosing a rep: willing, typical, respected by peers, has time, a manager who joins in.
GROUNDS = frozenset(words("""willing willingness volunteer volunteered keen open eager asked typical average
representative respected peers peer colleagues credible influence influential time capacity bandwidth manager
managers coach coaching sceptic sceptical skeptic mid middle territory patch"""))
_DECISIONS = {"scale": ("scale", "scaling", "roll", "rollout", "expand", "extend", "wave", "next"),
              "change": ("change", "adjust", "rework", "revise", "tweak", "rerun", "again", "fix", "update"),
              "stop": ("stop", "end", "drop", "halt", "abandon", "close", "cancel")}

RULES = Rules()


@dataclass
class Ctx:
    """The workspace, the answer and its filled rows."""

    workspace: WorkspaceSnapshot
    answer: dict
    reps: list[tuple[int, dict]]
    pilot: list[tuple[int, dict]]
    comparison: list[tuple[int, dict]]
    criteria: list[tuple[int, dict]]



def _key(ctx: Ctx, name: object) -> str:
    """One key per person: the team member's name when the text names one, else the words of the text."""
    person = team_member(as_text(name), ctx.workspace.team)
    key = " ".join(words(person.name if person else as_text(name)))
    if person is None and len(key.split()) == 1:  # a first name that one pilot rep has
        reps = {" ".join(words(r.get("rep"))) for _, r in ctx.reps}
        first = [r for r in reps if r.split()[:1] == [key]]
        key = first[0] if len(first) == 1 else key
    return key


def _rep_keys(ctx: Ctx) -> set[str]:
    return {k for _, r in ctx.reps if (k := _key(ctx, r.get("rep")))}


def _finding(severity: str, message: str, field: str, number: int | None = None, label: str = "Pilot",
             account: AccountSnap | None = None, module: str | None = None) -> Finding:
    return Finding(severity, message, "answer", number, label, field, module,
                   account.id if account else None, account.name if account else None)


def _rep_problem(ctx: Ctx, rep: object) -> str | None:
    why = owner_problem(rep, ctx.workspace)
    if why:
        return why
    person = team_member(as_text(rep), ctx.workspace.team)
    if ctx.workspace.kind == "team" and person and person.job_function not in (None, "sales"):
        return f"{person.name} works in {person.job_function}: pilot reps are the sellers who will work the accounts"
    return None


@RULES.rule("reps-are-named-sales-people", module=M_PILOT, weight=2)
def reps_are_named_sales_people(ctx: Ctx) -> Outcome:
    if not ctx.reps:
        return Outcome.of(0, 1, [_finding("blocker", "Name the reps in your pilot: a few sellers, each with why you "
                                          "chose them and the accounts they will work.", "reps")])
    findings, met = [], 0
    for number, row in ctx.reps:
        why = _rep_problem(ctx, row.get("rep"))
        if why:
            findings.append(_finding("improve", f"Rep {number}: {why}.", "reps.rep", number, f"Rep {number}"))
        met += why is None
    low, high = REPS
    count = len(_rep_keys(ctx))
    size_ok = low <= count <= high
    if not size_ok:
        findings.append(_finding("improve", f"Your pilot has {count} rep{'s' * (count != 1)}: choose {low} to {high} "
                                 "(three or four is typical), enough to compare and few enough to support well.",
                                 "reps"))
    return Outcome.of(met / len(ctx.reps) + size_ok, 2, findings)


@RULES.rule("reasons-follow-the-module", module=M_PILOT, weight=2)
def reasons_follow_the_module(ctx: Ctx) -> Outcome:
    reasons = {n: as_text(r.get("why")) for n, r in ctx.reps}
    copied = repeated(reasons, names={n: as_text(r.get("rep")) for n, r in ctx.reps})
    findings, met = [], 0
    for number, text in reasons.items():
        rep = as_text(dict(ctx.reps)[number].get("rep")) or f"rep {number}"
        if not is_answered(text):
            message = f"Say why you chose {rep}, in a sentence."
        elif number in copied:
            message = f"The reason for {rep} is the same as for rep {copied[number][0]}: say what is true of {rep}."
        elif not GROUNDS & set(meaningful_words(text)):
            message = (f"The reason for {rep} does not say whether they are willing, typical of the team, respected "
                       "by peers, have the time, or have a manager who will join the reviews: those are what make "
                       "the result carry over.")
        else:
            met += 1
            continue
        findings.append(_finding("improve", message, "reps.why", number, f"Rep {number}"))
    return Outcome.of(met, len(reasons), findings)


def _account_problems(ctx: Ctx, account: AccountSnap | None, given: object) -> list[str]:
    if account is None:
        return [f"The account {given!r} is not in your workspace: pick one of your accounts"]
    problems = []
    if not account.is_target or account.sales_agreed is not True:
        problems.append(f"{account.name} is not a target account sales has agreed: pilot on the agreed list, so "
                        "the reps are working accounts they already believe in")
    return problems


@RULES.rule("pilot-accounts-are-agreed", module=M_PILOT, weight=2)
def pilot_accounts_are_agreed(ctx: Ctx) -> Outcome:
    if not ctx.pilot:
        return Outcome.of(0, 1, [_finding("blocker", "Give each pilot rep the accounts they will work: target "
                                          "accounts from your workspace that sales has agreed.", "pilot_accounts")])
    findings, met, reps, covered = [], 0, _rep_keys(ctx), set()
    for number, row in ctx.pilot:
        account = ctx.workspace.account(as_id(row.get("account")))
        problems = _account_problems(ctx, account, row.get("account"))
        rep = _key(ctx, row.get("rep"))
        if rep not in reps:
            problems.append(f"{as_text(row.get('rep')) or 'No one'} is not one of your pilot reps: give the account "
                            "to a rep in the pilot")
        covered.add(rep)
        findings += [_finding("improve", p + ".", "pilot_accounts", number, f"Pilot account {number}", account,
                              M_LIST if "agreed" in p else None) for p in problems]
        met += not problems
    idle = [as_text(r.get("rep")) for _, r in ctx.reps if _key(ctx, r.get("rep")) not in covered]
    findings += [_finding("improve", f"{rep} has no pilot accounts: give them some, or leave them out of the pilot.",
                          "pilot_accounts") for rep in idle if rep]
    if not any(a.is_target and a.sales_agreed is True for a in _accounts(ctx, ctx.pilot)):
        findings.append(_finding("blocker", "None of the pilot accounts is a target sales has agreed: choose them "
                                 "from the agreed list.", "pilot_accounts", module=M_LIST))
    tiers = Counter(normalise_tier(a.tier) for a in _accounts(ctx, ctx.pilot))
    few = tiers.get("1:few", 0) >= sum(tiers.values()) / 2
    if not few:
        findings.append(_finding("improve", "Most of your pilot accounts are not 1:few: a cluster of similar 1:few "
                                 "accounts lets the reps share one message and compare notes.", "pilot_accounts"))
    return Outcome.of(met / len(ctx.pilot) + (not idle) + few, 3, findings)


def _accounts(ctx: Ctx, rows: list[tuple[int, dict]]) -> list[AccountSnap]:
    found = (ctx.workspace.account(as_id(r.get("account"))) for _, r in rows)
    return [a for a in found if a is not None]


def _comparison_problems(ctx: Ctx, row: dict, pilot_ids: set[int], tiers: set[str | None]) -> list[str]:
    account = ctx.workspace.account(as_id(row.get("account")))
    rep = _key(ctx, row.get("rep"))
    problems = []
    if account is None and not rep:
        return ["Give a comparison account from your workspace, or a rep outside the pilot"]
    if account is not None:
        if account.id in pilot_ids:
            problems.append(f"{account.name} is in the pilot too: a comparison account must be outside it")
        elif tiers and normalise_tier(account.tier) not in tiers:
            problems.append(f"{account.name} is not the same tier as the pilot accounts: compare like with like")
    if rep and rep in _rep_keys(ctx):
        problems.append(f"{as_text(row.get('rep'))} is a pilot rep: the comparison is reps and accounts not in it")
    return problems


@RULES.rule("comparison-group-is-separate", module=M_PILOT, weight=2)
def comparison_group_is_separate(ctx: Ctx) -> Outcome:
    if not ctx.comparison:
        return Outcome.of(0, 1, [_finding("blocker", "Set aside a comparison group: similar agreed accounts (or reps) "
                                          "not in the pilot, so you can tell the pilot's effect from what the market "
                                          "did anyway.", "comparison", module=M_MEASURE)])
    pilot = _accounts(ctx, ctx.pilot)
    pilot_ids, tiers = {a.id for a in pilot}, {normalise_tier(a.tier) for a in pilot}
    findings, met = [], 0
    for number, row in ctx.comparison:
        problems = _comparison_problems(ctx, row, pilot_ids, tiers)
        account = ctx.workspace.account(as_id(row.get("account")))
        findings += [_finding("improve", p + ".", "comparison", number, f"Comparison {number}", account)
                     for p in problems]
        met += not problems
    if not met:
        findings.append(_finding("blocker", "Your comparison group has no account or rep outside the pilot: without "
                                 "one, you cannot tell the pilot's effect from what the market did anyway.",
                                 "comparison", module=M_MEASURE))
    return Outcome.of(met, len(ctx.comparison), findings)


def _criterion_problems(ctx: Ctx, row: dict, length: float | None) -> list[str]:
    problems = []
    if _metric(row) is None:
        problems.append("choose the measure")
    baseline, target = as_number(row.get("baseline")), as_number(row.get("target"))
    if baseline is None or target is None:
        problems.append("give today's baseline and the target as figures")
    elif baseline == target:
        problems.append("the target equals the baseline: say what change counts as success")
    week = as_number(row.get("by_week"))
    if week is None or week < 1 or (length is not None and week > length):
        problems.append("say by which week of the pilot it is judged")
    why = owner_problem(row.get("agreed_with"), ctx.workspace)
    person = team_member(as_text(row.get("agreed_with")), ctx.workspace.team)
    if why is None and ctx.workspace.kind == "team" and person and person.job_function not in (None, "sales"):
        why = f"{person.name} is not in sales"
    if why:
        problems.append(f"agree it with a named sales leader ({why})")
    return problems


def _metric(row: dict) -> str | None:
    given = as_text(row.get("metric")).lower()
    return next((m for m in METRICS if m.lower() == given), None)


@RULES.rule("success-criteria-are-agreed-up-front", module=M_PILOT, weight=2)
def success_criteria_are_agreed_up_front(ctx: Ctx) -> Outcome:
    if not ctx.criteria:
        return Outcome.of(0, 1, [_finding("blocker", "Agree the success criteria before launch: the measure, today's "
                                          "baseline, the target, by when, and the sales leader who agreed them.",
                                          "criteria")])
    length = as_number(ctx.answer.get("length_weeks"))
    findings, met = [], 0
    for number, row in ctx.criteria:
        problems = _criterion_problems(ctx, row, length)
        if problems:
            findings.append(_finding("improve", f"Criterion {number}: {'; '.join(problems)}.", "criteria", number,
                                     f"Criterion {number}"))
        met += not problems
    if not met:
        findings.append(_finding("blocker", "None of your success criteria is complete: without a baseline, a target "
                                 "and a sales leader's agreement before launch, the result will be argued, not "
                                 "accepted.", "criteria"))
    metrics = {_metric(r) for _, r in ctx.criteria} - {None}
    leading = bool(metrics - set(PIPELINE))
    if not leading:
        findings.append(_finding("improve", "Pipeline moves slowly in complex sales: add a leading measure such as "
                                 "sales acceptance, meetings created or follow-up within SLA, so the pilot is not "
                                 "judged on pipeline alone.", "criteria.metric"))
    enough = len(ctx.criteria) >= MIN_CRITERIA
    if not enough:
        findings.append(_finding("improve", f"Agree at least {MIN_CRITERIA} success criteria.", "criteria"))
    return Outcome.of(met / len(ctx.criteria) + leading + enough, 3, findings)


@RULES.rule("pilot-length-is-sane", module=M_PILOT, weight=1)
def pilot_length_is_sane(ctx: Ctx) -> Outcome:
    weeks, (low, high) = as_number(ctx.answer.get("length_weeks")), WEEKS
    if weeks is not None and low <= weeks <= high:
        return Outcome.of(1, 1)
    if weeks is None:
        message = "Set the pilot's length in weeks before you start."
    elif weeks < low:
        message = (f"{weeks:g} weeks is too short to judge: run at least one full campaign cycle plus follow-up, "
                   f"{low} weeks or more (a quarter works well).")
    else:
        message = f"{weeks:g} weeks is no longer a pilot: keep it to {high} weeks at most (a quarter works well)."
    return Outcome.of(0, 1, [_finding("improve", message, "length_weeks")])


@RULES.rule("decision-rule-is-set", module=M_PILOT, weight=2)
def decision_rule_is_set(ctx: Ctx) -> Outcome:
    text = as_text(ctx.answer.get("decision_rule"))
    said = set(words(text))
    missing = [d for d, terms in _DECISIONS.items() if not said & set(terms)]
    if not is_answered(text, 6):
        missing = list(_DECISIONS)
    if not missing:
        return Outcome.of(1, 1)
    return Outcome.of(0, 1, [_finding("improve", "Agree before launch what result means you scale, what means you "
                                      f"change the playbook and try again, and what means you stop (missing: "
                                      f"{', '.join(missing)}).", "decision_rule")])


def check(workspace: WorkspaceSnapshot, answer: dict) -> Result:
    """Return the result of the pilot design in `answer` against the learner's workspace."""
    if not isinstance(answer, dict):
        answer = {}
    if not workspace.accounts:
        return Result(0, False, (Finding("blocker", "Your workspace has no accounts yet: import your accounts first "
                                         "(Accounts > Import), then choose the pilot's accounts from them.",
                                         field="pilot_accounts", module=M_PILOT),))
    ctx = Ctx(workspace, answer, *(filled_rows(answer, n) for n in ("reps", "pilot_accounts", "comparison", "criteria")))
    return RULES.evaluate(ctx, pass_mark=PASS_MARK)
