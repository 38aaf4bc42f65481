"""The connected tools pages for org admins: LRS credentials per tool, the rules that map their statements to
practices, and the upload of a CRM activity export. register() adds them to the tracking blueprint."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from lms.abm.vocabulary import PRACTICES
from lms.database import utcnow
from lms.extensions import db
from lms.forms import EmptyForm
from lms.tenancy import get_or_404, role_required
from lms.tracking import activity_import, tool_mappings
from lms.tracking.credentials import create_credential, credentials_of, revoke_credential
from lms.tracking.models import LrsCredential, ToolMapping
from lms.tracking.statements import xapi_site
from lms.tracking.tools import SUGGESTIONS, SUGGESTIONS_BY_KEY, Facts, practices_of
from lms.tracking.tools_forms import ActivityImportForm, CredentialForm, MappingForm


def lrs_endpoint() -> str:
    """The LRS's base URL, as tools are configured with it (the About resource's URL without "/about")."""
    return url_for("xapi.about", _external=True).removesuffix("/about")


def _prefill() -> dict:
    """Mapping form values from the query string: a suggestion's, or a received statement's (\u201cMake a rule\u201d)."""
    suggestion = SUGGESTIONS_BY_KEY.get(request.args.get("suggestion", ""))
    if suggestion is not None:
        return {"verb_iri": suggestion.verb_iri, "activity_type": suggestion.activity_type,
                "practice": suggestion.practice}
    return {k: request.args[k] for k in ("credential", "verb_iri", "activity_type", "activity_prefix", "practice")
            if request.args.get(k)}


def _render(credential_form: CredentialForm, mapping_form: MappingForm | None = None, **extra):
    credentials = credentials_of(g.org.id)
    mappings = tool_mappings.mappings_of(g.org.id)
    rules = [tool_mappings.rule_of(m) for m in mappings]
    mapping_form = mapping_form or MappingForm(formdata=None, data=_prefill(), credentials=credentials)
    return render_template("tracking/tools.html", form=credential_form, mapping_form=mapping_form,
                           credentials=credentials, names={c.id: c.name for c in credentials}, mappings=mappings,
                           received=tool_mappings.recent_statements(g.org.id, rules), practices=PRACTICES,
                           suggestions=SUGGESTIONS, endpoint=lrs_endpoint(), **extra)


@role_required("org_admin")
def tools():
    """The organisation's connected tools: create credentials for a tool (the secret shown once)."""
    form = CredentialForm()
    if not form.validate_on_submit():
        return _render(form)
    credential, secret = create_credential(g.org.id, form.name.data, can_read=form.can_read.data,
                                           can_write=form.can_write.data, created_by_id=current_user.id)
    db.session.commit()
    return _render(CredentialForm(formdata=None), created=credential, secret=secret)


@role_required("org_admin")
def tool_revoke(credential_id: int):
    """Revoke a tool's credentials: it can no longer send or read statements."""
    credential = get_or_404(LrsCredential, credential_id)
    if EmptyForm().validate_on_submit() and credential.revoked_at is None:
        revoke_credential(credential, current_user.id)
        db.session.commit()
        flash(f"Credentials for \u201c{credential.name}\u201d revoked.", "info")
    return redirect(url_for("tracking.tools"))


@role_required("org_admin")
def tool_rule_add():
    """Add a rule: which statements count as use of a practice."""
    form = MappingForm(credentials=credentials_of(g.org.id))
    if not form.validate_on_submit():
        return _render(CredentialForm(formdata=None), form)
    tool_mappings.create_mapping(g.org.id, practice=form.practice.data,
                                 credential_id=int(form.credential.data) if form.credential.data else None,
                                 verb_iri=form.verb_iri.data, activity_type=form.activity_type.data,
                                 activity_prefix=form.activity_prefix.data, created_by_id=current_user.id)
    db.session.commit()
    flash(f"Rule added: these statements now count as \u201c{PRACTICES[form.practice.data].label}\u201d.", "success")
    return redirect(url_for("tracking.tools", _anchor="rules"))


@role_required("org_admin")
def tool_rule_delete(mapping_id: int):
    """Delete a rule (the statements stay; they no longer count as that practice)."""
    mapping = get_or_404(ToolMapping, mapping_id)
    if EmptyForm().validate_on_submit():
        tool_mappings.delete_mapping(mapping, current_user.id)
        db.session.commit()
        flash("Rule deleted.", "info")
    return redirect(url_for("tracking.tools", _anchor="rules"))


@role_required("org_admin")
def tools_import():
    """Upload a CRM activity export: every line becomes a statement, or none does while a line has an error."""
    form = ActivityImportForm()
    outcome = None
    if form.validate_on_submit():
        upload = form.file.data
        outcome = activity_import.run_import(
            upload.read(), upload.filename or "", org_id=g.org.id, org_name=g.org.name, site=xapi_site(),
            by_id=current_user.id, now=utcnow(), day_first=form.dates.data != "mdy",
            valid_rows_only=form.valid_rows_only.data)
        db.session.commit()  # the import and its record, or nothing at all
    return render_template("tracking/tools_import.html", form=form, outcome=outcome,
                           columns=activity_import.COLUMNS, type_practices=_type_practices(outcome), practices=PRACTICES)


def _type_practices(outcome) -> dict[str, list[str]]:
    """{activity IRI: practices} for the upload's activity types under the current rules."""
    if outcome is None or outcome.saved is None:
        return {}
    rules = [tool_mappings.rule_of(m) for m in tool_mappings.mappings_of(g.org.id)]
    return {t.iri: practices_of(rules, Facts(None, t.verb_iri, activity_import.CRM_ACTIVITY_TYPE, t.iri))
            for t in outcome.saved.types}


def register(bp: Blueprint) -> None:
    """Add the connected tools pages to `bp` (the tracking blueprint) under /admin/tools."""
    bp.add_url_rule("/admin/tools", view_func=tools, methods=["GET", "POST"])
    bp.add_url_rule("/admin/tools/<int:credential_id>/revoke", view_func=tool_revoke, methods=["POST"])
    bp.add_url_rule("/admin/tools/rules", view_func=tool_rule_add, methods=["POST"])
    bp.add_url_rule("/admin/tools/rules/<int:mapping_id>/delete", view_func=tool_rule_delete, methods=["POST"])
    bp.add_url_rule("/admin/tools/import", view_func=tools_import, methods=["GET", "POST"])
