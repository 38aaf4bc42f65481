"""What an assessment bank (courses/assessments/<competency>.yaml) needs so its papers measure something.

Enough questions at each difficulty for two papers that share nothing (the pre- and the post-course paper),
questions of its own (not a module's knowledge check, not another bank's), and options that do not give the
answer away. Pure (no Flask, no database).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

from lms.content.catalogue import Question
from lms.content.problems import Report

MIN_QUESTIONS = 10
MIN_BY_DIFFICULTY = {1: 3, 2: 4, 3: 3}
DIFFICULTY_NAMES = {1: "easy", 2: "medium", 3: "hard"}
# Questions per competency on one paper, by difficulty: the default of the LMS_ASSESSMENT_MIX setting.
DEFAULT_PAPER_MIX: dict[int, int] = {1: 1, 2: 2, 3: 1}
PARALLEL_PAPERS = 2  # a learner's pre- and post-course papers never share a question
MAX_LONGEST_CORRECT = 1 / 3  # share of a bank's questions whose longest option may be a correct one


def shortfalls(counts: Mapping[int, int], mix: Mapping[int, int], papers: int = 1) -> list[tuple[int, int, int]]:
    """Return (difficulty, questions there are, questions needed) for each difficulty that is short.

    `papers` disjoint papers at `mix` (questions per difficulty on one paper) need papers x mix[d] questions of
    difficulty d; [] when the bank can supply them.
    """
    return [(d, counts.get(d, 0), papers * n) for d, n in sorted(mix.items()) if n > 0 and counts.get(d, 0) < papers * n]


def describe_mix(mix: Mapping[int, int]) -> str:
    """Return a mix in words: {1: 1, 2: 2, 3: 1} -> "1 easy, 2 medium, 1 hard"."""
    return ", ".join(f"{n} {DIFFICULTY_NAMES.get(d, str(d))}" for d, n in sorted(mix.items()) if n > 0)


def same_text(text: str) -> str:
    """Return `text` reduced to lower-case words, so "Sales, agreed." and "sales agreed" compare equal."""
    return " ".join(re.findall(r"[a-z0-9%£$€−-]+", text.casefold()))


def longest_is_correct(question: Question) -> bool:
    """Return True when the question has one strictly longest option (by characters) and it is a correct one."""
    lengths = sorted((len(option.text.strip()), option.correct) for option in question.options)
    return len(lengths) > 1 and lengths[-1][0] > lengths[-2][0] and lengths[-1][1]


def check_bank(
    competency: str,
    questions: Iterable[tuple[Question, int]],
    report: Report,
    mix: Mapping[int, int] | None = None,
) -> None:
    """Report what keeps one competency's bank from supporting a capability claim (questions with their lines).

    Too few questions overall or at a difficulty; too few for two disjoint papers at `mix` (DEFAULT_PAPER_MIX
    when None); the correct option the longest in more than a third of the questions; two options of a
    question that say the same thing. Problems about the whole bank are reported at line 1.
    """
    listed = list(questions)
    counts = Counter(question.difficulty for question, _ in listed)
    if len(listed) < MIN_QUESTIONS:
        report(1, f"the bank for '{competency}' has {len(listed)} questions; at least {MIN_QUESTIONS} are needed "
                  "so that a learner's pre- and post-course papers can each draw different ones")
    for difficulty, needed in MIN_BY_DIFFICULTY.items():
        if counts[difficulty] < needed:
            report(1, f"the bank for '{competency}' has {counts[difficulty]} {DIFFICULTY_NAMES[difficulty]} "
                      f"(difficulty {difficulty}) questions; at least {needed} are needed")
    paper_mix = dict(mix) if mix is not None else dict(DEFAULT_PAPER_MIX)
    short = shortfalls(counts, paper_mix, PARALLEL_PAPERS)
    if short:
        missing = "; ".join(f"{need} {DIFFICULTY_NAMES.get(d, d)} needed, {have} written" for d, have, need in short)
        report(1, f"the bank for '{competency}' cannot supply two papers that share no question at the mix "
                  f"{describe_mix(paper_mix)} per paper ({missing}): the post-course paper could not be drawn")
    longest = [question.id for question, _ in listed if longest_is_correct(question)]
    if listed and len(longest) > MAX_LONGEST_CORRECT * len(listed):
        report(1, f"the correct option is the longest in {len(longest)} of {len(listed)} questions "
                  f"({', '.join(longest)}): a learner who picks the longest option passes without knowing why; "
                  "make a distractor the longest or shorten the answer until it is a third at most")
    for question, line in listed:
        seen: dict[str, int] = {}
        for number, option in enumerate(question.options, start=1):
            text = same_text(option.text)
            if text in seen:
                report(line, f"question '{question.id}': options {seen[text]} and {number} say the same thing")
            seen.setdefault(text, number)


def check_shared(
    banks: Mapping[str, Iterable[tuple[Question, int]]],
    module_prompts: Mapping[str, str],
    reporters: Mapping[str, Report],
) -> None:
    """Report a bank question whose prompt is a module question's, or another bank question's, prompt.

    `banks` maps a competency to its questions with their lines, `module_prompts` a module question's prompt
    (reduced by same_text) to where it is ("course/module#id"), `reporters` a competency to its file's report.
    A module question has already been answered, with its feedback, by the time of the post-course paper; a
    question in two banks could land twice on one paper.
    """
    first: dict[str, str] = {}
    for competency in sorted(banks):
        report = reporters[competency]
        for question, line in banks[competency]:
            prompt = same_text(question.prompt)
            if prompt in module_prompts:
                report(line, f"question '{question.id}' repeats the module question {module_prompts[prompt]}: "
                             "learners have answered it in the module, so write an assessment-only question")
            if prompt in first:
                report(line, f"question '{question.id}' repeats {first[prompt]}: each bank question is asked once")
            first.setdefault(prompt, f"{competency}#{question.id}")

