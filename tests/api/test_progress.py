"""GET /api/v1/progress: modules done, percent and knowledge-check scores per learner and course."""

from __future__ import annotations

from datetime import timedelta

from lms.extensions import db
from tests.api.conftest import add_progress, bearer


def get(client, token, query=""):
    response = client.get(f"/api/v1/progress{query}", headers=bearer(token))
    return response, response.get_json()


def test_progress_per_learner_and_course(client, world):
    response, body = get(client, world.token)
    assert response.status_code == 200
    items = {item["learner"]["name"]: item for item in body["items"]}
    assert set(items) == {"Ada", "Ben", "Cy", "Eve"}  # Dee's enrolment was withdrawn
    figures = {name: (i["modules_done"], i["modules_total"], i["percent"], i["knowledge_check_score"],
                      i["first_attempt_score"]) for name, i in items.items()}
    assert figures == {"Ada": (2, 2, 100, 75, 50), "Ben": (1, 2, 50, 80, 80), "Cy": (0, 2, 0, None, None),
                       "Eve": (0, 2, 0, None, None)}
    assert items["Ben"]["last_activity_at"].endswith("Z") and items["Cy"]["last_activity_at"] is None


def test_updated_since_keeps_learners_active_in_the_course_since(client, world):
    since = (world.now - timedelta(days=6)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = get(client, world.token, f"?updated_since={since}")[1]
    assert [i["learner"]["name"] for i in body["items"]] == ["Ben"]
    add_progress(world.people["cy"], world.org, world.modules[0], world.now, done=False)
    db.session.commit()
    assert get(client, world.token, f"?updated_since={since}")[1]["total"] == 2


def test_another_organisations_progress_never_shows(client, world):
    body = get(client, world.other_token)[1]
    assert [(i["learner"]["name"], i["modules_done"]) for i in body["items"]] == [("Contoso Learner", 1)]
    assert get(client, world.token, f"?cohort={world.other_cohort.id}")[0].status_code == 404


def test_filters_and_paging(client, world):
    body = get(client, world.token, f"?course=tiny-course&cohort={world.team.id}&per_page=3")[1]
    assert (body["total"], body["pages"], len(body["items"])) == (4, 2, 3)
    assert get(client, world.token, "?course=missing")[0].status_code == 404
