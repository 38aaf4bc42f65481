"""An organisation's tool mappings (which statements from its tools count as which practice), the same rule as SQL
for the adoption report, and the latest statements its tools sent. Flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, select

from lms.abm.vocabulary import PRACTICE_LABELS
from lms.extensions import db
from lms.tracking.models import Statement, ToolMapping, from_other_tools
from lms.tracking.services import record
from lms.tracking.tools import VOIDED, Facts, Rule, activity_type_of, practices_of


def mappings_of(org_id: int) -> list[ToolMapping]:
    """The organisation's mappings, by practice then oldest first."""
    return list(db.session.scalars(select(ToolMapping).where(ToolMapping.organization_id == org_id)
                                   .order_by(ToolMapping.practice, ToolMapping.id)))


def create_mapping(org_id: int, *, practice: str, credential_id: int | None = None, verb_iri: str | None = None,
                   activity_type: str | None = None, activity_prefix: str | None = None,
                   created_by_id: int | None = None) -> ToolMapping:
    """Add a mapping (empty strings stored as None: "any") and record who added it; return it. The caller checks
    the values (lms.tracking.tools.rule_problems) and that the credential is the organisation's."""
    mapping = ToolMapping(organization_id=org_id, practice=practice, credential_id=credential_id,
                          verb_iri=verb_iri or None, activity_type=activity_type or None,
                          activity_prefix=activity_prefix or None)
    db.session.add(mapping)
    db.session.flush()
    record(created_by_id, "created", ("tool-mapping", mapping.id, PRACTICE_LABELS.get(practice, practice)),
           organization_id=org_id)
    return mapping


def delete_mapping(mapping: ToolMapping, by_id: int | None) -> None:
    """Delete a mapping: its practice no longer counts those statements (they stay in the record)."""
    record(by_id, "deleted", ("tool-mapping", mapping.id, PRACTICE_LABELS.get(mapping.practice, mapping.practice)),
           organization_id=mapping.organization_id)
    db.session.delete(mapping)


def rule_of(mapping: ToolMapping) -> Rule:
    """The mapping as a plain rule."""
    return Rule(mapping.practice, mapping.credential_id, mapping.verb_iri, mapping.activity_type,
                mapping.activity_prefix)


def activity_type_column() -> ColumnElement:
    """The statement's activity type (document.object.definition.type) as text, in SQL."""
    return Statement.document[("object", "definition", "type")].as_string()


def external_statements(org_id: int) -> ColumnElement:
    """The condition for the organisation's statements from other tools that may count as practice use."""
    return and_(Statement.organization_id == org_id, from_other_tools(),
                Statement.voided.is_(False), Statement.verb_iri.is_distinct_from(VOIDED))


def statement_condition(rule: Rule) -> ColumnElement:
    """The rule as a SQL condition on statements (the same test as lms.tracking.tools.matches; combine it with
    external_statements)."""
    conditions = []
    if rule.credential_id is not None:
        conditions.append(Statement.credential_id == rule.credential_id)
    if rule.verb_iri:
        conditions.append(Statement.verb_iri == rule.verb_iri)
    if rule.activity_type:
        conditions.append(activity_type_column() == rule.activity_type)
    if rule.activity_prefix:
        conditions.append(Statement.activity_iri.startswith(rule.activity_prefix, autoescape=True))
    return and_(True, *conditions)


@dataclass(frozen=True)
class Received:
    """A statement another tool sent, as the connected tools page lists it."""

    id: str
    stored: datetime
    timestamp: datetime
    source: str
    credential_id: int | None
    actor: str | None  # the mailbox or other identifier
    verb_iri: str | None
    activity_type: str | None
    activity_iri: str | None
    practices: list[str]  # what it counts as under the current mappings


def latest_from_other_tools(org_id: int, limit: int) -> Select:
    """The query for the organisation's `limit` latest statements from other tools, down ix_statements_external:
    however many of the academy's own statements the organisation has, they are not read."""
    return (select(Statement.id, Statement.stored, Statement.timestamp, Statement.source, Statement.credential_id,
                   Statement.actor_email, Statement.actor_ifi, Statement.verb_iri, Statement.activity_iri,
                   Statement.document)
            .where(Statement.organization_id == org_id, from_other_tools())
            .order_by(Statement.stored.desc(), Statement.id.desc()).limit(limit))


def recent_statements(org_id: int, rules: list[Rule], limit: int = 20) -> list[Received]:
    """The organisation's latest statements from other tools (one query), with the practices each counts as."""
    rows = db.session.execute(latest_from_other_tools(org_id, limit))
    out = []
    for sid, stored, when, source, credential_id, email, ifi, verb_iri, activity_iri, document in rows:
        kind = activity_type_of(document)
        facts = Facts(credential_id, verb_iri, kind, activity_iri)
        out.append(Received(sid, stored, when, source, credential_id, email or ifi, verb_iri, kind, activity_iri,
                            practices_of(rules, facts)))
    return out
