"""One module file, courses/<course>/NN-<module-slug>.md: its front matter, questions and Markdown body.

Pure (no Flask, no database). EXERCISE_MACRO and MODULE_FILE are the file format render.py follows too.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from lms.content.catalogue import Module
from lms.content.fields import Field, read_fields
from lms.content.freshness import review_state
from lms.content.problems import ReadContext, Report
from lms.content.quality import check_figures, check_questions
from lms.content.questions import read_questions
from lms.content.yaml_lines import Lines, YamlFault, parse_yaml, split_front

MINUTES_MIN, MINUTES_MAX = 5, 10
DEFAULT_REVIEW_EVERY_DAYS = 90

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

MODULE_FIELDS = {
    "title": Field("text"),
    "minutes": Field("int"),
    "competencies": Field("texts"),
    "objectives": Field("texts", non_empty=True),
    "owner": Field("text"),
    "last_reviewed": Field("date"),
    "review_every_days": Field("int", required=False),
    "exercises": Field("texts", required=False),
    "questions": Field("list"),
}


def load_module(path: Path, course_dir: Path, position: int, ctx: ReadContext, listed: bool) -> Module | None:
    """Return the module in `path`, or None after reporting its problems to `ctx`.

    `listed` says whether course.yaml lists it: only listed modules count towards competency coverage.
    """
    report = ctx.reporter(path)
    problems_before = len(ctx.problems)
    raw = path.read_bytes()
    parsed = _read_front_matter(raw, report)
    if parsed is None:
        ctx.coverage_known = ctx.coverage_known and not listed
        return None
    meta, lines, body, body_line = parsed
    values = read_fields(meta, lines, MODULE_FIELDS, report, missing_line=1)
    if listed and "competencies" not in values:
        ctx.coverage_known = False
    _check_teaching(values, lines, ctx, report, listed)
    every = _check_review(values, lines, ctx, report)
    questions = read_questions(values.get("questions"), lines, report)
    if questions is not None:
        check_questions(questions, lines, report)
    check_body(body, body_line, course_dir, ctx, report)
    check_figures(body, body_line, report)

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


def _read_front_matter(raw: bytes, report: Report) -> tuple[dict[Any, Any], Lines, str, int] | None:
    """Return (front matter, its line tree, body, body's first line), or None after reporting why not."""
    try:
        yaml_text, body, body_line = split_front(raw.decode("utf-8-sig"))
        meta, lines, duplicates = parse_yaml(yaml_text, offset=1)
    except (UnicodeDecodeError, YamlFault) as exc:
        fault = exc if isinstance(exc, YamlFault) else YamlFault(1, "file is not valid UTF-8")
        report(fault.line, fault.message)
        return None
    for line, key in duplicates:
        report(line, f"duplicate field '{key}'")
    if not isinstance(meta, dict):
        report(lines.line, "front matter must be a mapping of fields")
        return None
    return meta, lines, body, body_line


def _check_teaching(
    values: dict[str, Any], lines: Lines, ctx: ReadContext, report: Report, listed: bool
) -> None:
    """Report a bad length, unknown competencies and exercises; count what a listed module teaches."""
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


def _check_review(values: dict[str, Any], lines: Lines, ctx: ReadContext, report: Report) -> int:
    """Report a bad review interval, a review date in the future and (with ctx.stale) an overdue review.

    Returns the review interval in days.
    """
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
    return every


def check_body(body: str, body_line: int, course_dir: Path, ctx: ReadContext, report: Report) -> None:
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
