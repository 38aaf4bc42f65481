"""xAPI 1.0.3 Communication 3.2 Error Codes for the Statement Resource: unknown and miscased parameters, wrong
content types, bodies over the size limit, messages that explain, over HTTP."""

from __future__ import annotations

import json

import pytest

from tests.tracking.conformance.stmt_data import STATEMENTS, get, new_id, statement


@pytest.mark.parametrize("params", [{"color": "red"}, {"statementid": "x"}, {"StatementId": new_id()},
                                    {"Verb": "http://example.com/v"}, {"LIMIT": "1"}, {"method": "GET"}])
def test_3_2_unknown_or_miscased_parameters_on_get_are_400(lrs, params):
    """3.2.s3.b7/b8: "The LRS MUST reject with 400 Bad Request status any requests that use any parameters which the
    LRS does not recognize in their intended context"; "... any parameters matching parameters described in this
    specification in all but case"."""
    response = get(lrs, **params)
    assert response.status_code == 400 and response.get_json()["error"]


def test_3_2_parameters_of_another_method_are_400(lrs):
    """3.2.s3.b7: parameters not recognised "in their intended context": POST takes none, PUT only statementId."""
    assert lrs.post(STATEMENTS, query={"statementId": new_id()}, json=statement()).status_code == 400
    assert lrs.post(STATEMENTS, query={"verb": "http://example.com/v"}, json=statement()).status_code == 400
    statement_id = new_id()
    assert lrs.put(STATEMENTS, query={"statementId": statement_id, "limit": "1"}, json=statement()).status_code == 400
    assert lrs.put(STATEMENTS, query={"StatementId": statement_id}, json=statement()).status_code == 400


def test_3_2_a_parameter_sent_twice_is_400(lrs):
    """3.2.s2.b1: "400 Bad Request - Indicates an error condition caused by an invalid or missing argument"."""
    assert lrs.get(f"{STATEMENTS}?verb=http://example.com/a&verb=http://example.com/b").status_code == 400


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded"])
def test_3_2_a_content_type_that_does_not_match_the_content_is_400(lrs, content_type):
    """3.2.s3.b6: "The LRS SHOULD* reject any request with 400 Bad Request status where the content type header does
    not match the content included in the request"."""
    response = lrs.post(STATEMENTS, data=json.dumps(statement()), content_type=content_type)
    assert response.status_code == 400


def test_3_2_errors_explain_themselves(lrs):
    """3.2.s3.b2: "An LRS SHOULD return a message in the response explaining the cause of the error"."""
    response = lrs.post(STATEMENTS, json=statement(actor={"mbox": "ann@example.com"}))
    assert response.status_code == 400 and "mailto" in response.get_json()["error"]


@pytest.fixture
def app_config(app_config):
    """A small body limit, so a large statement is too large."""
    app_config["MAX_CONTENT_LENGTH"] = 4096
    return app_config


def test_3_2_a_request_over_the_size_limit_is_413(lrs):
    """3.2.s3.b11: "The LRS MUST reject with 413 Request Entity Too Large status any request rejected by the LRS where
    the size of the Attachment, Statement or document is larger than the maximum allowed by the LRS"."""
    doc = statement(id=new_id(), result={"response": "x" * 5000})
    response = lrs.post(STATEMENTS, json=doc)
    assert response.status_code == 413 and response.headers["X-Experience-API-Version"] == "1.0.3"
    assert lrs.put(STATEMENTS, query={"statementId": doc["id"]}, json=doc).status_code == 413
    assert get(lrs, statementId=doc["id"]).status_code == 404
    assert lrs.post(STATEMENTS, json=statement()).status_code == 200
