"""Identity operations: sign-up, sign-in, reset and invitation tokens, memberships. They flush, never commit."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select, update

from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import (
    Cohort,
    CohortMember,
    Invitation,
    Membership,
    Organization,
    PasswordResetToken,
    User,
)
from lms.identity.passwords import hash_password, needs_rehash, verify_password
from lms.identity.sessions import end_all_sessions, token_hash
from lms.identity.signals import cohort_joined
from lms.tracking.services import record

PENDING_BATCH = 500  # emails looked up at once for their pending invitations


class IdentityError(ValueError):
    """A user-facing reason an identity operation could not be done."""


def normalise_email(value: str) -> str:
    """Return the email trimmed and lower-cased; raises IdentityError when it is not a valid address."""
    try:
        return validate_email((value or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise IdentityError("Enter a valid email address, like name@company.com.") from exc


def user_by_email(email: str) -> User | None:
    """Return the user with this (normalised) email, or None."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def public_organization(slug: str) -> Organization:
    """Return the public-courses organization, creating it on first use."""
    org = db.session.scalar(select(Organization).where(Organization.slug == slug))
    if org is None:
        org = Organization(slug=slug, name="Public courses", kind="public")
        db.session.add(org)
        db.session.flush()
    return org


def create_user(email: str, name: str, password: str | None, job_function: str = "other", *,
                confirmed: bool = True) -> User:
    """Add a user (confirmed unless a public sign-up); raises IdentityError if the email is taken."""
    email = normalise_email(email)
    if user_by_email(email):
        raise IdentityError("An account with that email already exists. Sign in, or reset your password.")
    user = User(
        email=email,
        name=name.strip(),
        job_function=job_function,
        password_hash=hash_password(password) if password else None,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def add_role(user: User, org: Organization, role: str) -> Membership:
    """Give `user` `role` in `org` (idempotent) and return the membership."""
    existing = db.session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.organization_id == org.id, Membership.role == role
        )
    )
    if existing:
        return existing
    membership = Membership(user=user, organization=org, role=role)
    db.session.add(membership)
    db.session.flush()
    return membership


def join_cohort(user: User, cohort: Cohort, role: str = "learner") -> CohortMember:
    """Add `user` to `cohort` (idempotent) and return the cohort membership."""
    existing = db.session.scalar(
        select(CohortMember).where(CohortMember.cohort_id == cohort.id, CohortMember.user_id == user.id)
    )
    if existing:
        return existing
    member = CohortMember(cohort=cohort, user=user, role=role)
    db.session.add(member)
    db.session.flush()
    cohort_joined.send(member)
    return member


def sign_up(email: str, name: str, password: str, job_function: str, public_slug: str) -> User | None:
    """Register a public-course attendee as a learner of the public organization, unconfirmed until they follow
    the emailed link. Returns None when the email has an account already, after the same work (a password hash),
    so the answer and its timing do not tell a stranger which emails have accounts."""
    email = normalise_email(email)
    if user_by_email(email) is not None:
        hash_password(password)
        return None
    user = create_user(email, name, password, job_function, confirmed=False)
    org = public_organization(public_slug)
    add_role(user, org, "learner")
    record(user.actor, "registered", ("organization", org.id, org.name), organization_id=org.id)
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the active user whose email and password match, or None (same answer for either mistake)."""
    try:
        email = normalise_email(email)
    except IdentityError:
        return None
    user = user_by_email(email)
    if user is None:
        verify_password(_DUMMY_HASH, password)  # spend the same time: don't reveal which emails exist
        return None
    if not user.is_active_user or not verify_password(user.password_hash, password):
        return None
    if user.email_confirmed_at is None:
        raise EmailUnconfirmed(user)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


class EmailUnconfirmed(Exception):
    """The right password for an account whose email address is not confirmed yet."""

    def __init__(self, user: User) -> None:
        super().__init__("email not confirmed")
        self.user = user


_DUMMY_HASH = hash_password(secrets.token_hex(8))


def note_login(user: User, organization_id: int | None) -> None:
    """Record a sign-in: first sign-in activates the user (the adoption funnel's second step)."""
    now = utcnow()
    if user.activated_at is None:
        user.activated_at = now
    user.last_login_at = now
    record(user.actor, "logged-in", ("user", user.id, user.name), organization_id=organization_id)


def issue_reset_token(user: User, hours: int, purpose: str = "reset") -> str:
    """Create a single-use token valid for `hours` and return it (only its hash is stored). Older unused tokens
    of the same purpose are spent: only the newest link works."""
    now = utcnow()
    db.session.execute(update(PasswordResetToken).where(
        PasswordResetToken.user_id == user.id, PasswordResetToken.purpose == purpose,
        PasswordResetToken.used_at.is_(None)).values(used_at=now))
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordResetToken(user=user, token_hash=token_hash(token), expires_at=now + timedelta(hours=hours),
                                      purpose=purpose))
    db.session.flush()
    return token


def reset_token_user(token: str, purpose: str = "reset") -> PasswordResetToken | None:
    """Return the unused, unexpired token row of this purpose for `token`, or None."""
    row = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash(token),
                                                             PasswordResetToken.purpose == purpose))
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        return None
    return row


def confirm_email(row: PasswordResetToken) -> User:
    """Confirm a sign-up's email address with its emailed token (spent)."""
    user = row.user
    row.used_at = utcnow()
    if user.email_confirmed_at is None:
        user.email_confirmed_at = row.used_at
    return user


def reset_password(row: PasswordResetToken, password: str) -> User:
    """Set a new password, spend the token (and any others of the user), and end every session."""
    user = row.user
    user.password_hash = hash_password(password)
    end_all_sessions(user)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()  # the reset link proved the address
    now = utcnow()
    for other in db.session.scalars(
        select(PasswordResetToken).where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
    ):
        other.used_at = now
    return user


def seats_used(org: Organization) -> int:
    """Return the seats an organisation uses: its members and the people with a pending invitation."""
    members = set(db.session.scalars(select(Membership.user_id).where(Membership.organization_id == org.id)))
    member_emails = set(db.session.scalars(select(User.email).where(User.id.in_(members)))) if members else set()
    pending = set(db.session.scalars(select(Invitation.email).where(
        Invitation.organization_id == org.id, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
        Invitation.expires_at > utcnow())))
    return len(members) + len(pending - member_emails)


def _check_seats(org: Organization, emails: list[str]) -> None:
    """Raise IdentityError when inviting `emails` would take the organisation past its seat limit."""
    if org.seat_limit is None:
        return
    known = set(db.session.scalars(select(User.email).join(Membership, Membership.user_id == User.id).where(
        Membership.organization_id == org.id, User.email.in_(emails))))
    pending = set(db.session.scalars(select(Invitation.email).where(
        Invitation.organization_id == org.id, Invitation.email.in_(emails), Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow())))
    new = len(set(emails) - known - pending)
    used = seats_used(org)
    if new and used + new > org.seat_limit:
        raise IdentityError(f"No seats left: {used} of {org.seat_limit} are used and this needs {new} more. Withdraw "
                            "pending invitations, or ask ABM Academy to raise the limit.")


def invite(
    org: Organization,
    *,
    email: str,
    name: str,
    job_function: str = "other",
    role: str = "learner",
    cohort: Cohort | None = None,
    invited_by: User | None = None,
    days: int = 14,
) -> tuple[Invitation, str]:
    """Create an invitation and return it with its token (to email); replaces a pending one for the email."""
    email = normalise_email(email)
    _check_seats(org, [email])
    return _invite_all(org, [(email, name, job_function, cohort)], role=role, invited_by=invited_by, days=days)[0]


def _invite_all(org: Organization, people: Sequence[tuple[str, str, str, Cohort | None]], *, role: str,
                invited_by: User | None, days: int) -> list[tuple[Invitation, str]]:
    """Invite `people` ((normalised email, name, job function, cohort) each; seats already checked) and return
    (invitation, token) pairs: their pending invitations withdrawn, the new ones added in one flush, an "invited"
    statement each. A few queries whatever their number."""
    now = utcnow()
    emails = [email for email, *_ in people]
    for start in range(0, len(emails), PENDING_BATCH):
        for pending in db.session.scalars(select(Invitation).where(
                Invitation.organization_id == org.id, Invitation.email.in_(emails[start:start + PENDING_BATCH]),
                Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))):
            pending.revoked_at = now
    made = []
    for email, name, job_function, cohort in people:
        invitation = Invitation(organization_id=org.id, cohort_id=cohort.id if cohort else None, email=email,
                                name=name.strip(), job_function=job_function, role=role,
                                invited_by_id=invited_by.id if invited_by else None,
                                expires_at=now + timedelta(days=days))
        made.append((invitation, renew_token(invitation)))
    db.session.add_all([invitation for invitation, _ in made])
    db.session.flush()
    actor = invited_by.actor if invited_by else None
    for invitation, _ in made:
        record(actor, "invited", ("user", invitation.email, invitation.name), {"role": role},
               organization_id=org.id, cohort_id=invitation.cohort_id)
    return made


def renew_token(invitation: Invitation) -> str:
    """Give the invitation a new token and return it (to email): the earlier one, if any, no longer works."""
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_hash(token)
    return token


def invitation_by_token(token: str) -> Invitation | None:
    """Return the invitation for `token` whatever its state, or None if the token is unknown."""
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))


def invitation_for(token: str) -> Invitation | None:
    """Return the pending invitation for `token`, or None if unknown, used, revoked or expired."""
    row = invitation_by_token(token)
    if row is None or row.state != "pending":
        return None
    return row


def accept_invitation(invitation: Invitation, user: User | None, *, name: str = "", password: str = "") -> User:
    """Accept: create the user if needed, grant the role and cohort, spend the invitation."""
    if user is None:
        user = user_by_email(invitation.email) or create_user(
            invitation.email, name or invitation.name, password, invitation.job_function
        )
    add_role(user, invitation.organization, invitation.role)
    if invitation.cohort is not None:
        join_cohort(user, invitation.cohort, "coach" if invitation.role == "coach" else "learner")
    invitation.accepted_at = utcnow()
    record(
        user.actor,
        "joined",
        ("organization", invitation.organization_id, invitation.organization.name),
        organization_id=invitation.organization_id,
        cohort_id=invitation.cohort_id,
    )
    return user


def set_roles(user: User, org_id: int, roles: set[str]) -> None:
    """Replace `user`'s roles in the organization with `roles` (at least one)."""
    current = {m.role: m for m in user.memberships if m.organization_id == org_id}
    for role, membership in current.items():
        if role not in roles:
            db.session.delete(membership)
    org = db.session.get(Organization, org_id)
    for role in roles - set(current):
        add_role(user, org, role)


def member_or_404(org_id: int, user_id: int) -> User:
    """Return a user who belongs to the organization, or abort 404."""
    from flask import abort

    user = db.session.get(User, user_id)
    if user is None or not any(m.organization_id == org_id for m in user.memberships):
        abort(404)
    return user


def cohorts_of(org_id: int) -> list[Cohort]:
    """Return the organization's active cohorts, newest first."""
    return list(
        db.session.scalars(
            select(Cohort)
            .where(Cohort.organization_id == org_id, Cohort.is_archived.is_(False))
            .order_by(Cohort.starts_on.desc(), Cohort.name)
        )
    )


def cohorts_with_counts(org_id: int) -> list[tuple[Cohort, int, int]]:
    """Return (cohort, learners, coaches) for the organization's cohorts in one query."""
    learners = func.count(CohortMember.id).filter(CohortMember.role == "learner")
    coaches = func.count(CohortMember.id).filter(CohortMember.role == "coach")
    return [
        (c, n_learners, n_coaches)
        for c, n_learners, n_coaches in db.session.execute(
            select(Cohort, learners, coaches)
            .outerjoin(CohortMember, CohortMember.cohort_id == Cohort.id)
            .where(Cohort.organization_id == org_id)
            .group_by(Cohort.id)
            .order_by(Cohort.is_archived, Cohort.starts_on.desc(), Cohort.name)
        )
    ]


def invite_many(org, rows, cohorts, *, role: str, invited_by: User, days: int) -> list[Invitation]:
    """Invite every parsed CSV row (lms.identity.bulk.InviteRow) and return the invitations. Their emails go with
    links made as they are sent (lms.identity.invitation_mail.send_job), not with the tokens made here."""
    by_name = {c.name.lower(): c for c in cohorts}
    people = [(normalise_email(row.email), row.name, row.function,
               by_name.get(row.cohort.lower()) if row.cohort else None) for row in rows]
    _check_seats(org, [email for email, *_ in people])  # the whole file fits, or nobody is invited
    return [invitation for invitation, _ in _invite_all(org, people, role=role, invited_by=invited_by, days=days)]


def revoke_invitation(invitation: Invitation) -> None:
    """Withdraw a pending invitation so its link stops working."""
    invitation.revoked_at = utcnow()


def create_organization(
    name: str, slug: str, *, admin_email: str | None, admin_name: str | None, invited_by: User
) -> tuple[Organization, str | None]:
    """Create a client organization and, if an admin email is given, invite its first org admin.

    Returns the organization and the invitation token (or None). Raises IdentityError if the slug is taken.
    """
    if db.session.scalar(select(Organization.id).where(Organization.slug == slug)):
        raise IdentityError("That short name is already used by another organisation.")
    org = Organization(name=name.strip(), slug=slug, kind="client")
    db.session.add(org)
    db.session.flush()
    token = None
    if admin_email:
        _, token = invite(
            org, email=admin_email, name=admin_name or admin_email, role="org_admin", invited_by=invited_by
        )
    return org, token


def organizations_with_counts() -> list[tuple[Organization, int]]:
    """Return every organization with its number of members, in one query."""
    return list(
        db.session.execute(
            select(Organization, func.count(func.distinct(Membership.user_id)))
            .outerjoin(Membership, Membership.organization_id == Organization.id)
            .group_by(Organization.id)
            .order_by(Organization.name)
        )
    )
