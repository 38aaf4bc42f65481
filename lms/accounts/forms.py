"""WTForms for the workspace: records, sign-off, the import steps, list filters and exports."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FloatField,
    Form,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from lms.abm.domains import is_valid_email
from lms.abm.vocabulary import (
    HANDOFF_STATUS_LABELS,
    QUALIFICATION_LEVELS,
    REJECTION_REASON_LABELS,
    SIGNAL_TYPE_LABELS,
    TIER_LABELS,
    TIERS,
)
from lms.accounts.fields import ENTITIES, HELPER_FIELDS, IMPORT_FIELDS
from lms.accounts.labels import ENTITY_LABELS, EXPORT_STYLES, ROLE_NAMES, field_label
from lms.accounts.picks import AccountField
from lms.forms import MultiCheckboxField, choices, strip
from lms.templating import user_zone

ROLE_CHOICES = choices(ROLE_NAMES)
TIER_CHOICES = choices([("", "Not set"), *((t, TIER_LABELS[t]) for t in TIERS)])
SOURCE_CHOICES = [("", "Not known"), ("abm", "ABM programme"), ("inbound", "Inbound"), ("outbound", "Outbound"),
                  ("partner", "Partner")]


def _none(value: Any) -> Any:
    return value if value not in ("", None) else None


def _keep_current(field: SelectField, value: Any) -> None:
    """Offer a value the record already holds (e.g. from an import) even when it is not a standard choice."""
    if value and all(c.value != value for c in field.choices):
        field.choices = [*field.choices, *choices([(value, str(value))])]


def _email(form, field) -> None:
    if field.data and not is_valid_email(field.data):
        raise ValidationError("Enter a valid email address, like jo.marsh@larkspur-devices.example.")


class LocalDateTimeField(DateTimeLocalField):
    """A date and time typed in the learner's time zone and stored as naive UTC (`utc`)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"])
        super().__init__(*args, tz=user_zone, **kwargs)

    def process_data(self, value) -> None:
        # Stored values are naive UTC: mark them so the widget shows them in local time.
        self.data = value.replace(tzinfo=UTC) if isinstance(value, datetime) and value.tzinfo is None else value

    @property
    def utc(self) -> datetime | None:
        if self.data is None:
            return None
        return self.data.astimezone(UTC).replace(tzinfo=None)


def _midnight(value: date | None) -> datetime | None:
    return datetime(value.year, value.month, value.day) if value else None


# --------------------------------------------------------------------------------------------- records


class AccountForm(FlaskForm):
    name = StringField("Account name", validators=[DataRequired("Give the account a name."), Length(max=300)],
                       filters=[strip])
    website = StringField("Website", validators=[Optional(), Length(max=500)], filters=[strip],
                          description="Its domain links contacts to the account, e.g. larkspur-devices.example.")
    industry = StringField("Industry", validators=[Optional(), Length(max=200)], filters=[strip])
    employees = IntegerField("Employees", validators=[Optional(), NumberRange(min=0, message="Can't be negative.")])
    revenue = FloatField("Annual revenue", validators=[Optional(), NumberRange(min=0, message="Can't be negative.")],
                         description="A number only, e.g. 12500000.")
    region = StringField("Region or country", validators=[Optional(), Length(max=120)], filters=[strip])
    tier = SelectField("ABM tier", choices=TIER_CHOICES, default="")
    icp_fit = IntegerField("ICP fit (0–100)", validators=[
        Optional(), NumberRange(min=0, max=100, message="A score from 0 to 100.")])
    icp_reasons = TextAreaField("Why it fits your ideal customer profile", validators=[Optional(), Length(max=4000)])
    why_selected = TextAreaField("Why it is on the list now", validators=[Optional(), Length(max=4000)],
                                 description="The trigger or insight: a new COO, a funding round, a lookalike.")
    sales_owner = StringField("Sales owner", validators=[Optional(), Length(max=200)], filters=[strip])
    marketing_owner = StringField("Marketing owner", validators=[Optional(), Length(max=200)], filters=[strip])
    progress_definition = TextAreaField("What counts as progress", validators=[Optional(), Length(max=4000)],
                                        description="Agreed with sales, e.g. 'finance and IT attend the workshop'.")
    is_target = BooleanField("On the target account list", default=True)
    required_roles = MultiCheckboxField("Buying roles this account needs", choices=ROLE_CHOICES,
                                        description="Leave them all unticked to use the tier's default roles.")
    status = SelectField("Status", choices=choices([("active", "Active"), ("paused", "Paused")]), default="active")

    def model_data(self) -> dict[str, Any]:
        """Return the form's values as Account attributes."""
        return {
            "name": self.name.data, "website": self.website.data, "industry": self.industry.data,
            "employees": self.employees.data, "revenue": self.revenue.data, "region": self.region.data,
            "tier": _none(self.tier.data), "icp_fit": self.icp_fit.data, "icp_reasons": self.icp_reasons.data,
            "why_selected": self.why_selected.data, "sales_owner": self.sales_owner.data,
            "marketing_owner": self.marketing_owner.data, "progress_definition": self.progress_definition.data,
            "is_target": bool(self.is_target.data), "required_roles": list(self.required_roles.data or []),
            "status": self.status.data,
        }


class ContactForm(FlaskForm):
    first_name = StringField("First name", validators=[Optional(), Length(max=120)], filters=[strip])
    last_name = StringField("Last name", validators=[Length(max=120)], filters=[strip])
    email = StringField("Email", validators=[Optional(), Length(max=254), _email], filters=[strip])
    title = StringField("Job title", validators=[Optional(), Length(max=300)], filters=[strip],
                        description="The title suggests seniority, function and a buying role.")
    account_id = AccountField("Account", none_label="No account yet")
    phone = StringField("Phone", validators=[Optional(), Length(max=60)], filters=[strip])
    region = StringField("Region or country", validators=[Optional(), Length(max=120)], filters=[strip])
    crm_role = StringField("Buying role in your CRM", validators=[Optional(), Length(max=200)], filters=[strip],
                           description="As your CRM records it, e.g. Champion, Decision Maker or Blocker.")
    roles = MultiCheckboxField("Buying roles", choices=ROLE_CHOICES)
    reset_roles = BooleanField("Let the job title and CRM role decide the buying roles again")

    def validate_last_name(self, field) -> None:
        if not field.data and not self.email.data:
            raise ValidationError("Give a last name or an email: a contact needs one of them.")

    def model_data(self) -> dict[str, Any]:
        """Return the form's values as Contact attributes (roles are handled separately)."""
        return {
            "first_name": self.first_name.data, "last_name": self.last_name.data,
            "email": (self.email.data or "").lower() or None, "title": self.title.data, "phone": self.phone.data,
            "region": self.region.data, "crm_role": self.crm_role.data, "account_id": self.account_id.data or None,
        }


class SignalForm(FlaskForm):
    account_id = AccountField("Account", required="Choose the account the signal came from.")
    contact_email = StringField("Contact's email", validators=[Optional(), _email], filters=[strip],
                                description="Leave empty for an account-level signal such as intent data.")
    type = SelectField("Type", choices=choices(SIGNAL_TYPE_LABELS))
    topic = StringField("Topic", validators=[Optional(), Length(max=300)], filters=[strip])
    occurred_at = LocalDateTimeField("When it happened", validators=[DataRequired("Give the date and time.")],
                                     default=lambda: datetime.now(UTC))
    followed_up_at = LocalDateTimeField("Followed up on", validators=[Optional()])
    followed_up_by = StringField("Followed up by", validators=[Optional(), Length(max=200)], filters=[strip])

    def model_data(self) -> dict[str, Any]:
        """Return the form's values as Signal attributes (the contact is resolved from the email)."""
        return {"account_id": self.account_id.data, "type": self.type.data, "topic": self.topic.data,
                "occurred_at": self.occurred_at.utc, "followed_up_at": self.followed_up_at.utc,
                "followed_up_by": self.followed_up_by.data}


class OpportunityForm(FlaskForm):
    account_id = AccountField("Account")
    name = StringField("Opportunity name", validators=[DataRequired("Give it a name."), Length(max=300)],
                       filters=[strip])
    stage = StringField("Stage", validators=[Optional(), Length(max=120)], filters=[strip],
                        description="As in your CRM, e.g. Discovery, Proposal, Closed Won.")
    amount = FloatField("Amount", validators=[DataRequired("Give the amount (a number)."),
                                              NumberRange(min=0, message="Can't be negative.")])
    currency = StringField("Currency", default="GBP", filters=[strip, lambda v: v.upper() if v else v],
                           validators=[DataRequired(), Regexp(r"^[A-Z]{3}$", message="A code like GBP or EUR.")])
    created_at = DateField("Created on", validators=[Optional()])
    outcome = SelectField("Outcome", choices=choices([("open", "Open"), ("won", "Won"), ("lost", "Lost")]),
                          default="open")
    closed_at = DateField("Closed on", validators=[Optional()])
    source = SelectField("Source", choices=choices(SOURCE_CHOICES), default="",
                         description="ABM programme for deals the programme sourced: they count towards its return.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        obj = kwargs.get("obj")
        if obj is not None:
            _keep_current(self.source, obj.source)
            if not self.is_submitted():
                self.outcome.data = {True: "won", False: "lost"}.get(obj.is_won, "open")

    def validate(self, extra_validators=None) -> bool:
        # Not an inline validator: Optional() on the date stops the chain before one would run.
        valid = super().validate(extra_validators)
        if self.outcome.data != "open" and not self.closed_at.data and not self.closed_at.errors:
            self.closed_at.errors.append("Give the date it was won or lost.")
            return False
        return valid

    def model_data(self) -> dict[str, Any]:
        """Return the form's values as Opportunity attributes."""
        outcome = self.outcome.data
        return {
            "account_id": self.account_id.data, "name": self.name.data, "stage": self.stage.data,
            "amount": self.amount.data, "currency": self.currency.data, "created_at": _midnight(self.created_at.data),
            "closed_at": _midnight(self.closed_at.data) if outcome != "open" else None,
            "is_won": {"won": True, "lost": False}.get(outcome), "source": _none(self.source.data),
        }


VERDICT_FIELDS = ("status", "rejection_reason", "sales_feedback", "first_touch_at", "meeting_booked")


class HandoffForm(FlaskForm):
    account_id = AccountField("Account")
    contact_email = StringField("Contact's email", validators=[Optional(), _email], filters=[strip],
                                description="The person sales should call.")
    signal_id = SelectField("The signal that triggered it", coerce=int, choices=[])
    sent_at = LocalDateTimeField("Sent on", validators=[DataRequired("Give the date and time it was sent.")],
                                 default=lambda: datetime.now(UTC))
    contact_role = SelectField("Contact's buying role", choices=choices([("", "Not known"), *ROLE_NAMES.items()]),
                               default="")
    buying_group_relevance = TextAreaField("Why this person matters to the buying group",
                                           validators=[Optional(), Length(max=4000)])
    engagement_summary = TextAreaField("What the account did", validators=[Optional(), Length(max=4000)],
                                       description="The engagement behind the handoff: who, what, how recently.")
    qualification_level = SelectField("Qualification", choices=choices([("", "Not set"),
                                                                        *QUALIFICATION_LEVELS.items()]), default="")
    recommended_follow_up = TextAreaField("Recommended follow-up", validators=[Optional(), Length(max=4000)])
    sales_owner = StringField("Sales owner", validators=[Optional(), Length(max=200)], filters=[strip])
    sla_hours = IntegerField("Follow-up SLA (hours)", validators=[
        Optional(), NumberRange(min=1, max=720, message="Between 1 and 720 hours.")])
    # Sales' verdict: only a sales member of the team records these.
    status = SelectField("Verdict", choices=choices(HANDOFF_STATUS_LABELS), default="sent")
    rejection_reason = SelectField("Why sales rejected it", default="",
                                   choices=choices([("", "Not rejected"), *REJECTION_REASON_LABELS.items()]))
    sales_feedback = TextAreaField("Sales' feedback", validators=[Optional(), Length(max=4000)])
    first_touch_at = LocalDateTimeField("First touch by sales", validators=[Optional()])
    meeting_booked = BooleanField("A meeting was booked")

    def __init__(self, *args, with_verdict: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        obj = kwargs.get("obj")
        if obj is not None:
            _keep_current(self.contact_role, obj.contact_role)
            _keep_current(self.qualification_level, obj.qualification_level)
        if not with_verdict:
            for name in VERDICT_FIELDS:
                delattr(self, name)

    def validate_rejection_reason(self, field) -> None:
        if self.status.data == "rejected" and not field.data:
            raise ValidationError("Choose why sales rejected it: marketing learns from the reason.")
        if field.data and self.status.data != "rejected":
            raise ValidationError("Only a rejected handoff has a rejection reason.")

    def model_data(self) -> dict[str, Any]:
        """Return the form's values as Handoff attributes (contact resolved from the email by the view)."""
        data = {
            "account_id": self.account_id.data, "signal_id": self.signal_id.data or None,
            "sent_at": self.sent_at.utc, "contact_role": _none(self.contact_role.data),
            "buying_group_relevance": self.buying_group_relevance.data,
            "engagement_summary": self.engagement_summary.data,
            "qualification_level": _none(self.qualification_level.data),
            "recommended_follow_up": self.recommended_follow_up.data, "sales_owner": self.sales_owner.data,
            "sla_hours": self.sla_hours.data,
        }
        if "status" in self:
            data.update(status=self.status.data, rejection_reason=_none(self.rejection_reason.data),
                        sales_feedback=self.sales_feedback.data, first_touch_at=self.first_touch_at.utc,
                        meeting_booked=bool(self.meeting_booked.data))
        return data


# --------------------------------------------------------------------------------------------- sign-off


class SignoffForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[Length(max=2000)],
                           description="Needed when you disagree; welcome when you agree.")
    agree = SubmitField("Agree")
    disagree = SubmitField("Disagree")

    def validate_reason(self, field) -> None:
        if self.disagree.data and not (field.data or "").strip():
            raise ValidationError("Say why you disagree, so the team can discuss it in the alignment workshop.")

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not (self.agree.data or self.disagree.data):
            self.reason.errors.append("Choose Agree or Disagree.")
            return False
        return True


class InviteReviewerForm(FlaskForm):
    name = StringField("Your sales colleague's name", filters=[strip],
                       validators=[DataRequired("Give your sales colleague's name."), Length(max=200)])
    email = StringField("Their work email", filters=[strip],
                        validators=[DataRequired("Enter your sales colleague's email address."), Length(max=254),
                                    _email],
                        description="They get a link to review your target accounts, valid for 14 days. "
                                    "No account or password needed.")
    invite = SubmitField("Send the review link")


# --------------------------------------------------------------------------------------------- import

ENTITY_CHOICES = choices([("", "Work it out from the columns"), *ENTITY_LABELS.items()])


class UploadForm(FlaskForm):
    file = FileField("CSV or Excel file", validators=[FileRequired("Choose a CSV or Excel (.xlsx) file to upload.")])
    entity = SelectField("What the file holds", choices=ENTITY_CHOICES, default="")


class ImportOptionsForm(FlaskForm):
    entity = SelectField("What the file holds", choices=choices(ENTITY_LABELS),
                         validators=[AnyOf(ENTITIES, message="Choose what the file holds.")])
    dayfirst = SelectField("Dates like 05/03/2026 mean", default="1", choices=choices([
        ("1", "5 March 2026 (day first, as in the UK)"), ("0", "May 3, 2026 (month first, as in the US)")]))
    save_options = SubmitField("Use these settings")


class ApplyForm(FlaskForm):
    mode = HiddenField(validators=[AnyOf(("all", "valid"))])


def mapping_form(headers: list[str], entity: str, initial: dict[str, str], prefix: str = "map") -> FlaskForm:
    """Return a form with one select per column (a field an import of `entity` may write, or ignore it).

    `form.columns` lists (select field, header) pairs in file order; `form.mapping()` returns {header: field}.
    """
    options = choices([("", "Ignore this column"),
                       *((f, field_label(f)) for f in (*IMPORT_FIELDS[entity], *HELPER_FIELDS.get(entity, ())))])
    allowed = {c.value for c in options}

    class MappingForm(FlaskForm):
        save_mapping = SubmitField("Use this mapping")

        def mapping(self) -> dict[str, str]:
            return {header: (f.data or "") for f, header in self.columns}

    names = []
    for i, header in enumerate(headers):
        if not header:
            continue
        current = initial.get(header, "")
        setattr(MappingForm, f"col_{i}", SelectField(header, choices=options,
                                                     default=current if current in allowed else ""))
        names.append((f"col_{i}", header))
    form = MappingForm(prefix=prefix)
    form.columns = [(form[name], header) for name, header in names]
    return form


# --------------------------------------------------------------------------------------------- lists and export


class _Filters(Form):
    """GET filters: invalid values fall back to the defaults rather than failing the page."""

    page = IntegerField(default=1, validators=[Optional(), NumberRange(min=1)])

    def values(self) -> dict[str, Any]:
        self.validate()
        out = {}
        for name, f in self._fields.items():
            out[name] = f.default if f.errors or f.data in (None, "") else f.data
        return out


class AccountFilters(_Filters):
    q = StringField("Search by name or domain", filters=[strip], default="")
    tier = SelectField("Tier", default="", choices=choices(
        [("", "Any tier"), *((t, t) for t in TIERS), ("none", "No tier yet")]))
    agreement = SelectField("Sales agreement", default="", choices=choices(
        [("", "Any"), ("agreed", "Agreed by sales"), ("disagreed", "Disagreed"), ("not_reviewed", "Not reviewed")]))
    sort = SelectField("Sort by", default="name", choices=choices(
        [("name", "Name"), ("tier", "Tier"), ("icp_fit", "ICP fit (best first)"), ("updated", "Last updated")]))


class ContactFilters(_Filters):
    q = StringField("Search by name, email or title", filters=[strip], default="")
    role = SelectField("Buying role", default="", choices=choices(
        [("", "Any role"), *ROLE_NAMES.items(), ("none", "No role yet")]))
    account = IntegerField(default=None, validators=[Optional()])


class SignalFilters(_Filters):
    type = SelectField("Type", default="", choices=choices([("", "Any type"), *SIGNAL_TYPE_LABELS.items()]))
    followed_up = SelectField("Followed up", default="", choices=choices(
        [("", "Either"), ("no", "Not followed up"), ("yes", "Followed up")]))


class OpportunityFilters(_Filters):
    state = SelectField("Outcome", default="", choices=choices(
        [("", "Any"), ("open", "Open"), ("won", "Won"), ("lost", "Lost")]))


class HandoffFilters(_Filters):
    status = SelectField("Sales' verdict", default="", choices=choices([("", "Any"), *HANDOFF_STATUS_LABELS.items()]))


class SignoffFilters(_Filters):
    show = SelectField("Show", default="not_reviewed", choices=choices(
        [("not_reviewed", "Not reviewed yet"), ("disagreed", "Disagreed"), ("agreed", "Agreed"),
         ("all", "All target accounts")]))


class ExportForm(Form):
    entity = SelectField("Records", default="accounts", choices=choices(ENTITY_LABELS))
    style = SelectField("Headers", default="abm_academy", choices=choices(EXPORT_STYLES))
    fmt = SelectField("Format", default="csv", choices=choices([("csv", "CSV"), ("xlsx", "Excel (.xlsx)")]))


class LinkContactForm(FlaskForm):
    """Link a contact with no account yet to an account of the workspace: one suggested (its id, from the button
    pressed) or one typed by name."""

    account_id = IntegerField(validators=[Optional()])
    account_name = StringField("Account name", filters=[strip], validators=[Optional(), Length(max=300)])


class CreateAccountFromContactForm(FlaskForm):
    """Create (or find) the account a contact's company or email domain names, and link the contact to it."""
