"""Knowledge-check questions in module front matter and question banks: read, typed and validated.

Pure (no Flask, no database).
"""

from __future__ import annotations

from typing import Any

from lms.content.catalogue import DEFAULT_DIFFICULTY, Option, Question
from lms.content.fields import Field, label, read_fields
from lms.content.problems import Report
from lms.content.yaml_lines import Lines

MIN_QUESTIONS = 3
MIN_OPTIONS = 2
QUESTION_TYPES = ("single", "multiple")
DIFFICULTIES = (1, 2, 3)  # easy, medium, hard

QUESTION_FIELDS = {
    "id": Field("text"),
    "type": Field("text"),
    "prompt": Field("text"),
    "explanation": Field("text"),
    "options": Field("list"),
    "difficulty": Field("int", required=False),
}
OPTION_FIELDS = {
    "text": Field("text"),
    "correct": Field("bool", required=False),
    "feedback": Field("text"),
}


def read_questions(items: list[Any] | None, lines: Lines, report: Report) -> tuple[Question, ...] | None:
    """Return the module's questions, or None if any is faulty (each fault reported at its question)."""
    if items is None:
        return None
    if len(items) < MIN_QUESTIONS:
        report(
            lines.at("questions"),
            f"a module needs at least {MIN_QUESTIONS} questions, this one has {len(items)}",
        )
    questions: list[Question] = []
    ids_seen: set[str] = set()
    for index, item in enumerate(items):
        question = read_question(item, index, lines.node("questions", index), report, ids_seen)
        if question is not None:
            questions.append(question)
    if len(questions) != len(items) or len(items) < MIN_QUESTIONS:
        return None
    return tuple(questions)


def read_question(
    item: Any, index: int, lines: Lines, report: Report, ids_seen: set[str]
) -> Question | None:
    """Return question `index` (0-based) of a list, or None after reporting its faults.

    `lines` is the question's own line tree; `ids_seen` collects ids so a duplicate is reported.
    """
    if not isinstance(item, dict):
        report(lines.line, f"question {index + 1} must be a mapping of fields")
        return None
    name = label("question", item.get("id"), index)
    values = read_fields(item, lines, QUESTION_FIELDS, report, lines.line, f"{name}: ")
    valid = all(field in values for field, spec in QUESTION_FIELDS.items() if spec.required)
    valid = valid and ("difficulty" in values or "difficulty" not in item)

    question_id = values.get("id")
    if question_id is not None:
        if question_id in ids_seen:
            report(lines.line, f"duplicate question id '{question_id}'")
            valid = False
        ids_seen.add(question_id)
    kind = values.get("type")
    if kind is not None and kind not in QUESTION_TYPES:
        report(lines.at("type"), f"{name}: 'type' must be 'single' or 'multiple', not '{kind}'")
        valid = False
    difficulty = values.get("difficulty", DEFAULT_DIFFICULTY)
    if difficulty not in DIFFICULTIES:
        report(lines.at("difficulty"), f"{name}: 'difficulty' must be 1, 2 or 3, not {difficulty}")
        valid = False

    raw_options = values.get("options")
    if raw_options is None:
        return None
    if len(raw_options) < MIN_OPTIONS:
        report(lines.line, f"{name} needs at least {MIN_OPTIONS} options, has {len(raw_options)}")
        valid = False
    options = _read_options(raw_options, name, lines, report)
    if options is None:
        return None  # counting correct answers among half-read options would only add noise
    correct = sum(option.correct for option in options)
    if options and correct == 0:
        report(lines.line, f"{name} has no correct option")
        valid = False
    elif kind == "single" and correct > 1:
        report(lines.line, f"{name} is single choice but has {correct} correct options")
        valid = False
    if not valid:
        return None
    return Question(
        id=values["id"],
        type=values["type"],
        prompt=values["prompt"],
        explanation=values["explanation"],
        options=tuple(options),
        difficulty=difficulty,
    )


def _read_options(raw_options: list[Any], name: str, lines: Lines, report: Report) -> list[Option] | None:
    """Return the question's options, or None if any of them is faulty (each fault reported)."""
    options: list[Option] = []
    for number, raw in enumerate(raw_options, start=1):
        option_lines = lines.node("options", number - 1)
        if not isinstance(raw, dict):
            report(option_lines.line, f"{name}, option {number}: must be a mapping of fields")
            continue
        fields = read_fields(
            raw, option_lines, OPTION_FIELDS, report, option_lines.line, f"{name}, option {number}: "
        )
        if "text" in fields and "feedback" in fields and len(fields) == len(raw):
            options.append(Option(fields["text"], fields.get("correct", False), fields["feedback"]))
    return options if len(options) == len(raw_options) else None

