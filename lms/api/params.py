"""The API's query parameters as pydantic models. Parsing is strict, so a request is accepted exactly when the
OpenAPI document says it is valid (no "1.0" for a page, no Unix time for a timestamp).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from lms.abm.vocabulary import TIERS

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50
MAX_PAGE = 100_000
MAX_ID = 2**31 - 1  # ids are 32-bit in every table; larger numbers name nothing
MAX_REPORT_DAYS = 5 * 366
STATUSES = ("not_started", "in_progress", "completed", "overdue", "withdrawn")
CERTIFICATE_STATES = ("valid", "expired", "revoked", "replaced")
FUNCTIONS = ("sales", "marketing", "other")

_DIGITS = re.compile(r"-?[0-9]{1,18}")
_RFC3339 = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
                      r"(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))")


def parse_integer(value: Any) -> int:
    """Return a whole number from its decimal digits (an optional minus sign); raises ValueError for anything
    else ("1.0", "+1", "1_000", " 1", booleans)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    raise ValueError("must be a whole number written in digits")


def parse_boolean(value: Any) -> bool:
    """Return True for "true" and False for "false" (JSON's words); raises ValueError for anything else."""
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ValueError("must be true or false")


def parse_timestamp(value: Any) -> datetime:
    """Return an RFC 3339 date-time (with its offset: "Z" or "+01:00") as naive UTC, as the database keeps time.

    Raises ValueError for anything else (a date alone, no offset, Unix time). A leap second counts as the second
    before it; a moment beyond the range Python can hold becomes the nearest one it can.
    """
    if isinstance(value, datetime):
        return value if value.tzinfo is None else (value - value.utcoffset()).replace(tzinfo=None)
    match = _RFC3339.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError("must be an RFC 3339 date-time with an offset, e.g. 2026-01-31T09:00:00Z")
    year, month, day, hour, minute, second, off_hours, off_minutes = (
        int(match.group(i) or 0) for i in (1, 2, 3, 4, 5, 6, 10, 11))
    if hour > 23 or minute > 59 or second > 60 or off_hours > 23 or off_minutes > 59:
        raise ValueError("is not a valid time of day or offset")
    fraction = (match.group(7) or ".")[1:7].ljust(6, "0")
    offset = (-1 if match.group(9) == "-" else 1) * (off_hours * 60 + off_minutes)
    local = datetime(year or 4, month, day, hour, minute, min(second, 59), int(fraction))  # ValueError: no such day
    if year == 0:  # RFC 3339 has a year 0 (a leap year, like 4); Python starts at 1
        return datetime.min
    try:
        return local - timedelta(minutes=offset)
    except OverflowError:
        return datetime.min if offset > 0 else datetime.max


def _no_default(schema: dict) -> None:
    schema.pop("default", None)  # an absent filter is absent, not null: keep null out of the document


def _optional(description: str) -> Any:
    return Field(None, description=description, json_schema_extra=_no_default)


Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(parse_integer)]
Timestamp = Annotated[datetime, BeforeValidator(parse_timestamp)]
Slug = Annotated[str, Field(min_length=1, max_length=200)]


class Query(BaseModel):
    """Paging, which every list takes: `page` from 1, `per_page` up to MAX_PER_PAGE."""

    model_config = ConfigDict(extra="forbid")

    page: Annotated[int, Field(ge=1, le=MAX_PAGE), BeforeValidator(parse_integer)] = Field(
        1, description="The page to return, from 1.")
    per_page: Annotated[int, Field(ge=1, le=MAX_PER_PAGE), BeforeValidator(parse_integer)] = Field(
        DEFAULT_PER_PAGE, description=f"Items per page, at most {MAX_PER_PAGE}.")

    @property
    def offset(self) -> int:
        """How many items come before the page asked for."""
        return (self.page - 1) * self.per_page


COURSE = "Only this course (its slug, e.g. abm-foundations)."
COHORT = "Only this cohort of your organisation (its id)."
SINCE = "Only what changed at or after this moment (RFC 3339, e.g. 2026-01-31T00:00:00Z)."


class EnrolmentQuery(Query):
    course: Slug | SkipJsonSchema[None] = _optional(COURSE)
    cohort: Id | SkipJsonSchema[None] = _optional(COHORT)
    status: Literal[STATUSES] | SkipJsonSchema[None] = _optional(  # type: ignore[valid-type]
        "Only enrolments in this state; overdue: the due date has passed and the course is not completed.")
    updated_since: Timestamp | SkipJsonSchema[None] = _optional(
        "Only enrolments enrolled, started, completed or withdrawn at or after this moment (RFC 3339).")


class AssignmentQuery(Query):
    course: Slug | SkipJsonSchema[None] = _optional(COURSE)
    cohort: Id | SkipJsonSchema[None] = _optional(COHORT)
    include_withdrawn: Annotated[bool, BeforeValidator(parse_boolean)] = Field(
        False, description="Also list withdrawn assignments.")
    updated_since: Timestamp | SkipJsonSchema[None] = _optional(SINCE)


class ProgressQuery(Query):
    course: Slug | SkipJsonSchema[None] = _optional(COURSE)
    cohort: Id | SkipJsonSchema[None] = _optional(COHORT)
    updated_since: Timestamp | SkipJsonSchema[None] = _optional(
        "Only learners who opened or completed a module of the course at or after this moment (RFC 3339).")


class CompletionQuery(Query):
    course: Slug | SkipJsonSchema[None] = _optional(COURSE)
    cohort: Id | SkipJsonSchema[None] = _optional(COHORT)
    updated_since: Timestamp | SkipJsonSchema[None] = _optional(
        "Only courses completed at or after this moment (RFC 3339).")


class CertificateQuery(Query):
    course: Slug | SkipJsonSchema[None] = _optional(COURSE)
    cohort: Id | SkipJsonSchema[None] = _optional(COHORT)
    status: Literal[CERTIFICATE_STATES] | SkipJsonSchema[None] = _optional(  # type: ignore[valid-type]
        "Only certificates in this state.")
    updated_since: Timestamp | SkipJsonSchema[None] = _optional(
        "Only certificates issued or revoked at or after this moment (RFC 3339).")


class AccountQuery(Query):
    cohort: Id | SkipJsonSchema[None] = _optional("Only the team workspace of this cohort (its id).")
    tier: Literal[TIERS] | SkipJsonSchema[None] = _optional("Only accounts in this tier.")  # type: ignore[valid-type]
    updated_since: Timestamp | SkipJsonSchema[None] = _optional(SINCE)


class ReportQuery(BaseModel):
    """The filters of the report figures: a cohort, a job function, and the period as the last `days` days."""

    model_config = ConfigDict(extra="forbid")

    cohort: Id | SkipJsonSchema[None] = _optional(COHORT)
    function: Literal[FUNCTIONS] | SkipJsonSchema[None] = _optional(  # type: ignore[valid-type]
        "Only learners with this job function.")
    days: Annotated[int, Field(ge=1, le=MAX_REPORT_DAYS), BeforeValidator(parse_integer)] | SkipJsonSchema[None] = (
        _optional("The period: the last this many days up to today. Without it, everything so far."))
