"""Renders lesson Markdown to safe HTML: one configured Markdown, our link and exercise handling, then nh3.

Called at content sync and the result stored: rendering a lesson costs ~10 ms, too much for every request.
"""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.admonition import AdmonitionExtension
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from lms.content.module_files import EXERCISE_MACRO, MODULE_FILE

CALLOUT_KINDS = ("tip", "note", "warning", "example")
EXTERNAL_REL = "noopener noreferrer"

ModuleUrl = Callable[[str], str | None]
AssetUrl = Callable[[str], str]
ExerciseCard = Callable[[str], str]

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_ALIGN = {"left", "center", "right"}
_URL_SCHEMES = {"http", "https", "mailto"}
# script and style lose their content too; every other tag outside the allow-list is dropped, text kept.
_CLEAN_CONTENT_TAGS = {"script", "style"}

_LESSON_CLEANER = nh3.Cleaner(
    tags=_HEADINGS
    | {"p", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "code", "pre", "blockquote"}
    | {"a", "img", "div", "strong", "em", "hr", "br"},
    clean_content_tags=_CLEAN_CONTENT_TAGS,
    attributes={
        **{heading: {"id"} for heading in _HEADINGS},
        "a": {"href", "title"},
        "img": {"src", "alt", "title"},
        "ol": {"start"},
    },
    # Attributes we add ourselves, allowed only with the values we add.
    tag_attribute_values={
        "a": {"rel": {EXTERNAL_REL}},
        "th": {"align": _ALIGN},
        "td": {"align": _ALIGN},
        "div": {"tabindex": {"0"}},
    },
    allowed_classes={"div": {"admonition", *CALLOUT_KINDS, "table-wrap"}, "p": {"admonition-title"}},
    url_schemes=_URL_SCHEMES,
    link_rel=None,  # added to external links only, by _Rewrite
    strip_comments=True,
)
_INLINE_CLEANER = nh3.Cleaner(
    tags={"a", "strong", "em", "code", "br"},
    clean_content_tags=_CLEAN_CONTENT_TAGS,
    attributes={"a": {"href", "title"}},
    tag_attribute_values={"a": {"rel": {EXTERNAL_REL}}},
    url_schemes=_URL_SCHEMES,
    link_rel=None,
    strip_comments=True,
)


def make_markdown(extensions: Iterable[Extension] = ()) -> markdown.Markdown:
    """Return a new Markdown converter configured for lessons, with `extensions` added.

    Tables, fenced code, callouts (admonition), heading ids without permalinks, sane lists; no attr_list,
    so authors cannot set classes or attributes. A converter keeps state: use one per document.
    """
    return markdown.Markdown(
        extensions=[
            TableExtension(use_align_attribute=True),
            FencedCodeExtension(),
            AdmonitionExtension(),
            TocExtension(permalink=False),
            SaneListExtension(),
            *extensions,
        ],
        output_format="html",
    )


def render_module(
    markdown_text: str,
    *,
    module_url: ModuleUrl,
    asset_url: AssetUrl,
    exercise_card: ExerciseCard,
) -> str:
    """Return a module body as sanitised HTML.

    Links to `NN-slug.md` go to `module_url(slug)` (no link if it returns None); other relative links and
    images go to `asset_url(path)`; each `{{ Exercise("slug") }}` line becomes `exercise_card(slug)`, which
    is trusted and inserted after sanitising. Raw HTML in the source is stripped.
    """
    cards: dict[str, str] = {}
    lesson = _LessonExtension(
        module_url=module_url, asset_url=asset_url, exercise_card=exercise_card, cards=cards
    )
    html = _LESSON_CLEANER.clean(make_markdown([lesson]).convert(markdown_text))
    for token, card in cards.items():
        html = html.replace(f"<p>{token}</p>", card).replace(token, card)
    return html


def render_inline(text: str) -> str:
    """Return a short Markdown string (feedback, an explanation) as sanitised HTML with inline markup only.

    Paragraph and other block tags are dropped, keeping their text; external links get rel="noopener noreferrer".
    """
    lesson = _LessonExtension(module_url=None, asset_url=None, exercise_card=None, cards={})
    return _INLINE_CLEANER.clean(make_markdown([lesson]).convert(text)).strip()


class _LessonExtension(Extension):
    def __init__(
        self,
        *,
        module_url: ModuleUrl | None,
        asset_url: AssetUrl | None,
        exercise_card: ExerciseCard | None,
        cards: dict[str, str],
    ) -> None:
        super().__init__()
        self.module_url = module_url
        self.asset_url = asset_url
        self.exercise_card = exercise_card
        self.cards = cards

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        if self.exercise_card is not None:
            # After fenced_code_block (25) has stashed code, so an embed shown in a code sample stays text.
            md.preprocessors.register(
                _ExerciseEmbeds(md, self.exercise_card, self.cards), "lms_exercises", 22
            )
        # After "inline" (20) has made the <a> and <img> elements, before "prettify" (10) lays them out.
        md.treeprocessors.register(_Rewrite(md, self.module_url, self.asset_url), "lms_rewrite", 15)


class _ExerciseEmbeds(Preprocessor):
    """Swaps each embed line for a placeholder paragraph; render_module puts the card there after nh3."""

    def __init__(self, md: markdown.Markdown, exercise_card: ExerciseCard, cards: dict[str, str]) -> None:
        super().__init__(md)
        self.exercise_card = exercise_card
        self.cards = cards
        # Letters and digits only, so Markdown leaves it alone; random, so the source cannot forge one.
        self.prefix = f"lmsexercise{secrets.token_hex(8)}n"

    def run(self, lines: list[str]) -> list[str]:
        result: list[str] = []
        for line in lines:
            match = EXERCISE_MACRO.match(line)
            if match is None:
                result.append(line)
                continue
            # The closing "e" keeps token 1 from matching the start of token 10.
            token = f"{self.prefix}{len(self.cards)}e"
            self.cards[token] = self.exercise_card(match["slug"])
            # Its own paragraph, at the embed's indentation so a card inside a callout stays inside it.
            result.extend(["", match["indent"] + token, ""])
        return result


class _Rewrite(Treeprocessor):
    """Points module links and course files at their URLs, marks external links, wraps tables to scroll."""

    def __init__(
        self, md: markdown.Markdown, module_url: ModuleUrl | None, asset_url: AssetUrl | None
    ) -> None:
        super().__init__(md)
        self.module_url = module_url
        self.asset_url = asset_url

    def run(self, root: etree.Element) -> None:
        for link in root.iter("a"):
            href = link.get("href")
            if href is None:
                continue
            if _is_external(href):
                link.set("rel", EXTERNAL_REL)
                continue
            target = self._local_url(href)
            if target is None:
                del link.attrib["href"]
            else:
                link.set("href", target)
        for image in root.iter("img"):
            src = image.get("src")
            if src is not None and not _is_external(src):
                image.set("src", self._local_url(src) or "")
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag == "table":
                    # Wide tables scroll inside this box on a phone instead of widening the page; tabindex
                    # lets keyboard users scroll it too.
                    wrapper = etree.Element("div", {"class": "table-wrap", "tabindex": "0"})
                    wrapper.tail, child.tail = child.tail, None
                    parent[index] = wrapper
                    wrapper.append(child)

    def _local_url(self, url: str) -> str | None:
        """Return where a link inside the site should point; None drops a link to an unknown module."""
        parts = urlsplit(url)
        if parts.scheme or not parts.path or parts.path.startswith("/"):
            return url  # same-page anchors, site paths, mailto:; nh3 drops unsafe schemes
        path = unquote(parts.path)
        if ".." in PurePosixPath(path).parts:
            return url  # outside the course folder: not ours to serve (the content check reports it)
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        module = MODULE_FILE.match(path)
        if module is not None:
            if self.module_url is None:
                return url
            target = self.module_url(module["slug"])
            return None if target is None else target + fragment
        if self.asset_url is None:
            return url
        return self.asset_url(path) + fragment


def _is_external(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") or (not parts.scheme and bool(parts.netloc))
