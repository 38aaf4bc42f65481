"""Drawing papers, option order, timing, scoring and when an assessment is offered: pure, no app."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest

from lms.assessment.papers import (
    DEFAULT_MIX,
    BankItem,
    BankTooSmall,
    PaperItem,
    Tally,
    deadline,
    difficulty_mix,
    draw_paper,
    is_late,
    normalise_mix,
    offer,
    option_order,
    paper_shortfalls,
    score_paper,
    time_limit_for,
)

COMPETENCIES = ["alpha", "beta"]


def big_bank() -> list[BankItem]:
    """Per competency: 5 easy, 8 medium, 5 hard; plus 4 medium questions tagged with both competencies."""
    items = []
    for competency in COMPETENCIES:
        for difficulty, count in ((1, 5), (2, 8), (3, 5)):
            items += [BankItem(f"{competency}/d{difficulty}#{n}", competency, difficulty) for n in range(count)]
    for n in range(4):
        items += [BankItem(f"shared#{n}", competency, 2) for competency in COMPETENCIES]
    return items


def test_the_same_seed_draws_the_same_paper_in_the_same_order():
    assert draw_paper(big_bank(), COMPETENCIES, DEFAULT_MIX, seed=7) == draw_paper(
        list(reversed(big_bank())), COMPETENCIES, DEFAULT_MIX, seed=7)


def test_different_seeds_draw_different_papers():
    papers = {draw_paper(big_bank(), COMPETENCIES, DEFAULT_MIX, seed=seed) for seed in range(1, 11)}
    assert len(papers) == 10


def test_each_competency_gets_the_mix_one_easy_two_medium_one_hard():
    for seed in range(1, 30):
        paper = draw_paper(big_bank(), COMPETENCIES, DEFAULT_MIX, seed=seed)
        assert difficulty_mix(paper) == {"alpha": {1: 1, 2: 2, 3: 1}, "beta": {1: 1, 2: 2, 3: 1}}
        assert len({item.key for item in paper}) == 8  # a shared question is never drawn twice


def test_a_configured_mix_is_followed():
    paper = draw_paper(big_bank(), COMPETENCIES, {1: 2, 3: 3}, seed=1)
    assert difficulty_mix(paper) == {"alpha": {1: 2, 3: 3}, "beta": {1: 2, 3: 3}}


def smallest_bank(competencies=("alpha", "beta")) -> list[BankItem]:
    """Per competency: the least the content check accepts, 3 easy, 4 medium and 3 hard questions."""
    return [BankItem(f"assessments/{c}#d{d}-{n}", c, d) for c in competencies
            for d, count in ((1, 3), (2, 4), (3, 3)) for n in range(count)]


def test_a_short_difficulty_is_never_filled_from_another_so_every_paper_has_the_mix():
    bank = [BankItem(f"m#{n}", "alpha", 2) for n in range(6)] + [BankItem("e#1", "alpha", 1)]
    assert paper_shortfalls(bank, ["alpha"], DEFAULT_MIX) == [("alpha", 3, 0, 1)]
    with pytest.raises(BankTooSmall) as caught:
        draw_paper(bank, ["alpha"], DEFAULT_MIX, seed=1)
    assert caught.value.short == [("alpha", 3, 0, 1)]
    assert "alpha: 0 of 1 hard" in str(caught.value)


def test_the_post_paper_never_repeats_a_question_of_the_pre_paper_whatever_the_seeds():
    bank = smallest_bank()
    for seed in range(300):
        pre = draw_paper(bank, COMPETENCIES, DEFAULT_MIX, seed=seed)
        post = draw_paper(bank, COMPETENCIES, DEFAULT_MIX, seed=seed + 1000, exclude={i.key for i in pre})
        assert not {i.key for i in pre} & {i.key for i in post}, seed
        assert difficulty_mix(pre) == difficulty_mix(post) == {c: {1: 1, 2: 2, 3: 1} for c in COMPETENCIES}


def test_excluded_questions_are_never_drawn_even_when_the_bank_runs_short():
    bank = smallest_bank(["alpha"])
    pre = draw_paper(bank, ["alpha"], {1: 2, 2: 2, 3: 2}, seed=1)
    short = paper_shortfalls(bank, ["alpha"], {1: 2, 2: 2, 3: 2}, exclude={i.key for i in pre})
    assert short == [("alpha", 1, 1, 2), ("alpha", 3, 1, 2)]
    with pytest.raises(BankTooSmall):
        draw_paper(bank, ["alpha"], {1: 2, 2: 2, 3: 2}, seed=2, exclude={i.key for i in pre})


def test_a_bank_short_only_for_a_second_paper_still_draws_the_first():
    bank = [BankItem(f"alpha#d{d}-{n}", "alpha", d) for d, count in ((1, 1), (2, 2), (3, 1)) for n in range(count)]
    pre = draw_paper(bank, ["alpha"], DEFAULT_MIX, seed=5)
    assert len(pre) == 4
    assert paper_shortfalls(bank, ["alpha"], DEFAULT_MIX, exclude={i.key for i in pre}) == [
        ("alpha", 1, 0, 1), ("alpha", 2, 0, 2), ("alpha", 3, 0, 1)]


def test_fresh_questions_come_first_and_seen_ones_only_when_needed():
    bank = [BankItem(f"e#{n}", "alpha", 1) for n in range(3)]
    seen = {"e#0", "e#1"}
    assert [i.key for i in draw_paper(bank, ["alpha"], {1: 1}, seed=3, avoid=seen)] == ["e#2"]
    assert {i.key for i in draw_paper(bank, ["alpha"], {1: 3}, seed=3, avoid=seen)} == {"e#0", "e#1", "e#2"}


def test_avoided_questions_are_drawn_only_when_nothing_fresh_is_left_at_that_difficulty():
    pre = draw_paper(big_bank(), COMPETENCIES, DEFAULT_MIX, seed=1)
    post = draw_paper(big_bank(), COMPETENCIES, DEFAULT_MIX, seed=2, avoid={i.key for i in pre})
    assert not {i.key for i in pre} & {i.key for i in post}
    assert difficulty_mix(pre) == difficulty_mix(post)


def test_a_competency_with_no_questions_is_left_out():
    assert draw_paper(big_bank(), ["gamma"], DEFAULT_MIX, seed=1) == ()


def test_option_order_is_a_stable_shuffle_per_attempt_and_question():
    first = option_order(5, 11, "alpha#1")
    assert sorted(first) == [0, 1, 2, 3, 4]
    assert option_order(5, 11, "alpha#1") == first
    assert len({tuple(option_order(5, seed, "alpha#1")) for seed in range(20)}) > 1


def test_normalise_mix_accepts_json_style_keys_and_falls_back_to_the_default():
    assert normalise_mix({"1": "2", "3": 1, "9": 4, "2": -1}) == {1: 2, 3: 1}
    assert normalise_mix(None) == DEFAULT_MIX
    assert normalise_mix({}) == DEFAULT_MIX


def test_deadline_and_lateness():
    start = datetime(2026, 11, 22, 9, 0)
    assert deadline(start, None) is None
    assert deadline(start, 20) == datetime(2026, 11, 22, 9, 20)
    assert not is_late(None, start + timedelta(days=9))
    assert not is_late(deadline(start, 20), datetime(2026, 11, 22, 9, 20))  # at the limit still counts
    assert is_late(deadline(start, 20), datetime(2026, 11, 22, 9, 20, 1))


def test_time_limit_per_course_wins_over_the_global_one():
    assert time_limit_for("tiny-course", {"tiny-course": 15}, 30) == 15
    assert time_limit_for("other", {"tiny-course": 15}, 30) == 30
    assert time_limit_for("tiny-course", {"tiny-course": 0}, 30) is None  # 0: untimed for this course
    assert time_limit_for("other", None, None) is None


def test_score_counts_each_question_once_per_the_competency_it_was_drawn_for():
    paper = [PaperItem("a#1", "alpha", 1), PaperItem("a#2", "alpha", 2), PaperItem("a#3", "alpha", 3),
             PaperItem("b#1", "beta", 2)]
    score = score_paper(paper, {"a#1", "a#3", "b#9"})
    assert score.by_competency == {"alpha": Tally(2, 3), "beta": Tally(0, 1)}
    assert score.overall == Tally(2, 4) and score.overall.percent == 50
    assert score.as_json() == {"alpha": {"correct": 2, "total": 3}, "beta": {"correct": 0, "total": 1}}
    assert Tally(2, 3).percent == 67 and Tally(0, 0).percent is None


def test_pre_assessment_is_offered_to_enrolled_learners_before_their_first_module_is_done():
    args = {"modules_total": 2, "course_completed": False, "attempt_closed": None}
    assert offer("pre", enrolled=True, modules_done=0, **args).state == "available"
    assert offer("pre", enrolled=False, modules_done=0, **args).state == "unavailable"
    late = offer("pre", enrolled=True, modules_done=1, **args)
    assert late.state == "unavailable" and "before you complete your first module" in late.reason


def test_post_assessment_is_offered_once_every_module_is_done_or_the_course_complete():
    args = {"enrolled": True, "modules_total": 2, "attempt_closed": None}
    waiting = offer("post", modules_done=1, course_completed=False, **args)
    assert waiting.state == "unavailable" and "1 module to go" in waiting.reason
    assert offer("post", modules_done=2, course_completed=False, **args).state == "available"
    assert offer("post", modules_done=0, course_completed=True, **args).state == "available"


def test_an_assessment_is_taken_once():
    args = {"enrolled": True, "modules_total": 2, "modules_done": 2, "course_completed": True}
    assert offer("post", attempt_closed=False, **args).state == "in_progress"
    assert offer("post", attempt_closed=True, **args).state == "done"


def test_difficulty_mix_counts_per_competency():
    paper = [PaperItem("a", "alpha", 1), PaperItem("b", "alpha", 1), PaperItem("c", "beta", 3)]
    assert difficulty_mix(paper) == {"alpha": {1: 2}, "beta": {3: 1}}
    assert Counter(i.difficulty for i in paper) == {1: 2, 3: 1}
