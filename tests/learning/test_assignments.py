"""Managers assign courses with due dates: to cohorts or named people, in their own time zone, in their own
organisation only; re-assignment, due-date changes and withdrawal are recorded per learner."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from lms.content.models import Course
from lms.content.sync import sync_content
from lms.database import utcnow
from lms.extensions import db
from lms.learning import assignments
from lms.learning.models import Assignment, Enrolment
from lms.tracking.models import Statement
from tests.factories import make_cohort, make_org, make_user

FUTURE = (utcnow() + timedelta(days=40)).date()


@pytest.fixture
def team(app):
    sync_content(Path(app.config["COURSES_DIR"]), {})
    org = make_org("Northwind")
    cohort = make_cohort(org, "Sales and marketing")
    manager = make_user(org, ("manager",), email="marcus@northwind.example", name="Marcus Bell",
                        timezone="America/New_York")
    ada = make_user(org, ("learner",), email="ada@northwind.example", name="Ada Lovelace", cohort=cohort)
    sam = make_user(org, ("learner",), email="sam@northwind.example", name="Sam Whitfield", cohort=cohort)
    make_user(org, ("coach",), email="chloe@northwind.example", cohort=cohort, cohort_role="coach")
    lee = make_user(org, ("learner",), email="lee@northwind.example", name="Lee Chen")
    other = make_org("Globex")
    their_cohort = make_cohort(other, "Globex team")
    eve = make_user(other, ("learner",), email="eve@globex.example", cohort=their_cohort)
    course = db.session.scalar(select(Course).where(Course.slug == "tiny-course"))
    db.session.commit()
    return {"org": org, "cohort": cohort, "manager": manager, "ada": ada, "sam": sam, "lee": lee, "other": other,
            "their_cohort": their_cohort, "eve": eve, "course": course}


def form(course, *, cohort=None, people=(), day=FUTURE, at="17:00") -> dict:
    data = {"course_id": course.id, "cohort_id": cohort.id if cohort else 0, "due_date": str(day), "due_time": at}
    if people:
        data["user_ids"] = [p.id for p in people]
    return data


def statements(verb: str) -> list[Statement]:
    db.session.expire_all()
    return list(db.session.scalars(select(Statement).where(Statement.verb == verb).order_by(Statement.actor_id)))


def test_assigning_to_a_cohort_enrols_its_learners_with_the_due_date_in_the_managers_time_zone(client, auth, team):
    auth.login("marcus@northwind.example")
    response = client.post("/manage/assignments", data=form(team["course"], cohort=team["cohort"], at="19:30"))
    assert response.status_code == 302
    db.session.expire_all()
    enrolments = list(db.session.scalars(select(Enrolment).order_by(Enrolment.user_id)))
    assert [e.user_id for e in enrolments] == [team["ada"].id, team["sam"].id]  # learners, not the coach
    # 19:30 in New York is 00:30 UTC the next day (winter) or 23:30 UTC (summer): stored as UTC.
    expected = datetime.combine(FUTURE, time(19, 30), ZoneInfo("America/New_York")).astimezone(ZoneInfo("UTC"))
    assert all(e.due_at == expected.replace(tzinfo=None) for e in enrolments)
    assert all(e.source == "assigned" and e.assigned_by_id == team["manager"].id for e in enrolments)
    assert all(e.cohort_id == team["cohort"].id and e.assignment_id for e in enrolments)
    assigned = statements("assigned")
    assert [s.actor_id for s in assigned] == [team["ada"].id, team["sam"].id]
    assert assigned[0].context["assigned_by"] == team["manager"].id
    assert assigned[0].context["reassigned"] is False
    assert assigned[0].course_slug == "tiny-course" and assigned[0].organization_id == team["org"].id
    assert len(statements("enrolled")) == 2
    page = client.get("/manage/assignments").get_data(as_text=True)
    assert "ABM in Ten Minutes assigned to 2 learners" in page
    assert "Sales and marketing" in page and f"{FUTURE.day} {FUTURE:%b %Y}, 19:30" in page


def test_assigning_to_named_people(client, auth, team):
    auth.login("marcus@northwind.example")
    client.post("/manage/assignments", data=form(team["course"], people=[team["lee"], team["ada"]]))
    db.session.expire_all()
    assert sorted(e.user_id for e in db.session.scalars(select(Enrolment))) == sorted([team["lee"].id,
                                                                                         team["ada"].id])
    assert len(statements("assigned")) == 2
    assert "2 named people" in client.get("/manage/assignments").get_data(as_text=True)


def test_a_due_date_in_the_past_is_a_clear_error_that_keeps_what_was_typed(client, auth, team):
    auth.login("marcus@northwind.example")
    yesterday = utcnow().date() - timedelta(days=1)
    response = client.post("/manage/assignments", data=form(team["course"], cohort=team["cohort"], day=yesterday,
                                                            at="08:15"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The due date has passed: choose a date and time in the future." in page
    assert f'value="{yesterday}"' in page and 'value="08:15"' in page
    assert f'<option selected value="{team["cohort"].id}">' in page
    assert db.session.scalar(select(Assignment)) is None and statements("assigned") == []


def test_the_due_date_is_judged_in_the_managers_time_zone(app, team):
    # 23:00 today in Tokyo may already be past while it is still in the future in New York.
    from lms.learning.forms import DueDateForm

    now = datetime(2027, 3, 10, 14, 30)  # 23:30 in Tokyo, 09:30 in New York
    with app.test_request_context(method="POST", data={"due_date": "2027-03-10", "due_time": "23:00"}):
        assert not DueDateForm(zone=ZoneInfo("Asia/Tokyo"), now=now, meta={"csrf": False}).validate()
        assert DueDateForm(zone=ZoneInfo("America/New_York"), now=now, meta={"csrf": False}).validate()


def test_a_cohort_or_people_must_be_chosen_but_not_both(client, auth, team):
    auth.login("marcus@northwind.example")
    neither = client.post("/manage/assignments", data=form(team["course"])).get_data(as_text=True)
    assert "Choose a cohort, or find and choose the people to assign it to." in neither
    both = client.post("/manage/assignments", data=form(team["course"], cohort=team["cohort"], people=[team["lee"]]))
    assert "not both" in both.get_data(as_text=True)
    assert db.session.scalar(select(Assignment)) is None


def test_another_organisations_cohort_or_people_answer_404(client, auth, team):
    auth.login("marcus@northwind.example")
    assert client.post("/manage/assignments", data=form(team["course"], cohort=team["their_cohort"])).status_code == 404
    assert client.post("/manage/assignments", data=form(team["course"], people=[team["eve"]])).status_code == 404
    assert client.post("/manage/assignments",
                       data=form(team["course"], people=[team["ada"], team["eve"]])).status_code == 404
    assert db.session.scalar(select(Enrolment)) is None and db.session.scalar(select(Assignment)) is None


def test_another_organisations_assignment_answers_404(client, auth, team):
    theirs = assignments.assign(team["other"], team["course"], utcnow() + timedelta(days=9), team["eve"],
                                cohort=team["their_cohort"]).assignment
    db.session.commit()
    auth.login("marcus@northwind.example")
    assert client.get(f"/manage/assignments/{theirs.id}").status_code == 404
    assert client.post(f"/manage/assignments/{theirs.id}", data={"due_date": "2030-01-01",
                                                                 "due_time": "09:00"}).status_code == 404
    assert client.post(f"/manage/assignments/{theirs.id}/withdraw").status_code == 404
    page = client.get("/manage/assignments").get_data(as_text=True)
    assert "Globex team" not in page and "Nothing assigned yet." in page
    db.session.expire_all()
    assert db.session.get(Assignment, theirs.id).withdrawn_at is None


def test_assigning_the_course_to_the_cohort_again_reassigns_it(client, auth, team):
    auth.login("marcus@northwind.example")
    client.post("/manage/assignments", data=form(team["course"], cohort=team["cohort"]))
    from lms.identity.services import join_cohort

    newcomer = make_user(team["org"], ("learner",), email="nia@northwind.example", commit=False)
    join_cohort(newcomer, team["cohort"])
    db.session.commit()
    later = FUTURE + timedelta(days=7)
    response = client.post("/manage/assignments", data=form(team["course"], cohort=team["cohort"], day=later))
    assert response.status_code == 302
    assert "re-assigned to 3 learners" in client.get("/manage/assignments").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(Assignment.id).where(Assignment.withdrawn_at.is_(None))) is not None
    assert len(db.session.scalars(select(Assignment)).all()) == 1
    assert {e.due_at.date() for e in db.session.scalars(select(Enrolment))} == {later}  # 17:00 New York: same day UTC
    assigned = statements("assigned")
    flags = {(s.actor_id, s.context["reassigned"]) for s in assigned}
    assert flags == {(team["ada"].id, False), (team["sam"].id, False), (team["ada"].id, True),
                     (team["sam"].id, True), (newcomer.id, False), (newcomer.id, True)}  # on joining, then again
    assert len(statements("enrolled")) == 3  # the newcomer once; nobody enrolled twice


def test_moving_the_due_date_records_rescheduled_for_each_learner(client, auth, team):
    auth.login("marcus@northwind.example")
    client.post("/manage/assignments", data=form(team["course"], cohort=team["cohort"]))
    assignment = db.session.scalar(select(Assignment))
    before = assignment.due_at
    page = client.get(f"/manage/assignments/{assignment.id}").get_data(as_text=True)
    assert f'value="{FUTURE}"' in page and 'value="17:00"' in page and "Ada Lovelace" in page
    later = FUTURE + timedelta(days=14)
    response = client.post(f"/manage/assignments/{assignment.id}", data={"due_date": str(later), "due_time": "17:00"})
    assert response.status_code == 302
    db.session.expire_all()
    assert {e.due_at for e in db.session.scalars(select(Enrolment))} == {before + timedelta(days=14)}
    rescheduled = statements("rescheduled")
    assert [s.actor_id for s in rescheduled] == [team["ada"].id, team["sam"].id]
    assert rescheduled[0].context["extended"] is True
    assert rescheduled[0].context["previous_due_at"] == before.isoformat() + "Z"


def test_saving_the_due_date_unchanged_records_nothing(client, auth, team):
    assignment = assignments.assign(team["org"], team["course"], utcnow() + timedelta(days=5, seconds=17),
                                    team["manager"], cohort=team["cohort"]).assignment
    db.session.commit()
    auth.login("marcus@northwind.example")
    page = client.get(f"/manage/assignments/{assignment.id}").get_data(as_text=True)
    shown_date = page.split('id="due_date"')[1].split('value="')[1].split('"')[0]
    shown_time = page.split('id="due_time"')[1].split('value="')[1].split('"')[0]
    client.post(f"/manage/assignments/{assignment.id}", data={"due_date": shown_date, "due_time": shown_time})
    assert statements("rescheduled") == []


def test_moving_the_due_date_into_the_past_is_refused(client, auth, team):
    auth.login("marcus@northwind.example")
    client.post("/manage/assignments", data=form(team["course"], cohort=team["cohort"]))
    assignment = db.session.scalar(select(Assignment))
    response = client.post(f"/manage/assignments/{assignment.id}", data={"due_date": "2020-01-01", "due_time": "09:00"})
    assert "The due date has passed" in response.get_data(as_text=True)
    assert statements("rescheduled") == []


def test_withdrawing_takes_learners_off_the_course_but_keeps_completions(client, auth, team):
    auth.login("marcus@northwind.example")
    client.post("/manage/assignments", data=form(team["course"], cohort=team["cohort"]))
    assignment = db.session.scalar(select(Assignment))
    ada_enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == team["ada"].id))
    ada_enrolment.completed_at = utcnow()
    db.session.commit()
    assert client.post(f"/manage/assignments/{assignment.id}/withdraw").status_code == 302
    db.session.expire_all()
    enrolments = {e.user_id: e for e in db.session.scalars(select(Enrolment))}
    assert enrolments[team["ada"].id].withdrawn_at is None and enrolments[team["ada"].id].completed_at
    assert enrolments[team["sam"].id].withdrawn_at is not None
    assert [s.actor_id for s in statements("withdrew")] == [team["sam"].id]
    assert "Nothing assigned yet." in client.get("/manage/assignments").get_data(as_text=True)
    assert client.get(f"/manage/assignments/{assignment.id}").status_code == 404
    auth.logout()
    auth.login("sam@northwind.example")
    assert "ABM in Ten Minutes" not in client.get("/dashboard").get_data(as_text=True)


def test_the_list_counts_learners_completed_and_overdue(app, team):
    outcome = assignments.assign(team["org"], team["course"], utcnow() + timedelta(days=3), team["manager"],
                                 cohort=team["cohort"])
    enrolments = {e.user_id: e for e in db.session.scalars(select(Enrolment))}
    enrolments[team["ada"].id].completed_at = utcnow()
    for e in enrolments.values():
        e.due_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    [row] = assignments.assignment_rows(team["org"].id, utcnow()).items
    assert row.assignment.id == outcome.assignment.id
    assert (row.learners, row.completed, row.overdue) == (2, 1, 1)


def test_reassigning_a_withdrawn_learner_revives_the_enrolment_and_keeps_progress(app, team):
    first = assignments.assign(team["org"], team["course"], utcnow() + timedelta(days=3), team["manager"],
                               people=[team["lee"]])
    enrolment = db.session.scalar(select(Enrolment))
    enrolment.started_at = utcnow()
    assignments.withdraw(first.assignment, team["manager"])
    second = assignments.assign(team["org"], team["course"], utcnow() + timedelta(days=9), team["manager"],
                                people=[team["lee"]])
    db.session.commit()
    db.session.expire_all()
    [again] = db.session.scalars(select(Enrolment)).all()
    assert again.id == enrolment.id and again.withdrawn_at is None and again.started_at is not None
    assert again.assignment_id == second.assignment.id
    assert second.assigned == [team["lee"]] and second.reassigned == []


@pytest.mark.parametrize(("roles", "code"), [(("learner",), 403), (("org_admin",), 403), (("coach",), 403),
                                             (("manager",), 200)])
def test_only_managers_open_the_assignments_page(client, auth, app, roles, code):
    org = make_org()
    make_user(org, roles, email="someone@northwind.example")
    auth.login("someone@northwind.example")
    assert client.get("/manage/assignments").status_code == code


def test_the_assignments_page_takes_a_fixed_number_of_queries(client, auth, team, queries):
    for person in (team["ada"], team["sam"], team["lee"]):
        assignments.assign(team["org"], team["course"], utcnow() + timedelta(days=5), team["manager"], people=[person])
    db.session.commit()
    auth.login("marcus@northwind.example")
    with queries:
        assert client.get("/manage/assignments").status_code == 200
    few = queries.count
    for i in range(5):
        extra = make_user(team["org"], ("learner",), email=f"x{i}@northwind.example")
        assignments.assign(team["org"], team["course"], utcnow() + timedelta(days=5), team["manager"], people=[extra])
    db.session.commit()
    with queries:
        client.get("/manage/assignments")
    assert queries.count == few


def test_due_dates_typed_on_the_day_clocks_change_are_kept(client, auth, team):
    # 01:30 on 28 March 2027 does not exist in London (clocks jump from 01:00 to 02:00): it means 02:30 BST.
    team["manager"].timezone = "Europe/London"
    db.session.commit()
    auth.login("marcus@northwind.example")
    client.post("/manage/assignments", data=form(team["course"], people=[team["ada"]], day=date(2027, 3, 28),
                                                 at="01:30"))
    db.session.expire_all()
    assert db.session.scalar(select(Assignment.due_at)) == datetime(2027, 3, 28, 1, 30)


def test_someone_who_joins_the_cohort_later_gets_its_assignments_with_their_due_dates(client, auth, team):
    auth.login("marcus@northwind.example")
    client.post("/manage/assignments", data=form(team["course"], cohort=team["cohort"]))
    auth.logout()
    db.session.expire_all()
    due = db.session.scalar(select(Assignment)).due_at
    from lms.identity.services import join_cohort

    late = make_user(team["org"], ("learner",), email="late@northwind.example", name="Late Joiner")
    join_cohort(late, team["cohort"], "learner")
    db.session.commit()
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == late.id))
    assert enrolment is not None and enrolment.due_at == due and enrolment.source == "assigned"
    assert enrolment.assigned_by_id == team["manager"].id
    assert [s.actor_id for s in statements("assigned") if s.actor_id == late.id] == [late.id]
    coach = make_user(team["org"], ("coach",), email="coach2@northwind.example")
    join_cohort(coach, team["cohort"], "coach")
    db.session.commit()
    assert db.session.scalar(select(Enrolment).where(Enrolment.user_id == coach.id)) is None  # coaches are not


def test_a_withdrawn_assignment_is_not_given_to_late_joiners(client, auth, team):
    auth.login("marcus@northwind.example")
    client.post("/manage/assignments", data=form(team["course"], cohort=team["cohort"]))
    assignment = db.session.scalar(select(Assignment))
    client.post(f"/manage/assignments/{assignment.id}/withdraw")
    from lms.identity.services import join_cohort

    late = make_user(team["org"], ("learner",), email="late@northwind.example")
    join_cohort(late, team["cohort"], "learner")
    db.session.commit()
    assert db.session.scalar(select(Enrolment).where(Enrolment.user_id == late.id)) is None
