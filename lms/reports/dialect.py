"""SQL that differs between SQLite and PostgreSQL: week and month starts, adding days, an index hint, an INSERT
that can say ON CONFLICT, and reading back the dates and timestamps SQLite returns as text.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


def upsert(model):
    """INSERT into `model`'s table for the app's database, with its on_conflict_do_update (SQLite or PostgreSQL)."""
    from lms.extensions import db

    return (postgresql if db.engine.dialect.name == "postgresql" else sqlite).insert(model)


class week_start_of(FunctionElement):  # noqa: N801 - reads like the SQL function it stands for
    """The Monday (a DATE) of the week of a timestamp."""

    type = Date()
    name = "week_start_of"
    inherit_cache = True


class month_start_of(FunctionElement):  # noqa: N801
    """The first day (a DATE) of the month of a timestamp."""

    type = Date()
    name = "month_start_of"
    inherit_cache = True


class plus_days(FunctionElement):  # noqa: N801
    """A timestamp plus a whole number of days: plus_days(column, literal_column("30"))."""

    type = DateTime()
    name = "plus_days"
    inherit_cache = True


def _args(element, compiler, **kw) -> list[str]:
    return [compiler.process(clause, **kw) for clause in element.clauses]


@compiles(week_start_of, "sqlite")
def _week_sqlite(element, compiler, **kw):
    return "date({}, '-6 days', 'weekday 1')".format(*_args(element, compiler, **kw))


@compiles(week_start_of)
def _week_pg(element, compiler, **kw):
    return "CAST(date_trunc('week', {}) AS DATE)".format(*_args(element, compiler, **kw))


@compiles(month_start_of, "sqlite")
def _month_sqlite(element, compiler, **kw):
    return "date({}, 'start of month')".format(*_args(element, compiler, **kw))


@compiles(month_start_of)
def _month_pg(element, compiler, **kw):
    return "CAST(date_trunc('month', {}) AS DATE)".format(*_args(element, compiler, **kw))


@compiles(plus_days, "sqlite")
def _plus_days_sqlite(element, compiler, **kw):
    # SQLAlchemy stores SQLite datetimes as "YYYY-MM-DD HH:MM:SS.ffffff"; %f gives SS.SSS, so pad to match.
    column, days = _args(element, compiler, **kw)
    return f"(strftime('%Y-%m-%d %H:%M:%f', {column}, '+' || {days} || ' days') || '000')"


@compiles(plus_days)
def _plus_days_pg(element, compiler, **kw):
    column, days = _args(element, compiler, **kw)
    return f"({column} + {days} * INTERVAL '1 day')"


class sqlite_no_index(FunctionElement):  # noqa: N801
    """A column SQLite may not use an index for (written "column + 0"); other databases see the column itself."""

    name = "sqlite_no_index"
    inherit_cache = True

    @property
    def type(self):
        return self.clauses.clauses[0].type


@compiles(sqlite_no_index, "sqlite")
def _no_index_sqlite(element, compiler, **kw):
    return "({} + 0)".format(*_args(element, compiler, **kw))


@compiles(sqlite_no_index)
def _no_index_other(element, compiler, **kw):
    return "{}".format(*_args(element, compiler, **kw))


def as_date(value) -> date | None:
    """Return a DATE result as a date (SQLite hands back text for computed dates)."""
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def as_datetime(value) -> datetime | None:
    """Return a computed timestamp as a datetime (SQLite hands back text for MIN/MAX over expressions)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
