"""Builders for the practice web tests: learners with workspaces, accounts, contacts, handoffs, modules."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from lms.accounts.models import Account, Contact, Handoff, Workspace
from lms.accounts.workspaces import workspace_for
from lms.content.models import Course, Module
from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Organization, User
from tests.factories import make_cohort, make_org, make_user

_seq = itertools.count(1)
FEW_ROLES = ("senior_decision_maker", "functional_owner", "technical_evaluator", "finance")


def learner_with_workspace(org: Organization | None = None, **user_kw) -> tuple[Organization, User, Workspace]:
    """A learner in `org` (a new organisation by default) with their personal workspace."""
    org = org or make_org()
    user = make_user(org, ("learner",), **user_kw)
    ws = workspace_for(user, org)
    db.session.commit()
    return org, user, ws


def add_account(ws: Workspace, name: str | None = None, tier: str | None = "1:few", **kw) -> Account:
    n = next(_seq)
    fields = {"is_target": True, "domain": f"account{n}.example", "why_selected": "Opening two depots this year",
              "sales_owner": "Priya Shah", "marketing_owner": "Tom Reed"}
    fields.update(kw)
    account = Account(organization_id=ws.organization_id, workspace_id=ws.id, name=name or f"Account {n}",
                      normalised_name=(name or f"account {n}").lower(), tier=tier, **fields)
    db.session.add(account)
    db.session.flush()
    return account


def add_contact(ws: Workspace, account: Account | None, *roles: str, **kw) -> Contact:
    n = next(_seq)
    fields = {"first_name": "Alex", "last_name": f"Person{n}", "title": "Director",
              "email": f"person{n}@{account.domain if account else 'example.org'}"}
    fields.update(kw)
    contact = Contact(organization_id=ws.organization_id, workspace_id=ws.id,
                      account_id=account.id if account else None, roles=list(roles), **fields)
    db.session.add(contact)
    db.session.flush()
    return contact


def mapped_account(ws: Workspace, name: str, roles=FEW_ROLES, tier: str = "1:few") -> Account:
    """A 1:few account with one contact per role."""
    account = add_account(ws, name, tier)
    for role in roles:
        add_contact(ws, account, role)
    return account


def add_handoff(ws: Workspace, account: Account, contact: Contact | None, **kw) -> Handoff:
    fields = {"sent_at": utcnow() - timedelta(hours=2), "contact_role": "finance",
              "buying_group_relevance": "Signs off the budget for the routing project",
              "engagement_summary": "Downloaded the payback guide and visited pricing twice this week",
              "qualification_level": "hot",
              "recommended_follow_up": "Call about the payback guide and offer a route-cost review",
              "sales_owner": "Priya Shah", "sla_hours": 24}
    fields.update(kw)
    handoff = Handoff(organization_id=ws.organization_id, workspace_id=ws.id, account_id=account.id,
                      contact_id=contact.id if contact else None, **fields)
    db.session.add(handoff)
    db.session.flush()
    return handoff


def make_module(course_slug: str, module_slug: str, title: str, *, position: int = 1, minutes: int = 8,
                audience: str = "public", required_exercises: tuple[str, ...] = ()) -> Module:
    """A course (created on first use) with this module, as content sync would store them."""
    course = db.session.query(Course).filter_by(slug=course_slug).one_or_none()
    if course is None:
        course = Course(slug=course_slug, title=course_slug.replace("-", " ").title(), audience=audience,
                        pass_mark=70, required_exercises=list(required_exercises))
        db.session.add(course)
        db.session.flush()
    module = Module(course_id=course.id, slug=module_slug, position=position, title=title, minutes=minutes,
                    last_reviewed=date(2026, 9, 1), version=f"v{next(_seq)}", body_html="<p>Lesson</p>",
                    version_changed_at=datetime(2026, 9, 1))
    db.session.add(module)
    db.session.flush()
    return module


def coach_for(org: Organization, *learners: User, email: str | None = None) -> User:
    """A coach of a new cohort holding `learners`."""
    cohort = make_cohort(org, shares_workspace=False)
    coach = make_user(org, ("coach",), email=email, cohort=cohort, cohort_role="coach")
    from lms.identity.services import join_cohort

    for learner in learners:
        join_cohort(learner, cohort, "learner")
    db.session.commit()
    return coach
