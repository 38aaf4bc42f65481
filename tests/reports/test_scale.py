"""Report pages run a fixed number of queries whatever the data size: 10 learners vs 1,000 (bulk-generated)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from lms.database import utcnow
from lms.extensions import db
from lms.identity.models import Membership, Organization, User
from lms.identity.passwords import hash_password
from lms.reports.generate import generate
from lms.tracking.models import Statement
from tests.factories import DEFAULT_PASSWORD
from tests.reports.conftest import make_course

PAGES = ["/reports", "/reports/completion", "/reports/completion?sort=last_activity&order=desc&status=in_progress",
         "/reports/adoption", "/reports/capability", "/reports/roi", "/reports/completion/learners.csv",
         "/reports/adoption/tools.csv"]


def _count(client, queries, path) -> int:
    with queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return queries.count


def test_query_counts_are_the_same_for_10_and_1000_learners(app, client, auth, queries):
    make_course()
    db.session.commit()
    password = hash_password(DEFAULT_PASSWORD)
    small = generate("small", 10, 300, seed=3, password_hash=password)
    large = generate("large", 1000, 20_000, seed=4, password_hash=password)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Membership)
                             .where(Membership.organization_id == large.organization.id)) == 1001
    assert db.session.scalar(select(func.count()).select_from(Statement)
                             .where(Statement.organization_id == large.organization.id)) == 20_000
    counts = {}
    for made in (small, large):
        auth.login(made.manager_email)
        learner = db.session.scalar(select(Membership.user_id).where(
            Membership.organization_id == made.organization.id, Membership.role == "learner").limit(1))
        counts[made.learners] = [_count(client, queries, path) for path in
                                 [*PAGES, f"/reports/learners/{learner}"]]
        auth.logout()
    assert counts[10] == counts[1000]
    # A report page records that it was viewed, and its commit adds that statement to the roll-ups (about ten
    # queries, whatever the data size), so reports never wait for a cron job.
    assert max(counts[1000]) <= 32


def test_generated_data_is_complete_and_rolled_up(app, runner):
    make_course()
    db.session.commit()
    result = runner.invoke(args=["lms", "generate", "--learners", "60", "--statements", "2000", "--org-slug", "gen"])
    assert result.exit_code == 0, result.output
    assert "60 learners, 2000 statements" in result.output and "manager@gen.example" in result.output
    # ... and it leaves SQLite with statistics about what it loaded (PostgreSQL analyses its tables itself).
    assert ("Refreshed the query statistics of " if db.engine.dialect.name == "sqlite" else "nothing to do") \
        in result.output
    from lms.learning.models import Enrolment
    from lms.reports.models import ActivityWeekly

    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 60
    assert db.session.scalar(select(func.sum(ActivityWeekly.statements))) == 2000
    oldest = db.session.scalar(select(func.min(Statement.timestamp)))
    assert utcnow() - oldest < timedelta(days=366)
    named = db.session.execute(select(Statement.actor_email, User.email, Statement.actor_name, User.name)
                               .join(User, User.id == Statement.actor_id)).all()
    assert len(named) == 2000 and all(row[0] == row[1] and row[2] == row[3] for row in named)  # the record names them
    # The capability report has something to aggregate: each input, and every figure of the profiles built from them.
    from lms.assessment.models import AssessmentAttempt, CoachRating
    from lms.learning.models import QuestionAnswer
    from lms.practice.models import Submission
    from lms.reports.models import LearnerCompetency

    for model in (QuestionAnswer, AssessmentAttempt, Submission, CoachRating):
        assert db.session.scalar(select(func.count()).select_from(model)) > 0, model.__name__
    filled = db.session.execute(select(func.count(LearnerCompetency.pre), func.count(LearnerCompetency.post),
                                       func.count(LearnerCompetency.knowledge), func.count(LearnerCompetency.applied),
                                       func.count(LearnerCompetency.rating), func.count(LearnerCompetency.capability),
                                       func.max(LearnerCompetency.capability))).one()
    assert all(n > 0 for n in filled[:6]) and 0 < filled[6] <= 100, filled
    # ... and the report's default view reads sums kept over them, which add up to the learners' rows.
    from lms.reports.filters import Filters
    from lms.reports.queries.capability import _computed_sums, _kept_sums

    org_id = db.session.scalar(select(Organization.id).where(Organization.slug == "gen"))
    kept, computed = _kept_sums(Filters(org_id, utcnow())), _computed_sums(Filters(org_id, utcnow()))
    assert kept == computed and sum(kept[0].values()) == 60
    again = runner.invoke(args=["lms", "generate", "--learners", "5", "--statements", "5", "--org-slug", "gen"])
    assert again.exit_code != 0 and "exists already" in again.output
