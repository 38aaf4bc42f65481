"""The capability report: team x competency heatmaps, uplift and knowledge-action gaps, from the assessment
package's learner profiles.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import and_, func, select

from lms.database import side_by_side
from lms.extensions import db
from lms.identity.models import User
from lms.reports import capability, charts, competencies
from lms.reports.filters import Filters
from lms.reports.models import CapabilityTotal, LearnerCompetency


def profiles(user_ids: list[int], org_id: int) -> dict:
    """Return {user id: LearnerProfile} from the assessment package (a fixed number of queries)."""
    from lms.assessment.profiles import profiles_for

    return profiles_for(user_ids, org_id)


def competency_names() -> dict[str, str]:
    """Return {slug: name} of the active competencies in framework order."""
    from lms.assessment.profiles import competencies

    return {c.slug: c.name for c in competencies()}


def capability_scores(people: list[tuple[int, str, str, str]], org_id: int) -> Iterator[capability.Score]:
    """Yield the capability Scores of (user id, name, email, team) learners."""
    return capability.scores_from_profiles(people, profiles([p[0] for p in people], org_id))


def _people(f: Filters):
    """Return the query of (user id, name, email, job function, team) of the learners in the filters with an
    enrolment in the period; the team is the cohort filtered on, else the learner's first cohort by name."""
    return competencies.learners(f.org_id, since=f.start_at, before=f.end_before, cohort_id=f.cohort_id,
                                 function=f.function)


def capability_people(f: Filters) -> list[tuple[int, str, str, str]]:
    """Return (user id, name, email, team) of the learners in the filters, by name (one query)."""
    q = _people(f).subquery("p")
    return [tuple(row) for row in db.session.execute(
        select(q.c.user_id, q.c.name, q.c.email, q.c.team).order_by(func.lower(q.c.name), q.c.user_id))]


@dataclass
class CapabilityReport:
    filters: Filters
    names: dict[str, str]
    teams: list[str]
    learners: int
    summaries: list[capability.CompetencySummary]
    uplift: float | None
    gaps: list[capability.Score]
    action: str
    charts: list[charts.Chart]


def capability_report(f: Filters) -> CapabilityReport:
    """Return team x competency heatmaps (pre, post), uplift, gaps per competency and the largest gaps, from the
    capability roll-up in a fixed number of queries whatever the number of learners: two on the default view (the
    kept sums and the largest gaps), three with a cohort or a period starting on a date."""
    names = competency_names()
    slugs = list(names)
    labels = [names[s] for s in slugs]
    summary, teams, learners = _summary(f, slugs)
    summaries = summary.competencies
    built = [
        charts.heatmap("Before the course (pre-assessment)",
                       "Average pre-assessment score (%) by team and competency; grey: no score yet.",
                       teams, labels, summary.pre, unit="%", ident="heat-pre"),
        charts.heatmap("After the course (post-assessment)",
                       "Average post-assessment score (%) by team and competency; grey: no score yet.",
                       teams, labels, summary.post, unit="%", ident="heat-post"),
        charts.bar_chart("Knowledge-action gap by competency",
                         "Average knowledge score minus applied (exercise) score, in points, per competency.",
                         labels, [s.gap for s in summaries], value_header="Gap (points)", ident="gap"),
    ]
    return CapabilityReport(f, names, teams, learners, summaries, summary.uplift, summary.largest_gaps,
                            capability.next_action(summaries, names), built)


def _summary(f: Filters, slugs: list[str], gaps: int = 10) -> tuple[capability.Summary, list[str], int]:
    """Return the Summary `capability.summarise` would give for the filtered learners, the teams and the number
    of learners: from the kept sums (`capability_totals`) when the filters are the ones they are kept for (no
    cohort, a period open at the start and ending today), else from sums and counts the database computes over
    the filtered learners' rows."""
    sums_for = _kept_sums if f.cohort_id is None and f.start is None and f.to_today else _computed_sums
    # The sums and the largest gaps read at once, each on a connection of its own (lms.database.side_by_side).
    (teams, sums), largest = side_by_side(lambda: sums_for(f), lambda: _largest_gaps(f, gaps))
    ordered = sorted(teams)
    learners = sum(teams.values())
    return capability.summary_from_sums(sums, ordered, slugs, learners, largest), ordered, learners


Sums = dict[tuple[str, str], dict[str, tuple[int, int]]]  # {(team, competency): {figure: (sum, count)}}


def _kept_sums(f: Filters) -> tuple[dict[str, int], Sums]:
    """Return {team: learners} and the sums, read from capability_totals (one query over a few hundred rows)."""
    t = CapabilityTotal
    q = (select(t.team, t.competency, func.sum(t.learners),
                *(func.sum(getattr(t, f"{name}_{part}")) for name in competencies.SUMMED for part in ("sum", "n")))
         .where(t.organization_id == f.org_id).group_by(t.team, t.competency))
    if f.function:
        q = q.where(t.job_function == f.function)
    teams: dict[str, int] = {}
    sums: Sums = {}
    for team, slug, learners, *values in db.session.execute(q):
        if slug == "":
            if learners:
                teams[team] = learners
        else:
            sums[(team, slug)] = _figures(values)
    return teams, {key: value for key, value in sums.items() if key[0] in teams}


def _computed_sums(f: Filters) -> tuple[dict[str, int], Sums]:
    """Return {team: learners} and the sums, computed over the filtered learners' rows (two queries)."""
    people = _people(f).subquery("p")
    teams = dict(db.session.execute(select(people.c.team, func.count()).group_by(people.c.team)).all())
    lc = LearnerCompetency
    sums = {(team, slug): _figures(values) for team, slug, *values in db.session.execute(
        select(people.c.team, lc.competency,
               *(part for value in competencies.figures().values() for part in (func.sum(value), func.count(value))))
        .join(lc, and_(lc.user_id == people.c.user_id, lc.organization_id == f.org_id))
        .group_by(people.c.team, lc.competency))}
    return teams, sums


def _figures(values: list) -> dict[str, tuple[int, int]]:
    """{figure: (sum, count)} from a row's sums and counts in SUMMED order (int: PostgreSQL sums a bigint column
    as a numeric, which Python reads as a Decimal)."""
    return {name: (int(values[2 * i] or 0), int(values[2 * i + 1] or 0))
            for i, name in enumerate(competencies.SUMMED)}


def _largest_gaps(f: Filters, gaps: int) -> list[capability.Score]:
    """Return the `gaps` largest positive knowledge-action gaps of the filtered learners (largest first, ties by
    name and competency), in one query read down the (organisation, gap) index: the gap of the `gaps`-th row
    bounds the rows sorted, instead of sorting every learner's rows."""
    lc = LearnerCompetency
    covered = competencies.qualifying(f.org_id, lc.user_id, since=f.start_at, before=f.end_before,
                                      cohort_id=f.cohort_id, function=f.function)
    bound = (select(lc.gap).where(lc.organization_id == f.org_id, lc.gap > 0, *covered)
             .order_by(lc.gap.desc()).limit(1).offset(gaps - 1).scalar_subquery())
    return [capability.Score(*row) for row in db.session.execute(
        select(lc.user_id, User.name, User.email, competencies.team_of(f.org_id, lc.user_id, f.cohort_id),
               lc.competency, lc.pre, lc.post, lc.knowledge, lc.applied, lc.rating)
        .join(User, User.id == lc.user_id)
        .where(lc.organization_id == f.org_id, lc.gap > 0, lc.gap >= func.coalesce(bound, 1), *covered)
        .order_by(lc.gap.desc(), User.name, lc.competency).limit(gaps))]
