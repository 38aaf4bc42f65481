"""xAPI 1.0.3 Communication 2.4 (Agents Resource), over HTTP: the Person object for an Agent, combining what one
organisation's record knows. Each test quotes the requirement it holds the LRS to, and is named by its section."""

from __future__ import annotations

import re
import uuid

import pytest

from lms.extensions import db
from lms.tracking import lrs_store, services
from lms.tracking.directory import Actor
from tests.factories import make_user

AGENTS = "/xapi/agents"
PERSON_KEYS = {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"}


def sent(lrs, *actors: dict) -> None:
    """Store one statement per actor in `lrs`'s organisation, as the LRS stores what a tool POSTs."""
    statements = [{"actor": actor, "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
                   "object": {"id": f"http://www.example.com/meetings/{uuid.uuid4()}"}} for actor in actors]
    authority = {"objectType": "Agent", "account": {"homePage": "http://lms.test", "name": lrs.key}}
    lrs_store.save(lrs.org_id, None, authority, statements)
    db.session.commit()


@pytest.mark.parametrize("agent", [
    {"objectType": "Agent", "name": "Rick James", "mbox": "mailto:rick@example.com"},
    {"mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975"},
    {"openid": "http://openid.example.org/rick"},
    {"account": {"homePage": "http://www.example.com/agentId/1", "name": "Rick James"}},
])
def test_2_4_s3_b3_a_person_is_returned_even_for_an_agent_the_lrs_does_not_know(lrs, agent):
    """2.4.s3.b3: "If an LRS does not have any additional information about an Agent to return, the LRS MUST
    still return a Person Object when queried, but that Person Object will only include the information
    associated with the requested Agent"."""
    answer = lrs.get(AGENTS, query={"agent": agent})
    assert answer.status_code == 200
    person = answer.get_json()
    assert person["objectType"] == "Person"
    for key, value in agent.items():
        if key != "objectType":
            assert person[key] == [value]
    assert set(person) == {"objectType"} | {k for k in agent if k != "objectType"}


def test_2_4_s5_person_properties_are_arrays_of_agent_values(lrs):
    """2.4.s5 / 2.4.s6.b1: objectType is "Person"; name, mbox, mbox_sha1sum, openid and account are arrays, "All
    array properties MUST be populated with members with the same definition as the similarly named property
    from Agent Objects" — mbox entries are "mailto:" IRIs, accounts complete (homePage and name)."""
    sent(lrs, {"name": "Ada Lovelace", "mbox": "mailto:ada@example.com"},
         {"name": "Ada L.", "account": {"homePage": "http://crm.example.com", "name": "ada"}})
    person = lrs.get(AGENTS, query={"agent": {"mbox": "mailto:ada@example.com"}}).get_json()
    assert person["objectType"] == "Person"
    assert person["name"] == ["Ada Lovelace"]
    assert all(isinstance(m, str) and re.fullmatch(r"mailto:[^@\s]+@[^@\s]+", m) for m in person["mbox"])
    account = lrs.get(AGENTS, query={"agent": {"account": {"homePage": "http://crm.example.com", "name": "ada"}}})
    assert account.get_json()["account"] == [{"homePage": "http://crm.example.com", "name": "ada"}]
    assert account.get_json()["name"] == ["Ada L."]


def test_2_4_s6_b2_each_person_property_occurs_once_and_no_others_are_added(lrs):
    """2.4.s6.b2: "Additional properties not listed here SHOULD* NOT be added to this object and each property
    MUST occur only once"."""
    sent(lrs, {"name": "Ada", "mbox": "mailto:ada@example.com"}, {"name": "Ada", "mbox": "mailto:ada@example.com"})
    answer = lrs.get(AGENTS, query={"agent": {"name": "Ada", "mbox": "mailto:ada@example.com"}})
    person = answer.get_json()
    assert set(person) <= PERSON_KEYS
    assert person["name"] == ["Ada"] and person["mbox"] == ["mailto:ada@example.com"]
    assert answer.data.count(b'"name"') == 1


def test_2_4_person_combines_the_names_the_agent_was_recorded_with(lrs):
    """2.4.s2: "Return a special, Person Object for a specified Agent ... each attribute has an array value" —
    the names other tools sent for the same identifier are combined."""
    sent(lrs, {"name": "Ada Lovelace", "mbox": "mailto:ada@example.com"},
         {"name": "A. Lovelace", "mbox": "mailto:ada@example.com"}, {"name": "Bob", "mbox": "mailto:bob@example.com"})
    person = lrs.get(AGENTS, query={"agent": {"mbox": "mailto:ada@example.com"}}).get_json()
    assert sorted(person["name"]) == ["A. Lovelace", "Ada Lovelace"]
    assert person["mbox"] == ["mailto:ada@example.com"]


def test_2_4_person_includes_the_academy_s_own_record_of_the_person(lrs):
    """2.4.s2: "a person-centric view of the LRS Agent data" — the academy's statements about the same person,
    under the mailbox asked for and under the other mailbox it recorded them with (a changed email)."""
    ada = make_user(lrs.org, email="ada@northwind.example", name="Ada Lovelace")
    services.record(Actor(ada.id, "ada@northwind.example", "Ada Lovelace"), "logged-in", ("user", ada.id, "Ada"),
                    organization_id=lrs.org_id)
    services.record(Actor(ada.id, "ada.king@northwind.example", "Ada King"), "logged-in", ("user", ada.id, "Ada"),
                    organization_id=lrs.org_id)
    db.session.commit()
    person = lrs.get(AGENTS, query={"agent": {"mbox": "mailto:ada@northwind.example"}}).get_json()
    assert person["mbox"][0] == "mailto:ada@northwind.example"
    assert set(person["mbox"]) == {"mailto:ada@northwind.example", "mailto:ada.king@northwind.example"}
    assert set(person["name"]) == {"Ada Lovelace", "Ada King"}


def test_2_4_a_person_never_shows_what_another_organisation_recorded(lrs, other_lrs):
    """Tenancy: the Person object combines what this organisation's record holds, never another's."""
    sent(other_lrs, {"name": "Their name for Ada", "mbox": "mailto:ada@example.com"})
    person = lrs.get(AGENTS, query={"agent": {"mbox": "mailto:ada@example.com"}}).get_json()
    assert person == {"objectType": "Person", "mbox": ["mailto:ada@example.com"]}


def test_2_4_s2_table1_agents_requires_an_agent(lrs):
    """2.4.s2.table1 row 1: agent is Required (3.2.s2.b1: 400 Bad Request for a missing argument)."""
    assert lrs.get(AGENTS).status_code == 400


@pytest.mark.parametrize("agent", ["not JSON", "1", "true", '{"key": "value"}',
                                   '{"objectType": "Group", "mbox": "mailto:team@example.com"}',
                                   '{"objectType": "Person", "mbox": ["mailto:a@example.com"]}',
                                   '{"mbox": "mailto:a@example.com", "openid": "http://example.com/a"}'])
def test_2_4_s2_agents_rejects_an_agent_parameter_that_is_not_an_agent(lrs, agent):
    """2.4.s2: "The "agent" parameter is a normal Agent Object with a single identifier and no arrays. It is not a
    Person Object, nor is it a Group" — anything else is an invalid argument (400)."""
    assert lrs.get(AGENTS, query={"agent": agent}).status_code == 400


@pytest.mark.parametrize("name", ["Agent", "activityId", "profileId"])
def test_3_2_s3_b7_agents_rejects_parameters_it_does_not_recognise(lrs, name):
    """3.2.s3.b7 / b8: unknown parameters, and known ones in another case, get 400 Bad Request."""
    assert lrs.get(AGENTS, query={"agent": {"mbox": "mailto:a@example.com"}, name: "x"}).status_code == 400


def test_1_1_agents_head_has_no_body(lrs):
    """1.1.s3.b1: a HEAD answers as GET would, "The message-body MUST be omitted"."""
    query = {"agent": {"mbox": "mailto:a@example.com"}}
    got, head = lrs.get(AGENTS, query=query), lrs.head(AGENTS, query=query)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Type"] == got.headers["Content-Type"]
    assert head.headers["ETag"] == got.headers["ETag"]


def test_3_1_s4_b1_agents_get_carries_an_etag(lrs):
    """2.4: "This resource has Concurrency controls associated with it" — 3.1.s4.b1: a GET carries an ETag."""
    answer = lrs.get(AGENTS, query={"agent": {"mbox": "mailto:a@example.com"}})
    assert re.fullmatch(r'"[0-9a-f]{40}"', answer.headers["ETag"])


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_2_4_agents_answers_only_get(lrs, method):
    """2.4.s1: the Agents Resource is a "Combined Information GET": other methods are not allowed (405)."""
    assert lrs.request(method, AGENTS, query={"agent": {"mbox": "mailto:a@example.com"}}).status_code == 405


def test_3_2_s3_b10_agents_refuses_write_only_credentials(lrs_write_only):
    """3.2.s3.b10: credentials without permission to read get 403 Forbidden."""
    assert lrs_write_only.get(AGENTS, query={"agent": {"mbox": "mailto:a@example.com"}}).status_code == 403
