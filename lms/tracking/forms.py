"""WTForms for the learning record: naming a new API token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from lms.forms import strip


class ApiTokenForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Give the token a name."), Length(max=100)],
                       filters=[strip], description="Who or what uses it, e.g. \u201cLearning Locker\u201d or "
                                                    "\u201cPower BI report\u201d.")
