"""xAPI 1.0.3 Communication 2.1.3 GET Statements (and 1.1 HEAD, Data 2.5 retrieval): one statement, the
StatementResult with every filter, formats, `more` paging, the headers, over HTTP."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.tracking import services
from lms.tracking.models import Statement
from lms.tracking.xapi import parse_timestamp
from tests.tracking.conformance.stmt_data import (
    ACTIVITY,
    COMPLETED,
    STATEMENTS,
    get,
    ids,
    new_id,
    statement,
    store,
)

ANN = {"objectType": "Agent", "mbox": "mailto:ann@example.com"}
BOB = {"objectType": "Agent", "mbox": "mailto:bob@example.com"}
OTHER_VERB = "http://example.com/verbs/attempted"


def _restamp(statement_ids: list[str], start: datetime) -> None:
    """Give the statements known stored times, one minute apart in the order given."""
    for i, statement_id in enumerate(statement_ids):
        row = db.session.get(Statement, statement_id)
        row.stored = start + timedelta(minutes=i)
    db.session.commit()


def test_2_1_3_get_by_statement_id_returns_that_statement(lrs):
    """2.1.3: "If the statementId or voidedStatementId parameter is specified a single Statement is returned";
    "Returns: 200 OK, Statement"."""
    [statement_id] = store(lrs, statement())
    response = get(lrs, statementId=statement_id)
    assert response.status_code == 200 and response.get_json()["id"] == statement_id
    assert response.headers["Content-Type"] == "application/json"


def test_2_1_3_get_an_unknown_statement_id_is_404(lrs):
    """Communication 3.2.s2.b4: "404 Not Found - ... the method to retrieve a single Statement"."""
    assert get(lrs, statementId=new_id()).status_code == 404


def test_2_1_3_last_modified_matches_stored(lrs):
    """2.1.3.s2.b8: "The LRS SHOULD* include a "Last-Modified" header which matches the "stored" Timestamp"."""
    [statement_id] = store(lrs, statement())
    response = get(lrs, statementId=statement_id)
    stored = parse_timestamp(response.get_json()["stored"])
    modified = parsedate_to_datetime(response.headers["Last-Modified"]).replace(tzinfo=None)
    assert abs(stored - modified) < timedelta(seconds=1)


def test_2_1_3_both_statement_id_and_voided_statement_id_is_400(lrs):
    """2.1.3.s2.b1: "The LRS MUST reject with a 400 Bad Request error any requests to this resource which contain both
    statementId and voidedStatementId parameters"."""
    assert get(lrs, statementId=new_id(), voidedStatementId=new_id()).status_code == 400


@pytest.mark.parametrize("extra", [{"agent": ANN}, {"verb": COMPLETED}, {"activity": ACTIVITY},
                                   {"registration": "d3dc5f5e-2b2c-4b3e-9d2a-6d1f0a1b2c3d"},
                                   {"related_activities": "true"}, {"related_agents": "true"},
                                   {"since": "2012-06-01T19:09:13.245Z"}, {"until": "2012-06-01T19:09:13.245Z"},
                                   {"limit": "1"}, {"ascending": "true"}])
@pytest.mark.parametrize("single", ["statementId", "voidedStatementId"])
def test_2_1_3_a_statement_id_with_another_parameter_is_400(lrs, single, extra):
    """2.1.3.s2.b2: "The LRS MUST reject with an 400 Bad Request error any requests to this resource which contain
    statementId or voidedStatementId parameters, and also contain any other parameter besides "attachments" or
    "format"."""
    [statement_id] = store(lrs, statement())
    assert get(lrs, **{single: statement_id}, **extra).status_code == 400


def test_2_1_3_a_statement_id_with_format_and_attachments_is_answered(lrs):
    """2.1.3.s2.b2: "attachments" and "format" may go with statementId."""
    [statement_id] = store(lrs, statement())
    assert get(lrs, statementId=statement_id, format="ids", attachments="false").status_code == 200


def test_2_1_3_without_ids_the_answer_is_a_statement_result(lrs):
    """2.1.3: "Otherwise returns: A StatementResult Object"; Data 2.5: statements, and more (an empty string when there
    is nothing more)."""
    store(lrs, statement())
    body = get(lrs).get_json()
    assert set(body) == {"statements", "more"} and body["more"] == "" and len(body["statements"]) >= 1


def test_2_1_3_no_match_is_still_200_with_an_empty_array(lrs):
    """2.1.3.s2.b4: "In the event that no Statements are found matching the query filter criteria, the LRS MUST still
    return 200 OK and a StatementResult Object ... the "statements" property will contain an empty array"."""
    response = get(lrs, verb="http://adlnet.gov/expapi/non/existent")
    assert response.status_code == 200 and response.get_json() == {"statements": [], "more": ""}


def test_2_1_3_statements_come_newest_stored_first_unless_ascending(lrs):
    """2.1.3: "a list of Statements in reverse chronological order based on "stored" time"; "ascending: If true,
    return results in ascending order of stored time"."""
    stored = store(lrs, statement(), statement(), statement())
    _restamp(stored, datetime(2026, 11, 2, 9))
    assert ids(get(lrs, verb=COMPLETED)) == stored[::-1]
    assert ids(get(lrs, verb=COMPLETED, ascending="true")) == stored


def test_2_1_3_consistent_through_is_on_every_answer_and_not_before_stored(lrs):
    """2.1.3.s2.b5: "The LRS MUST include the header "X-Experience-API-Consistent-Through", in ISO 8601 combined date
    and time format, on all responses to Statements Resource requests"; no statement returned was stored after it."""
    store(lrs, statement())
    responses = [get(lrs), get(lrs, statementId=new_id()), get(lrs, limit="ten"), lrs.post(STATEMENTS, json={}),
                 lrs.get(STATEMENTS, headers={"X-Experience-API-Version": "0.9"})]
    assert [r.status_code for r in responses] == [200, 404, 400, 400, 400]
    for response in responses:
        assert parse_timestamp(response.headers["X-Experience-API-Consistent-Through"])
    through = parse_timestamp(responses[0].headers["X-Experience-API-Consistent-Through"])
    assert all(parse_timestamp(s["stored"]) <= through for s in responses[0].get_json()["statements"])


def test_2_1_3_filter_agent_matches_actor_object_and_group_members(lrs):
    """2.1.3 agent: "only return Statements for which the specified Agent or Group is the Actor or Object of the
    Statement"; "Groups that have members which match the specified Agent ... are considered a match"."""
    as_actor, as_object, in_group, other = store(
        lrs, statement(actor=ANN), statement(actor=BOB, object=ANN),
        statement(actor={"objectType": "Group", "member": [BOB, {"mbox": "mailto:ANN@example.com"}]}),
        statement(actor=BOB, context={"instructor": ANN}))
    assert set(ids(get(lrs, agent={"mbox": "mailto:ann@example.com"}))) == {as_actor, as_object, in_group}
    assert other in ids(get(lrs, agent=BOB))


def test_2_1_3_filter_agent_with_related_agents_matches_authority_instructor_team_and_sub_statements(lrs):
    """2.1.3 related_agents: "Include Statements for which the Actor, Object, Authority, Instructor, Team, or any of
    these properties in a contained SubStatement match the Agent parameter"."""
    sub = {"objectType": "SubStatement", "actor": BOB, "verb": {"id": OTHER_VERB},
           "object": {"id": ACTIVITY}, "context": {"instructor": ANN}}
    by_instructor, by_team, in_sub = store(
        lrs, statement(actor=BOB, context={"instructor": ANN}),
        statement(actor=BOB, context={"team": {"objectType": "Group", "member": [ANN]}}),
        statement(actor=BOB, object=sub))
    related = set(ids(get(lrs, agent=ANN, related_agents="true")))
    assert {by_instructor, by_team, in_sub} <= related
    assert not {by_instructor, by_team, in_sub} & set(ids(get(lrs, agent=ANN)))
    authority = {"account": {"homePage": "http://lms.test", "name": lrs.key}}
    assert {by_instructor, by_team, in_sub} <= set(ids(get(lrs, agent=authority, related_agents="true")))


def test_2_1_3_filter_agent_by_mbox_sha1sum_openid_and_account(lrs):
    """2.1.3 agent: "Agents or Identified Groups are equal when the same Inverse Functional Identifier is used"."""
    digest = hashlib.sha1(b"mailto:ann@example.com").hexdigest()  # noqa: S324 - the xAPI IFI
    account = {"account": {"homePage": "http://crm.example.com", "name": "42"}}
    by_sha, by_openid, by_account = store(lrs, statement(actor={"mbox_sha1sum": digest}),
                                          statement(actor={"openid": "http://openid.example/ann"}),
                                          statement(actor=account))
    assert ids(get(lrs, agent={"mbox_sha1sum": digest})) == [by_sha]
    assert ids(get(lrs, agent={"openid": "http://openid.example/ann"})) == [by_openid]
    assert ids(get(lrs, agent=account)) == [by_account]
    assert ids(get(lrs, agent={"account": {"homePage": "http://crm.example.com", "name": "4"}})) == []


def test_2_1_3_filter_verb(lrs):
    """2.1.3 verb: "only return Statements matching the specified Verb id"."""
    completed, attempted = store(lrs, statement(), statement(verb={"id": OTHER_VERB}))
    assert ids(get(lrs, verb=OTHER_VERB)) == [attempted]
    assert completed in ids(get(lrs, verb=COMPLETED)) and attempted not in ids(get(lrs, verb=COMPLETED))


def test_2_1_3_filter_activity_and_related_activities(lrs):
    """2.1.3 activity: "only return Statements for which the Object of the Statement is an Activity with the specified
    id"; related_activities: "Include Statements for which the Object, any of the context Activities, or any of those
    properties in a contained SubStatement match"."""
    course = "http://www.example.com/activities/course"
    sub = {"objectType": "SubStatement", "actor": ANN, "verb": {"id": OTHER_VERB}, "object": {"id": course}}
    direct, in_context, in_sub = store(
        lrs, statement(object={"id": course}),
        statement(context={"contextActivities": {"grouping": [{"id": course}]}}), statement(object=sub))
    assert ids(get(lrs, activity=course)) == [direct]
    assert set(ids(get(lrs, activity=course, related_activities="true"))) == {direct, in_context, in_sub}


def test_2_1_3_filter_registration(lrs):
    """2.1.3 registration: "only return Statements matching the specified registration id"."""
    registration = new_id()
    [matching, _] = store(lrs, statement(context={"registration": registration}),
                          statement(context={"registration": new_id()}))
    assert ids(get(lrs, registration=registration)) == [matching]


def test_2_1_3_since_is_exclusive_and_until_inclusive_on_stored(lrs):
    """2.1.3 since: "Only Statements stored since the specified Timestamp (exclusive)"; until: "Only Statements stored
    at or before the specified Timestamp"."""
    stored = store(lrs, *[statement() for _ in range(4)])
    _restamp(stored, datetime(2026, 11, 2, 9))
    found = ids(get(lrs, since="2026-11-02T09:00:00Z", until="2026-11-02T11:02:00+02:00", ascending="true"))
    assert found == stored[1:3]


def test_2_1_3_limit_and_the_more_link_page_through_everything(lrs):
    """2.1.3 limit: "Maximum number of Statements to return"; Data 2.5: more is a "Relative IRL that can be used to
    fetch more results, including the full path ... excluding scheme, host, and port"."""
    stored = store(lrs, *[statement() for _ in range(5)])
    _restamp(stored, datetime(2026, 11, 2, 9))
    seen, response = [], get(lrs, verb=COMPLETED, limit="2")
    while True:
        body = response.get_json()
        assert len(body["statements"]) <= 2
        seen += [s["id"] for s in body["statements"]]
        if not body["more"]:
            break
        assert body["more"].startswith("/xapi/statements?")
        response = lrs.get(body["more"])
    assert seen == stored[::-1]


def test_2_1_3_limit_0_returns_the_most_the_server_allows(lrs):
    """2.1.3 limit: "0 indicates return the maximum the server will allow"."""
    store(lrs, *[statement() for _ in range(3)])
    assert len(get(lrs, verb=COMPLETED, limit="0").get_json()["statements"]) == 3


def test_data_2_5_paging_is_stable_while_new_statements_arrive(lrs):
    """Data 2.5.s3.b4: the more IRL's batch includes "Statements which would have been included in that batch if
    present in the LRS at the time the original query was run"; new statements do not shift the pages."""
    stored = store(lrs, *[statement() for _ in range(4)])
    _restamp(stored, datetime(2026, 11, 2, 9))
    first = get(lrs, verb=COMPLETED, limit="2").get_json()
    store(lrs, statement(), statement())
    second = lrs.get(first["more"]).get_json()
    assert [s["id"] for s in first["statements"] + second["statements"]] == stored[::-1]


def test_2_1_3_format_ids_keeps_only_identifiers(lrs):
    """2.1.3 format ids: "only include minimum information necessary in Agent, Activity, Verb and Group Objects to
    identify them. For Anonymous Groups this means including the minimum information needed to identify each
    member"."""
    team = {"objectType": "Group", "name": "Team", "member": [{"name": "Ann", "mbox": "mailto:ann@example.com"}]}
    [statement_id] = store(lrs, statement(actor=team, context={"instructor": {"name": "Bob", **BOB}}))
    doc = get(lrs, statementId=statement_id, format="ids").get_json()
    assert doc["actor"] == {"objectType": "Group", "member": [{"mbox": "mailto:ann@example.com"}]}
    assert doc["verb"] == {"id": COMPLETED} and doc["object"] == {"objectType": "Activity", "id": ACTIVITY}
    assert "name" not in doc["context"]["instructor"] and "name" not in doc["authority"]


def test_2_1_3_format_exact_returns_objects_as_received(lrs):
    """2.1.3 format exact: "return Agent, Activity, Verb and Group Objects populated exactly as they were when the
    Statement was received"; Data 2.4.3.s6.b1: the display "exactly as included (or omitted)"."""
    doc = statement(id=new_id())
    store(lrs, doc)
    served = get(lrs, statementId=doc["id"], format="exact").get_json()
    assert (served["actor"], served["verb"], served["object"]) == (doc["actor"], doc["verb"], doc["object"])


def test_2_1_3_format_canonical_picks_one_language_by_accept_language(lrs):
    """2.1.3.s4.b1/b5: "The LRS MUST return only one language in each of these maps"; "the LRS MUST apply the
    "Accept-Language" header ... to each language map individually"; without format the maps are as received."""
    [statement_id] = store(lrs, statement())
    canonical = lrs.get(STATEMENTS, query={"statementId": statement_id, "format": "canonical"},
                        headers={"Accept-Language": "de-CH, en;q=0.5"}).get_json()
    assert canonical["verb"]["display"] == {"de": "abgeschlossen"}
    assert canonical["object"]["definition"]["name"] == {"de": "Sprengstoffausbildung"}
    english = lrs.get(STATEMENTS, query={"format": "canonical", "verb": COMPLETED},
                      headers={"Accept-Language": "en-GB,en;q=0.8"}).get_json()["statements"][0]
    assert english["object"]["definition"]["description"] == {"en-US": "How not to"}
    exact = lrs.get(STATEMENTS, query={"statementId": statement_id}, headers={"Accept-Language": "de"}).get_json()
    assert set(exact["verb"]["display"]) == {"en-US", "de"}


@pytest.mark.parametrize(("params", "named"), [
    ({"agent": "ann@example.com"}, "agent"), ({"agent": {"name": "Ann"}}, "agent"), ({"verb": "completed"}, "verb"),
    ({"activity": "not an iri"}, "activity"), ({"registration": "abc"}, "registration"),
    ({"since": "yesterday"}, "since"), ({"until": "2026-13-01T00:00:00Z"}, "until"), ({"limit": "-1"}, "limit"),
    ({"ascending": "yes"}, "ascending"), ({"format": "pretty"}, "format"), ({"attachments": "1"}, "attachments"),
    ({"related_agents": "maybe"}, "related_agents"), ({"more": "tampered"}, "more"),
])
def test_data_2_2_parameter_values_are_validated_like_statement_values(lrs, params, named):
    """Data 2.2.s4.b4: "The LRS MUST validate parameter values to the same standards required for values of the same
    types in Statements"."""
    response = get(lrs, **params)
    assert response.status_code == 400, named
    assert response.get_json()["error"]


def test_1_1_head_answers_like_get_without_a_body(lrs):
    """1.1.s3.b1: "The LRS MUST respond to any HTTP HEAD request as it would have responded to an otherwise identical
    HTTP GET request except: The message-body MUST be omitted"."""
    [statement_id] = store(lrs, statement())
    got, head = get(lrs, statementId=statement_id), lrs.head(STATEMENTS, query={"statementId": statement_id})
    assert head.status_code == 200 and head.data == b""
    for name in ("Content-Type", "Last-Modified", "X-Experience-API-Version", "X-Experience-API-Consistent-Through"):
        assert head.headers.get(name), name
    assert head.headers["Last-Modified"] == got.headers["Last-Modified"]
    assert lrs.head(STATEMENTS, query={"statementId": new_id()}).status_code == 404
    assert lrs.head(STATEMENTS, query={"verb": COMPLETED}).status_code == 200


def test_the_academys_own_and_other_tools_statements_come_in_one_stream(lrs):
    """The issue's decision: the academy's statements and other tools' come back from the same GET, ordered by
    stored time."""
    academy = services.record(None, "viewed", ("report", "r1"), organization_id=lrs.org_id)
    db.session.commit()
    [external] = store(lrs, statement())
    _restamp([academy.id, external], datetime(2026, 11, 2, 9))
    listed = get(lrs, ascending="true").get_json()["statements"]
    positions = [s["id"] for s in listed]
    assert positions.index(academy.id) < positions.index(external)
    assert get(lrs, statementId=academy.id).get_json()["verb"]["id"] == "http://id.tincanapi.com/verb/viewed"
    created = db.session.scalars(select(Statement.id).where(Statement.source == "academy")).all()
    assert set(created) <= set(positions)
