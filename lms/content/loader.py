"""Reads courses/ (competencies.yaml, course.yaml files, module Markdown, assessments/) into frozen dataclasses.

Pure (no Flask, no database): check_tree() and check_assessments() report faults as `file:line: message`;
sync.py stores the rest.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from lms.content.freshness import review_state

MINUTES_MIN, MINUTES_MAX = 5, 10
MIN_QUESTIONS = 3
MIN_OPTIONS = 2
MIN_MODULES_PER_COMPETENCY = 2
DEFAULT_REVIEW_EVERY_DAYS = 90
AUDIENCES = ("public", "in-house")
QUESTION_TYPES = ("single", "multiple")
LEVELS = (1, 2, 3, 4, 5)
DIFFICULTIES = (1, 2, 3)  # easy, medium, hard
DEFAULT_DIFFICULTY = 2  # module questions that do not say
ASSESSMENTS_DIR = "assessments"  # courses/assessments/<competency-slug>.yaml: assessment-only questions

MODULE_FILE = re.compile(r"^(?P<number>\d{2})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
# `{{ Exercise("slug") }}` on a line of its own; render.py swaps it for the exercise card. It may be
# indented, so a card can sit inside a callout.
EXERCISE_MACRO = re.compile(
    r"""^(?P<indent>[ \t]*)\{\{\s*Exercise\(\s*(["'])(?P<slug>[^"']*)\2\s*\)\s*\}\}\s*$"""
)
_EXERCISE_MENTION = re.compile(r"\{\{\s*Exercise\b")
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+).+?\1")
_INLINE_LINK = re.compile(
    r"""!?\[[^\]]*\]\(\s*<?(?P<target>[^)\s>]+)>?(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)"""
)
_REFERENCE_LINK = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(?P<target>[^\s>]+)>?")


# --- What the loader returns -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One fault in the content tree; `file` is relative to the courses folder's parent."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ContentError(Exception):
    """The content tree is invalid; `problems` lists every fault found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Question:
    id: str
    type: str  # "single" | "multiple"
    prompt: str
    explanation: str
    options: tuple[Option, ...]
    difficulty: int = DEFAULT_DIFFICULTY  # 1 easy, 2 medium, 3 hard


@dataclass(frozen=True)
class Competency:
    slug: str
    name: str
    description: str
    levels: dict[int, str]


@dataclass(frozen=True)
class Module:
    slug: str
    course_slug: str
    position: int  # 1-based place in the course's `modules` list
    title: str
    minutes: int
    competencies: tuple[str, ...]
    objectives: tuple[str, ...]
    owner: str
    last_reviewed: date
    review_every_days: int
    exercises: tuple[str, ...]  # from the front matter; cards embedded in the body are not repeated here
    questions: tuple[Question, ...]
    body_markdown: str
    path: Path
    content_hash: str  # the module's version: changes whenever the file changes


@dataclass(frozen=True)
class Course:
    slug: str
    title: str
    audience: str  # "public" | "in-house"
    summary: str
    outcomes: tuple[str, ...]
    pass_mark: int
    required_exercises: tuple[str, ...]
    certificate_issue: bool
    validity_months: int | None  # None: the certificate does not expire
    modules: tuple[Module, ...]
    path: Path  # the course folder, where its images and downloads live


@dataclass(frozen=True)
class Catalogue:
    competencies: tuple[Competency, ...]
    courses: tuple[Course, ...]

    def course(self, slug: str) -> Course:
        """Return the course with this slug; raises KeyError if there is none."""
        for course in self.courses:
            if course.slug == slug:
                return course
        raise KeyError(slug)

    def competency(self, slug: str) -> Competency:
        """Return the competency with this slug; raises KeyError if there is none."""
        for competency in self.competencies:
            if competency.slug == slug:
                return competency
        raise KeyError(slug)


# --- Public entry points -----------------------------------------------------------------------------------


def load_catalogue(
    courses_root: Path, *, exercise_slugs: set[str] | None = None, today: date | None = None
) -> Catalogue:
    """Return every competency and course under `courses_root`, modules in course order.

    Raises ContentError listing every problem check_tree() would report (overdue reviews excepted).
    """
    catalogue, problems = _read_tree(courses_root, exercise_slugs, today or date.today(), stale=False)
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
    return _read_tree(courses_root, exercise_slugs, today or date.today(), stale)[1]


def split_front_matter(text: str, file: str = "<text>") -> tuple[dict[str, Any], str, int]:
    """Return (front matter, Markdown body, file line number where the body starts) of a module's text.

    Raises ContentError if the front matter is missing, unterminated, invalid YAML or not a mapping.
    """
    try:
        yaml_text, body, body_line = _split(text)
        meta, lines, _ = _parse_yaml(yaml_text, offset=1)
    except _Fault as fault:
        raise ContentError([Problem(file, fault.line, fault.message)]) from None
    if not isinstance(meta, dict):
        raise ContentError([Problem(file, lines.line, "front matter must be a mapping of fields")])
    return meta, body, body_line


# --- YAML with line numbers --------------------------------------------------------------------------------


class _Fault(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class _Lines:
    """File line numbers (1-based) of a YAML value and of what it contains.

    A mapping's children are keyed by the key's text and carry the key's line; a sequence's by index.
    """

    line: int
    children: dict[str | int, _Lines] = field(default_factory=dict)

    def node(self, *path: object) -> _Lines:
        """Return the deepest node along `path` that exists, so a fault still points near its place."""
        node = self
        for key in path:
            child = node.children.get(key) if isinstance(key, str | int) else None
            if child is None and not isinstance(key, str):
                child = node.children.get(str(key))
            if child is None:
                break
            node = child
        return node

    def at(self, *path: object) -> int:
        return self.node(*path).line


class _Loader(yaml.SafeLoader):
    """SafeLoader that reports an impossible date (2026-02-30) at its line instead of a bare ValueError."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> date | datetime:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"invalid date '{node.value}' ({exc})", node.start_mark
            ) from exc


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _parse_yaml(text: str, offset: int) -> tuple[Any, _Lines, list[tuple[int, str]]]:
    """Return (data, line tree, duplicate keys as (line, key)) of YAML text that starts `offset` lines in."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = offset + 1 + (mark.line if mark else 0)
        raise _Fault(line, f"invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise _Fault(offset + 1, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    duplicates: list[tuple[int, str]] = []
    lines = _Lines(offset + 1) if node is None else _line_tree(node, offset, duplicates)
    return data, lines, duplicates


def _line_tree(node: yaml.Node, offset: int, duplicates: list[tuple[int, str]]) -> _Lines:
    children: dict[str | int, _Lines] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            key_line = key_node.start_mark.line + 1 + offset
            if key in children:
                # PyYAML silently keeps the last value; an author almost certainly meant something else.
                duplicates.append((key_line, key))
            children[key] = _Lines(key_line, _line_tree(value_node, offset, duplicates).children)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            children[index] = _line_tree(item, offset, duplicates)
    return _Lines(node.start_mark.line + 1 + offset, children)


def _split(text: str) -> tuple[str, str, int]:
    """Return (front matter YAML, body, body's first line number); front matter starts on line 2."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        raise _Fault(1, "missing front matter: the file must start with a '---' line")
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    raise _Fault(1, "front matter is not closed by a '---' line")


# --- Typed fields ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    kind: str  # a key of _KINDS
    required: bool = True
    non_empty: bool = False


_KINDS: dict[str, str] = {
    "text": "non-empty text",
    "int": "a whole number",
    "bool": "true or false",
    "date": "a date (YYYY-MM-DD)",
    "texts": "a list of text items",
    "list": "a list",
    "mapping": "a mapping of fields",
}

_MODULE_FIELDS = {
    "title": _Field("text"),
    "minutes": _Field("int"),
    "competencies": _Field("texts"),
    "objectives": _Field("texts", non_empty=True),
    "owner": _Field("text"),
    "last_reviewed": _Field("date"),
    "review_every_days": _Field("int", required=False),
    "exercises": _Field("texts", required=False),
    "questions": _Field("list"),
}
_QUESTION_FIELDS = {
    "id": _Field("text"),
    "type": _Field("text"),
    "prompt": _Field("text"),
    "explanation": _Field("text"),
    "options": _Field("list"),
    "difficulty": _Field("int", required=False),
}
_OPTION_FIELDS = {
    "text": _Field("text"),
    "correct": _Field("bool", required=False),
    "feedback": _Field("text"),
}
_COURSE_FIELDS = {
    "slug": _Field("text"),
    "title": _Field("text"),
    "audience": _Field("text"),
    "summary": _Field("text"),
    "outcomes": _Field("texts", non_empty=True),
    "pass_mark": _Field("int"),
    "required_exercises": _Field("texts", required=False),
    "certificate": _Field("mapping"),
    "modules": _Field("texts", non_empty=True),
}
_CERTIFICATE_FIELDS = {"issue": _Field("bool"), "validity_months": _Field("int", required=False)}
_FRAMEWORK_FIELDS = {"competencies": _Field("list", non_empty=True)}
_COMPETENCY_FIELDS = {
    "slug": _Field("text"),
    "name": _Field("text"),
    "description": _Field("text"),
    "levels": _Field("mapping"),
}

Report = Callable[[int, str], None]


def _typed(value: Any, kind: str) -> Any:
    """Return `value` as `kind` (text stripped, lists as tuples), or None if it is not one."""
    if kind == "text":
        return (value.strip() or None) if isinstance(value, str) else None
    if kind == "int":
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if kind == "bool":
        return value if isinstance(value, bool) else None
    if kind == "date":
        if isinstance(value, datetime):
            return value.date()
        return value if isinstance(value, date) else None
    if kind == "texts":
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            return None
        return tuple(item.strip() for item in value)
    if kind == "list":
        return value if isinstance(value, list) else None
    return value if isinstance(value, dict) else None


def _read_fields(
    data: dict[Any, Any],
    lines: _Lines,
    spec: dict[str, _Field],
    report: Report,
    missing_line: int,
    prefix: str = "",
) -> dict[str, Any]:
    """Return the well-typed values of `data` by field name, reporting unknown, missing and mistyped ones."""
    for name in data:
        if name not in spec:
            report(lines.at(name), f"{prefix}unknown field '{name}'")
    values: dict[str, Any] = {}
    for name, spec_field in spec.items():
        if name not in data:
            if spec_field.required:
                report(missing_line, f"{prefix}missing required field '{name}'")
            continue
        value = _typed(data[name], spec_field.kind)
        if value is None:
            report(lines.at(name), f"{prefix}'{name}' must be {_KINDS[spec_field.kind]}")
        elif spec_field.non_empty and not value:
            report(lines.at(name), f"{prefix}'{name}' must not be empty")
        else:
            values[name] = value
    return values


# --- The tree ----------------------------------------------------------------------------------------------


@dataclass
class _Context:
    root: Path
    today: date
    stale: bool
    exercise_slugs: set[str] | None
    competency_slugs: set[str] | None = None  # None: competencies.yaml unreadable, so don't check against it
    problems: list[Problem] = field(default_factory=list)
    taught: Counter[str] = field(default_factory=Counter)
    # False once a listed module's competencies could not be read, so coverage counts would be wrong.
    coverage_known: bool = True

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root.parent).as_posix()

    def reporter(self, path: Path) -> Report:
        file = self.rel(path)
        return lambda line, message: self.problems.append(Problem(file, line, message))


def _read_tree(
    courses_root: Path, exercise_slugs: set[str] | None, today: date, stale: bool
) -> tuple[Catalogue, list[Problem]]:
    root = courses_root.resolve()
    ctx = _Context(root=root, today=today, stale=stale, exercise_slugs=exercise_slugs)
    if not root.is_dir():
        return Catalogue((), ()), [Problem(root.name, 1, "courses folder not found")]
    competencies, competency_lines = _load_competencies(root / "competencies.yaml", ctx)
    courses: list[Course] = []
    course_files: dict[str, str] = {}
    for course_dir in sorted(root.iterdir()):
        if course_dir.name == ASSESSMENTS_DIR:
            continue  # question banks, not a course: check_assessments() reads them
        if course_dir.is_dir() and not course_dir.name.startswith((".", "_")):
            course = _load_course(course_dir, ctx, course_files)
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
    problems = sorted(ctx.problems, key=lambda problem: (problem.file, problem.line))
    return Catalogue(tuple(competencies), tuple(courses)), problems


def _read_yaml_file(path: Path, report: Report) -> tuple[Any, _Lines] | None:
    """Return (data, line tree) of a YAML file, or None after reporting why it cannot be read."""
    if not path.is_file():
        report(1, "file is missing")
        return None
    try:
        data, lines, duplicates = _parse_yaml(path.read_text(encoding="utf-8-sig"), offset=0)
    except UnicodeDecodeError:
        report(1, "file is not valid UTF-8")
        return None
    except _Fault as fault:
        report(fault.line, fault.message)
        return None
    for line, key in duplicates:
        report(line, f"duplicate field '{key}'")
    if not isinstance(data, dict):
        report(lines.line, "file must be a mapping of fields")
        return None
    return data, lines


def _load_competencies(path: Path, ctx: _Context) -> tuple[list[Competency], dict[str, int]]:
    """Return the competencies and the line of each slug; sets ctx.competency_slugs if the file parses."""
    report = ctx.reporter(path)
    parsed = _read_yaml_file(path, report)
    if parsed is None:
        return [], {}
    data, lines = parsed
    values = _read_fields(data, lines, _FRAMEWORK_FIELDS, report, missing_line=1)
    competencies: list[Competency] = []
    slug_lines: dict[str, int] = {}
    for index, item in enumerate(values.get("competencies", [])):
        item_lines = lines.node("competencies", index)
        if not isinstance(item, dict):
            report(item_lines.line, f"competency {index + 1} must be a mapping of fields")
            continue
        label = _label("competency", item.get("slug"), index)
        fields = _read_fields(item, item_lines, _COMPETENCY_FIELDS, report, item_lines.line, f"{label}: ")
        slug = fields.get("slug")
        if slug is not None:
            if slug in slug_lines:
                report(item_lines.at("slug"), f"duplicate competency slug '{slug}'")
                continue
            slug_lines[slug] = item_lines.at("slug")
        levels = fields.get("levels")
        if levels is not None and (
            set(levels) != set(LEVELS) or not all(_typed(text, "text") for text in levels.values())
        ):
            report(item_lines.at("levels"), f"{label}: 'levels' must describe each of levels 1 to 5")
            continue
        if len(fields) == len(_COMPETENCY_FIELDS):
            competencies.append(
                Competency(
                    slug=fields["slug"],
                    name=fields["name"],
                    description=fields["description"],
                    levels={key: levels[key].strip() for key in LEVELS},
                )
            )
    ctx.competency_slugs = set(slug_lines)
    return competencies, slug_lines


def _label(kind: str, slug: Any, index: int) -> str:
    """Name an item in messages by its slug or id when it has a usable one, else by its position."""
    return f"{kind} '{slug.strip()}'" if isinstance(slug, str) and slug.strip() else f"{kind} {index + 1}"


def _load_course(course_dir: Path, ctx: _Context, course_files: dict[str, str]) -> Course | None:
    """Return the course in `course_dir`, or None after reporting its problems (modules included)."""
    path = course_dir / "course.yaml"
    report = ctx.reporter(path)
    problems_before = len(ctx.problems)
    parsed = _read_yaml_file(path, report)
    if parsed is None:
        ctx.coverage_known = False
        return None
    data, lines = parsed
    values = _read_fields(data, lines, _COURSE_FIELDS, report, missing_line=1)
    if "modules" not in values:
        ctx.coverage_known = False

    slug = values.get("slug")
    if slug is not None:
        if slug != course_dir.name:
            report(lines.at("slug"), f"slug '{slug}' does not match the folder name '{course_dir.name}'")
        if slug in course_files:
            report(lines.at("slug"), f"duplicate course slug '{slug}' (also in {course_files[slug]})")
        else:
            course_files[slug] = ctx.rel(path)
    audience = values.get("audience")
    if audience is not None and audience not in AUDIENCES:
        report(lines.at("audience"), f"'audience' must be 'public' or 'in-house', not '{audience}'")
    pass_mark = values.get("pass_mark")
    if pass_mark is not None and not 0 <= pass_mark <= 100:
        report(lines.at("pass_mark"), f"'pass_mark' must be between 0 and 100, not {pass_mark}")
    for index, exercise in enumerate(values.get("required_exercises", ())):
        if ctx.exercise_slugs is not None and exercise not in ctx.exercise_slugs:
            report(lines.at("required_exercises", index), f"unknown exercise '{exercise}'")
    certificate: dict[str, Any] = {}
    if "certificate" in values:
        cert_lines = lines.node("certificate")
        certificate = _read_fields(
            values["certificate"], cert_lines, _CERTIFICATE_FIELDS, report, cert_lines.line, "certificate: "
        )
        months = certificate.get("validity_months")
        if months is not None and months < 1:
            report(cert_lines.at("validity_months"), "certificate: 'validity_months' must be at least 1")

    modules = _load_modules(course_dir, values.get("modules", ()), lines, ctx, report)
    if len(ctx.problems) != problems_before:
        return None
    return Course(
        slug=values["slug"],
        title=values["title"],
        audience=values["audience"],
        summary=values["summary"],
        outcomes=values["outcomes"],
        pass_mark=values["pass_mark"],
        required_exercises=values.get("required_exercises", ()),
        certificate_issue=certificate["issue"],
        validity_months=certificate.get("validity_months"),
        modules=tuple(modules),
        path=course_dir,
    )


def _load_modules(
    course_dir: Path, listed: tuple[str, ...], lines: _Lines, ctx: _Context, report: Report
) -> list[Module]:
    """Return the listed modules in course order, reporting missing, unlisted and misnamed module files."""
    files: dict[str, Path] = {}
    for path in sorted(course_dir.glob("*.md")):
        match = MODULE_FILE.match(path.name)
        if match is None:
            ctx.reporter(path)(1, "module file name must look like NN-module-slug.md")
        elif match["slug"] in files:
            other = ctx.rel(files[match["slug"]])
            ctx.reporter(path)(1, f"duplicate module slug '{match['slug']}' (also in {other})")
        else:
            files[match["slug"]] = path

    modules: list[Module] = []
    seen: set[str] = set()
    for index, slug in enumerate(listed):
        if slug in seen:
            report(lines.at("modules", index), f"module '{slug}' is listed twice")
            continue
        seen.add(slug)
        if slug not in files:
            report(lines.at("modules", index), f"module '{slug}' has no file NN-{slug}.md in this folder")
            continue
        module = _load_module(files[slug], course_dir, len(seen), ctx, listed=True)
        if module is not None:
            modules.append(module)
    for slug, path in files.items():
        if slug not in seen:
            ctx.reporter(path)(1, f"module '{slug}' is not listed in course.yaml")
            _load_module(path, course_dir, 0, ctx, listed=False)
    return modules


def _load_module(path: Path, course_dir: Path, position: int, ctx: _Context, listed: bool) -> Module | None:
    """Return the module in `path`, or None after reporting its problems."""
    report = ctx.reporter(path)
    problems_before = len(ctx.problems)
    raw = path.read_bytes()
    try:
        yaml_text, body, body_line = _split(raw.decode("utf-8-sig"))
        meta, lines, duplicates = _parse_yaml(yaml_text, offset=1)
    except (UnicodeDecodeError, _Fault) as exc:
        fault = exc if isinstance(exc, _Fault) else _Fault(1, "file is not valid UTF-8")
        report(fault.line, fault.message)
        ctx.coverage_known = ctx.coverage_known and not listed
        return None
    for line, key in duplicates:
        report(line, f"duplicate field '{key}'")
    if not isinstance(meta, dict):
        report(lines.line, "front matter must be a mapping of fields")
        ctx.coverage_known = ctx.coverage_known and not listed
        return None
    values = _read_fields(meta, lines, _MODULE_FIELDS, report, missing_line=1)
    if listed and "competencies" not in values:
        ctx.coverage_known = False

    minutes = values.get("minutes")
    if minutes is not None and not MINUTES_MIN <= minutes <= MINUTES_MAX:
        report(
            lines.at("minutes"), f"'minutes' must be between {MINUTES_MIN} and {MINUTES_MAX}, not {minutes}"
        )
    competencies = values.get("competencies")
    if competencies is not None:
        if not competencies:
            report(lines.at("competencies"), "module teaches no competency: 'competencies' is empty")
        if listed:
            ctx.taught.update(set(competencies))
        for index, slug in enumerate(competencies):
            if ctx.competency_slugs is not None and slug not in ctx.competency_slugs:
                report(lines.at("competencies", index), f"unknown competency '{slug}'")
    for index, slug in enumerate(values.get("exercises", ())):
        if ctx.exercise_slugs is not None and slug not in ctx.exercise_slugs:
            report(lines.at("exercises", index), f"unknown exercise '{slug}'")
    every = values.get("review_every_days", DEFAULT_REVIEW_EVERY_DAYS)
    if every < 1:
        report(lines.at("review_every_days"), "'review_every_days' must be at least 1")
    last_reviewed = values.get("last_reviewed")
    if last_reviewed is not None:
        if last_reviewed > ctx.today:
            report(
                lines.at("last_reviewed"), f"'last_reviewed' is in the future ({last_reviewed.isoformat()})"
            )
        elif ctx.stale and every >= 1:
            state = review_state(last_reviewed, every, ctx.today)
            if state.state == "overdue":
                owner = values.get("owner", "no owner named")
                report(
                    lines.at("last_reviewed"),
                    f"review overdue since {state.due_on.isoformat()} (owner: {owner})",
                )
    questions = _read_questions(values.get("questions"), lines, report)
    _check_body(body, body_line, course_dir, ctx, report)

    if len(ctx.problems) != problems_before or questions is None:
        return None
    match = MODULE_FILE.match(path.name)
    assert match is not None  # only named module files reach here
    return Module(
        slug=match["slug"],
        course_slug=course_dir.name,
        position=position,
        title=values["title"],
        minutes=values["minutes"],
        competencies=values["competencies"],
        objectives=values["objectives"],
        owner=values["owner"],
        last_reviewed=values["last_reviewed"],
        review_every_days=every,
        exercises=values.get("exercises", ()),
        questions=questions,
        body_markdown=body,
        path=path,
        content_hash=hashlib.sha256(raw).hexdigest()[:16],
    )


def _read_questions(items: list[Any] | None, lines: _Lines, report: Report) -> tuple[Question, ...] | None:
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
        question = _read_question(item, index, lines.node("questions", index), report, ids_seen)
        if question is not None:
            questions.append(question)
    if len(questions) != len(items) or len(items) < MIN_QUESTIONS:
        return None
    return tuple(questions)


def _read_question(
    item: Any, index: int, lines: _Lines, report: Report, ids_seen: set[str]
) -> Question | None:
    if not isinstance(item, dict):
        report(lines.line, f"question {index + 1} must be a mapping of fields")
        return None
    label = _label("question", item.get("id"), index)
    values = _read_fields(item, lines, _QUESTION_FIELDS, report, lines.line, f"{label}: ")
    valid = all(name in values for name, spec in _QUESTION_FIELDS.items() if spec.required)
    valid = valid and ("difficulty" in values or "difficulty" not in item)

    question_id = values.get("id")
    if question_id is not None:
        if question_id in ids_seen:
            report(lines.line, f"duplicate question id '{question_id}'")
            valid = False
        ids_seen.add(question_id)
    kind = values.get("type")
    if kind is not None and kind not in QUESTION_TYPES:
        report(lines.at("type"), f"{label}: 'type' must be 'single' or 'multiple', not '{kind}'")
        valid = False
    difficulty = values.get("difficulty", DEFAULT_DIFFICULTY)
    if difficulty not in DIFFICULTIES:
        report(lines.at("difficulty"), f"{label}: 'difficulty' must be 1, 2 or 3, not {difficulty}")
        valid = False

    raw_options = values.get("options")
    if raw_options is None:
        return None
    if len(raw_options) < MIN_OPTIONS:
        report(lines.line, f"{label} needs at least {MIN_OPTIONS} options, has {len(raw_options)}")
        valid = False
    options: list[Option] = []
    for number, raw in enumerate(raw_options, start=1):
        option_lines = lines.node("options", number - 1)
        if not isinstance(raw, dict):
            report(option_lines.line, f"{label}, option {number}: must be a mapping of fields")
            continue
        fields = _read_fields(
            raw, option_lines, _OPTION_FIELDS, report, option_lines.line, f"{label}, option {number}: "
        )
        if "text" in fields and "feedback" in fields and len(fields) == len(raw):
            options.append(Option(fields["text"], fields.get("correct", False), fields["feedback"]))
    if len(options) != len(raw_options):
        return None  # counting correct answers among half-read options would only add noise
    correct = sum(option.correct for option in options)
    if options and correct == 0:
        report(lines.line, f"{label} has no correct option")
        valid = False
    elif kind == "single" and correct > 1:
        report(lines.line, f"{label} is single choice but has {correct} correct options")
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


def _check_body(body: str, body_line: int, course_dir: Path, ctx: _Context, report: Report) -> None:
    """Report exercise embeds and relative links in the Markdown body that point at nothing."""
    fence: str | None = None
    for number, line in enumerate(body.splitlines(), start=body_line):
        fence_match = _FENCE.match(line)
        if fence is not None:
            # Code samples may show links and embeds that are not meant to work.
            closing = fence_match["fence"] if fence_match else ""
            if closing[:1] == fence[0] and len(closing) >= len(fence) and not line.strip().strip(fence[0]):
                fence = None
            continue
        if fence_match:
            fence = fence_match["fence"]
            continue
        macro = EXERCISE_MACRO.match(line)
        if macro:
            slug = macro["slug"]
            if ctx.exercise_slugs is not None and slug not in ctx.exercise_slugs:
                report(number, f"unknown exercise '{slug}'")
            continue
        prose = _CODE_SPAN.sub("", line)
        if _EXERCISE_MENTION.search(prose):
            report(number, 'an exercise embed {{ Exercise("slug") }} must stand on a line of its own')
        targets = [match["target"] for match in _INLINE_LINK.finditer(prose)]
        reference = _REFERENCE_LINK.match(prose)
        if reference:
            targets.append(reference["target"])
        for target in targets:
            _check_link(target, number, course_dir, report)


def _check_link(target: str, line: int, course_dir: Path, report: Report) -> None:
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
        return  # external, site-absolute or same-page links are not files in this course
    path = unquote(parts.path)
    if ".." in PurePosixPath(path).parts:
        report(line, f"link '{target}' points outside the course folder")
    elif not (course_dir / path).is_file():
        kind = "module file" if path.endswith(".md") else "file"
        report(line, f"link to missing {kind} '{path}'")


# --- Assessment question banks -----------------------------------------------------------------------------

_ASSESSMENT_FIELDS = {"questions": _Field("list", non_empty=True)}


@dataclass(frozen=True)
class QuestionBank:
    """The assessment-only questions of one competency, from courses/assessments/<competency-slug>.yaml."""

    competency: str
    questions: tuple[Question, ...]
    path: Path


def check_assessments(courses_root: Path, competency_slugs: set[str] | None = None) -> list[Problem]:
    """Return every fault in courses/assessments/*.yaml, sorted by file and line; [] when valid or absent.

    Each file must be named after a competency in `competency_slugs` (read from competencies.yaml when
    None, and not checked if that file is unreadable: check_tree() reports it). Questions follow the module
    format and each must give a `difficulty` of 1, 2 or 3.
    """
    return _read_assessments(courses_root, competency_slugs)[1]


def load_assessments(courses_root: Path, competency_slugs: set[str] | None = None) -> dict[str, QuestionBank]:
    """Return the assessment-only question bank of each competency that has a file, by competency slug.

    Raises ContentError listing every problem check_assessments() would report.
    """
    banks, problems = _read_assessments(courses_root, competency_slugs)
    if problems:
        raise ContentError(problems)
    return banks


def _read_assessments(
    courses_root: Path, competency_slugs: set[str] | None
) -> tuple[dict[str, QuestionBank], list[Problem]]:
    root = courses_root.resolve()
    folder = root / ASSESSMENTS_DIR
    if not folder.is_dir():
        return {}, []
    ctx = _Context(root=root, today=date.today(), stale=False, exercise_slugs=None)
    known = competency_slugs
    if known is None:
        _load_competencies(root / "competencies.yaml", ctx)
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
        bank = _read_bank(path, known, ctx, report)
        if bank is not None:
            banks[bank.competency] = bank
    return banks, sorted(ctx.problems, key=lambda problem: (problem.file, problem.line))


def _read_bank(path: Path, known: set[str] | None, ctx: _Context, report: Report) -> QuestionBank | None:
    """Return one competency's assessment-only questions, or None after reporting its problems."""
    problems_before = len(ctx.problems)
    slug = path.stem
    if known is not None and slug not in known:
        report(1, f"unknown competency '{slug}': name the file after a competency slug in competencies.yaml")
    parsed = _read_yaml_file(path, report)
    if parsed is None:
        return None
    data, lines = parsed
    values = _read_fields(data, lines, _ASSESSMENT_FIELDS, report, missing_line=1)
    questions: list[Question] = []
    ids_seen: set[str] = set()
    for index, item in enumerate(values.get("questions", ())):
        item_lines = lines.node("questions", index)
        if isinstance(item, dict) and "difficulty" not in item:
            label = _label("question", item.get("id"), index)
            report(item_lines.line, f"{label}: missing required field 'difficulty'")
        question = _read_question(item, index, item_lines, report, ids_seen)
        if question is not None:
            questions.append(question)
    if len(ctx.problems) != problems_before:
        return None
    return QuestionBank(competency=slug, questions=tuple(questions), path=path)
