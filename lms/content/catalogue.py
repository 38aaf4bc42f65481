"""What the loader returns: competencies, courses, modules, questions and question banks (frozen dataclasses).

Pure (no Flask, no database).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

DEFAULT_DIFFICULTY = 2  # module questions that do not say


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
    prework: tuple[str, ...]  # module slugs to finish before a workshop session of this course
    attendance_required: bool  # completing the course needs a workshop session attended
    follow_up_days: int  # the follow-up exercises are due this many days after the session
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


@dataclass(frozen=True)
class QuestionBank:
    """The assessment-only questions of one competency, from courses/assessments/<competency-slug>.yaml."""

    competency: str
    questions: tuple[Question, ...]
    path: Path
