"""Plain factory functions for tests: make_org, make_user (with roles), make_cohort."""

from __future__ import annotations

import itertools

from lms.extensions import db
from lms.identity import services
from lms.identity.models import Cohort, Organization, User

DEFAULT_PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def make_org(name: str | None = None, **overrides) -> Organization:
    n = next(_seq)
    org = Organization(name=name or f"Client {n}", slug=overrides.pop("slug", f"client-{n}"), **overrides)
    db.session.add(org)
    db.session.flush()
    return org


def make_user(
    org: Organization | None = None,
    roles: tuple[str, ...] = ("learner",),
    *,
    email: str | None = None,
    name: str | None = None,
    password: str = DEFAULT_PASSWORD,
    job_function: str = "marketing",
    cohort: Cohort | None = None,
    cohort_role: str = "learner",
    commit: bool = True,
    **overrides,
) -> User:
    n = next(_seq)
    user = services.create_user(email or f"user{n}@company{n}.example", name or f"User {n}", password, job_function)
    for key, value in overrides.items():
        setattr(user, key, value)
    if org is not None:
        for role in roles:
            services.add_role(user, org, role)
    if cohort is not None:
        services.join_cohort(user, cohort, cohort_role)
    if commit:
        db.session.commit()
    return user


def make_cohort(org: Organization, name: str | None = None, **overrides) -> Cohort:
    cohort = Cohort(organization_id=org.id, name=name or f"Cohort {next(_seq)}", **overrides)
    db.session.add(cohort)
    db.session.flush()
    return cohort
