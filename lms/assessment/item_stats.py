"""Classical item statistics for the assessment bank: how many answered each question first time, the share who
got it right (its difficulty) and how well it separates stronger from weaker learners (its discrimination).

Pure: closed papers in, one ItemStat per bank question out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

MIN_RESPONSES = 30  # below this, a share or a correlation says more about chance than about the question
TOO_EASY = 0.9  # more than this share right: it tells nobody apart
TOO_HARD = 0.2  # less than this share right: a trick, a wrong key or untaught content
WEAK_DISCRIMINATION = 0.2  # point-biserial below this: strong and weak learners answer it alike

TOO_FEW = "too few answers"


@dataclass(frozen=True)
class Sitting:
    """One closed paper: whose it is, when it started, the questions on it and those answered right."""

    attempt_id: int
    learner_id: int
    started_at: datetime
    keys: tuple[str, ...]
    correct: frozenset[str]


@dataclass(frozen=True)
class ItemStat:
    key: str
    responses: int  # learners who met the question for the first time on a closed paper
    difficulty: float | None  # share of them who got it right; None with no responses
    discrimination: float | None  # point-biserial with the rest of the paper; None when it cannot be computed
    flags: tuple[str, ...]  # what is wrong with it, in words; ("too few answers",) below MIN_RESPONSES

    @property
    def is_flagged(self) -> bool:
        return bool(self.flags) and self.flags != (TOO_FEW,)


def first_responses(sittings: Iterable[Sitting]) -> dict[str, list[tuple[int, int]]]:
    """Return, per question, (1 if right else 0, the rest of the paper's score) for each learner's first meeting.

    A learner who meets a question again (on another course's paper) has seen it before, so only the earliest
    sitting counts. An unanswered question on a closed paper counts as wrong, as it does in the score. The rest
    score is the number right on the same paper without this question.
    """
    out: dict[str, list[tuple[int, int]]] = {}
    met: set[tuple[int, str]] = set()
    for sitting in sorted(sittings, key=lambda s: (s.started_at, s.attempt_id)):
        keys = list(dict.fromkeys(sitting.keys))
        score = sum(1 for key in keys if key in sitting.correct)
        for key in keys:
            if (sitting.learner_id, key) in met:
                continue
            met.add((sitting.learner_id, key))
            right = int(key in sitting.correct)
            out.setdefault(key, []).append((right, score - right))
    return out


def share_correct(responses: Sequence[tuple[int, int]]) -> float | None:
    """Return the share of responses that were right (the item's difficulty index), or None with none."""
    return sum(right for right, _ in responses) / len(responses) if responses else None


def point_biserial(responses: Sequence[tuple[int, int]]) -> float | None:
    """Return the correlation between being right on the item and the rest score (the corrected point-biserial).

    None when it is undefined: fewer than two responses, or everyone right (or wrong), or every rest score equal.
    """
    n = len(responses)
    if n < 2:
        return None
    mean_x = sum(x for x, _ in responses) / n
    mean_y = sum(y for _, y in responses) / n
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in responses)
    sxx = sum((x - mean_x) ** 2 for x, _ in responses)
    syy = sum((y - mean_y) ** 2 for _, y in responses)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def flags_for(responses: int, difficulty: float | None, discrimination: float | None) -> tuple[str, ...]:
    """Return what is wrong with a question, in words: () when it behaves; ("too few answers",) below 30."""
    if responses < MIN_RESPONSES or difficulty is None:
        return (TOO_FEW,)
    flags = []
    if difficulty > TOO_EASY:
        flags.append("too easy: more than 90% get it right")
    if difficulty < TOO_HARD:
        flags.append("too hard: fewer than 20% get it right; check the answer key")
    if discrimination is None or discrimination < WEAK_DISCRIMINATION:
        flags.append("does not tell stronger from weaker learners (discrimination under 0.2)")
    return tuple(flags)


def item_stats(keys: Iterable[str], sittings: Iterable[Sitting]) -> list[ItemStat]:
    """Return one ItemStat per key, in the order given (a question nobody has met has 0 responses)."""
    responses = first_responses(sittings)
    stats = []
    for key in keys:
        mine = responses.get(key, [])
        difficulty, discrimination = share_correct(mine), point_biserial(mine)
        stats.append(ItemStat(key, len(mine), difficulty, discrimination,
                              flags_for(len(mine), difficulty, discrimination)))
    return stats
