"""Assessment-only question banks, courses/assessments/<competency-slug>.yaml: one file per competency.

Pure (no Flask, no database).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lms.content.catalogue import Question, QuestionBank
from lms.content.fields import Field, label, read_fields
from lms.content.framework import load_competencies
from lms.content.problems import Problem, ReadContext, Report
from lms.content.questions import read_question
from lms.content.yaml_lines import read_yaml_file

ASSESSMENTS_DIR = "assessments"  # courses/assessments/<competency-slug>.yaml: assessment-only questions

ASSESSMENT_FIELDS = {"questions": Field("list", non_empty=True)}


def read_assessments(
    courses_root: Path, competency_slugs: set[str] | None
) -> tuple[dict[str, QuestionBank], list[Problem]]:
    """Return (each competency's question bank that has a valid file, every problem sorted by file and line).

    Both are empty when there is no assessments folder. With `competency_slugs` None the slugs are read from
    competencies.yaml, whose own faults are left for check_tree() to report.
    """
    root = courses_root.resolve()
    folder = root / ASSESSMENTS_DIR
    if not folder.is_dir():
        return {}, []
    ctx = ReadContext(root=root, today=date.today(), stale=False, exercise_slugs=None)
    known = competency_slugs
    if known is None:
        load_competencies(root / "competencies.yaml", ctx)
        known = ctx.competency_slugs
        ctx.problems.clear()  # faults in competencies.yaml are check_tree()'s to report
    banks: dict[str, QuestionBank] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "_")) or path.name.lower() == "readme.md":
            continue
        report = ctx.reporter(path)
        if path.is_dir() or path.suffix != ".yaml":
            report(1, "only <competency-slug>.yaml files belong in the assessments folder")
            continue
        bank = read_bank(path, known, ctx, report)
        if bank is not None:
            banks[bank.competency] = bank
    return banks, ctx.sorted_problems()


def read_bank(path: Path, known: set[str] | None, ctx: ReadContext, report: Report) -> QuestionBank | None:
    """Return one competency's assessment-only questions, or None after reporting its problems."""
    problems_before = len(ctx.problems)
    slug = path.stem
    if known is not None and slug not in known:
        report(1, f"unknown competency '{slug}': name the file after a competency slug in competencies.yaml")
    parsed = read_yaml_file(path, report)
    if parsed is None:
        return None
    data, lines = parsed
    values = read_fields(data, lines, ASSESSMENT_FIELDS, report, missing_line=1)
    questions: list[Question] = []
    ids_seen: set[str] = set()
    for index, item in enumerate(values.get("questions", ())):
        item_lines = lines.node("questions", index)
        if isinstance(item, dict) and "difficulty" not in item:
            name = label("question", item.get("id"), index)
            report(item_lines.line, f"{name}: missing required field 'difficulty'")
        question = read_question(item, index, item_lines, report, ids_seen)
        if question is not None:
            questions.append(question)
    if len(ctx.problems) != problems_before:
        return None
    return QuestionBank(competency=slug, questions=tuple(questions), path=path)
