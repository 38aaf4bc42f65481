"""Paging arithmetic for the API's lists: which rows a page holds and whether there are pages around it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    """Page `page` (from 1) of `per_page` items out of `total`."""

    page: int
    per_page: int
    total: int

    @property
    def offset(self) -> int:
        """How many items come before this page."""
        return (self.page - 1) * self.per_page

    @property
    def pages(self) -> int:
        """How many pages there are (at least one, empty when there is nothing)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        """True from page 2 on; a page past the end points back to the last page."""
        return self.page > 1

    @property
    def previous_page(self) -> int:
        return min(self.page - 1, self.pages)
