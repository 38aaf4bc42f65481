"""Assessment-only question banks, courses/assessments/<competency-slug>.yaml: one file per competency.

Pure (no Flask, no database).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from lms.content import bank_rules
from lms.content.catalogue import Question, QuestionBank
from lms.content.fields import Field, label, read_fields
from lms.content.framework import load_competencies
from lms.content.problems import Problem, ReadContext, Report
from lms.content.questions import read_question
from lms.content.yaml_lines import read_yaml_file

ASSESSMENTS_DIR = "assessments"  # courses/assessments/<competency-slug>.yaml: assessment-only questions

ASSESSMENT_FIELDS = {"questions": Field("list", non_empty=True)}


def read_assessments(
    courses_root: Path,
    competency_slugs: set[str] | None,
    mix: Mapping[int, int] | None = None,
    module_prompts: Mapping[str, str] | None = None,
) -> tuple[dict[str, QuestionBank], list[Problem]]:
    """Return (each competency's question bank that has a valid file, every problem sorted by file and line).

    Both are empty when there is no assessments folder. With `competency_slugs` None the slugs are read from
    competencies.yaml, whose own faults are left for check_tree() to report. Besides each question's format,
    the bank rules apply (bank_rules.py): enough questions for two disjoint papers at `mix` (the default mix
    when None), and no question shared with another bank or with a module (`module_prompts`: a module
    question's prompt, reduced by bank_rules.same_text, to where it is).
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
    lines: dict[str, list[tuple[Question, int]]] = {}
    reporters: dict[str, Report] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "_")) or path.name.lower() == "readme.md":
            continue
        report = ctx.reporter(path)
        if path.is_dir() or path.suffix != ".yaml":
            report(1, "only <competency-slug>.yaml files belong in the assessments folder")
            continue
        reporters[path.stem], lines[path.stem] = report, []
        bank = read_bank(path, known, ctx, report, mix, lines[path.stem])
        if bank is not None:
            banks[bank.competency] = bank
    bank_rules.check_shared(lines, module_prompts or {}, reporters)
    return banks, ctx.sorted_problems()


def read_bank(
    path: Path,
    known: set[str] | None,
    ctx: ReadContext,
    report: Report,
    mix: Mapping[int, int] | None = None,
    lines_out: list[tuple[Question, int]] | None = None,
) -> QuestionBank | None:
    """Return one competency's assessment-only questions, or None after reporting its problems.

    The bank rules are checked at `mix` (bank_rules.DEFAULT_PAPER_MIX when None); each readable question is
    added to `lines_out` with its line, for the checks across files.
    """
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
    located: list[tuple[Question, int]] = []
    ids_seen: set[str] = set()
    for index, item in enumerate(values.get("questions", ())):
        item_lines = lines.node("questions", index)
        if isinstance(item, dict) and "difficulty" not in item:
            name = label("question", item.get("id"), index)
            report(item_lines.line, f"{name}: missing required field 'difficulty'")
        question = read_question(item, index, item_lines, report, ids_seen)
        if question is not None:
            questions.append(question)
            located.append((question, item_lines.line))
    if len(ctx.problems) == problems_before:  # the counts mean something only once every question reads
        bank_rules.check_bank(slug, located, report, mix)
    if lines_out is not None:
        lines_out.extend(located)
    if len(ctx.problems) != problems_before:
        return None
    return QuestionBank(competency=slug, questions=tuple(questions), path=path)
