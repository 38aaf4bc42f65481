"""Pure assessment logic: drawing a paper from the question bank, option order, timing, scoring, availability.
Plain values in, dataclasses out. Randomness is seeded (by the attempt's id), so the same attempt always shows
the same paper in the same order."""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

DIFFICULTY_LABELS = {1: "easy", 2: "medium", 3: "hard"}
DEFAULT_MIX: dict[int, int] = {1: 1, 2: 2, 3: 1}  # per competency: one easy, two medium, one hard


@dataclass(frozen=True)
class BankItem:
    """One question in the bank: `key` names it for good ("course/module#id" or "assessments/competency#id")."""

    key: str
    competency: str
    difficulty: int


@dataclass(frozen=True)
class PaperItem:
    key: str
    competency: str
    difficulty: int


def normalise_mix(mix: Mapping | None) -> dict[int, int]:
    """Return a difficulty mix as {1|2|3: count >= 0}; keys may be strings (from JSON settings).

    Unknown difficulties and negative counts are dropped; None or an empty mix gives DEFAULT_MIX.
    """
    out: dict[int, int] = {}
    for key, count in (mix or {}).items():
        try:
            difficulty, number = int(key), int(count)
        except (TypeError, ValueError):
            continue
        if difficulty in DIFFICULTY_LABELS and number > 0:
            out[difficulty] = number
    return dict(sorted(out.items())) or dict(DEFAULT_MIX)


def _nearest(difficulty: int) -> list[int]:
    """Difficulties to fall back on when the bank is short: the nearest first, the easier on a tie."""
    return sorted(DIFFICULTY_LABELS, key=lambda d: (abs(d - difficulty), d))


def draw_paper(
    bank: Iterable[BankItem],
    competencies: Sequence[str],
    mix: Mapping[int, int],
    seed: int | str,
    avoid: Collection[str] = (),
) -> tuple[PaperItem, ...]:
    """Draw a paper: for each competency, `mix[d]` questions of difficulty d, then shuffle the whole paper.

    The draw depends only on its arguments, so the same seed (an attempt id) gives the same paper. Questions
    in `avoid` (already seen) are used only when nothing fresh is left. When a competency has too few
    questions of a difficulty, the nearest difficulty fills the place, so the paper keeps its length and,
    since that depends on the bank rather than on the seed, a pre- and a post-assessment share the same mix.
    A question tagged with several competencies is drawn once, and counts for the competency it was drawn
    for. A competency with no questions is left out. Raises nothing.
    """
    rng = random.Random(f"paper:{seed}")
    avoid = set(avoid)
    by_competency: dict[str, dict[int, list[BankItem]]] = {}
    for item in sorted(set(bank), key=lambda i: i.key):
        by_competency.setdefault(item.competency, {}).setdefault(item.difficulty, []).append(item)
    paper: list[PaperItem] = []
    used: set[str] = set()  # a module question tagged with two competencies is drawn at most once
    for competency in competencies:
        pools = by_competency.get(competency, {})
        for difficulty in sorted(pools):
            pool = pools[difficulty]
            rng.shuffle(pool)
            pool.sort(key=lambda i: i.key in avoid)  # stable: fresh questions first, still shuffled
        for difficulty, count in sorted(mix.items()):
            for _ in range(count):
                for pool in pools.values():
                    pool[:] = [i for i in pool if i.key not in used]
                source = next((d for d in _nearest(difficulty) if pools.get(d)), None)
                if source is None:
                    break
                item = pools[source].pop(0)
                used.add(item.key)
                paper.append(PaperItem(item.key, item.competency, item.difficulty))
    rng.shuffle(paper)
    return tuple(paper)


def option_order(option_count: int, seed: int | str, key: str) -> list[int]:
    """Return the order to show a question's options in (original indexes), stable for one attempt."""
    order = list(range(option_count))
    random.Random(f"options:{seed}:{key}").shuffle(order)
    return order


def deadline(started_at: datetime, time_limit_minutes: int | None) -> datetime | None:
    """Return when a timed attempt ends, or None when it is untimed."""
    if not time_limit_minutes:
        return None
    return started_at + timedelta(minutes=time_limit_minutes)


def is_late(deadline_at: datetime | None, now: datetime) -> bool:
    """Return True when `now` is after the deadline (an answer at the deadline itself still counts)."""
    return deadline_at is not None and now > deadline_at


def time_limit_for(course_slug: str, per_course: Mapping[str, int] | None, default: int | None) -> int | None:
    """Return the time limit in minutes for a course's assessments: its own setting, else the default.

    0 or None means untimed.
    """
    minutes = (per_course or {}).get(course_slug, default)
    try:
        minutes = int(minutes) if minutes is not None else None
    except (TypeError, ValueError):
        return None
    return minutes if minutes and minutes > 0 else None


@dataclass(frozen=True)
class Tally:
    """Questions answered right out of questions counted."""

    correct: int
    total: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.correct / self.total) if self.total else None


@dataclass(frozen=True)
class PaperScore:
    overall: Tally
    by_competency: dict[str, Tally]

    def as_json(self) -> dict[str, dict[str, int]]:
        return {slug: {"correct": t.correct, "total": t.total} for slug, t in self.by_competency.items()}


def score_paper(paper: Sequence[PaperItem], correct_keys: Collection[str]) -> PaperScore:
    """Score a paper: each question counts once, right only if its counted answer was right.

    Unanswered questions (and answers sent after the time limit, which are never counted) score nothing.
    """
    right = set(correct_keys)
    counts: dict[str, list[int]] = {}
    for item in paper:
        tally = counts.setdefault(item.competency, [0, 0])
        tally[0] += item.key in right
        tally[1] += 1
    by_competency = {slug: Tally(c, t) for slug, (c, t) in counts.items()}
    overall = Tally(sum(t.correct for t in by_competency.values()), sum(t.total for t in by_competency.values()))
    return PaperScore(overall, by_competency)


def difficulty_mix(paper: Iterable[PaperItem]) -> dict[str, dict[int, int]]:
    """Return {competency: {difficulty: count}} of a paper, to compare the pre- and post-assessment mix."""
    mix: dict[str, dict[int, int]] = {}
    for item in paper:
        per = mix.setdefault(item.competency, {})
        per[item.difficulty] = per.get(item.difficulty, 0) + 1
    return {slug: dict(sorted(per.items())) for slug, per in mix.items()}


@dataclass(frozen=True)
class Offer:
    """Whether a learner may take an assessment now: state is available | in_progress | done | unavailable."""

    state: str
    reason: str = ""


def offer(
    kind: str,
    *,
    enrolled: bool,
    modules_total: int,
    modules_done: int,
    course_completed: bool,
    attempt_closed: bool | None,
) -> Offer:
    """Decide whether the pre- or post-course assessment is on offer (`attempt_closed` None: none started).

    The pre-assessment is a baseline, so it is offered until the first module is completed. The
    post-assessment is offered once every module is completed (or the course is). Either is taken once.
    """
    if attempt_closed is not None:
        return Offer("done") if attempt_closed else Offer("in_progress")
    if not enrolled:
        return Offer("unavailable", "Enrol on the course first.")
    if kind == "pre":
        if course_completed:
            return Offer("unavailable", "You have completed the course: take the post-course assessment instead.")
        if modules_done:
            return Offer("unavailable", "The pre-course assessment measures where you start, so it is only "
                                        "offered before you complete your first module.")
        return Offer("available")
    if course_completed or (modules_total and modules_done >= modules_total):
        return Offer("available")
    left = modules_total - modules_done
    return Offer("unavailable", f"Offered when you complete the course: {left} module{'s' if left != 1 else ''} "
                                "to go.")
