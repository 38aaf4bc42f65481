"""Capability report arithmetic: team x competency heatmaps (pre and post), uplift, knowledge-action gaps.

Pure: one `Score` per learner and competency in; averages skip missing values.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass


@dataclass(slots=True)  # not frozen: a frozen dataclass is ~3x slower to create, and reports make 80,000 of them
class Score:
    """One learner's figures for one competency, as `assessment.capability` defines them: pre and post assessment
    %, knowledge %, applied %, coach rating 1-5; gap = knowledge - applied."""

    user_id: int
    name: str
    email: str
    team: str
    competency: str  # slug
    pre: int | None = None
    post: int | None = None
    knowledge: int | None = None
    applied: int | None = None
    rating: int | None = None

    @property
    def gap(self) -> int | None:
        return self.knowledge - self.applied if self.knowledge is not None and self.applied is not None else None

    @property
    def uplift(self) -> int | None:
        return self.post - self.pre if self.post is not None and self.pre is not None else None


def mean(values: Iterable[float | None]) -> float | None:
    """Return the mean of the values that are not None, None if there are none."""
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def scores_from_profiles(people: Iterable[tuple[int, str, str, str]], found: dict) -> Iterator[Score]:
    """Yield a Score per learner and competency from (user id, name, email, team) and {user id: LearnerProfile}
    (the assessment package's profiles, read as plain values); learners without a profile yield nothing."""
    for uid, name, email, team in people:
        profile = found.get(uid)
        for row in getattr(profile, "competencies", ()):
            rating = row.rating.level if row.rating is not None else None
            yield Score(uid, name, email, team, row.slug, row.pre, row.post, row.knowledge, row.applied, rating)


class _Mean:
    """A running mean that skips None."""

    __slots__ = ("n", "total")

    def __init__(self) -> None:
        self.total, self.n = 0.0, 0

    def add(self, value: float | None) -> None:
        if value is not None:
            self.total += value
            self.n += 1

    @property
    def value(self) -> float | None:
        return self.total / self.n if self.n else None


@dataclass(frozen=True)
class CompetencySummary:
    competency: str
    pre: float | None
    post: float | None
    uplift: float | None  # mean of (post - pre) over learners with both
    knowledge: float | None
    applied: float | None
    gap: float | None  # mean of (knowledge - applied) over learners with both
    rating: float | None
    learners: int


@dataclass(frozen=True)
class Summary:
    pre: list[list[float | None]]  # teams x competencies
    post: list[list[float | None]]
    competencies: list[CompetencySummary]
    uplift: float | None
    largest_gaps: list[Score]


FIELDS = ("pre", "post", "uplift", "knowledge", "applied", "gap", "rating")


def summarise(scores: Iterable[Score], teams: Sequence[str], competencies: Sequence[str],
              gaps: int = 10) -> Summary:
    """Return, in one pass over the scores: teams x competencies means of pre and post, a summary per competency,
    the average uplift (post - pre over every pair with both) and the `gaps` largest positive gaps (largest first,
    ties by name). Scores of competencies not listed count in the uplift only."""
    cells = {(t, c, f): _Mean() for t in teams for c in competencies for f in ("pre", "post")}
    per = {c: {f: _Mean() for f in FIELDS} for c in competencies}
    people: dict[str, set[int]] = {c: set() for c in competencies}
    uplift, top = _Mean(), []
    for s in scores:
        up, gap = s.uplift, s.gap
        uplift.add(up)
        if gap is not None and gap > 0:
            top.append(s)
            if len(top) > 4 * gaps:  # keep the candidate list short on large organisations
                top = sorted(top, key=_gap_order)[:gaps]
        row = per.get(s.competency)
        if row is None:
            continue
        people[s.competency].add(s.user_id)
        for f, value in (("pre", s.pre), ("post", s.post), ("uplift", up), ("knowledge", s.knowledge),
                         ("applied", s.applied), ("gap", gap), ("rating", s.rating)):
            row[f].add(value)
        for f, value in (("pre", s.pre), ("post", s.post)):
            cell = cells.get((s.team, s.competency, f))
            if cell is not None:
                cell.add(value)
    return Summary(
        pre=[[cells[(t, c, "pre")].value for c in competencies] for t in teams],
        post=[[cells[(t, c, "post")].value for c in competencies] for t in teams],
        competencies=[CompetencySummary(c, *(per[c][f].value for f in FIELDS), len(people[c])) for c in competencies],
        uplift=uplift.value,
        largest_gaps=sorted(top, key=_gap_order)[:gaps],
    )


def summary_from_sums(sums: Mapping[tuple[str, str], Mapping[str, tuple[float, int]]], teams: Sequence[str],
                      competencies: Sequence[str], learners: int, largest_gaps: list[Score]) -> Summary:
    """Return the Summary `summarise` gives, from {(team, competency): {field: (sum, count of values)}} (the
    database's aggregates over the capability roll-up) and the largest gaps already chosen. Every learner has a
    profile row per competency, so each competency covers all `learners`."""

    def mean(pairs: Iterable[tuple[float, int]]) -> float | None:
        total = n = 0
        for value, count in pairs:
            total, n = total + value, n + count
        return total / n if n else None

    def cell(team: str, competency: str, field: str) -> float | None:
        found = sums.get((team, competency))
        return mean([found[field]]) if found else None

    def over_teams(competency: str, field: str) -> float | None:
        return mean(v[field] for (_, c), v in sums.items() if c == competency)

    return Summary(
        pre=[[cell(t, c, "pre") for c in competencies] for t in teams],
        post=[[cell(t, c, "post") for c in competencies] for t in teams],
        competencies=[CompetencySummary(c, *(over_teams(c, f) for f in FIELDS), learners) for c in competencies],
        uplift=mean(v["uplift"] for v in sums.values()),
        largest_gaps=largest_gaps,
    )


def _gap_order(s: Score):
    return (-s.gap, s.name, s.competency)


def next_action(summaries: Sequence[CompetencySummary], names: dict[str, str]) -> str:
    """Return one sentence: which competency to coach first (the largest average gap)."""
    with_gap = [s for s in summaries if s.gap is not None]
    if not with_gap:
        return ("No learner has both a knowledge score and a submitted exercise yet: ask learners to submit an "
                "exercise so knowledge and practice can be compared.")
    worst = max(with_gap, key=lambda s: s.gap)
    if worst.gap <= 0:
        return "Learners apply what they know: no competency shows a knowledge-action gap. Keep the practice going."
    return (f"Coach \u201c{names.get(worst.competency, worst.competency)}\u201d first: learners score "
            f"{worst.gap:.0f} points higher on knowing it than on doing it. Start with the learners listed below.")
