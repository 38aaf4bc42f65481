"""Importing real CRM exports through the pages: upload, preview, mapping, all-or-nothing apply, dedupe."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.accounts import workspaces
from lms.accounts.importer import mapping_fingerprint
from lms.accounts.models import Account, Contact, ImportBatch, Opportunity, Workspace
from lms.extensions import db
from lms.tracking.models import Statement
from tests.accounts.web_support import (
    CRM,
    DEMO,
    apply,
    batch_id,
    batches,
    count,
    import_bytes,
    import_fixture,
    make_team,
    text,
    upload,
    upload_fixture,
)

LARKSPUR_AND_KETTLEWELL = (
    b"Account Name,Website,Industry\r\n"
    b"Larkspur Devices,larkspur-devices.example,Electronics\r\n"
    b"Kettlewell & Sons,kettlewell-sons.example,Manufacturing\r\n"
)


@pytest.fixture
def team(app, auth):
    team = make_team()
    auth.login(team.marketing.email)
    return team


def accounts_by_name() -> dict[str, Account]:
    db.session.expire_all()
    return {a.name: a for a in db.session.scalars(select(Account))}


def contacts_by_email() -> dict[str, Contact]:
    db.session.expire_all()
    return {c.email: c for c in db.session.scalars(select(Contact))}


def account_of(contact: Contact) -> str:
    return db.session.get(Account, contact.account_id).name


# --------------------------------------------------------------------------------------------- every format


FORMATS = [
    # accounts file, contacts file, source label shown, accounts imported, contacts imported, apply mode
    ("salesforce_report_accounts.csv", "salesforce_report_contacts.csv", "Salesforce report export", 7, 7, "all"),
    ("salesforce_dataloader_accounts_upper.csv", "salesforce_dataloader_contacts_mixed.csv",
     "Salesforce Data Loader export", 4, 5, "all"),
    ("hubspot_companies.csv", "hubspot_contacts.csv", "HubSpot export", 4, 6, "valid"),
    ("dynamics_accounts.xlsx", "dynamics_contacts.xlsx", "Microsoft Dynamics 365 export", 4, 4, "all"),
]


@pytest.mark.parametrize(("accounts_file", "contacts_file", "label", "n_accounts", "n_contacts", "mode"), FORMATS)
def test_each_crm_format_imports_accounts_then_contacts_linked_to_them(
        client, team, accounts_file, contacts_file, label, n_accounts, n_contacts, mode):
    preview = client.get(f"/workspace/import/{batch_id(upload_fixture(client, accounts_file))}")
    assert label in text(preview)
    assert "holding accounts" in text(preview)
    assert import_fixture(client, accounts_file, mode=mode).status_code == 302
    response = upload_fixture(client, contacts_file)
    page = text(client.get(response.headers["Location"]))
    assert label in page and "holding contacts" in page
    assert apply(client, batch_id(response), mode).headers["Location"] == "/workspace/contacts"

    assert count(Account) == n_accounts
    contacts = contacts_by_email()
    assert len(contacts) == n_contacts
    # HubSpot's Gmail "company" is kept with no account yet, and only that contact
    unlinked = [email for email, c in contacts.items() if c.account_id is None]
    assert unlinked == (["katebrennan1987@gmail.com"] if label == "HubSpot export" else [])
    assert "larkspur" in account_of(contacts["jo.marsh@larkspur-devices.example"]).lower()


def test_salesforce_report_contacts_get_title_roles_seniority_and_link_by_account_name(client, team):
    import_fixture(client, "salesforce_report_accounts.csv")
    import_fixture(client, "salesforce_report_contacts.csv")
    contacts = contacts_by_email()

    desai = contacts["anil.desai@larkspur-devices.example"]  # exported as ANIL.DESAI@Larkspur-Devices.example
    assert (desai.seniority, desai.function, desai.roles) == ("c_level", "finance", ["finance"])
    assert account_of(desai) == "Larkspur Devices, Inc."
    assert account_of(contacts["sam.oneill@quenby-group.example"]) == "The Quenby Group"
    assert contacts["g.kettlewell@kettlewell-sons.example"].roles == ["procurement"]
    assert contacts["ravi.menon@tallis-systems.example"].roles == []  # no title: no role guessed
    assert count(Account) == 7  # the report footer was not read as accounts


def test_hubspot_buying_roles_add_champion_and_blocker_to_the_title_role(client, team):
    import_fixture(client, "hubspot_companies.csv", mode="valid")
    import_fixture(client, "hubspot_contacts.csv", mode="valid")
    contacts = contacts_by_email()

    assert contacts["jo.marsh@larkspur-devices.example"].roles == ["senior_decision_maker", "champion"]
    assert contacts["pieter@corvessa-freight.example"].roles == ["technical_evaluator", "blocker"]
    assert contacts["nadia.rahman@ilvermoor.example"].roles == ["finance"]


@pytest.mark.parametrize(("name", "entity", "rows"), [
    ("windows1252_accounts.csv", "accounts", 3),
    ("ragged_rows.csv", "accounts", 4),
])
def test_windows_and_ragged_files_import_their_readable_rows(client, team, name, entity, rows):
    mode = "valid" if name == "ragged_rows.csv" else "all"
    assert import_fixture(client, name, mode=mode).status_code == 302
    assert count(Account) == rows
    if name == "windows1252_accounts.csv":
        assert "Crème Analytics Ltd" in accounts_by_name()


@pytest.mark.parametrize("name", ["semicolon_contacts.csv", "tab_contacts.tsv"])
def test_semicolon_and_tab_separated_contacts_import(client, team, name):
    import_fixture(client, "salesforce_report_accounts.csv")
    import_fixture(client, "hubspot_companies.csv", mode="valid")
    assert import_fixture(client, name).status_code == 302
    assert count(Contact) == 3
    assert "jo.marsh@larkspur-devices.example" in contacts_by_email()


def test_the_product_s_own_export_format_is_recognised(client, team):
    page = text(client.get(upload_fixture(client, "accounts.csv", folder=DEMO).headers["Location"]))
    assert "ABM Academy export" in page and "45 new" in page


# --------------------------------------------------------------------------------------------- mapping


def test_unknown_format_asks_for_a_mapping_then_remembers_it_for_the_same_columns(client, team):
    response = upload_fixture(client, "unknown_format_accounts.csv")
    batch = batch_id(response)
    page = text(client.get(f"/workspace/import/{batch}"))
    assert "Tell us which column is which" in page
    assert "Import the" not in page and "choose \"Use this mapping\". Then you can import" in page
    assert apply(client, batch).status_code == 302
    assert count(Account) == 0  # not imported before the mapping is confirmed

    mapping = {"map-col_0": "name", "map-col_1": "website", "map-col_2": "employees", "map-col_3": "industry",
               "map-col_4": "region", "map-col_5": "why_selected", "map-save_mapping": "Use this mapping"}
    assert client.post(f"/workspace/import/{batch}", data=mapping).status_code == 302
    page = text(client.get(f"/workspace/import/{batch}"))
    assert "Tell us which column is which" not in page and "accounts 3 new" in page
    assert apply(client, batch).status_code == 302
    larkspur = accounts_by_name()["Larkspur Devices Inc"]
    assert (larkspur.employees, larkspur.domain, larkspur.why_selected) == (1200, "larkspur-devices.example",
                                                                            "Met at CES")
    ws = db.session.scalar(select(Workspace))
    headers = ["Org", "Web", "Headcount", "Sector", "Country", "Owner Notes"]
    assert ws.column_mappings[mapping_fingerprint(headers)]["Owner Notes"] == "why_selected"

    again = upload(client, "next-month.csv", b"Org,Web,Headcount,Sector,Country,Owner Notes\n"
                                             b"Tallis Data,tallis.example,80,Software,Ireland,Trade show\n")
    page = text(client.get(again.headers["Location"]))
    assert "read the way you mapped them last time" in page
    assert "Tell us which column is which" not in page
    apply(client, batch_id(again))
    assert accounts_by_name()["Tallis Data"].why_selected == "Trade show"


def test_a_missing_required_column_is_named_and_nothing_is_imported(client, team):
    import_fixture(client, "salesforce_report_accounts.csv")
    response = upload_fixture(client, "missing_columns_contacts.csv")
    page = text(client.get(response.headers["Location"]))

    assert "This contact file has no column for the account (its company name or ID)" in page
    assert "Tell us which column is which" in page
    assert "Import the" not in page
    apply(client, batch_id(response))
    assert count(Contact) == 0


def test_what_the_file_holds_can_be_chosen_on_upload_and_changed_in_the_preview(client, team):
    data = b"Name,Email,Company\nJo Marsh,jo@larkspur-devices.example,Larkspur Devices\n"
    response = upload(client, "people.csv", data, entity="contacts")
    batch = batch_id(response)
    assert db.session.get(ImportBatch, batch).entity == "contacts"
    client.post(f"/workspace/import/{batch}", data={"opt-entity": "accounts", "opt-dayfirst": "1",
                                                    "opt-save_options": "Use these settings"})
    db.session.expire_all()
    assert db.session.get(ImportBatch, batch).entity == "accounts"


def test_dates_read_month_first_when_the_learner_says_so(client, team):
    import_bytes(client, "a.csv", LARKSPUR_AND_KETTLEWELL)
    data = b"Opportunity Name,Account Name,Amount,Created Date,Close Date,Stage\n" \
           b"Pilot,Larkspur Devices,1000,05/03/2026,06/04/2026,Closed Won\n"
    batch = batch_id(upload(client, "opps.csv", data))
    client.post(f"/workspace/import/{batch}", data={"opt-entity": "opportunities", "opt-dayfirst": "0",
                                                    "opt-save_options": "Use these settings"})
    apply(client, batch)
    opportunity = db.session.scalar(select(Opportunity))
    assert (opportunity.created_at.month, opportunity.created_at.day) == (5, 3)
    assert opportunity.is_won is True


# --------------------------------------------------------------------------------------------- malformed files


@pytest.mark.parametrize(("name", "message"), [
    ("empty.csv", "empty.csv is empty. Export it from your CRM again, including the header row."),
    ("header_only.csv", "header_only.csv has a header row but no data rows."),
    ("binary.csv", "binary.csv is a PNG image, not a CSV or Excel file."),
    ("bad_encoding.csv", "bad_encoding.csv is not UTF-8 or Windows-1252 text (byte 0x81 on line 2"),
])
def test_an_unreadable_file_gets_its_own_message_keeps_the_choice_and_imports_nothing(client, team, name, message):
    response = upload_fixture(client, name, entity="accounts")

    assert response.status_code == 200
    assert message in text(response)
    assert '<option selected value="accounts">' in response.get_data(as_text=True)
    assert count(Account) == 0
    assert [(b.status, b.filename) for b in batches()] == [("rejected", name)]


@pytest.mark.parametrize(("name", "reasons"), [
    ("ragged_rows.csv", ["Line 3: has 5 values but the header has 4 columns; a value probably contains an "
                         "unquoted comma"]),
])
def test_rows_with_errors_are_listed_by_line_and_block_the_all_or_nothing_import(client, team, name, reasons):
    response = upload_fixture(client, name)
    batch = batch_id(response)
    page = text(client.get(f"/workspace/import/{batch}"))

    for reason in reasons:
        assert reason in page
    assert "Nothing is imported while rows have errors" in page
    assert ">Import</button>" not in client.get(f"/workspace/import/{batch}").get_data(as_text=True)
    refused = apply(client, batch, "all")
    assert refused.headers["Location"] == f"/workspace/import/{batch}"
    assert count(Account) == 0


def test_importing_only_the_valid_rows_is_an_explicit_separate_choice(client, team):
    batch = batch_id(upload_fixture(client, "ragged_rows.csv"))
    page = client.get(f"/workspace/import/{batch}").get_data(as_text=True)
    assert "Import the 4 valid rows" in page

    apply(client, batch, "valid")
    assert len(accounts_by_name()) == 4
    done = db.session.get(ImportBatch, batch)
    assert done.status == "imported"
    assert done.summary["counts"]["rejected"] == 1
    assert [e["line"] for e in done.errors] == [3]


@pytest.fixture
def small_limits(app_config):
    app_config.update(IMPORT_MAX_BYTES=1000, IMPORT_MAX_ROWS=3)
    return app_config


def test_the_size_and_row_limits_have_clear_messages_on_the_upload_page(small_limits, client, team):
    too_big = upload_fixture(client, "salesforce_report_accounts.csv", entity="accounts")
    assert "salesforce_report_accounts.csv is 1 KB; the limit is 1000 bytes" not in text(too_big)
    assert "the limit is" in text(too_big) and "split the file" in text(too_big)
    assert '<option selected value="accounts">' in too_big.get_data(as_text=True)

    too_long = upload(client, "long.csv", b"Account Name\nA\nB\nC\nD\n")
    assert "long.csv has more than 3 data rows. Split it into files of at most 3 rows." in text(too_long)
    assert "Up to 1000 bytes" not in text(too_long) and "3 rows per file" in text(too_long)
    assert count(Account) == 0


def test_the_script_upload_gets_json_with_the_preview_address_or_the_messages(client, team):
    ok = upload(client, "a.csv", LARKSPUR_AND_KETTLEWELL, xhr=True)
    assert ok.status_code == 200
    assert ok.get_json()["location"].startswith("/workspace/import/")

    missing = client.post("/workspace/import", data={"entity": ""}, headers={"X-Requested-With": "XMLHttpRequest"})
    assert missing.status_code == 422
    assert missing.get_json() == {"errors": ["Choose a CSV or Excel (.xlsx) file to upload."]}
    empty = upload(client, "empty.csv", b"", xhr=True)
    assert empty.get_json() == {"errors": ["empty.csv is empty. Export it from your CRM again, including the header row."]}
    binary = upload(client, "x.csv", (CRM / "binary.csv").read_bytes(), xhr=True)
    assert binary.status_code == 422 and "PNG image" in binary.get_json()["errors"][0]


def test_the_upload_page_loads_the_progress_script_from_a_file(client, team):
    page = client.get("/workspace/import").get_data(as_text=True)
    src = re.search(r'<script src="(/static/js/import\.js\?v=[0-9a-f]{12})"></script>', page).group(1)
    assert 'id="upload-form"' in page and 'data-max-bytes="10485760"' in page
    with client.get(src) as script:
        assert script.status_code == 200 and b"XMLHttpRequest" in script.data


# --------------------------------------------------------------------------------------------- dedupe and idempotence


def test_reimporting_the_same_files_changes_nothing(client, team):
    for entity in ("accounts", "contacts", "signals", "opportunities", "handoffs"):
        import_fixture(client, f"{entity}.csv", folder=DEMO)
    db.session.expire_all()
    before = {m.__name__: count(m) for m in (Account, Contact, Opportunity)}
    stamps = sorted((a.id, a.updated_at) for a in db.session.scalars(select(Account)))
    statements = set(db.session.scalars(select(Statement.id)))

    for entity in ("accounts", "contacts", "signals", "opportunities", "handoffs"):
        response = upload_fixture(client, f"{entity}.csv", folder=DEMO)
        page = text(client.get(response.headers["Location"]))
        assert "0 new" in page and "0 updated" in page, entity
        apply(client, batch_id(response))

    db.session.expire_all()
    assert {m.__name__: count(m) for m in (Account, Contact, Opportunity)} == before
    assert sorted((a.id, a.updated_at) for a in db.session.scalars(select(Account))) == stamps
    new = [s for s in db.session.scalars(select(Statement)) if s.id not in statements]
    assert [s.verb for s in new] == ["imported"] * 5
    assert all(s.result["new"] == 0 and s.result["updated"] == 0 for s in new)


def test_duplicates_within_the_file_are_merged_and_shown(client, team):
    batch = batch_id(upload_fixture(client, "hubspot_companies.csv"))
    page = text(client.get(f"/workspace/import/{batch}"))

    assert "line 6: same name as line 4 (corvessa freight); merged into it" in page
    assert "line 5: 'gmail.com' is a free-mail provider" in page.lower()
    apply(client, batch, "valid")
    corvessa = accounts_by_name()["Corvessa Freight Company"]
    assert corvessa.revenue == 91_000_000  # filled from the merged duplicate
    assert count(Account) == 4


def test_rows_matching_workspace_accounts_update_them_without_blanking_filled_fields(client, team):
    import_fixture(client, "salesforce_report_accounts.csv")
    before = count(Account)
    data = (b"Account Name,Website,Industry,Employees\r\n"
            b"Larkspur Devices Inc,https://larkspur-devices.example,,1500\r\n"  # same company by name and domain
            b"Kestrel Point Media,kestrel.example,Media,40\r\n")
    batch = batch_id(upload(client, "update.csv", data))
    page = text(client.get(f"/workspace/import/{batch}"))
    assert "accounts 1 new 1 updated" in page
    apply(client, batch)

    accounts = accounts_by_name()
    assert count(Account) == before + 1
    larkspur = accounts["Larkspur Devices, Inc."]  # matched by name: the learner's spelling stays
    assert (larkspur.employees, larkspur.industry) == (1500, "Electronics")


def test_contacts_dedupe_by_email_across_files_and_against_the_workspace(client, team):
    import_bytes(client, "a.csv", LARKSPUR_AND_KETTLEWELL)
    first = (b"First Name,Last Name,Email,Title,Account Name\n"
             b"Jo,Marsh,jo@larkspur-devices.example,VP Engineering,Larkspur Devices\n"
             b"Jo,Marsh,JO@Larkspur-Devices.example,,Larkspur Devices\n")
    batch = batch_id(upload(client, "c.csv", first))
    assert "line 3: same email as line 2 (jo@larkspur-devices.example); merged into it" in text(
        client.get(f"/workspace/import/{batch}"))
    apply(client, batch)
    second = b"Email,Phone,Account Name\njo@larkspur-devices.example,+44 20 7946 0000,Larkspur Devices\n"
    import_bytes(client, "c2.csv", second, entity="contacts")

    contacts = contacts_by_email()
    assert list(contacts) == ["jo@larkspur-devices.example"]
    jo = contacts["jo@larkspur-devices.example"]
    assert (jo.first_name, jo.title, jo.phone) == ("Jo", "VP Engineering", "+44 20 7946 0000")


def test_contacts_linked_by_email_domain_and_domain_conflicts_are_shown_and_free_mail_never_matches(client, team):
    import_bytes(client, "a.csv", LARKSPUR_AND_KETTLEWELL)
    data = (b"First Name,Last Name,Email,Account Name\n"
            b"Jo,Marsh,jo@larkspur-devices.example,\n"
            b"Anil,Desai,anil@kettlewell-sons.example,Larkspur Devices\n"
            b"Pat,Free,pat@gmail.com,\n")
    batch = batch_id(upload(client, "c.csv", data))
    page = text(client.get(f"/workspace/import/{batch}"))

    assert "Line 2: Jo Marsh <jo@larkspur-devices.example> → Larkspur Devices: Matched on the email's domain" in page
    assert "domain conflict Line 3: Anil Desai <anil@kettlewell-sons.example> → Larkspur Devices:" in page
    assert "The email's domain belongs to a different account; the name match was used." in page
    assert "line 4: Pat Free: no account given, and no account has the email domain 'gmail.com'" in page
    apply(client, batch, "all")
    contacts = contacts_by_email()
    assert account_of(contacts["anil@kettlewell-sons.example"]) == "Larkspur Devices"
    assert contacts["pat@gmail.com"].account_id is None  # kept with no account yet, never matched on gmail.com


def test_an_ambiguous_account_name_is_explained_rather_than_called_missing(client, team):
    ws = team.workspace()
    for name in ("Acme Ltd", "Acme Inc"):  # entered before duplicates were refused: imports merge them
        db.session.add(Account(organization_id=team.org.id, workspace_id=ws.id, name=name, normalised_name="acme"))
    db.session.commit()
    batch = batch_id(upload(client, "c.csv", b"Last Name,Account Name\nLee,Acme\n", entity="contacts"))
    page = text(client.get(f"/workspace/import/{batch}"))
    assert "fits more than one account in your workspace ('Acme Ltd', 'Acme Inc')" in page


# --------------------------------------------------------------------------------------------- roles


def test_a_learners_role_choice_survives_reimport_while_titles_keep_inferring_the_rest(client, team):
    import_fixture(client, "salesforce_report_accounts.csv")
    import_fixture(client, "salesforce_report_contacts.csv")
    desai = contacts_by_email()["anil.desai@larkspur-devices.example"]
    form = {"first_name": "Anil", "last_name": "Desai", "email": desai.email, "title": desai.title,
            "account_id": desai.account_id, "roles": ["champion", "finance"]}
    assert client.post(f"/workspace/contacts/{desai.id}/edit", data=form).status_code == 302

    changed = (CRM / "salesforce_report_contacts.csv").read_bytes().replace(b"IT Manager", b"Chief Technology Officer")
    import_bytes(client, "contacts-again.csv", changed)
    contacts = contacts_by_email()
    assert contacts["anil.desai@larkspur-devices.example"].roles == ["finance", "champion"]
    assert contacts["anil.desai@larkspur-devices.example"].roles_set_by_learner is True
    assert contacts["sam.oneill@quenby-group.example"].roles == ["senior_decision_maker"]  # re-inferred


# --------------------------------------------------------------------------------------------- errors CSV, storage, failures


def test_the_rejected_rows_csv_has_line_and_reason_and_is_formula_safe(client, team):
    data = (b"Account Name,Website,Employees,Industry\n"
            b"=HYPERLINK(\"http://evil.example\"),gmail.com,12,@SUM(A1)\n"
            b"Larkspur Devices,larkspur-devices.example,1200,Electronics\n")
    batch = batch_id(upload(client, "accounts.csv", data))
    response = client.get(f"/workspace/import/{batch}/errors.csv")

    assert response.headers["Content-Disposition"] == f'attachment; filename="rejected-rows-{batch}.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["line", "column", "reason", "Account Name", "Website", "Employees", "Industry"]
    assert rows[1][:3] == ["2", "website", "'gmail.com' is a free-mail provider, not a company; remove this row"]
    assert rows[1][3] == "'=HYPERLINK(\"http://evil.example\")"
    assert rows[1][6] == "'@SUM(A1)"
    assert len(rows) == 2

    apply(client, batch, "valid")  # after the import the CSV comes from what was stored
    again = list(csv.reader(io.StringIO(client.get(f"/workspace/import/{batch}/errors.csv")
                                        .get_data(as_text=True).lstrip("\ufeff"))))
    assert again == rows


def test_the_upload_is_kept_for_the_preview_and_deleted_after_the_import(app, client, team):
    batch = batch_id(upload(client, "a.csv", LARKSPUR_AND_KETTLEWELL))
    kept = Path(app.config["STORAGE_DIR"]) / "imports" / str(batch)
    assert kept.read_bytes() == LARKSPUR_AND_KETTLEWELL
    apply(client, batch)
    assert not kept.exists()
    page = text(client.get(f"/workspace/import/{batch}"))
    assert "Imported accounts" in page and "2 new" in page
    assert apply(client, batch).headers["Location"] == f"/workspace/import/{batch}"  # a second click: no-op
    assert count(Account) == 2


def test_a_failure_during_the_import_leaves_nothing_half_imported(client, team, monkeypatch):
    batch = batch_id(upload(client, "a.csv", LARKSPUR_AND_KETTLEWELL))

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(workspaces, "record", broken)  # fails after the rows were flushed
    response = apply(client, batch)
    assert response.headers["Location"] == f"/workspace/import/{batch}"
    assert "nothing was imported" in text(client.get(response.headers["Location"]))
    assert count(Account) == 0
    db.session.expire_all()
    assert db.session.get(ImportBatch, batch).status == "previewed"


def test_an_import_records_one_imported_statement_with_the_counts(client, team):
    import_fixture(client, "hubspot_companies.csv", mode="valid")
    statement = db.session.scalar(select(Statement).where(Statement.verb == "imported"))

    assert statement.actor_id == team.marketing.id
    assert statement.organization_id == team.org.id and statement.cohort_id == team.cohort.id
    assert {k: statement.result[k] for k in ("entity", "source", "new", "merged", "rejected")} == {
        "entity": "accounts", "source": "hubspot", "new": 4, "merged": 1, "rejected": 1}
    assert json.dumps(statement.result)  # plain JSON for the xAPI export


def test_the_sales_member_of_the_team_sees_and_imports_into_the_same_workspace(client, auth, team):
    import_bytes(client, "a.csv", LARKSPUR_AND_KETTLEWELL)
    auth.logout()
    auth.login(team.sales.email)
    assert "Larkspur Devices" in text(client.get("/workspace/accounts"))
    import_bytes(client, "b.csv", b"Account Name,Website\nTallis Data,tallis.example\n")
    assert count(Account, team.workspace().id) == 3
