"""Report forms: the filters every report takes (GET, no CSRF: they change nothing) and the ROI inputs."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, IntegerField, RadioField, SelectField
from wtforms.validators import NumberRange, Optional

from lms.forms import choices
from lms.reports.completion import STATUS_LABELS
from lms.reports.filters import FUNCTIONS, SORTS, period_problem

DATE_MESSAGE = "Enter the date as YYYY-MM-DD, for example 2026-03-31."


class FriendlyDateField(DateField):
    """A date field whose error tells people the format to use."""

    def process_formdata(self, valuelist) -> None:
        if valuelist and valuelist[0].strip():
            try:
                super().process_formdata([valuelist[0].strip()])
            except ValueError:
                self.data = None
                raise ValueError(DATE_MESSAGE) from None
        else:
            self.data = None


class FilterForm(FlaskForm):
    """Period, cohort, function and (for the learner table) status and sort; read from the query string."""

    class Meta:
        csrf = False

    start = FriendlyDateField("From", validators=[Optional()])
    end = FriendlyDateField("To", validators=[Optional()])
    cohort = SelectField("Cohort", validators=[Optional()])
    function = SelectField("Team", choices=choices({"": "All teams",
                                                    **{f: f.capitalize() for f in FUNCTIONS}}),
                           validators=[Optional()])
    status = SelectField("Status", choices=choices({"": "Any status", **STATUS_LABELS}), validators=[Optional()])
    sort = SelectField("Sort by", choices=choices({s: s.replace("_", " ").capitalize() for s in SORTS}),
                       default="name", validators=[Optional()])
    order = SelectField("Order", choices=choices({"asc": "Ascending", "desc": "Descending"}), default="asc",
                        validators=[Optional()])
    page = IntegerField("Page", default=1, validators=[Optional(), NumberRange(min=1, max=100_000)])
    weeks = IntegerField("Weeks before and after training", default=4,
                         validators=[Optional(), NumberRange(min=1, max=52, message="Enter 1 to 52 weeks.")],
                         description="For practice use outside the academy.")

    def __init__(self, *args, cohorts=(), today=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cohort.choices = choices([("", "All cohorts"), *((str(c.id), c.name) for c in cohorts)])
        self._today = today

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        problem = period_problem(self.start.data, self.end.data, self._today)
        if problem:
            self.start.errors = [*self.start.errors, problem]
            ok = False
        return ok


def _fraction(label: str, description: str) -> DecimalField:
    return DecimalField(label, places=None, description=description,
                        validators=[Optional(), NumberRange(min=0, max=1, message="Enter a number from 0 to 1.")])


def _money(label: str, description: str = "") -> DecimalField:
    return DecimalField(label, places=None, description=description,
                        validators=[Optional(), NumberRange(min=0, max=1e10, message="Enter an amount of 0 or more.")])


class RoiInputsForm(FlaskForm):
    """A cohort's programme costs and ROI assumptions; every field keeps what was typed when another is wrong."""

    currency = SelectField("Currency", choices=choices({"GBP": "GBP (£)", "EUR": "EUR (€)", "USD": "USD ($)"}),
                           default="GBP")
    fee_per_seat = _money("Fee per seat", "What the provider charges for each learner (0 for an in-house course).")
    seats = IntegerField("Seats", description="The number of learners paid for.",
                         validators=[Optional(), NumberRange(min=0, max=1_000_000, message="Enter 0 or more seats.")])
    hours_per_learner = DecimalField(
        "Learner hours (each)", places=None, description="Hours each learner spends on the programme.",
        validators=[Optional(), NumberRange(min=0, max=2000, message="Enter hours from 0 to 2,000.")])
    hourly_cost = _money("Loaded hourly cost", "Salary, benefits and overheads per learner hour.")
    coach_costs = _money("Coach costs", "All coaching for the cohort.")
    platform_costs = _money("Platform costs", "Licences and tools for the cohort's programme.")
    attribution = _fraction("Attribution factor (0–1)",
                            "The share of the improvement due to training, e.g. 0.5 (managers' or learners' estimate).")
    confidence = _fraction("Confidence (0–1)", "How sure the estimators are of that share, e.g. 0.8.")
    gross_margin = _fraction("Gross margin (0–1)", "Gross profit as a share of revenue, e.g. 0.6.")
    win_rate = _fraction("Win rate for open pipeline (0–1)", "Your historical win rate, e.g. 0.25.")
    comparison = RadioField("Compare with", default="baseline", choices=choices({
        "baseline": "The same team before the programme (baseline period)",
        "group": "An untrained comparison group over the same period",
    }))
    baseline_start = FriendlyDateField("Baseline from", validators=[Optional()],
                                       description="Leave both baseline dates empty for the period of equal length "
                                                   "just before the programme start.")
    baseline_end = FriendlyDateField("Baseline to", validators=[Optional()])
    comparison_cohort = SelectField("Untrained group (cohort)", validators=[Optional()])

    def __init__(self, *args, cohort_id: int | None = None, cohorts=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._cohort_id = cohort_id
        self.comparison_cohort.choices = choices(
            [("", "Choose a cohort"), *((str(c.id), c.name) for c in cohorts if c.id != cohort_id)])

    def validate(self, extra_validators=None) -> bool:
        # Cross-field rules live here: empty optional fields stop their own validator chains.
        ok = super().validate(extra_validators)
        start, end = self.baseline_start.data, self.baseline_end.data
        if not self.baseline_start.errors and not self.baseline_end.errors:
            if bool(start) != bool(end):
                self.baseline_end.errors = [*self.baseline_end.errors, "Enter both baseline dates, or leave both empty."]
                ok = False
            elif start and end and start >= end:
                self.baseline_end.errors = [*self.baseline_end.errors, "The baseline must end after it starts."]
                ok = False
        if self.comparison.data == "group" and not self.comparison_cohort.data:
            self.comparison_cohort.errors = [*self.comparison_cohort.errors,
                                             "Choose the untrained group to compare with."]
            ok = False
        return ok

    def values(self) -> dict:
        """Return the model values: numbers as floats, empty fields as None."""
        def number(f):
            return float(f.data) if f.data is not None else None

        return {
            "currency": self.currency.data,
            "fee_per_seat": number(self.fee_per_seat), "seats": self.seats.data,
            "hours_per_learner": number(self.hours_per_learner), "hourly_cost": number(self.hourly_cost),
            "coach_costs": number(self.coach_costs), "platform_costs": number(self.platform_costs),
            "attribution": number(self.attribution), "confidence": number(self.confidence),
            "gross_margin": number(self.gross_margin), "win_rate": number(self.win_rate),
            "comparison": self.comparison.data, "baseline_start": self.baseline_start.data,
            "baseline_end": self.baseline_end.data,
            "comparison_cohort_id": int(self.comparison_cohort.data) if self.comparison.data == "group"
            and self.comparison_cohort.data else None,
        }
