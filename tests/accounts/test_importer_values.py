"""Reading one cell's value: numbers, dates, signal types, emails, and our export's formula guard."""

from __future__ import annotations

from datetime import datetime

import pytest

from lms.accounts.importer import detect_format, read_table, validate
from lms.accounts.importer.values import parse_datetime
from tests.accounts.importer_support import CRM, WORKSPACE, csv_plan, messages

# --- numbers


def test_bad_numbers_fixture_keeps_every_row_with_a_name_and_warns_about_each_value_left_out():
    table = read_table((CRM / "bad_numbers_accounts.csv").read_bytes(), "bad_numbers_accounts.csv")
    plan = validate(table, detect_format(table.headers).mapping, "accounts")

    assert messages(plan) == []  # line 5 has no name but a website: named after its domain (see validation)
    dropped = [str(w) for w in plan.warnings if w.kind == "value_dropped"]
    assert dropped == [
        "line 3: Employees 'about 50' is not a whole number; the row is imported without it",
        "line 6: Employees '1.200' is ambiguous (dot as a thousands separator?); write 1200 or 1,200; "
        "the row is imported without it",
        "line 6: Annual Revenue '2.5m' uses a 'k'/'m' style suffix; write the number in full; "
        "the row is imported without it",
        "line 7: Annual Revenue '48000000,50' uses a decimal comma; write 1200.50 or 1,200.50; "
        "the row is imported without it",
        "line 7: ABM Tier 'Gold' is not one of 1:1, 1:few, 1:many; the row is imported without it",
        "line 8: Employees '-5' must not be negative; the row is imported without it",
    ]
    assert sorted(r.line for r in plan.rows) == [2, 3, 4, 5, 6, 7, 8]
    revenue = {r.line: r.values["revenue"] for r in plan.rows}
    assert revenue[4] == 12_500_000  # "£12,500,000" as Excel saves a currency cell
    assert plan.summary.rejected == 0


@pytest.mark.parametrize(
    ("raw", "value"), [("1,200", 1200), ("1200", 1200), ("1,200,000", 1_200_000), ("12.0", 12), ("n/a", None)]
)
def test_whole_numbers_accept_uk_and_us_forms(raw, value):
    plan = csv_plan(f'Account Name,Employees\nAcme,"{raw}"\n', "accounts")

    assert plan.rows[0].values["employees"] == value


@pytest.mark.parametrize(
    ("raw", "value"), [("1200.50", 1200.5), ("1,200.50", 1200.5), ("0.5", 0.5), ("250000000", 250_000_000.0)]
)
def test_amounts_accept_decimal_points_and_thousands_commas(raw, value):
    plan = csv_plan(f'Account Name,Annual Revenue\nAcme,"{raw}"\n', "accounts")

    assert plan.rows[0].values["revenue"] == value


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("£85,000,000.00", 85_000_000), ("$5,000", 5000), ("€5000", 5000), ("5000 GBP", 5000), ("1,250.50", 1250.5)],
)
def test_currency_and_thousands_as_excel_saves_them_are_read(raw, expected):
    plan = csv_plan(f'Account Name,Annual Revenue\nAcme,"{raw}"\n', "accounts")

    assert plan.errors == []
    assert plan.rows[0].values["revenue"] == expected


def test_a_semicolon_file_reads_numbers_the_european_way():
    plan = csv_plan("Account Name;Annual Revenue;Employees\nAcme;1.000.000;1.200\nBeta;1.234,50;12\n", "accounts")

    assert plan.errors == []
    assert [(r.values["revenue"], r.values["employees"]) for r in plan.rows] == [(1_000_000, 1200), (1234.5, 12)]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("50k", "uses a 'k'/'m' style suffix"),
        ("1.2bn", "uses a 'k'/'m' style suffix"),
        ("1.5E+06", "is in scientific notation"),
        ("1.200.000", "is ambiguous"),
        ("1.200,50", "uses a decimal comma"),
        ("about 50", "is not a number"),
        ("lots", "is not a number"),
    ],
)
def test_an_unreadable_optional_number_is_left_out_with_a_warning_and_the_row_kept(raw, reason):
    plan = csv_plan(f'Account Name,Annual Revenue\nAcme,"{raw}"\n', "accounts")

    assert plan.errors == []
    assert [r.values["revenue"] for r in plan.rows] == [None]
    dropped = [str(w) for w in plan.warnings if w.kind == "value_dropped"]
    assert len(dropped) == 1 and dropped[0].startswith(f"line 2: Annual Revenue '{raw}' {reason}")


def test_an_unreadable_required_amount_still_rejects_the_opportunity():
    plan = csv_plan("Opportunity Name,Amount,Account Name\nBig deal,about 50,Larkspur Devices\n", "opportunities",
                    existing=WORKSPACE)

    assert messages(plan) == ["line 2: amount 'about 50' is not a number"]


# --- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05", datetime(2024, 3, 5)),
        ("2024-03-05T10:00:00.000Z", datetime(2024, 3, 5, 10, 0)),
        ("2024-03-05T10:00:00+01:00", datetime(2024, 3, 5, 9, 0)),
        ("2020-01-10 10:00", datetime(2020, 1, 10, 10, 0)),
        ("05/03/2024", datetime(2024, 3, 5)),
        ("05/03/2024, 14:30", datetime(2024, 3, 5, 14, 30)),
    ],
)
def test_dates_in_crm_formats_parse_to_naive_utc(text, expected):
    assert parse_datetime(text) == expected


def test_us_dates_parse_when_day_is_not_first():
    assert parse_datetime("3/5/2024 2:30 PM", dayfirst=False) == datetime(2024, 3, 5, 14, 30)


def test_us_date_order_is_available_per_import():
    plan = csv_plan(
        "account_name,type,occurred_at\nLarkspur Devices,webinar,12/31/2026\n", "signals", existing=WORKSPACE,
        dayfirst=False,
    )

    assert plan.rows[0].values["occurred_at"] == datetime(2026, 12, 31)



# --- signal types, emails and text


def test_signal_types_map_through_synonyms_and_dates_default_to_day_first():
    plan = csv_plan(
        "account_name,type,occurred_at\n"
        "Larkspur Devices,Webinar attended,05/03/2026 14:00\n"
        "Larkspur Devices,Bombora surge,2026-03-06\n"
        "Larkspur Devices,Tweet,2026-03-06\n"
        "Larkspur Devices,demo_request,12/31/2026\n"
        "Larkspur Devices,ad_click,\n",
        "signals",
        existing=WORKSPACE,
    )

    assert [(r.values["type"], r.values["occurred_at"]) for r in plan.rows] == [
        ("webinar", datetime(2026, 3, 5, 14, 0)),
        ("intent_spike", datetime(2026, 3, 6)),
    ]
    assert messages(plan)[0].startswith("line 4: type 'Tweet' is not a known signal type (content_download,")
    assert messages(plan)[1:] == [
        "line 5: occurred_at '12/31/2026' is not a date (use YYYY-MM-DD or DD/MM/YYYY)",
        "line 6: occurred_at is empty",
    ]


def test_invalid_email_is_rejected_with_the_value():
    plan = csv_plan(
        "First Name,Last Name,Email,Account Name\n"
        "Jo,Marsh,jo.marsh@larkspur-devices.example,Larkspur Devices\n"
        "Jo,Bloggs,jo@@x.example,Larkspur Devices\n",
        "contacts",
        existing=WORKSPACE,
    )

    assert messages(plan) == ["line 3: email 'jo@@x.example' is not a valid address"]


def test_formula_guard_added_by_our_export_is_removed_on_import():
    plan = csv_plan("Account Name,Account Owner\n'=Acme,'+Jo\n", "accounts")

    assert (plan.rows[0].values["name"], plan.rows[0].values["owner"]) == ("=Acme", "+Jo")
