"""The ABM vocabulary: buying roles, account tiers, signal types, handoff statuses, rejection reasons and the
practices a trained person shows in their own tools.

One home for the words the workspace, the exercises and the reports share, with the labels people see.
Pure values: no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass

TIERS = ("1:1", "1:few", "1:many")

# Buying roles, in the order the product shows them. The first seven can be inferred from a job title
# (lms.abm.roles); champion and blocker only come from an explicit CRM role or the learner.
BUYING_ROLES = (
    "senior_decision_maker",
    "functional_owner",
    "technical_evaluator",
    "finance",
    "procurement",
    "influencer",
    "user",
    "champion",
    "blocker",
)

SIGNAL_TYPES = (
    "content_download",
    "webinar",
    "website_visit",
    "pricing_page_visit",
    "demo_request",
    "intent_spike",
    "email_reply",
    "meeting_request",
    "event_attendance",
    "ad_click",
)

HANDOFF_STATUSES = ("sent", "accepted", "rejected")
REJECTION_REASONS = ("wrong_account", "weak_role", "poor_timing", "light_signal", "missing_context")

ROLE_LABELS = {
    "senior_decision_maker": "senior decision maker (economic buyer)",
    "functional_owner": "functional owner",
    "technical_evaluator": "technical evaluator",
    "finance": "finance",
    "procurement": "procurement",
    "influencer": "influencer",
    "user": "user",
    "champion": "champion",
    "blocker": "blocker",
}
TIER_LABELS = {"1:1": "1:1 (strategic)", "1:few": "1:few (clusters)", "1:many": "1:many (programmatic)"}
SIGNAL_TYPE_LABELS = {t: t.replace("_", " ").capitalize() for t in SIGNAL_TYPES}
REJECTION_REASON_LABELS = {
    "wrong_account": "Wrong account (not a fit)",
    "weak_role": "Contact's role too weak",
    "poor_timing": "Poor timing",
    "light_signal": "Signal too light",
    "missing_context": "Missing context in the brief",
}
assert set(REJECTION_REASON_LABELS) == set(REJECTION_REASONS)
HANDOFF_STATUS_LABELS = {"sent": "Sent, awaiting sales", "accepted": "Accepted by sales", "rejected": "Rejected by sales"}
QUALIFICATION_LEVELS = {"hot": "Hot", "warm": "Warm", "cold": "Cold"}


def role_label(role: str) -> str:
    """Return the human label of a buying role ("technical evaluator")."""
    return ROLE_LABELS.get(role, str(role).replace("_", " "))


@dataclass(frozen=True)
class Practice:
    """Something a trained person does in their own CRM, sales-engagement or ABM tool, as evidence that they apply
    a competency (a slug of courses/competencies.yaml) outside the academy."""

    key: str
    label: str
    competency: str
    description: str


# The practices the adoption report looks for in other tools' statements. An organisation's tool mappings
# (lms.tracking.models.ToolMapping) say which of its tools' statements count as which practice.
PRACTICES = {p.key: p for p in (
    Practice("account_research", "Account research logged against a target account", "account-selection",
             "A research task, note or call logged on a target account's record."),
    Practice("account_plan_updated", "Account plan updated", "abm-operating-model",
             "A target account's plan (objectives, owners, next steps) edited in the CRM or ABM platform."),
    Practice("buying_group_contact_added", "Buying-group contact added", "buying-group-mapping",
             "A contact added to a target account with their buying role."),
    Practice("contact_data_corrected", "Contact record completed or corrected", "contact-data",
             "A contact's title, role or email filled in or corrected, or a duplicate merged."),
    Practice("role_message_sent", "Role-specific message sent to a buying-group contact", "role-messaging",
             "A one-to-one email or message to a contact at a target account."),
    Practice("sequence_started", "Sequence started for a buying-group contact", "campaign-orchestration",
             "A buying-group contact added to a multi-step sequence or cadence in a sales-engagement tool."),
    Practice("signal_followed_up", "Signal followed up within the agreed time", "signal-qualification-handoff",
             "A follow-up (call, email, task) logged on a qualified signal within the time sales and marketing "
             "agreed; the tool's rule decides what counts as in time."),
    Practice("handoff_accepted", "Sales handoff accepted", "signal-qualification-handoff",
             "A marketing handoff (an account or contact with its context) accepted by sales."),
    Practice("feedback_recorded", "Sales feedback recorded with a reason", "measurement-and-feedback",
             "An accepted or rejected handoff or opportunity given a reason in the CRM."),
)}
PRACTICE_LABELS = {key: p.label for key, p in PRACTICES.items()}
