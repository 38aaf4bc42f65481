"""The ABM vocabulary: buying roles, account tiers, signal types, handoff statuses and rejection reasons.

One home for the words the workspace, the exercises and the reports share, with the labels people see.
Pure values: no Flask, no database.
"""

from __future__ import annotations

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
