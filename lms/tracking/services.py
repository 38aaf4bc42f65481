"""record(): append one statement to the learning record."""

from __future__ import annotations

from datetime import datetime

from lms.extensions import db
from lms.tracking.models import Statement
from lms.tracking.verbs import VERBS


def record(
    actor,
    verb: str,
    object: tuple[str, object] | tuple[str, object, str],  # noqa: A002 - the xAPI word
    result: dict | None = None,
    context: dict | None = None,
    *,
    organization_id: int | None = None,
    cohort_id: int | None = None,
    course_slug: str | None = None,
    timestamp: datetime | None = None,
) -> Statement:
    """Add a statement for `actor` (a User or a user id) doing `verb` to `object` = (type, id[, name]).

    `context` may carry `organization_id`, `cohort_id` and `course` as well; keyword arguments win.
    Adds and flushes nothing else: the caller's request or command commits. Raises ValueError for a
    verb outside the fixed vocabulary.
    """
    if verb not in VERBS:
        raise ValueError(f"unknown verb {verb!r}")
    context = dict(context or {})
    actor_id = getattr(actor, "id", actor)
    obj_type, obj_id, *rest = object
    statement = Statement(
        actor_id=actor_id,
        verb=verb,
        object_type=obj_type,
        object_id=str(obj_id),
        object_name=rest[0][:300] if rest and rest[0] else None,
        result=result,
        context=context or None,
        organization_id=organization_id or context.get("organization_id"),
        cohort_id=cohort_id or context.get("cohort_id"),
        course_slug=course_slug or context.get("course"),
    )
    if timestamp is not None:
        statement.timestamp = timestamp
    db.session.add(statement)
    return statement
