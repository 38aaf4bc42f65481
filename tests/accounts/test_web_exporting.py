"""Exports: every entity as CSV or XLSX, in our own or a CRM's headers, safe to open, and importable again."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.accounts.demo import load_demo_workspace
from lms.accounts.models import Account, Contact
from lms.accounts.records import create_account
from lms.extensions import db
from lms.tracking.models import Statement
from tests.accounts.web_support import count, import_bytes, make_team, text

ENTITIES = ("accounts", "contacts", "signals", "opportunities", "handoffs")


@pytest.fixture
def teams(app, client, auth):
    """Team A with the demo workspace; team B (same company) empty."""
    a = make_team(prefix="a-")
    b = make_team(a.org, "Second team", prefix="b-")
    load_demo_workspace(a.workspace(), a.marketing)  # the same import services the pages use
    db.session.commit()
    auth.login(a.marketing.email)
    return a, b


def download(client, entity: str, fmt: str = "csv", style: str = "abm_academy"):
    response = client.get(f"/workspace/export?entity={entity}&fmt={fmt}&style={style}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def test_every_entity_round_trips_through_export_and_import_into_another_workspace(client, auth, teams):
    a, b = teams
    exported = {entity: download(client, entity).data for entity in ENTITIES}
    auth.logout()
    auth.login(b.marketing.email)
    for entity in ENTITIES:
        assert import_bytes(client, f"{entity}.csv", exported[entity]).status_code == 302, entity

    for entity in ENTITIES:
        assert download(client, entity).data == exported[entity], entity
    assert count(Account, b.workspace().id) == 45
    assert count(Contact, b.workspace().id) == 187


def test_xlsx_exports_round_trip_too(client, auth, teams):
    a, b = teams
    workbook = download(client, "contacts", fmt="xlsx")
    assert workbook.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    accounts = download(client, "accounts", fmt="xlsx").data
    as_csv = {entity: download(client, entity).data for entity in ("accounts", "contacts")}
    auth.logout()
    auth.login(b.marketing.email)
    import_bytes(client, "accounts.xlsx", accounts)
    import_bytes(client, "contacts.xlsx", workbook.data)
    assert count(Contact, b.workspace().id) == 187
    assert {entity: download(client, entity).data for entity in ("accounts", "contacts")} == as_csv


@pytest.mark.parametrize(("style", "source"), [("salesforce_report", "Salesforce report export"),
                                               ("hubspot", "HubSpot export")])
def test_crm_styled_exports_are_recognised_as_that_crm_on_import(client, auth, teams, style, source):
    a, b = teams
    accounts = download(client, "accounts", style=style).data
    contacts = download(client, "contacts", style=style).data
    auth.logout()
    auth.login(b.marketing.email)
    preview = client.post("/workspace/import", data={"file": (io.BytesIO(accounts), "a.csv")},
                          content_type="multipart/form-data")
    assert source in text(client.get(preview.headers["Location"]))
    import_bytes(client, "a.csv", accounts)
    import_bytes(client, "c.csv", contacts)
    names = sorted(db.session.scalars(select(Account.name).where(Account.workspace_id == b.workspace().id)))
    assert len(names) == 45 and "The Quenby Group" in names
    assert count(Contact, b.workspace().id) == 187


def test_exported_cells_cannot_run_as_formulas_in_csv_or_xlsx(client, teams):
    a, _ = teams
    ws = a.workspace()
    create_account(ws, a.marketing, {"name": '=HYPERLINK("http://evil.example","Click")',
                                              "industry": "@SUM(1+1)", "region": "-2+3"})
    db.session.commit()

    csv_text = download(client, "accounts").get_data(as_text=True)
    assert "'=HYPERLINK(\"\"http://evil.example\"\",\"\"Click\"\")" in csv_text
    assert "'@SUM(1+1)" in csv_text and ",'-2+3," in csv_text
    assert ",'+44 20 7946" in download(client, "contacts").get_data(as_text=True)

    sheet = load_workbook(io.BytesIO(download(client, "accounts", fmt="xlsx").data)).active
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert [(c.value[:11], c.data_type) for c in cells] == [("'=HYPERLINK", "s")]


def test_an_export_records_an_exported_statement(client, teams):
    a, _ = teams
    download(client, "opportunities", fmt="xlsx", style="hubspot")
    statement = db.session.scalar(select(Statement).where(Statement.verb == "exported"))
    assert statement.actor_id == a.marketing.id
    assert statement.result == {"entity": "opportunities", "format": "xlsx", "style": "hubspot"}


def test_crm_headers_without_that_entity_say_so(client, teams):
    response = client.get("/workspace/export?entity=handoffs&fmt=csv&style=hubspot")
    assert response.headers["Location"] == "/workspace"
    assert "Choose ABM Academy headers to export handoffs" in text(client.get("/workspace"))


def test_unknown_export_choices_are_a_bad_request(client, teams):
    assert client.get("/workspace/export?entity=users&fmt=csv&style=abm_academy").status_code == 400
    assert client.get("/workspace/export?entity=accounts&fmt=pdf&style=abm_academy").status_code == 400


def test_the_download_is_named_after_what_it_holds(client, teams):
    response = download(client, "signals")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="signals-abm-academy-') and disposition.endswith('.csv"')
    assert response.data.startswith(b"\xef\xbb\xbfexternal_id,account_external_id")
