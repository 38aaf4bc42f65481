"""The capability report: team x competency heatmaps, uplift and knowledge-action gaps, from the assessment
package's learner profiles.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, select

from lms.extensions import db
from lms.identity.models import Cohort, CohortMember, User
from lms.learning.models import Enrolment
from lms.reports import capability, charts
from lms.reports.filters import Filters
from lms.reports.models import LearnerCompetency
from lms.reports.queries.scope import NO_COHORT, learner_ids


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
    """Return the query of (user id, name, email, team) of the learners in the filters with an enrolment in the
    period; the team is the cohort filtered on, else the learner's first cohort by name."""
    enrolled = [Enrolment.user_id == User.id, Enrolment.organization_id == f.org_id,
                Enrolment.withdrawn_at.is_(None), Enrolment.enrolled_at < f.end_before]
    if f.start_at:
        enrolled.append(Enrolment.enrolled_at >= f.start_at)
    team_join = and_(CohortMember.user_id == User.id, CohortMember.role == "learner")
    if f.cohort_id:
        team_join = and_(team_join, CohortMember.cohort_id == f.cohort_id)
    return (select(User.id.label("user_id"), User.name.label("name"), User.email.label("email"),
                   func.coalesce(func.min(Cohort.name), NO_COHORT).label("team"))
            .outerjoin(CohortMember, team_join)
            .outerjoin(Cohort, and_(Cohort.id == CohortMember.cohort_id, Cohort.organization_id == f.org_id))
            .where(User.id.in_(learner_ids(f)), exists().where(*enrolled))
            .group_by(User.id, User.name, User.email))


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
    """Return team x competency heatmaps (pre, post), uplift, gaps per competency and the largest gaps: three
    aggregate queries on the capability roll-up (`learner_competencies`), whatever the number of learners."""
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
    of learners, from sums and counts per team and competency computed by the database."""
    people = _people(f).subquery("p")
    teams: dict[str, int] = dict(db.session.execute(select(people.c.team, func.count()).group_by(people.c.team)).all())
    lc = LearnerCompetency
    figures = {"pre": lc.pre, "post": lc.post, "uplift": lc.post - lc.pre, "knowledge": lc.knowledge,
               "applied": lc.applied, "gap": lc.knowledge - lc.applied, "rating": lc.rating}
    joined = and_(lc.user_id == people.c.user_id, lc.organization_id == f.org_id)
    sums: dict[tuple[str, str], dict[str, tuple[int, int]]] = {}
    for team, slug, *values in db.session.execute(
        select(people.c.team, lc.competency,
               *(aggregate for expr in figures.values() for aggregate in (func.sum(expr), func.count(expr))))
        .join(lc, joined).group_by(people.c.team, lc.competency)
    ):
        sums[(team, slug)] = {name: (values[2 * i] or 0, values[2 * i + 1]) for i, name in enumerate(figures)}
    gap = lc.knowledge - lc.applied
    largest = [capability.Score(*row) for row in db.session.execute(
        select(people.c.user_id, people.c.name, people.c.email, people.c.team, lc.competency, lc.pre, lc.post,
               lc.knowledge, lc.applied, lc.rating)
        .join(lc, joined).where(gap > 0).order_by(gap.desc(), people.c.name, lc.competency).limit(gaps))]
    ordered = sorted(teams)
    return capability.summary_from_sums(sums, ordered, slugs, sum(teams.values()), largest), ordered, \
        sum(teams.values())
