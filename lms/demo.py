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
    _demo_sessions(public, coach)
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


def _demo_sessions(public: Organization, coach: User) -> None:
    """Two upcoming sessions of ABM Foundations run by Chloe: a day in London and two online mornings. Idempotent:
    a delivery that already has an upcoming session of the course gets no second one."""
    from datetime import datetime, time, timedelta

    from lms.content.models import Course
    from lms.database import utcnow
    from lms.learning.deadlines import local_to_utc, zone
    from lms.workshops.models import WorkshopSession
    from lms.workshops.services import SessionPlan, create_session

    course = db.session.scalar(select(Course).where(Course.slug == "abm-foundations", Course.is_archived.is_(False)))
    if course is None:
        return  # content not synced yet
    now = utcnow()
    planned = set(db.session.scalars(select(WorkshopSession.delivery).where(
        WorkshopSession.course_id == course.id, WorkshopSession.is_cancelled.is_(False),
        WorkshopSession.starts_at > now)))
    london = zone("Europe/London")
    today = now.date()

    def thursday(weeks: int):
        return today + timedelta(days=(3 - today.weekday()) % 7 + 7 * weeks)

    def local(day, hour: int, minute: int = 0) -> datetime:
        return local_to_utc(day, time(hour, minute), london)

    admin = services.user_by_email("admin@abm-academy.example")
    if "in_person" not in planned:
        day = thursday(5)
        create_session(public, course, SessionPlan(
            title="ABM Foundations in London", delivery="in_person", parts=[(local(day, 9, 30), local(day, 16, 30))],
            timezone="Europe/London", capacity=16, booking_deadline=local(day - timedelta(days=3), 17),
            venue_name="The Clerkenwell Rooms", venue_address="42 St John Street\nLondon\nEC1M 4DL",
            price_text="£495 + VAT per person, lunch included"), coach=coach, by=admin)
    if "virtual" not in planned:
        first = thursday(8) - timedelta(days=1)  # a Wednesday and Thursday morning
        create_session(public, course, SessionPlan(
            title="ABM Foundations online, over two mornings", delivery="virtual",
            parts=[(local(first + timedelta(days=d), 9, 30), local(first + timedelta(days=d), 12, 30)) for d in (0, 1)],
            timezone="Europe/London", capacity=20, booking_deadline=local(first - timedelta(days=2), 17),
            join_url="https://meet.abm-academy.example/abm-foundations-online",
            price_text="£395 + VAT per person"), coach=coach, by=admin)


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
