"""The courses folder: competencies.yaml, each course folder, and whether each competency is taught enough.

Pure (no Flask, no database).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lms.content.catalogue import Catalogue, Course
from lms.content.course_files import load_course
from lms.content.framework import load_competencies
from lms.content.problems import Problem, ReadContext
from lms.content.question_banks import ASSESSMENTS_DIR

MIN_MODULES_PER_COMPETENCY = 2


def read_tree(
    courses_root: Path, exercise_slugs: set[str] | None, today: date, stale: bool
) -> tuple[Catalogue, list[Problem]]:
    """Return (what loaded, every problem sorted by file and line); a course with a problem is left out.

    Exercise slugs are checked only when `exercise_slugs` is given; with `stale` overdue reviews are problems.
    """
    root = courses_root.resolve()
    ctx = ReadContext(root=root, today=today, stale=stale, exercise_slugs=exercise_slugs)
    if not root.is_dir():
        return Catalogue((), ()), [Problem(root.name, 1, "courses folder not found")]
    competencies, competency_lines = load_competencies(root / "competencies.yaml", ctx)
    courses: list[Course] = []
    course_files: dict[str, str] = {}
    for course_dir in sorted(root.iterdir()):
        if course_dir.name == ASSESSMENTS_DIR:
            continue  # question banks, not a course: check_assessments() reads them
        if course_dir.is_dir() and not course_dir.name.startswith((".", "_")):
            course = load_course(course_dir, ctx, course_files)
            if course is not None:
                courses.append(course)
    if competency_lines and ctx.coverage_known:
        report = ctx.reporter(root / "competencies.yaml")
        for slug, line in competency_lines.items():
            count = ctx.taught[slug]
            if count < MIN_MODULES_PER_COMPETENCY:
                plural = "" if count == 1 else "s"
                report(
                    line,
                    f"competency '{slug}' is taught by {count} module{plural} "
                    f"(at least {MIN_MODULES_PER_COMPETENCY} needed)",
                )
    return Catalogue(tuple(competencies), tuple(courses)), ctx.sorted_problems()
