"""WTForms for assignments: assign a course with a due date, and move a due date."""

from __future__ import annotations

from datetime import datetime, time, tzinfo

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TimeField
from wtforms.validators import InputRequired

from lms.database import utcnow
from lms.forms import MultiCheckboxField
from lms.learning import deadlines


class DueDateForm(FlaskForm):
    """A due date and time typed in the manager's time zone; it must be in the future."""

    due_date = DateField("Due date", validators=[InputRequired("Enter the date it is due.")])
    due_time = TimeField("Due time", default=time(17, 0), validators=[InputRequired("Enter the time it is due.")])

    def __init__(self, *args, zone: tzinfo, now: datetime | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.zone, self.now = zone, now or utcnow()
        self.due_date.description = f"Date and time in your time zone ({zone})."

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        problem = deadlines.due_problem(self.due_date.data, self.due_time.data, self.zone, self.now)
        if problem:
            self.due_date.errors = [*self.due_date.errors, problem]
            return False
        return True

    @property
    def due_at(self) -> datetime:
        """The due date as naive UTC (after validation)."""
        return deadlines.local_to_utc(self.due_date.data, self.due_time.data, self.zone)


class AssignForm(DueDateForm):
    """Assign a course to a cohort or to named people."""

    course_id = SelectField("Course", coerce=int, choices=[])
    # Another organisation's cohort or person answers 404 in the view, so no choice validation here.
    cohort_id = SelectField("Cohort", coerce=int, choices=[], validate_choice=False,
                            description="Everyone learning in the cohort, now and anyone added when you assign "
                                        "it again.")
    user_ids = MultiCheckboxField("Or named people", coerce=int, choices=[], validate_choice=False)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.cohort_id.data and not self.user_ids.data:
            self.user_ids.errors = [*self.user_ids.errors, "Choose a cohort, or tick the people to assign it to."]
            return False
        if self.cohort_id.data and self.user_ids.data:
            self.user_ids.errors = [*self.user_ids.errors,
                                    "Choose a cohort or named people, not both: assign it twice if you need both."]
            return False
        return valid
