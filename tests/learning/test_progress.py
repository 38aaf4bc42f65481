"""Pure learning logic: grading, module scores, course progress, completion rules and due states."""

from __future__ import annotations

from datetime import datetime, timedelta

from lms.learning.progress import ModuleState, completion, course_progress, due_state, grade, module_score

SINGLE = {"type": "single", "options": [{"correct": False, "feedback_html": "no"}, {"correct": True,
                                                                                   "feedback_html": "yes"}]}
MULTIPLE = {"type": "multiple", "options": [{"correct": True, "feedback_html": "a"}, {"correct": True,
                                            "feedback_html": "b"}, {"correct": False, "feedback_html": "c"}]}


def test_single_choice_is_right_only_with_the_correct_option():
    assert grade(SINGLE, [1]).correct
    wrong = grade(SINGLE, [0])
    assert not wrong.correct and wrong.feedback == ((0, False, "no"),)


def test_single_choice_keeps_only_one_option_even_if_several_are_sent():
    assert grade(SINGLE, [0, 1]).chosen == (0,)


def test_multiple_choice_needs_exactly_the_correct_set():
    assert grade(MULTIPLE, [0, 1]).correct
    assert not grade(MULTIPLE, [0]).correct
    assert not grade(MULTIPLE, [0, 1, 2]).correct


def test_unknown_or_empty_answers_are_wrong_not_errors():
    assert not grade(MULTIPLE, []).correct
    assert grade(MULTIPLE, [7, -1, "x"]).chosen == ()


def test_module_score_counts_questions_ever_answered_right():
    assert module_score(["a", "b", "c"], ["a", "c", "zzz"]) == 67
    assert module_score([], []) is None


def test_course_progress_gives_percent_minutes_left_and_next_module():
    states = [ModuleState(1, 5, True, 100), ModuleState(2, 8, False, None), ModuleState(3, 7, False, 50)]
    p = course_progress(states)
    assert (p.total, p.done, p.percent, p.minutes_left, p.next_module_id) == (3, 1, 33, 15, 2)


def test_completion_needs_every_module_the_pass_mark_and_required_exercises():
    done = [ModuleState(1, 5, True, 100), ModuleState(2, 5, True, 80)]
    assert completion(done, 70, ["target-account-list"], {"target-account-list"}).complete
    low = completion([ModuleState(1, 5, True, 60)], 70, [], set())
    assert low.missing == ("1 knowledge check below the pass mark of 70%",)
    open_ = completion([ModuleState(1, 5, False, 100), ModuleState(2, 5, False, None)], 70, [], set())
    assert open_.missing == ("2 modules not completed",)
    exercise = completion(done, 70, ["role-messaging"], {"target-account-list"})
    assert exercise.missing == ("exercise 'role-messaging' not passed yet",)
    assert not completion([], 70, [], set()).complete


def test_due_state_overdue_only_when_past_and_not_completed():
    now = datetime(2026, 11, 22, 12, 0)
    assert due_state(now - timedelta(minutes=1), None, now) == "overdue"
    assert due_state(now - timedelta(days=3), now, now) == "done"
    assert due_state(now + timedelta(days=2), None, now) == "due_soon"
    assert due_state(now + timedelta(days=30), None, now) == "on_track"
    assert due_state(None, None, now) == "no_due_date"
