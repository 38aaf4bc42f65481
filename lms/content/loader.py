"""Reads courses/ (competencies.yaml, course.yaml files, module Markdown, assessments/) into frozen dataclasses.
Pure: the entry points, over tree.py and question_banks.py; check_tree() and check_assessments() report faults
as `file:line: message`, and sync.py stores the rest."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from lms.content.bank_rules import same_text
from lms.content.catalogue import Catalogue, QuestionBank
from lms.content.problems import ContentError, Problem
from lms.content.question_banks import read_assessments
from lms.content.tree import read_tree
from lms.content.yaml_lines import YamlFault, parse_yaml, split_front

__all__ = [
    "ContentError",
    "Problem",
    "check_assessments",
    "check_tree",
    "load_assessments",
    "load_catalogue",
    "split_front_matter",
]


def load_catalogue(
    courses_root: Path, *, exercise_slugs: set[str] | None = None, today: date | None = None
) -> Catalogue:
    """Return every competency and course under `courses_root`, modules in course order.

    Raises ContentError listing every problem check_tree() would report (overdue reviews excepted).
    """
    catalogue, problems = read_tree(courses_root, exercise_slugs, today or date.today(), stale=False)
    if problems:
        raise ContentError(problems)
    return catalogue


def check_tree(
    courses_root: Path,
    exercise_slugs: set[str] | None = None,
    today: date | None = None,
    stale: bool = False,
) -> list[Problem]:
    """Return every fault in the content tree, sorted by file and line; an empty list means it is valid.

    Exercise slugs are checked only when `exercise_slugs` is given; with `stale=True` each module whose
    review is overdue on `today` is a problem too.
    """
    return read_tree(courses_root, exercise_slugs, today or date.today(), stale)[1]


def split_front_matter(text: str, file: str = "<text>") -> tuple[dict[str, Any], str, int]:
    """Return (front matter, Markdown body, file line number where the body starts) of a module's text.

    Raises ContentError if the front matter is missing, unterminated, invalid YAML or not a mapping.
    """
    try:
        yaml_text, body, body_line = split_front(text)
        meta, lines, _ = parse_yaml(yaml_text, offset=1)
    except YamlFault as fault:
        raise ContentError([Problem(file, fault.line, fault.message)]) from None
    if not isinstance(meta, dict):
        raise ContentError([Problem(file, lines.line, "front matter must be a mapping of fields")])
    return meta, body, body_line


def check_assessments(
    courses_root: Path, competency_slugs: set[str] | None = None, mix: Mapping[int, int] | None = None
) -> list[Problem]:
    """Return every fault in courses/assessments/*.yaml, sorted by file and line; [] when valid or absent.

    Each file must be named after a competency in `competency_slugs` (read from competencies.yaml when
    None, and not checked if that file is unreadable: check_tree() reports it). Questions follow the module
    format and each must give a `difficulty` of 1, 2 or 3. Each bank must also meet the bank rules
    (lms/content/bank_rules.py): enough questions for a pre- and a post-course paper that share none at
    `mix` (the default paper mix when None), no question repeating a module's or another bank's, and a correct
    option that is not the longest in more than a third of the questions.
    """
    return read_assessments(courses_root, competency_slugs, mix, _module_prompts(courses_root))[1]


def load_assessments(courses_root: Path, competency_slugs: set[str] | None = None) -> dict[str, QuestionBank]:
    """Return the assessment-only question bank of each competency that has a file, by competency slug.

    Raises ContentError listing every problem check_assessments() would report (at the default paper mix).
    """
    banks, problems = read_assessments(courses_root, competency_slugs, None, _module_prompts(courses_root))
    if problems:
        raise ContentError(problems)
    return banks


def _module_prompts(courses_root: Path) -> dict[str, str]:
    """Return each readable module question's prompt (reduced by same_text) -> "course/module#id".

    The tree's own faults are check_tree()'s to report; a course with a fault is left out here.
    """
    catalogue, _ = read_tree(courses_root, None, date.today(), stale=False)
    return {same_text(q.prompt): f"{course.slug}/{module.slug}#{q.id}"
            for course in catalogue.courses for module in course.modules for q in module.questions}
