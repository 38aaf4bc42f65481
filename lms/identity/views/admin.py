"""Organisation administration (members, invitations, cohorts) and platform administration."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from lms.extensions import db
from lms.forms import EmptyForm, choices
from lms.identity import audit, invitation_mail, people, services
from lms.identity.bulk import parse_invitations
from lms.identity.forms import (
    BulkInviteForm,
    CohortForm,
    CohortMemberForm,
    CohortPeopleSearch,
    InviteForm,
    MemberRolesForm,
    MemberSearch,
    OrganizationEditForm,
    OrganizationForm,
    WordSearch,
)
from lms.identity.models import Cohort, CohortMember, Invitation, Organization
from lms.identity.views.blueprint import bp
from lms.tenancy import get_or_404, platform_admin_required, role_required


@bp.get("/admin/members")
@role_required("org_admin")
def members():
    """The organisation's people and their roles, a page at a time, found by name, email and role."""
    search = MemberSearch(request.args)
    found = people.members_page(g.org.id, search.q.data, search.role.data, search.page.data)
    return render_template("identity/admin/members.html", search=search, found=found)


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
            invitation_mail.send_invitation(invitation, token)
            flash(f"Invitation sent to {invitation.email}.", "success")
            return redirect(url_for("identity.invitations"))
    return _invitations_page(form, bulk, errors=[], invited=[], job=None)


@bp.post("/admin/invitations/bulk")
@role_required("org_admin")
def invitations_bulk():
    """Invite everyone in a CSV; all-or-nothing unless "invite the valid rows" is ticked."""
    cohorts, form, bulk = _invite_forms()
    errors, invited, job = [], [], None
    if bulk.validate_on_submit():
        rows, errors = parse_invitations(bulk.file.data.read(), {c.name for c in cohorts})
        if rows and (not errors or bulk.import_valid.data):
            try:
                invited = services.invite_many(
                    g.org, rows, cohorts, role=bulk.role.data, invited_by=current_user,
                    days=current_app.config["INVITATION_DAYS"],
                )
            except services.IdentityError as exc:
                flash(f"Nobody was invited. {exc}", "error")
                return redirect(url_for("identity.invitations"))
            db.session.commit()
            job = invitation_mail.send_later(invited, current_user)
            if not errors:
                return redirect(url_for("jobs.show", job_id=job.id))
        elif errors:
            flash("Nobody was invited: fix the rows below and upload the file again, "
                  "or tick \u201cinvite the valid rows\u201d.", "error")
    return _invitations_page(form, bulk, errors=errors, invited=invited, job=job), (
        400 if errors and not invited else 200)


def _invitations_page(form: InviteForm, bulk: BulkInviteForm, **context) -> str:
    """The invitations page: the forms, and a page of the invitations found by the address's search."""
    search = WordSearch(request.args)
    return render_template("identity/admin/invitations.html", form=form, bulk=bulk, search=search,
                           found=people.invitations_page(g.org.id, search.q.data, search.page.data), **context)


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


@bp.post("/admin/invitations/<int:invitation_id>/resend")
@role_required("org_admin")
def invitation_resend(invitation_id: int):
    """Send a pending or expired invitation again with a fresh link (the earlier link stops working), and show
    the link once so the admin can pass it on another way if the email does not arrive."""
    old = get_or_404(Invitation, invitation_id)
    if not EmptyForm().validate_on_submit() or old.state not in ("pending", "expired"):
        return redirect(url_for("identity.invitations"))
    invitation, token = services.invite(old.organization, email=old.email, name=old.name,
                                        job_function=old.job_function, role=old.role, cohort=old.cohort,
                                        invited_by=current_user, days=current_app.config["INVITATION_DAYS"])
    db.session.commit()
    invitation_mail.send_invitation(invitation, token)
    link = url_for("identity.invitation_accept", token=token, _external=True)
    flash(f"Invitation sent again to {invitation.email}. If it doesn't arrive, send them this link yourself (the "
          f"earlier one no longer works): {link}", "success")
    return redirect(url_for("identity.invitations"))


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
    if form.validate_on_submit():
        form.populate_obj(cohort)
        db.session.commit()
        flash("Cohort saved.", "success")
        return redirect(url_for("identity.cohort_edit", cohort_id=cohort.id))
    search = CohortPeopleSearch(request.args)
    return render_template("identity/admin/cohort_form.html", form=form, cohort=cohort, search=search,
                           here=_search_args(search),
                           members=people.cohort_members_page(cohort, search.page.data),
                           found=people.cohort_candidates(cohort, search.q.data, search.people_page.data))


@bp.post("/admin/cohorts/<int:cohort_id>/members")
@role_required("org_admin")
def cohort_member_add(cohort_id: int):
    """Add a member of the organisation to the cohort."""
    cohort = get_or_404(Cohort, cohort_id)
    add = CohortMemberForm()
    if add.validate_on_submit():
        person = services.member_or_404(g.org.id, add.user_id.data)
        services.join_cohort(person, cohort, add.role.data)
        db.session.commit()
        flash(f"{person.name} added as {add.role.data}.", "success")
    else:
        flash("Choose a member of your organisation to add.", "error")
    # Back to the same search and page, to add the next person found.
    return redirect(url_for("identity.cohort_edit", cohort_id=cohort.id, **_search_args()) + "#add")


def _search_args(search: CohortPeopleSearch | None = None) -> dict[str, object]:
    """The cohort page's search and pages that this request's address carries, without the defaults: the page's
    links and forms keep them, and adding or removing someone comes back to them."""
    search = search or CohortPeopleSearch(request.args)
    return {f.name: f.data for f in search if f.data != f.default}


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
    return redirect(url_for("identity.cohort_edit", cohort_id=cohort.id, **_search_args()) + "#members")


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
                invitation_mail.send_invitation(services.invitation_for(token), token)
            flash(f"Organisation \u201c{org.name}\u201d created.", "success")
            return redirect(url_for("identity.organizations"))
    return render_template(
        "identity/admin/organizations.html", form=form, organizations=services.organizations_with_counts()
    )


@bp.route("/platform/organizations/<int:org_id>", methods=["GET", "POST"])
@platform_admin_required
def organization_edit(org_id: int):
    """Edit an organisation: its name, time zone and seat limit; suspend or reactivate it (logged)."""
    org = db.session.get(Organization, org_id)
    if org is None:
        abort(404)
    form = OrganizationEditForm(obj=org)
    if form.validate_on_submit():
        was_active = org.is_active
        form.populate_obj(org)
        if was_active != org.is_active:
            audit.log("reactivated-organisation" if org.is_active else "suspended-organisation", actor=current_user,
                      organization_id=org.id, subject_id=org.id, subject_name=org.name)
        audit.log("edited-organisation", actor=current_user, organization_id=org.id, subject_id=org.id,
                  subject_name=org.name, seat_limit=org.seat_limit, timezone=org.timezone)
        db.session.commit()
        flash(f"Saved {org.name}." + ("" if org.is_active else " It is suspended: its members cannot reach it."),
              "success")
        return redirect(url_for("identity.organizations"))
    return render_template("identity/admin/organization_edit.html", form=form, org=org,
                           seats=services.seats_used(org))
