"""Words the workspace pages show: field, entity, source and role labels, and the learner's next steps.

Pure: plain values in, plain values out, so the wording is tested without a request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lms.abm.vocabulary import BUYING_ROLES
from lms.abm.vocabulary import role_label as _role_label

ENTITY_LABELS = {
    "accounts": "Accounts",
    "contacts": "Contacts",
    "signals": "Signals",
    "opportunities": "Opportunities",
    "handoffs": "Handoffs",
}
ENTITY_SINGULAR = {
    "accounts": "account",
    "contacts": "contact",
    "signals": "signal",
    "opportunities": "opportunity",
    "handoffs": "handoff",
}

SOURCE_LABELS = {
    "salesforce_report": "Salesforce report export",
    "salesforce_api": "Salesforce Data Loader export",
    "hubspot": "HubSpot export",
    "dynamics": "Microsoft Dynamics 365 export",
    "abm_academy": "ABM Academy export",
    "unknown": "a format we don't recognise",
}

# What learners can upload, shown wherever the page asks them to import.
CRM_FORMATS = (
    "Salesforce: a report exported as CSV (Details Only), or a Data Loader extract",
    "HubSpot: companies or contacts exported from a view or list, as CSV or XLSX",
    "Microsoft Dynamics 365: Export to Excel (.xlsx)",
    "ABM Academy: a file exported from this workspace",
    "Any other spreadsheet saved as CSV or XLSX: you tell us which column is which",
)

EXPORT_STYLES = {
    "abm_academy": "ABM Academy (every field)",
    "salesforce_report": "Salesforce report headers",
    "hubspot": "HubSpot headers",
}
# Entities each CRM style can export (importer.detection.ALIASES has no signals or handoffs for the CRMs).
STYLE_ENTITIES = {
    "abm_academy": ("accounts", "contacts", "signals", "opportunities", "handoffs"),
    "salesforce_report": ("accounts", "contacts", "opportunities"),
    "hubspot": ("accounts", "contacts", "opportunities"),
}


FIELD_LABELS = {
    "external_id": "CRM ID",
    "name": "Name",
    "website": "Website or domain",
    "industry": "Industry",
    "employees": "Employees",
    "revenue": "Annual revenue",
    "region": "Region or country",
    "tier": "ABM tier",
    "owner": "Sales owner",
    "marketing_owner": "Marketing owner",
    "is_target": "On the target list",
    "icp_fit": "ICP fit (0–100)",
    "icp_reasons": "Why it fits the ICP",
    "why_selected": "Why it was selected",
    "progress_definition": "What counts as progress",
    "sales_agreed": "Sales agreed",
    "sales_agreed_by": "Sales agreed by",
    "sales_agreed_at": "Sales agreed on",
    "sales_disagree_reason": "Sales' reason for disagreeing",
    "required_roles": "Required buying roles",
    "status": "Status",
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name (split into first and last)",
    "email": "Email",
    "title": "Job title",
    "account_external_id": "Account's CRM ID",
    "account_name": "Account name",
    "phone": "Phone",
    "crm_role": "Buying role in the CRM",
    "contact_email": "Contact's email",
    "type": "Signal type",
    "topic": "Topic",
    "occurred_at": "When it happened",
    "followed_up_at": "Followed up on",
    "followed_up_by": "Followed up by",
    "stage": "Stage",
    "amount": "Amount",
    "currency": "Currency",
    "created_at": "Created on",
    "closed_at": "Closed on",
    "is_won": "Won",
    "is_closed": "Closed (yes/no)",
    "source": "Source",
    "signal_external_id": "Signal's CRM ID",
    "sent_at": "Sent on",
    "contact_role": "Contact's buying role",
    "buying_group_relevance": "Buying-group relevance",
    "engagement_summary": "Engagement summary",
    "qualification_level": "Qualification level",
    "recommended_follow_up": "Recommended follow-up",
    "sales_owner": "Sales owner",
    "sla_hours": "SLA (hours)",
    "first_touch_at": "First touch",
    "rejection_reason": "Rejection reason",
    "sales_feedback": "Sales feedback",
    "meeting_booked": "Meeting booked",
    "domain": "Domain",
}


def field_label(field: str) -> str:
    """Return the label of a canonical import field ("account_name" -> "Account name")."""
    return FIELD_LABELS.get(field, field.replace("_", " ").capitalize())


def role_name(role: str) -> str:
    """Return a buying role's name as a checkbox label: "Finance", "Champion", "Senior decision maker (…)"."""
    label = _role_label(role)
    return label[:1].upper() + label[1:]


ROLE_NAMES = {role: role_name(role) for role in BUYING_ROLES}


@dataclass(frozen=True)
class Step:
    """One thing the learner could do next: a heading, why, and the endpoint of the page that does it."""

    title: str
    why: str
    endpoint: str
    action: str
    args: tuple[tuple[str, str], ...] = ()


def next_steps(counts: Mapping[str, int], *, is_sales: bool, can_sign: bool | None = None) -> list[Step]:
    """Return what to do next in a workspace, most important first (never empty).

    `is_sales`: the user works in sales (handoff verdicts are theirs); `can_sign`: they may sign off this
    workspace's target list (default: as `is_sales`).

    `counts` holds accounts, targets, untiered, not_reviewed, disagreed, contacts, contacts_without_roles,
    contacts_without_account, signals, opportunities, handoffs, handoffs_awaiting.
    """
    c = {k: int(v or 0) for k, v in counts.items()}
    steps: list[Step] = []
    if not c.get("accounts"):
        return [Step("Import your accounts",
                     "Everything you practise here runs on your own target accounts. Export them from your CRM "
                     "and upload the file.", "accounts.import_start", "Import your accounts")]
    if c.get("untiered"):
        steps.append(Step(f"Give {_n(c['untiered'], 'target account')} a tier",
                          "The tier (1:1, 1:few or 1:many) decides which buying roles each account needs.",
                          "accounts.account_list", "See the accounts without a tier", (("tier", "none"),)))
    if not c.get("contacts"):
        steps.append(Step("Import the contacts at your target accounts",
                          "Buying-group coverage needs the people: export the contacts of these accounts.",
                          "accounts.import_start", "Import contacts"))
    elif c.get("contacts_without_roles"):
        steps.append(Step(f"Check the buying roles of {_n(c['contacts_without_roles'], 'contact')}",
                          "Their job titles didn't suggest a role. Give each one a role, or mark them as users.",
                          "accounts.contact_list", "See the contacts without a role", (("role", "none"),)))
    if c.get("disagreed"):
        steps.append(Step(f"Discuss {_n(c['disagreed'], 'disagreement')} with sales",
                          "Sales disagreed with these accounts. Take them to the alignment workshop.",
                          "accounts.signoff", "See the disagreements"))
    if c.get("not_reviewed"):
        who = "Agree or disagree with" if (is_sales if can_sign is None else can_sign) else "Ask sales to sign off"
        steps.append(Step(f"{who} {_n(c['not_reviewed'], 'target account')}",
                          "A target list counts only when sales and marketing agree on it.",
                          "accounts.signoff", "Open the sign-off"))
    if c.get("handoffs_awaiting") and is_sales:
        steps.append(Step(f"Give your verdict on {_n(c['handoffs_awaiting'], 'handoff')}",
                          "Accept or reject each one with a reason, so marketing learns what sales needs.",
                          "accounts.handoff_list", "See the handoffs", (("status", "sent"),)))
    if not c.get("signals"):
        steps.append(Step("Import engagement signals",
                          "Signals (visits, downloads, intent) show which accounts are warming up.",
                          "accounts.import_start", "Import signals"))
    if not c.get("opportunities"):
        steps.append(Step("Import the opportunities at these accounts",
                          "Pipeline on target accounts is how the programme's return is measured.",
                          "accounts.import_start", "Import opportunities"))
    if not steps:
        steps.append(Step("Practise on your workspace",
                          "Your workspace is ready. Review an account's buying group, or export it to share.",
                          "accounts.account_list", "Review your accounts"))
    return steps


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
