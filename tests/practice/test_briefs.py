"""lms/practice/briefs.py: three-space list indents (CommonMark style) render as nested lists."""

from __future__ import annotations

from lms.content.render import render_module
from lms.practice.briefs import list_indents_for_markdown
from lms.practice.registry import scan
from tests.practice.snapshot_builders import EXERCISES


def render(text: str) -> str:
    return render_module(list_indents_for_markdown(text), module_url=lambda _: None, asset_url=lambda p: p,
                         exercise_card=lambda _: "")


def test_nested_items_and_paragraphs_indented_by_three_spaces_stay_in_their_list_item():
    text = "1. **Fit the channel.** Keep to these lengths:\n   - email: 50-200 words\n   - ad: 150 characters\n\n" \
           "   A paragraph of the same item.\n\n2. Next step\n\nAfter the list.\n"
    html = render(text)
    assert "<ul>\n<li>email: 50-200 words</li>" in html
    assert "<p>A paragraph of the same item.</p>" in html and "<pre>" not in html
    assert html.rstrip().endswith("<p>After the list.</p>")


def test_lines_outside_lists_and_in_fenced_code_are_left_alone():
    text = "Intro\n  still the intro\n\n```\n   code\n```\n- item\n    four spaces already\n"
    assert list_indents_for_markdown(text) == text


def test_every_brief_renders_without_run_together_lists():
    exercises, _ = scan(EXERCISES)
    for exercise in exercises.values():
        html = render(exercise.brief_markdown)
        assert ": - " not in html, exercise.slug  # a nested list run into its parent's text
