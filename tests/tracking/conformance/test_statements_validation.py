"""xAPI 1.0.3 Data 2.2 (formatting), 2.4 (statement properties) and 4 (special data types): the statements the LRS
MUST reject with 400 Bad Request, and valid ones it MUST accept, over HTTP."""

from __future__ import annotations

import pytest

from tests.tracking.conformance.stmt_data import STATEMENTS, VOIDED, attachment, new_id, post, statement

AGENT = {"objectType": "Agent", "mbox": "mailto:ann@example.com"}
GROUP = {"objectType": "Group", "name": "Team", "member": [AGENT, {"mbox": "mailto:bob@example.com"}]}
SUB = {"objectType": "SubStatement", "actor": AGENT, "verb": {"id": "http://example.com/verbs/will-visit"},
       "object": {"id": "http://example.com/website"}}


def _without(key):
    doc = statement()
    doc.pop(key)
    return doc


def _with(path: str, value):
    """The valid statement with the property at dotted `path` set to `value`."""
    doc = statement()
    *parents, last = path.split(".")
    node = doc
    for name in parents:
        node = node.setdefault(name, {})
    node[last] = value
    return doc


REJECTED = {
    # Data 2.2.s2.b3: "A Statement MUST use "actor", "verb", and "object"".
    "2_2_without_actor": _without("actor"),
    "2_2_without_verb": _without("verb"),
    "2_2_without_object": _without("object"),
    # Data 2.2.s4.b1.b1: "with any null values (except inside extensions)".
    "2_2_null_actor_name": _with("actor.name", None),
    "2_2_null_in_a_language_map": _with("verb.display", {"en-US": None}),
    "2_2_null_registration": _with("context.registration", None),
    "2_2_null_more_info": _with("object.definition.moreInfo", None),
    "2_2_null_result": _with("result", None),
    # Data 2.2.s4.b1.b2/b3: "with strings where numbers are required", "with strings where booleans are required".
    "2_2_string_number": _with("result.score", {"max": "100"}),
    "2_2_string_boolean": _with("result.completion", "false"),
    # Data 2.2.s4.b1.b4: "any non-format-following key or value, including the empty string, where a string with a
    # particular format (such as mailto IRI, UUID, or IRI) is required".
    "2_2_id_a_number": _with("id", 12345),
    "2_2_id_too_many_digits": _with("id", "AA97B177-9383-4934-8543-0F91A7A028368"),
    "2_2_id_not_hex": _with("id", "MA97B177-9383-4934-8543-0F91A7A02836"),
    "2_2_empty_id": _with("id", ""),
    "2_2_mbox_without_mailto": _with("actor", {"mbox": "ann@example.com"}),
    "2_2_empty_verb_id": _with("verb", {"id": ""}),
    "2_2_registration_not_a_uuid": _with("context.registration", "abc"),
    "2_2_account_name_an_object": _with("actor", {"account": {"homePage": "http://example.com", "name": {}}}),
    "2_2_sha1sum_not_hex": _with("actor", {"mbox_sha1sum": "xyz"}),
    # Data 2.2.s4.b1.b5: "where the case of a key does not match the case specified in this specification".
    "2_2_key_case_actor": {**_without("actor"), "Actor": AGENT},
    "2_2_key_case_timestamp": statement(timeStamp="2026-11-02T09:00:00Z"),
    "2_2_key_case_object_type": _with("object", {"ObjectType": "Activity", "id": "http://example.com/a"}),
    # Data 2.2.s4.b1.b6: "where the case of a value restricted to enumerated values does not match".
    "2_2_interaction_type_case": _with("object.definition", {"interactionType": "true-faLse"}),
    "2_2_object_type_case": _with("actor", {"objectType": "agent", "mbox": "mailto:ann@example.com"}),
    # Data 2.2.s4.b1.b7: "where a key or value is not allowed by this specification".
    "2_2_unknown_property": statement(colour="blue"),
    "2_2_unknown_context_activity_type": _with("context.contextActivities", {"sibling": [{"id": "http://x.example"}]}),
    # Data 2.2.s4.b1.b8: "containing IRL or IRI values without a scheme".
    "2_2_verb_iri_without_scheme": _with("verb", {"id": "example.com/verbs/did"}),
    "2_2_activity_iri_without_scheme": _with("object", {"id": "www.example.com/a"}),
    "2_2_extension_key_without_scheme": _with("result.extensions", {"score": 1}),
    # Data 2.2.s4.b2: language map keys validate as RFC 5646 tags.
    "2_2_language_two_regions": _with("verb.display", {"de-419-DE": "besucht"}),
    "2_2_language_single_letter_primary": _with("verb.display", {"a-DE": "besucht"}),
    "2_2_language_repeated_extension": _with("verb.display", {"ar-a-aaa-b-bbb-a-ccc": "x"}),
    "2_2_attachment_display_language": statement(attachments=[attachment(b"x", display={"de-419-DE": "x"},
                                                                         fileUrl="http://example.com/x")]),
    # Data 2.4.2.1.s2.b1/b2: an Agent has exactly one IFI.
    "2_4_2_agent_without_ifi": _with("actor", {"objectType": "Agent", "name": "Ann"}),
    "2_4_2_agent_two_ifis": _with("actor", {"mbox": "mailto:a@example.com", "openid": "http://openid.example/a"}),
    # Data 2.4.2.2.s4.b1/b2, s5.b2: Groups.
    "2_4_2_2_anonymous_group_without_members": _with("actor", {"objectType": "Group", "name": "Team"}),
    "2_4_2_2_group_with_a_group_member": _with("actor", {"objectType": "Group", "member": [GROUP]}),
    "2_4_2_2_identified_group_two_ifis": _with("actor", {"objectType": "Group", "mbox": "mailto:t@example.com",
                                                         "openid": "http://openid.example/t"}),
    # Data 2.4.9.s3.b1: "Authority MUST be an Agent, except in 3-legged OAuth, where it MUST be a Group with two
    # Agents".
    "2_4_9_authority_identified_group": statement(authority={"objectType": "Group", "openid": "http://x.example/g"}),
    "2_4_9_authority_group_of_one": statement(authority={"objectType": "Group", "member": [AGENT]}),
    "2_4_9_authority_group_of_three": statement(authority={"objectType": "Group", "member": [
        AGENT, {"mbox": "mailto:b@example.com"}, {"mbox": "mailto:c@example.com"}]}),
    # Data 2.4.3: the Verb.
    "2_4_3_verb_without_id": _with("verb", {"display": {"en-US": "did"}}),
    "2_4_3_display_not_a_map": _with("verb.display", "completed"),
    # Data 2.4.4.1.s13.b1: "Interaction Activities MUST have a valid interactionType".
    "2_4_4_1_unknown_interaction_type": _with("object.definition", {"interactionType": "essay"}),
    "2_4_4_1_choices_without_interaction_type": _with("object.definition", {"choices": [{"id": "a"}]}),
    # Data 2.4.4.1.s16.b1: "Within an array of interaction components, all id values MUST be distinct".
    "2_4_4_1_component_ids_twice": _with("object.definition", {"interactionType": "choice",
                                                               "choices": [{"id": "a"}, {"id": "a"}]}),
    # Data 2.4.4.2.s1.b1: an Agent or Group as Object MUST specify objectType.
    "2_4_4_2_agent_object_without_object_type": _with("object", {"mbox": "mailto:ann@example.com"}),
    # Data 2.4.4.3: StatementRef and SubStatement.
    "2_4_4_3_statement_ref_id_not_a_uuid": _with("object", {"objectType": "StatementRef", "id": "12345"}),
    "2_4_4_3_sub_statement_with_an_id": _with("object", {**SUB, "id": new_id()}),
    "2_4_4_3_sub_statement_with_stored": _with("object", {**SUB, "stored": "2026-11-02T09:00:00Z"}),
    "2_4_4_3_sub_statement_with_version": _with("object", {**SUB, "version": "1.0.0"}),
    "2_4_4_3_sub_statement_with_authority": _with("object", {**SUB, "authority": AGENT}),
    "2_4_4_3_nested_sub_statement": _with("object", {**SUB, "object": SUB}),
    # Data 2.4.5: the Result.
    "2_4_5_scaled_above_1": _with("result.score", {"scaled": 1.5}),
    "2_4_5_raw_above_max": _with("result.score", {"raw": 120, "min": 0, "max": 100}),
    "2_4_5_duration_not_iso_8601": _with("result.duration", "10 minutes"),
    # Data 2.4.6.s4.b1/b2: revision and platform only with an Activity object.
    "2_4_6_revision_with_an_agent_object": statement(object={"objectType": "Agent", "mbox": "mailto:x@example.com"},
                                                     context={"revision": "2"}),
    "2_4_6_platform_with_a_statement_ref": statement(object={"objectType": "StatementRef", "id": new_id()},
                                                     context={"platform": "web"}),
    # Data 2.4.6.2.s4.b2: contextActivities values are Activities.
    "2_4_6_2_context_activity_not_an_activity": _with("context.contextActivities", {"parent": ["http://x.example"]}),
    "2_4_6_team_an_agent": _with("context.team", AGENT),
    # Data 4.5: timestamps.
    "4_5_timestamp_a_string": statement(timestamp="should fail"),
    "4_5_timestamp_not_a_date": statement(timestamp="01/011/2015"),
    "4_5_timestamp_minus_00": statement(timestamp="2008-09-15T15:53:00.601-00"),
    "4_5_timestamp_minus_0000": statement(timestamp="2008-09-15T15:53:00.601-0000"),
    "4_5_timestamp_minus_00_00": statement(timestamp="2008-09-15T15:53:00.601-00:00"),
    # Data 2.3.2.s2.b1: "the Object of that voiding Statement MUST have the "objectType" property set to StatementRef".
    "2_3_2_voiding_an_activity": statement(verb={"id": VOIDED}),
    # Data 2.4.11: attachments.
    "2_4_11_attachment_without_usage_type": statement(attachments=[{
        k: v for k, v in attachment(b"x", fileUrl="http://example.com/x").items() if k != "usageType"}]),
    "2_4_11_attachment_length_a_string": statement(attachments=[attachment(b"x", length="1",
                                                                            fileUrl="http://example.com/x")]),
    "2_4_11_attachment_without_sha2": statement(attachments=[{
        k: v for k, v in attachment(b"x", fileUrl="http://example.com/x").items() if k != "sha2"}]),
}


@pytest.mark.parametrize("doc", list(REJECTED.values()), ids=list(REJECTED))
def test_data_the_lrs_rejects_invalid_statements_with_400(lrs, doc):
    """Data 2.2.s4.b1: "The LRS MUST reject Statements" that break the rules of Data 2.2-2.4 and 4 (each case names
    its section); Communication 3.2.s3.b1: "An LRS MUST return the error code most appropriate" (400)."""
    response = post(lrs, doc)
    assert response.status_code == 400, doc
    assert response.get_json()["error"]


ACCEPTED = {
    # Data 2.2.s4.b1.b1: nulls are allowed inside extensions; 4.1.s3.b2: "An LRS MUST NOT reject a Statement based on
    # the values of the extensions map".
    "2_2_null_in_extensions": statement(result={"extensions": {"http://example.com/null": None}},
                                        context={"extensions": {"http://example.com/x": {"any": [None, 1]}}}),
    # RFC 5646 tags of every shape.
    "2_2_language_tags": _with("verb.display", dict.fromkeys((
        "de", "i-enochian", "ine", "zh-Hant", "zh-cmn-Hans-CN", "sr-Latn-RS", "sl-rozaj-biske", "de-CH-1901",
        "hy-Latn-IT-arevela", "az-Arab-x-AZE-derbend", "x-whatever", "es-419"), "x")),
    "2_4_2_group_actor": statement(actor=GROUP),
    "2_4_9_authority_of_application_and_user": statement(authority={"objectType": "Group", "member": [
        {"account": {"homePage": "http://example.com/xAPI/OAuth/Token", "name": "oauth_consumer_x75db"}}, AGENT]}),
    "2_4_2_identified_group_actor": statement(actor={"objectType": "Group", "account": {
        "homePage": "http://example.com", "name": "team-7"}}),
    "2_4_2_openid_actor": statement(actor={"openid": "http://openid.example.org/12345"}),
    "2_4_2_sha1sum_actor": statement(actor={"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"}),
    "2_4_4_agent_object": statement(object=AGENT),
    "2_4_4_group_object": statement(object=GROUP),
    "2_4_4_statement_ref_object": statement(object={"objectType": "StatementRef", "id": new_id()}),
    "2_4_4_sub_statement_object": statement(object={**SUB, "timestamp": "2099-01-01T00:00:00Z",
                                                    "context": {"instructor": AGENT}}),
    "2_4_4_1_interactions": statement(object={"id": "http://example.com/q1", "definition": {
        "type": "http://adlnet.gov/expapi/activities/cmi.interaction", "interactionType": "choice",
        "correctResponsesPattern": ["a[,]b"], "choices": [{"id": "a", "description": {"en-US": "A"}}, {"id": "b"}]}}),
    "2_4_4_1_matching": statement(object={"id": "http://example.com/q2", "definition": {
        "interactionType": "matching", "source": [{"id": "1"}], "target": [{"id": "x"}],
        "correctResponsesPattern": ["1[.]x"]}}),
    "2_4_4_1_no_correct_answer": statement(object={"id": "http://example.com/q3", "definition": {
        "interactionType": "other", "correctResponsesPattern": []}}),
    "2_4_5_full_result": statement(result={"score": {"scaled": -1, "raw": 0, "min": -5, "max": 5}, "success": False,
                                           "completion": True, "response": "", "duration": "P3Y1M29DT4H35M59.14S"}),
    "2_4_6_full_context": statement(context={
        "registration": new_id(), "instructor": GROUP, "team": GROUP, "revision": "1.2", "platform": "web",
        "language": "en-GB", "statement": {"objectType": "StatementRef", "id": new_id()},
        "contextActivities": {"parent": [{"id": "http://x.example/p"}], "grouping": [{"id": "http://x.example/g"}],
                              "category": [{"id": "http://x.example/c"}], "other": [{"id": "http://x.example/o"}]}}),
    "2_4_7_future_timestamp": statement(timestamp="2999-01-01T00:00:00+14:00"),
    "2_4_11_file_url_attachment": statement(attachments=[attachment(b"x", fileUrl="http://example.com/x.txt")]),
}


@pytest.mark.parametrize("doc", list(ACCEPTED.values()), ids=list(ACCEPTED))
def test_data_the_lrs_accepts_valid_statements(lrs, doc):
    """Data 2.2 and 2.4: valid statements of every shape are stored (Communication 2.1.2: 200 OK); 2.4.7.s3.b6: an
    LRS "SHOULD* NOT reject a timestamp for having a greater value than the current time"."""
    response = post(lrs, doc)
    assert response.status_code == 200, response.get_json()


def test_data_2_2_a_property_used_twice_is_400(lrs):
    """Data 2.2.s2.b2: "A Statement MUST use each property no more than one time"."""
    body = ('{"actor": {"mbox": "mailto:a@example.com"}, "verb": {"id": "http://example.com/v"}, '
            '"verb": {"id": "http://example.com/w"}, "object": {"id": "http://example.com/a"}}')
    assert lrs.post(STATEMENTS, data=body, content_type="application/json").status_code == 400


@pytest.mark.parametrize("body", ["{not json", '{"actor": NaN}', "[1, 2", ""])
def test_3_2_malformed_json_is_400(lrs, body):
    """Communication 3.2.s2.b1: "400 Bad Request - ... The term "invalid arguments" includes malformed JSON"."""
    assert lrs.post(STATEMENTS, data=body, content_type="application/json").status_code == 400


def test_1_4_strings_are_utf_8(lrs):
    """Communication 1.4.s1.b1: "All strings MUST be encoded and interpreted as UTF-8" (text that is not UTF-8 is
    refused; UTF-8 text is kept as sent)."""
    body = '{"actor": {"mbox": "mailto:a@example.com", "name": "Zoë"}, "verb": {"id": "http://example.com/v"}, ' \
           '"object": {"id": "http://example.com/a"}}'
    assert lrs.post(STATEMENTS, data=body.encode("latin-1"), content_type="application/json").status_code == 400
    response = lrs.post(STATEMENTS, data=body.encode("utf-8"), content_type="application/json")
    assert response.status_code == 200
    statement_id = response.get_json()[0]
    assert lrs.get(STATEMENTS, query={"statementId": statement_id}).get_json()["actor"]["name"] == "Zoë"
