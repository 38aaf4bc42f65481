"""Which of another tool's statements count as use of a practice: mapping rules, matching, ready-made suggestions.

Pure: plain values in and out. The same rule in SQL is lms.tracking.tool_mappings.statement_condition.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lms.abm.vocabulary import PRACTICES

AS = "http://activitystrea.ms/schema/1.0/"  # Activity Streams 1.0 verbs and object types, as the xAPI registry lists
VOIDED = "http://adlnet.gov/expapi/verbs/voided"  # a voiding statement is never use of a practice
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S*$")


@dataclass(frozen=True)
class Rule:
    """One mapping: statements from `credential_id` (any tool when None) whose verb is `verb_iri`, whose activity
    type is `activity_type` and whose activity IRI starts with `activity_prefix` (each condition only when set)
    are use of `practice`."""

    practice: str
    credential_id: int | None = None
    verb_iri: str | None = None
    activity_type: str | None = None
    activity_prefix: str | None = None


@dataclass(frozen=True)
class Facts:
    """What a rule looks at in a stored statement."""

    credential_id: int | None
    verb_iri: str | None
    activity_type: str | None
    activity_iri: str | None


def matches(rule: Rule, facts: Facts) -> bool:
    """Return True when the statement described by `facts` is use of the rule's practice (every set condition holds;
    voiding statements never count)."""
    if facts.verb_iri == VOIDED:
        return False
    if rule.credential_id is not None and facts.credential_id != rule.credential_id:
        return False
    if rule.verb_iri and facts.verb_iri != rule.verb_iri:
        return False
    if rule.activity_type and facts.activity_type != rule.activity_type:
        return False
    return not rule.activity_prefix or (facts.activity_iri or "").startswith(rule.activity_prefix)


def practices_of(rules: Iterable[Rule], facts: Facts) -> list[str]:
    """Return the practices (keys, in vocabulary order) a statement counts for: each once, however many rules match."""
    found = {rule.practice for rule in rules if matches(rule, facts)}
    return [key for key in PRACTICES if key in found]


def activity_type_of(document: Mapping | None) -> str | None:
    """Return the activity type (object.definition.type) of a stored xAPI statement, or None."""
    obj = (document or {}).get("object")
    definition = obj.get("definition") if isinstance(obj, Mapping) else None
    kind = definition.get("type") if isinstance(definition, Mapping) else None
    return kind if isinstance(kind, str) else None


def rule_problems(*, has_tool: bool, verb_iri: str, activity_type: str, activity_prefix: str,
                  practice: str) -> dict[str, str]:
    """Return {field: what is wrong} for a new rule's values (empty when it can be saved)."""
    problems = {}
    if practice not in PRACTICES:
        problems["practice"] = "Choose the practice these statements show."
    if verb_iri and not IRI.match(verb_iri):
        problems["verb_iri"] = "Enter the verb's full IRI, e.g. http://activitystrea.ms/schema/1.0/start."
    if activity_type and not IRI.match(activity_type):
        problems["activity_type"] = "Enter the activity type's full IRI, e.g. http://activitystrea.ms/schema/1.0/task."
    if activity_prefix and not PREFIX.match(activity_prefix):
        problems["activity_prefix"] = "Enter the start of the activity IRIs, e.g. https://crm.example.com/plans/."
    if not (has_tool or verb_iri or activity_type or activity_prefix):
        problems["verb_iri"] = ("Choose a tool, or give a verb, an activity type or an activity IRI prefix: a rule "
                                "without any would count every statement of every tool.")
    return problems


@dataclass(frozen=True)
class Suggestion:
    """A ready-made rule for a kind of tool: a starting point the admin checks against what the tool really sends
    (the connected tools page lists the statements received), not a claim about any vendor's xAPI support."""

    key: str
    title: str
    tools: str  # the kind of tool, with examples
    practice: str
    verb_iri: str | None = None
    activity_type: str | None = None
    note: str = ""


SUGGESTIONS = (
    Suggestion("sequence-started", "Prospect added to a sequence", "Sales engagement, e.g. Outreach, Salesloft",
               "sequence_started", AS + "start",
               note="Most sales-engagement tools do not send xAPI themselves: use it with the connector or "
                    "automation that posts a \u201cstarted\u201d statement when a contact joins a sequence."),
    Suggestion("task-logged", "Task completed on an account", "CRM, e.g. Salesforce, HubSpot", "account_research",
               AS + "complete", AS + "task",
               note="Add an activity IRI prefix when only some tasks are account research."),
    Suggestion("contact-added", "Contact added to an account", "CRM or ABM platform", "buying_group_contact_added",
               AS + "add", AS + "person"),
    Suggestion("plan-updated", "Account plan document updated", "CRM or ABM platform", "account_plan_updated",
               AS + "update", "http://id.tincanapi.com/activitytype/document"),
    Suggestion("email-sent", "One-to-one email sent", "CRM or sales engagement", "role_message_sent",
               AS + "send", "https://w3id.org/xapi/acrossx/activities/message"),
    Suggestion("handoff-accepted", "Handoff accepted by sales", "CRM or ABM platform", "handoff_accepted",
               AS + "accept"),
)
SUGGESTIONS_BY_KEY = {s.key: s for s in SUGGESTIONS}
assert all(s.practice in PRACTICES for s in SUGGESTIONS)
