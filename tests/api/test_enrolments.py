"""GET /api/v1/enrolments: the organisation's enrolments, their states, filters, paging and tenancy."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from lms.extensions import db
from tests.api.conftest import bearer
from tests.factories import make_user


def get(client, token, query=""):
    response = client.get(f"/api/v1/enrolments{query}", headers=bearer(token))
    return response, response.get_json()


def by_name(body) -> dict:
    return {item["learner"]["name"]: item for item in body["items"]}


def test_every_enrolment_of_the_organisation_with_its_state(client, world):
    response, body = get(client, world.token)
    assert response.status_code == 200 and response.is_json
    items = by_name(body)
    assert set(items) == {"Ada", "Ben", "Cy", "Dee", "Eve"}  # Contoso's learner never shows
    assert {k: (v["status"], v["overdue"]) for k, v in items.items()} == {
        "Ada": ("completed", False), "Ben": ("in_progress", True), "Cy": ("not_started", True),
        "Dee": ("withdrawn", False), "Eve": ("completed", False)}
    ada = items["Ada"]
    assert ada["learner"] == {"id": world.people["ada"].id, "name": "Ada", "email": "ada@northwind.example"}
    assert ada["course"] == {"id": world.course.id, "slug": "tiny-course", "title": world.course.title}
    assert ada["cohort"] == {"id": world.team.id, "name": "Team A"} and items["Dee"]["cohort"] is None
    assert ada["source"] == "assigned" and ada["completed_at"].endswith("Z")
    assert body["total"] == 5 and body["pages"] == 1 and body["next"] is None and body["previous"] is None


@pytest.mark.parametrize(("status", "names"), [
    ("completed", {"Ada", "Eve"}), ("in_progress", {"Ben"}), ("not_started", {"Cy"}), ("overdue", {"Ben", "Cy"}),
    ("withdrawn", {"Dee"})])
def test_the_status_filter(client, world, status, names):
    assert set(by_name(get(client, world.token, f"?status={status}")[1])) == names


def test_the_course_and_cohort_filters(client, world):
    assert set(by_name(get(client, world.token, f"?cohort={world.team.id}")[1])) == {"Ada", "Ben", "Cy", "Eve"}
    assert get(client, world.token, "?course=tiny-course")[1]["total"] == 5


def test_updated_since_keeps_what_changed_from_then_on(client, world):
    since = (world.now - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    # Enrolled by the assignment just now: all but Eve (enrolled, started and completed long ago).
    assert set(by_name(get(client, world.token, f"?updated_since={since}")[1])) == {"Ada", "Ben", "Cy", "Dee"}
    for enrolment in world.enrolments.values():
        enrolment.enrolled_at = world.now - timedelta(days=30)
    world.enrolments["eve"].enrolled_at = world.now - timedelta(days=420)
    db.session.commit()
    assert set(by_name(get(client, world.token, f"?updated_since={since}")[1])) == {"Dee"}  # withdrawn 2 days ago
    after = (world.now - timedelta(days=2) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    assert get(client, world.token, f"?updated_since={after}Z")[1]["total"] == 0
    # The same wall-clock time five hours east of UTC is four hours before Dee withdrew ("+" escaped in a URL).
    assert set(by_name(get(client, world.token, f"?updated_since={after}%2B05:00")[1])) == {"Dee"}


def test_another_organisations_cohort_and_an_unknown_course_answer_404(client, world):
    for query in (f"?cohort={world.other_cohort.id}", "?cohort=999999", "?course=no-such-course",
                  "?course=bad%00slug"):
        response, body = get(client, world.token, query)
        assert response.status_code == 404 and body["error"] == "not_found", query


def test_another_organisations_token_sees_only_its_own(client, world):
    body = get(client, world.other_token)[1]
    assert [item["learner"]["name"] for item in body["items"]] == ["Contoso Learner"]
    assert get(client, world.other_token, f"?cohort={world.team.id}")[0].status_code == 404


def test_pages_with_totals_and_links_that_keep_the_filters(client, world):
    response, first = get(client, world.token, "?per_page=2&course=tiny-course")
    assert (first["page"], first["per_page"], first["total"], first["pages"]) == (1, 2, 5, 3)
    assert first["previous"] is None and len(first["items"]) == 2
    link = urlsplit(first["next"])
    assert link.path == "/api/v1/enrolments"
    assert parse_qs(link.query) == {"page": ["2"], "per_page": ["2"], "course": ["tiny-course"]}
    seen = [item["id"] for item in first["items"]]
    body = first
    while body["next"]:
        body = client.get(body["next"], headers=bearer(world.token)).get_json()
        seen += [item["id"] for item in body["items"]]
    assert len(seen) == len(set(seen)) == 5  # every enrolment once, in a stable order
    assert body["page"] == 3 and body["previous"] is not None and body["next"] is None


def test_a_page_past_the_end_is_empty_and_points_back(client, world):
    body = get(client, world.token, "?page=9&per_page=2")[1]
    assert body["items"] == [] and body["next"] is None
    assert parse_qs(urlsplit(body["previous"]).query)["page"] == ["3"]


def test_the_number_of_queries_does_not_grow_with_the_organisation(client, world, queries):
    from lms.learning import services as learning

    get(client, world.token)  # notes the token's use, at most once a minute
    with queries:
        get(client, world.token, f"?cohort={world.team.id}&course=tiny-course")
    few = queries.count
    for _ in range(10):
        user = make_user(world.org, ("learner",), cohort=world.team, commit=False)
        learning.enrol(user, world.course, world.org, cohort_id=world.team.id)
    db.session.commit()
    with queries:
        body = get(client, world.token, f"?cohort={world.team.id}&course=tiny-course")[1]
    assert body["total"] == 14 and queries.count == few
