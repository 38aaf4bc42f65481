"""xAPI 1.0.3 Communication 4.0 Authentication and the permission rules of 3.2 for the Statement Resource: HTTP
Basic with an organisation's LRS credentials, bearer API tokens (read only), scopes, and tenancy, over HTTP."""

from __future__ import annotations

from sqlalchemy import select

from lms.extensions import db
from lms.tracking import services
from lms.tracking.credentials import revoke_credential
from lms.tracking.models import LrsCredential
from tests.tracking.conformance.conftest import basic
from tests.tracking.conformance.stmt_data import STATEMENTS, get, ids, new_id, post, put, statement, store


def test_4_0_http_basic_with_the_organisations_credentials_is_accepted(lrs):
    """4.0.s3.b1: "The LRS MUST support authentication using at least one of the authentication methods defined in
    this specification" (HTTP Basic)."""
    assert post(lrs, statement()).status_code == 200
    assert get(lrs).status_code == 200


def test_3_2_missing_credentials_are_401_asking_for_basic(lrs):
    """3.2.s2.b2: "401 Unauthorized - Indicates that authentication is required" (with the challenge RFC 7235
    asks for)."""
    response = lrs.client.get(STATEMENTS, headers={"X-Experience-API-Version": "1.0.3"})
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Basic")
    assert lrs.client.post(STATEMENTS, json=statement(), headers={"X-Experience-API-Version": "1.0.3"}
                           ).status_code == 401


def test_3_2_refused_credentials_are_401(lrs):
    """3.2.s2.b2: "or in the case authentication has been posted in the request, that the given credentials have been
    refused": a wrong secret, an unknown key, an empty one, garbage."""
    for authorization in (basic(lrs.key, lrs.secret + "x"), basic("lrs_unknown", lrs.secret), "Basic Og==",
                          "Basic not-base64!", "Digest abc"):
        response = lrs.get(STATEMENTS, headers={"Authorization": authorization})
        assert response.status_code == 401, authorization
        assert response.headers["WWW-Authenticate"]


def test_4_0_revoked_credentials_are_401(lrs):
    """4.0.s3.b2: "The LRS MUST handle making, or delegating, decisions on the validity of Statements, and
    determining what operations might be performed based on the credentials used" (revoked ones none)."""
    revoke_credential(db.session.scalar(select(LrsCredential).where(LrsCredential.key == lrs.key)), None)
    db.session.commit()
    assert get(lrs).status_code == 401
    assert post(lrs, statement()).status_code == 401


def test_3_2_read_only_credentials_are_403_on_put_and_post(lrs, lrs_read_only):
    """3.2.s3.b10: "The LRS MUST reject with 403 Forbidden status any request rejected by the LRS where the
    credentials associated with the request do not have permission to make that request"."""
    doc = statement(id=new_id())
    assert post(lrs_read_only, doc).status_code == 403
    assert put(lrs_read_only, doc).status_code == 403
    assert get(lrs, statementId=doc["id"]).status_code == 404
    assert get(lrs_read_only).status_code == 200


def test_3_2_write_only_credentials_are_403_on_get(lrs_write_only):
    """3.2.s3.b10: credentials that may not read get 403 on GET and HEAD."""
    assert post(lrs_write_only, statement()).status_code == 200
    assert get(lrs_write_only).status_code == 403
    assert lrs_write_only.head(STATEMENTS).status_code == 403


def test_an_api_token_reads_statements_as_a_bearer_but_may_not_write(lrs):
    """The issue: "the existing bearer tokens still working" (read only: 403 on writing)."""
    [statement_id] = store(lrs, statement())
    _, token = services.create_token(lrs.org_id, "BI", None)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert lrs.get(STATEMENTS, query={"statementId": statement_id}, headers=headers).status_code == 200
    assert lrs.post(STATEMENTS, json=statement(), headers=headers).status_code == 403
    assert lrs.get(STATEMENTS, headers={"Authorization": "Bearer abm_wrong"}).status_code == 401


def test_statements_authority_names_the_credentials_that_sent_them(lrs, lrs_write_only):
    """Data 2.4.9.s3.b2: the authority is "the user as an Agent" of the credentials used."""
    [first] = store(lrs, statement())
    [second] = store(lrs_write_only, statement())
    assert get(lrs, statementId=first).get_json()["authority"]["account"]["name"] == lrs.key
    assert get(lrs, statementId=second).get_json()["authority"]["account"]["name"] == lrs_write_only.key


def test_another_organisations_statements_are_invisible(lrs, other_lrs):
    """DESIGN.md tenancy: "a request for another organization's object answers 404" - by statementId and
    voidedStatementId, and never in a list, whatever the filter."""
    doc = statement(id=new_id(), actor={"mbox": "mailto:secret@globex.example"})
    store(other_lrs, doc)
    assert get(lrs, statementId=doc["id"]).status_code == 404
    assert doc["id"] not in ids(get(lrs, limit="0"))
    assert ids(get(lrs, agent={"mbox": "mailto:secret@globex.example"})) == []
    assert get(other_lrs, statementId=doc["id"]).status_code == 200


def test_another_organisations_more_link_is_refused(lrs, other_lrs):
    """A `more` link belongs to the organisation that was given it."""
    store(other_lrs, statement(), statement())
    more = get(other_lrs, limit="1").get_json()["more"]
    assert more
    assert lrs.get(more).status_code == 400
