"""xAPI 1.0.3 Communication 2.1.1 PUT and 2.1.2 POST Statements, and the properties the LRS sets (Data 2.4.1,
2.4.6.2, 2.4.7-2.4.10), over HTTP."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.tracking.models import Statement
from lms.tracking.validation import UUID
from tests.factories import make_user
from tests.tracking.conformance.stmt_data import (
    STATEMENTS,
    get,
    ids,
    new_id,
    post,
    put,
    statement,
    store,
)


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Statement).where(Statement.source == "lrs"))


def test_2_1_1_put_stores_a_statement_and_answers_204(lrs):
    """2.1.1: "Stores a single Statement with the given id ... Returns: 204 No Content"."""
    doc = statement(id=new_id())
    response = put(lrs, doc)
    assert response.status_code == 204 and response.data == b""
    assert get(lrs, statementId=doc["id"]).get_json()["id"] == doc["id"]


def test_2_1_1_put_takes_the_id_from_statement_id_when_the_statement_has_none(lrs):
    """2.1.1: statementId is the "Id of Statement to record"."""
    statement_id = new_id()
    assert put(lrs, statement(), statement_id).status_code == 204
    assert get(lrs, statementId=statement_id).get_json()["id"] == statement_id


def test_2_1_1_put_without_statement_id_is_400(lrs):
    """2.1.1: the statementId parameter is Required."""
    assert lrs.put(STATEMENTS, json=statement(id=new_id())).status_code == 400


@pytest.mark.parametrize("bad", ["true", "not-a-uuid", "{}"])
def test_2_1_1_put_with_a_statement_id_that_is_not_a_uuid_is_400(lrs, bad):
    """Data 2.2.s4.b4: "The LRS MUST validate parameter values to the same standards required for values of the same
    types in Statements" (a statement id is a UUID)."""
    assert lrs.put(STATEMENTS, query={"statementId": bad}, json=statement()).status_code == 400


def test_2_1_1_put_with_an_id_differing_from_statement_id_is_400(lrs):
    """2.1.1.s3.b3: "Where provided, the "id" property of the Statement MUST match the "statementId" parameter"."""
    assert put(lrs, statement(id=new_id()), new_id()).status_code == 400


def test_2_1_1_put_stores_one_statement_not_a_batch(lrs):
    """2.1.1: "Content: The Statement object to be stored" (one object)."""
    statement_id = new_id()
    response = lrs.put(STATEMENTS, query={"statementId": statement_id}, json=[statement(id=statement_id)])
    assert response.status_code == 400


def test_2_1_1_put_with_an_existing_id_and_the_same_statement_is_204_and_changes_nothing(lrs):
    """2.1.1.s2.b2: "An LRS MUST NOT make any modifications to its state based on receiving a Statement with a
    statementId that it already has a Statement for. Whether it responds with 409 Conflict or 204 No Content, it
    MUST NOT modify the Statement or any other Object."""
    doc = statement(id=new_id())
    assert put(lrs, doc).status_code == 204
    before = get(lrs, statementId=doc["id"]).get_json()
    assert put(lrs, doc).status_code == 204
    assert get(lrs, statementId=doc["id"]).get_json() == before
    assert _count() == 1


def test_2_1_1_put_with_an_existing_id_and_different_statement_is_409(lrs):
    """2.1.1.s2.b3: the LRS "SHOULD verify the received Statement matches the existing one and SHOULD return 409
    Conflict if they do not match", and MUST NOT modify the Statement."""
    doc = statement(id=new_id())
    assert put(lrs, doc).status_code == 204
    changed = statement(id=doc["id"], verb={"id": "http://example.com/verbs/failed"})
    response = put(lrs, changed)
    assert response.status_code == 409 and response.get_json()["error"]
    assert get(lrs, statementId=doc["id"]).get_json()["verb"]["id"] == doc["verb"]["id"]


def test_2_1_1_a_resent_statement_is_the_same_despite_what_the_lrs_may_change(lrs):
    """Data 2.3.1.s9.b1: "Differences which could have been caused by exceptions to Statement immutability MUST be
    ignored" (stored, authority, version, the Verb's display, Activity definitions, a timestamp's time zone)."""
    doc = statement(id=new_id(), timestamp="2026-11-02T10:00:00+01:00")
    assert put(lrs, doc).status_code == 204
    again = statement(id=doc["id"], timestamp="2026-11-02T09:00:00.000Z", version="1.0.0",
                      verb={"id": doc["verb"]["id"], "display": {"en-GB": "completed"}},
                      stored="2020-01-01T00:00:00Z")
    again["object"]["definition"] = {"name": {"en-GB": "Explosives"}}
    assert put(lrs, again).status_code == 204


def test_2_1_2_post_one_statement_answers_200_with_its_id(lrs):
    """2.1.2: "Returns: 200 OK, Array of Statement id(s) (UUID)"."""
    doc = statement(id=new_id())
    response = post(lrs, doc)
    assert response.status_code == 200 and response.get_json() == [doc["id"]]


def test_2_1_2_post_a_batch_answers_the_ids_in_the_order_sent(lrs):
    """2.1.2: "Array of Statement id(s) (UUID) in the same order as the corresponding stored Statements"."""
    batch = [statement(id=new_id()), statement(), statement(id=new_id())]
    response = post(lrs, batch)
    assert response.status_code == 200
    answered = response.get_json()
    assert answered[0] == batch[0]["id"] and answered[2] == batch[2]["id"] and UUID.match(answered[1])


def test_data_2_4_1_the_lrs_generates_an_id_for_a_statement_without_one(lrs):
    """Data 2.4.1.s2.b1: "Statement ids MUST be generated by the LRS if a Statement is received without an id"."""
    [statement_id] = store(lrs, statement())
    assert UUID.match(statement_id)
    assert get(lrs, statementId=statement_id).get_json()["id"] == statement_id


def test_2_1_2_post_with_an_existing_id_and_the_same_statement_stores_no_duplicate(lrs):
    """2.1.2.s2.b4: "An LRS MUST NOT make any modifications to its state based on receiving a Statement with an id
    that it already has a Statement for"."""
    doc = statement(id=new_id())
    store(lrs, doc)
    response = post(lrs, doc)
    assert response.status_code in (200, 204)
    assert _count() == 1


def test_2_1_2_post_with_an_existing_id_and_different_statement_is_409_and_modifies_nothing(lrs):
    """2.1.2.s2.b5: the LRS "SHOULD return 409 Conflict if they do not match"; 2.1.2.s2.b4: it "MUST NOT modify the
    Statement or any other Object" (the other statements of the batch are not stored either)."""
    doc = statement(id=new_id())
    store(lrs, doc)
    other = statement(id=new_id())
    response = post(lrs, [other, statement(id=doc["id"], verb={"id": "http://example.com/verbs/failed"})])
    assert response.status_code == 409
    assert get(lrs, statementId=other["id"]).status_code == 404
    assert get(lrs, statementId=doc["id"]).get_json()["verb"]["id"] == doc["verb"]["id"]


def test_2_1_2_a_batch_with_the_same_id_twice_is_400(lrs):
    """2.1.2.s2.b6: "If the LRS receives a batch of Statements containing two or more Statements with the same id,
    it SHOULD* reject the batch and return 400 Bad Request"."""
    doc = statement(id=new_id())
    assert post(lrs, [doc, doc]).status_code == 400
    assert _count() == 0


def test_3_2_a_batch_with_one_invalid_statement_is_400_and_stores_none(lrs):
    """Communication 3.2.s3.b9: "The LRS MUST reject a batch of statements if any Statement within that batch is
    rejected"."""
    good, bad = statement(id=new_id()), statement(id=new_id(), verb={"id": "should fail"})
    assert post(lrs, [good, bad]).status_code == 400
    assert get(lrs, statementId=good["id"]).status_code == 404


def test_1_5_1_post_accepts_a_batch_of_statements_without_attachments(lrs):
    """1.5.1.s1.b1: "an LRS MUST accept batches of Statements which contain no Attachment Objects"."""
    assert len(store(lrs, *[statement() for _ in range(5)])) == 5


def test_data_2_4_8_stored_is_set_by_the_lrs_overwriting_any_sent(lrs):
    """Data 2.4.8.s3.b2: "The "stored" property MUST be set by the LRS; An LRS ... MUST overwrite any value currently
    in the "stored" property of a Statement it receives"."""
    [statement_id] = store(lrs, statement(stored="2001-01-01T00:00:00Z"))
    stored = get(lrs, statementId=statement_id).get_json()["stored"]
    assert stored != "2001-01-01T00:00:00Z" and stored.startswith(str(datetime.now().year))


def test_data_2_4_7_timestamp_is_set_to_stored_when_missing(lrs):
    """Data 2.4.7.s3.b2: "The "timestamp" property SHOULD* be set by the LRS to the value of the "stored" property if
    not provided"; a sent timestamp is kept."""
    first, second = store(lrs, statement(), statement(timestamp="2026-11-02T09:00:00.123Z"))
    served = get(lrs, statementId=first).get_json()
    assert served["timestamp"] == served["stored"]
    assert get(lrs, statementId=second).get_json()["timestamp"] == "2026-11-02T09:00:00.123Z"


def test_data_2_4_9_authority_is_the_agent_of_the_credentials(lrs):
    """Data 2.4.9.s3.b2/b3: "The LRS MUST include the user as an Agent as the entire authority if a user connects
    directly (using HTTP Basic Authentication)"; "MUST ensure that all Statements stored have an authority" (a sent
    authority is overwritten: b4)."""
    sent = {"objectType": "Agent", "mbox": "mailto:someone.else@example.com"}
    [statement_id] = store(lrs, statement(authority=sent))
    authority = get(lrs, statementId=statement_id).get_json()["authority"]
    assert authority["objectType"] == "Agent" and authority["account"]["name"] == lrs.key
    assert "mbox" not in authority


def test_data_2_4_10_version_is_set_to_1_0_0_when_missing(lrs):
    """Data 2.4.10.s3.b3: "Statements returned by an LRS MUST retain the version they are accepted with. If they
    lack a version, the version MUST be set to 1.0.0"."""
    first, second = store(lrs, statement(), statement(version="1.0.9"))
    assert get(lrs, statementId=first).get_json()["version"] == "1.0.0"
    assert get(lrs, statementId=second).get_json()["version"] == "1.0.9"


@pytest.mark.parametrize("version", ["1.0", "1.0.0", "1.0.3", "1.0.9"])
def test_data_2_4_10_a_version_starting_with_1_0_is_accepted(lrs, version):
    """Data 2.4.10.s3.b1: "An LRS MUST accept all Statements where their version starts with 1.0. if they otherwise
    validate"."""
    assert post(lrs, statement(version=version)).status_code == 200


@pytest.mark.parametrize("version", ["0.9.9", "1.1.0", "2.0.0", "should fail", "0.95"])
def test_data_2_4_10_a_version_not_starting_with_1_0_is_400(lrs, version):
    """Data 2.4.10.s3.b2: "An LRS MUST reject all Statements with a version specified that does not start with
    1.0."."""
    assert post(lrs, statement(version=version)).status_code == 400


def test_data_2_4_6_2_context_activities_are_returned_as_arrays(lrs):
    """Data 2.4.6.2.s4.b3/b4: "The LRS MUST return every value in the contextActivities Object as an array, even if it
    arrived as a single Activity Object"."""
    parent = {"id": "http://www.example.com/activities/course"}
    [statement_id] = store(lrs, statement(context={"contextActivities": {"parent": parent, "other": [parent]}}))
    activities = get(lrs, statementId=statement_id).get_json()["context"]["contextActivities"]
    assert activities == {"parent": [parent], "other": [parent]}


def test_data_2_2_numbers_keep_at_least_32_bit_float_precision(lrs):
    """Data 2.2.s4.b3: "The LRS MUST process and store numbers with at least the precision of IEEE 754 32-bit
    floating point numbers"."""
    score = {"min": 0.12123434, "raw": 12.125, "max": 45.45}
    [statement_id] = store(lrs, statement(result={"score": score}))
    assert get(lrs, statementId=statement_id).get_json()["result"]["score"] == score


def test_2_2_exact_format_returns_what_was_sent(lrs):
    """Data 2.2.s2.b5: "The LRS MUST NOT return a different serialisation of any properties except those listed as
    exceptions"."""
    doc = statement(id=new_id(), result={"duration": "PT1M30.5S", "response": "a[,]b", "extensions": {
        "http://example.com/ext": {"nested": [1, "two", None]}}}, context={"registration": new_id(), "platform": "x"})
    store(lrs, doc)
    served = get(lrs, statementId=doc["id"]).get_json()
    assert {k: served[k] for k in doc} == doc


def test_another_organisation_cannot_reuse_an_id(lrs, other_lrs):
    """Statement ids are unique across the store: another organisation's statement with the same id is a conflict,
    and it never sees the first one."""
    doc = statement(id=new_id())
    store(lrs, doc)
    assert post(other_lrs, statement(id=doc["id"], verb={"id": "http://example.com/verbs/other"})).status_code == 409
    assert get(other_lrs, statementId=doc["id"]).status_code == 404


def test_other_tools_statements_live_in_the_one_store(lrs):
    """The issue's decision: another tool's statement is a row of `statements` with source "lrs", verb "external",
    its IRIs, actor IFI and registration in columns, the statement as stored in `document`, and the person whose
    email is its mbox as actor."""
    ada = make_user(lrs.org, email="ada@northwind.example")
    registration = new_id()
    doc = statement(id=new_id(), actor={"mbox": "mailto:Ada@northwind.example", "name": "Ada"},
                    context={"registration": registration})
    store(lrs, doc)
    row = db.session.get(Statement, doc["id"])
    assert (row.source, row.verb, row.object_type, row.object_id) == ("lrs", "external", "activity", doc["object"]["id"])
    assert (row.verb_iri, row.activity_iri, row.registration) == (doc["verb"]["id"], doc["object"]["id"], registration)
    assert row.actor_ifi == "mbox:mailto:Ada@northwind.example" and row.actor_id == ada.id
    assert row.organization_id == lrs.org_id and row.credential_id is not None
    assert row.document["authority"]["account"]["name"] == lrs.key and row.document["stored"]
    assert ids(get(lrs, agent={"mbox": "mailto:ada@northwind.example"})) == [doc["id"]]
