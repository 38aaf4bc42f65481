"""The PDF renderer's process-level settings: the garbage collector while a document renders, and a warm-up that
leaves a thread (and the processes forked from it) ready to render."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pyphen
import pytest

from lms import pdf
from tests.conftest import HYPHENATED_HEADINGS

TINY_SVG = ("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='4' height='4'%3E"
            "%3Crect width='4' height='4'/%3E%3C/svg%3E")


def in_a_new_thread(fn: Callable[[], object]) -> object:
    """Run `fn` in a thread of its own (whose renderer caches start empty); return what it returned, or raise what
    it raised."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(fn).result(timeout=120)


def test_a_render_collects_garbage_less_often_and_then_leaves_the_collector_as_it_was(monkeypatch):
    during = []
    real_fetch = pdf.fetch

    def fetch(url, *args, **kwargs):  # WeasyPrint asks for the picture in the middle of the render
        during.append(gc.get_threshold())
        return real_fetch(url, *args, **kwargs)

    monkeypatch.setattr(pdf, "fetch", fetch)
    before = gc.get_threshold()
    data = pdf.render_pdf(f'<p>A picture: <img src="{TINY_SVG}" alt=""></p>')
    assert data.startswith(b"%PDF")
    assert during == [(max(pdf.RENDER_GC_THRESHOLD, before[0]), *before[1:])]
    assert gc.get_threshold() == before


def test_overlapping_renders_in_two_threads_restore_the_collector_when_the_last_one_ends():
    before = gc.get_threshold()
    raised = (max(pdf.RENDER_GC_THRESHOLD, before[0]), *before[1:])
    first_in, second_done = threading.Event(), threading.Event()
    seen = {}

    def first() -> None:
        with pdf.fewer_collections():
            first_in.set()
            second_done.wait(30)
            seen["first, after the second ended"] = gc.get_threshold()

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(30)
    with pdf.fewer_collections():
        seen["second"] = gc.get_threshold()
    second_done.set()
    thread.join(30)
    assert seen == {"second": raised, "first, after the second ended": raised}
    assert gc.get_threshold() == before


def test_a_render_that_fails_still_restores_the_collector():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), pdf.fewer_collections():
        raise RuntimeError("the render failed")
    assert gc.get_threshold() == before


def test_after_a_warm_up_a_render_sets_nothing_up(renderer_setups):
    """The rq worker warms up before it forks a work horse per job: each job then renders with the fonts and
    stylesheets ready, and the hyphenation patterns of report headings read, instead of setting them up again."""
    html = HYPHENATED_HEADINGS

    def cold() -> list[str]:
        pdf.render_pdf(html, stylesheets=("css/reports-pdf.css",))
        return list(renderer_setups)

    assert in_a_new_thread(cold) == ["font configuration", "stylesheet", "hyphenation patterns"]
    renderer_setups.clear()
    pyphen.hdcache.clear()  # the patterns are the process's: forgotten, as in a new process

    def warm() -> list[str]:
        pdf.warm_up(("css/reports-pdf.css",))
        renderer_setups.clear()
        data = pdf.render_pdf(html, stylesheets=("css/reports-pdf.css",))
        assert data.startswith(b"%PDF")
        return list(renderer_setups)

    assert in_a_new_thread(warm) == []


def test_every_pdf_template_is_in_the_language_whose_hyphenation_the_warm_up_reads():
    """The warm-up reads the hyphenation patterns of pdf.LANG: a PDF template in another language would have its
    work horse read its own again for every job."""
    from lms.config import ROOT

    pdf_templates = [path for path in (ROOT / "templates").rglob("*.html")
                     if path.parent.name == "pdf" or path.name == "pdf.html"]
    assert len(pdf_templates) == 4, pdf_templates  # the certificate, the report, the artefact, the handoff brief
    for path in pdf_templates:
        assert f'<html lang="{pdf.LANG}">' in path.read_text(encoding="utf-8"), path
