"""Coach reviews: the queue of their cohorts' hand-ins, comments on submissions and findings, the decision,
the learner's email and dashboard notification, and who may see what."""

from __future__ import annotations

from sqlalchemy import select

from lms.extensions import db
from lms.identity.models import Cohort, CohortMember
from lms.identity.services import join_cohort
from lms.practice.models import ReviewComment, ReviewNotification, Submission
from lms.practice.reviews import recent_reviews
from lms.tracking.models import Statement
from tests.factories import make_org, make_user
from tests.practice.web_helpers import add_account, coach_for, learner_with_workspace
from tests.smtp import body_of

BCM = "buying-committee-map"


def hand_in(client, auth, user, slug: str = BCM) -> Submission:
    """Sign in as `user`, run and hand in `slug`, sign out; returns the submission."""
    auth.login(user.email)
    client.post(f"/exercises/{slug}/run")
    client.post(f"/exercises/{slug}/submit")
    auth.logout()
    db.session.expire_all()
    return db.session.scalars(select(Submission).where(Submission.user_id == user.id)
                              .order_by(Submission.id.desc())).first()


def learner_with_gaps(org=None, **kw):
    org, user, ws = learner_with_workspace(org, **kw)
    add_account(ws, "Fernhollow Labs", "1:few")
    db.session.commit()
    return org, user, ws


def test_the_coach_sees_their_cohorts_hand_ins_newest_first_and_filters_awaiting(client, auth, app):
    org, ann, _ = learner_with_gaps(name="Ann Learner")
    _, bob, _ = learner_with_gaps(org, name="Bob Learner")
    _, stranger, _ = learner_with_gaps(org, name="Sid Elsewhere")  # in no cohort of this coach
    coach = coach_for(org, ann, bob)
    first = hand_in(client, auth, ann)
    second = hand_in(client, auth, bob)
    hand_in(client, auth, stranger)
    first.status = "accepted"
    db.session.commit()

    auth.login(coach.email)
    page = client.get("/reviews").get_data(as_text=True)  # awaiting by default
    assert "Bob Learner" in page and "Ann Learner" not in page and "Sid Elsewhere" not in page
    assert "Awaiting review (1)" in page and "Accepted (1)" in page
    everything = client.get("/reviews?status=all").get_data(as_text=True)
    assert everything.index("Bob Learner") < everything.index("Ann Learner")  # newest first
    assert "Sid Elsewhere" not in everything
    assert f"/reviews/{second.id}" in everything
    assert "Bob Learner" not in client.get("/reviews?status=accepted").get_data(as_text=True)
    assert client.get("/reviews?status=nonsense").status_code == 200


def test_every_hand_in_can_be_reached_the_oldest_waiting_too(client, auth, app, monkeypatch):
    # The list once showed the newest 200 only: after a busy week the longest waiting were out of sight while
    # the tab counted them. Three pages of one here stand for any number of pages of fifty.
    from lms.practice import reviews

    monkeypatch.setattr(reviews, "REVIEWS_PER_PAGE", 1)
    org, ann, _ = learner_with_gaps(name="Ann Learner")
    _, bob, _ = learner_with_gaps(org, name="Bob Learner")
    _, cat, _ = learner_with_gaps(org, name="Cat Learner")
    coach = coach_for(org, ann, bob, cat)
    for learner in (ann, bob, cat):
        hand_in(client, auth, learner)
    auth.login(coach.email)
    first = client.get("/reviews").get_data(as_text=True)
    assert "Awaiting review (3)" in first and "Cat Learner" in first and "Ann Learner" not in first
    assert "Page 1 of 3" in first and 'href="/reviews?status=awaiting&amp;page=2"' in first
    oldest = client.get("/reviews?status=awaiting&page=3").get_data(as_text=True)
    assert "Ann Learner" in oldest and "Page 3 of 3" in oldest and "Next</a>" not in oldest
    assert "Ann Learner" in client.get("/reviews?page=99").get_data(as_text=True)  # past the end: the last page


def test_the_review_list_runs_a_fixed_number_of_queries(client, auth, app, queries):
    org, ann, _ = learner_with_gaps()
    coach = coach_for(org, ann)
    hand_in(client, auth, ann)
    auth.login(coach.email)
    with queries:
        client.get("/reviews?status=all")
    one = queries.count
    cohort = db.session.scalar(select(Cohort).join(CohortMember).where(CohortMember.user_id == coach.id))
    others = []
    for _ in range(6):
        _, learner, _ = learner_with_gaps(org)
        join_cohort(learner, cohort, "learner")
        others.append(learner)
    db.session.commit()
    auth.logout()
    for learner in others:
        hand_in(client, auth, learner)
    auth.login(coach.email)
    with queries:
        page = client.get("/reviews?status=all").get_data(as_text=True)
    assert page.count("Not passed</span>") == 7
    assert queries.count == one


def test_coach_comments_on_the_submission_and_a_finding_and_the_learner_is_emailed_and_notified(
        client, auth, app, smtp_server):
    app.config.update(smtp_server.config())
    org, learner, _ = learner_with_gaps(name="Maya Okafor", email="maya@northwind.example")
    coach = coach_for(org, learner, email="chloe@academy.example")
    submission = hand_in(client, auth, learner)
    auth.login(coach.email)
    page = client.get(f"/reviews/{submission.id}").get_data(as_text=True)
    assert "Fernhollow Labs (1:few) has no contacts yet" in page
    assert "Comment on finding 1" in page

    response = client.post(f"/reviews/{submission.id}", data={
        "comment": "Good start. Map the finance contact next.",
        "finding-0": "Try the FP&A lead you met at the webinar.",
        "finding-999": "ignored: no such finding",
        "decision": "changes_requested",
    })
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/reviews")
    db.session.expire_all()
    sub = db.session.get(Submission, submission.id)
    assert (sub.status, sub.reviewer_id) == ("changes_requested", coach.id)
    comments = list(db.session.scalars(select(ReviewComment).order_by(ReviewComment.id)))
    assert [(c.finding_index, c.body) for c in comments] == [
        (None, "Good start. Map the finance contact next."), (0, "Try the FP&A lead you met at the webinar.")]
    verbs = [s.verb for s in db.session.scalars(select(Statement).where(Statement.actor_id == coach.id))]
    assert verbs.count("commented") == 2 and verbs.count("reviewed") == 1

    (message,) = smtp_server.messages
    assert message["To"] == "maya@northwind.example"
    assert message["Subject"] == "Your coach reviewed \u201cMap the buying committee\u201d"
    body = body_of(message)
    assert "Changes requested" in body
    assert "Good start. Map the finance contact next." in body
    assert "Try the FP&A lead you met at the webinar." in body
    assert f"http://lms.test/runs/{submission.run_id}" in body

    auth.logout()
    auth.login(learner.email)
    listing = client.get("/exercises").get_data(as_text=True)
    assert "New from your coach" in listing
    assert "asked for changes to" in listing and "2 comments" in listing
    run_page = client.get(f"/runs/{submission.run_id}").get_data(as_text=True)
    assert "Good start. Map the finance contact next." in run_page
    # The comment on a finding is shown with that finding.
    assert run_page.index("Try the FP&amp;A lead you met at the webinar.") > run_page.index(
        "Fernhollow Labs (1:few) has no contacts yet")
    assert "Changes requested" in run_page
    db.session.expire_all()
    assert db.session.scalar(select(ReviewNotification.read_at)) is not None
    assert "New from your coach" not in client.get("/exercises").get_data(as_text=True)
    assert "Your coach asked for changes" in client.get(f"/exercises/{BCM}").get_data(as_text=True)


def test_recent_reviews_returns_unread_notifications_newest_first(client, auth, app):
    org, learner, _ = learner_with_gaps()
    coach = coach_for(org, learner)
    submission = hand_in(client, auth, learner)
    auth.login(coach.email)
    client.post(f"/reviews/{submission.id}", data={"comment": "First thoughts"})
    client.post(f"/reviews/{submission.id}", data={"decision": "accepted"})
    db.session.expire_all()
    notes = recent_reviews(learner, org)
    assert [n.status for n in notes] == ["accepted", "awaiting"]
    assert notes[0].title == "Map the buying committee" and notes[0].run_id == submission.run_id
    assert notes[1].comments == 1
    assert recent_reviews(learner, org, limit=1) == notes[:1]
    assert recent_reviews(learner, make_org()) == []


def test_the_dashboard_partial_renders_the_notifications(client, auth, app):
    org, learner, _ = learner_with_gaps()
    coach = coach_for(org, learner)
    submission = hand_in(client, auth, learner)
    auth.login(coach.email)
    client.post(f"/reviews/{submission.id}", data={"decision": "accepted"})
    from flask import g, render_template, render_template_string
    from flask_login import login_user

    from lms.identity.sessions import start_session

    with app.test_request_context("/dashboard"):
        html = render_template("practice/_dashboard_reviews.html", review_notes=recent_reviews(learner, org))
        assert "accepted" in html and f"/runs/{submission.run_id}" in html
        assert render_template("practice/_dashboard_reviews.html").strip() == ""  # signed out: nothing
    # Included without `review_notes`, the partial finds the signed-in learner's notes itself.
    with app.test_request_context("/dashboard"):
        signed_in = db.session.get(type(learner), learner.id)
        start_session(signed_in)
        login_user(signed_in)
        g.org = db.session.get(type(org), org.id)
        html = render_template_string('{% include "practice/_dashboard_reviews.html" %}')
        assert f"/runs/{submission.run_id}" in html


def test_a_review_needs_a_comment_or_a_decision(client, auth, app, smtp_server):
    app.config.update(smtp_server.config())
    org, learner, _ = learner_with_gaps()
    coach = coach_for(org, learner)
    submission = hand_in(client, auth, learner)
    auth.login(coach.email)
    page = client.post(f"/reviews/{submission.id}", data={"comment": "  ", "decision": ""}).get_data(as_text=True)
    assert "Write a comment or choose a decision" in page
    page = client.post(f"/reviews/{submission.id}", data={"decision": "bogus"}).get_data(as_text=True)
    assert "Please check the form" in page
    assert smtp_server.messages == []
    assert db.session.scalar(select(ReviewComment)) is None


def test_the_review_is_saved_when_the_mail_server_is_down(client, auth, app):
    app.config.update({"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 9, "MAIL_TIMEOUT": 2})
    org, learner, _ = learner_with_gaps()
    coach = coach_for(org, learner)
    submission = hand_in(client, auth, learner)
    auth.login(coach.email)
    page = client.post(f"/reviews/{submission.id}", data={"decision": "accepted"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Review saved" in page and "has been emailed" not in page
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).status == "accepted"


def test_learners_cannot_open_the_coach_pages(client, auth, app):
    org, learner, _ = learner_with_gaps()
    coach_for(org, learner)
    submission = hand_in(client, auth, learner)
    auth.login(learner.email)
    assert client.get("/reviews").status_code == 403
    assert client.get(f"/reviews/{submission.id}").status_code == 403
    assert client.post(f"/reviews/{submission.id}", data={"decision": "accepted"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).status == "awaiting"


def test_coaches_see_only_their_cohorts_and_their_organisation(client, auth, app):
    org, learner, _ = learner_with_gaps()
    coach_for(org, learner)
    other_coach = coach_for(org)  # a coach of another cohort in the same organisation
    submission = hand_in(client, auth, learner)
    auth.login(other_coach.email)
    assert client.get(f"/reviews/{submission.id}").status_code == 404
    assert client.post(f"/reviews/{submission.id}", data={"decision": "accepted"}).status_code == 404
    assert "Nothing is waiting for your review" in client.get("/reviews").get_data(as_text=True)
    auth.logout()

    elsewhere = make_org()
    outsider = make_user(elsewhere, ("coach",))
    auth.login(outsider.email)
    assert client.get(f"/reviews/{submission.id}").status_code == 404
    assert client.get(f"/runs/{submission.run_id}").status_code == 404
    assert client.get("/reviews/999999").status_code == 404
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).status == "awaiting"
