"""Forms: the reason a platform admin gives to revoke or reissue a certificate."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from lms.forms import strip


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        validators=[DataRequired("Give a reason: it is shown on the verification page."), Length(max=500)],
        filters=[strip],
        description="Shown publicly on the certificate's verification page and in its Open Badge.",
    )
