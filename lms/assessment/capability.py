"""Pure capability calculations: per learner and competency, knowledge, applied score, coach rating and the gap.
Plain values in, dataclasses out, so the learner's profile page and the manager reports compute the same numbers
the same way."""

# Definitions (DESIGN.md, "Reports and their definitions"):
# - pre / post: the share of a competency's questions answered right in the pre- and post-course assessment
#   (the first pre-assessment taken is the baseline; the latest post-assessment counts);
# - checks: the share of the competency's module knowledge-check questions answered that were answered right
#   (at least once, as the module score counts them);
# - knowledge: post-assessment and module-check questions pooled (right answers over questions); before any
#   post-assessment or module check, the pre-assessment;
# - applied: the mean of the best submitted scores of the exercises mapped to the competency that have one;
# - rating: the coach's latest rating, 1-5 against the framework's levels;
# - gap: knowledge minus applied (positive: knows more than they have shown in practice);
# - capability: applied evidence weighted over recognition: applied score 50%, coach rating 30% (level 1-5 as
#   20-100), knowledge 20%, over whichever of the three exist; `evidence` says which it rests on, so a capability
#   resting on papers and checks alone is shown as such.

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from lms.assessment.papers import Tally


@dataclass(frozen=True)
class Applied:
    """The applied score of one competency and how many of its exercises it rests on."""

    score: int | None  # None: no exercise of this competency submitted yet
    submitted: int
    mapped: int


@dataclass(frozen=True)
class Rating:
    level: int  # 1-5
    comment: str
    coach: str
    rated_at: datetime


@dataclass(frozen=True)
class AttemptResult:
    """A closed assessment attempt as the profile needs it."""

    kind: str  # pre | post
    closed_at: datetime
    scores: Mapping[str, Tally]  # by competency


@dataclass(frozen=True)
class CompetencyProfile:
    slug: str
    name: str
    pre: int | None
    post: int | None
    change: int | None  # post minus pre
    checks: int | None
    knowledge: int | None
    applied: int | None
    exercises_submitted: int
    exercises_mapped: int
    rating: Rating | None
    gap: int | None  # knowledge minus applied
    capability: int | None = None  # applied 50%, rating 30%, knowledge 20% (of what exists)
    evidence: str = "none"  # see EVIDENCE_LABELS

    @property
    def evidence_label(self) -> str:
        """What the capability figure rests on, in words."""
        return EVIDENCE_LABELS[self.evidence]


@dataclass(frozen=True)
class LearnerProfile:
    user_id: int
    competencies: tuple[CompetencyProfile, ...]

    def mean(self, field: str) -> int | None:
        """Return the rounded mean of a numeric column over the competencies that have a value, else None."""
        values = [getattr(c, field) for c in self.competencies]
        values = [v.level if isinstance(v, Rating) else v for v in values if v is not None]
        return round(sum(values) / len(values)) if values else None

    def competency(self, slug: str) -> CompetencyProfile:
        """Return the row of one competency; raises KeyError if the profile has none."""
        for row in self.competencies:
            if row.slug == slug:
                return row
        raise KeyError(slug)


CAPABILITY_WEIGHTS = {"applied": 0.5, "rating": 0.3, "knowledge": 0.2}
EVIDENCE_LABELS = {
    "applied+rated": "Shown in practice and rated by a coach",
    "applied": "Shown in practice",
    "rated": "Rated by a coach",
    "knowledge": "Knowledge only: not yet shown in practice",
    "none": "No evidence yet",
}


def capability_score(knowledge_pct: int | None, applied_pct: int | None,
                     rating: Rating | None) -> tuple[int | None, str]:
    """Return (capability 0-100, evidence) for one competency: applied evidence weighted over recognition.

    The weights of CAPABILITY_WEIGHTS are shared among the parts that exist, so a learner with knowledge only
    scores their knowledge, labelled "knowledge" so nobody reads it as capability shown at work.
    """
    parts = {"applied": applied_pct, "rating": rating.level * 20 if rating else None, "knowledge": knowledge_pct}
    present = {k: v for k, v in parts.items() if v is not None}
    if not present:
        return None, "none"
    weight = sum(CAPABILITY_WEIGHTS[k] for k in present)
    score = round(sum(CAPABILITY_WEIGHTS[k] * v for k, v in present.items()) / weight)
    if "applied" in present:
        return score, "applied+rated" if "rating" in present else "applied"
    return score, "rated" if "rating" in present else "knowledge"


def applied_scores(
    best_scores: Mapping[str, int], exercise_competencies: Mapping[str, Iterable[str]]
) -> dict[str, Applied]:
    """Return the applied score per competency from one learner's best submitted score per exercise slug.

    `exercise_competencies` maps each exercise slug to the competencies it proves (the exercise registry).
    Scores of exercises no longer in the registry are ignored. Competencies no exercise maps to are absent.
    """
    totals: dict[str, list[int]] = {}
    mapped: dict[str, int] = {}
    for slug, competencies in exercise_competencies.items():
        for competency in set(competencies):
            mapped[competency] = mapped.get(competency, 0) + 1
            if slug in best_scores:
                totals.setdefault(competency, []).append(best_scores[slug])
    return {
        competency: Applied(
            score=round(sum(totals[competency]) / len(totals[competency])) if competency in totals else None,
            submitted=len(totals.get(competency, ())),
            mapped=count,
        )
        for competency, count in mapped.items()
    }


def assessment_results(attempts: Iterable[AttemptResult]) -> tuple[dict[str, Tally], dict[str, Tally]]:
    """Return (pre, post) tallies per competency: the first pre-assessment taken, the latest post-assessment."""
    pre: dict[str, Tally] = {}
    post: dict[str, Tally] = {}
    for attempt in sorted(attempts, key=lambda a: a.closed_at):
        for competency, tally in attempt.scores.items():
            if not tally.total:
                continue
            if attempt.kind == "pre":
                pre.setdefault(competency, tally)
            elif attempt.kind == "post":
                post[competency] = tally
    return pre, post


def check_tallies(rows: Iterable[tuple[Sequence[str], int, int]]) -> dict[str, Tally]:
    """Return module-check tallies per competency from (module competencies, answered, answered right) rows."""
    sums: dict[str, list[int]] = {}
    for competencies, answered, right in rows:
        for competency in set(competencies):
            tally = sums.setdefault(competency, [0, 0])
            tally[0] += right
            tally[1] += answered
    return {competency: Tally(right, answered) for competency, (right, answered) in sums.items() if answered}


def knowledge(pre: Tally | None, post: Tally | None, checks: Tally | None) -> int | None:
    """Return the knowledge score: post-assessment and module checks pooled, else the pre-assessment."""
    pooled = [t for t in (post, checks) if t is not None and t.total]
    if pooled:
        return Tally(sum(t.correct for t in pooled), sum(t.total for t in pooled)).percent
    return pre.percent if pre is not None else None


def _difference(a: int | None, b: int | None) -> int | None:
    return a - b if a is not None and b is not None else None


def build_profile(
    user_id: int,
    competencies: Sequence[tuple[str, str]],
    *,
    pre: Mapping[str, Tally],
    post: Mapping[str, Tally],
    checks: Mapping[str, Tally],
    applied: Mapping[str, Applied],
    ratings: Mapping[str, Rating],
) -> LearnerProfile:
    """Return a learner's capability profile, one row per (slug, name) in `competencies`, in that order."""
    rows = []
    for slug, name in competencies:
        before, after = pre.get(slug), post.get(slug)
        pre_pct = before.percent if before else None
        post_pct = after.percent if after else None
        known = knowledge(before, after, checks.get(slug))
        used = applied.get(slug, Applied(None, 0, 0))
        score, evidence = capability_score(known, used.score, ratings.get(slug))
        rows.append(CompetencyProfile(
            slug=slug,
            name=name,
            pre=pre_pct,
            post=post_pct,
            change=_difference(post_pct, pre_pct),
            checks=checks[slug].percent if slug in checks else None,
            knowledge=known,
            applied=used.score,
            exercises_submitted=used.submitted,
            exercises_mapped=used.mapped,
            rating=ratings.get(slug),
            gap=_difference(known, used.score),
            capability=score,
            evidence=evidence,
        ))
    return LearnerProfile(user_id=user_id, competencies=tuple(rows))
