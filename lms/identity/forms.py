"""WTForms for sign-in, sign-up, password reset, invitations, members, cohorts and organisations."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from lms.forms import LenientForm, MultiCheckboxField, choices, strip
from lms.identity.models import FUNCTION_LABELS, ROLE_LABELS
from lms.identity.passwords import MIN_LENGTH, password_problem

FUNCTION_CHOICES = choices(FUNCTION_LABELS)
ROLE_CHOICES = choices(ROLE_LABELS)


class NewPasswordMixin:
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(min=MIN_LENGTH, max=256)],
        description=f"At least {MIN_LENGTH} characters. A short sentence is easy to remember.",
    )
    confirm = PasswordField(
        "Repeat the password", validators=[DataRequired(), EqualTo("password", message="The passwords don't match.")]
    )

    def validate_password(self, field) -> None:
        email = getattr(getattr(self, "email", None), "data", "") or ""
        name = getattr(getattr(self, "name", None), "data", "") or ""
        problem = password_problem(field.data or "", email=email, name=name)
        if problem:
            raise ValidationError(problem)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(message="Enter a valid email address.")],
                       filters=[strip])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me signed in on this device")


class SignupForm(NewPasswordMixin, FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Work email", validators=[DataRequired(), Email(message="Enter a valid email address.")],
                       filters=[strip])
    job_function = SelectField("Your team", choices=FUNCTION_CHOICES, default="marketing")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(message="Enter a valid email address.")],
                       filters=[strip])


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    pass


class AcceptInvitationForm(NewPasswordMixin, FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=200)])


class InviteForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Email", validators=[DataRequired(), Email(message="Enter a valid email address.")],
                       filters=[strip])
    job_function = SelectField("Team", choices=FUNCTION_CHOICES, default="marketing")
    role = SelectField("Role", choices=ROLE_CHOICES, default="learner")
    cohort_id = SelectField("Cohort", coerce=int, choices=[], validators=[Optional()])


class BulkInviteForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[FileRequired("Choose a CSV file to upload."), FileAllowed(["csv", "txt"], "Upload a .csv file.")],
        description="Columns: name, email, function (sales, marketing or other), cohort (optional).",
    )
    role = SelectField("Role for everyone in the file", choices=ROLE_CHOICES, default="learner")
    import_valid = BooleanField("Invite the valid rows even if some rows have errors")


class MemberRolesForm(FlaskForm):
    roles = MultiCheckboxField("Roles", choices=ROLE_CHOICES, validators=[DataRequired("Give at least one role.")])
    is_active = BooleanField("Can sign in")


class CohortForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    delivery = SelectField(
        "Delivery",
        choices=choices([("in_house", "In-house"), ("virtual", "Virtual"), ("in_person", "In person")]),
        default="in_house",
    )
    location = StringField("Location", validators=[Optional(), Length(max=200)])
    starts_on = DateField("Starts on", validators=[Optional()])
    ends_on = DateField("Ends on", validators=[Optional()])
    shares_workspace = BooleanField("Members share one team workspace (sales and marketing work the same accounts)")

    def validate_ends_on(self, field) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("The end date is before the start date.")


class CohortMemberForm(FlaskForm):
    """Add a person found on the cohort's page: which one (a member of the organisation, checked by the view) and in
    which role, from the button pressed."""

    user_id = IntegerField("Person", validators=[InputRequired()])
    role = SelectField("As", choices=choices([("learner", "Learner"), ("coach", "Coach")]), default="learner")


class WordSearch(LenientForm):
    """A list's search from the address: words of a name or email, and the page."""

    q = StringField("Name or email", filters=[strip], default="", validators=[Length(max=100)])
    page = IntegerField(default=1, validators=[Optional(), NumberRange(min=1)])

    def __init__(self, formdata) -> None:
        super().__init__(formdata)
        self.settle()


class MemberSearch(WordSearch):
    """The people page's search: words of a name or email, a role, the page."""

    role = SelectField("Role", default="", choices=choices([("", "Any role"), *ROLE_LABELS.items()]))


class CohortPeopleSearch(WordSearch):
    """A cohort's page: the page of its members (`page`), and the people found to add with their page."""

    people_page = IntegerField(default=1, validators=[Optional(), NumberRange(min=1)])


class OrganizationForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        "Short name (in links)",
        validators=[DataRequired(), Length(max=80), Regexp(r"^[a-z0-9][a-z0-9-]*$", message="Use a-z, 0-9 and -.")],
    )
    admin_email = EmailField("First admin's email", validators=[Optional(), Email()], filters=[strip])
    admin_name = StringField("First admin's name", validators=[Optional(), Length(max=200)])


class OrganizationEditForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    timezone = StringField("Time zone", validators=[DataRequired(), Length(max=60)], description="e.g. Europe/London")
    seat_limit = IntegerField("Seat limit", validators=[Optional(), NumberRange(min=1, max=1_000_000)],
                              description="Members plus pending invitations. Leave empty for no limit.")
    is_active = BooleanField("Active (untick to suspend: members cannot reach the organisation)")


class ProfileForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    job_function = SelectField("Team", choices=FUNCTION_CHOICES)
    timezone = StringField("Time zone", validators=[Optional(), Length(max=60)], description="e.g. Europe/London")
    reminders_opt_out = BooleanField("Don't send me reminder emails")

    def validate_timezone(self, field) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        if field.data:
            try:
                ZoneInfo(field.data)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValidationError("Unknown time zone: use a name like Europe/London.") from exc
