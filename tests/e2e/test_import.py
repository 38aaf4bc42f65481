"""Journey: sign in, import an accounts CSV and a contacts CSV through the pages, see the contacts' roles."""

from __future__ import annotations

from pathlib import Path

from lms.extensions import db
from tests.factories import make_org, make_user

CRM = Path(__file__).resolve().parents[1] / "fixtures" / "crm"


def choose_file(page, path: Path) -> None:
    from selenium.webdriver.common.by import By

    page.driver.find_element(By.ID, "file").send_keys(str(path))


def test_import_accounts_and_contacts_then_see_the_contacts_with_their_roles(live_app, page):
    with live_app.app_context():
        org = make_org("Northwind Analytics")
        make_user(org, ("learner",), email="maya@northwind.example", name="Maya Okafor")
        db.session.remove()
    page.sign_in("maya@northwind.example")

    page.go("/workspace")
    assert "Import your accounts" in page.text and "HubSpot" in page.text
    page.click("Import your accounts")
    assert page.path == "/workspace/import"
    choose_file(page, CRM / "salesforce_report_accounts.csv")
    page.click("Upload and check")  # import.js uploads it with a progress bar, then opens the preview
    assert page.path.startswith("/workspace/import/")
    assert "recognised as a Salesforce report export holding accounts" in page.text
    page.click("Import")
    assert page.path == "/workspace/accounts"
    assert "Imported accounts from salesforce_report_accounts.csv: 7 new" in page.text
    assert "Larkspur Devices, Inc." in page.text

    page.go("/workspace/import")
    choose_file(page, CRM / "salesforce_report_contacts.csv")
    page.click("Upload and check")
    assert "holding contacts" in page.text
    page.click("Import")
    assert page.path == "/workspace/contacts"
    listed = " ".join(page.text.split())
    assert "Anil Desai Chief Financial Officer Larkspur Devices, Inc. Finance" in listed
    assert "Greta Kettlewell Head of Procurement Kettlewell & Sons GmbH Procurement" in listed
    assert "Sam O'Neill IT Manager The Quenby Group Technical evaluator" in listed
    assert "Jo Marsh VP Engineering Larkspur Devices, Inc. Senior decision maker (economic buyer)" in listed
    page.screenshot("import-contacts-with-roles")


def test_a_file_over_the_limit_is_refused_before_it_is_sent(live_app, page):
    with live_app.app_context():
        org = make_org("Northwind Analytics")
        make_user(org, ("learner",), email="maya@northwind.example", name="Maya Okafor")
        db.session.remove()
    live_app.config["IMPORT_MAX_BYTES"] = 1000
    page.sign_in("maya@northwind.example")
    page.go("/workspace/import")
    choose_file(page, CRM / "salesforce_report_accounts.csv")
    page.click("Upload and check", navigates=False)
    assert page.path == "/workspace/import"
    assert "salesforce_report_accounts.csv is 1 KB; the limit is 1000 bytes" not in page.text
    assert "The limit is" in page.text or "the limit is" in page.text
    assert "This file can't be imported" in page.text
