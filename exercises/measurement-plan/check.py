"""Check a shared measurement plan as named rules, against the KPIs the learner's own workspace shows.

The window (answer `window_start`, `window_end`: ISO dates, both days included; default the last full quarter
before workspace.now) is the baseline: every KPI of lms.abm.kpis is computed for it with the modules'
definitions (engaged = at least three qualifying signals from a known contact; acceptance = accepted ÷ sent),
and each target is compared with that value. Modules 12 (foundations) and 04 (alignment programme): targets
from your own baseline, set by tier, each KPI with a named owner in marketing and one in sales, leading
indicators read at the weekly or monthly review.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from lms.abm.coverage import normalise_tier
from lms.abm.integrity import owner_problem, team_member
from lms.abm.kpi import KPI_NAMES, LOWER_IS_BETTER, Kpi, tier_slug
from lms.abm.kpis import compute_kpis
from lms.abm.snapshot import WorkspaceSnapshot
from lms.abm.vocabulary import TIERS
from lms.practice.result import Finding, Result
from lms.practice.rules import Outcome, Rules
from lms.practice.values import as_number, as_rows, as_text, is_blank_row

PASS_MARK = 75
STRETCH_LIMIT = 3.0  # a target more than this multiple of the current value is fanciful
REVIEWS = ("weekly", "monthly", "quarterly")

M_MEASURE = "abm-foundations/measuring-abm"
M_SHARED = "abm-alignment-programme/a-shared-measurement-framework"

# The families every plan needs: (name, KPI slugs that answer it, leading indicator?).
FAMILIES = (
    ("engagement", ("engagement_rate", "engagement_rate_1_1", "engagement_rate_1_few", "engagement_rate_1_many"),
     True),
    ("buying-group coverage", ("buying_group_coverage", "buying_group_complete"), True),
    ("sales acceptance", ("sales_acceptance_rate",), True),
    ("follow-up SLA", ("follow_up_sla", "time_to_follow_up"), True),
    ("pipeline", ("pipeline_sourced", "pipeline_influenced"), False),
)
LEADING = frozenset(s for _, slugs, leading in FAMILIES if leading for s in slugs) | {"account_reach", "tal_coverage"}
_FAMILY_WHY = {
    "engagement": "whether target accounts respond (overall or per tier)",
    "buying-group coverage": "whether you reach the whole buying group, not one contact",
    "sales acceptance": "whether sales agrees your handoffs are worth working",
    "follow-up SLA": "whether qualified signals are followed up while they are warm",
    "pipeline": "what the programme is worth in money (sourced or influenced, never added together)",
}


_NAME_TO_SLUG = {name.lower(): slug for slug, name in KPI_NAMES.items()}
_DATE_FORMATS = ("%d/%m/%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y")


def _kpi_slug(value: object) -> str | None:
    text = as_text(value)
    if not text:
        return None
    key = re.sub(r"[\s\-:]+", "_", text.lower())
    if key in KPI_NAMES:
        return key
    return _NAME_TO_SLUG.get(text.lower())


def _parse_day(value: object) -> tuple[datetime | None, bool]:
    """Return (datetime, date_only) for an ISO date or datetime (or a UK dd/mm/yyyy date), else (None, False)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None), False
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day), True
    text = as_text(value)
    if not text:
        return None, False
    try:
        if len(text) <= 10:
            d = date.fromisoformat(text)
            return datetime(d.year, d.month, d.day), True
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if dt.tzinfo is not None:
            dt = (dt - dt.utcoffset()).replace(tzinfo=None)
        return dt, False
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt), True
        except ValueError:
            continue
    return None, False


def last_full_quarter(now: datetime) -> tuple[datetime, datetime]:
    """Return [start, end) of the last full calendar quarter before `now`."""
    q_start = datetime(now.year, 3 * ((now.month - 1) // 3) + 1, 1)
    if q_start.month == 1:
        return datetime(q_start.year - 1, 10, 1), q_start
    return datetime(q_start.year, q_start.month - 3, 1), q_start


def _show(value: float, kpi: Kpi, currency: str | None = None) -> str:
    if kpi.unit == "ratio":
        return f"{value:.0%}" if abs(value * 100 - round(value * 100)) < 0.05 else f"{value:.1%}"
    if kpi.unit == "hours":
        return f"{value:.1f} h"
    if kpi.unit == "money":
        return f"{currency + ' ' if currency else ''}{value:,.0f}"
    return f"{value:,.1f}" if value != int(value) else f"{value:,.0f}"


def _inline(note: str | None) -> str:
    text = (note or "data is missing").strip().rstrip(".")
    return text[:1].lower() + text[1:]


def _day(dt: datetime) -> str:
    return f"{dt.day} {dt:%b %Y}"


def _window(ws: WorkspaceSnapshot, answer: Mapping, findings: list[Finding]) -> tuple[datetime, datetime, bool]:
    default_start, default_end = last_full_quarter(ws.now)
    raw_start, raw_end = answer.get("window_start"), answer.get("window_end")
    if raw_start in (None, "") and raw_end in (None, ""):
        return default_start, default_end, True
    start, _ = _parse_day(raw_start)
    end, date_only = _parse_day(raw_end)
    problem = None
    field = "window_start"
    if raw_start in (None, "") or raw_end in (None, ""):
        field = "window_start" if raw_start in (None, "") else "window_end"
        problem = "Give both a window start and a window end (YYYY-MM-DD), or leave both empty"
    elif start is None:
        problem = f"The window start '{raw_start}' is not a date: write it as YYYY-MM-DD (e.g. 2025-04-01)"
    elif end is None:
        field = "window_end"
        problem = f"The window end '{raw_end}' is not a date: write it as YYYY-MM-DD (e.g. 2025-06-30)"
    else:
        if date_only:
            end = end + timedelta(days=1)  # the end day is included
        if start >= end:
            field = "window_end"
            problem = "The window ends before it starts: put the earlier date in window start"
        elif start >= ws.now:
            problem = "The window starts in the future, so there is nothing to measure yet: use a past period"
    if problem:
        findings.append(
            Finding(
                "improve",
                f"{problem}. Until then the plan is checked against the last full quarter "
                f"({_day(default_start)} to {_day(default_end - timedelta(days=1))}).",
                "answer",
                None,
                None,
                field,
                M_MEASURE,
            )
        )
        return default_start, default_end, True
    if end > ws.now + timedelta(days=1):
        findings.append(
            Finding(
                "improve",
                "The window runs past today, so its figures are still partial: use a finished period (for example "
                "the last full quarter) as the baseline for your targets.",
                "answer",
                None,
                None,
                "window_end",
                M_MEASURE,
            )
        )
    return start, end, False

RULES = Rules()


@dataclass(frozen=True)
class Target:
    """One readable row of the plan."""

    row: int
    slug: str
    kpi: Kpi
    target: float | None  # shares as 0-1; None when missing or not a number
    raw: object
    marketing_owner: str
    sales_owner: str
    review: str


@dataclass(frozen=True)
class Context:
    """The baseline window, every KPI for it, the readable targets and what could not be read."""

    ws: WorkspaceSnapshot
    start: datetime
    end: datetime
    default_window: bool
    kpis: dict[str, Kpi]
    targets: tuple[Target, ...]
    unread: tuple[Finding, ...]  # rows with no KPI, a repeated KPI or that could not be read
    notes: tuple[str, ...]
    currency: str | None

    def label(self, t: Target) -> str:
        """How a row is named in findings: "Target row 2 (Sales acceptance rate)"."""
        return f"Target row {t.row} ({KPI_NAMES[t.slug]})"


def _read_target(raw: Mapping, kpi: Kpi, row: int, notes: list[str]) -> float | None:
    value = as_number(raw.get("target"), formatted=True)
    if value is not None and kpi.unit == "ratio" and 1 < value <= 100:
        notes.append(f"Row {row}: read the target {value:g} as {value:g}% ({value / 100:g}).")
        value /= 100
    return value if value is not None and value >= 0 and (kpi.unit != "ratio" or value <= 1) else None


def build_context(ws: WorkspaceSnapshot, answer: object) -> tuple[Context, list[Finding]]:
    """Return the context and the findings about the window (which the rules do not own)."""
    answer = answer if isinstance(answer, Mapping) else {}
    window_findings: list[Finding] = []
    start, end, default = _window(ws, answer, window_findings)
    kpis = {k.slug: k for k in compute_kpis(ws, start, end)}
    targets, unread, notes, seen = [], [], [], {}
    for i, raw in enumerate(as_rows(answer.get("targets")) or [], start=1):
        if not isinstance(raw, Mapping) or is_blank_row(raw):
            if not isinstance(raw, Mapping):
                unread.append(Finding("improve", f"Target row {i} could not be read: fill it in again.", "answer", i))
            continue
        slug = _kpi_slug(raw.get("kpi"))
        if slug is None or slug in seen:
            why = (f"repeats the KPI of row {seen[slug]}: keep one target per KPI" if slug
                   else "does not name one of the KPIs the check computes: choose one from the list")
            unread.append(Finding("improve", f"Target row {i} {why}.", "answer", i))
            continue
        seen[slug] = i
        targets.append(Target(i, slug, kpis[slug], _read_target(raw, kpis[slug], i, notes), raw.get("target"),
                              as_text(raw.get("marketing_owner")), as_text(raw.get("sales_owner")),
                              as_text(raw.get("review")).lower()))
    currencies = sorted({o.currency for o in ws.opportunities if o.currency})
    return Context(ws, start, end, default, kpis, tuple(targets), tuple(unread), tuple(notes),
                   currencies[0] if len(currencies) == 1 else None), window_findings


# --- the rules ---------------------------------------------------------------------------------------------------


@RULES.rule("every-family-has-a-target", module=M_MEASURE, weight=5)
def every_family_has_a_target(ctx: Context) -> Outcome:
    """Engagement, buying-group coverage, sales acceptance, follow-up SLA and pipeline each have a valid target."""
    covered = {name for name, slugs, _ in FAMILIES for t in ctx.targets if t.slug in slugs and t.target is not None}
    findings = []
    for name, slugs, _ in FAMILIES:
        if name in covered:
            continue
        note = ctx.kpis[slugs[0]].note
        data = "" if any(ctx.kpis[s].value is not None for s in slugs) else f" ({_inline(note)})"
        findings.append(Finding("blocker", f"Your plan has no target for {name}: add one for {_FAMILY_WHY[name]}{data}.",
                                "answer", module=M_SHARED if name in ("sales acceptance", "follow-up SLA") else None))
    return Outcome.of(len(covered), len(FAMILIES), findings, families_covered=sorted(covered))


def stretch_problem(ctx: Context, t: Target) -> tuple[float, str | None]:
    """Return (credit 0-1, what is wrong or None) for one target against its baseline."""
    kpi, value, current = t.kpi, t.target, t.kpi.value
    if value is None:
        hint = "a share from 0 to 1 or a percentage" if kpi.unit == "ratio" else "a number"
        return 0.0, ("has no target" if t.raw in (None, "") else f"has a target that is not possible: give {hint}")
    if current is None:
        return 0.5, f"has no baseline yet: {_inline(kpi.note)}. Add that data, then check the target again"
    lower = t.slug in LOWER_IS_BETTER
    shown = f"{_show(value, kpi, ctx.currency)} against {_show(current, kpi, ctx.currency)} today"
    at_ceiling = (kpi.unit == "ratio" and current >= 1) if not lower else current <= 0
    if ((value <= current) if not lower else (value >= current)) and not at_ceiling:
        return 0.0, f"does not stretch ({shown}): set a target beyond what you already achieve"
    many = any(normalise_tier(a.tier) == "1:many" for a in ctx.ws.targets)
    if value >= 1 and (t.slug == "engagement_rate_1_many" or (t.slug == "engagement_rate" and many)):
        return 0.0, "aims at 100% engagement, which 1:many accounts never reach in one period: set a step you can reach"
    if current > 0 and ((value > STRETCH_LIMIT * current) if not lower else (value < current / STRETCH_LIMIT)):
        return 0.0, f"is more than {STRETCH_LIMIT:g} times today's figure ({shown}): set one people believe"
    return 1.0, None


@RULES.rule("targets-stretch-from-the-baseline", module=M_MEASURE, weight=4)
def targets_stretch(ctx: Context) -> Outcome:
    """Each target is above today's figure but within three times it (half credit with no baseline yet)."""
    findings, earned = list(ctx.unread), 0.0
    for t in ctx.targets:
        credit, problem = stretch_problem(ctx, t)
        earned += credit
        if problem:
            findings.append(Finding("improve", f"{ctx.label(t)} {problem}.", "answer", t.row, KPI_NAMES[t.slug]))
    total = len(ctx.targets) + len(ctx.unread)
    return Outcome(earned / total if total else None, tuple(findings))


def owner_gaps(ctx: Context, t: Target) -> list[str]:
    """Return what a row's owners lack: a named person in marketing and a different one in sales."""
    gaps = []
    for team, owner in (("marketing", t.marketing_owner), ("sales", t.sales_owner)):
        if problem := owner_problem(owner, ctx.ws):
            gaps.append(f"a named owner in {team} ({problem})")
        elif (person := team_member(owner, ctx.ws.team)) and person.job_function not in (None, team, "other"):
            gaps.append(f"an owner in {team}: {owner} works in {person.job_function}")
    if not gaps and t.marketing_owner.lower() == t.sales_owner.lower():
        gaps.append("two different people: one in marketing and one in sales")
    return gaps


@RULES.rule("named-owners-in-both-teams", module=M_SHARED, weight=2)
def named_owners_in_both_teams(ctx: Context) -> Outcome:
    """Every KPI has a named owner in marketing and a different named owner in sales (module 04)."""
    findings, ok = [], 0
    for t in ctx.targets:
        if gaps := owner_gaps(ctx, t):  # without a person on each side the KPI is not shared: nobody answers for it
            findings.append(Finding("blocker", f"{ctx.label(t)} needs " + "; ".join(gaps) + ".", "answer", t.row,
                                    KPI_NAMES[t.slug]))
        else:
            ok += 1
    return Outcome.of(ok, len(ctx.targets), findings)


@RULES.rule("review-cadence-fits", module=M_SHARED, weight=1)
def review_cadence_fits(ctx: Context) -> Outcome:
    """Leading indicators are reviewed weekly or monthly; pipeline and revenue monthly or quarterly (or weekly)."""
    findings, ok = [], 0
    for t in ctx.targets:
        if t.review not in REVIEWS:
            problem = "has no review cadence: choose weekly, monthly or quarterly"
        elif t.slug in LEADING and t.review == "quarterly":
            problem = ("is a leading indicator reviewed only quarterly: read it at the weekly or monthly review, "
                       "while there is time to act")
        else:
            ok += 1
            continue
        findings.append(Finding("improve", f"{ctx.label(t)} {problem}.", "answer", t.row, KPI_NAMES[t.slug]))
    return Outcome.of(ok, len(ctx.targets), findings)


@RULES.rule("engagement-targets-by-tier", module=M_MEASURE, weight=1)
def engagement_targets_by_tier(ctx: Context) -> Outcome:
    """Each tier with target accounts has an engagement target, and 1:1 aims at least as high as 1:few and 1:many."""
    tiers = [tier for tier in TIERS if any(normalise_tier(a.tier) == tier for a in ctx.ws.targets)]
    if len(tiers) < 2:
        return Outcome.of(0, 0)
    given = {t.slug: t.target for t in ctx.targets if t.target is not None}
    findings, ok = [], 0
    for tier in tiers:
        if f"engagement_rate_{tier_slug(tier)}" in given:
            ok += 1
        else:
            findings.append(Finding("improve", f"Set an engagement target for your {tier} accounts: report and "
                                    "steer each tier separately, since they earn their effort differently.", "answer"))
    aims = [given[slug] for tier in TIERS if (slug := f"engagement_rate_{tier_slug(tier)}") in given]
    ordered = aims == sorted(aims, reverse=True)
    if not ordered:
        findings.append(Finding("improve", "Your engagement targets should fall from 1:1 to 1:few to 1:many: a 1:1 "
                                "account gets the most effort, so it should reach the highest engagement.", "answer"))
    return Outcome.of(ok + ordered, len(tiers) + 1, findings)


def check(workspace: WorkspaceSnapshot, answer: dict) -> Result:
    """Return the Result for the measurement-plan exercise."""
    ctx, first = build_context(workspace, answer)
    if not workspace.accounts:
        first.insert(0, Finding("blocker", "Your workspace has no accounts yet: import your accounts, contacts, "
                                "signals, handoffs and opportunities first, so your plan rests on your own figures.",
                                module=M_MEASURE))
    if not ctx.targets:
        first.append(Finding("blocker", "Your plan has no targets: add one row per KPI you will steer by, with a "
                             "target, a marketing owner, a sales owner and a review cadence.", "answer",
                             module=M_MEASURE))
    summary = {
        "window": {"start": ctx.start.date().isoformat(), "end": (ctx.end - timedelta(days=1)).date().isoformat(),
                   "default": ctx.default_window},
        "kpis": [kpi.as_dict() for kpi in ctx.kpis.values()],
        "targets": [{"row": t.row, "kpi": t.slug, "target": t.target, "current": t.kpi.value} for t in ctx.targets],
        "notes": list(ctx.notes),
    }
    return RULES.evaluate(ctx, pass_mark=PASS_MARK, first=first, summary=summary)
