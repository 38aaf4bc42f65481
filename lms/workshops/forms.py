"""The session form: course, title, delivery, up to five dated parts, time zone, seats, booking deadline, place,
price and coach. Times are typed on the session's own clock and leave the form as naive UTC."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import URL, InputRequired, Length, NumberRange, Optional, ValidationError

from lms.database import utcnow
from lms.forms import choices, strip
from lms.learning.deadlines import local_to_utc, utc_to_local
from lms.workshops.models import DELIVERY_LABELS, WorkshopSession
from lms.workshops.services import SessionPlan

MAX_PARTS = 5


class PartForm(Form):
    """One dated part (a day, or a morning): the date and its start and end on the session's clock."""

    day = DateField("Date", validators=[Optional()])
    starts = TimeField("Starts", validators=[Optional()])
    ends = TimeField("Ends", validators=[Optional()])

    @property
    def is_empty(self) -> bool:
        return not (self.day.raw_data and self.day.raw_data[0]) and not (
            self.starts.raw_data and self.starts.raw_data[0]) and not (self.ends.raw_data and self.ends.raw_data[0])


class SessionForm(FlaskForm):
    """Create or change a session. `plan` (after validation) is what services.create_session/update_session take."""

    course_id = SelectField("Course", coerce=int, choices=[])
    title = StringField("Title", filters=[strip], validators=[InputRequired("Give the session a title."),
                                                              Length(max=200)],
                        description="What attendees see first, e.g. \u201cABM Foundations in London\u201d.")
    delivery = RadioField("Delivery", choices=choices(DELIVERY_LABELS), default="in_person",
                          validators=[InputRequired("Choose virtual or in person.")])
    timezone = StringField("Time zone", filters=[strip], default="Europe/London",
                           validators=[InputRequired("Enter the time zone the session runs in."), Length(max=60)],
                           description="The session's own clock, e.g. Europe/London or America/New_York. Every date "
                                       "and time on this form is in it.")
    parts = FieldList(FormField(PartForm), min_entries=MAX_PARTS, max_entries=MAX_PARTS)
    capacity = IntegerField("Seats", validators=[InputRequired("Enter the number of seats."),
                                                 NumberRange(1, 500, "Seats must be between 1 and 500.")])
    deadline_date = DateField("Booking closes on", validators=[InputRequired("Enter the day booking closes.")])
    deadline_time = TimeField("Booking closes at", default=time(17, 0),
                              validators=[InputRequired("Enter the time booking closes.")])
    venue_name = StringField("Venue", filters=[strip], validators=[Length(max=200)],
                             description="In person: the venue's name, e.g. \u201cThe Clerkenwell Rooms\u201d.")
    venue_address = TextAreaField("Venue address", filters=[strip], validators=[Length(max=1000)],
                                  description="In person: the full address with postcode. Shown to everyone.")
    join_url = URLField("Joining link", filters=[strip],
                        validators=[Optional(), URL(message="Enter the full link, starting https://."),
                                    Length(max=500)],
                        description="Virtual: the video call link. Shown only to people with a confirmed seat.")
    price_text = StringField("Price", filters=[strip], validators=[Length(max=200)],
                             description="As attendees should read it, e.g. \u201c£495 + VAT per person\u201d.")
    coach_id = SelectField("Coach", coerce=int, choices=[],
                           description="The coach who runs it and reviews attendees' follow-up work.")

    def __init__(self, *args, is_new: bool = True, now: datetime | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.is_new, self.now = is_new, now or utcnow()
        self._utc_parts: list[tuple[datetime, datetime]] = []

    @classmethod
    def for_session(cls, session: WorkshopSession, **kwargs) -> SessionForm:
        """The form filled with `session` as it is, its times on its own clock."""
        tz = ZoneInfo(session.timezone)
        parts = [{"day": utc_to_local(p.starts_at, tz).date(), "starts": utc_to_local(p.starts_at, tz).time(),
                  "ends": utc_to_local(p.ends_at, tz).time()} for p in session.parts]
        deadline = utc_to_local(session.booking_deadline, tz)
        return cls(data={
            "course_id": session.course_id, "title": session.title, "delivery": session.delivery,
            "timezone": session.timezone, "parts": parts, "capacity": session.capacity,
            "deadline_date": deadline.date(), "deadline_time": deadline.time().replace(second=0, microsecond=0),
            "venue_name": session.venue_name, "venue_address": session.venue_address, "join_url": session.join_url,
            "price_text": session.price_text, "coach_id": session.coach_id or 0}, is_new=False, **kwargs)

    def validate_timezone(self, field) -> None:
        try:
            ZoneInfo(field.data or "")
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError("Unknown time zone: use a name like Europe/London or America/New_York.") from exc

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not valid or self.timezone.errors:
            return False
        tz = ZoneInfo(self.timezone.data)
        self._utc_parts = []
        for entry in self.parts:
            part = entry.form
            if part.is_empty:
                continue
            if part.day.data is None or part.starts.data is None or part.ends.data is None:
                part.day.errors = [*part.day.errors, "Give each part its date, start time and end time."]
                valid = False
                continue
            start = local_to_utc(part.day.data, part.starts.data, tz)
            end = local_to_utc(part.day.data, part.ends.data, tz)
            if end <= start:
                part.ends.errors = [*part.ends.errors, "The part must end after it starts."]
                valid = False
                continue
            self._utc_parts.append((start, end))
        if valid and not self._utc_parts:
            self.parts[0].form.day.errors = [*self.parts[0].form.day.errors,
                                             "Give the session at least one dated part."]
            valid = False
        if valid and self.is_new and min(s for s, _ in self._utc_parts) <= self.now:
            self.parts[0].form.day.errors = [*self.parts[0].form.day.errors,
                                             "The session must start in the future."]
            valid = False
        if valid and self.booking_deadline >= min(s for s, _ in self._utc_parts):
            self.deadline_date.errors = [*self.deadline_date.errors,
                                         "Booking must close before the session starts."]
            valid = False
        if self.delivery.data == "in_person" and not self.venue_address.data:
            self.venue_address.errors = [*self.venue_address.errors,
                                         "An in-person session needs the venue's address."]
            valid = False
        if self.delivery.data == "virtual" and not self.join_url.data:
            self.join_url.errors = [*self.join_url.errors, "A virtual session needs the link attendees join with."]
            valid = False
        return valid

    def problems(self) -> list[tuple[str | None, str, str]]:
        """Every error to list above the form, in page order: (field id or None, what it is about, message)."""
        found: list[tuple[str | None, str, str]] = [(None, "", message) for message in self.form_errors]
        for f in self:
            if f.name == "parts":
                found += [(sub.id, f"Part {number}, {sub.label.text.lower()}", message)
                          for number, entry in enumerate(f.entries, 1) for sub in entry.form for message in sub.errors]
            elif f.type != "CSRFTokenField":  # a missing token is refused (400) before the form is read
                found += [(f.id, f.label.text, message) for message in f.errors]
        return found

    @property
    def booking_deadline(self) -> datetime:
        return local_to_utc(self.deadline_date.data, self.deadline_time.data, ZoneInfo(self.timezone.data))

    @property
    def plan(self) -> SessionPlan:
        """The session as typed, times in naive UTC (after validation)."""
        in_person = self.delivery.data == "in_person"
        return SessionPlan(
            title=self.title.data, delivery=self.delivery.data, parts=sorted(self._utc_parts),
            timezone=self.timezone.data, capacity=self.capacity.data, booking_deadline=self.booking_deadline,
            venue_name=self.venue_name.data if in_person else "",
            venue_address=self.venue_address.data if in_person else "",
            join_url=self.join_url.data if not in_person else "", price_text=self.price_text.data or "")
