"""Recognising real CRM exports: Salesforce (reports and Data Loader), HubSpot, Dynamics 365, our own, others."""

from __future__ import annotations

import pytest

from lms.accounts.importer import ExistingKeys, detect_format, mapping_fingerprint, validate
from tests.accounts.importer_support import by_name, load, plan

# --- Salesforce reports


def test_salesforce_report_accounts_detected_with_bom_stripped_and_footer_dropped():
    table = load("salesforce_report_accounts.csv")
    detected = detect_format(table.headers)

    assert (detected.source, detected.entity) == ("salesforce_report", "accounts")
    assert table.encoding == "utf-8-sig"
    assert table.headers[0] == "Account Owner"
    assert table.footer_lines == 3  # Grand Totals, Confidential, Copyright
    assert [cells[1] for _, cells in table.rows][-1] == "Wyndle Health"


def test_salesforce_report_accounts_give_canonical_values():
    p = plan("salesforce_report_accounts.csv")
    accounts = by_name(p)

    assert p.errors == []
    larkspur = accounts["Larkspur Devices, Inc."]
    assert larkspur["external_id"] == "0015g00000LrkAB"
    assert larkspur["employees"] == 1200
    assert larkspur["revenue"] == 250_000_000.0
    assert larkspur["region"] == "United States"  # Billing Country wins over Billing State/Province
    assert larkspur["owner"] == "Priya Raman"
    assert larkspur["domain"] == "larkspur-devices.example"
    assert accounts["Fernhollow Labs plc"]["revenue"] == 12_500_000.5
    assert accounts["Société Nautique Ardelle SA"]["employees"] == 2300
    assert accounts["Tallis Data Systems"]["domain"] == "tallis-systems.example"
    assert accounts["Wyndle Health"]["website"] is None


def test_salesforce_report_contacts_link_by_account_name_when_account_id_is_missing():
    accounts = plan("salesforce_report_accounts.csv")
    p = plan("salesforce_report_contacts.csv", ExistingKeys().with_plan(accounts))
    contacts = by_name(p, "last_name")

    assert p.errors == []
    assert len(p.rows) == 7
    assert contacts["Desai"]["email"] == "anil.desai@larkspur-devices.example"
    assert contacts["Desai"]["account_name"] == "Larkspur Devices, Inc."
    assert contacts["O'Neill"]["account_name"] == "Quenby Group"  # matches "The Quenby Group"
    assert contacts["Le Gall"]["first_name"] == "Élodie"
    assert contacts["Hale"]["title"] == "Director, Research Operations"
    assert contacts["Menon"]["title"] is None



# --- Salesforce Data Loader (API names)


def test_dataloader_upper_case_api_headers_are_recognised():
    table = load("salesforce_dataloader_accounts_upper.csv")
    detected = detect_format(table.headers)
    accounts = by_name(validate(table, detected.mapping, "accounts"))

    assert (detected.source, detected.entity) == ("salesforce_api", "accounts")
    assert detected.mapping["NAME"] == "name"
    assert detected.mapping["NUMBEROFEMPLOYEES"] == "employees"
    larkspur = accounts["Larkspur Devices, Inc."]
    assert larkspur["tier"] == "1:1"  # "Tier 1" in a custom picklist
    assert larkspur["revenue"] == 250_000_000.0
    assert larkspur["external_id"] == "0015g00000LrkABAAZ"
    assert accounts["Oyelaran Systems Oy"]["tier"] == "1:many"
    assert accounts["Corvessa Freight Co."]["tier"] is None


def test_dataloader_mixed_case_contacts_link_by_18_or_15_character_account_id():
    accounts = plan("salesforce_dataloader_accounts_upper.csv")
    table = load("salesforce_dataloader_contacts_mixed.csv")
    detected = detect_format(table.headers)
    p = validate(table, detected.mapping, "contacts", existing=ExistingKeys().with_plan(accounts))
    contacts = by_name(p, "last_name")

    assert (detected.source, detected.entity) == ("salesforce_api", "contacts")
    assert detected.mapping["Account.Name"] == "account_name"
    assert p.errors == []
    assert contacts["Kettlewell"]["account_external_id"] == "0015g00000KtwCD"
    assert contacts["van der Berg"]["first_name"] == "Lieke"
    assert contacts["Desai"]["crm_role"] == "DecisionMaker;ExecutiveSponsor"


@pytest.mark.parametrize(
    "headers",
    [
        ["ID", "NAME", "BILLINGCOUNTRY", "NUMBEROFEMPLOYEES"],
        ["Id", "Name", "BillingCountry", "NumberOfEmployees"],
        ["id", "name", "billingcountry", "numberofemployees"],
    ],
)
def test_salesforce_api_account_headers_match_in_any_case(headers):
    detected = detect_format(headers)

    assert (detected.source, detected.entity) == ("salesforce_api", "accounts")
    assert set(detected.mapping.values()) == {"external_id", "name", "region", "employees"}


@pytest.mark.parametrize(
    "headers", [["Id", "AccountId", "Account.Name", "LastName"], ["ID", "ACCOUNTID", "ACCOUNT.NAME", "LASTNAME"]]
)
def test_salesforce_api_contact_headers_match_in_any_case(headers):
    detected = detect_format(headers)

    assert (detected.source, detected.entity) == ("salesforce_api", "contacts")
    assert detected.mapping[headers[1]] == "account_external_id"
    assert detected.mapping[headers[2]] == "account_name"



# --- HubSpot


def test_hubspot_companies_reject_the_gmail_junk_company_and_merge_duplicate_domains():
    p = plan("hubspot_companies.csv")

    assert [str(e) for e in p.errors] == [
        "line 5: 'gmail.com' is a free-mail provider, not a company; remove this row"
    ]
    assert [(m.line, m.into, m.kind) for m in p.merges] == [(6, "line 4", "in_file")]
    corvessa = by_name(p)["Corvessa Freight Company"]
    assert corvessa["revenue"] == 91_000_000.0  # filled from the duplicate row
    assert corvessa["domain"] == "corvessa-freight.example"


def test_hubspot_contacts_use_first_associated_company_id_and_email_domain():
    companies = plan("hubspot_companies.csv")
    table = load("hubspot_contacts.csv")
    detected = detect_format(table.headers)
    p = validate(table, detected.mapping, "contacts", existing=ExistingKeys().with_plan(companies))
    contacts = by_name(p, "email")

    assert (detected.source, detected.entity) == ("hubspot", "contacts")
    assert p.errors == []  # the Gmail "company" is kept as a contact with no account yet, in HubSpot's words
    assert [str(w) for w in p.warnings if w.kind == "no_account"] == [
        "line 5: Kate Brennan: Associated Company 'Gmail.com' is a free-mail provider, not a company"]
    assert contacts["imogen.hale@fernhollow.co.uk"]["account_external_id"] == "5012345002"
    assert contacts["pieter@corvessa-freight.example"]["crm_role"] == "Blocker"
    assert contacts["nadia.rahman@ilvermoor.example"]["account_name"] is None  # linked by email domain
    assert contacts["ops@larkspur-devices.example"]["last_name"] is None  # an email is enough



# --- Dynamics 365 (XLSX)


def test_dynamics_accounts_xlsx_keeps_guid_and_ignores_do_not_modify_columns():
    table = load("dynamics_accounts.xlsx")
    detected = detect_format(table.headers)
    p = validate(table, detected.mapping, "accounts")
    accounts = by_name(p)

    assert (table.encoding, table.delimiter) == ("xlsx", None)
    assert [line for line, _ in table.rows] == [2, 3, 4, 5]
    assert (detected.source, detected.entity) == ("dynamics", "accounts")
    assert detected.mapping["(Do Not Modify) Account"] == "external_id"
    assert set(detected.ignored) == {"(Do Not Modify) Row Checksum", "(Do Not Modify) Modified On"}
    assert p.errors == []
    assert accounts["Larkspur Devices, Inc."]["external_id"] == "7f3c2a10-1b2c-4d5e-8f90-0a1b2c3d4e01"
    assert accounts["Larkspur Devices, Inc."]["employees"] == 1200
    assert accounts["Oyelaran Systems Oy"]["revenue"] == 18_750_000.25
    assert accounts["Wyndle Health"]["region"] == "United Kingdom"


def test_dynamics_contacts_split_trimmed_full_name_and_link_by_company_name():
    accounts = plan("dynamics_accounts.xlsx")
    table = load("dynamics_contacts.xlsx")
    detected = detect_format(table.headers)
    p = validate(table, detected.mapping, "contacts", existing=ExistingKeys().with_plan(accounts))
    contacts = by_name(p, "email")

    assert "Full Name" in table.headers  # was " Full Name"
    assert (detected.source, detected.entity) == ("dynamics", "contacts")
    assert p.errors == []
    lieke = contacts["lieke.vdberg@oyelaran.example"]
    assert (lieke["first_name"], lieke["last_name"]) == ("Lieke", "van der Berg")
    assert lieke["account_name"] == "Oyelaran Systems Oy"


def test_dynamics_contact_view_with_email_1_and_account_name_columns():
    headers = ["(Do Not Modify) Contact", "(Do Not Modify) Row Checksum", "(Do Not Modify) Modified On",
               "Contact Type", "Full Name", "First Name", "Last Name", "Account Name", "Job Role", "Job Title",
               "Email 1"]
    detected = detect_format(headers)

    assert (detected.source, detected.entity) == ("dynamics", "contacts")
    assert detected.mapping["Email 1"] == "email"
    assert detected.mapping["Account Name"] == "account_name"
    assert "Job Role" in detected.unmapped


def test_every_do_not_modify_column_but_the_entity_guid_is_ignored():
    detected = detect_format(
        ["(Do Not Modify) Account", "(Do Not Modify) Row Checksum", "(Do Not Modify) Modified On",
         "(Do Not Modify) Primary Contact", "Account Name"]
    )

    assert detected.mapping == {"(Do Not Modify) Account": "external_id", "Account Name": "name"}
    assert len(detected.ignored) == 3
    assert detected.unmapped == ()



# --- unknown formats and the product's own format


def test_unknown_headers_get_mapping_suggestions_by_similarity():
    table = load("unknown_format_accounts.csv")
    detected = detect_format(table.headers)

    assert detected.source == "unknown"
    assert detected.entity == "accounts"
    assert detected.mapping == {
        "Org": "name", "Web": "website", "Headcount": "employees", "Sector": "industry", "Country": "region"
    }
    assert detected.unmapped == ("Owner Notes",)
    p = validate(table, detected.mapping, "accounts")
    assert p.errors == []
    assert by_name(p)["Larkspur Devices Inc"]["domain"] == "larkspur-devices.example"


def test_headers_with_nothing_recognisable_give_no_entity():
    detected = detect_format(["Colour", "Flavour"])

    assert (detected.source, detected.entity, detected.mapping) == ("unknown", None, {})


def test_product_export_format_is_detected():
    headers = ["external_id", "first_name", "last_name", "email", "title", "account_external_id",
               "account_name", "phone", "crm_role", "region"]
    detected = detect_format(headers)

    assert (detected.source, detected.entity) == ("abm_academy", "contacts")
    assert detected.mapping == {h: h for h in headers}


def test_entity_hint_restricts_detection():
    detected = detect_format(["Account Name", "Account ID", "Email"], entity="contacts")

    assert detected.entity == "contacts"
    assert detected.mapping["Account Name"] == "account_name"



# --- fingerprint


def test_mapping_fingerprint_ignores_order_case_and_spacing():
    a = mapping_fingerprint(["Account Name", "Website", " Industry"])
    b = mapping_fingerprint(["industry", "ACCOUNT  NAME", "Website"])

    assert a == b
    assert len(a) == 16
    assert a != mapping_fingerprint(["Account Name", "Website"])
