"""Content quality rules: right answers that are not simply the longest, options that do not repeat, research
figures that name their source."""

from __future__ import annotations

from lms.content.catalogue import Option, Question
from lms.content.quality import (
    check_figures,
    check_questions,
    correct_is_longest,
    longest_correct_share,
    paragraphs,
    unsourced_figures,
)
from lms.content.yaml_lines import parse_yaml


def question(qid: str, right: str, *wrong: str, kind: str = "single") -> Question:
    options = (Option(right, True, "why"), *(Option(w, False, "why not") for w in wrong))
    return Question(qid, kind, "prompt?", "explained", options)


LONG = question("q1", "The evidence behind the score, so sales can check it", "A higher score", "Nothing")
SHORT = question("q2", "Tier 1:few", "Tier 1:1, because the account is large and complex", "Tier 1:many")
TIED = question("q3", "Same length", "Same lengths", "Short")


def lines_for(count: int):
    text = "questions:\n" + "".join(f"  - id: q{i}\n" for i in range(count))
    return parse_yaml(text, offset=1)[1]


def collect():
    found = []
    return found, lambda line, message: found.append((line, message))


def test_the_longest_right_answer_is_found_and_ties_or_multiple_choice_do_not_count():
    assert correct_is_longest(LONG) and not correct_is_longest(SHORT) and not correct_is_longest(TIED)
    assert not correct_is_longest(question("m", "A much longer right answer here", "b", kind="multiple"))


def test_a_module_whose_right_answers_are_mostly_the_longest_is_reported():
    found, report = collect()
    check_questions([LONG, LONG, SHORT], lines_for(3), report)
    assert len(found) == 1 and "67%" in found[0][1] and found[0][0] == 2  # the line of `questions:`


def test_half_or_fewer_is_accepted():
    found, report = collect()
    check_questions([LONG, SHORT], lines_for(2), report)
    assert found == [] and longest_correct_share([LONG, SHORT]) == 0.5


def test_an_option_that_repeats_is_reported_at_its_question():
    found, report = collect()
    check_questions([question("q0", "No", "Maybe", "maybe ")], lines_for(1), report)
    assert found == [(3, "question 'q0': the option 'maybe' appears twice")]  # the line of its `- id:`


def test_a_research_figure_without_a_year_is_reported_at_its_paragraph():
    body = "Intro line.\n\nA survey found that 84% of marketers saw better retention.\nIt went on.\n"
    found, report = collect()
    check_figures(body, 10, report)
    assert len(found) == 1 and found[0][0] == 12 and "'84%'" in found[0][1]


def test_a_sourced_figure_a_worked_example_and_a_table_are_accepted():
    body = ("ITSMA's benchmark (ITSMA, 2019) found 84% saw better retention.\n\n"
            "Coverage is 3 of 4 roles, 75%, so add the finance contact.\n\n"
            "| Measure | Formula |\n| --- | --- |\n| Share | 100% of accounts surveyed |\n")
    found, report = collect()
    check_figures(body, 1, report)
    assert found == []


def test_a_share_of_people_is_a_claim_whatever_the_verb():
    assert unsourced_figures("61% of B2B marketers say alignment is their top problem.") == ["61%"]


def test_code_fences_are_not_paragraphs():
    assert paragraphs("```\n84% of marketers found\n```\nText\n", 1) == [(4, "Text")]
