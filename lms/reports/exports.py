"""CSV exports of every report table, safe to open in a spreadsheet (formula injection guarded by safe_cell).

Pure: report dataclasses in, `charts.Table`s and CSV bytes out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from lms.accounts.exporting import safe_cell
from lms.learning.deadlines import utc_to_local, zone
from lms.reports.charts import Table
from lms.reports.completion import STATUS_LABELS


def _cell(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 2)
    if value is None:
        return ""
    return safe_cell(value)


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """Return UTF-8 CSV (with a BOM so Excel reads accents) of `headers` and `rows`, every text cell guarded."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in headers])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def completion_tables(report) -> dict[str, Table]:
    """Return the completion report's tables: summary, learners and laggards."""
    s = report.summary
    summary = Table("Completion by cohort and course",
                    ("Cohort", "Course", "Enrolled", "Not started", "In progress", "Completed", "Overdue",
                     "Completion rate %"),
                    tuple((r.cohort, r.course, r.counts.enrolled, r.counts.not_started, r.counts.in_progress,
                           r.counts.completed, r.counts.overdue, r.counts.completion_rate) for r in s.rows))
    learners = Table("Learners", ("Name", "Email", "Team", "Cohort", "Course", "Status", "Overdue", "Due",
                                  "Modules done", "Modules", "Progress %", "Last activity"),
                     tuple((r.name, r.email, r.job_function, r.cohort, r.course, STATUS_LABELS[r.status],
                            "yes" if r.overdue else "no", r.due_at, r.modules_done, r.modules_total, r.percent,
                            r.last_activity) for r in report.learners))
    return {"summary": summary, "learners": learners, "laggards": laggard_table(report.laggards)}


def laggard_table(rows) -> Table:
    """Return the laggards table (shared by the completion and adoption reports)."""
    return Table("Laggards", ("Name", "Email", "Team", "Courses not completed", "Earliest due", "Last activity"),
                 tuple((r.name, r.email, r.job_function, r.open_courses, r.earliest_due, r.last_activity)
                       for r in rows))


def adoption_tables(report) -> dict[str, Table]:
    """Return the adoption report's tables: funnel, weekly and monthly actives, tools, functions, laggards,
    A-players."""
    steps = [label for _, label in _funnel_labels(report)]
    funnel = Table("Adoption funnel by cohort", ("Cohort", *steps),
                   tuple((name, *(s.count for s in cohort_steps)) for name, cohort_steps in report.funnels)
                   + (("All cohorts", *(s.count for s in report.total)),))
    weekly = Table("Weekly active learners", ("Week starting", "Active learners"),
                   tuple(zip(report.weeks, report.wau, strict=True)))
    monthly = Table("Monthly active learners", ("Month", "Active learners"),
                    tuple(zip(report.months, report.mau, strict=True)))
    functions = sorted({fn for t in report.tools for fn in t.by_function})
    tools = Table("Tool usage", ("Tool", "Uses", "Users",
                                 *(f"{fn.capitalize()} {what}" for fn in functions for what in ("uses", "users"))),
                  tuple((t.label, t.uses, t.users, *(v for fn in functions for v in t.by_function.get(fn, (0, 0))))
                        for t in report.tools))
    by_function = Table("Sales vs marketing", ("Team", "Learners", "Enrolments", "Completed", "Completion rate %",
                                               "Overdue", "Active learners", "Active %"),
                        tuple((r.function.capitalize(), r.learners, r.enrolments, r.completed, r.completion_rate,
                               r.overdue, r.active, r.active_rate) for r in report.functions))
    players = Table("A-players", ("Name", "Email", "Team", "Applied score", "Statements", "Active weeks"),
                    tuple((p.name, p.email, p.job_function, p.applied, p.statements, p.active_weeks)
                          for p in report.a_players))
    return {"funnel": funnel, "weekly": weekly, "monthly": monthly, "tools": tools, "functions": by_function,
            "laggards": laggard_table(report.laggards), "a_players": players, **practice_tables(report.practice)}


def practice_tables(practice) -> dict[str, Table]:
    """Return the practice-use tables (per practice, and per person and practice), or none without the section."""
    if practice is None:
        return {}
    n = practice.weeks
    summary = Table("Practice use outside the academy", (
        "Practice", "Competency", "Trained people", f"Used in the {n} weeks before", f"Used in the {n} weeks after",
        "Using since training", "Laggards", f"Uses in the {n} weeks before", f"Uses in the {n} weeks after"),
        tuple((s.label, s.competency, s.trained, s.used_before, s.used_after, s.using, s.laggards, s.uses_before,
               s.uses_after) for s in practice.summaries))
    people = Table("Practice use by person", (
        "Name", "Email", "Team", "Practice", "Trained", f"Uses in the {n} weeks before", f"Uses in the {n} weeks after",
        "Weeks after so far", "Uses since training", "Last use", "Status"),
        tuple((r.name, r.email, r.job_function, r.label, r.trained_at, r.before, r.after, r.weeks_after_so_far,
               r.since, r.last_use, r.status) for r in practice.rows))
    return {"practices": summary, "practice_use": people}


def _funnel_labels(report):
    return [(s.key, s.label) for s in report.total]


def capability_tables(report) -> dict[str, Table]:
    """Return the capability report's tables: per competency, heatmaps (pre and post) and the largest gaps."""
    names = report.names
    competencies = Table("Capability by competency",
                         ("Competency", "Learners", "Pre %", "Post %", "Uplift (points)", "Knowledge %", "Applied %",
                          "Gap (points)", "Coach rating (1-5)"),
                         tuple((names.get(s.competency, s.competency), s.learners, s.pre, s.post, s.uplift,
                                s.knowledge, s.applied, s.gap, s.rating) for s in report.summaries))
    gaps = Table("Largest knowledge-action gaps", ("Name", "Email", "Team", "Competency", "Knowledge %", "Applied %",
                                                   "Gap (points)"),
                 tuple((s.name, s.email, s.team, names.get(s.competency, s.competency), s.knowledge, s.applied, s.gap)
                       for s in report.gaps))
    tables = {"competencies": competencies, "gaps": gaps}
    for chart in report.charts[:2]:
        key = "pre" if "pre" in chart.title else "post"
        tables[key] = chart.table
    return tables


def learner_tables(detail, names: dict[str, str]) -> dict[str, Table]:
    """Return the learner drill-down's tables: enrolments, capability and the activity timeline."""
    enrolments = Table("Enrolments", ("Course", "Cohort", "Status", "Overdue", "Due", "Modules done", "Modules",
                                      "Enrolled", "Started", "Completed"),
                       tuple((e.course, e.cohort, STATUS_LABELS[e.status], "yes" if e.overdue else "no", e.due_at,
                              e.modules_done, e.modules_total, e.enrolled_at, e.started_at, e.completed_at)
                             for e in detail.enrolments))
    scores = Table("Capability", ("Competency", "Pre %", "Post %", "Knowledge %", "Applied %", "Gap (points)",
                                  "Coach rating (1-5)"),
                   tuple((names.get(s.competency, s.competency), s.pre, s.post, s.knowledge, s.applied, s.gap,
                          s.rating) for s in detail.capability))
    activity = Table("Activity", ("Time (UTC)", "Verb", "Object type", "Object", "Course"),
                     tuple((s.timestamp, s.verb, s.object_type, s.object_name or s.object_id, s.course_slug)
                           for s in detail.timeline))
    return {"enrolments": enrolments, "capability": scores, "activity": activity}


def roi_tables(report) -> dict[str, Table]:
    """Return the ROI report's tables: figures with their inputs, and the outcomes compared."""
    currency = report.inputs.currency if report.inputs else "GBP"
    r = report.result
    rows = [("Costs", r.costs, "fully loaded")]
    rows += [(f"  {line.label}", line.value, line.formula) for line in r.cost_lines]
    rows += [(step.label, step.value, step.formula) for step in r.steps]
    rows += [("ROI %", r.roi_percent, "(benefits - costs) / costs x 100"),
             ("Benefit-cost ratio", r.bcr, "benefits / costs"),
             ("Payback (months)", r.payback_months, "costs / monthly benefit")]
    rows += [(f"ROI % at attribution {a:g}", v, "sensitivity") for a, v in r.sensitivity]
    rows += [("Missing input", None, m) for m in r.missing]
    i = report.inputs
    for label, attribute in (("Attribution factor", "attribution"), ("Confidence", "confidence"),
                             ("Gross margin", "gross_margin"), ("Win rate for open pipeline", "win_rate"),
                             ("Hours per learner", "hours_per_learner"), ("Loaded hourly cost", "hourly_cost"),
                             ("Fee per seat", "fee_per_seat"), ("Seats", "seats")):
        rows.append((label, getattr(i, attribute, None) if i else None, "assumption entered by the manager"))
    if report.comparison is not None and report.comparison_window:
        start, end = report.comparison_window
        rows.append(("Compared with", None, f"{report.comparison.label}, {start:%Y-%m-%d} to {end:%Y-%m-%d} "
                                            "(end exclusive)"))
    figures = Table(f"ROI figures ({currency})", ("Figure", "Value", "How"), tuple(rows))
    outcome_rows = []
    for label, o in (("After the programme start", report.after),
                     (report.comparison.label.capitalize() if report.comparison else "Comparison",
                      report.comparison.outcomes if report.comparison else None)):
        if o is not None:
            outcome_rows.append((label, o.days, o.pipeline_created, o.won, o.open_pipeline, o.deals_won,
                                 o.deal_size, o.meetings, o.learners))
    outcomes = Table("Workspace outcomes on target accounts",
                     ("Window", "Days", "Pipeline created", "Won", "Open pipeline", "Deals won", "Average deal size",
                      "Meetings", "Learners"), tuple(outcome_rows))
    return {"figures": figures, "outcomes": outcomes}


def workshop_tables(report) -> dict[str, Table]:
    """Return the workshop sessions report's tables: each session (its start on its own clock, the zone named)
    and the summary."""
    sessions = Table("Workshop sessions",
                     ("Starts (local time)", "Time zone", "Course", "Session", "Delivery", "Capacity", "Booked",
                      "Waiting", "Present", "Partial", "Absent", "Not marked", "Fill rate %", "No-show rate %"),
                     tuple((utc_to_local(r.starts_at, zone(r.timezone)).replace(tzinfo=None), r.timezone, r.course,
                            r.title, r.delivery, r.stats.capacity, r.stats.confirmed, r.stats.waiting,
                            r.stats.present, r.stats.partial, r.stats.absent, r.stats.unmarked, r.stats.fill_rate,
                            r.stats.no_show_rate) for r in report.rows))
    s = report.summary
    summary = Table("Workshop summary", ("Figure", "Value"),
                    (("Sessions run", s.sessions_run), ("Average fill rate %", s.average_fill_rate),
                     ("No-show rate %", s.no_show_rate), ("Attendees marked", s.marked), ("Absent", s.absent),
                     ("Waiting-list promotions", s.promotions), ("Bookings moved to another date", s.moves)))
    return {"sessions": sessions, "summary": summary}
