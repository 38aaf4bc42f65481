"""Finds the exercises in exercises/: each folder's brief (exercise.md) and checker (check.py).
`load_exercises(root)` returns a {slug: Exercise} registry; `check_exercises(root, ...)` returns the faults
as `path:line: problem`, like the course content check."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from lms.content.loader import ContentError, Problem, split_front_matter

FIELD_TYPES = {"text", "textarea", "number", "choice", "multichoice", "account", "role", "roles", "signal_types",
               "rows"}
REQUIRED = {"title": str, "summary": str, "competencies": list, "modules": list, "pass_mark": int}
OPTIONAL = {"minutes": int, "needs": list, "answer": dict, "review": str, "artefact": dict}
ARTEFACT_FORMATS = ("pdf", "csv", "xlsx")  # what a passed exercise gives the learner to take back to work
REVIEW_MODES = ("coach",)  # review: coach = code cannot judge it; a coach must accept the submission


@dataclass(frozen=True)
class Exercise:
    """One installed exercise: its brief and settings from exercise.md, and its checker from check.py."""

    slug: str
    title: str
    summary: str
    minutes: int
    competencies: tuple[str, ...]
    modules: tuple[str, ...]  # "course-slug/module-slug" that teach it
    pass_mark: int
    needs: tuple[str, ...]
    answer_fields: tuple[dict, ...]  # the answer form's fields, as in the front matter
    brief_markdown: str
    version: str  # hash of exercise.md + check.py: a new version when either changes
    path: Path
    check: Callable[..., Any] = field(repr=False, compare=False)
    review: str | None = None  # "coach": passing the check is not enough, a coach must accept the submission
    # What a passed submission exports, e.g. {"title": "Messaging matrix", "format": "xlsx", "field": "messages"}:
    # pdf renders the whole answer; csv and xlsx render one rows field.
    artefact: dict | None = None


def _import_checker(slug: str, path: Path) -> Callable[..., Any]:
    spec = importlib.util.spec_from_file_location(f"lms_exercise_{slug.replace('-', '_')}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    # Registered before running so dataclasses and typing in check.py can resolve their own module.
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(spec.name, None)
        raise
    check = getattr(module, "check", None)
    if not callable(check):
        raise ImportError("check.py defines no check(workspace, answer) function")
    return check


def _field_problems(fields: Any, rel: str) -> list[Problem]:
    problems = []
    if not isinstance(fields, list):
        return [Problem(rel, 1, "answer.fields must be a list of fields")]
    for i, f in enumerate(fields, 1):
        if not isinstance(f, dict) or "name" not in f or f.get("type") not in FIELD_TYPES:
            problems.append(Problem(rel, 1, f"answer field {i} needs a name and a type from {sorted(FIELD_TYPES)}"))
            continue
        if f["type"] in {"choice", "multichoice"} and not f.get("choices"):
            problems.append(Problem(rel, 1, f"answer field '{f['name']}' needs choices"))
        if f["type"] == "rows":
            problems.extend(_field_problems(f.get("columns"), rel))
    return problems


def _artefact_problems(artefact: Any, fields: list, rel: str) -> list[Problem]:
    if artefact is None or not isinstance(artefact, dict):
        return []
    problems = []
    if not isinstance(artefact.get("title"), str) or not artefact["title"].strip():
        problems.append(Problem(rel, 1, "artefact needs a title"))
    if artefact.get("format") not in ARTEFACT_FORMATS:
        problems.append(Problem(rel, 1, f"artefact format must be one of {list(ARTEFACT_FORMATS)}"))
    elif artefact["format"] != "pdf":
        rows = {f.get("name") for f in fields if isinstance(f, dict) and f.get("type") == "rows"}
        if artefact.get("field") not in rows:
            problems.append(Problem(rel, 1, f"a {artefact['format']} artefact needs field: one of the rows fields "
                                            f"{sorted(n for n in rows if n)}"))
    return problems


def _read(folder: Path, base: Path) -> tuple[Exercise | None, list[Problem]]:
    brief, checker = folder / "exercise.md", folder / "check.py"
    rel = str(brief.relative_to(base))
    if not brief.exists():
        return None, [Problem(str(folder.relative_to(base)), 1, "missing exercise.md")]
    if not checker.exists():
        return None, [Problem(str(folder.relative_to(base)), 1, "missing check.py")]
    text = brief.read_text(encoding="utf-8")
    try:
        meta, body, _ = split_front_matter(text, rel)
    except ContentError as exc:
        return None, list(exc.problems)
    problems = []
    for key, kind in REQUIRED.items():
        if key not in meta:
            problems.append(Problem(rel, 1, f"missing required field '{key}'"))
        elif not isinstance(meta[key], kind):
            problems.append(Problem(rel, 1, f"'{key}' must be a {kind.__name__}"))
    for key, kind in OPTIONAL.items():
        if key in meta and not isinstance(meta[key], kind):
            problems.append(Problem(rel, 1, f"'{key}' must be a {kind.__name__}"))
    if isinstance(meta.get("review"), str) and meta["review"] not in REVIEW_MODES:
        problems.append(Problem(rel, 1, f"'review' must be one of {list(REVIEW_MODES)}"))
    unknown = set(meta) - set(REQUIRED) - set(OPTIONAL)
    problems.extend(Problem(rel, 1, f"unknown field '{key}'") for key in sorted(unknown))
    fields = (meta.get("answer") or {}).get("fields", []) if isinstance(meta.get("answer"), dict) else []
    problems.extend(_field_problems(fields, rel))
    problems.extend(_artefact_problems(meta.get("artefact"), fields, rel))
    if problems:
        return None, problems
    try:
        check = _import_checker(folder.name, checker)
    except Exception as exc:  # noqa: BLE001 - any import failure is a content fault to report, not a crash
        return None, [Problem(str(checker.relative_to(base)), 1, f"check.py does not load: {exc}")]
    version = hashlib.sha256(brief.read_bytes() + checker.read_bytes()).hexdigest()[:16]
    return Exercise(
        slug=folder.name,
        title=meta["title"],
        summary=meta["summary"],
        minutes=int(meta.get("minutes", 20)),
        competencies=tuple(meta["competencies"]),
        modules=tuple(meta["modules"]),
        pass_mark=int(meta["pass_mark"]),
        needs=tuple(meta.get("needs", ())),
        answer_fields=tuple(fields),
        brief_markdown=body,
        version=version,
        path=folder,
        check=check,
        review=meta.get("review"),
        artefact=meta.get("artefact"),
    ), []


def scan(root: Path) -> tuple[dict[str, Exercise], list[Problem]]:
    """Return every loadable exercise under `root` by slug, and the problems of those that are not.

    Read once per process while no file under `root` changes: each app, CLI command and worker builds its registry
    from here, and parsing the briefs and importing the checkers took a tenth of a second or more each time."""
    exercises, problems = _scan(root, _fingerprint(root))
    return dict(exercises), list(problems)


def _fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Every file under `root` (bytecode caches aside) with its modification time and size."""
    if not root.is_dir():
        return ()
    return tuple(sorted((str(path), stat.st_mtime_ns, stat.st_size) for path in root.rglob("*")
                        if "__pycache__" not in path.parts and path.is_file() for stat in (path.stat(),)))


@lru_cache(maxsize=16)
def _scan(root: Path, fingerprint: tuple) -> tuple[dict[str, Exercise], list[Problem]]:
    exercises: dict[str, Exercise] = {}
    problems: list[Problem] = []
    if not root.is_dir():
        return {}, [Problem(str(root), 1, "exercises folder not found")]
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        exercise, found = _read(folder, root.parent)
        problems.extend(found)
        if exercise:
            exercises[exercise.slug] = exercise
    return exercises, problems


def check_exercises(root: Path, module_refs: set[str], competencies: set[str]) -> list[Problem]:
    """Return the exercises' faults, including modules ("course/module") and competencies that don't exist."""
    exercises, problems = scan(root)
    for ex in exercises.values():
        rel = str((ex.path / "exercise.md").relative_to(root.parent))
        problems.extend(Problem(rel, 1, f"unknown module '{m}' (use course-slug/module-slug)")
                        for m in ex.modules if m not in module_refs)
        problems.extend(Problem(rel, 1, f"unknown competency '{c}'") for c in ex.competencies if c not in competencies)
        if not 0 <= ex.pass_mark <= 100:
            problems.append(Problem(rel, 1, "pass_mark must be between 0 and 100"))
    return problems


def load_exercises(root: Path) -> dict[str, Exercise]:
    """Return the {slug: Exercise} registry; raises ContentError if any exercise is faulty."""
    exercises, problems = scan(root)
    if problems:
        raise ContentError(problems)
    return exercises
