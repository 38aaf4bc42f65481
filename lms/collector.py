"""Pausing Python's cycle collector around work that builds many long-lived objects and frees none of them."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector for a block (or a decorated function); reference counting still frees.

    An import keeps a few containers per cell alive until it ends, and a check keeps a snapshot of 40,000 contacts
    and its findings: the collector scans them again and again without finding anything to free, a quarter to a
    third of the time. Resumes only if it was running, so a nested or concurrent block leaves it as it found it.
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()
