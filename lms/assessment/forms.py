"""WTForms for coach ratings (assessment answers use EmptyForm: their options are read from the paper)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from lms.forms import choices, strip

COMMENT_MAX = 2000


class RatingForm(FlaskForm):
    """A coach's rating of one competency: a level of the framework's rubric and a comment saying why."""

    level = RadioField("Level", coerce=int, validators=[InputRequired("Choose a level from 1 to 5.")])
    comment = TextAreaField(
        "Comment",
        validators=[DataRequired("Say what you saw that puts the learner at this level."), Length(max=COMMENT_MAX)],
        filters=[strip],
        description="What you saw the learner do, and what would take them to the next level.",
    )

    def __init__(self, levels: dict, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.level.choices = choices((level, f"{level}: {levels.get(str(level), '')}") for level in range(1, 6))
