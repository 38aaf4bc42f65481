"""Personal data: a learner downloads everything held about them (JSON or CSV) and asks for deletion; an org admin
erases a member's personal data while the anonymised aggregates stay; each step goes into the audit log.

A composition root: it reads every package's tables, so no package imports it.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import delete, inspect, select, update

from lms.accounts.exporting import safe_cell
from lms.accounts.models import Workspace
from lms.assessment.models import AssessmentAttempt, CoachRating
from lms.certificates.models import Certificate
from lms.certificates.revocation import revoke
from lms.extensions import db
from lms.forms import EmptyForm
from lms.identity import audit, people, services
from lms.identity.models import CohortMember, Invitation, Membership, User, UserSession
from lms.identity.sessions import end_all_sessions
from lms.learning.models import Enrolment, ExerciseCredit, ModuleProgress, QuestionAnswer
from lms.mail import send_template
from lms.practice.models import ExerciseRun, SavedAnswer, Submission
from lms.tenancy import platform_admin_required, role_required
from lms.tracking.models import Statement
from lms.tracking.services import forget_actor

bp = Blueprint("privacy", __name__)

# (dataset, model, the column that names the person). Secrets (password and token hashes) are never exported.
DATASETS = (
    ("account", User, User.id),
    ("roles", Membership, Membership.user_id),
    ("cohorts", CohortMember, CohortMember.user_id),
    ("invitations", Invitation, Invitation.email),
    ("sign_in_sessions", UserSession, UserSession.user_id),
    ("enrolments", Enrolment, Enrolment.user_id),
    ("module_progress", ModuleProgress, ModuleProgress.user_id),
    ("knowledge_check_answers", QuestionAnswer, QuestionAnswer.user_id),
    ("exercise_credits", ExerciseCredit, ExerciseCredit.user_id),
    ("exercise_answers", SavedAnswer, SavedAnswer.user_id),
    ("exercise_runs", ExerciseRun, ExerciseRun.user_id),
    ("exercise_submissions", Submission, Submission.user_id),
    ("assessments", AssessmentAttempt, AssessmentAttempt.user_id),
    ("coach_ratings", CoachRating, CoachRating.learner_id),
    ("certificates", Certificate, Certificate.user_id),
    ("personal_workspaces", Workspace, Workspace.owner_id),
    ("learning_record", Statement, Statement.actor_id),
)
SECRET_COLUMNS = {"password_hash", "token_hash"}
ERASED_NAME = "Erased learner"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def personal_data(user: User) -> dict[str, list[dict]]:
    """Return every row held about `user`, by dataset: one query per dataset, secrets left out."""
    out: dict[str, list[dict]] = {}
    for name, model, column in DATASETS:
        key = user.email if column.key == "email" else user.id
        columns = [c.key for c in inspect(model).column_attrs if c.key not in SECRET_COLUMNS]
        rows = db.session.execute(select(*(getattr(model, c) for c in columns)).where(column == key)).all()
        out[name] = [{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in rows]
    return out


def as_csv(data: dict[str, list[dict]]) -> str:
    """Return the data as one CSV in long form (dataset, record, field, value), safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["dataset", "record", "field", "value"])
    for dataset, rows in data.items():
        for number, row in enumerate(rows, 1):
            for field, value in row.items():
                text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value
                writer.writerow([dataset, number, field, safe_cell("" if text is None else text)])
    return "\ufeff" + buffer.getvalue()


def erase(user: User, by: User, organization_id: int) -> dict[str, int]:
    """Erase a person's personal data and keep the anonymised aggregates (scores, completions, counts).

    Their name, email and password go; sessions end; the learning record keeps its statements without their
    name or email; saved answers are deleted and the answers kept with runs and submissions are emptied (free
    text about real people and accounts); certificates are revoked; a personal workspace is deleted. Returns
    counts by what was done.
    """
    counts = {"statements": forget_actor(user.id), "sessions": end_all_sessions(user)}
    counts["saved_answers"] = db.session.execute(delete(SavedAnswer).where(SavedAnswer.user_id == user.id)).rowcount
    counts["runs"] = db.session.execute(update(ExerciseRun).where(ExerciseRun.user_id == user.id)
                                        .values(answer={})).rowcount
    for certificate in db.session.scalars(select(Certificate).where(Certificate.user_id == user.id,
                                                                   Certificate.revoked_at.is_(None))):
        revoke(certificate, by, "The holder's personal data was erased at their request.")
    db.session.execute(update(Certificate).where(Certificate.user_id == user.id).values(holder_name=ERASED_NAME))
    counts["workspaces"] = db.session.execute(delete(Workspace).where(Workspace.owner_id == user.id,
                                                                      Workspace.kind == "personal")).rowcount
    db.session.execute(update(Invitation).where(Invitation.email == user.email)
                       .values(email=f"erased-{user.id}@invalid", name=ERASED_NAME))
    user.name, user.email = ERASED_NAME, f"erased-{user.id}@invalid"
    user.password_hash, user.is_active_user, user.timezone = None, False, None
    db.session.flush()
    return counts


def _other_organisations(user: User, organization_id: int) -> set[int]:
    return {m.organization_id for m in user.memberships if m.organization_id != organization_id}


@bp.get("/profile/data")
@login_required
def my_data():
    """What ABM Academy holds about you, how to download it and how to ask for it to be deleted."""
    data = personal_data(current_user)
    requested = audit.deletion_requested(current_user.id, g.org.id) if g.org else None
    return render_template("privacy/my_data.html", counts={k: len(v) for k, v in data.items()}, form=EmptyForm(),
                           requested=requested)


@bp.get("/profile/data/export.<fmt>")
@login_required
def export(fmt: str):
    """Download everything held about you, as JSON or as CSV."""
    if fmt not in ("json", "csv"):
        abort(404)
    data = personal_data(current_user)
    audit.log("exported-own-data", actor=current_user, organization_id=g.org.id if g.org else None,
              subject_id=current_user.id, subject_name=current_user.name, format=fmt)
    db.session.commit()
    name = f"abm-academy-my-data-{date.today():%Y-%m-%d}.{fmt}"
    if fmt == "json":
        body, mimetype = json.dumps(data, ensure_ascii=False, indent=2), "application/json"
    else:
        body, mimetype = as_csv(data), "text/csv"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/profile/data/delete-request")
@login_required
def delete_request():
    """Ask your organisation's admins to erase your personal data (they are emailed; it is logged)."""
    if not EmptyForm().validate_on_submit() or g.org is None:
        abort(400)
    audit.log("deletion-requested", actor=current_user, organization_id=g.org.id, subject_id=current_user.id,
              subject_name=current_user.name)
    admins = people.active_admins(g.org.id)
    db.session.commit()
    for admin in admins:
        send_template(admin.email, f"{current_user.name} asked for their personal data to be deleted",
                      "privacy/email/deletion_requested", admin=admin, person=current_user,
                      url=url_for("privacy.erase_member", user_id=current_user.id, _external=True))
    flash("Your request is with your organisation's admins. You'll get an email when it is done; until then "
          "your account works as before.", "success")
    return redirect(url_for("privacy.my_data"))


@bp.route("/admin/members/<int:user_id>/erase", methods=["GET", "POST"])
@role_required("org_admin")
def erase_member(user_id: int):
    """Erase a member's personal data after typing their email to confirm; aggregates stay, anonymised."""
    person = services.member_or_404(g.org.id, user_id)
    others = _other_organisations(person, g.org.id)
    form = EmptyForm()
    typed = (request.form.get("confirm_email") or "").strip().lower()
    if form.validate_on_submit() and not others:
        if typed != person.email:
            flash("Type the member's email address exactly to confirm.", "error")
        elif person.id == current_user.id:
            flash("You can't erase your own account here: ask another admin.", "error")
        else:
            email, name = person.email, person.name
            counts = erase(person, current_user, g.org.id)
            audit.log("erased-personal-data", actor=current_user, organization_id=g.org.id, subject_id=person.id,
                      subject_name=name, **counts)
            db.session.commit()
            send_template(email, "Your ABM Academy personal data has been erased", "privacy/email/erased", name=name)
            flash(f"{name}'s personal data is erased; their scores and completions stay, anonymised.", "success")
            return redirect(url_for("identity.members"))
    return render_template("privacy/erase.html", person=person, others=len(others), form=form,
                           requested=audit.deletion_requested(person.id, g.org.id))


def _audit_page(organization_id: int | None, scope: str):
    found = audit.entries_page(organization_id, request.args.get("page", 1, type=int))
    return render_template("privacy/audit.html", found=found, labels=audit.ACTION_LABELS, scope=scope)


@bp.get("/admin/audit")
@role_required("org_admin")
def org_audit():
    """The organisation's audit log."""
    return _audit_page(g.org.id, g.org.name)


@bp.get("/platform/audit")
@platform_admin_required
def platform_audit():
    """The whole platform's audit log."""
    return _audit_page(None, "the whole platform")

