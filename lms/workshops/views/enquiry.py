"""The in-house programme and its "bring your team" enquiry, for visitors and signed-in users alike (routes on
lms.workshops.views.blueprint.bp)."""

from __future__ import annotations

from flask import current_app, g, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange

from lms.content.models import Course
from lms.extensions import db, limiter
from lms.forms import choices, strip
from lms.workshops import notifications
from lms.workshops.models import Enquiry
from lms.workshops.views import panels
from lms.workshops.views.blueprint import bp

TEAM_SIZES = (2, 500)


class EnquiryForm(FlaskForm):
    """"Bring your team": who is asking, for how many people, about which course."""

    name = StringField("Your name", filters=[strip], validators=[DataRequired("Enter your name."), Length(max=200)])
    email = EmailField("Work email", filters=[strip], validators=[
        DataRequired("Enter your work email."), Email(message="Enter a valid email address, like name@company.com."),
        Length(max=254)], description="We reply to this address.")
    company = StringField("Company", filters=[strip],
                          validators=[DataRequired("Enter your company's name."), Length(max=200)])
    team_size = IntegerField("Team size", validators=[
        InputRequired("Enter how many people would take part."),
        NumberRange(*TEAM_SIZES, message=f"Enter a team of {TEAM_SIZES[0]} to {TEAM_SIZES[1]} people.")],
        description="How many people would take part, sales and marketing together.")
    course_id = SelectField("Which course interests you", coerce=int, choices=[])
    message = TextAreaField("Anything we should know (optional)", filters=[strip], validators=[Length(max=5000)],
                            description="For example when you'd like to start, or what your team is working on.")


def _enquiry_limit() -> str:
    # Each enquiry sends two emails, as a sign-up sends one: the same per-address limit keeps it from being a relay.
    return current_app.config["LOGIN_RATE_LIMIT"]


def _courses() -> list[Course]:
    """Every course, those written for in-house teams first."""
    return list(db.session.scalars(select(Course).where(Course.is_archived.is_(False))
                                   .order_by(Course.audience, Course.title)))


def _form(courses: list[Course]) -> EnquiryForm:
    """The enquiry form; on a first visit, filled in with what we know of a signed-in user and the course asked
    about (?course=<slug>)."""
    wanted = next((c.id for c in courses if c.slug == request.args.get("course")), 0)
    known = {}
    if current_user.is_authenticated:
        org = g.org
        known = {"name": current_user.name, "email": current_user.email,
                 "company": org.name if org is not None and org.kind != "public" else ""}
    form = EnquiryForm(course_id=wanted, **known)
    form.course_id.choices = choices([(0, "Not sure yet")] + [(c.id, c.title) for c in courses])
    return form


@bp.route("/in-house", methods=["GET", "POST"])
@limiter.limit(_enquiry_limit, methods=["POST"])
def in_house():
    """The in-house programme, described from the courses written for teams, and the "bring your team" enquiry."""
    form = _form(_courses())
    if form.validate_on_submit():
        enquiry = Enquiry(user_id=current_user.id if current_user.is_authenticated else None, name=form.name.data,
                          email=form.email.data, company=form.company.data, team_size=form.team_size.data,
                          course_id=form.course_id.data or None, message=form.message.data or "")
        db.session.add(enquiry)
        db.session.commit()
        sent = notifications.enquiry_received(enquiry)
        return render_template("workshops/in_house.html", enquiry=enquiry, sent=sent,
                               provider_email=notifications.enquiries_address())
    return render_template("workshops/in_house.html", form=form,
                           programmes=panels.in_house_courses()), 422 if form.errors else 200
