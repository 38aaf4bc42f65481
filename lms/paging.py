"""One page of a long list (workspace records, assignments, learners): the rows and what the pager needs."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class Page:
    """One page of a list: the rows, and enough to draw the pager."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """Return the number of pages (at least one)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        """True when there is a page before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """True when there is a page after this one."""
        return self.page < self.pages
