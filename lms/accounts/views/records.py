"""Pages to list, add, edit and delete accounts, contacts, signals, opportunities and handoffs."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.abm import vocabulary
from lms.accounts import picks
from lms.accounts.forms import (
    AccountFilters,
    AccountForm,
    ContactFilters,
    ContactForm,
    CreateAccountFromContactForm,
    HandoffFilters,
    HandoffForm,
    LinkContactForm,
    OpportunityFilters,
    OpportunityForm,
    SignalFilters,
    SignalForm,
)
from lms.accounts.models import Account, Contact, Handoff, Opportunity, Signal
from lms.accounts.queries import (
    account_detail,
    account_page,
    contact_page,
    delete_impact,
    handoff_page,
    opportunity_page,
    signal_choices,
    signal_page,
)
from lms.accounts.records import (
    HANDOFF_BRIEF_FIELDS,
    HANDOFF_VERDICT_FIELDS,
    OPPORTUNITY_FIELDS,
    SIGNAL_FIELDS,
    account_from_contact,
    contact_by_email,
    contact_label,
    create_account,
    create_account_for_contact,
    delete_object,
    duplicate_account,
    handoff_defaults,
    link_choices,
    link_contact,
    role_suggestion,
    save_contact,
    save_record,
    unlinked_contacts_page,
    update_account,
)
from lms.accounts.signoff import is_seller
from lms.accounts.views.blueprint import bp, workspace, workspace_required
from lms.accounts.workspaces import in_workspace_or_404
from lms.extensions import db
from lms.forms import EmptyForm


def _confirm_delete(obj, what: str, name: str, back: str, impact: dict | None = None):
    """GET: the confirmation page. POST: delete after the (CSRF) form validates, then go back to the list."""
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        delete_object(workspace(), current_user, obj, name)
        db.session.commit()
        flash(f"Deleted the {what} {name}.", "success")
        return redirect(back)
    return render_template("accounts/confirm_delete.html", form=form, what=what, name=name, back=back,
                           impact=impact)


# --------------------------------------------------------------------------------------------- accounts


@bp.get("/accounts")
@workspace_required
def account_list():
    """Accounts: search by name or domain, filter by tier and sales agreement, sort, page."""
    filters = AccountFilters(request.args)
    page = account_page(workspace(), **filters.values(), per_page=current_app.config["PER_PAGE"])
    return render_template("accounts/account_list.html", page=page, filters=filters)


@bp.route("/accounts/new", methods=["GET", "POST"])
@workspace_required
def account_new():
    """Add a target account by hand."""
    form = AccountForm()
    if form.validate_on_submit() and _no_duplicate(form, None):
        account = create_account(workspace(), current_user, form.model_data())
        db.session.commit()
        flash(f"Added {account.name}. Now add the people in its buying group.", "success")
        return redirect(url_for(".account_show", account_id=account.id))
    return render_template("accounts/account_form.html", form=form, account=None)


def _no_duplicate(form: AccountForm, account: Account | None) -> bool:
    """False (with the error on the form) when another account has the same name or website domain."""
    found = duplicate_account(workspace(), form.name.data, form.website.data, account.id if account else None)
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
    account = in_workspace_or_404(Account, workspace(), account_id)
    return render_template("accounts/account_show.html", d=account_detail(account))


@bp.route("/accounts/<int:account_id>/edit", methods=["GET", "POST"])
@workspace_required
def account_edit(account_id: int):
    """Edit an account's firmographics, tier, ICP fit and required buying roles."""
    account = in_workspace_or_404(Account, workspace(), account_id)
    form = AccountForm(obj=account)
    if form.validate_on_submit() and _no_duplicate(form, account):
        changed = update_account(workspace(), current_user, account, form.model_data())
        db.session.commit()
        flash(f"Saved {account.name}." if changed else "Nothing changed.", "success")
        return redirect(url_for(".account_show", account_id=account.id))
    return render_template("accounts/account_form.html", form=form, account=account)


@bp.route("/accounts/<int:account_id>/delete", methods=["GET", "POST"])
@workspace_required
def account_delete(account_id: int):
    """Delete an account (after a confirmation page) with its signals, opportunities and handoffs."""
    account = in_workspace_or_404(Account, workspace(), account_id)
    return _confirm_delete(account, "account", account.name, url_for(".account_list"),
                           delete_impact(account) if request.method == "GET" else None)


# --------------------------------------------------------------------------------------------- contacts


def _contact_form(contact: Contact | None) -> ContactForm:
    form = ContactForm(obj=contact)
    form.account_id.offer(workspace())
    if contact is None and not form.is_submitted():
        form.account_id.data = request.args.get("account_id", type=int)
    return form


def _save_contact(contact: Contact | None, form: ContactForm):
    """Validate the email is free in the workspace, then save; returns the saved contact or None."""
    if contact_by_email(workspace(), form.email.data, exclude_id=contact.id if contact else None):
        form.email.errors.append("Another contact in your workspace has this email.")
        return None
    if form.account_id.data:
        in_workspace_or_404(Account, workspace(), form.account_id.data)
    saved, _ = save_contact(workspace(), current_user, contact, form.model_data(), form.roles.data,
                            reset_roles=bool(form.reset_roles.data))
    db.session.commit()
    return saved


@bp.get("/contacts")
@workspace_required
def contact_list():
    """Contacts with their account and buying roles: search, filter by role, page."""
    filters = ContactFilters(request.args)
    values = filters.values()
    page = contact_page(workspace(), q=values["q"], role=values["role"], account_id=values["account"],
                        page=values["page"], per_page=current_app.config["PER_PAGE"])
    return render_template("accounts/contact_list.html", page=page, filters=filters)


@bp.route("/contacts/new", methods=["GET", "POST"])
@workspace_required
def contact_new():
    """Add a contact; the job title suggests their buying roles."""
    form = _contact_form(None)
    if form.validate_on_submit() and (contact := _save_contact(None, form)):
        flash(f"Added {contact_label(contact)}.", "success")
        return redirect(url_for(".account_show", account_id=contact.account_id) if contact.account_id
                        else url_for(".contact_list"))
    return render_template("accounts/contact_form.html", form=form, contact=None, suggestion=None)


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@workspace_required
def contact_edit(contact_id: int):
    """Edit a contact and confirm or change their buying roles (your choice is kept on re-import)."""
    contact = in_workspace_or_404(Contact, workspace(), contact_id)
    form = _contact_form(contact)
    if form.validate_on_submit() and _save_contact(contact, form):
        flash(f"Saved {contact_label(contact)}.", "success")
        return redirect(url_for(".account_show", account_id=contact.account_id) if contact.account_id
                        else url_for(".contact_list"))
    return render_template("accounts/contact_form.html", form=form, contact=contact,
                           suggestion=role_suggestion(contact))


@bp.route("/contacts/<int:contact_id>/delete", methods=["GET", "POST"])
@workspace_required
def contact_delete(contact_id: int):
    """Delete a contact (after a confirmation page)."""
    contact = in_workspace_or_404(Contact, workspace(), contact_id)
    return _confirm_delete(contact, "contact", contact_label(contact), url_for(".contact_list"))


# --------------------------------------------------------------------------------------------- signals


def _record_form(form_class, obj, **kwargs):
    form = form_class(obj=obj, **kwargs)
    form.account_id.offer(workspace())
    if obj is None and not form.is_submitted():
        form.account_id.data = request.args.get("account_id", type=int)
    return form


def _contact_from_email(form) -> tuple[bool, int | None]:
    """Return (ok, contact id) for the form's contact email; an unknown email is a form error."""
    if not form.contact_email.data:
        return True, None
    contact = contact_by_email(workspace(), form.contact_email.data)
    if contact is None:
        form.contact_email.errors.append("No contact in your workspace has this email. Add them first, "
                                         "or leave it empty.")
        return False, None
    return True, contact.id


def _save_signal(signal: Signal | None, form: SignalForm) -> Signal | None:
    ok, contact_id = _contact_from_email(form)
    if not ok:
        return None
    in_workspace_or_404(Account, workspace(), form.account_id.data)
    saved, _ = save_record(workspace(), current_user, Signal, signal, {**form.model_data(), "contact_id": contact_id},
                           SIGNAL_FIELDS, vocabulary.SIGNAL_TYPE_LABELS.get(form.type.data, form.type.data))
    db.session.commit()
    return saved


@bp.get("/signals")
@workspace_required
def signal_list():
    """Engagement signals, newest first: filter by type and follow-up."""
    filters = SignalFilters(request.args)
    values = filters.values()
    page = signal_page(workspace(), signal_type=values["type"], followed_up=values["followed_up"],
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
    signal = in_workspace_or_404(Signal, workspace(), signal_id)
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
    signal = in_workspace_or_404(Signal, workspace(), signal_id)
    return _confirm_delete(signal, "signal", f"{signal.type.replace('_', ' ')} of {signal.occurred_at:%d %b %Y}",
                           url_for(".signal_list"))


# --------------------------------------------------------------------------------------------- opportunities


def _save_opportunity(opportunity: Opportunity | None, form: OpportunityForm) -> Opportunity:
    in_workspace_or_404(Account, workspace(), form.account_id.data)
    saved, _ = save_record(workspace(), current_user, Opportunity, opportunity, form.model_data(),
                           OPPORTUNITY_FIELDS, form.name.data)
    db.session.commit()
    return saved


@bp.get("/opportunities")
@workspace_required
def opportunity_list():
    """Opportunities at the workspace's accounts: open, won and lost."""
    filters = OpportunityFilters(request.args)
    values = filters.values()
    page = opportunity_page(workspace(), state=values["state"], page=values["page"],
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
    opportunity = in_workspace_or_404(Opportunity, workspace(), opportunity_id)
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
    opportunity = in_workspace_or_404(Opportunity, workspace(), opportunity_id)
    return _confirm_delete(opportunity, "opportunity", opportunity.name, url_for(".opportunity_list"))


# --------------------------------------------------------------------------------------------- handoffs


def _handoff_form(handoff: Handoff | None) -> HandoffForm:
    contact = db.session.get(Contact, handoff.contact_id) if handoff and handoff.contact_id else None
    form = _record_form(HandoffForm, handoff, with_verdict=is_seller(current_user),
                        contact_email=contact.email if contact else None)
    if handoff is None and not form.is_submitted():
        for name, value in handoff_defaults(workspace(), request.args.get("signal_id", type=int)).items():
            form[name].data = value
    account_id = form.account_id.data or (handoff.account_id if handoff else None)
    form.signal_id.choices = [(0, "None"), *signal_choices(
        workspace(), account_id, handoff.signal_id if handoff else None)]
    return form


def _save_handoff(handoff: Handoff | None, form: HandoffForm) -> Handoff | None:
    ok, contact_id = _contact_from_email(form)
    if not ok:
        return None
    account = in_workspace_or_404(Account, workspace(), form.account_id.data)
    if form.signal_id.data:
        signal = in_workspace_or_404(Signal, workspace(), form.signal_id.data)
        if signal.account_id != account.id:
            form.signal_id.errors.append("That signal came from another account.")
            return None
    fields = HANDOFF_BRIEF_FIELDS + (HANDOFF_VERDICT_FIELDS if "status" in form else ())
    saved, _ = save_record(workspace(), current_user, Handoff, handoff,
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
    page = handoff_page(workspace(), status=values["status"], page=values["page"],
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
    handoff = in_workspace_or_404(Handoff, workspace(), handoff_id)
    form = _handoff_form(handoff)
    if form.validate_on_submit() and _save_handoff(handoff, form):
        flash("Handoff saved.", "success")
        return redirect(url_for(".handoff_list"))
    return render_template("accounts/handoff_form.html", form=form, handoff=handoff)


@bp.route("/handoffs/<int:handoff_id>/delete", methods=["GET", "POST"])
@workspace_required
def handoff_delete(handoff_id: int):
    """Delete a handoff (after a confirmation page)."""
    handoff = in_workspace_or_404(Handoff, workspace(), handoff_id)
    return _confirm_delete(handoff, "handoff", f"of {handoff.sent_at:%d %b %Y}", url_for(".handoff_list"))



# ------------------------------------------------------------------------------- contacts with no account yet


@bp.get("/contacts/no-account")
@workspace_required
def contacts_unlinked():
    """Contacts imported with no account yet, a page at a time: link each to an account suggested or typed, or
    create the account it names."""
    found = unlinked_contacts_page(workspace(), request.args.get("page", 1, type=int))
    return render_template("accounts/contacts_unlinked.html", found=found,
                           proposals={c.id: account_from_contact(c) for c in found.items},
                           choices=link_choices(workspace(), found.items))


def _not_one_account(contact: Contact, typed: str, named: list[int]) -> str:
    who = contact_label(contact)
    if not typed:
        return f"Type the name of the account {who} works for, or press one of the accounts suggested."
    if not named:
        return (f"No account in your workspace is called \u201c{typed}\u201d: pick it from the list as you type, or "
                f"create the account {who} names.")
    return (f"Several accounts are called \u201c{typed}\u201d: pick the one you mean from the list as you type "
            "(each shows its domain).")


def _back_to_the_queue():
    return redirect(url_for(".contacts_unlinked", page=request.args.get("page", type=int)))


@bp.post("/contacts/<int:contact_id>/link")
@workspace_required
def contact_link(contact_id: int):
    """Link a contact with no account yet to the account suggested (its id) or typed (its name)."""
    contact = in_workspace_or_404(Contact, workspace(), contact_id)
    form = LinkContactForm()
    if not form.validate_on_submit():
        abort(400)
    if form.account_id.data:
        account = in_workspace_or_404(Account, workspace(), form.account_id.data)
    else:
        typed = (form.account_name.data or "").strip()
        named = picks.Picker(workspace()).candidates(typed) if typed else []
        if len(named) != 1:
            flash(_not_one_account(contact, typed, named), "error")
            return _back_to_the_queue()
        account = in_workspace_or_404(Account, workspace(), named[0])
    link_contact(workspace(), current_user, contact, account)
    db.session.commit()
    flash(f"Linked {contact_label(contact)} to {account.name}.", "success")
    return _back_to_the_queue()


@bp.post("/contacts/<int:contact_id>/create-account")
@workspace_required
def contact_create_account(contact_id: int):
    """Create the account a contact's company (or email domain) names, or find it, and link the contact."""
    contact = in_workspace_or_404(Contact, workspace(), contact_id)
    if not CreateAccountFromContactForm().validate_on_submit():
        abort(400)
    account = create_account_for_contact(workspace(), current_user, contact)
    if account is None:
        flash(f"{contact_label(contact)} names no company and uses a personal email address: choose the account "
              "they work for instead.", "error")
        return _back_to_the_queue()
    db.session.commit()
    flash(f"Linked {contact_label(contact)} to {account.name}.", "success")
    return _back_to_the_queue()
