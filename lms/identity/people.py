"""The organisation's people, a cohort's members and the invitations, a page at a time and found by name or email:
an organisation of 10,000 learners is never listed whole (the people page, a cohort's members, the people to add to
a cohort, the invitations)."""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select

from lms.extensions import db
from lms.identity.models import Cohort, CohortMember, Invitation, Membership, User
from lms.paging import Page, paginate

PEOPLE_PER_PAGE = 50  # the people page, a cohort's members, the invitations
CANDIDATES_PER_PAGE = 20  # people found to add to a cohort


def holding_words(stmt: Select, query: str, name=User.name, email=User.email) -> Select:
    """Return `stmt` narrowed to the rows whose `name` or `email` column (the user's, by default) holds every word
    of `query`, in any case; an empty query narrows nothing."""
    for word in query.lower().split():
        # Emails are stored lower-case, and tried first: a match there spares lowering the name.
        stmt = stmt.where(or_(email.contains(word, autoescape=True), func.lower(name).contains(word, autoescape=True)))
    return stmt


def _by_name(stmt: Select) -> Select:
    return stmt.order_by(func.lower(User.name), User.id)


def members_page(org_id: int, query: str = "", role: str = "", page: int = 1) -> Page:
    """Return one page (PEOPLE_PER_PAGE) of the organisation's people, by name: those whose name or email holds every
    word of `query`, and with `role` when given. Items are (user, their roles here, sorted). Three queries: how many,
    the page, and the page's memberships (loaded with the users)."""
    in_org = select(Membership.user_id).where(Membership.organization_id == org_id)
    if role:
        in_org = in_org.where(Membership.role == role)
    found = paginate(_by_name(holding_words(select(User).where(User.id.in_(in_org)), query)), page,
                     PEOPLE_PER_PAGE, scalars=True)
    found.items = [(user, sorted(m.role for m in user.memberships if m.organization_id == org_id))
                   for user in found.items]
    return found


def cohort_members_page(cohort: Cohort, page: int = 1) -> Page:
    """Return one page (PEOPLE_PER_PAGE) of the cohort's members by name, as rows (id: the cohort membership's,
    role, user_id, name, email). Two queries."""
    return paginate(_by_name(
        select(CohortMember.id, CohortMember.role, User.id.label("user_id"), User.name, User.email)
        .join(User, User.id == CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)), page, PEOPLE_PER_PAGE)


def cohort_candidates(cohort: Cohort, query: str = "", page: int = 1) -> Page:
    """Return one page (CANDIDATES_PER_PAGE) of the people of the cohort's organisation who are not in it, by name,
    found by `query` as `holding_words` finds them, as rows (id, name, email). Two queries."""
    in_org = select(Membership.user_id).where(Membership.organization_id == cohort.organization_id)
    in_cohort = select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)
    stmt = select(User.id, User.name, User.email).where(User.id.in_(in_org), User.id.not_in(in_cohort))
    return paginate(_by_name(holding_words(stmt, query)), page, CANDIDATES_PER_PAGE)


def active_admins(org_id: int) -> list[User]:
    """Return the organisation's admins who can sign in, by name (one query, and one for their memberships)."""
    return list(db.session.scalars(_by_name(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.organization_id == org_id, Membership.role == "org_admin", User.is_active_user.is_(True)))))


def invitations_page(org_id: int, query: str = "", page: int = 1) -> Page:
    """Return one page (PEOPLE_PER_PAGE) of the organisation's invitations, newest first, those whose name or email
    holds every word of `query`. Two queries (their cohorts joined)."""
    stmt = holding_words(select(Invitation).where(Invitation.organization_id == org_id), query,
                         name=Invitation.name, email=Invitation.email)
    return paginate(stmt.order_by(Invitation.created_at.desc(), Invitation.id.desc()), page, PEOPLE_PER_PAGE,
                    scalars=True)
