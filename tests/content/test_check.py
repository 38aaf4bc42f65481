"""check_tree: each kind of fault in a broken copy of the fixture tree is reported once, at its file and line."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from lms.content.loader import Problem, check_tree

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "courses"
TODAY = date(2026, 11, 22)
EXERCISES = {"target-account-list", "buying-committee-map"}
COURSE = "courses/tiny-course/course.yaml"
MODULE_1 = "courses/tiny-course/01-choosing-target-accounts.md"
MODULE_2 = "courses/tiny-course/02-mapping-the-buying-group.md"
COMPETENCIES = "courses/competencies.yaml"


def copy_tree(tmp_path: Path) -> Path:
    """Return the root of a fresh copy of the valid fixture tree, named courses/ like the real one."""
    root = tmp_path / "courses"
    shutil.copytree(FIXTURE, root)
    return root


def edit(root: Path, file: str, old: str, new: str) -> None:
    """Replace `old` (which must occur exactly once) with `new` in `file` (relative to root's parent)."""
    path = root.parent / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {file}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(root: Path, file: str, text: str, nth: int = 1) -> int:
    """Return the 1-based number of the `nth` line of `file` containing `text`."""
    lines = (root.parent / file).read_text(encoding="utf-8").splitlines()
    numbers = [number for number, line in enumerate(lines, start=1) if text in line]
    assert len(numbers) >= nth, f"{text!r} occurs {len(numbers)} times in {file}"
    return numbers[nth - 1]


def problems(root: Path, **options: object) -> list[str]:
    options.setdefault("today", TODAY)
    return [str(problem) for problem in check_tree(root, **options)]  # type: ignore[arg-type]


# --- Valid trees ---------------------------------------------------------------------------------------------


def test_fixture_tree_has_no_problems() -> None:
    assert check_tree(FIXTURE, exercise_slugs=set(), today=TODAY, stale=True) == []


def test_shipped_courses_pass_the_content_check() -> None:
    assert [str(problem) for problem in check_tree(ROOT / "courses")] == []


def test_problem_prints_as_file_line_message() -> None:
    assert (
        str(Problem("courses/a/01-b.md", 7, "unknown field 'x'")) == "courses/a/01-b.md:7: unknown field 'x'"
    )


# --- YAML and front matter -----------------------------------------------------------------------------------


def test_yaml_syntax_error_in_front_matter_is_reported_at_its_yaml_line(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, MODULE_1, "owner: Curriculum team", "owner: Curriculum: team")
    line = line_of(root, MODULE_1, "owner:")
    assert problems(root) == [f"{MODULE_1}:{line}: invalid YAML: mapping values are not allowed here"]


def test_yaml_syntax_error_in_course_yaml_is_reported_at_its_line(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, COURSE, "title: ABM in Ten Minutes", "title: ABM: in Ten Minutes")
    line = line_of(root, COURSE, "title:")
    assert problems(root) == [f"{COURSE}:{line}: invalid YAML: mapping values are not allowed here"]


def test_missing_front_matter_is_reported_at_line_1(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    path = root.parent / MODULE_2
    path.write_text("# Just a heading\n", encoding="utf-8")
    assert f"{MODULE_2}:1: missing front matter: the file must start with a '---' line" in problems(root)


def test_unclosed_front_matter_is_reported(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    path = root.parent / MODULE_2
    path.write_text("---\ntitle: Mapping the buying group\n", encoding="utf-8")
    assert f"{MODULE_2}:1: front matter is not closed by a '---' line" in problems(root)


def test_impossible_date_is_reported_at_its_line(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, MODULE_1, "last_reviewed: 2026-10-01", "last_reviewed: 2026-02-30")
    line = line_of(root, MODULE_1, "last_reviewed:")
    assert problems(root) == [
        f"{MODULE_1}:{line}: invalid YAML: invalid date '2026-02-30' (day is out of range for month)"
    ]


def test_duplicate_field_is_reported_at_the_second_occurrence(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, MODULE_1, "minutes: 5\n", "minutes: 5\nminutes: 6\n")
    line = line_of(root, MODULE_1, "minutes: 6")
    assert problems(root) == [f"{MODULE_1}:{line}: duplicate field 'minutes'"]


# --- Fields --------------------------------------------------------------------------------------------------


def test_missing_module_field_is_reported_at_line_1(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, MODULE_1, "title: Choosing target accounts\n", "")
    assert problems(root) == [f"{MODULE_1}:1: missing required field 'title'"]


def test_unknown_module_field_is_reported_at_its_line(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, MODULE_1, "minutes: 5\n", "minutes: 5\nduration: 5\n")
    line = line_of(root, MODULE_1, "duration:")
    assert problems(root) == [f"{MODULE_1}:{line}: unknown field 'duration'"]


def test_missing_course_field_is_reported_at_line_1(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, COURSE, "pass_mark: 70\n", "")
    assert problems(root) == [f"{COURSE}:1: missing required field 'pass_mark'"]


def test_unknown_course_field_is_reported_at_its_line(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, COURSE, "pass_mark: 70\n", "pass_mark: 70\nprice: 450\n")
    assert problems(root) == [f"{COURSE}:{line_of(root, COURSE, 'price:')}: unknown field 'price'"]


def test_unknown_certificate_field_is_reported_at_its_line(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, COURSE, "  validity_months: 12\n", "  validity_months: 12\n  signed_by: Jo\n")
    line = line_of(root, COURSE, "signed_by:")
    assert problems(root) == [f"{COURSE}:{line}: certificate: unknown field 'signed_by'"]


def test_wrongly_typed_field_is_reported_at_its_line(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, MODULE_1, "minutes: 5", "minutes: five")
    line = line_of(root, MODULE_1, "minutes:")
    assert problems(root) == [f"{MODULE_1}:{line}: 'minutes' must be a whole number"]


def test_minutes_outside_5_to_10_are_reported(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, MODULE_1, "minutes: 5", "minutes: 12")
    line = line_of(root, MODULE_1, "minutes:")
    assert problems(root) == [f"{MODULE_1}:{line}: 'minutes' must be between 5 and 10, not 12"]


def test_unknown_audience_is_reported(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, COURSE, "audience: public", "audience: everyone")
    line = line_of(root, COURSE, "audience:")
    assert problems(root) == [f"{COURSE}:{line}: 'audience' must be 'public' or 'in-house', not 'everyone'"]


def test_option_without_feedback_is_reported_at_the_option(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, MODULE_1, "        feedback: Owning the system is not the same as owning the accounts.\n", "")
    line = line_of(root, MODULE_1, "- text: Whoever owns the CRM.")
    assert problems(root) == [
        f"{MODULE_1}:{line}: question 'choose-3', option 3: missing required field 'feedback'"
    ]


# --- Competencies --------------------------------------------------------------------------------------------


def test_unknown_competency_is_reported_at_its_line(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, MODULE_2, "  - account-selection\n", "  - account-selection\n  - negotiation\n")
    line = line_of(root, MODULE_2, "- negotiation")
    assert problems(root) == [f"{MODULE_2}:{line}: unknown competency 'negotiation'"]


def test_module_with_no_competency_is_reported(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, MODULE_1, "competencies: [account-selection, buying-group-mapping]", "competencies: []")
    module_line = line_of(root, MODULE_1, "competencies:")
    assert problems(root) == [
        # With module 1 teaching nothing, each competency is left with one module.
        f"{COMPETENCIES}:{line_of(root, COMPETENCIES, 'slug: account-selection')}: "
        "competency 'account-selection' is taught by 1 module (at least 2 needed)",
        f"{COMPETENCIES}:{line_of(root, COMPETENCIES, 'slug: buying-group-mapping')}: "
        "competency 'buying-group-mapping' is taught by 1 module (at least 2 needed)",
        f"{MODULE_1}:{module_line}: module teaches no competency: 'competencies' is empty",
    ]


def test_competency_taught_by_fewer_than_two_modules_is_reported_at_competencies_yaml(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, MODULE_2, "  - account-selection\n", "")
    line = line_of(root, COMPETENCIES, "slug: account-selection")
    assert problems(root) == [
        f"{COMPETENCIES}:{line}: competency 'account-selection' is taught by 1 module (at least 2 needed)"
    ]


def test_broken_competencies_yaml_does_not_flag_every_module_competency(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, COMPETENCIES, "    name: Buying group mapping", "    name: Buying: group mapping")
    line = line_of(root, COMPETENCIES, "name: Buying:")
    assert problems(root) == [f"{COMPETENCIES}:{line}: invalid YAML: mapping values are not allowed here"]


def test_competency_without_all_five_levels_is_reported(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(
        root,
        COMPETENCIES,
        "      5: Uses buying-group coverage to steer the programme across many accounts.\n",
        "",
    )
    line = line_of(root, COMPETENCIES, "levels:", nth=2)
    assert problems(root) == [
        f"{COMPETENCIES}:{line}: competency 'buying-group-mapping': 'levels' must describe each of levels 1 to 5"
    ]


# --- Questions -----------------------------------------------------------------------------------------------


def test_question_without_correct_option_is_reported_with_its_line(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(
        root,
        MODULE_2,
        "      - text: The economic buyer\n        correct: true\n",
        "      - text: The economic buyer\n",
    )
    line = line_of(root, MODULE_2, "- id: map-1")
    assert problems(root) == [f"{MODULE_2}:{line}: question 'map-1' has no correct option"]


def test_single_choice_question_with_two_correct_options_is_reported(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(
        root, MODULE_2, "      - text: The end user\n", "      - text: The end user\n        correct: true\n"
    )
    line = line_of(root, MODULE_2, "- id: map-1")
    assert problems(root) == [
        f"{MODULE_2}:{line}: question 'map-1' is single choice but has 2 correct options"
    ]


def test_multiple_choice_question_may_have_several_correct_options(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, MODULE_2, "      - text: Competitor\n", "      - text: Competitor\n        correct: true\n")
    assert problems(root) == []


def test_question_with_one_option_is_reported(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(
        root,
        MODULE_2,
        "      - text: The end user\n        feedback: End users shape requirements, but rarely sign off the spend.\n",
        "",
    )
    line = line_of(root, MODULE_2, "- id: map-1")
    assert problems(root) == [f"{MODULE_2}:{line}: question 'map-1' needs at least 2 options, has 1"]


def test_duplicate_question_id_is_reported_at_the_second_question(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, MODULE_2, "- id: map-3", "- id: map-1")
    line = line_of(root, MODULE_2, "- id: map-1", nth=2)
    assert problems(root) == [f"{MODULE_2}:{line}: duplicate question id 'map-1'"]


def test_fewer_than_three_questions_are_reported_at_questions(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    path = root.parent / MODULE_2
    text = path.read_text(encoding="utf-8")
    start, end = text.index("  - id: map-3"), text.index("---\n# Mapping")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    line = line_of(root, MODULE_2, "questions:")
    assert problems(root) == [f"{MODULE_2}:{line}: a module needs at least 3 questions, this one has 2"]


def test_unknown_question_type_is_reported(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, MODULE_2, "  - id: map-3\n    type: single", "  - id: map-3\n    type: essay")
    line = line_of(root, MODULE_2, "type: essay")
    assert problems(root) == [
        f"{MODULE_2}:{line}: question 'map-3': 'type' must be 'single' or 'multiple', not 'essay'"
    ]


# --- Courses and module files --------------------------------------------------------------------------------


def test_duplicate_course_slug_is_reported(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    shutil.copytree(root / "tiny-course", root / "tiny-course-copy")
    copy = "courses/tiny-course-copy/course.yaml"
    line = line_of(root, copy, "slug:")
    assert problems(root) == [
        f"{copy}:{line}: slug 'tiny-course' does not match the folder name 'tiny-course-copy'",
        f"{copy}:{line}: duplicate course slug 'tiny-course' (also in {COURSE})",
    ]


def test_course_slug_must_equal_its_folder(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, COURSE, "slug: tiny-course", "slug: small-course")
    line = line_of(root, COURSE, "slug:")
    assert problems(root) == [
        f"{COURSE}:{line}: slug 'small-course' does not match the folder name 'tiny-course'"
    ]


def test_module_listed_twice_is_reported_at_the_second_listing(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(
        root,
        COURSE,
        "  - mapping-the-buying-group\n",
        "  - mapping-the-buying-group\n  - choosing-target-accounts\n",
    )
    line = line_of(root, COURSE, "choosing-target-accounts", nth=3)  # pre-work, first listing, second listing
    assert problems(root) == [f"{COURSE}:{line}: module 'choosing-target-accounts' is listed twice"]


def test_workshop_prework_must_be_modules_of_the_course(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, COURSE, "  prework:\n    - choosing-target-accounts\n",
         "  prework:\n    - choosing-target-accounts\n    - reading-annual-reports\n")
    line = line_of(root, COURSE, "reading-annual-reports")
    assert problems(root) == [
        f"{COURSE}:{line}: workshop: pre-work 'reading-annual-reports' is not one of this course's modules"]


def test_workshop_follow_up_days_must_be_sensible(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, COURSE, "follow_up_days: 14", "follow_up_days: 400")
    line = line_of(root, COURSE, "follow_up_days")
    assert problems(root) == [f"{COURSE}:{line}: workshop: 'follow_up_days' must be between 1 and 90, not 400"]
    edit(root, COURSE, "follow_up_days: 400", "follow_up_days: soon")
    assert "follow_up_days" in problems(root)[0]


def test_two_files_with_the_same_module_slug_are_reported(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    shutil.copy(root.parent / MODULE_2, root / "tiny-course" / "03-mapping-the-buying-group.md")
    assert problems(root) == [
        f"courses/tiny-course/03-mapping-the-buying-group.md:1: duplicate module slug 'mapping-the-buying-group' "
        f"(also in {MODULE_2})"
    ]


def test_module_listed_without_a_file_is_reported_at_its_listing(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, COURSE, "  - mapping-the-buying-group\n", "  - mapping-the-buying-group\n  - tiering\n")
    line = line_of(root, COURSE, "- tiering")
    assert problems(root) == [f"{COURSE}:{line}: module 'tiering' has no file NN-tiering.md in this folder"]


def test_module_file_not_listed_in_course_yaml_is_reported(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    shutil.copy(root.parent / MODULE_2, root / "tiny-course" / "03-buying-roles.md")
    assert problems(root) == [
        "courses/tiny-course/03-buying-roles.md:1: module 'buying-roles' is not listed in course.yaml"
    ]


def test_markdown_file_not_named_like_a_module_is_reported(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    shutil.copy(root.parent / MODULE_2, root / "tiny-course" / "notes.md")
    assert problems(root) == [
        "courses/tiny-course/notes.md:1: module file name must look like NN-module-slug.md"
    ]


def test_module_order_comes_from_course_yaml_not_file_numbers(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(
        root,
        COURSE,
        "  - choosing-target-accounts\n  - mapping-the-buying-group\n",
        "  - mapping-the-buying-group\n  - choosing-target-accounts\n",
    )
    assert problems(root) == []


# --- Exercises -----------------------------------------------------------------------------------------------


def test_unknown_exercise_in_front_matter_is_reported(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(
        root,
        MODULE_1,
        "owner: Curriculum team\n",
        "owner: Curriculum team\nexercises: [target-account-list, tier-it]\n",
    )
    line = line_of(root, MODULE_1, "exercises:")
    assert problems(root, exercise_slugs=EXERCISES) == [f"{MODULE_1}:{line}: unknown exercise 'tier-it'"]


def test_unknown_exercise_embedded_in_the_body_is_reported_at_its_line(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, MODULE_1, "## Score, then explain\n", '## Score, then explain\n\n{{ Exercise("tier-it") }}\n')
    line = line_of(root, MODULE_1, "{{ Exercise")
    assert problems(root, exercise_slugs=EXERCISES) == [f"{MODULE_1}:{line}: unknown exercise 'tier-it'"]


def test_known_exercise_embed_is_accepted(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(
        root,
        MODULE_1,
        "## Score, then explain\n",
        '## Score, then explain\n\n{{ Exercise("target-account-list") }}\n',
    )
    assert problems(root, exercise_slugs=EXERCISES) == []


def test_exercise_slugs_are_not_checked_without_the_exercise_list(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, MODULE_1, "## Score, then explain\n", '## Score, then explain\n\n{{ Exercise("tier-it") }}\n')
    assert problems(root) == []


def test_exercise_embed_inside_a_code_sample_is_not_checked(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(
        root,
        MODULE_1,
        "## Score, then explain\n",
        '## Score, then explain\n\n```\n{{ Exercise("tier-it") }}\n```\n',
    )
    assert problems(root, exercise_slugs=EXERCISES) == []


def test_exercise_embed_inside_a_sentence_is_reported(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(
        root,
        MODULE_1,
        "## Score, then explain\n",
        '## Score, then explain\n\nDo {{ Exercise("tier-it") }} now.\n',
    )
    line = line_of(root, MODULE_1, "{{ Exercise")
    assert problems(root) == [
        f'{MODULE_1}:{line}: an exercise embed {{{{ Exercise("slug") }}}} must stand on a line of its own'
    ]


def test_unknown_required_exercise_is_reported_in_course_yaml(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, COURSE, "required_exercises: []", "required_exercises:\n  - target-account-list\n  - tier-it")
    line = line_of(root, COURSE, "- tier-it")
    assert problems(root, exercise_slugs=EXERCISES) == [f"{COURSE}:{line}: unknown exercise 'tier-it'"]


# --- Links in the body ---------------------------------------------------------------------------------------


def test_link_to_a_missing_module_file_is_reported_at_its_line(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, MODULE_1, "(02-mapping-the-buying-group.md)", "(02-buying-groups.md)")
    line = line_of(root, MODULE_1, "(02-buying-groups.md)")
    assert problems(root) == [f"{MODULE_1}:{line}: link to missing module file '02-buying-groups.md'"]


def test_link_to_a_module_with_an_anchor_is_accepted(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, MODULE_1, "(02-mapping-the-buying-group.md)", "(02-mapping-the-buying-group.md#roles)")
    assert problems(root) == []


def test_image_missing_from_the_course_folder_is_reported(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    (root / "tiny-course" / "diagram.svg").unlink()
    line = line_of(root, MODULE_1, "(diagram.svg)")
    assert problems(root) == [f"{MODULE_1}:{line}: link to missing file 'diagram.svg'"]


def test_link_leaving_the_course_folder_is_reported(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, MODULE_1, "(diagram.svg)", "(../diagram.svg)")
    line = line_of(root, MODULE_1, "(../diagram.svg)")
    assert problems(root) == [f"{MODULE_1}:{line}: link '../diagram.svg' points outside the course folder"]


def test_external_and_anchor_links_are_not_checked(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(
        root,
        MODULE_1,
        "## Score, then explain\n",
        "## Score, then explain\n\nSee [Gartner](https://www.gartner.com/x.md), [above](#choosing-target-accounts) "
        "and [mail us](mailto:team@example.com).\n",
    )
    assert problems(root) == []


# --- Review dates --------------------------------------------------------------------------------------------


def test_missing_last_reviewed_is_reported(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, MODULE_1, "last_reviewed: 2026-10-01\n", "")
    assert problems(root) == [f"{MODULE_1}:1: missing required field 'last_reviewed'"]


def test_last_reviewed_in_the_future_is_reported(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(root, MODULE_1, "last_reviewed: 2026-10-01", "last_reviewed: 2026-12-01")
    line = line_of(root, MODULE_1, "last_reviewed:")
    assert problems(root) == [f"{MODULE_1}:{line}: 'last_reviewed' is in the future (2026-12-01)"]


def test_overdue_review_is_reported_only_when_asked_for_stale_content() -> None:
    today = date(2027, 1, 1)  # module 1 (every 90 days) fell due on 2026-12-30; module 2 (180) is still fresh
    line = line_of(FIXTURE, MODULE_1, "last_reviewed:")
    assert problems(FIXTURE, today=today) == []
    assert problems(FIXTURE, today=today, stale=True) == [
        f"{MODULE_1}:{line}: review overdue since 2026-12-30 (owner: Curriculum team)"
    ]


def test_review_due_today_is_not_yet_overdue() -> None:
    assert problems(FIXTURE, today=date(2026, 12, 30), stale=True) == []


def test_exercise_embed_inside_a_callout_is_checked(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    edit(
        root,
        MODULE_1,
        "    not ready for the list.\n",
        '    not ready for the list.\n\n    {{ Exercise("tier-it") }}\n',
    )
    line = line_of(root, MODULE_1, "{{ Exercise")
    assert problems(root, exercise_slugs=EXERCISES) == [f"{MODULE_1}:{line}: unknown exercise 'tier-it'"]
