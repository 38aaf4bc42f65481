"""The connected tools page: an org admin's LRS credentials per tool (secret shown once), the rules that map tools'
statements to practices with their ready-made starting points, the latest statements received; tenancy and CSRF."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from lms.abm.vocabulary import PRACTICES
from lms.database import utcnow
from lms.extensions import db
from lms.tracking.credentials import create_credential
from lms.tracking.models import LrsCredential, Statement, ToolMapping
from lms.tracking.tools import AS, SUGGESTIONS, VOIDED, Facts, Rule, matches, practices_of, rule_problems
from tests.factories import make_org, make_user

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def orgs(app):
    northwind, contoso = make_org("Northwind", slug="northwind"), make_org("Contoso", slug="contoso")
    admin = make_user(northwind, ("org_admin",), email="admin@northwind.example")
    make_user(northwind, ("learner",), email="learner@northwind.example")
    other_admin = make_user(contoso, ("org_admin",), email="admin@contoso.example")
    return northwind, contoso, admin, other_admin


def _credential(org, name="Outreach", **kw):
    credential, secret = create_credential(org.id, name, can_read=kw.get("can_read", True),
                                           can_write=kw.get("can_write", True), created_by_id=None)
    db.session.commit()
    return credential, secret


# --- access -----------------------------------------------------------------------------------------------


def test_only_org_admins_reach_the_tools_pages(client, auth, orgs):
    assert client.get("/admin/tools").status_code == 302  # signed out: to the sign-in page
    auth.login("learner@northwind.example")
    assert client.get("/admin/tools").status_code == 403
    assert client.get("/admin/tools/import").status_code == 403
    auth.logout()
    auth.login("admin@northwind.example")
    page = client.get("/admin/tools")
    assert page.status_code == 200
    assert "Connected tools" in page.get_data(as_text=True)
    assert 'href="/admin/tools"' in client.get("/admin/api-tokens").get_data(as_text=True)  # in the navigation


# --- credentials ------------------------------------------------------------------------------------------


def test_creating_credentials_shows_the_secret_once_with_the_endpoint_and_a_curl_example(client, auth, orgs):
    northwind = orgs[0]
    auth.login("admin@northwind.example")
    page = client.post("/admin/tools", data={"name": "Outreach", "can_write": "y"}).get_data(as_text=True)
    credential = db.session.scalar(select(LrsCredential).where(LrsCredential.organization_id == northwind.id))
    assert credential.name == "Outreach" and credential.can_write and not credential.can_read
    secret = re.search(r'Secret \(password\)</dt><dd><code class="token">([^<]+)</code>', page).group(1)
    assert credential.key in page and secret not in credential.secret_hash
    assert "http://lms.test/xapi/" in page  # the endpoint, from the About resource's URL
    assert f'curl -u "{credential.key}:{secret}"' in page and '"http://lms.test/xapi/statements"' in page
    again = client.get("/admin/tools").get_data(as_text=True)
    assert credential.key in again and secret not in again  # shown once
    assert "Never" in again  # not used yet


def test_credentials_need_a_name_and_read_or_write_and_keep_what_was_typed(client, auth, orgs):
    auth.login("admin@northwind.example")
    page = client.post("/admin/tools", data={"name": "", "can_read": "y"}).get_data(as_text=True)
    assert "Name the tool" in page
    assert re.search(r'<input[^>]*checked[^>]*name="can_read"|<input[^>]*name="can_read"[^>]*checked', page)
    page = client.post("/admin/tools", data={"name": "Salesloft"}).get_data(as_text=True)
    assert "Let the tool write, read, or both." in page and 'value="Salesloft"' in page
    assert db.session.scalar(select(LrsCredential.id)) is None


def test_revoking_credentials_and_another_organisations_answer_404(client, auth, orgs):
    northwind, contoso = orgs[0], orgs[1]
    mine, _ = _credential(northwind)
    theirs, _ = _credential(contoso, "Contoso CRM")
    auth.login("admin@northwind.example")
    assert client.post(f"/admin/tools/{theirs.id}/revoke").status_code == 404
    page = client.get("/admin/tools").get_data(as_text=True)
    assert "Contoso CRM" not in page and theirs.key not in page
    assert client.post(f"/admin/tools/{mine.id}/revoke").status_code == 302
    db.session.expire_all()
    assert db.session.get(LrsCredential, mine.id).revoked_at is not None
    assert db.session.get(LrsCredential, theirs.id).revoked_at is None
    assert "revoked" in client.get("/admin/tools").get_data(as_text=True)


def test_every_form_needs_its_csrf_token(app, client, auth, orgs):
    northwind = orgs[0]
    credential, _ = _credential(northwind)
    mapping = ToolMapping(organization_id=northwind.id, practice="sequence_started", verb_iri=AS + "start")
    db.session.add(mapping)
    db.session.commit()
    auth.login("admin@northwind.example")
    app.config["WTF_CSRF_ENABLED"] = True
    for path, data in (("/admin/tools", {"name": "Salesloft", "can_write": "y"}),
                       (f"/admin/tools/{credential.id}/revoke", {}),
                       ("/admin/tools/rules", {"practice": "sequence_started", "verb_iri": AS + "start"}),
                       (f"/admin/tools/rules/{mapping.id}/delete", {}),
                       ("/admin/tools/import", {"dates": "dmy"})):
        assert client.post(path, data=data).status_code == 400, path
    db.session.expire_all()
    assert db.session.scalar(select(LrsCredential).where(LrsCredential.name == "Salesloft")) is None
    assert db.session.get(LrsCredential, credential.id).revoked_at is None
    assert len(db.session.scalars(select(ToolMapping)).all()) == 1


# --- rules ------------------------------------------------------------------------------------------------


def test_adding_and_deleting_a_rule(client, auth, orgs):
    northwind = orgs[0]
    credential, _ = _credential(northwind)
    auth.login("admin@northwind.example")
    response = client.post("/admin/tools/rules", data={"practice": "sequence_started", "credential": str(credential.id),
                                                      "verb_iri": AS + "start", "activity_type": "",
                                                      "activity_prefix": ""})
    assert response.status_code == 302
    mapping = db.session.scalar(select(ToolMapping))
    assert (mapping.organization_id, mapping.credential_id, mapping.verb_iri, mapping.activity_type,
            mapping.activity_prefix, mapping.practice) == (northwind.id, credential.id, AS + "start", None, None,
                                                           "sequence_started")
    page = client.get("/admin/tools").get_data(as_text=True)
    assert "Sequence started for a buying-group contact" in page and AS + "start" in page
    assert client.post(f"/admin/tools/rules/{mapping.id}/delete").status_code == 302
    assert db.session.scalar(select(ToolMapping)) is None
    verbs = [s.verb for s in db.session.scalars(select(Statement).where(Statement.object_type == "tool-mapping"))]
    assert verbs == ["created", "deleted"]  # the audit trail


def test_a_rule_with_errors_keeps_the_values_typed(client, auth, orgs):
    auth.login("admin@northwind.example")
    page = client.post("/admin/tools/rules", data={"practice": "account_plan_updated", "verb_iri": "updated",
                                                  "activity_type": "", "activity_prefix": "https://crm.example/plans/"}
                       ).get_data(as_text=True)
    assert "Enter the verb&#39;s full IRI" in page or "Enter the verb's full IRI" in page
    assert 'value="updated"' in page and 'value="https://crm.example/plans/"' in page
    assert re.search(r'<option[^>]*selected[^>]*value="account_plan_updated"|'
                     r'<option value="account_plan_updated" selected', page)
    page = client.post("/admin/tools/rules", data={"practice": "sequence_started"}).get_data(as_text=True)
    assert "a rule without any would count every statement" in page
    page = client.post("/admin/tools/rules", data={"verb_iri": AS + "start"}).get_data(as_text=True)
    assert "Choose the practice" in page and 'value="' + AS + 'start"' in page
    assert db.session.scalar(select(ToolMapping)) is None


def test_another_organisations_tools_and_rules_are_out_of_reach(client, auth, orgs):
    contoso = orgs[1]
    theirs, _ = _credential(contoso, "Salesloft")
    their_rule = ToolMapping(organization_id=contoso.id, practice="sequence_started", credential_id=theirs.id)
    db.session.add(their_rule)
    db.session.commit()
    auth.login("admin@northwind.example")
    page = client.post("/admin/tools/rules", data={"practice": "sequence_started", "credential": str(theirs.id)}
                       ).get_data(as_text=True)
    assert "Not a valid choice" in page
    assert client.post(f"/admin/tools/rules/{their_rule.id}/delete").status_code == 404
    assert len(db.session.scalars(select(ToolMapping)).all()) == 1


def test_a_starting_point_fills_the_rule_form(client, auth, orgs):
    auth.login("admin@northwind.example")
    page = client.get("/admin/tools?suggestion=task-logged").get_data(as_text=True)
    assert f'value="{AS}complete"' in page and f'value="{AS}task"' in page
    assert re.search(r'<option[^>]*selected[^>]*value="account_research"|<option value="account_research" selected',
                     page)
    for suggestion in SUGGESTIONS:
        assert f"suggestion={suggestion.key}" in page


def test_the_latest_statements_received_show_what_they_count_as(client, auth, orgs):
    northwind, contoso = orgs[0], orgs[1]
    credential, _ = _credential(northwind)
    now = utcnow()
    for org, cred, verb, sid in ((northwind, credential.id, AS + "start", "a" * 8),
                                 (northwind, credential.id, AS + "open", "b" * 8),
                                 (contoso, None, AS + "start", "c" * 8)):
        db.session.add(Statement(id=f"{sid}-0000-4000-8000-000000000000", timestamp=now, stored=now, verb="external",
                                 object_type="activity", object_id=f"https://outreach.example/{sid}",
                                 organization_id=org.id, source="lrs", verb_iri=verb, credential_id=cred,
                                 activity_iri=f"https://outreach.example/{sid}", actor_email="ada@northwind.example",
                                 document={"object": {"id": f"https://outreach.example/{sid}",
                                                      "definition": {"type": AS + "task"}}}))
    db.session.add(ToolMapping(organization_id=northwind.id, practice="sequence_started", verb_iri=AS + "start"))
    db.session.commit()
    auth.login("admin@northwind.example")
    page = client.get("/admin/tools").get_data(as_text=True)
    received = page[page.index('id="received"'):page.index('id="practice-list"')]
    assert received.count("<tr>") == 3  # the header and Northwind's two, never Contoso's
    assert "https://outreach.example/aaaaaaaa" in received and "https://outreach.example/cccccccc" not in received
    assert "Sequence started for a buying-group contact" in received and "Make a rule" in received


# --- the rule, pure ---------------------------------------------------------------------------------------


CASES = [
    (Rule("sequence_started", verb_iri=AS + "start"), Facts(1, AS + "start", None, "https://x/1"), True),
    (Rule("sequence_started", verb_iri=AS + "start"), Facts(1, AS + "open", None, "https://x/1"), False),
    (Rule("sequence_started", credential_id=2), Facts(1, AS + "start", None, None), False),
    (Rule("sequence_started", credential_id=1), Facts(1, AS + "start", None, None), True),
    (Rule("account_research", activity_type=AS + "task"), Facts(None, AS + "complete", AS + "task", None), True),
    (Rule("account_research", activity_type=AS + "task"), Facts(None, AS + "complete", None, None), False),
    (Rule("account_plan_updated", activity_prefix="https://crm/plans/"), Facts(None, None, None, "https://crm/plans/7"),
     True),
    (Rule("account_plan_updated", activity_prefix="https://crm/plans/"), Facts(None, None, None, "https://crm/x"),
     False),
    (Rule("account_plan_updated", activity_prefix="https://crm/plans/"), Facts(None, None, None, None), False),
    (Rule("account_plan_updated", verb_iri=AS + "update", activity_prefix="https://crm/plans/"),
     Facts(None, AS + "start", None, "https://crm/plans/7"), False),  # every condition given must hold
    (Rule("handoff_accepted", credential_id=1), Facts(1, VOIDED, None, None), False),  # voiding never counts
    (Rule("account_plan_updated", activity_prefix="https://crm/p%_"), Facts(None, None, None, "https://crm/plans"),
     False),  # a prefix is text, not a LIKE pattern
]


@pytest.mark.parametrize(("rule", "facts", "expected"), CASES)
def test_a_rule_matches_when_every_condition_it_gives_holds(rule, facts, expected):
    assert matches(rule, facts) is expected


def test_the_rule_in_sql_decides_as_the_rule_in_python(app):
    from lms.tracking.tool_mappings import external_statements, statement_condition

    org = make_org()
    first, _ = create_credential(org.id, "One", can_read=False, can_write=True, created_by_id=None)
    create_credential(org.id, "Two", can_read=False, can_write=True, created_by_id=None)
    now = utcnow()
    for i, (_, facts, _) in enumerate(CASES):
        db.session.add(Statement(
            id=f"00000000-0000-4000-8000-{i:012d}", timestamp=now, stored=now, verb="external",
            object_type="activity", object_id=str(i), organization_id=org.id, source="lrs", verb_iri=facts.verb_iri,
            activity_iri=facts.activity_iri, credential_id=facts.credential_id and first.id + facts.credential_id - 1,
            document={"object": {"definition": {"type": facts.activity_type}} if facts.activity_type else {}}))
    db.session.commit()
    for i, (rule, _, expected) in enumerate(CASES):
        if rule.credential_id:
            rule = Rule(rule.practice, first.id + rule.credential_id - 1, rule.verb_iri, rule.activity_type,
                        rule.activity_prefix)
        found = db.session.scalar(select(Statement.id).where(Statement.object_id == str(i),
                                                             external_statements(org.id), statement_condition(rule)))
        assert (found is not None) is expected, CASES[i]


def test_a_statement_counts_once_per_practice_in_vocabulary_order():
    rules = [Rule("sequence_started", verb_iri=AS + "start"), Rule("sequence_started", credential_id=1),
             Rule("account_research", credential_id=1)]
    assert practices_of(rules, Facts(1, AS + "start", None, None)) == ["account_research", "sequence_started"]


def test_rule_problems_name_each_field():
    assert rule_problems(has_tool=False, verb_iri="", activity_type="", activity_prefix="", practice="x") == {
        "practice": "Choose the practice these statements show.",
        "verb_iri": "Choose a tool, or give a verb, an activity type or an activity IRI prefix: a rule without any "
                    "would count every statement of every tool."}
    assert rule_problems(has_tool=True, verb_iri="", activity_type="", activity_prefix="",
                         practice="sequence_started") == {}
    assert set(rule_problems(has_tool=False, verb_iri="start", activity_type="a task", activity_prefix="plans",
                             practice="sequence_started")) == {"verb_iri", "activity_type", "activity_prefix"}


def test_every_practice_evidences_a_competency_of_the_framework_and_every_suggestion_a_practice():
    framework = yaml.safe_load((ROOT / "courses" / "competencies.yaml").read_text())
    slugs = {c["slug"] for c in framework["competencies"]}
    assert {p.competency for p in PRACTICES.values()} <= slugs
    assert all(len(key) <= 40 and p.key == key for key, p in PRACTICES.items())  # fits ToolMapping.practice
    assert {s.practice for s in SUGGESTIONS} <= set(PRACTICES)
    assert all(s.verb_iri and s.verb_iri.startswith("http") for s in SUGGESTIONS)


def test_a_credential_last_used_shows_on_the_page(client, auth, orgs):
    credential, _ = _credential(orgs[0])
    credential.last_used_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    auth.login("admin@northwind.example")
    row = client.get("/admin/tools").get_data(as_text=True).split(credential.key)[1].split("</tr>")[0]
    assert "Never" not in row and "active" in row and "write, read" in row
