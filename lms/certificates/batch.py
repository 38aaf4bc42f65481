"""Rendering certificate PDFs from plain values, and many of them in worker processes, each replaced after
RENDERS_PER_WORKER renders.

WeasyPrint and Pango keep fonts, glyphs and layouts between documents, so a process that renders thousands of PDFs
keeps growing; rendered by recycled workers, a batch leaves the web or job process as it found it. The workers
fork from a server process that has imported WeasyPrint once (multiprocessing's "forkserver"), so a new one starts
in milliseconds, and they see neither the app nor the database: they get HTML and write a file. Pure: no Flask,
no database (rendering.py turns a certificate into a Printable).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lms import pdf
from lms.files import write_atomically

RENDERS_PER_WORKER = 50  # then the worker exits and a fresh one takes over
# A worker's first render loads the fonts and parses the stylesheet: a couple of PDFs cost less in this process.
IN_PROCESS_UP_TO = 2


def default_workers() -> int:
    """Return how many workers render a batch: half the cores (at least one), leaving the rest to the web."""
    return max(1, (os.cpu_count() or 2) // 2)


@dataclass(frozen=True)
class Printable:
    """One certificate ready to render: its HTML (QR code included), its metadata and its stylesheets (files under
    static/). Plain values, so a worker process renders it without the app or the database."""

    html: str
    title: str
    author: str
    stylesheets: tuple[str, ...]


def render(item: Printable) -> bytes:
    """Render a printable certificate to PDF bytes."""
    return pdf.render_pdf(item.html, title=item.title, author=item.author, stylesheets=item.stylesheets)


@dataclass(frozen=True)
class Rendered:
    """What a batch did: how many PDFs it wrote, and which processes rendered them."""

    count: int
    worker_pids: frozenset[int]


def render_all(items: Sequence[tuple[Printable, Path]], *, workers: int | None = None,
               renders_per_worker: int | None = None, in_process_up_to: int | None = None) -> Rendered:
    """Render each printable certificate to its path (written atomically) and return what was done.

    Up to `in_process_up_to` items (IN_PROCESS_UP_TO) render in this process; more go to `workers` processes
    (default_workers()), each replaced after `renders_per_worker` renders (RENDERS_PER_WORKER). Raises what a
    render raised (the files written before it stay).
    """
    if len(items) <= (IN_PROCESS_UP_TO if in_process_up_to is None else in_process_up_to):
        pids = {_write(item, str(path)) for item, path in items}
        return Rendered(len(items), frozenset(pids))
    # multiprocessing's Pool rather than ProcessPoolExecutor(max_tasks_per_child=...), which deadlocks once a
    # worker retires with tasks still queued on Python 3.11-3.13 (CPython issue gh-115634).
    with _forkserver().Pool(min(workers or default_workers(), len(items)),
                            maxtasksperchild=renders_per_worker or RENDERS_PER_WORKER) as pool:
        pids = set(pool.starmap(_write, [(item, str(path)) for item, path in items], chunksize=1))
    pool.join()  # leaving the block stopped the workers (all idle by then, or after an error the rest)
    return Rendered(len(items), frozenset(pids))


def _write(item: Printable, path: str) -> int:
    """Render one certificate to `path`; returns the id of the process that did (a worker's, or this one's)."""
    write_atomically(Path(path), render(item))
    return os.getpid()


def _forkserver():
    context = multiprocessing.get_context("forkserver")
    # Imported once by the fork server, before it forks any worker (ignored once the server is running).
    context.set_forkserver_preload(["weasyprint", __name__])
    return context
