"""Exports: each CRM's headers, formula-injection guards, and a lossless round trip through the importer."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from lms.accounts.exporting import export_rows, safe_cell
from lms.accounts.fields import IMPORT_FIELDS
from lms.accounts.importer import ExistingKeys, detect_format, read_table, validate

ACCOUNTS = [
    {
        "external_id": "0015g00000LrkAB", "name": "Larkspur Devices, Inc.",
        "website": "https://www.larkspur-devices.example", "industry": "Electronics", "employees": 1200,
        "revenue": 250_000_000.0, "region": "United States", "tier": "1:1", "owner": "Priya Raman",
    },
    {
        "external_id": "0015g00000SnaGH", "name": 'Société "Nautique" Ardelle,\nSA', "website": None,
        "industry": "Marine; leisure", "employees": None, "revenue": 1_234_567.89, "region": "Bretagne, France",
        "tier": "1:few", "owner": "Zoë O'Neill",
    },
    {
        "external_id": "0015g00000EviLX", "name": '=HYPERLINK("http://evil.example","Click")',
        "website": "kettlewell-sons.example", "industry": "+1", "employees": 0, "revenue": 0.5,
        "region": "-2+3", "tier": "1:many", "owner": "@SUM(A1:A9)",
    },
]
CONTACTS = [
    {
        "external_id": "0035g00000JoMaA", "first_name": "Élodie", "last_name": "Le Gall, Jr.",
        "email": "elodie.legall@larkspur-devices.example", "title": 'Directrice "achats"\net logistique',
        "account_external_id": "0015g00000LrkAB", "account_name": "Larkspur Devices, Inc.",
        "phone": "+44 20 7946 0321", "crm_role": "Champion", "region": "France",
    },
    {
        "external_id": "0035g00000AnDeA", "first_name": None, "last_name": "-Desai",
        "email": "anil@kettlewell-sons.example", "title": None, "account_external_id": None,
        "account_name": '=HYPERLINK("http://evil.example","Click")', "phone": None, "crm_role": None,
        "region": None,
    },
]
STYLES = ("abm_academy", "salesforce_report", "hubspot")


def reimport(data: bytes, fmt: str, entity: str, existing: ExistingKeys | None = None):
    table = read_table(data, f"export.{fmt}")
    detected = detect_format(table.headers)
    assert detected.entity == entity
    # As analyse_table does: sales' agreement columns are exported, but never read back.
    mapping = {h: f for h, f in detected.mapping.items() if f in IMPORT_FIELDS[entity]}
    return detected, validate(table, mapping, entity, existing=existing)  # type: ignore[arg-type]


def header_row(data: bytes) -> list[str]:
    return read_table(data, "export.csv").headers


# --- headers


def test_salesforce_report_style_writes_report_labels():
    assert header_row(export_rows("accounts", ACCOUNTS[:1], "csv", "salesforce_report")) == [
        "Account ID", "Account Name", "Website", "Industry", "Employees", "Annual Revenue", "Billing Country",
        "ABM Tier", "Account Owner",
    ]
    assert header_row(export_rows("contacts", CONTACTS[:1], "csv", "salesforce_report")) == [
        "Contact ID", "First Name", "Last Name", "Email", "Title", "Account ID", "Account Name", "Phone",
        "Buyer Attributes", "Mailing Country",
    ]


def test_hubspot_style_writes_hubspot_property_labels():
    assert header_row(export_rows("accounts", ACCOUNTS[:1], "csv", "hubspot")) == [
        "Record ID", "Company name", "Website URL", "Industry", "Number of Employees", "Annual Revenue",
        "Country/Region", "Ideal Customer Profile Tier", "Company owner",
    ]
    assert header_row(export_rows("contacts", CONTACTS[:1], "csv", "hubspot")) == [
        "Record ID", "First Name", "Last Name", "Email", "Job Title", "Primary Associated Company ID",
        "Associated Company", "Phone Number", "Buying Role", "Country/Region",
    ]


def test_product_style_writes_snake_case_fields_with_sales_owner():
    headers = header_row(export_rows("accounts", ACCOUNTS[:1], "csv", "abm_academy"))

    assert headers[:9] == ["external_id", "name", "website", "industry", "employees", "revenue", "region", "tier",
                           "sales_owner"]
    assert "marketing_owner" in headers and "progress_definition" in headers


def test_hubspot_tiers_are_written_as_icp_tiers():
    data = export_rows("accounts", ACCOUNTS, "csv", "hubspot").decode("utf-8-sig")

    assert ",Tier 1," in data and ",Tier 2," in data and ",Tier 3," in data


def test_csv_is_utf8_with_bom_and_crlf():
    data = export_rows("accounts", ACCOUNTS[:1], "csv", "abm_academy")

    assert data.startswith(b"\xef\xbb\xbfexternal_id,name,")
    assert data.count(b"\r\n") == 2


def test_salesforce_report_style_quotes_every_field():
    data = export_rows("accounts", ACCOUNTS[:1], "csv", "salesforce_report").decode("utf-8-sig")

    assert data.splitlines()[1].startswith('"0015g00000LrkAB","Larkspur Devices, Inc.",')


@pytest.mark.parametrize(
    ("style", "entity"), [("salesforce_report", "signals"), ("hubspot", "handoffs"), ("abm_academy", "leads")]
)
def test_entities_a_style_cannot_express_are_refused(style, entity):
    with pytest.raises(ValueError):
        export_rows(entity, [], "csv", style)  # type: ignore[arg-type]


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown format 'json'"):
        export_rows("accounts", [], "json")  # type: ignore[arg-type]


# --- formula injection


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil.example","Click")', '\'=HYPERLINK("http://evil.example","Click")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("+44 20 7946 0321", "'+44 20 7946 0321"),
        ("Plain text", "Plain text"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_safe_cell_prefixes_text_that_a_spreadsheet_would_run(value, expected):
    assert safe_cell(value) == expected


@pytest.mark.parametrize("value", [-2, -2.5, 0, 1200, None, True])
def test_safe_cell_leaves_numbers_and_non_text_alone(value):
    assert safe_cell(value) is value


def test_csv_export_guards_every_dangerous_text_cell():
    text = export_rows("accounts", ACCOUNTS[2:], "csv", "hubspot").decode("utf-8-sig")
    row = text.splitlines()[1]

    assert row.startswith('0015g00000EviLX,"\'=HYPERLINK(""http://evil.example"",""Click"")",')
    assert ",'+1," in row and ",'-2+3," in row and row.endswith(",'@SUM(A1:A9)")


def test_xlsx_export_keeps_numbers_numeric_and_holds_no_formulas():
    records = [dict(ACCOUNTS[2], employees=-2, revenue=-2.5)]
    wb = load_workbook(io.BytesIO(export_rows("accounts", records, "xlsx", "abm_academy")))
    ws = wb.active
    cells = {ws.cell(1, c).value: ws.cell(2, c) for c in range(1, ws.max_column + 1)}

    assert cells["employees"].value == -2 and cells["employees"].data_type == "n"
    assert cells["revenue"].value == -2.5
    assert cells["name"].value == '\'=HYPERLINK("http://evil.example","Click")'
    assert cells["region"].value == "'-2+3"
    assert not any(cell.data_type == "f" for row in ws.iter_rows() for cell in row)


def test_xlsx_export_writes_datetimes_as_dates():
    signal = {"account_name": "Larkspur", "type": "webinar", "occurred_at": datetime(2026, 3, 5, 14, 30)}
    ws = load_workbook(io.BytesIO(export_rows("signals", [signal], "xlsx", "abm_academy"))).active

    assert ws.cell(2, 7).value == datetime(2026, 3, 5, 14, 30)


# --- round trip


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("style", STYLES)
def test_accounts_round_trip_to_the_same_canonical_values(style, fmt):
    detected, plan = reimport(export_rows("accounts", ACCOUNTS, fmt, style), fmt, "accounts")

    assert detected.source == style
    assert plan.errors == []
    assert [{k: r.values[k] for k in a} for a, r in zip(ACCOUNTS, plan.rows, strict=True)] == ACCOUNTS


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("style", STYLES)
def test_contacts_round_trip_to_the_same_canonical_values(style, fmt):
    existing = ExistingKeys.from_records(accounts=ACCOUNTS)
    detected, plan = reimport(export_rows("contacts", CONTACTS, fmt, style), fmt, "contacts", existing)

    assert detected.source == style
    assert plan.errors == []
    assert [{k: r.values[k] for k in c} for c, r in zip(CONTACTS, plan.rows, strict=True)] == CONTACTS


OPPORTUNITIES = [
    {
        "external_id": "006A", "name": "Larkspur – expansion, phase 2", "account_external_id": "0015g00000LrkAB",
        "account_name": "Larkspur Devices, Inc.", "stage": "Closed Won", "amount": 125_000.5, "currency": "GBP",
        "created_at": datetime(2026, 1, 5, 9, 30), "closed_at": datetime(2026, 4, 30), "is_won": True,
        "source": "abm",
    },
    {
        "external_id": "006B", "name": "Larkspur renewal", "account_external_id": "0015g00000LrkAB",
        "account_name": "Larkspur Devices, Inc.", "stage": "Proposal", "amount": 9_000.0, "currency": "EUR",
        "created_at": datetime(2026, 2, 1, 10, 0, 15), "closed_at": None, "is_won": None, "source": "inbound",
    },
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("style", STYLES)
def test_opportunities_round_trip_including_open_deals(style, fmt):
    existing = ExistingKeys.from_records(accounts=ACCOUNTS)
    detected, plan = reimport(export_rows("opportunities", OPPORTUNITIES, fmt, style), fmt, "opportunities", existing)

    assert detected.source == style
    assert plan.errors == []
    assert [{k: r.values[k] for k in o} for o, r in zip(OPPORTUNITIES, plan.rows, strict=True)] == OPPORTUNITIES


def test_signals_and_handoffs_round_trip_in_the_product_format():
    existing = ExistingKeys.from_records(accounts=ACCOUNTS)
    signal = {
        "external_id": "SIG-1", "account_external_id": "0015g00000LrkAB", "account_name": "Larkspur Devices, Inc.",
        "contact_email": "jo@larkspur-devices.example", "type": "pricing_page_visit", "topic": "=cost, \"ROI\"",
        "occurred_at": datetime(2026, 3, 5, 14, 30), "followed_up_at": None, "followed_up_by": None,
    }
    handoff = {
        "external_id": "HO-1", "account_external_id": "0015g00000LrkAB", "account_name": "Larkspur Devices, Inc.",
        "contact_email": "jo@larkspur-devices.example", "signal_external_id": "SIG-1",
        "sent_at": datetime(2026, 3, 5, 16, 0), "contact_role": "finance", "buying_group_relevance": None,
        "engagement_summary": "Pricing page twice\nthen a demo request", "qualification_level": "hot",
        "recommended_follow_up": "Call", "sales_owner": "Priya Raman", "sla_hours": 24,
        "first_touch_at": datetime(2026, 3, 6, 9, 0), "status": "rejected", "rejection_reason": "poor_timing",
        "sales_feedback": "-1 from me", "meeting_booked": False,
    }
    for entity, record in (("signals", signal), ("handoffs", handoff)):
        for fmt in ("csv", "xlsx"):
            _, plan = reimport(export_rows(entity, [record], fmt, "abm_academy"), fmt, entity, existing)
            assert plan.errors == []
            assert plan.rows[0].values == record
