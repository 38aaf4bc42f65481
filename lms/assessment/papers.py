"""Pure assessment logic: drawing a paper from the question bank, option order, timing, scoring, availability.
Plain values in, dataclasses out. Randomness is seeded (by the attempt's id), so the same attempt always shows
the same paper in the same order."""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from lms.content.bank_rules import DEFAULT_PAPER_MIX, DIFFICULTY_NAMES, shortfalls

DIFFICULTY_LABELS = DIFFICULTY_NAMES
DEFAULT_MIX: dict[int, int] = dict(DEFAULT_PAPER_MIX)  # per competency: one easy, two medium, one hard


@dataclass(frozen=True)
class BankItem:
    """One question in the bank: `key` names it for good ("assessments/<competency>#<id>")."""

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


class BankTooSmall(Exception):
    """The bank cannot supply the paper at the mix without the excluded questions.

    `short` lists (competency, difficulty, questions there are, questions needed).
    """

    def __init__(self, short: Sequence[tuple[str, int, int, int]]) -> None:
        self.short = list(short)
        super().__init__("; ".join(f"{c}: {have} of {need} {DIFFICULTY_LABELS.get(d, d)}"
                                   for c, d, have, need in self.short))


def _pools(bank: Iterable[BankItem], exclude: Collection[str]) -> dict[str, dict[int, list[BankItem]]]:
    """Return the drawable items by competency and difficulty, in key order (the excluded ones left out)."""
    pools: dict[str, dict[int, list[BankItem]]] = {}
    for item in sorted(set(bank), key=lambda i: i.key):
        if item.key not in exclude:
            pools.setdefault(item.competency, {}).setdefault(item.difficulty, []).append(item)
    return pools


def paper_shortfalls(
    bank: Iterable[BankItem], competencies: Sequence[str], mix: Mapping[int, int], exclude: Collection[str] = ()
) -> list[tuple[str, int, int, int]]:
    """Return (competency, difficulty, questions there are, questions needed) wherever the paper cannot be drawn.

    A competency with no questions at all is not short: papers leave it out. The questions in `exclude` (the
    learner's pre-course paper, when drawing the post-course one) do not count. [] when the paper can be drawn.
    """
    all_items = list(bank)
    taught = {item.competency for item in all_items}
    pools = _pools(all_items, set(exclude))
    short = []
    for competency in competencies:
        if competency not in taught:
            continue
        counts = {d: len(items) for d, items in pools.get(competency, {}).items()}
        short += [(competency, d, have, need) for d, have, need in shortfalls(counts, mix)]
    return short


def draw_paper(
    bank: Iterable[BankItem],
    competencies: Sequence[str],
    mix: Mapping[int, int],
    seed: int | str,
    avoid: Collection[str] = (),
    exclude: Collection[str] = (),
) -> tuple[PaperItem, ...]:
    """Draw a paper: for each competency, exactly `mix[d]` questions of difficulty d, then shuffle the whole paper.

    The draw depends only on its arguments, so the same seed (an attempt id) gives the same paper. Questions in
    `exclude` are never drawn (the learner's pre-course paper, so the post-course paper is a parallel form);
    questions in `avoid` (seen on other papers) only when nothing fresh is left at that difficulty. Every paper
    has the same mix, so pre- and post-course scores compare like with like. A competency with no questions is
    left out. Raises BankTooSmall when a competency has too few questions at a difficulty (see
    paper_shortfalls(), which says so before anything is drawn).
    """
    items = list(bank)
    exclude = set(exclude)
    short = paper_shortfalls(items, competencies, mix, exclude)
    if short:
        raise BankTooSmall(short)
    rng = random.Random(f"paper:{seed}")
    avoid = set(avoid)
    pools = _pools(items, exclude)
    paper: list[PaperItem] = []
    used: set[str] = set()  # a question tagged with two competencies is drawn at most once
    for competency in competencies:
        for difficulty, count in sorted(mix.items()):
            pool = [i for i in pools.get(competency, {}).get(difficulty, []) if i.key not in used]
            rng.shuffle(pool)
            pool.sort(key=lambda i: i.key in avoid)  # stable: fresh questions first, still shuffled
            if competency in pools and len(pool) < count:
                raise BankTooSmall([(competency, difficulty, len(pool), count)])  # a question shared by two
            for item in pool[:count]:
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
