"""The fixed verb vocabulary: short keys stored in the database, xAPI verb IRIs on export (the academy's own verbs
under a configurable base, LMS_XAPI_VERB_BASE), and what each verb means, as the published verb list shows it."""

from __future__ import annotations

from typing import NamedTuple

ADL = "http://adlnet.gov/expapi/verbs/"
ADL_W3ID = "https://w3id.org/xapi/adl/verbs/"
AS = "http://activitystrea.ms/schema/1.0/"
TINCAN = "http://id.tincanapi.com/verb/"
ABM = "https://abm-academy.org/xapi/verbs/"  # the default base of the academy's own verbs


class Verb(NamedTuple):
    """One verb: its IRI (the academy's own under ABM, the default base), display and definition in en-GB."""

    iri: str
    display: str
    definition: str


VERBS: dict[str, Verb] = {
    "registered": Verb(ADL + "registered", "registered",
                       "Indicates the actor registered on the platform: their account was created in the "
                       "organisation that is the object."),
    "logged-in": Verb(ADL_W3ID + "logged-in", "logged in", "Indicates the actor signed in to the academy."),
    "logged-out": Verb(ADL_W3ID + "logged-out", "logged out", "Indicates the actor signed out of the academy."),
    "invited": Verb(AS + "invite", "invited",
                    "Indicates the actor invited the person who is the object to join their organisation, with a "
                    "role."),
    "joined": Verb(AS + "join", "joined",
                   "Indicates the actor joined the organisation that is the object, by accepting an invitation."),
    "enrolled": Verb(ABM + "enrolled", "enrolled",
                     "Indicates the actor was given a place on the course that is the object, by choosing it or by "
                     "an assignment, and can now learn it and earn its certificate."),
    "assigned": Verb(AS + "assign", "assigned",
                     "Indicates the course that is the object was assigned to the actor to complete, usually by a "
                     "due date; the manager who assigned it is the context's instructor."),
    "withdrew": Verb(ABM + "withdrew", "withdrew",
                     "Indicates an assignment of the course that is the object was withdrawn from the actor: the "
                     "course is no longer required of them."),
    "rescheduled": Verb(ABM + "rescheduled", "rescheduled",
                        "Indicates the due date of the actor's assignment of the course that is the object was "
                        "changed; the new date is in the context."),
    "launched": Verb(ADL + "launched", "launched",
                     "Indicates the actor opened the module or assessment that is the object."),
    "completed": Verb(ADL + "completed", "completed",
                      "Indicates the actor finished the module, course or assessment that is the object."),
    "answered": Verb(ADL + "answered", "answered",
                     "Indicates the actor answered the question that is the object; the result gives the options "
                     "chosen, whether the answer was right, and the question's score."),
    "passed": Verb(ADL + "passed", "passed",
                   "Indicates the actor reached the pass mark of the exercise or assessment that is the object."),
    "failed": Verb(ADL + "failed", "failed",
                   "Indicates the actor fell short of the pass mark of the exercise or assessment that is the "
                   "object."),
    "imported": Verb(ABM + "imported", "imported",
                     "Indicates the actor brought records (accounts, contacts, opportunities) from a file or CRM "
                     "export into the workspace that is the object; the result counts them."),
    "exported": Verb(ABM + "exported", "exported",
                     "Indicates the actor took a copy of the object (a workspace, report or handoff) out of the "
                     "academy as a file."),
    "created": Verb(AS + "create", "created",
                    "Indicates the actor created the object, e.g. a target account, an API token or a workshop "
                    "session."),
    "updated": Verb(AS + "update", "updated",
                    "Indicates the actor changed the object, e.g. a target account or contact; the result lists "
                    "what changed."),
    "deleted": Verb(AS + "delete", "deleted", "Indicates the actor removed the object, e.g. a target account."),
    "agreed": Verb(ABM + "agreed", "agreed",
                   "Indicates the actor, on behalf of their team, agreed to the target account that is the object "
                   "(sales and marketing accept it for the account list)."),
    "disagreed": Verb(ABM + "disagreed", "disagreed",
                      "Indicates the actor, on behalf of their team, did not accept the target account that is the "
                      "object for the account list."),
    "ran": Verb(ABM + "ran", "ran",
                "Indicates the actor ran the checks of the hands-on exercise that is the object against their own "
                "target accounts; the result gives the score."),
    "submitted": Verb(AS + "submit", "submitted",
                      "Indicates the actor handed in their work on the exercise that is the object for review."),
    "reviewed": Verb(ABM + "reviewed", "reviewed",
                     "Indicates the actor (a coach or manager) reviewed the submission that is the object; the "
                     "result gives the rating."),
    "commented": Verb(ADL + "commented", "commented",
                      "Indicates the actor commented on the object, e.g. a submitted exercise."),
    "rated": Verb(ABM + "rated", "rated",
                  "Indicates the actor rated their own level in the competency that is the object (a "
                  "self-assessment); the result gives the level."),
    "earned": Verb(ABM + "earned", "earned",
                   "Indicates the actor was awarded the certificate that is the object, with its Open Badge."),
    "revoked": Verb(ABM + "revoked", "revoked",
                    "Indicates the object (a certificate, an API token or LRS credentials) was withdrawn and is no "
                    "longer valid."),
    "viewed": Verb(TINCAN + "viewed", "viewed", "Indicates the actor looked at the object, e.g. a report."),
    "booked": Verb(ABM + "booked", "booked",
                   "Indicates the actor took a seat at the workshop session that is the object."),
    "waitlisted": Verb(ABM + "waitlisted", "joined the waiting list for",
                       "Indicates the actor joined the waiting list of the full workshop session that is the "
                       "object; the context gives their position."),
    "promoted": Verb(ABM + "promoted", "was given a seat on",
                     "Indicates the actor moved from the waiting list to a seat at the workshop session that is "
                     "the object."),
    "cancelled": Verb(ABM + "cancelled", "cancelled",
                      "Indicates the actor gave up their seat or waiting-list place at the workshop session that is "
                      "the object, or called the whole session off."),
    "attended": Verb(ADL + "attended", "attended",
                     "Indicates the actor was present at the workshop session that is the object."),
    "missed": Verb(ABM + "missed", "missed",
                   "Indicates the actor held a seat at the workshop session that is the object but did not attend."),
}


def _base(base: str) -> str:
    return base if base.endswith(("/", "#")) else base + "/"


def is_own(key: str) -> bool:
    """Return True for the academy's own verbs (minted under the verb base), False for those of ADL, Activity
    Streams and other vocabularies. Raises KeyError for a verb outside the vocabulary."""
    return VERBS[key].iri.startswith(ABM)


def own_verbs() -> list[str]:
    """Return the keys of the academy's own verbs, in vocabulary order."""
    return [key for key in VERBS if is_own(key)]


def verb_iri(key: str, base: str = ABM) -> str:
    """Return the IRI for a verb key: the academy's own verbs under `base` (LMS_XAPI_VERB_BASE), the others as
    their vocabularies define them. Raises KeyError for a verb outside the vocabulary."""
    iri = VERBS[key].iri
    return _base(base) + iri[len(ABM):] if is_own(key) else iri


def verb_key(iri: str, base: str = ABM) -> str | None:
    """Return the key of the verb with this IRI (the academy's own verbs under `base`), or None if it is not in
    the vocabulary."""
    return next((key for key in VERBS if verb_iri(key, base) == iri), None)


# How the published verb list reads as JSON-LD: a verb is an xAPI Verb with SKOS labels in language maps.
JSONLD_CONTEXT = {
    "id": "@id",
    "type": "@type",
    "verbs": "@graph",
    "Verb": "https://w3id.org/xapi/ontology#Verb",
    "display": {"@id": "http://www.w3.org/2004/02/skos/core#prefLabel", "@container": "@language"},
    "definition": {"@id": "http://www.w3.org/2004/02/skos/core#definition", "@container": "@language"},
}


def description(key: str, base: str = ABM, language: str = "en-GB") -> dict:
    """Return what the verb list publishes about a verb: {"id", "type": "Verb", "display", "definition"}, the
    last two as language maps. Raises KeyError for a verb outside the vocabulary."""
    verb = VERBS[key]
    return {"id": verb_iri(key, base), "type": "Verb", "display": {language: verb.display},
            "definition": {language: verb.definition}}
