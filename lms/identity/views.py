"""Sign-in, sign-up, password reset, invitations, profile; organisation and platform administration."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from lms.extensions import db, limiter
from lms.forms import EmptyForm, choices
from lms.identity import services
from lms.identity.bulk import parse_invitations
from lms.identity.directory import IdentityDirectory
from lms.identity.forms import (
    AcceptInvitationForm,
    BulkInviteForm,
    CohortForm,
    CohortMemberForm,
    ForgotPasswordForm,
    InviteForm,
    LoginForm,
    MemberRolesForm,
    OrganizationForm,
    ProfileForm,
    ResetPasswordForm,
    SignupForm,
)
from lms.identity.models import Cohort, CohortMember, Invitation
from lms.identity.signals import name_changed
from lms.mail import send_template
from lms.tenancy import get_or_404, load_tenant, platform_admin_required, role_required
from lms.tracking.directory import use_directory
from lms.tracking.services import record

bp = Blueprint("identity", __name__)
bp.before_app_request(load_tenant)


@bp.record_once
def _answer_the_learning_record(state) -> None:
    """Identity owns people and tenants: the learning record asks it for their emails and names."""
    use_directory(state.app, IdentityDirectory())


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _email_key() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()


def _safe_next(target: str | None) -> str:
    """Return `target` if it is a local path, else the dashboard (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("learning.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_email_key)
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append("That email and password don't match. Check them, or reset your password.")
        else:
            login_user(user, remember=form.remember.data)
            session.permanent = True
            first_org = min((m.organization_id for m in user.memberships), default=None)
            session["org_id"] = first_org
            services.note_login(user, first_org)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("identity/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """Sign out."""
    if EmptyForm().validate_on_submit():
        record(current_user.actor, "logged-out", ("user", current_user.id, current_user.name),
               organization_id=g.org.id if g.org else None)
        db.session.commit()
        logout_user()
        session.clear()
        flash("You've signed out.", "info")
    return redirect(url_for("identity.login"))


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def signup():
    """Create an account as a public-course attendee."""
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = services.sign_up(
                form.email.data, form.name.data, form.password.data, form.job_function.data,
                current_app.config["PUBLIC_ORG_SLUG"],
            )
        except services.IdentityError as exc:
            form.email.errors.append(str(exc))
        else:
            login_user(user)
            session["org_id"] = user.memberships[0].organization_id if user.memberships else None
            services.note_login(user, session["org_id"])
            db.session.commit()
            flash("Welcome to ABM Academy. Start with a course below.", "success")
            return redirect(url_for("learning.dashboard"))
    return render_template("identity/signup.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def password_forgot():
    """Email a reset link; the answer is the same whether or not the email is known."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.user_by_email(form.email.data)
        if user and user.is_active_user:
            token = services.issue_reset_token(user, current_app.config["PASSWORD_RESET_HOURS"])
            db.session.commit()
            send_template(
                user.email, "Reset your ABM Academy password", "identity/email/reset",
                user=user, url=url_for("identity.password_reset", token=token, _external=True),
                hours=current_app.config["PASSWORD_RESET_HOURS"],
            )
        flash("If that email has an account, a reset link is on its way. Check your inbox.", "info")
        return redirect(url_for("identity.login"))
    return render_template("identity/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def password_reset(token: str):
    """Choose a new password with a single-use, expiring token."""
    row = services.reset_token_user(token)
    if row is None:
        return render_template("identity/token_invalid.html", what="password reset link"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(row, form.password.data)
        db.session.commit()
        flash("Your password has been changed. Sign in with the new one.", "success")
        return redirect(url_for("identity.login"))
    return render_template("identity/reset.html", form=form)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation_accept(token: str):
    """Accept an invitation: set a password (new users) and join the organisation and cohort."""
    invitation = services.invitation_for(token)
    if invitation is None:
        return render_template("identity/token_invalid.html", what="invitation link"), 404
    existing = services.user_by_email(invitation.email)
    form = AcceptInvitationForm(name=invitation.name) if existing is None else EmptyForm()
    if form.validate_on_submit():
        if existing and (not current_user.is_authenticated or current_user.id != existing.id):
            flash("Sign in as " + invitation.email + " to accept this invitation.", "info")
            return redirect(url_for("identity.login", next=request.path))
        user = services.accept_invitation(
            invitation, existing, name=getattr(form, "name", None) and form.name.data,
            password=getattr(form, "password", None) and form.password.data,
        )
        login_user(user)
        session["org_id"] = invitation.organization_id
        services.note_login(user, invitation.organization_id)
        db.session.commit()
        flash(f"You've joined {invitation.organization.name}.", "success")
        return redirect(url_for("learning.dashboard"))
    return render_template("identity/invitation.html", form=form, invitation=invitation, existing=existing)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Edit your name, team, time zone and reminder preference."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        old_name = current_user.name
        form.populate_obj(current_user)
        current_user.timezone = form.timezone.data or None
        if current_user.name != old_name:
            name_changed.send(current_user._get_current_object())  # e.g. certificates are reissued
        db.session.commit()
        flash("Saved.", "success")
        return redirect(url_for("identity.profile"))
    return render_template("identity/profile.html", form=form)


@bp.post("/organizations/<int:org_id>/switch")
@login_required
def org_switch(org_id: int):
    """Work in another of your organisations."""
    if EmptyForm().validate_on_submit() and any(m.organization_id == org_id for m in current_user.memberships):
        session["org_id"] = org_id
    return redirect(url_for("learning.dashboard"))


# --- Organisation admin -------------------------------------------------------------------------


@bp.get("/admin/members")
@role_required("org_admin")
def members():
    """The organisation's people and their roles."""
    return render_template("identity/admin/members.html", people=services.members_of(g.org.id))


@bp.route("/admin/members/<int:user_id>", methods=["GET", "POST"])
@role_required("org_admin")
def member_edit(user_id: int):
    """Change a member's roles or stop them signing in."""
    person = services.member_or_404(g.org.id, user_id)
    roles = [m.role for m in person.memberships if m.organization_id == g.org.id]
    form = MemberRolesForm(roles=roles, is_active=person.is_active_user)
    if form.validate_on_submit():
        if person.id == current_user.id and "org_admin" not in form.roles.data:
            form.roles.errors.append("You can't remove your own admin role: ask another admin.")
        else:
            services.set_roles(person, g.org.id, set(form.roles.data))
            person.is_active_user = form.is_active.data or person.id == current_user.id
            db.session.commit()
            flash(f"Updated {person.name}.", "success")
            return redirect(url_for("identity.members"))
    return render_template("identity/admin/member_edit.html", form=form, person=person)


def _invite_forms() -> tuple[list[Cohort], InviteForm, BulkInviteForm]:
    cohorts = services.cohorts_of(g.org.id)
    form = InviteForm(prefix="one")
    form.cohort_id.choices = choices([(0, "No cohort")] + [(c.id, c.name) for c in cohorts])
    return cohorts, form, BulkInviteForm(prefix="bulk")


@bp.route("/admin/invitations", methods=["GET", "POST"])
@role_required("org_admin")
def invitations():
    """Invite one person, or many from a CSV; list pending invitations."""
    cohorts, form, bulk = _invite_forms()
    if form.validate_on_submit():
        cohort = next((c for c in cohorts if c.id == form.cohort_id.data), None)
        try:
            invitation, token = services.invite(
                g.org, email=form.email.data, name=form.name.data, job_function=form.job_function.data,
                role=form.role.data, cohort=cohort, invited_by=current_user,
                days=current_app.config["INVITATION_DAYS"],
            )
        except services.IdentityError as exc:
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            _send_invitation(invitation, token)
            flash(f"Invitation sent to {invitation.email}.", "success")
            return redirect(url_for("identity.invitations"))
    pending = services.invitations_of(g.org.id)
    return render_template(
        "identity/admin/invitations.html", form=form, bulk=bulk, pending=pending, errors=[], invited=[]
    )


@bp.post("/admin/invitations/bulk")
@role_required("org_admin")
def invitations_bulk():
    """Invite everyone in a CSV; all-or-nothing unless "invite the valid rows" is ticked."""
    cohorts, form, bulk = _invite_forms()
    errors, invited = [], []
    if bulk.validate_on_submit():
        rows, errors = parse_invitations(bulk.file.data.read(), {c.name for c in cohorts})
        if rows and (not errors or bulk.import_valid.data):
            invited = services.invite_many(
                g.org, rows, cohorts, role=bulk.role.data, invited_by=current_user,
                days=current_app.config["INVITATION_DAYS"],
            )
            db.session.commit()
            for invitation, token in invited:
                _send_invitation(invitation, token)
            flash(f"{len(invited)} invitation(s) sent.", "success")
            if not errors:
                return redirect(url_for("identity.invitations"))
        elif errors:
            flash("Nobody was invited: fix the rows below and upload the file again, "
                  "or tick \u201cinvite the valid rows\u201d.", "error")
    pending = services.invitations_of(g.org.id)
    return render_template(
        "identity/admin/invitations.html", form=form, bulk=bulk, pending=pending, errors=errors,
        invited=[i for i, _ in invited],
    ), (400 if errors and not invited else 200)


@bp.post("/admin/invitations/<int:invitation_id>/revoke")
@role_required("org_admin")
def invitation_revoke(invitation_id: int):
    """Withdraw a pending invitation."""
    invitation = get_or_404(Invitation, invitation_id)
    if EmptyForm().validate_on_submit() and invitation.state == "pending":
        services.revoke_invitation(invitation)
        db.session.commit()
        flash(f"Invitation to {invitation.email} withdrawn.", "info")
    return redirect(url_for("identity.invitations"))


def _send_invitation(invitation: Invitation, token: str) -> None:
    send_template(
        invitation.email, f"You're invited to {invitation.organization.name} on ABM Academy",
        "identity/email/invitation", invitation=invitation,
        url=url_for("identity.invitation_accept", token=token, _external=True),
    )


@bp.get("/admin/cohorts")
@role_required("org_admin")
def cohorts():
    """The organisation's cohorts."""
    return render_template("identity/admin/cohorts.html", cohorts=services.cohorts_with_counts(g.org.id))


@bp.route("/admin/cohorts/new", methods=["GET", "POST"])
@role_required("org_admin")
def cohort_new():
    """Create a cohort."""
    form = CohortForm(shares_workspace=g.org.kind != "public")
    if form.validate_on_submit():
        cohort = Cohort(organization_id=g.org.id)
        form.populate_obj(cohort)
        db.session.add(cohort)
        db.session.commit()
        flash(f"Cohort \u201c{cohort.name}\u201d created. Now add people to it.", "success")
        return redirect(url_for("identity.cohort_edit", cohort_id=cohort.id))
    return render_template("identity/admin/cohort_form.html", form=form, cohort=None)


@bp.route("/admin/cohorts/<int:cohort_id>", methods=["GET", "POST"])
@role_required("org_admin")
def cohort_edit(cohort_id: int):
    """Edit a cohort and its members."""
    cohort = get_or_404(Cohort, cohort_id)
    form = CohortForm(obj=cohort)
    add = CohortMemberForm(prefix="add")
    add.user_id.choices = choices((u.id, f"{u.name} <{u.email}>") for u, _ in services.members_of(g.org.id))
    if form.validate_on_submit():
        form.populate_obj(cohort)
        db.session.commit()
        flash("Cohort saved.", "success")
        return redirect(url_for("identity.cohort_edit", cohort_id=cohort.id))
    return render_template("identity/admin/cohort_form.html", form=form, cohort=cohort, add=add)


@bp.post("/admin/cohorts/<int:cohort_id>/members")
@role_required("org_admin")
def cohort_member_add(cohort_id: int):
    """Add a member of the organisation to the cohort."""
    cohort = get_or_404(Cohort, cohort_id)
    add = CohortMemberForm(prefix="add")
    add.user_id.choices = choices((u.id, u.name) for u, _ in services.members_of(g.org.id))
    if add.validate_on_submit():
        person = services.member_or_404(g.org.id, add.user_id.data)
        services.join_cohort(person, cohort, add.role.data)
        db.session.commit()
        flash(f"{person.name} added.", "success")
    else:
        flash("Choose a member of your organisation to add.", "error")
    return redirect(url_for("identity.cohort_edit", cohort_id=cohort.id))


@bp.post("/admin/cohorts/<int:cohort_id>/members/<int:member_id>/remove")
@role_required("org_admin")
def cohort_member_remove(cohort_id: int, member_id: int):
    """Take someone out of a cohort (their learning record stays)."""
    cohort = get_or_404(Cohort, cohort_id)
    member = db.get_or_404(CohortMember, member_id)
    if member.cohort_id != cohort.id:
        abort(404)
    if EmptyForm().validate_on_submit():
        db.session.delete(member)
        db.session.commit()
        flash("Removed from the cohort.", "info")
    return redirect(url_for("identity.cohort_edit", cohort_id=cohort.id))


# --- Platform admin -----------------------------------------------------------------------------


@bp.route("/platform/organizations", methods=["GET", "POST"])
@platform_admin_required
def organizations():
    """Create client organisations and see them all."""
    form = OrganizationForm()
    if form.validate_on_submit():
        try:
            org, token = services.create_organization(
                form.name.data, form.slug.data, admin_email=form.admin_email.data,
                admin_name=form.admin_name.data, invited_by=current_user,
            )
        except services.IdentityError as exc:
            form.slug.errors.append(str(exc))
        else:
            db.session.commit()
            if token:
                _send_invitation(services.invitation_for(token), token)
            flash(f"Organisation \u201c{org.name}\u201d created.", "success")
            return redirect(url_for("identity.organizations"))
    return render_template(
        "identity/admin/organizations.html", form=form, organizations=services.organizations_with_counts()
    )

