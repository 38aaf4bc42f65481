"""Demo data: a client organisation with a sales and marketing cohort, a public course, a user per role."""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select

from lms.extensions import db
from lms.identity import services
from lms.identity.models import Cohort, Organization, User

CLIENT = {"slug": "northwind", "name": "Northwind Analytics", "kind": "client"}
PEOPLE = [
    # (login label, email, name, function, org, roles, cohort role)
    ("platform admin", "admin@abm-academy.example", "Ravi Shah", "other", None, (), None),
    ("org admin", "olivia.admin@northwind.example", "Olivia Hart", "other", "client", ("org_admin", "manager"), None),
    ("manager", "marcus.manager@northwind.example", "Marcus Bell", "sales", "client", ("manager",), None),
    ("coach", "chloe.coach@abm-academy.example", "Chloe Adeyemi", "marketing", "client", ("coach",), "coach"),
    ("learner (marketing)", "maya.marketing@northwind.example", "Maya Okafor", "marketing", "client",
     ("learner",), "learner"),
    ("learner (sales)", "sam.sales@northwind.example", "Sam Whitfield", "sales", "client", ("learner",), "learner"),
    ("public attendee", "alex.attendee@example.com", "Alex Moreau", "marketing", "public", ("learner",), "learner"),
]

# The account owners named in the demo CRM export (tests/fixtures/demo_workspace/accounts.csv) are members of the
# Northwind team too: on a team workspace an owner must be someone on the team, so the demo can pass honestly.
TEAM_OWNERS = [
    ("dana.whitlock@northwind.example", "Dana Whitlock", "sales"),
    ("marcus.oyelowo@northwind.example", "Marcus Oyelowo", "sales"),
    ("priya.raman@northwind.example", "Priya Raman", "sales"),
    ("tom.ellery@northwind.example", "Tom Ellery", "sales"),
    ("hannah.kerr@northwind.example", "Hannah Kerr", "marketing"),
    ("luca.bianchi@northwind.example", "Luca Bianchi", "marketing"),
    ("sofia.lindgren@northwind.example", "Sofia Lindgren", "marketing"),
]


def load_demo(password: str) -> list[tuple[str, str]]:
    """Create or refresh the demo organisations, cohorts and users; return (label, email) logins.

    Idempotent: running it again finds what exists and adds only what is missing. Flushes, never commits.
    """
    client = db.session.scalar(select(Organization).where(Organization.slug == CLIENT["slug"]))
    if client is None:
        client = Organization(**CLIENT)
        db.session.add(client)
        db.session.flush()
    public = services.public_organization(current_app.config["PUBLIC_ORG_SLUG"])
    team = _cohort(client, "Northwind sales & marketing, winter 2026", "in_house", "Northwind, Leeds office",
                   date(2026, 11, 2), shares=True)
    workshop = _cohort(public, "ABM Foundations, London, 14 January 2027", "in_person", "London",
                       date(2027, 1, 14), shares=False)
    orgs = {"client": (client, team), "public": (public, workshop)}
    logins = []
    for label, email, name, function, org_key, roles, cohort_role in PEOPLE:
        user = services.user_by_email(email)
        if user is None:
            user = services.create_user(email, name, password, function)
        if org_key is None:
            user.is_platform_admin = True
        else:
            org, cohort = orgs[org_key]
            for role in roles:
                services.add_role(user, org, role)
            if cohort_role:
                services.join_cohort(user, cohort, cohort_role)
        logins.append((label, email))
    # The provider's coach also runs the public workshop, so attendees' work has a reviewer.
    coach = services.user_by_email("chloe.coach@abm-academy.example")
    services.add_role(coach, public, "coach")
    services.join_cohort(coach, workshop, "coach")
    for email, name, function in TEAM_OWNERS:
        user = services.user_by_email(email) or services.create_user(email, name, password, function)
        services.add_role(user, client, "learner")
        services.join_cohort(user, team, "learner")
    _enrol_demo_learners(client, team, public, workshop)
    _load_demo_workspaces(client, public)
    return logins


def _load_demo_workspaces(client: Organization, public: Organization) -> None:
    """Give the Northwind team (shared by Maya and Sam) and the public attendee a fictional workspace of 45
    target accounts with contacts, signals, opportunities and handoffs (idempotent)."""
    from lms.accounts.demo import load_demo_workspace
    from lms.accounts.workspaces import workspace_for

    db.session.flush()
    maya = services.user_by_email("maya.marketing@northwind.example")
    alex = services.user_by_email("alex.attendee@example.com")
    load_demo_workspace(workspace_for(maya, client), maya)
    load_demo_workspace(workspace_for(alex, public), alex)


def _enrol_demo_learners(client: Organization, team: Cohort, public: Organization, workshop: Cohort) -> None:
    """Assign the in-house programme to the Northwind team, enrol everyone on ABM Foundations."""
    from datetime import timedelta

    from lms.content.models import Course
    from lms.database import utcnow
    from lms.learning.assignments import assign
    from lms.learning.models import Assignment
    from lms.learning.services import enrol

    courses = {c.slug: c for c in db.session.scalars(select(Course).where(Course.is_archived.is_(False)))}
    if not courses:
        return  # content not synced yet: `flask lms content sync` first (make run does)
    manager = services.user_by_email("marcus.manager@northwind.example")
    due = utcnow().replace(hour=17, minute=0, second=0, microsecond=0) + timedelta(days=28)
    for slug, due_at in (("abm-alignment-programme", due), ("abm-foundations", due - timedelta(days=14))):
        if slug not in courses:
            continue
        exists = db.session.scalar(select(Assignment.id).where(
            Assignment.organization_id == client.id, Assignment.course_id == courses[slug].id,
            Assignment.cohort_id == team.id))
        if exists is None:  # assign once: running the demo again must not move due dates
            assign(client, courses[slug], due_at, manager, cohort=team)
    attendee = services.user_by_email("alex.attendee@example.com")
    if "abm-foundations" in courses:
        enrol(attendee, courses["abm-foundations"], public, cohort_id=workshop.id)


def _cohort(org: Organization, name: str, delivery: str, location: str, starts: date, shares: bool) -> Cohort:
    cohort = db.session.scalar(select(Cohort).where(Cohort.organization_id == org.id, Cohort.name == name))
    if cohort is None:
        cohort = Cohort(organization_id=org.id, name=name, delivery=delivery, location=location,
                        starts_on=starts, shares_workspace=shares)
        db.session.add(cohort)
        db.session.flush()
    return cohort


def demo_users() -> list[User]:
    """Return the demo users that exist (for tests and the README)."""
    emails = [p[1] for p in PEOPLE]
    return list(db.session.scalars(select(User).where(User.email.in_(emails))))
