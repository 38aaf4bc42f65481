"""Faults found in the content tree, and the context that collects them while the tree is read.

Pure (no Flask, no database).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

Report = Callable[[int, str], None]  # report(line, message): one fault in the file being read


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


@dataclass
class ReadContext:
    """What one read of the courses folder knows so far, and the problems it has found."""

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
        """Return `path` relative to the courses folder's parent, as problems name files."""
        return path.relative_to(self.root.parent).as_posix()

    def reporter(self, path: Path) -> Report:
        """Return a report(line, message) that records a problem in `path`."""
        file = self.rel(path)
        return lambda line, message: self.problems.append(Problem(file, line, message))

    def sorted_problems(self) -> list[Problem]:
        """Return the problems found, sorted by file and line (in the order found within a line)."""
        return sorted(self.problems, key=lambda problem: (problem.file, problem.line))
