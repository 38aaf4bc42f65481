"""WTForms for exercises: the answer form's CSRF guard (its fields come from the exercise) and coach reviews."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import Length, Optional

from lms.forms import choices


class AnswerForm(FlaskForm):
    """Guards the answer form; the answer fields themselves are read by lms.practice.answers.parse_answer."""


class ReviewForm(FlaskForm):
    """A coach's review: a comment to the learner and, optionally, the decision."""

    comment = TextAreaField(
        "Your comment to the learner",
        validators=[Optional(), Length(max=5000)],
        description="Say what they did well and what to do next. You can also comment on each finding above.",
    )
    decision = RadioField(
        "Decision",
        choices=choices([
            ("", "Comment only: keep it as it is"),
            ("accepted", "Accept: the work is good"),
            ("changes_requested", "Ask for changes"),
        ]),
        default="",
        validators=[Optional()],
    )
