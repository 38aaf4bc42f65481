"""GET /api/v1/assignments: assignments with their counts, filters, withdrawn ones on request, tenancy."""

from __future__ import annotations

from datetime import timedelta

from lms.extensions import db
from lms.learning import assignments
from tests.api.conftest import bearer
from tests.factories import make_cohort, make_user


def get(client, token, query=""):
    response = client.get(f"/api/v1/assignments{query}", headers=bearer(token))
    return response, response.get_json()


def test_the_assignment_with_its_learners_completed_and_overdue(client, world):
    response, body = get(client, world.token)
    assert response.status_code == 200 and body["total"] == 1
    item = body["items"][0]
    assert item["course"]["slug"] == "tiny-course" and item["cohort"] == {"id": world.team.id, "name": "Team A"}
    # Ada, Ben, Cy and Eve were enrolled by it; Ada and Eve completed; Ben and Cy are past the due date.
    assert item["counts"] == {"learners": 4, "completed": 2, "overdue": 2}
    assert item["due_at"].endswith("Z") and item["withdrawn_at"] is None


def test_withdrawn_assignments_only_on_request_and_filters(client, world):
    manager = make_user(world.org, ("manager",))
    other_team = make_cohort(world.org, "Team B")
    later = assignments.assign(world.org, world.course, world.now + timedelta(days=30), manager, cohort=other_team)
    assignments.withdraw(later.assignment, manager)
    db.session.commit()
    assert get(client, world.token)[1]["total"] == 1
    body = get(client, world.token, "?include_withdrawn=true")[1]
    assert body["total"] == 2 and body["items"][1]["withdrawn_at"] is not None
    assert get(client, world.token, f"?include_withdrawn=true&cohort={other_team.id}")[1]["total"] == 1
    assert get(client, world.token, "?include_withdrawn=yes")[0].status_code == 422
    since = (world.now + timedelta(minutes=-1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert get(client, world.token, f"?include_withdrawn=true&updated_since={since}")[1]["total"] == 2


def test_tenancy_and_unknown_filters(client, world):
    assert get(client, world.other_token)[1]["total"] == 0
    assert get(client, world.token, f"?cohort={world.other_cohort.id}")[0].status_code == 404
    assert get(client, world.token, "?course=nope")[0].status_code == 404


def test_paging(client, world):
    manager = make_user(world.org, ("manager",))
    for n in range(3):
        assignments.assign(world.org, world.course, world.now + timedelta(days=n + 1), manager,
                           cohort=make_cohort(world.org, f"Team {n}"))
    db.session.commit()
    body = get(client, world.token, "?per_page=3")[1]
    assert (body["total"], body["pages"], len(body["items"])) == (4, 2, 3) and "page=2" in body["next"]
    assert len(get(client, world.token, "?per_page=3&page=2")[1]["items"]) == 1
