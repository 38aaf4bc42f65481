"""WTForms for assignments: assign a course with a due date, move a due date, and find and choose people."""

from __future__ import annotations

from datetime import datetime, time, tzinfo

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from lms.database import utcnow
from lms.forms import LenientForm, strip
from lms.learning import deadlines

# Named people chosen at once. The choice travels in the page's address (a server's request line holds about 4 KB)
# and in its forms; a larger group is what cohorts are for.
MAX_CHOSEN = 100


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
    """Assign a course to a cohort or to named people (chosen with PeopleSearch, sent as hidden `user_ids`)."""

    course_id = SelectField("Course", coerce=int, choices=[])
    # Another organisation's cohort or person answers 404 in the view, so no choice validation here.
    cohort_id = SelectField("Assign to", coerce=int, choices=[], validate_choice=False,
                            description="A cohort or team: everyone learning in it now, and anyone added when you "
                                        "assign it again.")
    user_ids = SelectMultipleField("Named people", coerce=int, choices=[], validate_choice=False)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.cohort_id.data and not self.user_ids.data:
            self.cohort_id.errors = [*self.cohort_id.errors,
                                     "Choose a cohort, or find and choose the people to assign it to."]
            return False
        if self.cohort_id.data and self.user_ids.data:
            self.cohort_id.errors = [*self.cohort_id.errors,
                                     "Choose a cohort or named people, not both: assign it twice if you need both."]
            return False
        return valid

    def typed(self) -> dict[str, str]:
        """Return what was typed or picked in the course, cohort and due date fields, as sent ({name: text}), so the
        page's other forms and links can carry it along."""
        return {f.name: f.raw_data[0] for f in (self.course_id, self.cohort_id, self.due_date, self.due_time)
                if f.raw_data and f.raw_data[0]}


class PeopleSearch(LenientForm):
    """The GET form that finds the organisation's people and changes who is chosen; invalid values fall back to
    the defaults rather than failing the page."""

    q = StringField("Name or email", filters=[strip], default="", validators=[Length(max=100)])
    in_cohort = SelectField("In cohort", coerce=int, default=0, choices=[])
    page = IntegerField(default=1, validators=[Optional(), NumberRange(min=1)])  # the results page shown
    go = IntegerField(validators=[Optional(), NumberRange(min=1)])  # the results page asked for (Search: 1)
    add = SelectMultipleField(coerce=int, choices=[], validate_choice=False)  # people ticked in the results
    drop = IntegerField(validators=[Optional()])  # a chosen person removed
    clear = StringField()  # "1": nobody chosen any more
    list_page = IntegerField(default=1, validators=[Optional(), NumberRange(min=1)])  # the assignments list

    def __init__(self, formdata, cohorts: list[tuple[int, str]]) -> None:
        super().__init__(formdata)
        self.in_cohort.choices = [(0, "Any cohort"), *cohorts]
        self.settle()
        self.active = bool(self.q.raw_data)  # the search was run (the form always sends `q`, maybe empty)

    @property
    def results_page(self) -> int:
        """The page of results to show."""
        return self.go.data or self.page.data

    def choose(self, chosen: list[int] | None) -> tuple[list[int], bool]:
        """Return the people chosen once this request's changes apply to `chosen` (ticked ones added, a removed one
        or everyone dropped), in the order chosen, at most MAX_CHOSEN; and whether some were left out for it."""
        if self.clear.data:
            return [], False
        ids = [uid for uid in dict.fromkeys([*(chosen or []), *(self.add.data or [])]) if uid != self.drop.data]
        return ids[:MAX_CHOSEN], len(ids) > MAX_CHOSEN
