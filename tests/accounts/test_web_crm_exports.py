"""The CRM exports people really have (issue 14, items 8-13): contacts with no account yet and their queue,
companies named by their domain, contacts without an email, warnings on the preview, numbers as Excel saves
them, and the small things (plurals, number display, long text, empty files, content types)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.abm.kpis import match_rate
from lms.accounts.models import Account, Contact, ImportBatch
from lms.accounts.workspaces import build_snapshot
from lms.extensions import db
from lms.tracking.models import Statement
from tests.accounts.web_support import (
    apply,
    batch_id,
    count,
    import_bytes,
    make_team,
    text,
    upload,
)

ACCOUNTS = (b"Account Name,Website,Account Owner\n"
            b"Larkspur Devices,larkspur-devices.example,Priya Raman\n")
CONTACTS = (b"First Name,Last Name,Email,Account Name\n"
            b"Jo,Marsh,jo@larkspur-devices.example,Larkspur Devices\n"
            b"Ann,Lee,ann@nimbus.example,Nimbus Ltd\n"
            b"Pat,Free,pat@gmail.com,\n")


@pytest.fixture
def team(app, auth):
    team = make_team()
    auth.login(team.marketing.email)
    return team


def contacts_by_email() -> dict[str, Contact]:
    return {c.email: c for c in db.session.scalars(select(Contact))}


# --- item 8: contacts with no account yet, their queue, and the match rate


def test_contacts_whose_company_is_not_in_the_workspace_are_kept_and_count_in_the_match_rate(client, team):
    import_bytes(client, "accounts.csv", ACCOUNTS)
    batch = batch_id(upload(client, "contacts.csv", CONTACTS))
    page = text(client.get(f"/workspace/import/{batch}"))

    assert "0 rows rejected" in page
    assert "2 rows No account yet: kept in Contacts with no account yet" in page
    assert "line 3: Ann Lee: no account named 'Nimbus Ltd' in the file or your workspace" in page
    response = apply(client, batch, "all")
    assert "2 contacts have no account yet: link them in Contacts with no account yet." in text(
        client.get(response.headers["Location"]))

    contacts = contacts_by_email()
    assert len(contacts) == 3
    assert contacts["ann@nimbus.example"].account_id is None
    assert contacts["ann@nimbus.example"].company == "Nimbus Ltd"
    assert contacts["pat@gmail.com"].account_id is None
    kpi = match_rate(build_snapshot(team.workspace()))
    assert (kpi.numerator, kpi.denominator) == (1, 3)  # was 1 of 1 when the unmatched were thrown away


def test_the_queue_lists_them_and_links_one_to_an_existing_account_with_a_statement(client, team):
    import_bytes(client, "accounts.csv", ACCOUNTS)
    import_bytes(client, "contacts.csv", CONTACTS)
    ann = contacts_by_email()["ann@nimbus.example"]
    larkspur = db.session.scalar(select(Account).where(Account.name == "Larkspur Devices"))

    page = text(client.get("/workspace/contacts/no-account"))
    assert "Contacts with no account yet" in page
    assert "Ann Lee" in page and "Nimbus Ltd" in page and "Pat Free" in page
    assert "Create Nimbus Ltd" in page
    assert "Names no company: link them instead" in page  # Pat has a Gmail address and no company

    response = client.post(f"/workspace/contacts/{ann.id}/link", data={"account_id": larkspur.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Contact, ann.id).account_id == larkspur.id
    statement = db.session.scalar(select(Statement).where(Statement.verb == "updated",
                                                          Statement.object_type == "contact"))
    assert statement.object_id == str(ann.id) and statement.result["account"] == "Larkspur Devices"
    after = text(client.get("/workspace/contacts/no-account"))
    assert "Linked Ann Lee" in after
    assert "Create Nimbus Ltd" not in after and "Pat Free" in after


def test_the_queue_creates_the_account_from_the_company_and_the_email_domain(client, team):
    import_bytes(client, "contacts.csv", CONTACTS, entity="contacts")
    ann = contacts_by_email()["ann@nimbus.example"]

    assert client.post(f"/workspace/contacts/{ann.id}/create-account").status_code == 302
    db.session.expire_all()
    nimbus = db.session.scalar(select(Account).where(Account.name == "Nimbus Ltd"))
    assert nimbus.domain == "nimbus.example"
    assert db.session.get(Contact, ann.id).account_id == nimbus.id
    verbs = {(s.verb, s.object_type) for s in db.session.scalars(select(Statement))}
    assert {("created", "account"), ("updated", "contact")} <= verbs

    pat = contacts_by_email()["pat@gmail.com"]
    client.post(f"/workspace/contacts/{pat.id}/create-account")
    db.session.expire_all()
    assert db.session.get(Contact, pat.id).account_id is None  # never an account called gmail.com
    assert count(Account) == 1


def test_another_organisations_contact_or_account_answers_404(client, team, auth):
    import_bytes(client, "accounts.csv", ACCOUNTS)
    import_bytes(client, "contacts.csv", CONTACTS)
    ann = contacts_by_email()["ann@nimbus.example"]
    larkspur = db.session.scalar(select(Account).where(Account.name == "Larkspur Devices"))
    other = make_team(prefix="x-")
    auth.logout()
    auth.login(other.marketing.email)

    response = client.post(f"/workspace/contacts/{ann.id}/link", data={"account_id": larkspur.id})
    assert response.status_code == 404, response.headers.get("Location")
    assert client.post(f"/workspace/contacts/{ann.id}/create-account").status_code == 404
    assert "Ann Lee" not in text(client.get("/workspace/contacts/no-account"))
    db.session.expire_all()
    assert db.session.get(Contact, ann.id).account_id is None


def test_linking_to_another_workspaces_account_answers_404(client, team, auth):
    import_bytes(client, "contacts.csv", CONTACTS, entity="contacts")
    ann = contacts_by_email()["ann@nimbus.example"]
    other = make_team(prefix="x-")
    foreign = Account(organization_id=other.org.id, workspace_id=other.workspace().id, name="Elsewhere",
                      normalised_name="elsewhere")
    db.session.add(foreign)
    db.session.commit()

    response = client.post(f"/workspace/contacts/{ann.id}/link", data={"account_id": foreign.id})
    assert response.status_code in (400, 404)
    db.session.expire_all()
    assert db.session.get(Contact, ann.id).account_id is None


def test_the_queue_forms_need_their_csrf_token(app, client, team):
    import_bytes(client, "contacts.csv", CONTACTS, entity="contacts")
    ann = contacts_by_email()["ann@nimbus.example"]
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/workspace/contacts/no-account").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    assert client.post(f"/workspace/contacts/{ann.id}/create-account").status_code == 400
    assert client.post(f"/workspace/contacts/{ann.id}/create-account",
                       data={"csrf_token": token}).status_code == 302


# --- item 9: a company with no name but a website


def test_a_company_without_a_name_is_imported_under_its_domain_with_a_warning(client, team):
    batch = batch_id(upload(client, "a.csv", b"Account Name,Website\n,https://www.orphan.example/about\n"))
    page = text(client.get(f"/workspace/import/{batch}"))

    assert "No company name: the website's domain is used as the name" in page
    apply(client, batch)
    assert [a.name for a in db.session.scalars(select(Account))] == ["orphan.example"]


# --- item 10: contacts without an email


def test_contacts_without_an_email_are_not_duplicated_on_reimport(client, team):
    import_bytes(client, "accounts.csv", ACCOUNTS)
    data = (b"First Name,Last Name,Email,Account Name\n"
            b"Jo,Marsh,,Larkspur Devices\n"
            b"Jo,Marsh,,Larkspur Devices\n"  # the same person twice in the file
            b"Jo,Marsh,,Nimbus Ltd\n")  # a namesake at another company
    import_bytes(client, "c.csv", data)
    import_bytes(client, "c-again.csv", data)

    people = sorted((c.last_name, c.account_id is not None) for c in db.session.scalars(select(Contact)))
    assert people == [("Marsh", False), ("Marsh", True)]


# --- item 11: warnings on the preview, grouped with counts


def test_the_preview_shows_the_importers_warnings_grouped_with_counts(client, team):
    data = (b"Account Name,Website,Employees,Account Owner\n"
            b"  Larkspur Devices ,larkspur-devices.example,n/a,\n"
            b"Nimbus Ltd,,N/A,Priya Raman\n")
    page = text(client.get(f"/workspace/import/{batch_id(upload(client, 'a.csv', data))}"))

    assert "Imported with warnings: check these" in page
    assert "1 row Spaces at the start or end of a name were removed" in page
    assert "2 rows Cells such as 'n/a' or '-' were read as empty" in page
    assert "1 row Accounts without a website" in page
    assert "1 row Accounts without a sales owner" in page


def test_personal_and_missing_email_addresses_are_warned_about(client, team):
    import_bytes(client, "accounts.csv", ACCOUNTS)
    data = (b"First Name,Last Name,Email,Account Name\n"
            b"Jo,Marsh,jo.marsh@gmail.com,Larkspur Devices\n"
            b"Ann,Lee,,Larkspur Devices\n")
    page = text(client.get(f"/workspace/import/{batch_id(upload(client, 'c.csv', data))}"))

    assert "1 row Personal email addresses" in page and "Jo Marsh uses a personal address" in page
    assert "1 row Contacts without an email address" in page and "Ann Lee has no email address" in page


# --- item 12: numbers as Excel saves them


def test_excel_currency_and_european_numbers_import_and_an_unreadable_one_keeps_its_row(client, team):
    import_bytes(client, "a.csv", b"Account Name,Annual Revenue\nLarkspur Devices,\"\xc2\xa385,000,000.00\"\n"
                                  b"Nimbus Ltd,about 50\n")
    import_bytes(client, "b.csv", b"Account Name;Annual Revenue\nKettlewell;1.000.000\n")

    revenue = {a.name: a.revenue for a in db.session.scalars(select(Account))}
    assert revenue == {"Larkspur Devices": 85_000_000, "Nimbus Ltd": None, "Kettlewell": 1_000_000}


# --- item 13: the small things


def test_one_row_is_one_row_and_revenue_reads_as_a_number(client, team):
    batch = batch_id(upload(client, "a.csv", b"Account Name,Annual Revenue\nLarkspur Devices,180000000\n"
                                             b"Larkspur Devices,\n"))
    page = text(client.get(f"/workspace/import/{batch}"))

    assert "2 data rows" in page and "1 duplicate row merged" in page and "0 rows rejected" in page
    assert "180,000,000" in page and "180000000.0" not in page
    response = apply(client, batch)
    flashed = text(client.get(response.headers["Location"]))
    assert "1 duplicate row was merged." in flashed and "1 rows" not in flashed


def test_a_very_long_name_is_cut_to_its_field_with_a_message(client, team):
    data = b"Account Name,Website\n" + b"A" * 100_000 + b",long.example\n"
    batch = batch_id(upload(client, "a.csv", data))
    page = text(client.get(f"/workspace/import/{batch}"))

    assert "Text too long for its field was cut short" in page
    assert "Account Name was 100,000 characters long; the first 300 were kept" in page
    apply(client, batch)
    assert [len(a.name) for a in db.session.scalars(select(Account))] == [300]


def test_a_readable_but_empty_file_is_not_called_unreadable(client, team):
    upload(client, "header-only.csv", b"Account Name,Website\n")
    upload(client, "image.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    page = text(client.get("/workspace/import"))

    assert "header-only.csv" in page and "No data rows" in page
    assert page.count("Not readable") == 1  # only the image
    empty = db.session.scalar(select(ImportBatch).where(ImportBatch.filename == "header-only.csv"))
    assert "This file has no data rows" in text(client.get(f"/workspace/import/{empty.id}"))


def test_a_hubspot_file_is_told_about_its_own_columns(client, team):
    data = b"First Name,Last Name,Email,Associated Company\nKate,Brennan,kate@nowhere.example,\n"
    page = text(client.get(f"/workspace/import/{batch_id(upload(client, 'c.csv', data, entity='contacts'))}"))

    assert "Kate Brennan: no account given, and no account has the email domain 'nowhere.example'" in page
    assert "Account Name or Account ID" not in page


def test_the_csv_content_type_says_its_charset_once(client, team):
    batch = batch_id(upload(client, "a.csv", b"Account Name,Website\nAcme,gmail.com\n"))
    response = client.get(f"/workspace/import/{batch}/errors.csv")

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
