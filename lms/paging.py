"""One page of a long list (workspace records, assignments, learners): the rows and what the pager needs."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from lms.extensions import db


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


def paginate(stmt: Select, page: int, per_page: int, *, total: int | None = None, scalars: bool = False) -> Page:
    """Return one Page of `stmt`'s rows; `page` is clamped to the pages there are.

    Two queries (the number of rows, then the page's rows), one when `total` is already known, and one when there is
    nothing to list. Items are the result rows, or with `scalars` the first column's values (e.g. ORM objects).
    """
    if total is None:
        total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    if total == 0:
        return Page([], 1, per_page, 0)
    page = max(1, min(page, math.ceil(total / per_page)))
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    return Page(list(result.scalars()) if scalars else list(result.all()), page, per_page, total)
