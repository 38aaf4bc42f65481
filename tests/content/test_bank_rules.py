"""The assessment bank rules: enough questions for two disjoint papers, nothing shared, no giveaway options."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from lms.content.bank_rules import (
    DEFAULT_PAPER_MIX,
    MIN_BY_DIFFICULTY,
    MIN_QUESTIONS,
    describe_mix,
    longest_is_correct,
    same_text,
    shortfalls,
)
from lms.content.catalogue import Option, Question
from lms.content.loader import check_assessments, load_assessments

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
AS = "courses/assessments/account-selection.yaml"
BG = "courses/assessments/buying-group-mapping.yaml"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "courses"
    shutil.copytree(FIXTURES / "courses", root)
    shutil.copytree(FIXTURES / "assessments", root / "assessments")
    return root


def edit(root: Path, file: str, old: str, new: str) -> None:
    path = root.parent / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    path.write_text(text.replace(old, new), encoding="utf-8")


def cut_question(root: Path, file: str, question_id: str) -> None:
    """Remove one question (its `- id:` line up to the next question or the end) from a bank file."""
    path = root.parent / file
    text = path.read_text(encoding="utf-8")
    start = text.index(f"  - id: {question_id}\n")
    end = text.find("  - id: ", start + 1)
    path.write_text(text[:start] + (text[end:] if end != -1 else ""), encoding="utf-8")


def line_of(root: Path, file: str, text: str) -> int:
    lines = (root.parent / file).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if text in line)


def problems(root: Path, **kwargs) -> list[str]:
    return [str(p) for p in check_assessments(root, **kwargs)]


def question(*options: tuple[str, bool], qid: str = "q") -> Question:
    return Question(qid, "single", "Prompt?", "Why.", tuple(Option(t, c, "Feedback.") for t, c in options), 2)


# --- The shipped banks -----------------------------------------------------------------------------------------


def test_every_shipped_bank_has_ten_questions_with_three_easy_four_medium_and_three_hard():
    banks = load_assessments(ROOT / "courses")
    assert len(banks) == 8
    for slug, bank in banks.items():
        counts = Counter(q.difficulty for q in bank.questions)
        assert len(bank.questions) >= MIN_QUESTIONS, slug
        assert all(counts[d] >= n for d, n in MIN_BY_DIFFICULTY.items()), (slug, counts)
        longest = sum(longest_is_correct(q) for q in bank.questions)
        assert 3 * longest <= len(bank.questions), (slug, longest)


def test_the_fixture_banks_meet_the_rules(tree: Path):
    assert problems(tree) == []


# --- Pure rules ------------------------------------------------------------------------------------------------


def test_shortfalls_count_what_two_disjoint_papers_need():
    assert shortfalls({1: 3, 2: 4, 3: 3}, DEFAULT_PAPER_MIX, papers=2) == []
    assert shortfalls({1: 1, 2: 4, 3: 2}, DEFAULT_PAPER_MIX, papers=2) == [(1, 1, 2)]
    assert shortfalls({2: 3}, DEFAULT_PAPER_MIX) == [(1, 0, 1), (3, 0, 1)]
    assert shortfalls({1: 9}, {1: 2, 2: 0}, papers=2) == []  # a difficulty the mix does not ask for needs nothing
    assert describe_mix({3: 1, 1: 1, 2: 2}) == "1 easy, 2 medium, 1 hard"


def test_longest_is_correct_only_when_a_correct_option_is_strictly_longest():
    assert longest_is_correct(question(("The long right answer", True), ("Short", False)))
    assert not longest_is_correct(question(("Right", True), ("A longer wrong answer", False)))
    assert not longest_is_correct(question(("Same size", True), ("Same, too", False)))  # a tie gives nothing away


def test_same_text_ignores_case_and_punctuation_but_not_signs():
    assert same_text("Sales, agreed.") == same_text("sales   agreed")
    assert same_text("−10%") != same_text("10%")


# --- Faults in a bank ------------------------------------------------------------------------------------------


def test_a_bank_with_too_few_questions_is_reported(tree: Path):
    cut_question(tree, AS, "as-medium-4")
    assert problems(tree) == [
        f"{AS}:1: the bank for 'account-selection' has 9 questions; at least 10 are needed so that a learner's "
        "pre- and post-course papers can each draw different ones",
        f"{AS}:1: the bank for 'account-selection' has 3 medium (difficulty 2) questions; at least 4 are needed",
        f"{AS}:1: the bank for 'account-selection' cannot supply two papers that share no question at the mix "
        "1 easy, 2 medium, 1 hard per paper (4 medium needed, 3 written): the post-course paper could not be drawn",
    ]


def test_a_bank_with_too_few_hard_questions_is_reported(tree: Path):
    edit(tree, AS, "  - id: as-hard-3\n    difficulty: 3\n", "  - id: as-hard-3\n    difficulty: 2\n")
    assert problems(tree) == [
        f"{AS}:1: the bank for 'account-selection' has 2 hard (difficulty 3) questions; at least 3 are needed"]


def test_a_bank_that_cannot_supply_two_disjoint_papers_at_the_mix_is_reported(tree: Path):
    assert problems(tree, mix={1: 2, 2: 2, 3: 1})[0] == (
        f"{AS}:1: the bank for 'account-selection' cannot supply two papers that share no question at the mix "
        "2 easy, 2 medium, 1 hard per paper (4 easy needed, 3 written): the post-course paper could not be drawn")
    assert len(problems(tree, mix={1: 2, 2: 2, 3: 1})) == 2  # the same for buying-group-mapping
    assert problems(tree, mix={1: 1, 2: 2, 3: 1}) == []


def test_a_question_repeating_a_module_question_is_reported(tree: Path):
    module_prompt = "Who should agree the final target account list?"
    assert module_prompt in (tree / "tiny-course" / "01-choosing-target-accounts.md").read_text(encoding="utf-8")
    edit(tree, AS, "prompt: When are tiers reviewed?", "prompt: Who should agree the final target account list")
    line = line_of(tree, AS, "id: as-medium-4")
    assert problems(tree) == [
        f"{AS}:{line}: question 'as-medium-4' repeats the module question tiny-course/choosing-target-accounts"
        "#choose-3: learners have answered it in the module, so write an assessment-only question"]


def test_a_question_in_two_banks_is_reported(tree: Path):
    edit(tree, BG, "prompt: Can one person hold two buying roles?", "prompt: Where should ICP criteria come from?")
    line = line_of(tree, BG, "id: bg-medium-3")
    assert problems(tree) == [
        f"{BG}:{line}: question 'bg-medium-3' repeats account-selection#as-medium-3: each bank question is asked once"]


def test_the_correct_option_longest_in_more_than_a_third_of_the_questions_is_reported(tree: Path):
    edit(tree, AS, "      - text: Your best customers\n", "      - text: Your best customers, the ones you won, kept and grew\n")
    edit(tree, AS, "      - text: Each quarter\n", "      - text: Each quarter, at the list refresh with sales\n")
    assert problems(tree) == [
        f"{AS}:1: the correct option is the longest in 5 of 10 questions (as-easy-1, as-easy-2, as-hard-2, "
        "as-medium-3, as-medium-4): a learner who picks the longest option passes without knowing why; make a distractor the "
        "longest or shorten the answer until it is a third at most"]


def test_two_options_saying_the_same_thing_are_reported(tree: Path):
    edit(tree, AS, "      - text: Never, tiers are set for good\n", "      - text: each QUARTER.\n")
    line = line_of(tree, AS, "id: as-medium-4")
    assert problems(tree) == [f"{AS}:{line}: question 'as-medium-4': options 1 and 2 say the same thing"]


def test_bank_rules_are_not_counted_while_a_question_is_unreadable(tree: Path):
    edit(tree, AS, "  - id: as-hard-3\n    difficulty: 3\n", "  - id: as-hard-3\n    difficulty: 7\n")
    line = line_of(tree, AS, "difficulty: 7")
    assert problems(tree) == [f"{AS}:{line}: question 'as-hard-3': 'difficulty' must be 1, 2 or 3, not 7"]


def test_content_check_reports_a_competency_whose_bank_cannot_supply_two_disjoint_papers(app_config, tree, tmp_path):
    from lms import create_app

    (tmp_path / "exercises").mkdir()
    app = create_app({**app_config, "COURSES_DIR": str(tree), "EXERCISES_DIR": str(tmp_path / "exercises")})
    assert app.test_cli_runner().invoke(args=["lms", "content", "check"]).output == "Content OK.\n"
    for question_id in ("bg-hard-1", "bg-hard-2"):
        cut_question(tree, BG, question_id)
    result = app.test_cli_runner().invoke(args=["lms", "content", "check"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{BG}:1: the bank for 'buying-group-mapping' has 8 questions; at least 10 are needed so that a learner's "
        "pre- and post-course papers can each draw different ones",
        f"{BG}:1: the bank for 'buying-group-mapping' has 1 hard (difficulty 3) questions; at least 3 are needed",
        f"{BG}:1: the bank for 'buying-group-mapping' cannot supply two papers that share no question at the mix "
        "1 easy, 2 medium, 1 hard per paper (2 hard needed, 1 written): the post-course paper could not be drawn",
    ]
