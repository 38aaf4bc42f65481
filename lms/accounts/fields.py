"""The canonical fields of each record type: the shared language of import, export and the mapping form.

Pure: constants only. Export writes FIELDS; import reads IMPORT_FIELDS (never sales' agreement). Export adds a
formula guard (FORMULA_TRIGGERS) that import takes off again.
"""

from __future__ import annotations

from typing import Literal

Entity = Literal["accounts", "contacts", "signals", "opportunities", "handoffs"]

ENTITIES: tuple[str, ...] = ("accounts", "contacts", "signals", "opportunities", "handoffs")

# Canonical fields per entity, in the order the product shows and exports them. `full_name` (contacts) and
# `is_closed` (opportunities) are helper fields a mapping may target; validate() folds them into the others.
FIELDS: dict[str, tuple[str, ...]] = {
    "accounts": (
        "external_id", "name", "website", "industry", "employees", "revenue", "region", "tier", "owner",
        "marketing_owner", "is_target", "icp_fit", "icp_reasons", "why_selected", "progress_definition",
        "sales_agreed", "sales_agreed_by", "sales_agreed_at", "sales_disagree_reason", "required_roles", "status",
    ),
    "contacts": (
        "external_id", "first_name", "last_name", "email", "title", "account_external_id", "account_name",
        "phone", "crm_role", "region",
    ),
    "signals": (
        "external_id", "account_external_id", "account_name", "contact_email", "type", "topic", "occurred_at",
        "followed_up_at", "followed_up_by",
    ),
    "opportunities": (
        "external_id", "name", "account_external_id", "account_name", "stage", "amount", "currency",
        "created_at", "closed_at", "is_won", "source",
    ),
    "handoffs": (
        "external_id", "account_external_id", "account_name", "contact_email", "signal_external_id", "sent_at",
        "contact_role", "buying_group_relevance", "engagement_summary", "qualification_level",
        "recommended_follow_up", "sales_owner", "sla_hours", "first_touch_at", "status", "rejection_reason",
        "sales_feedback", "meeting_booked",
    ),
}
HELPER_FIELDS: dict[str, tuple[str, ...]] = {"contacts": ("full_name",), "opportunities": ("is_closed",)}

# Sales' verdict on a target account. Only sign-off sets it (a sales member, an invited sales colleague or the
# coach standing in), so exports write these columns but imports never read them: a file cannot self-certify.
AGREEMENT_FIELDS: tuple[str, ...] = ("sales_agreed", "sales_agreed_by", "sales_agreed_at", "sales_disagree_reason")
READ_ONLY_FIELDS: dict[str, tuple[str, ...]] = {"accounts": AGREEMENT_FIELDS}
# What an import (and the column-mapping form) may write: FIELDS without the read-only ones.
IMPORT_FIELDS: dict[str, tuple[str, ...]] = {
    entity: tuple(f for f in fields if f not in READ_ONLY_FIELDS.get(entity, ())) for entity, fields in FIELDS.items()
}

# The product's own export format: snake_case canonical names, except that an account's CRM owner is
# shown as `sales_owner` next to `marketing_owner`, which is what learners call it.
ABM_COLUMNS: dict[str, dict[str, str]] = {
    entity: {("sales_owner" if (entity, f) == ("accounts", "owner") else f): f for f in fields}
    for entity, fields in FIELDS.items()
}

# Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
