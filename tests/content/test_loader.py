"""load_catalogue and split_front_matter: what the fixture tree loads into, and how faults are raised."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from lms.content.catalogue import Catalogue, Competency, Option
from lms.content.loader import ContentError, Problem, load_catalogue, split_front_matter

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "courses"
TODAY = date(2026, 11, 22)


def load() -> Catalogue:
    return load_catalogue(FIXTURE, exercise_slugs=set(), today=TODAY)


def test_catalogue_holds_the_competencies_with_levels_keyed_by_number() -> None:
    catalogue = load()
    assert [competency.slug for competency in catalogue.competencies] == [
        "account-selection",
        "buying-group-mapping",
    ]
    competency = catalogue.competency("buying-group-mapping")
    assert isinstance(competency, Competency)
    assert sorted(competency.levels) == [1, 2, 3, 4, 5]
    assert competency.levels[3] == "Maps the buying group for a target account and names the missing roles."


def test_course_fields_are_loaded_from_course_yaml() -> None:
    course = load().course("tiny-course")
    assert (course.slug, course.title, course.audience, course.pass_mark) == (
        "tiny-course",
        "ABM in Ten Minutes",
        "public",
        70,
    )
    assert course.summary.startswith("A two-module taster of account-based marketing")
    assert course.outcomes[0] == "Choose target accounts with reasons sales will agree to."
    assert course.required_exercises == ()
    assert (course.certificate_issue, course.validity_months) == (True, 12)
    assert course.path == FIXTURE.resolve() / "tiny-course"


def test_certificate_without_validity_never_expires(tmp_path: Path) -> None:
    root = tmp_path / "courses"
    shutil.copytree(FIXTURE, root)
    course_yaml = root / "tiny-course" / "course.yaml"
    course_yaml.write_text(course_yaml.read_text().replace("  validity_months: 12\n", ""))
    assert load_catalogue(root, today=TODAY).course("tiny-course").validity_months is None


def test_modules_come_in_course_order_with_positions_from_1() -> None:
    modules = load().course("tiny-course").modules
    assert [(module.position, module.slug) for module in modules] == [
        (1, "choosing-target-accounts"),
        (2, "mapping-the-buying-group"),
    ]
    assert all(module.course_slug == "tiny-course" for module in modules)


def test_module_order_follows_course_yaml_not_file_numbers(tmp_path: Path) -> None:
    root = tmp_path / "courses"
    shutil.copytree(FIXTURE, root)
    course_yaml = root / "tiny-course" / "course.yaml"
    text = course_yaml.read_text()
    course_yaml.write_text(
        text.replace(
            "  - choosing-target-accounts\n  - mapping-the-buying-group\n",
            "  - mapping-the-buying-group\n  - choosing-target-accounts\n",
        )
    )
    modules = load_catalogue(root, today=TODAY).course("tiny-course").modules
    assert [(module.position, module.slug) for module in modules] == [
        (1, "mapping-the-buying-group"),
        (2, "choosing-target-accounts"),
    ]


def test_module_front_matter_is_typed() -> None:
    first, second = load().course("tiny-course").modules
    assert first.title == "Choosing target accounts"
    assert first.minutes == 5
    assert first.competencies == ("account-selection", "buying-group-mapping")
    assert first.objectives[0] == "Score an account against your ideal customer profile."
    assert first.owner == "Curriculum team"
    assert first.last_reviewed == date(2026, 10, 1)
    assert first.exercises == ()
    assert first.path == FIXTURE.resolve() / "tiny-course" / "01-choosing-target-accounts.md"
    assert second.competencies == ("buying-group-mapping", "account-selection")


def test_review_interval_defaults_to_90_days() -> None:
    first, second = load().course("tiny-course").modules
    assert (first.review_every_days, second.review_every_days) == (90, 180)


def test_questions_keep_their_options_feedback_and_correct_flags() -> None:
    module = load().course("tiny-course").modules[0]
    assert [question.id for question in module.questions] == ["choose-1", "choose-2", "choose-3"]
    question = module.questions[1]
    assert question.type == "multiple"
    assert question.prompt == "Which of these belong in a target account's row? Select all that apply."
    assert question.explanation.startswith("A good row says why the account matters now")
    assert [option.correct for option in question.options] == [True, True, False]
    assert question.options[2] == Option(
        text="The company's logo.",
        correct=False,  # omitted in the file: options are wrong unless marked correct
        feedback="Nice to have on a slide, but it does not help anyone decide or act.",
    )


def test_body_is_the_markdown_after_the_front_matter() -> None:
    module = load().course("tiny-course").modules[0]
    assert module.body_markdown.startswith("# Choosing target accounts\n")
    assert "---" not in module.body_markdown.splitlines()[0]


def test_content_hash_is_a_short_sha256_that_changes_when_the_file_changes(tmp_path: Path) -> None:
    root = tmp_path / "courses"
    shutil.copytree(FIXTURE, root)
    before = load_catalogue(root, today=TODAY).course("tiny-course").modules
    path = root / "tiny-course" / "02-mapping-the-buying-group.md"
    path.write_text(path.read_text() + "\nOne more sentence.\n")
    after = load_catalogue(root, today=TODAY).course("tiny-course").modules
    assert len(before[1].content_hash) == 16
    assert int(before[1].content_hash, 16) >= 0
    assert before[0].content_hash == after[0].content_hash
    assert before[1].content_hash != after[1].content_hash


def test_unknown_course_or_competency_raises_key_error() -> None:
    catalogue = load()
    with pytest.raises(KeyError):
        catalogue.course("no-such-course")
    with pytest.raises(KeyError):
        catalogue.competency("no-such-competency")


def test_invalid_tree_raises_content_error_listing_its_problems(tmp_path: Path) -> None:
    root = tmp_path / "courses"
    shutil.copytree(FIXTURE, root)
    (root / "tiny-course" / "diagram.svg").unlink()
    module = root / "tiny-course" / "01-choosing-target-accounts.md"
    line = (
        module.read_text().splitlines().index("![From profile to target list to buying group](diagram.svg)")
        + 1
    )
    with pytest.raises(ContentError) as caught:
        load_catalogue(root, today=TODAY)
    problem = Problem(
        "courses/tiny-course/01-choosing-target-accounts.md", line, "link to missing file 'diagram.svg'"
    )
    assert caught.value.problems == [problem]
    assert str(caught.value) == str(problem)


def test_load_catalogue_checks_exercise_slugs_when_given(tmp_path: Path) -> None:
    root = tmp_path / "courses"
    shutil.copytree(FIXTURE, root)
    course_yaml = root / "tiny-course" / "course.yaml"
    course_yaml.write_text(
        course_yaml.read_text().replace("required_exercises: []", "required_exercises: [tier-it]")
    )
    assert load_catalogue(root, today=TODAY).course("tiny-course").required_exercises == ("tier-it",)
    with pytest.raises(ContentError):
        load_catalogue(root, exercise_slugs={"target-account-list"}, today=TODAY)


def test_split_front_matter_returns_meta_body_and_the_body_start_line() -> None:
    meta, body, body_line = split_front_matter("---\ntitle: Tiers\nminutes: 6\n---\n# Tiers\n\nText.\n")
    assert meta == {"title": "Tiers", "minutes": 6}
    assert body == "# Tiers\n\nText.\n"
    assert body_line == 5


def test_split_front_matter_raises_content_error_with_the_yaml_line() -> None:
    with pytest.raises(ContentError) as caught:
        split_front_matter("---\ntitle: Tiers\nowner: a: b\n---\nBody\n", file="x.md")
    assert [str(problem) for problem in caught.value.problems] == [
        "x.md:3: invalid YAML: mapping values are not allowed here"
    ]


def test_split_front_matter_rejects_text_without_front_matter() -> None:
    with pytest.raises(ContentError):
        split_front_matter("# No front matter\n")
