"""Check a shared measurement plan against the KPIs the learner's own workspace shows for a baseline window.

The window (answer `window_start`, `window_end`: ISO dates, both days included; default the last full quarter
before workspace.now) is the baseline: every KPI of lms.abm.kpis is computed for it, and each target in
the plan is compared with that current value.

Score = 50 for the five KPI families every ABM plan needs (engagement, buying-group coverage, sales
acceptance, follow-up SLA, pipeline; 10 each) + 35 for the quality of the target rows (mean of: owner 25%,
review cadence 25%, a target that stretches without being fanciful 50%) + 15 for at least one KPI owned by
sales and marketing together. A missing family is a blocker.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from lms.abm.coverage import normalise_tier
from lms.abm.kpi import KPI_NAMES, KPI_SLUGS, LOWER_IS_BETTER, Kpi
from lms.abm.kpis import compute_kpis
from lms.abm.snapshot import WorkspaceSnapshot
from lms.practice.result import Finding, Result, score_from_ratio, sort_findings
from lms.practice.values import as_number, as_rows, as_text, is_blank_row

PASS_MARK = 75
STRETCH_LIMIT = 3.0  # a target more than this multiple of the current value is fanciful
OWNERS = ("sales", "marketing", "both")
REVIEWS = ("weekly", "monthly", "quarterly")

M_MEASURE = "abm-foundations/measuring-abm"
M_SHARED = "abm-alignment-programme/a-shared-measurement-framework"

# The families every plan needs: (name, KPI slugs that answer it).
FAMILIES = (
    (
        "engagement",
        ("engagement_rate", "engagement_rate_1_1", "engagement_rate_1_few", "engagement_rate_1_many"),
    ),
    ("buying-group coverage", ("buying_group_coverage", "buying_group_complete")),
    ("sales acceptance", ("sales_acceptance_rate",)),
    ("follow-up SLA", ("follow_up_sla", "time_to_follow_up")),
    ("pipeline", ("pipeline_sourced", "pipeline_influenced")),
)
_FAMILY_WHY = {
    "engagement": "whether target accounts respond (engagement_rate, or per tier)",
    "buying-group coverage": "whether you reach the whole buying group, not one contact (buying_group_coverage)",
    "sales acceptance": "whether sales agrees your handoffs are worth working (sales_acceptance_rate)",
    "follow-up SLA": "whether qualified signals are followed up while they are warm (follow_up_sla)",
    "pipeline": "what the programme is worth in money (pipeline_sourced or pipeline_influenced)",
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


def _window(
    ws: WorkspaceSnapshot, answer: Mapping, findings: list[Finding]
) -> tuple[datetime, datetime, bool]:
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


def check(workspace: WorkspaceSnapshot, answer: dict) -> Result:
    """Return the Result for the measurement-plan exercise (see the module docstring for the scoring)."""
    ws = workspace
    findings: list[Finding] = []
    notes: list[str] = []
    answer = answer if isinstance(answer, Mapping) else {}
    if not ws.accounts:
        findings.append(
            Finding(
                "blocker",
                "Your workspace has no accounts yet: import your accounts, contacts, signals, handoffs and "
                "opportunities first, so your plan can be set against your own figures.",
                field="accounts",
                module=M_MEASURE,
            )
        )

    start, end, default_used = _window(ws, answer, findings)
    kpis = compute_kpis(ws, start, end)
    by_slug = {k.slug: k for k in kpis}
    currencies = sorted({o.currency for o in ws.opportunities if o.currency})
    currency = currencies[0] if len(currencies) == 1 else None
    has_1_many = any(a.is_target and normalise_tier(a.tier) == "1:many" for a in ws.accounts)

    raw_rows = as_rows(answer.get("targets")) or []
    rows_out: list[dict] = []
    row_scores: list[float] = []
    covered: set[str] = set()
    seen: dict[str, int] = {}
    shared = False

    for i, raw in enumerate(raw_rows, start=1):
        if not isinstance(raw, Mapping):
            findings.append(
                Finding(
                    "improve",
                    f"Target row {i} could not be read: fill it in again.",
                    "answer",
                    i,
                    None,
                    "targets",
                    M_MEASURE,
                )
            )
            row_scores.append(0.0)
            continue
        if is_blank_row(raw):
            continue
        slug = _kpi_slug(raw.get("kpi"))
        label = f"Target row {i}" + (f" ({KPI_NAMES[slug]})" if slug else "")
        entry: dict = {"row": i, "kpi": slug, "target": None, "current": None, "owner": None, "review": None}
        rows_out.append(entry)
        if slug is None:
            given = as_text(raw.get("kpi")) or str(raw.get("kpi") or "")
            findings.append(
                Finding(
                    "improve",
                    f"Target row {i}: "
                    + (f"'{given}' is not one of the KPIs" if given else "choose a KPI")
                    + f" ({', '.join(KPI_SLUGS)}).",
                    "answer",
                    i,
                    None,
                    "kpi",
                    M_MEASURE,
                )
            )
            row_scores.append(0.0)
            continue
        if slug in seen:
            findings.append(
                Finding(
                    "improve",
                    f"{label} repeats the KPI of row {seen[slug]}: keep one target per KPI so nobody argues about "
                    "which one counts.",
                    "answer",
                    i,
                    KPI_NAMES[slug],
                    "kpi",
                    M_SHARED,
                )
            )
            continue
        seen[slug] = i
        kpi = by_slug[slug]
        score = 0.0

        owner = as_text(raw.get("owner")).lower()
        if owner in OWNERS:
            entry["owner"] = owner
            score += 0.25
            shared = shared or owner == "both"
        else:
            findings.append(
                Finding(
                    "improve",
                    f"{label} has no owner: say who is accountable for it — sales, marketing or both. A KPI nobody "
                    "owns is reported and never acted on.",
                    "answer",
                    i,
                    KPI_NAMES[slug],
                    "owner",
                    M_SHARED,
                )
            )
        review = as_text(raw.get("review")).lower()
        if review in REVIEWS:
            entry["review"] = review
            score += 0.25
        else:
            findings.append(
                Finding(
                    "improve",
                    f"{label} has no review cadence: choose weekly, monthly or quarterly, and put it in the joint "
                    "sales and marketing meeting where you will look at it.",
                    "answer",
                    i,
                    KPI_NAMES[slug],
                    "review",
                    M_SHARED,
                )
            )

        target = as_number(raw.get("target"), formatted=True)
        raw_target = raw.get("target")
        if target is not None and kpi.unit == "ratio" and 1 < target <= 100:
            notes.append(f"Row {i}: read the target {target:g} as {target:g}% ({target / 100:g}).")
            entry["normalised_from"] = target
            target = target / 100
        valid = target is not None and target >= 0 and (kpi.unit != "ratio" or target <= 1)
        if not valid:
            if target is None:
                what = (
                    "has no target"
                    if raw_target in (None, "")
                    else f"has a target '{raw_target}' that is not a number"
                )
            else:
                what = f"has a target of {target:g}, which is not possible"
            hint = (
                "a share between 0 and 1, or a percentage from 0 to 100"
                if kpi.unit == "ratio"
                else {"money": "an amount", "hours": "a number of hours", "count": "a number"}[kpi.unit]
            )
            findings.append(
                Finding(
                    "improve",
                    f"{label} {what}: give {hint}.",
                    "answer",
                    i,
                    KPI_NAMES[slug],
                    "target",
                    M_MEASURE,
                )
            )
            row_scores.append(score)
            continue
        entry["target"] = target
        entry["current"] = kpi.value
        for family, slugs in FAMILIES:
            if slug in slugs:
                covered.add(family)

        current = kpi.value
        lower_better = slug in LOWER_IS_BETTER
        if current is None:
            findings.append(
                Finding(
                    "improve",
                    f"{label}: your workspace cannot compute {KPI_NAMES[slug].lower()} yet, so the target has no "
                    f"baseline. {kpi.note or ''} Add that data, then check the target again.",
                    "answer",
                    i,
                    KPI_NAMES[slug],
                    "target",
                    M_MEASURE,
                )
            )
            score += 0.25
            entry["status"] = "no baseline"
        elif (not lower_better and target < current) or (lower_better and target > current):
            findings.append(
                Finding(
                    "improve",
                    f"{label}: you already achieve {_show(current, kpi, currency)} in the window, and the target is "
                    f"{_show(target, kpi, currency)}: set a target that stretches.",
                    "answer",
                    i,
                    KPI_NAMES[slug],
                    "target",
                    M_MEASURE,
                )
            )
            entry["status"] = "below current"
        elif target >= 1 and (slug == "engagement_rate_1_many" or (slug == "engagement_rate" and has_1_many)):
            findings.append(
                Finding(
                    "improve",
                    f"{label}: 100% engagement is not realistic when you run 1:many accounts — programmatic ABM "
                    f"reaches hundreds of accounts and most will not engage in one period. You are at "
                    f"{_show(current, kpi)}: set a step you can reach.",
                    "answer",
                    i,
                    KPI_NAMES[slug],
                    "target",
                    M_MEASURE,
                )
            )
            entry["status"] = "unrealistic"
        elif current > 0 and (
            (not lower_better and target > STRETCH_LIMIT * current)
            or (lower_better and target < current / STRETCH_LIMIT)
        ):
            findings.append(
                Finding(
                    "improve",
                    f"{label}: the target {_show(target, kpi, currency)} is more than {STRETCH_LIMIT:g}× your "
                    f"current {_show(current, kpi, currency)}"
                    + (" (in the other direction)" if lower_better else "")
                    + ". A target nobody believes is ignored: set one you can reach in a period, then raise it.",
                    "answer",
                    i,
                    KPI_NAMES[slug],
                    "target",
                    M_MEASURE,
                )
            )
            entry["status"] = "unrealistic"
        else:
            score += 0.5
            entry["status"] = "stretch"
        row_scores.append(score)

    # The plan as a whole.
    if not rows_out:
        findings.append(
            Finding(
                "blocker",
                "Your plan has no targets: add one row per KPI you will steer by, each with a target, an owner and "
                "a review cadence.",
                "answer",
                None,
                None,
                "targets",
                M_MEASURE,
            )
        )
    for family, slugs in FAMILIES:
        if family in covered:
            continue
        computable = any(by_slug[s].value is not None for s in slugs)
        data = (
            ""
            if computable
            else f" (your workspace cannot compute it yet: {_inline(by_slug[slugs[0]].note)})"
        )
        findings.append(
            Finding(
                "blocker",
                f"Your plan has no target for {family}: add one for {_FAMILY_WHY[family]}{data}.",
                "answer",
                None,
                None,
                "targets",
                M_SHARED if family in ("sales acceptance", "follow-up SLA") else M_MEASURE,
            )
        )
    if rows_out and not shared:
        findings.append(
            Finding(
                "improve",
                "No KPI is owned by sales and marketing together: make at least one (for example pipeline or "
                "sales acceptance) owner 'both', so the plan is one shared scorecard rather than two.",
                "answer",
                None,
                None,
                "owner",
                M_SHARED,
            )
        )

    family_part = len(covered) / len(FAMILIES)
    rows_part = sum(row_scores) / len(row_scores) if row_scores else 0.0
    score = score_from_ratio(0.5 * family_part + 0.35 * rows_part + 0.15 * shared)
    blockers = any(f.severity == "blocker" for f in findings)
    if not blockers and score >= 95:
        findings.append(
            Finding(
                "good",
                "Every KPI family has a stretching, owned target with a review cadence, and sales and marketing "
                "share at least one of them.",
                "answer",
                None,
                None,
                "targets",
                M_SHARED,
            )
        )
    summary = {
        "window": {
            "start": start.date().isoformat(),
            "end": (end - timedelta(days=1)).date().isoformat(),
            "default": default_used,
        },
        "kpis": [
            {
                "slug": k.slug,
                "name": k.name,
                "value": k.value,
                "numerator": k.numerator,
                "denominator": k.denominator,
                "unit": k.unit,
                "note": k.note,
            }
            for k in kpis
        ],
        "targets": rows_out,
        "families_covered": [f for f, _ in FAMILIES if f in covered],
        "shared_ownership": shared,
        "notes": notes,
    }
    return Result(score, score >= PASS_MARK and not blockers, sort_findings(findings), summary)
