"""The capability report from the assessment package's profiles: knowledge, applied, gaps, heatmaps."""

from __future__ import annotations

from lms.extensions import db
from lms.reports.filters import Filters
from lms.reports.queries.capability import capability_report


def _submit(world, user, slug, score):
    from lms.practice.models import ExerciseRun, Submission

    run = ExerciseRun(organization_id=world.org.id, user_id=user.id, exercise_slug=slug, exercise_version="v",
                      score=score, passed=score >= 70)
    db.session.add(run)
    db.session.flush()
    db.session.add(Submission(organization_id=world.org.id, user_id=user.id, run_id=run.id, exercise_slug=slug,
                              score=score, passed=score >= 70))


def test_knowledge_action_gap_per_competency(world):
    # L1 answered both questions of module 1 (account selection, buying-group mapping) right: knowledge 100.
    # Target-account-list proves account selection (and the operating model): applied 60, so the gap is 40.
    _submit(world, world.learners["L1"], "target-account-list", 60)
    db.session.commit()
    report = capability_report(Filters(world.org.id, world.now))
    assert report.learners == 5  # L1-L5 have an enrolment in the period (L6's is withdrawn)
    assert report.teams == ["Team A", "Team B"]
    by = {s.competency: s for s in report.summaries}
    assert (by["account-selection"].knowledge, by["account-selection"].applied, by["account-selection"].gap) == \
        (100, 60, 40)
    assert by["buying-group-mapping"].gap is None  # no exercise of it submitted
    assert [(g.name, g.competency, g.gap) for g in report.gaps] == [("Learner L1", "account-selection", 40)]
    assert "Coach \u201cAccount selection\u201d first" in report.action
    assert report.uplift is None  # no pre/post assessments yet
    assert report.charts[0].table.rows[0] == ("Team A", "–", "–")


def test_capability_page_and_cohort_filter(client, auth, world):
    _submit(world, world.learners["L1"], "target-account-list", 60)
    db.session.commit()
    auth.login("manager@northwind.example")
    page = client.get("/reports/capability").get_data(as_text=True)
    assert "Before the course (pre-assessment)" in page and "After the course (post-assessment)" in page
    assert "Learner L1" in page and "+40" in page
    only_b = client.get(f"/reports/capability?cohort={world.team_b.id}").get_data(as_text=True)
    assert "Learner L1" not in only_b and "2 learners enrolled" in only_b


def _from_profiles(f: Filters):
    """The report's figures computed the slow way: every learner's profile rebuilt in Python."""
    from lms.reports import capability
    from lms.reports.queries.capability import capability_people, capability_scores, competency_names

    people = capability_people(f)
    teams = sorted({p[3] for p in people})
    return capability.summarise(capability_scores(people, f.org_id), teams, list(competency_names()))


def score(world, submissions) -> None:
    """Submit these (learner, exercise, score) and have the manager rate L2 4 for account selection; commit."""
    from lms.assessment.models import CoachRating

    for name, slug, points in submissions:
        _submit(world, world.learners[name], slug, points)
    db.session.add(CoachRating(organization_id=world.org.id, learner_id=world.learners["L2"].id,
                               coach_id=world.manager.id, competency_slug="account-selection", level=4,
                               comment="Clear reasons for every account."))
    db.session.commit()


def test_the_report_from_the_roll_up_matches_the_learners_profiles(world):
    score(world, (("L1", "target-account-list", 60), ("L2", "target-account-list", 90),
                  ("L3", "buying-committee-map", 40), ("L4", "contact-list-build", 75)))
    for f in (Filters(world.org.id, world.now), Filters(world.org.id, world.now, cohort_id=world.team_b.id)):
        report, expected = capability_report(f), _from_profiles(f)
        assert report.summaries == expected.competencies
        assert [(g.user_id, g.competency, g.gap) for g in report.gaps] == \
            [(g.user_id, g.competency, g.gap) for g in expected.largest_gaps]
        assert report.uplift == expected.uplift
        assert report.charts[0].table.rows == capability_report(f).charts[0].table.rows
    assert any(s.rating == 4 for s in capability_report(Filters(world.org.id, world.now)).summaries)


def test_the_roll_up_changes_in_the_transaction_that_changes_a_score(world):
    from sqlalchemy import select

    from lms.reports.competencies import rebuild
    from lms.reports.models import LearnerCompetency

    learner = world.learners["L1"]

    def applied() -> int | None:
        return db.session.scalar(select(LearnerCompetency.applied).where(
            LearnerCompetency.user_id == learner.id, LearnerCompetency.competency == "account-selection"))

    assert applied() is None
    _submit(world, learner, "target-account-list", 60)
    db.session.commit()
    assert applied() == 60
    _submit(world, learner, "target-account-list", 85)
    db.session.flush()
    db.session.rollback()  # a submission that never committed changes nothing
    assert applied() == 60
    before = sorted((r.user_id, r.competency, r.knowledge, r.applied)
                    for r in db.session.scalars(select(LearnerCompetency)))
    assert len(before) > 0
    assert rebuild(world.org.id) > 0
    db.session.commit()
    assert sorted((r.user_id, r.competency, r.knowledge, r.applied)
                  for r in db.session.scalars(select(LearnerCompetency))) == before
