"""GET /api/v1/reports/*: the completion, capability and adoption figures as the reports package computes them."""

from __future__ import annotations

from datetime import date

import pytest

from lms.database import utcnow
from lms.extensions import db
from lms.learning import services as learning
from lms.reports.filters import Filters
from lms.reports.queries.adoption import adoption_report
from lms.reports.queries.capability import capability_report
from lms.reports.queries.tools import exercise_titles
from tests.api.conftest import bearer
from tests.factories import make_user


def get(client, token, report, query=""):
    response = client.get(f"/api/v1/reports/{report}{query}", headers=bearer(token))
    return response, response.get_json()


def test_completion_figures(client, world):
    response, body = get(client, world.token, "completion")
    assert response.status_code == 200
    # Dee's withdrawn enrolment is left out, as the completion report leaves it out.
    assert body["totals"] == {"enrolled": 4, "not_started": 1, "in_progress": 1, "completed": 2, "overdue": 2,
                              "completion_rate": 50.0}
    assert body["by_cohort"] == [{"cohort": {"id": world.team.id, "name": "Team A"}, "counts": body["totals"]}]
    assert body["by_course"][0]["course"]["slug"] == "tiny-course"
    assert body["filters"] == {"start": None, "end": world.now.date().isoformat(), "cohort": None, "function": None}
    marketing = get(client, world.token, "completion", "?function=marketing")[1]["totals"]
    assert (marketing["enrolled"], marketing["completed"]) == (2, 1)  # Ben and Eve


def test_capability_figures_are_the_capability_reports(client, world):
    body = get(client, world.token, "capability", f"?cohort={world.team.id}")[1]
    report = capability_report(Filters(world.org.id, utcnow(), cohort_id=world.team.id))
    assert body["learners"] == report.learners == 4
    assert [c["slug"] for c in body["competencies"]] == [s.competency for s in report.summaries]
    assert body["next_action"] == report.action


def test_adoption_figures_are_the_adoption_reports(client, world):
    body = get(client, world.token, "adoption", "?days=30")[1]
    start = date.fromisoformat(body["filters"]["start"])
    assert (date.fromisoformat(body["filters"]["end"]) - start).days == 29
    report = adoption_report(Filters(world.org.id, utcnow(), start=start), exercise_titles())
    assert body["learners"] == report.learners
    assert [(s["key"], s["count"]) for s in body["funnel"]] == [(s.key, s.count) for s in report.total]
    assert [t["key"] for t in body["tools"]] == [t.key for t in report.tools] == ["modules"]
    assert len(body["weekly_active"]) == len(report.weeks) and body["laggards"] == report.laggard_total
    assert body["rolled_up_to"].endswith("Z") and body["uncounted"] == report.uncounted == 0


@pytest.mark.parametrize("report", ["completion", "capability", "adoption"])
def test_tenancy_and_invalid_filters(client, world, report):
    assert get(client, world.token, report, f"?cohort={world.other_cohort.id}")[0].status_code == 404
    assert get(client, world.token, report, "?days=0")[0].status_code == 422
    assert get(client, world.token, report, "?page=2")[0].status_code == 400  # figures are not paged
    theirs = get(client, world.other_token, report)[1]
    assert theirs["filters"]["cohort"] is None
    if report == "completion":
        assert theirs["totals"]["enrolled"] == 1


@pytest.mark.parametrize("report", ["completion", "capability", "adoption"])
def test_a_fixed_number_of_queries_whatever_the_size(client, world, queries, report):
    get(client, world.token, report)  # notes the token's use, at most once a minute
    with queries:
        get(client, world.token, report)
    few = queries.count
    for _ in range(8):
        user = make_user(world.org, ("learner",), cohort=world.team, commit=False)
        learning.enrol(user, world.course, world.org, cohort_id=world.team.id)
    db.session.commit()
    with queries:
        assert get(client, world.token, report)[0].status_code == 200
    assert queries.count == few
