"""The academy's own verbs under the configured IRI base (LMS_XAPI_VERB_BASE), and the verb list published at
/xapi/verbs: each own verb's IRI resolves to a page, or JSON / JSON-LD when asked for."""

from __future__ import annotations

import json

import pytest
from werkzeug.exceptions import HTTPException

from lms.extensions import db
from lms.tracking import verbs, xapi
from lms.tracking.query import parse_query
from lms.tracking.services import record
from lms.tracking.statements import statements_page, xapi_site
from lms.tracking.validation import statement_problems
from tests.factories import make_org, make_user
from tests.tracking.rows import SITE, row

HERE = "http://lms.test/xapi/verbs/"


def test_every_verb_has_a_display_and_a_definition_sentence():
    for key, verb in verbs.VERBS.items():
        assert verb.display and verb.definition.startswith("Indicates ") and verb.definition.endswith("."), key
        assert verbs.VERBS[key][0] == verb.iri  # callers that index the entry still get the IRI


def test_own_verbs_move_to_the_configured_base_and_the_others_keep_their_iris():
    assert verbs.verb_iri("enrolled") == "https://abm-academy.org/xapi/verbs/enrolled"
    assert verbs.verb_iri("enrolled", HERE) == "http://lms.test/xapi/verbs/enrolled"
    assert verbs.verb_iri("enrolled", "http://lms.test/xapi/verbs") == "http://lms.test/xapi/verbs/enrolled"
    assert verbs.verb_iri("completed", HERE) == "http://adlnet.gov/expapi/verbs/completed"
    assert verbs.verb_key("http://lms.test/xapi/verbs/enrolled", HERE) == "enrolled"
    assert verbs.verb_key("https://abm-academy.org/xapi/verbs/enrolled", HERE) is None  # not what we serve
    assert verbs.verb_key("http://adlnet.gov/expapi/verbs/completed", HERE) == "completed"
    assert "enrolled" in verbs.own_verbs() and "completed" not in verbs.own_verbs()


@pytest.mark.parametrize("key", sorted(verbs.VERBS))
def test_statements_name_the_verb_under_the_sites_base(key):
    site = xapi.Site(SITE.activity_base, SITE.home_page, SITE.name, verb_base=HERE)
    statement = xapi.to_xapi(row(key), site)
    assert statement["verb"]["id"] == verbs.verb_iri(key, HERE)
    assert statement_problems(statement) == []


def test_the_site_takes_the_verb_base_from_the_settings(app):
    assert xapi_site().verb_base == "https://abm-academy.org/xapi/verbs/"
    app.config["XAPI_VERB_BASE"] = HERE
    assert xapi_site().verb_base == HERE


def test_the_statements_api_filters_by_the_verb_iri_it_serves(app):
    org = make_org("Northwind")
    ada = make_user(org, email="ada@northwind.example")
    record(ada, "enrolled", ("course", "tiny-course", "ABM in Ten Minutes"), organization_id=org.id)
    db.session.commit()
    app.config["XAPI_VERB_BASE"] = HERE
    page = statements_page(org.id, parse_query({"verb": HERE + "enrolled"}))
    assert [s["verb"]["id"] for s in page.statements] == [HERE + "enrolled"]
    assert statements_page(org.id, parse_query({"verb": verbs.ABM + "enrolled"})).statements == []


# --- The published list ------------------------------------------------------------------------------------


def test_the_list_page_shows_every_verb_with_its_definition(client, app):
    app.config["XAPI_VERB_BASE"] = HERE
    response = client.get("/xapi/verbs")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Accept" in response.headers["Vary"]
    for key, verb in verbs.VERBS.items():
        assert verbs.verb_iri(key, HERE) in page
        assert verb.definition.replace("'", "&#39;") in page
    assert client.get("/xapi/verbs/").status_code == 200  # the base itself


@pytest.mark.parametrize("accept", ["application/json", "application/ld+json"])
def test_the_list_as_data_names_every_verb(client, app, accept):
    app.config["XAPI_VERB_BASE"] = HERE
    response = client.get("/xapi/verbs", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept
    body = json.loads(response.get_data(as_text=True))
    assert {v["id"] for v in body["verbs"]} == {verbs.verb_iri(key, HERE) for key in verbs.VERBS}
    assert all(set(v) == {"id", "type", "display", "definition"} for v in body["verbs"])
    assert ("@context" in body) is (accept == "application/ld+json")


def test_each_own_verb_iri_on_this_site_resolves_to_its_description(client, app):
    app.config["XAPI_VERB_BASE"] = HERE
    for key in verbs.own_verbs():
        iri = verbs.verb_iri(key, HERE)
        response = client.get(iri.removeprefix("http://lms.test"), headers={"Accept": "application/json"})
        assert response.status_code == 200, iri
        assert json.loads(response.get_data(as_text=True)) == {
            "id": iri, "type": "Verb", "display": {"en-GB": verbs.VERBS[key].display},
            "definition": {"en-GB": verbs.VERBS[key].definition}}
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_verb_page_is_html_for_browsers_and_json_ld_when_asked(client, app):
    app.config["XAPI_VERB_BASE"] = HERE
    page = client.get("/xapi/verbs/waitlisted", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "joined the waiting list for" in text and HERE + "waitlisted" in text
    linked = client.get("/xapi/verbs/waitlisted", headers={"Accept": "application/ld+json"})
    body = json.loads(linked.get_data(as_text=True))
    assert linked.mimetype == "application/ld+json"
    assert body["@context"]["display"]["@container"] == "@language"
    assert body["id"] == HERE + "waitlisted"


def test_only_the_academys_own_verbs_live_here(client):
    assert client.get("/xapi/verbs/completed").status_code == 404  # ADL's verb: its IRI is ADL's
    assert client.get("/xapi/verbs/danced").status_code == 404
    assert client.get("/xapi/verbs/completed", headers={"Accept": "application/json"}).status_code == 404


def test_the_verb_list_does_not_clash_with_the_lrs_resources(app):
    urls = app.url_map.bind("lms.test")
    assert urls.match("/xapi/verbs")[0] == "tracking.verb_list"
    assert urls.match("/xapi/verbs/")[0] == "tracking.verb_list"
    assert urls.match("/xapi/verbs/enrolled")[0] == "tracking.verb_show"
    lrs_paths = ["/xapi/statements", "/xapi/about", "/xapi/activities", "/xapi/activities/state",
                 "/xapi/activities/profile", "/xapi/agents", "/xapi/agents/profile"]
    verb_rules = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("tracking.verb_")}
    assert verb_rules == {"/xapi/verbs", "/xapi/verbs/", "/xapi/verbs/<key>"}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/xapi/verbs"):
            assert rule.endpoint.startswith("tracking.verb_"), rule
    for path in lrs_paths:
        try:
            endpoint = urls.match(path, method="GET")[0]
        except HTTPException:  # a resource not built yet (404) or not for GET (405) is no clash either
            continue
        assert not endpoint.startswith("tracking.verb_"), path
