"""Rendering certificate PDFs from plain values, and many of them in worker processes, each replaced after
RENDERS_PER_WORKER renders.

WeasyPrint, Pango and fontconfig keep fonts, glyphs and layouts between documents, and a process never gives that
memory back; rendered by recycled workers, a batch of hundreds leaves the web or job process as it found it. The
workers fork from a server process that has imported WeasyPrint once (multiprocessing's "forkserver"), and they see
neither the app nor the database: they get HTML and write a file. As with any multiprocessing that does not plainly
fork, the program's main module is imported by each worker, so it must guard its entry point (`if __name__ ==
"__main__"`: gunicorn, flask, rq and pytest do). Pure: no Flask, no database (rendering.py turns a certificate into
a Printable).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lms import pdf
from lms.files import write_atomically

RENDERS_PER_WORKER = 50  # then the worker exits and a fresh one takes over
# A worker's start (fonts loaded, stylesheet parsed) costs about a third of a second, what five renders cost: up to
# that many render in the calling process, whose caches stay the size they are after its first few.
IN_PROCESS_UP_TO = 5


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
               renders_per_worker: int | None = None, in_process_up_to: int | None = None,
               on_done: Callable[[int], None] | None = None) -> Rendered:
    """Render each printable certificate to its path (written atomically) and return what was done; `on_done`
    is called with the number written so far after each one (for a progress bar).

    Up to `in_process_up_to` items (IN_PROCESS_UP_TO) render in this process; more go to `workers` processes
    (default_workers()), each replaced after `renders_per_worker` renders (RENDERS_PER_WORKER). Raises what a
    render raised (the files written before it stay).
    """
    tasks = [(item, str(path)) for item, path in items]
    pids: set[int] = set()
    if len(tasks) <= (IN_PROCESS_UP_TO if in_process_up_to is None else in_process_up_to):
        for done, task in enumerate(tasks, 1):
            pids.add(_write(task))
            if on_done:
                on_done(done)
        return Rendered(len(tasks), frozenset(pids))
    # multiprocessing's Pool rather than ProcessPoolExecutor(max_tasks_per_child=...), which deadlocks once a
    # worker retires with tasks still queued on Python 3.11-3.13 (CPython issue gh-115634).
    with _forkserver().Pool(min(workers or default_workers(), len(tasks)),
                            maxtasksperchild=renders_per_worker or RENDERS_PER_WORKER) as pool:
        for done, pid in enumerate(pool.imap_unordered(_write, tasks), 1):
            pids.add(pid)
            if on_done:
                on_done(done)
    pool.join()  # leaving the block stopped the workers (all idle by then, or after an error the rest)
    return Rendered(len(tasks), frozenset(pids))


def _write(task: tuple[Printable, str]) -> int:
    """Render one certificate to its path; returns the id of the process that did (a worker's, or this one's)."""
    item, path = task
    write_atomically(Path(path), render(item))
    return os.getpid()


def _forkserver():
    context = multiprocessing.get_context("forkserver")
    # Imported once by the fork server, before it forks any worker (ignored once the server is running).
    context.set_forkserver_preload(["weasyprint", __name__])
    return context
