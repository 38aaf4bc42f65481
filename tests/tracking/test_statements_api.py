"""GET /xapi/statements with bearer API tokens (served by the LRS since issue 17): one organisation only, filters,
paging with `more`, valid xAPI."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select

from lms.content.models import Course
from lms.content.sync import sync_content
from lms.database import utcnow
from lms.extensions import db
from lms.learning import assignments
from lms.tracking import services
from lms.tracking.models import ApiToken, Statement
from lms.tracking.validation import statement_problems
from tests.factories import make_cohort, make_org, make_user

BASE = datetime(2026, 11, 2, 9, 0)
ACTIVITIES = "http://lms.test/xapi/activities"


@pytest.fixture
def world(app):
    """Two organisations with statements at known `stored` times, and a token for the first."""
    ours, theirs = make_org("Northwind"), make_org("Globex")
    admin = make_user(ours, ("org_admin",), email="admin@northwind.example", name="Olivia Hart")
    ada = make_user(ours, ("learner",), email="ada@northwind.example", name="Ada Lovelace")
    sam = make_user(ours, ("learner",), email="sam@northwind.example", name="Sam Whitfield")
    eve = make_user(theirs, ("learner",), email="eve@globex.example", name="Eve Other")
    minutes = iter(range(1000))

    def add(actor, verb, obj, org, **kw):
        statement = services.record(actor, verb, obj, organization_id=org.id, **kw)
        statement.stored = statement.timestamp = BASE + timedelta(minutes=next(minutes))
        return statement

    add(ada, "launched", ("module", "tiny-course/choosing-target-accounts", "Choosing target accounts"), ours,
        course_slug="tiny-course")
    add(ada, "completed", ("module", "tiny-course/choosing-target-accounts", "Choosing target accounts"), ours,
        result={"completion": True, "score": 100}, course_slug="tiny-course")
    add(sam, "launched", ("module", "tiny-course/mapping-the-buying-group", "Mapping the buying group"), ours,
        course_slug="tiny-course")
    add(ada, "completed", ("course", "tiny-course", "ABM in Ten Minutes"), ours, course_slug="tiny-course")
    add(sam, "logged-in", ("user", sam.id, sam.name), ours)
    add(ada, "logged-in", ("user", ada.id, ada.name), ours)
    add(sam, "completed", ("module", "tiny-course/mapping-the-buying-group", "Mapping the buying group"), ours,
        course_slug="tiny-course")
    add(eve, "launched", ("module", "tiny-course/choosing-target-accounts", "Choosing target accounts"), theirs,
        course_slug="tiny-course")
    add(eve, "logged-in", ("user", eve.id, eve.name), theirs)
    _, secret = services.create_token(ours.id, "Learning Locker", admin.id)
    _, their_secret = services.create_token(theirs.id, "Their BI", eve.id)
    for statement in db.session.scalars(select(Statement).where(Statement.verb.in_(["created"]))):
        statement.stored = BASE + timedelta(days=30)
    db.session.commit()
    return {"ours": ours, "theirs": theirs, "admin": admin, "ada": ada, "sam": sam, "eve": eve, "secret": secret,
            "their_secret": their_secret}


def get(client, secret, query: str = "", **headers):
    headers.setdefault("X-Experience-API-Version", "1.0.3")
    if secret is not None:
        headers["Authorization"] = f"Bearer {secret}"
    return client.get(f"/xapi/statements{query}", headers=headers)


def ids(response) -> list[str]:
    return [s["id"] for s in response.get_json()["statements"]]


def test_missing_wrong_and_revoked_tokens_are_refused_with_401(client, world):
    for secret in (None, "abm_wrong", "not-even-the-prefix", world["secret"][:-1]):
        response = get(client, secret)
        assert response.status_code == 401
        assert response.headers["X-Experience-API-Version"] == "1.0.3"
        assert response.headers["WWW-Authenticate"].startswith("Basic")  # the LRS asks for its credentials
        assert "statements" not in response.get_json()
    assert get(client, world["secret"]).status_code == 200
    token = db.session.scalar(select(ApiToken).where(ApiToken.name == "Learning Locker"))
    services.revoke_token(token, world["admin"].id)
    db.session.commit()
    assert get(client, world["secret"]).status_code == 401


def test_a_signed_in_session_is_not_a_token(client, auth, world):
    auth.login("admin@northwind.example")
    assert get(client, None).status_code == 401


def test_a_token_reads_its_own_organisation_only(client, world):
    ours = get(client, world["secret"], "?limit=500").get_json()["statements"]
    theirs = get(client, world["their_secret"], "?limit=500").get_json()["statements"]
    assert {s["actor"].get("mbox") for s in ours} == {"mailto:ada@northwind.example", "mailto:sam@northwind.example",
                                                      "mailto:admin@northwind.example"}
    assert {s["actor"].get("mbox") for s in theirs} == {"mailto:eve@globex.example"}
    eve = get(client, world["secret"], "?agent=" + quote(json.dumps({"mbox": "mailto:eve@globex.example"})))
    assert eve.get_json()["statements"] == []
    their_id = theirs[0]["id"]
    assert get(client, world["secret"], f"?statementId={their_id}").status_code == 404
    assert get(client, world["their_secret"], f"?statementId={their_id}").get_json()["id"] == their_id


def test_newest_first_by_default_and_oldest_first_when_ascending(client, world):
    newest = ids(get(client, world["secret"]))
    oldest = ids(get(client, world["secret"], "?ascending=true"))
    assert newest == list(reversed(oldest))
    stored = [s["stored"] for s in get(client, world["secret"]).get_json()["statements"]]
    assert stored == sorted(stored, reverse=True)


@pytest.mark.parametrize("order", ["false", "true"])
def test_more_follows_to_the_end_without_duplicates_or_gaps(client, world, order):
    everything = ids(get(client, world["secret"], f"?ascending={order}"))
    assert len(everything) == 8  # 7 learning statements and the token's creation
    seen, pages = [], 0
    response = get(client, world["secret"], f"?limit=2&ascending={order}")
    while True:
        body = response.get_json()
        assert len(body["statements"]) <= 2
        seen += [s["id"] for s in body["statements"]]
        pages += 1
        if not body["more"]:
            break
        assert body["more"].startswith("/xapi/statements?more=")
        response = get(client, world["secret"], body["more"].removeprefix("/xapi/statements"))
    assert pages == 4
    assert seen == everything
    assert len(set(seen)) == len(seen)


def test_statements_with_the_same_stored_time_page_without_loss(client, world):
    for statement in db.session.scalars(select(Statement)):
        statement.stored = BASE
    db.session.commit()
    everything = ids(get(client, world["secret"]))
    seen, response = [], get(client, world["secret"], "?limit=4")
    while True:
        body = response.get_json()
        seen += [s["id"] for s in body["statements"]]
        if not body["more"]:
            break
        response = get(client, world["secret"], body["more"].removeprefix("/xapi/statements"))
    assert sorted(seen) == sorted(everything) and len(seen) == len(everything) == 8


def test_filter_by_agent_mbox_and_sha1sum(client, world):
    agent = quote(json.dumps({"mbox": "mailto:ada@northwind.example"}))
    found = get(client, world["secret"], f"?agent={agent}").get_json()["statements"]
    assert len(found) == 4 and {s["actor"]["mbox"] for s in found} == {"mailto:ada@northwind.example"}
    import hashlib

    digest = hashlib.sha1(b"mailto:sam@northwind.example").hexdigest()  # noqa: S324 - the xAPI IFI
    by_hash = get(client, world["secret"], "?agent=" + quote(json.dumps({"mbox_sha1sum": digest}))).get_json()
    assert {s["actor"]["mbox"] for s in by_hash["statements"]} == {"mailto:sam@northwind.example"}
    nobody = quote(json.dumps({"mbox": "mailto:nobody@northwind.example"}))
    assert get(client, world["secret"], f"?agent={nobody}").get_json() == {"statements": [], "more": ""}


def test_filter_by_verb_and_activity(client, world):
    completed = get(client, world["secret"], "?verb=" + quote("http://adlnet.gov/expapi/verbs/completed")).get_json()
    assert len(completed["statements"]) == 3
    assert {s["verb"]["id"] for s in completed["statements"]} == {"http://adlnet.gov/expapi/verbs/completed"}
    module = f"{ACTIVITIES}/module/tiny-course/choosing-target-accounts"
    found = get(client, world["secret"], "?activity=" + quote(module)).get_json()["statements"]
    assert len(found) == 2 and {s["object"]["id"] for s in found} == {module}
    course = f"{ACTIVITIES}/course/tiny-course"
    assert len(get(client, world["secret"], "?activity=" + quote(course)).get_json()["statements"]) == 1
    related = get(client, world["secret"], f"?activity={quote(course)}&related_activities=true").get_json()
    assert len(related["statements"]) == 5
    unknown = get(client, world["secret"], "?verb=" + quote("http://example.com/verbs/danced")).get_json()
    assert unknown["statements"] == []


def test_since_is_exclusive_and_until_inclusive_on_stored(client, world):
    since = quote("2026-11-02T09:01:00Z")
    until = quote("2026-11-02T12:04:00+03:00")  # 09:04 UTC
    found = get(client, world["secret"], f"?since={since}&until={until}&ascending=true").get_json()["statements"]
    assert [s["stored"] for s in found] == ["2026-11-02T09:02:00.000Z", "2026-11-02T09:03:00.000Z",
                                            "2026-11-02T09:04:00.000Z"]


def test_limit_defaults_to_100_and_never_exceeds_500(client, world):
    ada = world["ada"]
    for i in range(510):
        services.record(ada, "viewed", ("report", f"r{i}"), organization_id=world["ours"].id)
    db.session.commit()
    default = get(client, world["secret"]).get_json()
    assert len(default["statements"]) == 100 and default["more"]
    capped = get(client, world["secret"], "?limit=2000").get_json()
    assert len(capped["statements"]) == 500 and capped["more"]
    zero = get(client, world["secret"], "?limit=0").get_json()
    assert len(zero["statements"]) == 500


@pytest.mark.parametrize("query", [
    "?since=yesterday", "?until=2026-13-01T00:00:00Z", "?limit=-1", "?limit=ten", "?ascending=maybe",
    "?agent=ada@northwind.example", "?agent=" + quote('{"name": "Ada"}'), "?verb=completed",
    "?activity=not%20an%20iri", "?more=tampered", "?format=pretty", "?statementId=x&verb=y",
])
def test_malformed_parameters_answer_400_with_the_reason(client, world, query):
    response = get(client, world["secret"], query)
    assert response.status_code == 400
    assert response.get_json()["error"]
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_another_organisations_more_link_is_refused(client, world):
    more = get(client, world["their_secret"], "?limit=1").get_json()["more"]
    assert more
    response = get(client, world["secret"], more.removeprefix("/xapi/statements"))
    assert response.status_code == 400


def test_the_version_header_is_accepted_and_an_unsupported_one_refused(client, world):
    assert get(client, world["secret"]).status_code == 200
    response = get(client, world["secret"], **{"X-Experience-API-Version": "2.0.0"})
    assert response.status_code == 400
    response = get(client, world["secret"])
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    assert response.headers["X-Experience-API-Consistent-Through"].endswith("Z")
    assert response.headers["Content-Type"] == "application/json"


def test_format_ids_leaves_out_names_and_definitions(client, world):
    statement = get(client, world["secret"], "?limit=1&format=ids").get_json()["statements"][0]
    assert "name" not in statement["actor"] and "display" not in statement["verb"]
    assert "definition" not in statement["object"]
    assert statement_problems(statement) == []


def test_every_statement_the_app_records_is_served_as_valid_xapi(client, auth, app):
    sync_content(Path(app.config["COURSES_DIR"]), {})
    org = make_org("Northwind")
    cohort = make_cohort(org, "Winter 2026")
    admin = make_user(org, ("org_admin", "manager"), email="admin@northwind.example")
    make_user(org, ("learner",), email="ada@northwind.example", cohort=cohort)
    course = db.session.scalar(select(Course))
    outcome = assignments.assign(org, course, utcnow() + timedelta(days=10), admin, cohort=cohort)
    assignments.reschedule(outcome.assignment, utcnow() + timedelta(days=20), admin)
    _, secret = services.create_token(org.id, "Checker", admin.id)
    db.session.commit()
    auth.login("ada@northwind.example")
    client.get("/courses/tiny-course/choosing-target-accounts")
    client.post("/courses/tiny-course/choosing-target-accounts/questions/choose-1", data={"option": "0"})
    client.post("/courses/tiny-course/choosing-target-accounts/questions/choose-2", data={"option": ["0", "1"]})
    client.post("/courses/tiny-course/choosing-target-accounts/questions/choose-3", data={"option": "0"})
    client.post("/courses/tiny-course/choosing-target-accounts/complete")  # the check answered: it completes
    auth.logout()
    statements = get(client, secret, "?limit=500").get_json()["statements"]
    verbs = {s["verb"]["display"]["en-GB"] for s in statements}
    # (identity records "logged out" without an organisation, so no organisation's API serves it)
    assert {"assigned", "enrolled", "rescheduled", "launched", "answered", "completed", "logged in",
            "created"} <= verbs
    for statement in statements:
        assert statement_problems(statement) == [], statement
    assigned = next(s for s in statements if s["verb"]["display"]["en-GB"] == "assigned")
    assert assigned["context"]["instructor"]["mbox"] == "mailto:admin@northwind.example"


def test_a_page_of_statements_takes_at_most_five_queries(client, world, queries):
    with queries:
        response = get(client, world["secret"], "?limit=50")
    assert response.status_code == 200
    # the token, its last use, its organisation's name (the authority), the page, the page's names
    assert queries.count <= 5, queries.statements


# --- The tokens page ----------------------------------------------------------------------------


def test_org_admin_creates_a_token_shown_once_and_stored_hashed(client, auth, app):
    org = make_org("Northwind")
    make_user(org, ("org_admin",), email="admin@northwind.example")
    auth.login("admin@northwind.example")
    page = client.post("/admin/api-tokens", data={"name": "Learning Locker"}).get_data(as_text=True)
    secret = page.split('<code class="token">')[1].split("</code>")[0]
    assert secret.startswith("abm_") and len(secret) > 40
    token = db.session.scalar(select(ApiToken))
    assert token.name == "Learning Locker" and token.organization_id == org.id
    assert secret not in (token.token_hash, token.prefix) and token.token_hash == services._hash(secret)
    again = client.get("/admin/api-tokens").get_data(as_text=True)
    assert "Learning Locker" in again and secret not in again
    assert get(client, secret).status_code == 200


def test_a_token_needs_a_name(client, auth, app):
    org = make_org()
    make_user(org, ("org_admin",), email="admin@northwind.example")
    auth.login("admin@northwind.example")
    page = client.post("/admin/api-tokens", data={"name": "  "}).get_data(as_text=True)
    assert "Give the token a name." in page
    assert db.session.scalar(select(ApiToken)) is None


def test_org_admin_revokes_a_token_but_not_another_organisations(client, auth, world):
    auth.login("admin@northwind.example")
    ours = db.session.scalar(select(ApiToken).where(ApiToken.organization_id == world["ours"].id))
    theirs = db.session.scalar(select(ApiToken).where(ApiToken.organization_id == world["theirs"].id))
    assert client.post(f"/admin/api-tokens/{theirs.id}/revoke").status_code == 404
    assert client.post(f"/admin/api-tokens/{ours.id}/revoke").status_code == 302
    db.session.expire_all()
    assert db.session.get(ApiToken, ours.id).revoked_at is not None
    assert db.session.get(ApiToken, theirs.id).revoked_at is None
    assert get(client, world["their_secret"]).status_code == 200
    assert "revoked" in client.get("/admin/api-tokens").get_data(as_text=True)


@pytest.mark.parametrize(("role", "code"), [("learner", 403), ("manager", 403), ("coach", 403), ("org_admin", 200)])
def test_only_org_admins_open_the_tokens_page(client, auth, app, role, code):
    org = make_org()
    make_user(org, (role,), email="someone@northwind.example")
    auth.login("someone@northwind.example")
    assert client.get("/admin/api-tokens").status_code == code
