"""Check an enablement and adoption plan for sales: what reps gain, what managers do each week, how usage is
tracked and when reps are trained (the module "Tool adoption and enablement").

Rules, in the order a learner should fix them (weights in brackets):
  gains-are-in-rep-terms             [2]  at least 2 practices, each with its own gain in selling terms (time,
                                          meetings, deals), not marketing terms (engagement, MQLs); a blocker when
                                          none is
  managers-are-named-and-act-weekly  [2]  named managers (sales members of a team workspace) with what each does
                                          every week, and a different named backup
  usage-is-tracked-per-practice      [2]  every practice has a metric of use in the work (not logins), a source
                                          and a target adoption level (1-100%)
  reviews-are-dated                  [1]  each tracking row has a review date within the next quarter
  training-is-just-in-time           [1]  at least 2 training moments, each with its own moment and a named owner,
                                          one of them bite-size or inside the workflow
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from rapidfuzz import fuzz

from lms.abm.integrity import is_answered, meaningful_words, owner_problem, repeated, team_member, words
from lms.abm.snapshot import WorkspaceSnapshot
from lms.practice.result import Finding, Result
from lms.practice.rules import Outcome, Rules
from lms.practice.values import as_number, as_text, filled_rows

PASS_MARK = 75
M_ADOPT = "abm-alignment-programme/tool-adoption-and-enablement"
M_PILOT = "abm-alignment-programme/piloting-with-a-few-reps"
M_RHYTHM = "abm-alignment-programme/the-operating-rhythm"
MIN_PRACTICES = 2
MIN_MOMENTS = 2
REVIEW_WITHIN = timedelta(days=92)  # read usage weekly, and decide on it at least once a quarter
SAME_PRACTICE = 80  # token-set similarity at or above which a tracking row is about a practice
JUST_IN_TIME = ("bite-size unit", "help in the workflow")
FORMATS = (*JUST_IN_TIME, "live session", "peer win story", "manager one-to-one")
# What a rep counts: time, meetings, deals, commission. Marketing's measures are not a rep's reasons.
REP_TERMS = frozenset(words("""time hours hour minutes minute day days admin research researching prep prepare
preparing meeting meetings call calls calling deal deals pipeline quota commission close closing win wins won
conversation conversations booked book save saves saved faster quicker sooner earlier typing manual forecast
renewal renewals upsell"""))
MARKETING_TERMS = frozenset(words("""engagement mql mqls awareness impressions clicks ctr leads nurture brand reach
content downloads attribution visibility campaign campaigns"""))
WEEKLY_ACTS = frozenset(words("""review reviews ask asks check checks coach coaches pipeline forecast handoff
handoffs account accounts dashboard view call calls meeting meetings standup huddle"""))
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d %b %Y", "%d-%m-%Y")

RULES = Rules()


@dataclass
class Ctx:
    """The workspace, the answer and its filled rows."""

    workspace: WorkspaceSnapshot
    answer: dict
    gains: list[tuple[int, dict]]
    managers: list[tuple[int, dict]]
    tracking: list[tuple[int, dict]]
    training: list[tuple[int, dict]]



def _finding(severity: str, message: str, field: str, number: int | None = None, label: str = "Enablement plan",
             module: str | None = None) -> Finding:
    return Finding(severity, message, "answer", number, label, field, module)


def _practice(row: dict) -> str:
    return as_text(row.get("practice"))


def _gain_problem(text: str, practice: str, copied: bool) -> str | None:
    if not is_answered(text):
        return f"Say what a rep gains from {practice}, in a sentence."
    if copied:
        return f"The gain for {practice} is the same as for another practice: say what this one gives a rep."
    said = set(meaningful_words(text))
    if said & REP_TERMS:
        return None
    jargon = sorted(said & MARKETING_TERMS)
    told = f" ({', '.join(jargon)} are marketing's measures)" if jargon else ""
    return (f"The gain for {practice} is not in a rep's terms{told}: say what it gives the rep, such as less time "
            "on research, a better-timed call or a meeting booked.")


@RULES.rule("gains-are-in-rep-terms", module=M_ADOPT, weight=2)
def gains_are_in_rep_terms(ctx: Ctx) -> Outcome:
    if not ctx.gains:
        return Outcome.of(0, 1, [_finding("blocker", "List the practices or tools reps will use, and what each one "
                                          "gives a rep.", "gains")])
    copied = repeated({n: as_text(r.get("gain")) for n, r in ctx.gains},
                      names={n: _practice(r) for n, r in ctx.gains})
    findings, met = [], 0
    for number, row in ctx.gains:
        practice = _practice(row) or f"practice {number}"
        problem = _gain_problem(as_text(row.get("gain")), practice, number in copied)
        if not _practice(row):
            problem = "Name the practice or tool."
        if problem:
            findings.append(_finding("improve", problem, "gains.gain", number, f"Practice {number}"))
        met += problem is None
    if not met:
        findings.append(_finding("blocker", "None of the gains is something a rep would want: reps adopt what saves "
                                 "them selling time or wins them meetings and deals, so say that, practice by "
                                 "practice.", "gains"))
    enough = len(ctx.gains) >= MIN_PRACTICES
    if not enough:
        findings.append(_finding("improve", f"List at least {MIN_PRACTICES} practices reps will adopt, such as "
                                 "handoffs in the CRM and the account view.", "gains"))
    return Outcome.of(met / len(ctx.gains) + enough, 2, findings)


def _manager_problems(ctx: Ctx, row: dict, copied: bool) -> list[tuple[str, str]]:
    name = as_text(row.get("manager")) or "this manager"
    found = []
    if (why := owner_problem(row.get("manager"), ctx.workspace)) is not None:
        found.append(("manager", f"Name the sales manager: {why}."))
    person = team_member(as_text(row.get("manager")), ctx.workspace.team)
    if ctx.workspace.kind == "team" and person and person.job_function not in (None, "sales"):
        found.append(("manager", f"{person.name} works in {person.job_function}: reps copy what their own sales "
                                 "manager looks at."))
    weekly = as_text(row.get("weekly"))
    if not is_answered(weekly) or not set(words(weekly)) & WEEKLY_ACTS:
        found.append(("weekly", f"Say what {name} does every week, such as running one-to-ones from the ABM account "
                                "view and asking about engaged accounts."))
    elif copied:
        found.append(("weekly", f"What {name} does is the same as another manager: write what this one will do."))
    why = owner_problem(row.get("backup"), ctx.workspace)
    if why is None and " ".join(words(row.get("backup"))) == " ".join(words(row.get("manager"))):
        why = "the backup is the manager: name someone else"
    if why:
        found.append(("backup", f"Name who stands in for {name}: {why}."))
    return found


@RULES.rule("managers-are-named-and-act-weekly", module=M_ADOPT, weight=2)
def managers_are_named_and_act_weekly(ctx: Ctx) -> Outcome:
    if not ctx.managers:
        return Outcome.of(0, 1, [_finding("blocker", "Name the sales managers who back the change and what each will "
                                          "do every week: reps keep up to date what their manager looks at.",
                                          "managers")])
    copied = repeated({n: as_text(r.get("weekly")) for n, r in ctx.managers},
                      names={n: as_text(r.get("manager")) for n, r in ctx.managers})
    findings, met = [], 0
    for number, row in ctx.managers:
        problems = _manager_problems(ctx, row, number in copied)
        findings += [_finding("improve", m, f"managers.{f}", number, f"Manager {number}") for f, m in problems]
        met += not problems
    return Outcome.of(met, len(ctx.managers), findings)


def _tracking_for(ctx: Ctx, practice: str) -> tuple[int, dict] | None:
    for number, row in ctx.tracking:
        if fuzz.token_set_ratio(practice.lower(), _practice(row).lower()) >= SAME_PRACTICE:
            return number, row
    return None


def _tracking_problems(row: dict) -> list[str]:
    problems = []
    metric = set(words(row.get("metric")))
    if not is_answered(row.get("metric"), 2):
        problems.append("name the measure of use, such as 'handoffs first touched within the agreed time'")
    elif metric & {"login", "logins", "log", "logged", "sign", "signins"} and len(meaningful_words(
            row.get("metric"))) <= 3:
        problems.append("logins show that reps opened the tool, not that they used it in the work: measure the "
                        "work, such as handoffs followed up in time or rejections with a reason")
    if not is_answered(row.get("source"), 1):
        problems.append("say where the figure comes from (the CRM report, the training system)")
    target = as_number(row.get("target"), formatted=True)
    if target is None or not 0 < target <= 100:
        problems.append("set the adoption level you aim for, as a percentage from 1 to 100")
    return problems


@RULES.rule("usage-is-tracked-per-practice", module=M_ADOPT, weight=2)
def usage_is_tracked_per_practice(ctx: Ctx) -> Outcome:
    practices = [(n, _practice(r)) for n, r in ctx.gains if _practice(r)]
    if not practices:
        return Outcome.of(0, 0)
    findings, met = [], 0
    for number, practice in practices:
        tracked = _tracking_for(ctx, practice)
        if tracked is None:
            findings.append(_finding("improve", f"Nothing tracks whether reps use {practice}: add a tracking row with "
                                     "its measure, source and target.", "tracking", number, f"Practice {number}"))
            continue
        problems = _tracking_problems(tracked[1])
        if problems:
            findings.append(_finding("improve", f"Tracking {practice}: {'; '.join(problems)}.", "tracking",
                                     tracked[0], f"Tracking {tracked[0]}"))
        met += not problems
    return Outcome.of(met, len(practices), findings)


def _date(value: object) -> datetime | None:
    text = as_text(value)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


@RULES.rule("reviews-are-dated", module=M_RHYTHM, weight=1)
def reviews_are_dated(ctx: Ctx) -> Outcome:
    findings, met = [], 0
    today = ctx.workspace.now
    for number, row in ctx.tracking:
        when = _date(row.get("review_date"))
        if when is None:
            message = "give the date you will review it, such as 2025-04-14"
        elif when.date() < today.date():
            message = f"the review date {when:%d %B %Y} has passed: set one ahead"
        elif when - today > REVIEW_WITHIN:
            message = f"{when:%d %B %Y} is too far off: review adoption within the quarter, and read it weekly"
        else:
            met += 1
            continue
        label = _practice(row) or f"tracking row {number}"
        findings.append(_finding("improve", f"Tracking {label}: {message}.", "tracking.review_date", number,
                                 f"Tracking {number}"))
    return Outcome.of(met, len(ctx.tracking), findings)


@RULES.rule("training-is-just-in-time", module=M_ADOPT, weight=1)
def training_is_just_in_time(ctx: Ctx) -> Outcome:
    copied = repeated({n: as_text(r.get("moment")) for n, r in ctx.training})
    findings, met = [], 0
    for number, row in ctx.training:
        problems = []
        if not is_answered(row.get("moment"), 3):
            problems.append("say when it happens, such as 'the first time a rep opens a handoff'")
        elif number in copied:
            problems.append("this moment repeats another: each training moment is a different point in the work")
        if (why := owner_problem(row.get("owner"), ctx.workspace)) is not None:
            problems.append(f"name who runs it ({why})")
        if problems:
            findings.append(_finding("improve", f"Training moment {number}: {'; '.join(problems)}.", "training",
                                     number, f"Training {number}"))
        met += not problems
    enough = len(ctx.training) >= MIN_MOMENTS
    if not enough:
        findings.append(_finding("improve", f"Plan at least {MIN_MOMENTS} training moments, at the points in the work "
                                 "where reps need them.", "training"))
    in_time = any(as_text(r.get("format")) in JUST_IN_TIME for _, r in ctx.training)
    if not in_time:
        findings.append(_finding("improve", "Classroom sessions alone are hard to schedule and easy to forget: add a "
                                 "bite-size unit or help inside the workflow, available when a rep hits the step.",
                                 "training.format"))
    return Outcome.of(met / max(len(ctx.training), 1) + enough + in_time, 3, findings)


def check(workspace: WorkspaceSnapshot, answer: dict) -> Result:
    """Return the result of the enablement plan in `answer` for the learner's workspace and team."""
    if not isinstance(answer, dict):
        answer = {}
    ctx = Ctx(workspace, answer, *(filled_rows(answer, n) for n in ("gains", "managers", "tracking", "training")))
    return RULES.evaluate(ctx, pass_mark=PASS_MARK)
