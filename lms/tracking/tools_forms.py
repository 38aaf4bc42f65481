"""WTForms for the connected tools pages: a tool's LRS credentials, a mapping rule, a CRM activity export upload."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from lms.abm.vocabulary import PRACTICES
from lms.forms import choices, strip
from lms.tracking.tools import rule_problems


class CredentialForm(FlaskForm):
    """Credentials for one tool: its name and what it may do."""

    name = StringField("Tool", validators=[DataRequired("Name the tool, e.g. Outreach."), Length(max=100)],
                       filters=[strip], description="The tool that will use these credentials, e.g. "
                                                    "\u201cOutreach\u201d or \u201cSalesforce\u201d.")
    can_write = BooleanField("Send statements (write)", default=True)
    can_read = BooleanField("Read this organisation's statements (read)", default=False)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not (self.can_read.data or self.can_write.data):
            self.can_write.errors = [*self.can_write.errors, "Let the tool write, read, or both."]
            ok = False
        return ok


class MappingForm(FlaskForm):
    """A rule: which statements count as use of which practice."""

    credential = SelectField("Tool", validators=[Optional()],
                             description="Only this tool's statements, or any tool's (CRM exports included).")
    verb_iri = StringField("Verb IRI", validators=[Optional(), Length(max=500)], filters=[strip],
                           description="The verb's id, e.g. http://activitystrea.ms/schema/1.0/start. Empty: any verb.")
    activity_type = StringField("Activity type", validators=[Optional(), Length(max=500)], filters=[strip],
                                description="The object's definition.type, e.g. http://activitystrea.ms/schema/1.0/"
                                            "task. Empty: any type.")
    activity_prefix = StringField("Activity IRI starts with", validators=[Optional(), Length(max=1000)],
                                  filters=[strip],
                                  description="The start of the object's id, e.g. https://crm.example.com/plans/. "
                                              "Empty: any activity.")
    practice = SelectField("Counts as", choices=choices([("", "Choose a practice"),
                                                         *((k, p.label) for k, p in PRACTICES.items())]),
                           validators=[DataRequired("Choose the practice these statements show.")])

    def __init__(self, *args, credentials=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.credential.choices = choices([("", "Any tool"), *(
            (str(c.id), c.name + (" (revoked)" if c.revoked_at else "")) for c in credentials)])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        problems = rule_problems(has_tool=bool(self.credential.data), verb_iri=self.verb_iri.data or "",
                                 activity_type=self.activity_type.data or "",
                                 activity_prefix=self.activity_prefix.data or "", practice=self.practice.data or "")
        for name, message in problems.items():
            field = self[name]
            if message not in field.errors and not (name == "practice" and field.errors):
                field.errors = [*field.errors, message]
                ok = False
        return ok


class ActivityImportForm(FlaskForm):
    """Upload a CRM activity export."""

    file = FileField("CRM activity export (CSV)", validators=[
        FileRequired("Choose the CSV file to upload."),
        FileAllowed(["csv", "tsv", "txt"], "Upload a .csv file (in Excel: Save As > CSV UTF-8).")])
    dates = RadioField("Dates such as 03/04/2026 mean", default="dmy", choices=choices({
        "dmy": "3 April 2026 (day first, as UK exports write them)",
        "mdy": "4 March 2026 (month first, as US exports write them)"}))
    valid_rows_only = BooleanField("Import the valid rows and skip the lines with errors",
                                   description="Otherwise nothing is imported while any line has an error.")
