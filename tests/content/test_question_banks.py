"""courses/assessments/*.yaml: the shipped banks pass the check; faults are reported as `path:line: problem`."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from lms.content.loader import (
    ContentError,
    check_assessments,
    check_tree,
    load_assessments,
    load_catalogue,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
BANK = "courses/assessments/account-selection.yaml"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "courses"
    shutil.copytree(FIXTURES / "courses", root)
    shutil.copytree(FIXTURES / "assessments", root / "assessments")
    return root


@pytest.fixture
def app_config(app_config: dict, tree: Path) -> dict:
    """The app reads the fixture tree with courses/assessments/ added (a copy: the shared tree stays as it is)."""
    app_config["COURSES_DIR"] = str(tree)
    return app_config


def edit(root: Path, file: str, old: str, new: str) -> None:
    path = root.parent / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(root: Path, file: str, text: str, nth: int = 1) -> int:
    lines = (root.parent / file).read_text(encoding="utf-8").splitlines()
    return [n for n, line in enumerate(lines, start=1) if text in line][nth - 1]


def problems(root: Path) -> list[str]:
    return [str(p) for p in check_assessments(root)]


# --- The shipped content -------------------------------------------------------------------------------------


def test_the_shipped_assessment_banks_pass_the_check():
    assert problems(ROOT / "courses") == []


def test_every_competency_has_at_least_six_assessment_questions_of_mixed_difficulty():
    catalogue = load_catalogue(ROOT / "courses")
    banks = load_assessments(ROOT / "courses")
    assert set(banks) == {c.slug for c in catalogue.competencies}
    for slug, bank in banks.items():
        difficulties = Counter(q.difficulty for q in bank.questions)
        assert len(bank.questions) >= 6, slug
        assert difficulties[1] >= 2 and difficulties[3] >= 2 and difficulties[2] >= 1, (slug, difficulties)
        for question in bank.questions:
            assert question.explanation and all(option.feedback for option in question.options)


def test_the_assessments_folder_is_not_read_as_a_course():
    assert [str(p) for p in check_tree(ROOT / "courses")] == []
    assert [c.slug for c in load_catalogue(ROOT / "courses").courses] == ["abm-alignment-programme",
                                                                         "abm-foundations", "abm-in-practice"]


def test_a_tree_without_an_assessments_folder_has_no_bank_and_no_problem():
    assert check_assessments(FIXTURES / "courses") == []
    assert load_assessments(FIXTURES / "courses") == {}


# --- Faults --------------------------------------------------------------------------------------------------


def test_fixture_banks_load_with_their_difficulties(tree: Path):
    banks = load_assessments(tree)
    assert [q.difficulty for q in banks["account-selection"].questions] == [1, 1, 2, 3, 3, 1, 2, 2, 2, 3]
    assert problems(tree) == []


def test_unknown_competency_is_reported_at_line_1_of_the_file(tree: Path):
    (tree / "assessments" / "account-selection.yaml").rename(tree / "assessments" / "negotiation.yaml")
    assert problems(tree) == ["courses/assessments/negotiation.yaml:1: unknown competency 'negotiation': name the "
                              "file after a competency slug in competencies.yaml"]


def test_question_with_no_correct_option_is_reported_at_the_question(tree: Path):
    edit(tree, BANK, "      - text: Three\n        correct: true\n", "      - text: Three\n")
    line = line_of(tree, BANK, "id: as-easy-2")
    assert problems(tree) == [f"{BANK}:{line}: question 'as-easy-2' has no correct option"]


def test_duplicate_question_id_is_reported(tree: Path):
    edit(tree, BANK, "id: as-easy-2", "id: as-easy-1")
    line = line_of(tree, BANK, "id: as-easy-1", nth=2)
    assert problems(tree) == [f"{BANK}:{line}: duplicate question id 'as-easy-1'"]


def test_missing_difficulty_is_reported(tree: Path):
    edit(tree, BANK, "  - id: as-medium-1\n    difficulty: 2\n", "  - id: as-medium-1\n")
    line = line_of(tree, BANK, "id: as-medium-1")
    assert problems(tree) == [f"{BANK}:{line}: question 'as-medium-1': missing required field 'difficulty'"]


def test_difficulty_out_of_range_is_reported_at_its_line(tree: Path):
    edit(tree, BANK, "  - id: as-medium-1\n    difficulty: 2\n", "  - id: as-medium-1\n    difficulty: 5\n")
    line = line_of(tree, BANK, "difficulty: 5")
    assert problems(tree) == [f"{BANK}:{line}: question 'as-medium-1': 'difficulty' must be 1, 2 or 3, not 5"]


def test_invalid_yaml_is_reported_at_its_line(tree: Path):
    edit(tree, BANK, "prompt: What does ICP stand for?", "prompt: ICP: what does it stand for?")
    line = line_of(tree, BANK, "prompt: ICP:")
    assert problems(tree) == [f"{BANK}:{line}: invalid YAML: mapping values are not allowed here"]


def test_unknown_field_and_empty_bank_are_reported(tree: Path):
    edit(tree, BANK, "    explanation: 1:1, 1:few and 1:many.\n",
         "    explanation: 1:1, 1:few and 1:many.\n    hint: Count them.\n")
    line = line_of(tree, BANK, "hint:")
    other = "courses/assessments/buying-group-mapping.yaml"
    (tree.parent / other).write_text("questions: []\n", encoding="utf-8")
    assert problems(tree) == [
        f"{BANK}:{line}: question 'as-easy-2': unknown field 'hint'",
        f"{other}:1: 'questions' must not be empty",
    ]


def test_files_other_than_yaml_are_reported(tree: Path):
    (tree / "assessments" / "notes.txt").write_text("to do\n", encoding="utf-8")
    assert problems(tree) == ["courses/assessments/notes.txt:1: only <competency-slug>.yaml files belong in the "
                              "assessments folder"]


def test_load_assessments_raises_with_every_problem(tree: Path):
    edit(tree, BANK, "id: as-easy-2", "id: as-easy-1")
    with pytest.raises(ContentError) as caught:
        load_assessments(tree)
    assert [p.file for p in caught.value.problems] == [BANK]


def test_module_questions_may_carry_a_difficulty_and_it_is_checked(tree: Path):
    module = "courses/tiny-course/01-choosing-target-accounts.md"
    edit(tree, module, "  - id: choose-1\n", "  - id: choose-1\n    difficulty: 3\n")
    assert [q.difficulty for q in load_catalogue(tree).course("tiny-course").modules[0].questions] == [3, 2, 2]
    edit(tree, module, "    difficulty: 3\n", "    difficulty: 0\n")
    line = line_of(tree, module, "difficulty: 0")
    assert [str(p) for p in check_tree(tree)] == [
        f"{module}:{line}: question 'choose-1': 'difficulty' must be 1, 2 or 3, not 0"]


def test_content_check_command_reports_a_broken_assessment_file(app_config, tmp_path):
    from lms import create_app

    (tmp_path / "exercises").mkdir()  # the real exercises name modules the fixture course lacks
    app = create_app({**app_config, "EXERCISES_DIR": str(tmp_path / "exercises")})
    tree = Path(app.config["COURSES_DIR"])  # the fixture tree with assessments/, copied for this test
    assert app.test_cli_runner().invoke(args=["lms", "content", "check"]).output == "Content OK.\n"
    edit(tree, BANK, "id: as-easy-2", "id: as-easy-1")
    result = app.test_cli_runner().invoke(args=["lms", "content", "check"])
    line = line_of(tree, BANK, "id: as-easy-1", nth=2)
    assert result.exit_code == 1
    assert result.output == f"{BANK}:{line}: duplicate question id 'as-easy-1'\n"
