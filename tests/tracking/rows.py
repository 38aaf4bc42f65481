"""Statement rows shaped as the app records them, one for each verb, for the pure xAPI tests."""

from __future__ import annotations

from datetime import datetime

from lms.tracking import xapi

SITE = xapi.Site(activity_base="https://academy.example/xapi/activities", home_page="https://academy.example",
                 name="ABM Academy")
WHEN = datetime(2026, 11, 22, 6, 35, 1, 123456)

# One representative row for each verb, shaped as the app records it.
OBJECTS = {
    "registered": ("organization", "7", "Public courses", None),
    "logged-in": ("user", "12", "Ada Lovelace", None),
    "logged-out": ("user", "12", "Ada Lovelace", None),
    "invited": ("user", "new.person@northwind.example", "New Person", {"role": "learner"}),
    "joined": ("organization", "7", "Northwind", None),
    "enrolled": ("course", "tiny-course", "ABM in Ten Minutes", {"source": "assigned"}),
    "assigned": ("course", "tiny-course", "ABM in Ten Minutes", None),
    "withdrew": ("course", "tiny-course", "ABM in Ten Minutes", None),
    "rescheduled": ("course", "tiny-course", "ABM in Ten Minutes", None),
    "launched": ("module", "tiny-course/choosing-target-accounts", "Choosing target accounts", {"version": "ab12"}),
    "completed": ("module", "tiny-course/choosing-target-accounts", "Choosing target accounts",
                  {"completion": True, "score": 67, "version": "ab12"}),
    "answered": ("question", "tiny-course/choosing-target-accounts#choose-1", "Who agrees the list?",
                 {"success": False, "response": [0, 2], "score": {"raw": 0, "min": 0, "max": 1}, "module_score": 33,
                  "first_attempt": True}),
    "passed": ("exercise", "target-account-list", "Target account list", {"score": 82, "passed": True}),
    "failed": ("exercise", "target-account-list", "Target account list", {"score": 41, "passed": False}),
    "imported": ("workspace", "3", "Team workspace", {"accounts": 120, "contacts": 480}),
    "exported": ("workspace", "3", "Team workspace", {"rows": 120}),
    "created": ("api-token", "4", "Learning Locker", None),
    "updated": ("account", "55", "Globex", None),
    "deleted": ("account", "55", "Globex", None),
    "agreed": ("account", "55", "Globex", None),
    "disagreed": ("account", "55", "Globex", None),
    "ran": ("exercise", "target-account-list", "Target account list", {"score": 82, "passed": True}),
    "submitted": ("exercise", "target-account-list", "Target account list", {"score": 82}),
    "reviewed": ("submission", "9", "Target account list", {"rating": 4}),
    "commented": ("submission", "9", None, None),
    "rated": ("competency", "buying-group-mapping", "Buying-group mapping", {"rating": 3}),
    "earned": ("certificate", "X7K2", "ABM in Ten Minutes", None),
    "revoked": ("api-token", "4", "Learning Locker", None),
    "viewed": ("report", "completion", "Completion", None),
    "booked": ("workshop-session", "6", "ABM Foundations, London, 14 January 2027", None),
    "waitlisted": ("workshop-session", "6", "ABM Foundations, London, 14 January 2027", {"position": 2}),
    "promoted": ("workshop-session", "6", "ABM Foundations, London, 14 January 2027", None),
    "cancelled": ("workshop-session", "6", "ABM Foundations, London, 14 January 2027", {"seat": True}),
    "attended": ("workshop-session", "6", "ABM Foundations, London, 14 January 2027", {"attendance": "present"}),
    "missed": ("workshop-session", "6", "ABM Foundations, London, 14 January 2027", {"attendance": "absent"}),
}


# The context each verb is recorded with (the others have none).
CONTEXTS = {
    "assigned": {"assigned_by": 5, "due_at": "2027-03-10T00:30:00Z",
                 "instructor": {"email": "marcus@northwind.example", "name": "Marcus Bell"}},
    "answered": {"interaction": {"type": "choice", "choices": ["Sales and marketing together", "Marketing alone",
                                                               "Whoever owns the CRM"], "correct": [0]}},
}


def row(verb: str = "completed", **overrides) -> xapi.StatementRow:
    object_type, object_id, name, result = OBJECTS[verb]
    values = {
        "id": "4b8f9a52-6f7e-4c1d-9a43-2f0d8c1e5b77", "timestamp": WHEN, "stored": WHEN, "verb": verb,
        "object_type": object_type, "object_id": object_id, "object_name": name, "result": result,
        "context": CONTEXTS.get(verb),
        "actor_email": "ada@northwind.example", "actor_name": "Ada Lovelace", "organization_id": 3,
        "organization_name": "Northwind", "cohort_id": 8, "cohort_name": "Winter 2026", "course_slug": "tiny-course",
    }
    values.update(overrides)
    return xapi.StatementRow(**values)
