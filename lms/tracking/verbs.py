"""The fixed verb vocabulary: short keys stored in the database, xAPI verb IRIs on export."""

from __future__ import annotations

ADL = "http://adlnet.gov/expapi/verbs/"
AS = "http://activitystrea.ms/schema/1.0/"
ABM = "https://abm-academy.org/xapi/verbs/"

VERBS: dict[str, tuple[str, str]] = {
    # key: (IRI, display in en-GB)
    "registered": (ADL + "registered", "registered"),
    "logged-in": ("https://w3id.org/xapi/adl/verbs/logged-in", "logged in"),
    "logged-out": ("https://w3id.org/xapi/adl/verbs/logged-out", "logged out"),
    "invited": (AS + "invite", "invited"),
    "joined": (AS + "join", "joined"),
    "enrolled": (ABM + "enrolled", "enrolled"),
    "assigned": (AS + "assign", "assigned"),
    "withdrew": (ABM + "withdrew", "withdrew"),
    "rescheduled": (ABM + "rescheduled", "rescheduled"),
    "launched": (ADL + "launched", "launched"),
    "completed": (ADL + "completed", "completed"),
    "answered": (ADL + "answered", "answered"),
    "passed": (ADL + "passed", "passed"),
    "failed": (ADL + "failed", "failed"),
    "imported": (ABM + "imported", "imported"),
    "exported": (ABM + "exported", "exported"),
    "created": (AS + "create", "created"),
    "updated": (AS + "update", "updated"),
    "deleted": (AS + "delete", "deleted"),
    "agreed": (ABM + "agreed", "agreed"),
    "disagreed": (ABM + "disagreed", "disagreed"),
    "ran": (ABM + "ran", "ran"),
    "submitted": (AS + "submit", "submitted"),
    "reviewed": (ABM + "reviewed", "reviewed"),
    "commented": (ADL + "commented", "commented"),
    "rated": (ABM + "rated", "rated"),
    "earned": (ABM + "earned", "earned"),
    "revoked": (ABM + "revoked", "revoked"),
    "viewed": ("http://id.tincanapi.com/verb/viewed", "viewed"),
    "booked": (ABM + "booked", "booked"),
    "waitlisted": (ABM + "waitlisted", "joined the waiting list for"),
    "promoted": (ABM + "promoted", "was given a seat on"),
    "cancelled": (ABM + "cancelled", "cancelled"),
    "attended": (ADL + "attended", "attended"),
    "missed": (ABM + "missed", "missed"),
}


def verb_iri(key: str) -> str:
    """Return the IRI for a verb key; raises KeyError for a verb outside the vocabulary."""
    return VERBS[key][0]


def verb_key(iri: str) -> str | None:
    """Return the key of the verb with this IRI, or None if it is not in the vocabulary."""
    return next((key for key, (verb_id, _) in VERBS.items() if verb_id == iri), None)
