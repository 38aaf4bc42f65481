"""The adoption report's use of the practice outside the academy: per trained person and practice, uses reported
by other tools in the N weeks before and after training, laggards, the filters, a fixed number of queries, CSV.

Northwind's course teaches account-selection and buying-group-mapping (tests/reports/conftest.py): L1 completed it
20 days ago, L5 40 days ago. Rules count Salesforce's completed tasks as account research, any tool's activities
under https://crm.example/contacts/ as buying-group contacts added, and Outreach's starts as sequences started (a
practice no course teaches here).
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.learning.models import Enrolment
from lms.reports.filters import Filters
from lms.reports.queries.practice_use import practice_use
from lms.tracking.credentials import create_credential
from lms.tracking.models import Statement, ToolMapping
from lms.tracking.tools import AS

DAY = timedelta(days=1)
TASK = AS + "task"


def external(world, user, when, *, verb=AS + "complete", kind=TASK, iri="https://salesforce.example/task/1",
             org=None, credential=None, source="lrs", voided=False):
    org = org or world.org
    db.session.add(Statement(
        id=str(uuid.uuid4()), timestamp=world.now + when, stored=world.now, verb="external", object_type="activity",
        object_id=iri, organization_id=org.id, source=source, verb_iri=verb, activity_iri=iri,
        credential_id=credential.id if credential else None, voided=voided,
        actor_id=user.id if user else None, actor_email=user.email if user else "nobody@elsewhere.example",
        document={"verb": {"id": verb}, "object": {"id": iri, "definition": {"type": kind} if kind else {}}}))


@pytest.fixture
def tools(world):
    salesforce, _ = create_credential(world.org.id, "Salesforce", can_read=False, can_write=True, created_by_id=None)
    outreach, _ = create_credential(world.org.id, "Outreach", can_read=False, can_write=True, created_by_id=None)
    theirs, _ = create_credential(world.other.id, "Contoso CRM", can_read=False, can_write=True, created_by_id=None)
    db.session.add_all([
        ToolMapping(organization_id=world.org.id, credential_id=salesforce.id, verb_iri=AS + "complete",
                    activity_type=TASK, practice="account_research"),
        ToolMapping(organization_id=world.org.id, activity_prefix="https://crm.example/contacts/",
                    practice="buying_group_contact_added"),
        ToolMapping(organization_id=world.org.id, activity_prefix="https://crm.example/contacts/vip",
                    practice="buying_group_contact_added"),  # overlaps the rule above: a statement counts once
        ToolMapping(organization_id=world.org.id, credential_id=outreach.id, practice="sequence_started"),
        ToolMapping(organization_id=world.other.id, credential_id=theirs.id, practice="account_research"),
    ])
    L = world.learners  # noqa: N806
    # L1, trained 20 days ago: research 35 and 25 days ago (before), 10 days ago (after); one contact added after.
    for days in (-35, -25, -10):
        external(world, L["L1"], days * DAY, credential=salesforce)
    external(world, L["L1"], -5 * DAY, verb=AS + "add", kind=None, iri="https://crm.example/contacts/vip-42",
             source="csv")
    # None of these counts: another tool, another verb, voided, nobody's, another organisation's.
    external(world, L["L1"], -9 * DAY, credential=outreach)  # Outreach's: sequences, not research
    external(world, L["L1"], -8 * DAY, credential=salesforce, verb=AS + "open")
    external(world, L["L1"], -7 * DAY, credential=salesforce, voided=True)
    external(world, None, -6 * DAY, credential=salesforce)
    external(world, L["L1"], -4 * DAY, credential=theirs, org=world.other)
    external(world, world.outsider, -3 * DAY, credential=theirs, org=world.other)
    # L5, trained 40 days ago: research 50 days ago, nothing since (a laggard).
    external(world, L["L5"], -50 * DAY, credential=salesforce)
    db.session.commit()
    return salesforce, outreach, theirs


def _rows(report):
    return {(r.name, r.practice): (r.before, r.after, r.since, r.status) for r in report.rows}


def test_uses_before_and_after_training_per_person_and_practice(world, tools):
    report = practice_use(Filters(world.org.id, world.now))
    assert report.weeks == 4 and report.mapped == ["account_research", "buying_group_contact_added",
                                                   "sequence_started"]
    assert report.untaught == ["sequence_started"]  # no course teaches campaign orchestration here
    assert _rows(report) == {
        ("Learner L1", "account_research"): (2, 1, 1, "using"),
        ("Learner L1", "buying_group_contact_added"): (0, 1, 1, "using"),
        ("Learner L5", "account_research"): (1, 0, 0, "laggard"),
        ("Learner L5", "buying_group_contact_added"): (0, 0, 0, "laggard"),
    }
    assert [r.name for r in report.rows][:2] == ["Learner L5", "Learner L5"]  # laggards first
    l1 = next(r for r in report.rows if r.name == "Learner L1" and r.practice == "account_research")
    assert l1.trained_at == world.now - 20 * DAY and l1.last_use == world.now - 10 * DAY
    assert l1.weeks_after_so_far == 2  # 20 days into the 4 weeks after
    research = report.summaries[0]
    assert (research.practice, research.trained, research.used_before, research.used_after, research.using,
            research.laggards, research.uses_before, research.uses_after) == (
        "account_research", 2, 2, 1, 1, 1, 3, 1)
    assert report.laggard_total == 2 and report.total_rows == 4


def test_the_weeks_before_and_after_are_configurable(world, tools):
    report = practice_use(Filters(world.org.id, world.now, weeks=2))
    assert _rows(report)[("Learner L1", "account_research")] == (1, 1, 1, "using")  # 35 days before is outside
    assert _rows(report)[("Learner L5", "account_research")] == (1, 0, 0, "laggard")  # 10 days before
    one = practice_use(Filters(world.org.id, world.now, weeks=1))
    assert _rows(one)[("Learner L5", "account_research")] == (0, 0, 0, "laggard")


def test_the_team_cohort_and_period_filters_narrow_the_trained_people(world, tools):
    sales = practice_use(Filters(world.org.id, world.now, function="sales"))
    assert {r.name for r in sales.rows} == {"Learner L1"}
    assert practice_use(Filters(world.org.id, world.now, cohort_id=world.team_b.id)).rows == []
    recent = practice_use(Filters(world.org.id, world.now, start=(world.now - 30 * DAY).date()))
    assert {r.name for r in recent.rows} == {"Learner L1"}  # L5 completed before the period


def test_a_person_trained_a_moment_ago_is_not_yet_a_laggard(world, tools):
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == world.learners["L5"].id))
    enrolment.completed_at = world.now - DAY
    db.session.commit()
    rows = {(r.name, r.practice): r for r in practice_use(Filters(world.org.id, world.now)).rows}
    assert rows[("Learner L5", "account_research")].status == "new"
    assert rows[("Learner L5", "account_research")].before == 0  # 50 days ago is outside the 4 weeks before


def test_another_organisation_sees_only_its_own(world, tools):
    report = practice_use(Filters(world.other.id, world.now))
    assert report.mapped == ["account_research"] and report.rows == []  # its learner never completed the course


def test_without_rules_the_section_asks_for_connected_tools(world):
    report = practice_use(Filters(world.org.id, world.now))
    assert report.mapped == [] and report.rows == [] and report.summaries == []


def test_a_fixed_number_of_queries_whatever_the_data_size(world, tools, queries):
    with queries:
        practice_use(Filters(world.org.id, world.now))
    small = queries.count
    salesforce = tools[0]
    for i in range(300):
        external(world, world.learners["L1" if i % 2 else "L5"], -(i % 60) * DAY, credential=salesforce)
        external(world, world.learners["L1"], -(i % 30) * DAY, kind=None, iri=f"https://crm.example/contacts/{i}")
    db.session.commit()
    with queries:
        report = practice_use(Filters(world.org.id, world.now))
    assert queries.count == small == 4
    assert _rows(report)[("Learner L1", "account_research")][2] > 1


def test_the_adoption_page_and_its_csv_show_practice_use(client, auth, world, tools):
    world.learners["L5"].name = "=HYPERLINK(\"http://evil.example\")"
    db.session.commit()
    auth.login("manager@northwind.example")
    page = client.get("/reports/adoption?weeks=2").get_data(as_text=True)
    assert "Use of the practice outside the academy" in page
    section = page[page.index('id="practice-use"'):page.index('id="laggards"')]
    assert "Account research logged against a target account" in section and "laggard" in section
    assert "Used in the 2 weeks before" in section and "sequence started" in section  # untaught, named
    assert 'name="weeks"' in page and 'value="2"' in page
    data = client.get("/reports/adoption/practice_use.csv?weeks=2").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(data)))
    assert rows[0][:6] == ["Name", "Email", "Team", "Practice", "Trained", "Uses in the 2 weeks before"]
    assert rows[1][0] == "'=HYPERLINK(\"http://evil.example\")"  # formula-safe
    summary = list(csv.reader(io.StringIO(client.get("/reports/adoption/practices.csv").get_data(as_text=True)
                                          .lstrip("\ufeff"))))
    assert summary[1][:3] == ["Account research logged against a target account", "account-selection", "2"]
    assert "Enter 1 to 52 weeks." in client.get("/reports/adoption?weeks=99").get_data(as_text=True)


def test_another_organisations_manager_does_not_see_it(client, auth, world, tools):
    from tests.factories import make_user

    make_user(world.other, ("manager",), email="manager@contoso.example")
    auth.login("manager@contoso.example")
    page = client.get("/reports/adoption").get_data(as_text=True)
    section = page[page.index('id="practice-use"'):page.index('id="laggards"')]
    assert "Learner L1" not in section and "Learner L5" not in section
