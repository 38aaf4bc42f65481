"""Issue 17's "done when": an external tool posting statements with its own credentials shows up in the adoption
report's tool usage for the right people, and cannot read or write another organisation's statements.

The tool is Outreach (a sales-engagement tool). The org admin creates its credentials and a rule on the connected
tools page; the tool then posts, over HTTP Basic, that Ada started a sequence. The verb is Activity Streams 1.0's
"start" (http://activitystrea.ms/schema/1.0/start, listed as "started" in the xAPI vocabulary registry), which is
how a connector would say that a contact was added to a sequence; the rule counts Outreach's "start" statements as
the practice "sequence started for a buying-group contact" (campaign orchestration).
"""

from __future__ import annotations

import base64
import csv
import io
import re
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lms.content.models import Competency, Course, Module
from lms.database import utcnow
from lms.extensions import db
from lms.learning.models import Enrolment
from lms.tracking.credentials import create_credential
from lms.tracking.models import Statement
from tests.factories import make_org, make_user

START = "http://activitystrea.ms/schema/1.0/start"
SEQUENCE = "https://outreach.example/sequences/tier-1-buying-group"


@pytest.fixture
def world(app):
    now = utcnow()
    northwind, contoso = make_org("Northwind", slug="northwind"), make_org("Contoso", slug="contoso")
    course = Course(slug="orchestration", title="Orchestrating ABM campaigns", audience="in-house", module_count=1,
                    minutes=10)
    db.session.add(course)
    db.session.flush()
    db.session.add(Module(course_id=course.id, slug="sequences", position=1, title="Sequences", minutes=10,
                          competencies=["campaign-orchestration"], last_reviewed=date(2026, 1, 1), version="v1"))
    db.session.add(Competency(slug="campaign-orchestration", name="Multi-channel orchestration", position=0))
    make_user(northwind, ("org_admin",), email="admin@northwind.example")
    make_user(northwind, ("manager",), email="manager@northwind.example")
    ada = make_user(northwind, ("learner",), email="ada@northwind.example", name="Ada Lovelace", job_function="sales")
    bob = make_user(northwind, ("learner",), email="bob@northwind.example", name="Bob Builder", job_function="sales")
    make_user(contoso, ("manager",), email="manager@contoso.example")
    carla = make_user(contoso, ("learner",), email="carla@contoso.example", name="Carla Contoso")
    for person, org in ((ada, northwind), (bob, northwind), (carla, contoso)):
        db.session.add(Enrolment(user_id=person.id, course_id=course.id, organization_id=org.id, source="assigned",
                                 enrolled_at=now - timedelta(days=30), started_at=now - timedelta(days=20),
                                 completed_at=now - timedelta(days=14)))
    db.session.commit()
    return northwind, contoso, ada, bob


def _basic(key: str, secret: str) -> dict:
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}


def _statement(email: str, days_ago: int, **extra) -> dict:
    when = (utcnow() - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {"actor": {"objectType": "Agent", "mbox": f"mailto:{email}"},
            "verb": {"id": START, "display": {"en-GB": "started"}},
            "object": {"objectType": "Activity", "id": SEQUENCE,
                       "definition": {"name": {"en-GB": "Tier 1 buying group"}}},
            "timestamp": when, **extra}


def _connect_outreach(client, auth) -> tuple[str, str]:
    """The org admin creates Outreach's credentials and its rule on the connected tools page."""
    auth.login("admin@northwind.example")
    page = client.post("/admin/tools", data={"name": "Outreach", "can_write": "y", "can_read": "y"}
                       ).get_data(as_text=True)
    key = re.search(r'Key \(user name\)</dt><dd><code class="token">([^<]+)</code>', page).group(1)
    secret = re.search(r'Secret \(password\)</dt><dd><code class="token">([^<]+)</code>', page).group(1)
    credential_id = re.search(r'/admin/tools/(\d+)/revoke', page).group(1)
    added = client.post("/admin/tools/rules", data={"practice": "sequence_started", "credential": credential_id,
                                                   "verb_iri": START, "activity_type": "", "activity_prefix": ""})
    assert added.status_code == 302
    auth.logout()
    return key, secret


def _practice_section(client) -> str:
    page = client.get("/reports/adoption").get_data(as_text=True)
    return page[page.index('id="practice-use"'):page.index('id="laggards"')]


def test_a_tools_statement_reaches_the_adoption_report_for_the_right_person(client, auth, world):
    northwind, _, ada, bob = world
    key, secret = _connect_outreach(client, auth)
    sent = client.post("/xapi/statements", json=_statement("ada@northwind.example", 2), headers=_basic(key, secret))
    assert sent.status_code == 200, sent.get_data(as_text=True)
    [statement_id] = sent.get_json()
    stored = db.session.get(Statement, statement_id)
    assert (stored.organization_id, stored.source, stored.verb, stored.verb_iri, stored.actor_id) == (
        northwind.id, "lrs", "external", START, ada.id)

    auth.login("manager@northwind.example")
    section = _practice_section(client)
    assert "Sequence started for a buying-group contact" in section
    ada_row = section[section.index("Ada Lovelace"):].split("</tr>")[0]
    assert "using" in ada_row and "laggard" not in ada_row
    bob_row = section[section.index("Bob Builder"):].split("</tr>")[0]
    assert "laggard" in bob_row  # trained two weeks ago, no use since
    rows = list(csv.DictReader(io.StringIO(
        client.get("/reports/adoption/practice_use.csv").get_data(as_text=True).lstrip("\ufeff"))))
    ada_csv = next(r for r in rows if r["Email"] == "ada@northwind.example")
    assert (ada_csv["Practice"], ada_csv["Uses in the 4 weeks before"], ada_csv["Uses in the 4 weeks after"],
            ada_csv["Uses since training"], ada_csv["Status"]) == (
        "Sequence started for a buying-group contact", "0", "1", "1", "using")


def test_the_tools_credentials_reach_only_their_own_organisation(client, auth, world):
    _, contoso, _, _ = world
    key, secret = _connect_outreach(client, auth)
    theirs, their_secret = create_credential(contoso.id, "Contoso CRM", can_read=True, can_write=True,
                                             created_by_id=None)
    db.session.commit()
    their_id = client.post("/xapi/statements", json=_statement("carla@contoso.example", 1),
                           headers=_basic(theirs.key, their_secret)).get_json()[0]
    ours = _basic(key, secret)

    # Reading: another organisation's statement is not found, and never listed.
    assert client.get(f"/xapi/statements?statementId={their_id}", headers=ours).status_code == 404
    listed = client.get("/xapi/statements", headers=ours).get_json()["statements"]
    assert their_id not in {s["id"] for s in listed}
    assert client.get(f"/xapi/statements?statementId={their_id}",
                      headers=_basic(theirs.key, their_secret)).status_code == 200

    # Writing: voiding it or re-sending its id leaves Contoso's statement as it was.
    void = {"actor": {"mbox": "mailto:ada@northwind.example"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
            "object": {"objectType": "StatementRef", "id": their_id}}
    client.post("/xapi/statements", json=void, headers=ours)
    client.put(f"/xapi/statements?statementId={their_id}", json=_statement("ada@northwind.example", 1),
               headers=ours)
    db.session.expire_all()
    held = db.session.get(Statement, their_id)
    assert held.organization_id == contoso.id and held.voided is False
    assert held.document["actor"]["mbox"] == "mailto:carla@contoso.example"

    # A statement about a Northwind person sent to Contoso's LRS is Contoso's: it never counts for Northwind.
    client.post("/xapi/statements", json=_statement("ada@northwind.example", 1, id=str(uuid.uuid4())),
                headers=_basic(theirs.key, their_secret))
    assert db.session.scalars(select(Statement.organization_id).where(Statement.credential_id == theirs.id)).all() == [
        contoso.id, contoso.id]


def test_another_organisations_report_does_not_show_it(client, auth, world):
    key, secret = _connect_outreach(client, auth)
    assert client.post("/xapi/statements", json=_statement("ada@northwind.example", 2),
                       headers=_basic(key, secret)).status_code == 200
    auth.login("manager@contoso.example")
    section = _practice_section(client)
    assert "Ada Lovelace" not in section and "Sequence started" not in section  # Contoso has no rules
