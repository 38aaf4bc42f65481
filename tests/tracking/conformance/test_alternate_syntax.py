"""xAPI 1.0.3 Communication 1.3 Alternate Request Syntax (and 2.1.2.s2.b3, GET statements by POST), over HTTP."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from tests.tracking.conformance.stmt_data import STATEMENTS, get, new_id, statement, store

FORM = "application/x-www-form-urlencoded"


def alternate(lrs, method: str, form: dict, *, headers: bool = True, query: str | None = None,
              content_type: str = FORM):
    """POST /xapi/statements?method=... with `form` form-encoded; without `headers`, no Authorization or version
    header goes in the HTTP header (they are expected in the form)."""
    return lrs.client.post(f"{STATEMENTS}?{query or urlencode({'method': method})}", data=urlencode(form),
                           content_type=content_type, headers=lrs.headers() if headers else {})


def in_form(lrs) -> dict:
    """The Authorization and X-Experience-API-Version headers as form parameters."""
    return {"Authorization": lrs.headers()["Authorization"], "X-Experience-API-Version": "1.0.3"}


def test_1_3_a_put_sent_as_a_post_stores_the_statement(lrs):
    """1.3.s3.b1-b5/b15: "All xAPI requests issued MUST be POST"; "The intended xAPI method MUST be included as the
    value of the "method" query string parameter"; content is a form parameter "content" the LRS MUST interpret as
    UTF-8; "The LRS MUST support the syntax above" (Appendix C's example)."""
    statement_id = new_id()
    doc = statement(id=statement_id, actor={"mbox": "mailto:zoe@example.com", "name": "Zoë"})
    form = {"statementId": statement_id, "content": json.dumps(doc), "Content-Type": "application/json",
            **in_form(lrs)}
    response = alternate(lrs, "PUT", form, headers=False)
    assert response.status_code == 204
    stored = get(lrs, statementId=statement_id).get_json()
    assert stored["actor"]["name"] == "Zoë"


def test_1_3_form_header_parameters_are_treated_as_headers(lrs):
    """1.3.s3.b7: "The LRS MUST treat the form parameters listed above as header parameters" (Authorization,
    X-Experience-API-Version, Content-Type...): without them there is no authentication or version."""
    form = {"statementId": new_id(), "content": json.dumps(statement())}
    assert alternate(lrs, "PUT", form, headers=False).status_code == 400  # no version
    form["X-Experience-API-Version"] = "1.0.3"
    assert alternate(lrs, "PUT", form, headers=False).status_code == 401  # no credentials
    form["Authorization"] = lrs.headers()["Authorization"]
    assert alternate(lrs, "PUT", form, headers=False).status_code == 204


def test_1_3_a_get_sent_as_a_post_answers_a_statement_result(lrs):
    """2.1.2.s2.b2/b3: "GET Statements MAY be called using POST and form parameters"; "The LRS MUST differentiate a
    POST to add a Statement or to list Statements based on the parameters passed"; 1.3.s3.b14: form parameters other
    than content and the headers are query parameters."""
    first, second = store(lrs, statement(), statement(verb={"id": "http://example.com/verbs/other"}))
    response = alternate(lrs, "GET", {"verb": "http://example.com/verbs/other", "limit": "1"})
    assert response.status_code == 200
    body = response.get_json()
    assert [s["id"] for s in body["statements"]] == [second] and "more" in body
    assert response.headers["X-Experience-API-Consistent-Through"]
    single = alternate(lrs, "GET", {"statementId": first, **in_form(lrs)}, headers=False)
    assert single.status_code == 200 and single.get_json()["id"] == first


def test_1_3_a_post_sent_as_a_post_stores_statements(lrs):
    """1.3: method=POST with the statements as content is the POST it stands for."""
    docs = [statement(id=new_id()), statement(id=new_id())]
    response = alternate(lrs, "POST", {"content": json.dumps(docs)})
    assert response.status_code == 200 and response.get_json() == [d["id"] for d in docs]


def test_1_3_other_query_parameters_beside_method_are_400(lrs):
    """1.3.s3.b3/b13: "The Learning Record Provider MUST NOT include any other query string parameters on the
    request"; "Any query string parameters other than "method" MUST instead be included as a form parameter"."""
    statement_id = new_id()
    response = alternate(lrs, "PUT", {"statementId": statement_id, "content": json.dumps(statement())},
                         query=urlencode({"method": "PUT", "statementId": statement_id}))
    assert response.status_code == 400 and response.headers["X-Experience-API-Version"] == "1.0.3"
    assert get(lrs, statementId=statement_id).status_code == 404


def test_1_3_the_alternate_syntax_is_only_for_post(lrs):
    """1.3.s3.b1: "All xAPI requests issued MUST be POST" (a GET or PUT with a method parameter is 400)."""
    for method in ("GET", "PUT"):
        response = lrs.client.open(f"{STATEMENTS}?method=POST", method=method, headers=lrs.headers(),
                                   data=urlencode({"content": json.dumps(statement())}), content_type=FORM)
        assert response.status_code == 400, method


def test_1_3_a_put_without_content_is_400(lrs):
    """1.3.s3.b4: "If the xAPI call involved sending content, the Learning Record Provider MUST URL encode that
    content and include it as a form parameter called "content"."""
    assert alternate(lrs, "PUT", {"statementId": new_id()}).status_code == 400
    assert lrs.client.post(f"{STATEMENTS}?method=PUT", headers=lrs.headers()).status_code == 400


def test_1_3_a_body_that_is_not_form_encoded_is_400(lrs):
    """1.3.s3.b4 (content is URL encoded as a form); 3.2.s3.b6: "If the content type is
    application/x-www-form-urlencoded it is expected that the request will include a method parameter"."""
    statement_id = new_id()
    body = json.dumps({"statementId": statement_id, "content": json.dumps(statement())})
    response = lrs.client.post(f"{STATEMENTS}?method=PUT", data=body, content_type=FORM, headers=lrs.headers())
    assert response.status_code == 400
    response = lrs.client.post(f"{STATEMENTS}?method=PUT", data=body, content_type="application/json",
                               headers=lrs.headers())
    assert response.status_code == 400
    assert get(lrs, statementId=statement_id).status_code == 404


def test_1_3_an_unknown_method_is_400(lrs):
    """1.3.s3.b2: the method parameter holds "the intended xAPI method"."""
    assert alternate(lrs, "PATCH", {"content": json.dumps(statement())}).status_code == 400


def test_1_3_a_header_sent_for_real_wins_over_the_form(lrs):
    """1.3.s3.b8: header parameters not listed for the form are sent "in the HTTP header as normal"; when a listed one
    comes both ways, the HTTP header is the request's."""
    statement_id = new_id()
    form = {"statementId": statement_id, "content": json.dumps(statement()), "X-Experience-API-Version": "0.8"}
    assert alternate(lrs, "PUT", form).status_code == 204
    assert get(lrs, statementId=statement_id).status_code == 200
