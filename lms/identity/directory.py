"""What identity tells the learning record: people by id or email and tenant names (the directory tracking asks,
registered by identity's blueprint), and that a deactivated organisation's API tokens are revoked."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import event, inspect, literal_column, select, union_all

from lms.extensions import db
from lms.identity.models import Cohort, Organization, User
from lms.tracking.credentials import revoke_organization_credentials
from lms.tracking.directory import Actor, Names
from lms.tracking.services import revoke_organization_tokens


class IdentityDirectory:
    """lms.tracking.directory.Directory, answered from identity's tables (one query per question)."""

    def actors(self, user_ids: Collection[int]) -> dict[int, Actor]:
        """Return {user id: Actor} with each existing user's email and name."""
        rows = db.session.execute(select(User.id, User.email, User.name).where(User.id.in_(list(user_ids))))
        return {user_id: Actor(user_id, email, name) for user_id, email, name in rows}

    def user_ids(self, emails: Collection[str]) -> list[int]:
        """Return the ids of the users whose (normalised) email is one of `emails`."""
        return list(db.session.scalars(select(User.id).where(User.email.in_(list(emails)))))

    def names(self, organization_ids: Collection[int], cohort_ids: Collection[int]) -> Names:
        """Return the organisations' and cohorts' current names."""
        parts = []
        if organization_ids:
            parts.append(select(literal_column("'organization'"), Organization.id, Organization.name)
                         .where(Organization.id.in_(list(organization_ids))))
        if cohort_ids:
            parts.append(select(literal_column("'cohort'"), Cohort.id, Cohort.name)
                         .where(Cohort.id.in_(list(cohort_ids))))
        found: dict[str, dict[int, str]] = {"organization": {}, "cohort": {}}
        if parts:
            for kind, id_, name in db.session.execute(union_all(*parts) if len(parts) > 1 else parts[0]):
                found[kind][id_] = name
        return Names(found["organization"], found["cohort"])


@event.listens_for(Organization, "after_update")
def _revoke_tokens_when_deactivated(_mapper, connection, organization: Organization) -> None:
    """However an organisation is deactivated, its API tokens and LRS credentials stop working (in the same
    transaction)."""
    if not organization.is_active and inspect(organization).attrs.is_active.history.has_changes():
        revoke_organization_tokens(organization.id, connection)
        revoke_organization_credentials(organization.id, connection)
