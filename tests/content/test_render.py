"""render_module and render_inline: lesson Markdown becomes safe HTML with our links and exercise cards."""

from __future__ import annotations

from lms.content.render import render_inline, render_module

CARD = '<div class="exercise-card" data-exercise="{slug}"><a href="/exercises/{slug}">Open the exercise</a></div>'


def module_url(slug: str) -> str | None:
    return None if slug == "retired" else f"/learn/tiny-course/{slug}"


def asset_url(path: str) -> str:
    return f"/assets/tiny-course/{path}"


def exercise_card(slug: str) -> str:
    return CARD.format(slug=slug)


def render(markdown_text: str) -> str:
    return render_module(
        markdown_text, module_url=module_url, asset_url=asset_url, exercise_card=exercise_card
    )


def test_headings_get_slugified_ids_without_permalinks() -> None:
    html = render("## Score, then explain\n")
    assert html == '<h2 id="score-then-explain">Score, then explain</h2>'


def test_basic_markup_survives() -> None:
    html = render("Some **bold**, *emphasis* and `code`.\n\n- one\n- two\n\n---\n\n> quoted\n")
    for fragment in (
        "<strong>bold</strong>",
        "<em>emphasis</em>",
        "<code>code</code>",
        "<li>one</li>",
        "<hr>",
    ):
        assert fragment in html
    assert "<blockquote>" in html


def test_fenced_code_is_rendered_as_pre_code() -> None:
    html = render("```python\nscore = fit * 2 < 10\n```\n")
    assert html == "<pre><code>score = fit * 2 &lt; 10\n</code></pre>"


def test_callout_keeps_its_admonition_classes_and_title() -> None:
    html = render('!!! tip "Try it on your accounts"\n    Pick three accounts.\n')
    assert '<div class="admonition tip">' in html
    assert '<p class="admonition-title">Try it on your accounts</p>' in html
    assert "<p>Pick three accounts.</p>" in html


def test_tables_are_wrapped_so_they_scroll_on_small_screens() -> None:
    html = render("| Account | Score |\n| --- | ---: |\n| Fenwick | 88 |\n")
    assert html.startswith('<div class="table-wrap" tabindex="0">\n<table>')
    assert html.endswith("</table>\n</div>")
    assert '<td align="right">88</td>' in html


def test_link_to_a_module_file_goes_to_the_module_url() -> None:
    html = render("See [tiering](04-tiering.md) and [roles](05-buying-groups.md#roles).\n")
    assert '<a href="/learn/tiny-course/tiering">tiering</a>' in html
    assert '<a href="/learn/tiny-course/buying-groups#roles">roles</a>' in html


def test_link_to_an_unknown_module_keeps_its_text_but_loses_its_href() -> None:
    assert render("See [the old module](07-retired.md).\n") == "<p>See <a>the old module</a>.</p>"


def test_relative_images_and_downloads_go_to_the_asset_url() -> None:
    html = render('![Flow](diagram.svg "The flow")\n\n[Checklist](files/checklist.pdf)\n')
    assert '<img alt="Flow" src="/assets/tiny-course/diagram.svg" title="The flow">' in html
    assert '<a href="/assets/tiny-course/files/checklist.pdf">Checklist</a>' in html


def test_absolute_parent_and_anchor_links_are_not_rewritten() -> None:
    html = render("[a](/help) [b](../other/diagram.svg) [c](#score) ![d](/static/img/logo.svg)\n")
    assert '<a href="/help">a</a>' in html
    assert '<a href="../other/diagram.svg">b</a>' in html
    assert '<a href="#score">c</a>' in html
    assert '<img alt="d" src="/static/img/logo.svg">' in html


def test_external_links_get_noopener_noreferrer() -> None:
    html = render("Read [the study](https://www.example.com/abm) or [mail us](mailto:team@example.com).\n")
    assert '<a href="https://www.example.com/abm" rel="noopener noreferrer">the study</a>' in html
    assert '<a href="mailto:team@example.com">mail us</a>' in html


def test_exercise_embed_becomes_the_trusted_card_html() -> None:
    html = render('Practise it now.\n\n{{ Exercise("target-account-list") }}\n\nThen carry on.\n')
    assert html == (
        "<p>Practise it now.</p>\n" + exercise_card("target-account-list") + "\n<p>Then carry on.</p>"
    )


def test_exercise_embed_needs_no_blank_lines_around_it() -> None:
    html = render('Practise it now.\n{{ Exercise("role-messaging") }}\nThen carry on.\n')
    assert exercise_card("role-messaging") in html
    assert "{{" not in html


def test_exercise_embed_inside_a_code_sample_stays_text() -> None:
    html = render('```\n{{ Exercise("target-account-list") }}\n```\n')
    assert html == '<pre><code>{{ Exercise("target-account-list") }}\n</code></pre>'


def test_script_style_and_iframe_are_removed() -> None:
    html = render(
        "Before\n\n<script>alert('x')</script>\n\n<style>body { display: none }</style>\n\n"
        '<iframe src="https://evil.example"></iframe>\n\nAfter <script>alert(2)</script>\n'
    )
    for forbidden in ("<script", "alert", "<style", "display: none", "<iframe", "evil.example"):
        assert forbidden not in html
    assert "<p>Before</p>" in html and "After" in html


def test_event_handler_attributes_are_removed() -> None:
    html = render('<p onclick="steal()">Click</p>\n\n<img src="x.png" onerror="steal()">\n')
    assert "onclick" not in html and "onerror" not in html and "steal" not in html
    assert "Click" in html


def test_javascript_urls_are_removed() -> None:
    html = render("[Win a prize](javascript:alert(1)) ![x](javascript:alert(2))\n")
    assert "javascript" not in html
    assert "<a>Win a prize</a>" in html


def test_unlisted_classes_and_attributes_from_raw_html_are_dropped() -> None:
    html = render('<div class="admonition tip hacked" style="position:fixed" id="main">Hi</div>\n')
    assert html == '<div class="admonition tip">Hi</div>'


def test_attribute_lists_are_not_enabled() -> None:
    assert render("A paragraph\n{: .danger onclick=x }\n") == "<p>A paragraph\n{: .danger onclick=x }</p>"


def test_a_placeholder_cannot_be_forged_from_the_source() -> None:
    html = render("lmsexercise0000000000000000n0e\n")
    assert html == "<p>lmsexercise0000000000000000n0e</p>"


def test_render_inline_keeps_inline_markup_only() -> None:
    html = render_inline("Right: *tiering* sets the **effort**. See [the guide](https://example.com/tiers).")
    assert html == (
        "Right: <em>tiering</em> sets the <strong>effort</strong>. See "
        '<a href="https://example.com/tiers" rel="noopener noreferrer">the guide</a>.'
    )


def test_render_inline_strips_block_tags_and_raw_html() -> None:
    html = render_inline('# Heading\n\n<script>alert(1)</script><b onclick="x()">bold</b>')
    assert html == "Heading\n\nbold"


def test_many_exercise_embeds_each_get_their_own_card() -> None:
    slugs = [f"exercise-{number}" for number in range(12)]
    html = render("\n\n".join(f'{{{{ Exercise("{slug}") }}}}' for slug in slugs) + "\n")
    assert html == "\n".join(exercise_card(slug) for slug in slugs)


def test_exercise_embed_inside_a_callout_stays_inside_it() -> None:
    html = render(
        '!!! tip "Practise"\n    Try it on your accounts.\n\n    {{ Exercise("role-messaging") }}\n'
    )
    assert html == (
        '<div class="admonition tip">\n<p class="admonition-title">Practise</p>\n'
        "<p>Try it on your accounts.</p>\n" + exercise_card("role-messaging") + "\n</div>"
    )
