"""Content quality rules `flask lms content check` holds: questions that measure, figures that name their source.

Pure (no Flask, no database). A knowledge check whose right answer is usually the longest option measures
test-wiseness, not judgement; a figure without a publisher and a year cannot be checked by the learner.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lms.content.catalogue import Question
from lms.content.problems import Report
from lms.content.yaml_lines import Lines

MAX_LONGEST_CORRECT_SHARE = 0.5  # of a module's single-choice questions
# A figure: a percentage, a multiple ("208% more", "3x"), or a count of people or organisations surveyed.
_FIGURE = re.compile(
    r"\d+(?:\.\d+)?\s?(?:%|per ?cent\b|x\b|times\b)"
    r"|\b\d[\d,]*\s+(?:respondents|marketers|companies|organisations|organizations|firms|businesses|buyers|"
    r"B2B buyers|executives|sellers|salespeople|decision[- ]makers|people)\b", re.IGNORECASE)
# Words that make a figure a claim about the world rather than a worked example.
_CLAIM = re.compile(r"\b(?:stud(?:y|ies)|survey(?:ed|s)?|research(?:ers)?|reported|benchmark|found|finds|according to|"
                    r"respondents|poll(?:ed)?|estimat(?:e|es|ed|ing)|predict(?:s|ed|ion)?)\b", re.IGNORECASE)
# "61% of B2B marketers ..." is a claim about the world whatever verb follows.
_SHARE_OF_PEOPLE = re.compile(r"%\s+of\s+(?:[\w-]+\s+){0,3}(?:marketers|companies|organisations|organizations|firms|"
                              r"businesses|buyers|executives|sellers|respondents|teams|leaders|professionals|"
                              r"salespeople|reps|deals|accounts)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19[89]\d|20[0-4]\d)\b")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def correct_is_longest(question: Question) -> bool:
    """True when a single-choice question's correct option is strictly longer than every other option."""
    if question.type != "single":
        return False
    correct = [o for o in question.options if o.correct]
    others = [o for o in question.options if not o.correct]
    if len(correct) != 1 or not others:
        return False
    return len(correct[0].text.strip()) > max(len(o.text.strip()) for o in others)


def longest_correct_share(questions: Sequence[Question]) -> float:
    """Return the share of single-choice questions whose correct option is the longest (0 when there are none)."""
    single = [q for q in questions if q.type == "single"]
    return sum(correct_is_longest(q) for q in single) / len(single) if single else 0.0


def check_questions(questions: Sequence[Question], lines: Lines, report: Report) -> None:
    """Report options that repeat within a question, and a module whose right answers are usually the longest."""
    for index, question in enumerate(questions):
        seen: set[str] = set()
        for option in question.options:
            key = " ".join(option.text.lower().split())
            if key in seen:
                report(lines.node("questions", index).line,
                       f"question '{question.id}': the option '{option.text.strip()}' appears twice")
            seen.add(key)
    share = longest_correct_share(questions)
    if share > MAX_LONGEST_CORRECT_SHARE:
        longest = [q.id for q in questions if correct_is_longest(q)]
        report(lines.at("questions"),
               f"the correct option is the longest in {share:.0%} of the single-choice questions "
               f"({', '.join(longest)}): at most {MAX_LONGEST_CORRECT_SHARE:.0%}, or learners pass by picking the "
               f"longest answer. Make a distractor the longest, or shorten the right answer")


def paragraphs(body: str, first_line: int) -> list[tuple[int, str]]:
    """Return the body's paragraphs outside code fences as (first line number, text)."""
    found: list[tuple[int, str]] = []
    current: list[str] = []
    start, fence = first_line, None
    for number, line in enumerate(body.splitlines(), start=first_line):
        match = _FENCE.match(line)
        if fence is not None or match:
            fence = None if fence is not None and match else (match.group(1) if match else fence)
            continue
        if line.strip() and not line.lstrip().startswith("|"):  # tables hold worked figures, not claims
            if not current:
                start = number
            current.append(line.strip().lstrip(">!").strip())
        elif current:
            found.append((start, " ".join(current)))
            current = []
    if current:
        found.append((start, " ".join(current)))
    return found


def unsourced_figures(text: str) -> list[str]:
    """Return the figures in a paragraph that make a claim about the world without a year of publication."""
    if _YEAR.search(text) or not (_CLAIM.search(text) or _SHARE_OF_PEOPLE.search(text)):
        return []
    return [m.group(0) for m in _FIGURE.finditer(text)]


def check_figures(body: str, body_line: int, report: Report) -> None:
    """Report each paragraph that quotes a research figure without its source (publisher and year)."""
    for line, text in paragraphs(body, body_line):
        figures = unsourced_figures(text)
        if figures:
            report(line, f"the figure {figures[0]!r} is quoted as research but names no source: give the publisher "
                         "and year in the same paragraph, e.g. (ITSMA, 2019), or take it out")
