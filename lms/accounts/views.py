"""The learner's workspace: accounts, contacts, signals, opportunities, handoffs, sign-off, import, export."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from lms.abm import vocabulary
from lms.accounts import labels, services
from lms.accounts.forms import (
    AccountFilters,
    AccountForm,
    ApplyForm,
    ContactFilters,
    ContactForm,
    ExportForm,
    HandoffFilters,
    HandoffForm,
    ImportOptionsForm,
    OpportunityFilters,
    OpportunityForm,
    SignalFilters,
    SignalForm,
    SignoffFilters,
    SignoffForm,
    UploadForm,
    mapping_form,
)
from lms.accounts.importing import ImportFileError
from lms.accounts.models import Account, Contact, Handoff, ImportBatch, Opportunity, Signal
from lms.database import utcnow
from lms.extensions import db
from lms.forms import EmptyForm

bp = Blueprint("accounts", __name__, url_prefix="/workspace")

LIST_ENDPOINTS = {"accounts": "accounts.account_list", "contacts": "accounts.contact_list",
                  "signals": "accounts.signal_list", "opportunities": "accounts.opportunity_list",
                  "handoffs": "accounts.handoff_list"}
MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def workspace_required(view: Callable) -> Callable:
    """Sign-in required; puts the workspace the user works in (created on first visit) in g.workspace."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if getattr(g, "org", None) is None:
            abort(404)
        g.workspace, created = services.current_workspace(current_user, g.org)
        if created:
            db.session.commit()
        return view(*args, **kwargs)

    return wrapped


@bp.context_processor
def _helpers() -> dict:
    return {"labels": labels, "vocabulary": vocabulary, "role_name": labels.role_name, "field_label": labels.field_label,
            "is_sales": services.can_sign_off(current_user) if current_user.is_authenticated else False,
            "list_endpoints": LIST_ENDPOINTS, "size_label": _size_label}


def _size_label(n: int) -> str:
    return f"{n / (1024 * 1024):.3g} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def _ws():
    return g.workspace


def _confirm_delete(obj, what: str, name: str, back: str, impact: dict | None = None):
    """GET: the confirmation page. POST: delete after the (CSRF) form validates, then go back to the list."""
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        services.delete_object(_ws(), current_user, obj, name)
        db.session.commit()
        flash(f"Deleted the {what} {name}.", "success")
        return redirect(back)
    return render_template("accounts/confirm_delete.html", form=form, what=what, name=name, back=back,
                           impact=impact)


# --------------------------------------------------------------------------------------------- overview


@bp.get("")
@workspace_required
def overview():
    """Counts, what to do next, and links to every part of the workspace."""
    counts = services.workspace_counts(_ws())
    return render_template("accounts/overview.html", counts=counts, export=ExportForm(),
                           steps=labels.next_steps(counts, is_sales=services.can_sign_off(current_user)),
                           batches=services.recent_batches(_ws(), 5))


# --------------------------------------------------------------------------------------------- accounts


@bp.get("/accounts")
@workspace_required
def account_list():
    """Accounts: search by name or domain, filter by tier and sales agreement, sort, page."""
    filters = AccountFilters(request.args)
    page = services.account_page(_ws(), **filters.values(), per_page=current_app.config["PER_PAGE"])
    return render_template("accounts/account_list.html", page=page, filters=filters)


@bp.route("/accounts/new", methods=["GET", "POST"])
@workspace_required
def account_new():
    """Add a target account by hand."""
    form = AccountForm()
    if form.validate_on_submit() and _no_duplicate(form, None):
        account = services.create_account(_ws(), current_user, form.model_data())
        db.session.commit()
        flash(f"Added {account.name}. Now add the people in its buying group.", "success")
        return redirect(url_for(".account_show", account_id=account.id))
    return render_template("accounts/account_form.html", form=form, account=None)


def _no_duplicate(form: AccountForm, account: Account | None) -> bool:
    """False (with the error on the form) when another account has the same name or website domain."""
    found = services.duplicate_account(_ws(), form.name.data, form.website.data, account.id if account else None)
    if found is None:
        return True
    other, what = found
    target = form.name if what == "name" else form.website
    target.errors.append(f"{other.name} is already in your workspace with the same {what}. Edit that account "
                         "instead, or tell them apart.")
    return False


@bp.get("/accounts/<int:account_id>")
@workspace_required
def account_show(account_id: int):
    """One account: its buying group by role against the tier's needs, signals, opportunities, handoffs."""
    account = services.in_workspace_or_404(Account, _ws(), account_id)
    return render_template("accounts/account_show.html", d=services.account_detail(account))


@bp.route("/accounts/<int:account_id>/edit", methods=["GET", "POST"])
@workspace_required
def account_edit(account_id: int):
    """Edit an account's firmographics, tier, ICP fit and required buying roles."""
    account = services.in_workspace_or_404(Account, _ws(), account_id)
    form = AccountForm(obj=account)
    if form.validate_on_submit() and _no_duplicate(form, account):
        changed = services.update_account(_ws(), current_user, account, form.model_data())
        db.session.commit()
        flash(f"Saved {account.name}." if changed else "Nothing changed.", "success")
        return redirect(url_for(".account_show", account_id=account.id))
    return render_template("accounts/account_form.html", form=form, account=account)


@bp.route("/accounts/<int:account_id>/delete", methods=["GET", "POST"])
@workspace_required
def account_delete(account_id: int):
    """Delete an account (after a confirmation page) with its signals, opportunities and handoffs."""
    account = services.in_workspace_or_404(Account, _ws(), account_id)
    return _confirm_delete(account, "account", account.name, url_for(".account_list"),
                           services.delete_impact(account) if request.method == "GET" else None)


# --------------------------------------------------------------------------------------------- contacts


def _contact_form(contact: Contact | None) -> ContactForm:
    form = ContactForm(obj=contact)
    form.account_id.choices = [(0, "No account yet"), *services.account_choices(_ws())]
    if contact is None and not form.is_submitted():
        form.account_id.data = request.args.get("account_id", 0, type=int)
    return form


def _save_contact(contact: Contact | None, form: ContactForm):
    """Validate the email is free in the workspace, then save; returns the saved contact or None."""
    if services.contact_by_email(_ws(), form.email.data, exclude_id=contact.id if contact else None):
        form.email.errors.append("Another contact in your workspace has this email.")
        return None
    if form.account_id.data:
        services.in_workspace_or_404(Account, _ws(), form.account_id.data)
    saved, _ = services.save_contact(_ws(), current_user, contact, form.model_data(), form.roles.data,
                                     reset_roles=bool(form.reset_roles.data))
    db.session.commit()
    return saved


@bp.get("/contacts")
@workspace_required
def contact_list():
    """Contacts with their account and buying roles: search, filter by role, page."""
    filters = ContactFilters(request.args)
    values = filters.values()
    page = services.contact_page(_ws(), q=values["q"], role=values["role"], account_id=values["account"],
                                 page=values["page"], per_page=current_app.config["PER_PAGE"])
    return render_template("accounts/contact_list.html", page=page, filters=filters)


@bp.route("/contacts/new", methods=["GET", "POST"])
@workspace_required
def contact_new():
    """Add a contact; the job title suggests their buying roles."""
    form = _contact_form(None)
    if form.validate_on_submit() and (contact := _save_contact(None, form)):
        flash(f"Added {services.contact_label(contact)}.", "success")
        return redirect(url_for(".account_show", account_id=contact.account_id) if contact.account_id
                        else url_for(".contact_list"))
    return render_template("accounts/contact_form.html", form=form, contact=None, suggestion=None)


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@workspace_required
def contact_edit(contact_id: int):
    """Edit a contact and confirm or change their buying roles (your choice is kept on re-import)."""
    contact = services.in_workspace_or_404(Contact, _ws(), contact_id)
    form = _contact_form(contact)
    if form.validate_on_submit() and _save_contact(contact, form):
        flash(f"Saved {services.contact_label(contact)}.", "success")
        return redirect(url_for(".account_show", account_id=contact.account_id) if contact.account_id
                        else url_for(".contact_list"))
    return render_template("accounts/contact_form.html", form=form, contact=contact,
                           suggestion=services.role_suggestion(contact))


@bp.route("/contacts/<int:contact_id>/delete", methods=["GET", "POST"])
@workspace_required
def contact_delete(contact_id: int):
    """Delete a contact (after a confirmation page)."""
    contact = services.in_workspace_or_404(Contact, _ws(), contact_id)
    return _confirm_delete(contact, "contact", services.contact_label(contact), url_for(".contact_list"))


# --------------------------------------------------------------------------------------------- signals


def _record_form(form_class, obj, **kwargs):
    form = form_class(obj=obj, **kwargs)
    form.account_id.choices = services.account_choices(_ws())
    if obj is None and not form.is_submitted():
        form.account_id.data = request.args.get("account_id", type=int)
    return form


def _contact_from_email(form) -> tuple[bool, int | None]:
    """Return (ok, contact id) for the form's contact email; an unknown email is a form error."""
    if not form.contact_email.data:
        return True, None
    contact = services.contact_by_email(_ws(), form.contact_email.data)
    if contact is None:
        form.contact_email.errors.append("No contact in your workspace has this email. Add them first, "
                                         "or leave it empty.")
        return False, None
    return True, contact.id


def _save_signal(signal: Signal | None, form: SignalForm) -> Signal | None:
    ok, contact_id = _contact_from_email(form)
    if not ok:
        return None
    services.in_workspace_or_404(Account, _ws(), form.account_id.data)
    saved, _ = services.save_record(_ws(), current_user, Signal, signal, {**form.model_data(),
                                    "contact_id": contact_id}, services.SIGNAL_FIELDS,
                                    vocabulary.SIGNAL_TYPE_LABELS.get(form.type.data, form.type.data))
    db.session.commit()
    return saved


@bp.get("/signals")
@workspace_required
def signal_list():
    """Engagement signals, newest first: filter by type and follow-up."""
    filters = SignalFilters(request.args)
    values = filters.values()
    page = services.signal_page(_ws(), signal_type=values["type"], followed_up=values["followed_up"],
                                page=values["page"], per_page=current_app.config["PER_PAGE"])
    return render_template("accounts/signal_list.html", page=page, filters=filters)


@bp.route("/signals/new", methods=["GET", "POST"])
@workspace_required
def signal_new():
    """Log an engagement signal by hand."""
    form = _record_form(SignalForm, None)
    if form.validate_on_submit() and _save_signal(None, form):
        flash("Signal added.", "success")
        return redirect(url_for(".signal_list"))
    return render_template("accounts/signal_form.html", form=form, signal=None)


@bp.route("/signals/<int:signal_id>/edit", methods=["GET", "POST"])
@workspace_required
def signal_edit(signal_id: int):
    """Edit a signal, e.g. record its follow-up."""
    signal = services.in_workspace_or_404(Signal, _ws(), signal_id)
    contact = db.session.get(Contact, signal.contact_id) if signal.contact_id else None
    form = _record_form(SignalForm, signal, contact_email=contact.email if contact else None)
    if form.validate_on_submit() and _save_signal(signal, form):
        flash("Signal saved.", "success")
        return redirect(url_for(".signal_list"))
    return render_template("accounts/signal_form.html", form=form, signal=signal)


@bp.route("/signals/<int:signal_id>/delete", methods=["GET", "POST"])
@workspace_required
def signal_delete(signal_id: int):
    """Delete a signal (after a confirmation page)."""
    signal = services.in_workspace_or_404(Signal, _ws(), signal_id)
    return _confirm_delete(signal, "signal", f"{signal.type.replace('_', ' ')} of {signal.occurred_at:%d %b %Y}",
                           url_for(".signal_list"))


# --------------------------------------------------------------------------------------------- opportunities


def _save_opportunity(opportunity: Opportunity | None, form: OpportunityForm) -> Opportunity:
    services.in_workspace_or_404(Account, _ws(), form.account_id.data)
    saved, _ = services.save_record(_ws(), current_user, Opportunity, opportunity, form.model_data(),
                                    services.OPPORTUNITY_FIELDS, form.name.data)
    db.session.commit()
    return saved


@bp.get("/opportunities")
@workspace_required
def opportunity_list():
    """Opportunities at the workspace's accounts: open, won and lost."""
    filters = OpportunityFilters(request.args)
    values = filters.values()
    page = services.opportunity_page(_ws(), state=values["state"], page=values["page"],
                                     per_page=current_app.config["PER_PAGE"])
    return render_template("accounts/opportunity_list.html", page=page, filters=filters)


@bp.route("/opportunities/new", methods=["GET", "POST"])
@workspace_required
def opportunity_new():
    """Add an opportunity by hand."""
    form = _record_form(OpportunityForm, None)
    if form.validate_on_submit():
        _save_opportunity(None, form)
        flash(f"Added the opportunity {form.name.data}.", "success")
        return redirect(url_for(".opportunity_list"))
    return render_template("accounts/opportunity_form.html", form=form, opportunity=None)


@bp.route("/opportunities/<int:opportunity_id>/edit", methods=["GET", "POST"])
@workspace_required
def opportunity_edit(opportunity_id: int):
    """Edit an opportunity: stage, amount, outcome, source."""
    opportunity = services.in_workspace_or_404(Opportunity, _ws(), opportunity_id)
    form = _record_form(OpportunityForm, opportunity)
    if form.validate_on_submit():
        _save_opportunity(opportunity, form)
        flash(f"Saved {opportunity.name}.", "success")
        return redirect(url_for(".opportunity_list"))
    return render_template("accounts/opportunity_form.html", form=form, opportunity=opportunity)


@bp.route("/opportunities/<int:opportunity_id>/delete", methods=["GET", "POST"])
@workspace_required
def opportunity_delete(opportunity_id: int):
    """Delete an opportunity (after a confirmation page)."""
    opportunity = services.in_workspace_or_404(Opportunity, _ws(), opportunity_id)
    return _confirm_delete(opportunity, "opportunity", opportunity.name, url_for(".opportunity_list"))


# --------------------------------------------------------------------------------------------- handoffs


def _handoff_form(handoff: Handoff | None) -> HandoffForm:
    contact = db.session.get(Contact, handoff.contact_id) if handoff and handoff.contact_id else None
    form = _record_form(HandoffForm, handoff, with_verdict=services.can_sign_off(current_user),
                        contact_email=contact.email if contact else None)
    if handoff is None and not form.is_submitted():
        for name, value in services.handoff_defaults(_ws(), request.args.get("signal_id", type=int)).items():
            form[name].data = value
    account_id = form.account_id.data or (handoff.account_id if handoff else None)
    form.signal_id.choices = [(0, "None"), *services.signal_choices(
        _ws(), account_id, handoff.signal_id if handoff else None)]
    return form


def _save_handoff(handoff: Handoff | None, form: HandoffForm) -> Handoff | None:
    ok, contact_id = _contact_from_email(form)
    if not ok:
        return None
    account = services.in_workspace_or_404(Account, _ws(), form.account_id.data)
    if form.signal_id.data:
        signal = services.in_workspace_or_404(Signal, _ws(), form.signal_id.data)
        if signal.account_id != account.id:
            form.signal_id.errors.append("That signal came from another account.")
            return None
    fields = services.HANDOFF_BRIEF_FIELDS + (services.HANDOFF_VERDICT_FIELDS if "status" in form else ())
    saved, _ = services.save_record(_ws(), current_user, Handoff, handoff,
                                    {**form.model_data(), "contact_id": contact_id}, fields,
                                    f"{account.name}, {form.sent_at.utc:%d %b %Y}")
    db.session.commit()
    return saved


@bp.get("/handoffs")
@workspace_required
def handoff_list():
    """Handoffs from marketing to sales, with sales' verdicts."""
    filters = HandoffFilters(request.args)
    values = filters.values()
    page = services.handoff_page(_ws(), status=values["status"], page=values["page"],
                                 per_page=current_app.config["PER_PAGE"])
    return render_template("accounts/handoff_list.html", page=page, filters=filters)


@bp.route("/handoffs/new", methods=["GET", "POST"])
@workspace_required
def handoff_new():
    """Hand a qualified signal to sales with the brief they need."""
    form = _handoff_form(None)
    if form.validate_on_submit() and _save_handoff(None, form):
        flash("Handoff sent to sales.", "success")
        return redirect(url_for(".handoff_list"))
    return render_template("accounts/handoff_form.html", form=form, handoff=None)


@bp.route("/handoffs/<int:handoff_id>/edit", methods=["GET", "POST"])
@workspace_required
def handoff_edit(handoff_id: int):
    """Edit a handoff's brief; sales members record their verdict, feedback and first touch."""
    handoff = services.in_workspace_or_404(Handoff, _ws(), handoff_id)
    form = _handoff_form(handoff)
    if form.validate_on_submit() and _save_handoff(handoff, form):
        flash("Handoff saved.", "success")
        return redirect(url_for(".handoff_list"))
    return render_template("accounts/handoff_form.html", form=form, handoff=handoff)


@bp.route("/handoffs/<int:handoff_id>/delete", methods=["GET", "POST"])
@workspace_required
def handoff_delete(handoff_id: int):
    """Delete a handoff (after a confirmation page)."""
    handoff = services.in_workspace_or_404(Handoff, _ws(), handoff_id)
    return _confirm_delete(handoff, "handoff", f"of {handoff.sent_at:%d %b %Y}", url_for(".handoff_list"))


# --------------------------------------------------------------------------------------------- sign-off


@bp.route("/signoff", methods=["GET", "POST"])
@workspace_required
def signoff():
    """Joint sign-off: marketing proposes the target list, a sales member agrees or disagrees per account."""
    filters = SignoffFilters(request.args)
    values = filters.values()
    forms: dict[int, SignoffForm] = {}
    if request.method == "POST":
        account = services.in_workspace_or_404(Account, _ws(), request.args.get("account"))
        if not services.can_sign_off(current_user):
            abort(403)
        posted = forms[account.id] = SignoffForm(prefix=f"a{account.id}")
        if posted.validate_on_submit():
            services.sign_off(_ws(), current_user, account, bool(posted.agree.data), posted.reason.data)
            db.session.commit()
            flash(f"{'Agreed with' if posted.agree.data else 'Disagreed with'} {account.name}.", "success")
            return redirect(url_for(".signoff", show=values["show"], page=values["page"]))
    page = services.signoff_page(_ws(), show=values["show"], page=values["page"],
                                 per_page=current_app.config["PER_PAGE"])
    for a in page.items:  # the posted form keeps what was typed and its errors; the others start empty
        forms.setdefault(a.id, SignoffForm(formdata=None, prefix=f"a{a.id}"))
    return render_template("accounts/signoff.html", page=page, filters=filters, forms=forms,
                           disagreements=services.disagreements(_ws()), values=values,
                           counts=services.workspace_counts(_ws()))


# --------------------------------------------------------------------------------------------- import


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


@bp.route("/import", methods=["GET", "POST"])
@workspace_required
def import_start():
    """Upload a CRM export (CSV or XLSX); it is checked and previewed before anything is imported."""
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            batch, _ = services.start_import(_ws(), current_user, upload.filename, upload.read(),
                                             form.entity.data or None)
        except ImportFileError as exc:
            form.file.errors.append(exc.message)
        else:
            db.session.commit()
            location = url_for(".import_preview", batch_id=batch.id)
            return jsonify(location=location) if _wants_json() else redirect(location)
        db.session.commit()  # the rejected upload stays in the import history
    if _wants_json() and request.method == "POST":
        return jsonify(errors=[e for errs in form.errors.values() for e in errs]), 422
    max_bytes, max_rows = services.import_limits()
    return render_template("accounts/import_start.html", form=form, max_bytes=max_bytes, max_rows=max_rows,
                           batches=services.recent_batches(_ws()))


@bp.route("/import/<int:batch_id>", methods=["GET", "POST"])
@workspace_required
def import_preview(batch_id: int):
    """What the file holds, how its columns are read, every rejected row and merge, then Import."""
    batch = services.in_workspace_or_404(ImportBatch, _ws(), batch_id)
    if not services.upload_kept(batch):
        return render_template("accounts/import_done.html", batch=batch)
    summary = batch.summary or {}
    options = ImportOptionsForm(prefix="opt", data={"entity": batch.entity or None,
                                                    "dayfirst": "1" if summary.get("dayfirst", True) else "0"})
    if options.save_options.data and options.validate_on_submit():
        services.set_batch_options(_ws(), batch, options.entity.data, options.dayfirst.data == "1")
        db.session.commit()
        return redirect(url_for(".import_preview", batch_id=batch.id))
    analysis = services.analyse_batch(_ws(), batch)
    mapping = (mapping_form(analysis.table.headers, analysis.entity, analysis.mapping, prefix="map")
               if analysis.entity else None)
    if mapping is not None and mapping.save_mapping.data and mapping.validate_on_submit():
        services.set_batch_mapping(_ws(), batch, analysis.table.headers, mapping.mapping())
        db.session.commit()
        flash("Column mapping saved: files with the same columns will be read this way next time.", "success")
        return redirect(url_for(".import_preview", batch_id=batch.id))
    return render_template("accounts/import_preview.html", batch=batch, a=analysis, options=options,
                           mapping=mapping, apply_all=ApplyForm(formdata=None, mode="all"),
                           apply_valid=ApplyForm(formdata=None, mode="valid"),
                           preview=services.preview_rows(analysis), samples=services.column_samples(analysis))


@bp.post("/import/<int:batch_id>/apply")
@workspace_required
def import_apply(batch_id: int):
    """Import the previewed file in one transaction: everything, or (if chosen) only the valid rows."""
    batch = services.in_workspace_or_404(ImportBatch, _ws(), batch_id)
    form = ApplyForm()
    if not form.validate_on_submit():
        abort(400)
    back = url_for(".import_preview", batch_id=batch.id)
    if not services.claim_batch(batch):
        flash("This file has already been imported." if batch.status == "imported"
              else "This file can't be imported: upload it again.", "info")
        return redirect(back)
    try:
        analysis = services.analyse_batch(_ws(), batch)
        counts = services.apply_import(_ws(), current_user, analysis, only_valid=form.mode.data == "valid",
                                       batch=batch)
        db.session.commit()
    except (services.ImportRefused, ImportFileError) as exc:
        db.session.rollback()
        flash(getattr(exc, "message", None) or str(exc), "error")
        return redirect(back)
    except Exception:
        db.session.rollback()
        current_app.logger.exception("import %s failed", batch.id)
        flash("The import failed, so nothing was imported. Try again; if it fails again, tell your coach.", "error")
        return redirect(back)
    services.discard_upload(batch)
    flash(services.outcome_message(analysis, counts), "success")
    return redirect(url_for(LIST_ENDPOINTS[batch.entity]))


@bp.get("/import/<int:batch_id>/errors.csv")
@workspace_required
def import_errors_csv(batch_id: int):
    """The rejected rows of an import, with line and reason, as a spreadsheet-safe CSV."""
    batch = services.in_workspace_or_404(ImportBatch, _ws(), batch_id)
    headers, records = services.batch_errors(_ws(), batch)
    name = f"rejected-rows-{batch.id}.csv"
    return Response(services.errors_csv(headers, records), mimetype=MIMETYPES["csv"],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --------------------------------------------------------------------------------------------- export


@bp.get("/export")
@workspace_required
def export():
    """Download accounts, contacts, signals, opportunities or handoffs as CSV or XLSX, in a CRM's headers."""
    form = ExportForm(request.args)
    if not form.validate():
        abort(400)
    entity, fmt, style = form.entity.data, form.fmt.data, form.style.data
    try:
        data = services.export_workspace(_ws(), current_user, entity, fmt, style)
    except ValueError:
        flash(f"{labels.EXPORT_STYLES[style]} cover accounts, contacts and opportunities. Choose ABM Academy "
              f"headers to export {entity}.", "error")
        return redirect(url_for(".overview"))
    db.session.commit()
    name = f"{entity}-{style.replace('_', '-')}-{utcnow():%Y-%m-%d}.{fmt}"
    return Response(data, mimetype=MIMETYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})
