"""Check a team's operating agreement: who does what (RACI), the meeting rhythm, and how disputes are escalated.

Rules, in the order a learner should fix them (weights in brackets):
  raci-covers-the-core-activities      [2]  target list, buying-group mapping, campaign, signal follow-up,
                                            handoff acceptance and reporting each have a row
  one-accountable-person-per-activity  [2]  exactly one named person (a team member on a team workspace) each;
                                            several people accountable for one activity is a blocker
  responsible-people-are-named         [1]  the people who do the work are named people, not teams; someone is
                                            consulted or informed
  every-activity-has-a-backup          [1]  a named backup who is not the accountable person
  accountability-is-shared             [1]  more than one person accountable; sales and marketing both (when the
                                            team's functions are known); sales accountable for accepting handoffs
  the-rhythm-has-three-reviews         [3]  a weekly or fortnightly account review, a monthly programme review and a
                                            quarterly list review (a missing one is a blocker), each chaired by a named
                                            person, with sales chairing at least one, and what each decides
  escalation-is-named-and-time-boxed   [2]  what triggers it, to whom by name (a blocker when no one is named),
                                            settled within 1-5 working days
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from lms.abm.integrity import is_answered, owner_problem, repeated, team_member
from lms.abm.snapshot import WorkspaceSnapshot
from lms.practice.result import Finding, Result
from lms.practice.rules import Outcome, Rules
from lms.practice.values import as_number, as_rows, as_text, is_blank_row

PASS_MARK = 75
M_RHYTHM = "abm-alignment-programme/the-operating-rhythm"
M_MODEL = "abm-foundations/abm-as-an-operating-model"
M_FOUNDATION_RHYTHM = "abm-foundations/the-operating-rhythm"
ACTIVITIES = ("target account list", "buying-group mapping", "campaign", "signal follow-up", "handoff acceptance",
              "reporting")
REVIEWS = {  # meeting -> the frequencies the modules' rhythm allows
    "account review": ("weekly", "fortnightly"),
    "programme review": ("monthly",),
    "list review": ("quarterly",),
}
ESCALATION_DAYS = (1, 5)  # settled by the next weekly review: disputes are resolved within days, not left to sour
_SEPARATORS = re.compile(r",|/|&|\+|;|\band\b|\bor\b", re.IGNORECASE)

RULES = Rules()


@dataclass
class Ctx:
    """The workspace, the answer and its RACI rows (row number, row) with an activity or any cell filled."""

    workspace: WorkspaceSnapshot
    answer: dict
    raci: list[tuple[int, dict]]


def _key(value: object) -> str:
    return " ".join(as_text(value).lower().replace("-", " ").split())


def _activity(row: dict) -> str | None:
    key = _key(row.get("activity"))
    return next((a for a in ACTIVITIES if _key(a) == key), None)


def _names(value: object) -> list[str]:
    return [p.strip() for p in _SEPARATORS.split(as_text(value)) if p.strip()]


def _label(number: int, row: dict) -> str:
    return f"RACI row {number} ({_activity(row) or 'no activity'})"


def _row_finding(message: str, field: str, number: int | None = None, label: str = "Operating agreement",
                 module: str | None = None) -> Finding:
    return Finding("improve", message, "answer", number, label, field, module)


@RULES.rule("raci-covers-the-core-activities", module=M_RHYTHM, weight=2)
def raci_covers_the_core_activities(ctx: Ctx) -> Outcome:
    if not ctx.raci:
        return Outcome.of(0, len(ACTIVITIES), [Finding(
            "blocker", "Fill in who does what: one row per activity, from the target account list to reporting, "
            "with who is responsible, who is accountable, who is consulted and who is told.", "answer", None,
            "RACI", "raci")])
    have = {_activity(row) for _, row in ctx.raci}
    missing = [a for a in ACTIVITIES if a not in have]
    findings = [_row_finding(f"No one is named for {', '.join(missing)}: add a row for each, or that work will "
                             "fall between sales and marketing.", "raci.activity", label="RACI")] if missing else []
    return Outcome.of(len(ACTIVITIES) - len(missing), len(ACTIVITIES), findings)


def _accountable_problem(ctx: Ctx, row: dict) -> str | None:
    names = _names(row.get("accountable"))
    if len(names) > 1:
        return (f"{' and '.join(names)} are all accountable for {_activity(row) or 'this activity'}: when two "
                "people are accountable, no one is; choose one and make the others responsible or consulted")
    why = owner_problem(names[0] if names else "", ctx.workspace)
    return f"name the one person accountable for {_activity(row) or 'this activity'}: {why}" if why else None


@RULES.rule("one-accountable-person-per-activity", module=M_RHYTHM, weight=2)
def one_accountable_person_per_activity(ctx: Ctx) -> Outcome:
    findings, met = [], 0
    owners: dict[str, set[str]] = {}
    for number, row in ctx.raci:
        problem = _accountable_problem(ctx, row)
        if problem:
            severity = "blocker" if len(_names(row.get("accountable"))) > 1 else "improve"
            findings.append(dataclasses.replace(_row_finding(problem[0].upper() + problem[1:] + ".",
                                                             "raci.accountable", number, _label(number, row)),
                                                severity=severity))
        else:
            met += 1
            if _activity(row):
                owners.setdefault(_activity(row), set()).add(_key(row.get("accountable")))
    for activity, people in owners.items():
        if len(people) > 1:
            met -= 1
            findings.append(_row_finding(f"{activity.capitalize()} appears twice with different people "
                                         "accountable: keep one row and one accountable person.", "raci.accountable",
                                         label="RACI"))
    return Outcome.of(max(met, 0), len(ctx.raci), findings)


@RULES.rule("responsible-people-are-named", module=M_RHYTHM, weight=1)
def responsible_people_are_named(ctx: Ctx) -> Outcome:
    findings, met = [], 0
    for number, row in ctx.raci:
        names = _names(row.get("responsible")) or [""]
        problems = [why for name in names if (why := owner_problem(name, ctx.workspace))]
        if problems:
            findings.append(_row_finding(f"Name the people who do the work for {_activity(row) or 'this activity'}: "
                                         f"{problems[0]}.", "raci.responsible", number, _label(number, row)))
        elif not as_text(row.get("consulted")) and not as_text(row.get("informed")):
            problems.append("none")
            findings.append(_row_finding(f"Say who is consulted before and who is told after "
                                         f"{_activity(row) or 'this activity'}, so nobody learns of it too late.",
                                         "raci.informed", number, _label(number, row)))
        else:
            met += 1
    return Outcome.of(met, len(ctx.raci), findings)


@RULES.rule("every-activity-has-a-backup", module=M_RHYTHM, weight=1)
def every_activity_has_a_backup(ctx: Ctx) -> Outcome:
    findings, met = [], 0
    for number, row in ctx.raci:
        backup, activity = row.get("backup"), _activity(row) or "this activity"
        why = owner_problem(backup, ctx.workspace)
        if why is None and _key(backup) == _key(row.get("accountable")):
            why = "the backup is the accountable person: name someone else"
        if why:
            findings.append(_row_finding(f"Name who covers {activity} when its owner is away: {why}.",
                                         "raci.backup", number, _label(number, row)))
        else:
            met += 1
    return Outcome.of(met, len(ctx.raci), findings)


def _sharing_problems(ctx: Ctx) -> tuple[list[str], int]:
    """Return what is wrong with how accountability is shared, and how many checks were made."""
    rows = [row for _, row in ctx.raci if _accountable_problem(ctx, row) is None]
    accountable = {_key(row.get("accountable")): row for row in rows}
    problems, checks = [], 1
    if len(accountable) < 2:
        problems.append("One person is accountable for everything: ABM is run by sales and marketing together, so "
                        "share the accountable roles between the sales and the marketing lead")
    functions = {}
    for key, row in accountable.items():
        person = team_member(as_text(row.get("accountable")), ctx.workspace.team)
        if person and person.job_function in ("sales", "marketing"):
            functions[key] = person.job_function
    if functions:
        checks += 2
        for side in ("sales", "marketing"):
            if side not in functions.values():
                problems.append(f"No one from {side} is accountable for any activity: give {side} the activities "
                                "it answers for")
        handoff = next((_key(row.get("accountable")) for row in rows if _activity(row) == "handoff acceptance"), None)
        if handoff in functions and functions[handoff] != "sales":
            problems.append("Handoff acceptance is a sales decision: make a sales leader accountable for it")
    return problems, checks


@RULES.rule("accountability-is-shared", module=M_MODEL, weight=1)
def accountability_is_shared(ctx: Ctx) -> Outcome:
    if not ctx.raci:
        return Outcome.of(0, 0)
    problems, checks = _sharing_problems(ctx)
    return Outcome.of(max(checks - len(problems), 0), checks,
                      [_row_finding(p + ".", "raci.accountable", label="RACI") for p in problems])


def _review_rows(ctx: Ctx) -> list[tuple[int, dict]]:
    rows = as_rows(ctx.answer.get("cadence")) or []
    return [(n, r) for n, r in enumerate(rows, start=1) if isinstance(r, dict) and not is_blank_row(r)]


def _review_problems(ctx: Ctx, meeting: str, rows: list[tuple[int, dict]], copied: dict) -> list[str]:
    mine = [(n, r) for n, r in rows if _key(r.get("meeting")) == meeting]
    if not mine:
        return [f"Add the {meeting}: {' or '.join(REVIEWS[meeting])}, with its chair and what it decides"]
    number, row = mine[0]
    problems = []
    if _key(row.get("frequency")) not in REVIEWS[meeting]:
        given = as_text(row.get("frequency")) or "no frequency"
        problems.append(f"The {meeting} is {given}: hold it {' or '.join(REVIEWS[meeting])}")
    if (why := owner_problem(row.get("chair"), ctx.workspace)) is not None:
        problems.append(f"Name who chairs the {meeting}: {why}")
    if not is_answered(row.get("decides")):
        problems.append(f"Say what the {meeting} decides, such as who follows up each engaged account by when")
    elif number in copied:
        problems.append(f"The {meeting} decides the same as another meeting: say what this one decides")
    return problems


@RULES.rule("the-rhythm-has-three-reviews", module=M_RHYTHM, weight=3)
def the_rhythm_has_three_reviews(ctx: Ctx) -> Outcome:
    rows = _review_rows(ctx)
    if not rows:
        return Outcome.of(0, len(REVIEWS) + 1, [Finding(
            "blocker", "Set the rhythm: a weekly account review, a monthly programme review and a quarterly list "
            "review, each with a named chair and what it decides.", "answer", None, "Rhythm", "cadence")])
    copied = repeated({n: as_text(r.get("decides")) for n, r in rows})
    findings, met = [], 0
    for meeting in REVIEWS:
        problems = _review_problems(ctx, meeting, rows, copied)
        findings += [dataclasses.replace(_row_finding(p + ".", "cadence", label=meeting.capitalize()),
                                         severity="blocker" if p.startswith("Add the") else "improve")
                     for p in problems]
        met += not problems
    chairs = [team_member(as_text(r.get("chair")), ctx.workspace.team) for _, r in rows]
    known = [p for p in chairs if p and p.job_function in ("sales", "marketing")]
    if known and all(p.job_function != "sales" for p in known):
        findings.append(_row_finding("Marketing chairs every meeting: ask a sales manager to chair or co-chair at "
                                     "least the account review, or the meetings drift into marketing reporting.",
                                     "cadence.chair", label="Rhythm"))
    else:
        met += 1
    return Outcome.of(met, len(REVIEWS) + 1, findings)


@RULES.rule("escalation-is-named-and-time-boxed", module=M_MODEL, weight=2)
def escalation_is_named_and_time_boxed(ctx: Ctx) -> Outcome:
    problems = []
    if not is_answered(ctx.answer.get("escalation_trigger")):
        problems.append(("escalation_trigger", "Say what triggers an escalation, such as sales and marketing still "
                                               "disagreeing about an account or a rejected handoff after the weekly "
                                               "review."))
    if (why := owner_problem(ctx.answer.get("escalation_to"), ctx.workspace)) is not None:
        problems.append(("escalation_to", f"Name the person who settles an escalated dispute: {why}."))
    days, (low, high) = as_number(ctx.answer.get("escalation_days")), ESCALATION_DAYS
    if days is None or not low <= days <= high:
        given = "no time limit" if days is None else f"{days:g} working days"
        problems.append(("escalation_days", f"Escalations need a time limit of {low} to {high} working days (you gave "
                                            f"{given}): a dispute left longer sours the relationship."))
    findings = [dataclasses.replace(_row_finding(m, f, label="Escalation", module=M_MODEL),
                                    severity="blocker" if f == "escalation_to" else "improve") for f, m in problems]
    return Outcome.of(3 - len(problems), 3, findings)


def check(workspace: WorkspaceSnapshot, answer: dict) -> Result:
    """Return the result of the operating agreement in `answer` for the team of `workspace`."""
    if not isinstance(answer, dict):
        answer = {}
    rows = as_rows(answer.get("raci")) or []
    raci = [(n, r) for n, r in enumerate(rows, start=1) if isinstance(r, dict) and not is_blank_row(r)]
    return RULES.evaluate(Ctx(workspace, answer, raci), pass_mark=PASS_MARK)
