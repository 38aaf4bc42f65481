"""The coach's daily "reviews waiting" email, end to end: real hand-ins, `flask lms remind`, a real SMTP server.
One email a day listing every submission waiting in the cohorts the coach coaches, in their organisations only."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from lms.extensions import db
from lms.identity.services import add_role, join_cohort
from lms.learning import deadlines
from lms.practice.exercises import exercise_registry
from lms.practice.reviews import review
from lms.practice.runs import run_exercise
from lms.practice.submissions import submit_best
from tests.factories import make_cohort, make_org, make_user
from tests.practice.web_helpers import add_account, coach_for, learner_with_workspace
from tests.smtp import body_of

NOW = datetime(2027, 3, 10, 9, 0)  # a Wednesday morning, UTC (and London)
BCM, TAL = "buying-committee-map", "target-account-list"
BCM_TITLE, TAL_TITLE = "Map the buying committee", "Build your target account list"


def hand_in(org, learner, workspace, slug):
    """Run the exercise's check on the learner's workspace and hand in the best run, as the pages do."""
    run_exercise(learner, org, workspace, exercise_registry()[slug], {})
    submission = submit_best(learner, org, exercise_registry()[slug])
    db.session.commit()
    return submission


def coach_of(org, email, *learners, name=None):
    """A coach of a new cohort of `org` holding `learners`."""
    cohort = make_cohort(org)
    coach = make_user(org, ("coach",), email=email, name=name, cohort=cohort, cohort_role="coach")
    for learner in learners:
        join_cohort(learner, cohort, "learner")
    db.session.commit()
    return coach


@pytest.fixture
def world(app, smtp_server):
    """Northwind: Chloe coaches Ann, Bob (both handed in) and Sid; Idris coaches Lee (nothing handed in).
    Southwind: Otto coaches Sid, who handed in there (and not in Northwind)."""
    app.config.update(smtp_server.config())
    north = make_org("Northwind", timezone="Europe/London")
    south = make_org("Southwind", timezone="Europe/London")
    _, ann, ann_ws = learner_with_workspace(north, name="Ann Archer")
    _, bob, bob_ws = learner_with_workspace(north, name="Bob Brennan")
    _, lee, _ = learner_with_workspace(north, name="Lee Lomax")
    _, sid, sid_ws = learner_with_workspace(south, name="Sid Southey")
    add_role(sid, north, "learner")
    add_account(ann_ws, "Fernhollow Labs", "1:few")
    chloe = coach_of(north, "chloe@northwind.example", ann, bob, sid, name="Chloe Adeyemi")
    idris = coach_for(north, lee, email="idris@northwind.example")
    otto = coach_of(south, "otto@southwind.example", sid, name="Otto Olsen")
    return {"north": north, "south": south, "chloe": chloe, "idris": idris, "otto": otto, "ann": ann, "bob": bob,
            "lee": lee, "sid": sid, "ann_bcm": hand_in(north, ann, ann_ws, BCM),
            "bob_tal": hand_in(north, bob, bob_ws, TAL), "sid_bcm": hand_in(south, sid, sid_ws, BCM)}


def remind(runner, now: datetime = NOW):
    result = runner.invoke(args=["lms", "remind", "--now", now.isoformat() + "Z"])
    db.session.expire_all()
    return result


def inbox(smtp_server) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for message in smtp_server.messages:
        out.setdefault(message["To"], []).append(message["Subject"])
    return out


def body_to(smtp_server, email: str) -> str:
    """The plain-text body of the one message sent to `email`, with the wire's CRLF line ends as newlines."""
    [message] = [m for m in smtp_server.messages if m["To"] == email]
    return body_of(message).replace("\r\n", "\n")


def handed_in(submission) -> str:
    return f"handed in {deadlines.format_local(submission.submitted_at, deadlines.zone('Europe/London'))}"


def test_a_coach_gets_one_email_listing_every_submission_waiting_in_their_cohorts(runner, world, smtp_server):
    result = remind(runner)
    assert result.exit_code == 0, result.output
    assert "skipped" not in result.output.lower()
    assert "Reminders: 2 sent, 0 already sent, 0 failed." in result.output
    assert inbox(smtp_server) == {"chloe@northwind.example": ["2 submissions awaiting your review"],
                                  "otto@southwind.example": ["1 submission awaiting your review"]}
    chloe = body_to(smtp_server, "chloe@northwind.example")
    ann, bob = world["ann_bcm"], world["bob_tal"]
    assert f"- {BCM_TITLE}: Ann Archer, {handed_in(ann)}\n  http://lms.test/reviews/{ann.id}\n" in chloe
    assert f"- {TAL_TITLE}: Bob Brennan, {handed_in(bob)}\n  http://lms.test/reviews/{bob.id}\n" in chloe
    assert "Sid Southey" not in chloe and f"/reviews/{world['sid_bcm'].id}" not in chloe  # Southwind's
    assert "http://lms.test/reviews\n" in chloe and "http://lms.test/profile" in chloe
    otto = body_to(smtp_server, "otto@southwind.example")
    assert f"- {BCM_TITLE}: Sid Southey, {handed_in(world['sid_bcm'])}" in otto
    assert "Ann Archer" not in otto and "Bob Brennan" not in otto


def test_the_same_day_brings_no_second_email(runner, world, smtp_server):
    remind(runner)
    again = remind(runner, NOW + timedelta(hours=8))
    assert again.exit_code == 0 and "Reminders: 0 sent" in again.output
    assert len(smtp_server.messages) == 2


def test_a_reviewed_submission_is_no_longer_listed_and_nothing_waiting_means_no_email(runner, world, smtp_server):
    chloe, north = world["chloe"], world["north"]
    review(chloe, north, world["ann_bcm"], comment="Good map.", finding_comments={}, decision="accepted")
    db.session.commit()
    remind(runner)
    assert inbox(smtp_server)["chloe@northwind.example"] == ["1 submission awaiting your review"]
    body = body_to(smtp_server, "chloe@northwind.example")
    assert "Bob Brennan" in body and "Ann Archer" not in body
    review(chloe, north, world["bob_tal"], comment=None, finding_comments={}, decision="changes_requested")
    db.session.commit()
    smtp_server.messages.clear()
    remind(runner, NOW + timedelta(days=1))
    assert inbox(smtp_server) == {"otto@southwind.example": ["1 submission awaiting your review"]}


def test_a_coach_of_another_cohort_or_organisation_with_nothing_waiting_gets_nothing(runner, world, smtp_server):
    make_user(world["south"], ("coach",), email="olga@southwind.example")  # coaches no cohort
    remind(runner)
    assert set(inbox(smtp_server)) == {"chloe@northwind.example", "otto@southwind.example"}  # not Idris, not Olga


def test_cohorts_in_an_organisation_where_the_coach_lost_the_coach_role_are_left_out(runner, world, smtp_server):
    south = world["south"]
    add_role(world["chloe"], south, "learner")  # a member of Southwind, but not its coach (any more)
    cohort = make_cohort(south)
    join_cohort(world["chloe"], cohort, "coach")
    join_cohort(world["sid"], cohort, "learner")
    db.session.commit()
    remind(runner)
    assert inbox(smtp_server)["chloe@northwind.example"] == ["2 submissions awaiting your review"]
    assert "Sid Southey" not in body_to(smtp_server, "chloe@northwind.example")


def test_coaches_who_opted_out_get_no_reminder(runner, world, smtp_server):
    world["chloe"].reminders_opt_out = True
    db.session.commit()
    remind(runner)
    assert inbox(smtp_server) == {"otto@southwind.example": ["1 submission awaiting your review"]}


def test_a_coach_in_two_organisations_gets_one_email_with_a_section_for_each(runner, world, smtp_server):
    south, sid = world["south"], world["sid"]
    add_role(world["chloe"], south, "coach")
    db.session.commit()
    cohort = make_cohort(south)
    join_cohort(world["chloe"], cohort, "coach")
    join_cohort(sid, cohort, "learner")
    db.session.commit()
    remind(runner)
    assert inbox(smtp_server)["chloe@northwind.example"] == ["3 submissions awaiting your review"]
    body = body_to(smtp_server, "chloe@northwind.example")
    north_part, south_part = body.split("\nNorthwind\n")[1].split("\nSouthwind\n")
    assert "Ann Archer" in north_part and "Bob Brennan" in north_part and "Sid Southey" not in north_part
    assert f"Sid Southey, {handed_in(world['sid_bcm'])}" in south_part
    assert "switch to the organisation\nnamed above a submission" in body
