"""File-level refusals, row errors with line numbers, dedupe and counts when validating an import."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from lms.accounts.importing import (
    ExistingKeys,
    ImportFileError,
    MissingColumnsError,
    detect_format,
    read_table,
    validate,
)

CRM = Path(__file__).resolve().parents[1] / "fixtures" / "crm"


def csv_plan(text: str, entity: str, **kwargs):
    table = read_table(text.encode("utf-8"), "upload.csv")
    mapping = detect_format(table.headers, entity=entity).mapping  # type: ignore[arg-type]
    return validate(table, mapping, entity, **kwargs)  # type: ignore[arg-type]


def messages(plan) -> list[str]:
    return [str(e) for e in plan.errors]


WORKSPACE = ExistingKeys.from_records(
    accounts=[
        {"name": "Larkspur Devices, Inc.", "website": "https://www.larkspur-devices.example", "external_id": "A-1"},
        {"name": "Kettlewell & Sons GmbH", "website": "kettlewell-sons.example"},
    ],
    contacts=[{"email": "Jo.Marsh@larkspur-devices.example", "first_name": "Jo", "last_name": "Marsh"}],
)

# --- whole-file refusals


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("empty.csv", "empty.csv is empty."),
        ("header_only.csv", "header_only.csv has a header row but no data rows."),
        ("binary.csv", "binary.csv is a PNG image, not a CSV or Excel file."),
        ("bad_encoding.csv", "bad_encoding.csv is not UTF-8 or Windows-1252 text (byte 0x81 on line 2"),
    ],
)
def test_unreadable_fixture_is_refused_with_its_own_message(fixture, expected):
    with pytest.raises(ImportFileError) as caught:
        read_table((CRM / fixture).read_bytes(), fixture)

    assert caught.value.message.startswith(expected)


def test_file_over_the_size_limit_is_refused():
    with pytest.raises(ImportFileError, match=r"accounts.csv is 2 KB; the limit is 1 KB"):
        read_table(b"Account Name\n" + b"x" * 2048, "accounts.csv", max_bytes=1024)


def test_file_with_more_rows_than_the_limit_is_refused():
    data = ("Account Name\n" + "".join(f"Firm {i}\n" for i in range(4))).encode()

    with pytest.raises(ImportFileError, match=r"more than 3 data rows"):
        read_table(data, "accounts.csv", max_rows=3)


def test_rows_up_to_the_limit_are_accepted():
    data = ("Account Name\n" + "".join(f"Firm {i}\n" for i in range(3))).encode()

    assert len(read_table(data, "accounts.csv", max_rows=3).rows) == 3


def test_whitespace_and_bom_only_file_counts_as_empty():
    with pytest.raises(ImportFileError, match="is empty"):
        read_table(b"\xef\xbb\xbf\r\n  \r\n", "accounts.csv")


def test_nul_bytes_mean_binary():
    with pytest.raises(ImportFileError, match="contains binary data"):
        read_table(b"Account Name\nAcme\x00\x00\x01", "accounts.csv")


def test_control_characters_mean_binary_even_when_cp1252_decodes_them():
    with pytest.raises(ImportFileError, match="looks like a binary file"):
        read_table(b"Account Name\n" + bytes(range(1, 9)) * 10, "accounts.csv")


def test_old_xls_is_refused_with_save_as_advice():
    with pytest.raises(ImportFileError, match=r"old-style Excel \(\.xls\)"):
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "accounts.xls")


def test_text_named_xlsx_is_refused():
    with pytest.raises(ImportFileError, match="named like an Excel workbook but is not one"):
        read_table(b"Account Name\nAcme\n", "accounts.xlsx")


def test_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")

    with pytest.raises(ImportFileError, match="not a readable Excel workbook"):
        read_table(buffer.getvalue(), "accounts.xlsx")


def test_unterminated_quote_is_reported_with_its_line():
    data = b'Account Name,Website\nAcme,acme.example\n"Broken,' + b"x" * 140_000 + b"\n"

    with pytest.raises(ImportFileError, match=r'line 3 cannot be read .*stray "'):
        read_table(data, "accounts.csv")


def test_missing_account_column_is_a_missing_columns_error():
    table = read_table((CRM / "missing_columns_contacts.csv").read_bytes(), "missing_columns_contacts.csv")
    mapping = detect_format(table.headers).mapping

    with pytest.raises(MissingColumnsError) as caught:
        validate(table, mapping, "contacts")

    assert caught.value.missing == ("account_external_id",)
    assert caught.value.message.startswith(
        "This contact file has no column for the account (Account Name or Account ID). "
        "Columns found: First Name, Last Name, Title, Phone."
    )


def test_mapping_to_a_field_the_entity_does_not_have_is_a_programming_error():
    table = read_table(b"Org\nAcme\n", "a.csv")

    with pytest.raises(ValueError, match="'email' is not a field of accounts"):
        validate(table, {"Org": "email"}, "accounts")


# --- row errors


def test_ragged_rows_are_rejected_one_by_one_and_the_rest_imported():
    table = read_table((CRM / "ragged_rows.csv").read_bytes(), "ragged_rows.csv")
    plan = validate(table, detect_format(table.headers).mapping, "accounts")

    assert messages(plan) == [
        "line 3: has 5 values but the header has 4 columns; a value probably contains an unquoted comma"
    ]
    assert [r.line for r in plan.rows] == [2, 4, 5, 6]  # trailing empty cells on 5 and 6 are harmless
    assert plan.rows[2].values["employees"] == 60
    assert (plan.summary.total, plan.summary.rejected) == (5, 1)


def test_bad_numbers_fixture_gives_a_specific_reason_per_value():
    table = read_table((CRM / "bad_numbers_accounts.csv").read_bytes(), "bad_numbers_accounts.csv")
    plan = validate(table, detect_format(table.headers).mapping, "accounts")

    assert messages(plan) == [
        "line 3: employees 'about 50' is not a whole number",
        "line 4: revenue '£12,500,000' contains a currency; give the number only (the currency goes in its own column)",
        "line 5: Account Name is empty",
        "line 6: employees '1.200' is ambiguous (dot as a thousands separator?); write 1200 or 1,200",
        "line 6: revenue '2.5m' uses a 'k'/'m' style suffix; write the number in full",
        "line 7: revenue '48000000,50' uses a decimal comma; write 1200.50 or 1,200.50",
        "line 7: tier 'Gold' is not one of 1:1, 1:few, 1:many",
        "line 8: employees '-5' must not be negative",
    ]
    assert [r.values["employees"] for r in plan.rows] == [1200]
    assert plan.summary.rejected == 6


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
    ("raw", "reason"),
    [
        ("$5,000", "contains a currency"),
        ("€5000", "contains a currency"),
        ("5000 GBP", "contains a currency"),
        ("50k", "uses a 'k'/'m' style suffix"),
        ("1.2bn", "uses a 'k'/'m' style suffix"),
        ("1.5E+06", "is in scientific notation"),
        ("1.200.000", "is ambiguous"),
        ("1.200,50", "uses a decimal comma"),
        ("lots", "is not a number"),
    ],
)
def test_amounts_that_need_guessing_are_rejected(raw, reason):
    plan = csv_plan(f'Account Name,Annual Revenue\nAcme,"{raw}"\n', "accounts")

    assert len(plan.errors) == 1
    assert messages(plan)[0].startswith(f"line 2: revenue '{raw}' {reason}")
    assert plan.rows == []


def test_invalid_email_is_rejected_with_the_value():
    plan = csv_plan(
        "First Name,Last Name,Email,Account Name\n"
        "Jo,Marsh,jo.marsh@larkspur-devices.example,Larkspur Devices\n"
        "Jo,Bloggs,jo@@x.example,Larkspur Devices\n",
        "contacts",
        existing=WORKSPACE,
    )

    assert messages(plan) == ["line 3: email 'jo@@x.example' is not a valid address"]


def test_contact_naming_an_unknown_account_is_rejected():
    plan = csv_plan(
        "First Name,Last Name,Email,Account Name\n"
        "Ann,Lee,ann@nimbus.example,Nimbus Ltd\n",
        "contacts",
        existing=WORKSPACE,
    )

    assert messages(plan) == ["line 2: no account named 'Nimbus Ltd' in the file or your workspace"]


def test_contact_without_account_column_links_by_email_domain_but_not_free_mail():
    plan = csv_plan(
        "First Name,Last Name,Email\n"
        "Ann,Lee,ann.lee@eng.kettlewell-sons.example\n"
        "Bo,Sen,bo.sen@gmail.com\n",
        "contacts",
        existing=WORKSPACE,
    )

    assert [r.line for r in plan.rows] == [2]
    assert messages(plan) == ["line 3: no account given, and no account has the email domain 'gmail.com'"]


def test_contact_links_by_account_id_or_normalised_name():
    plan = csv_plan(
        "Last Name,Account ID,Account Name\nLee,A-1,\nSen,,KETTLEWELL AND SONS\nPark,B-9,\n",
        "contacts",
        existing=WORKSPACE,
    )

    assert [r.line for r in plan.rows] == [2, 3]
    assert messages(plan) == ["line 4: no account with ID 'B-9' in the file or your workspace"]


def test_account_resolver_can_accept_a_contact_the_keys_do_not_know():
    seen = []

    def resolver(row):
        seen.append(row.line)
        return row.values["account_name"] == "Nimbus"

    plan = csv_plan(
        "Last Name,Account Name\nLee,Nimbus\nSen,Cirrus\n", "contacts", existing=WORKSPACE, account_resolver=resolver
    )

    assert seen == [2, 3]
    assert [r.line for r in plan.rows] == [2]
    assert messages(plan) == ["line 3: no account named 'Cirrus' in the file or your workspace"]


def test_contact_needs_a_last_name_or_an_email():
    plan = csv_plan("First Name,Last Name,Email,Account Name\nJo,,,Larkspur Devices\n", "contacts", existing=WORKSPACE)

    assert messages(plan) == ["line 2: Last Name and Email empty; a contact needs one of them"]


def test_formula_guard_added_by_our_export_is_removed_on_import():
    plan = csv_plan("Account Name,Account Owner\n'=Acme,'+Jo\n", "accounts")

    assert (plan.rows[0].values["name"], plan.rows[0].values["owner"]) == ("=Acme", "+Jo")


# --- signals, opportunities, handoffs


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


def test_us_date_order_is_available_per_import():
    plan = csv_plan(
        "account_name,type,occurred_at\nLarkspur Devices,webinar,12/31/2026\n", "signals", existing=WORKSPACE,
        dayfirst=False,
    )

    assert plan.rows[0].values["occurred_at"] == datetime(2026, 12, 31)


def test_signal_of_a_known_contact_needs_no_account_column():
    plan = csv_plan("contact_email,type,occurred_at\njo.marsh@larkspur-devices.example,email_reply,2026-01-02\n",
                    "signals", existing=WORKSPACE)

    assert plan.errors == []


def test_opportunity_needs_name_amount_and_a_known_account():
    plan = csv_plan(
        "Opportunity Name,Account Name,Amount,Stage,Close Date\n"
        "Larkspur expansion,Larkspur Devices,\"12,500\",Closed Won,30/06/2026\n"
        ",Larkspur Devices,,Proposal,\n"
        "Nimbus pilot,Nimbus Ltd,9000,Closed Lost,01/07/2026\n",
        "opportunities",
        existing=WORKSPACE,
    )

    won = plan.rows[0].values
    assert (won["amount"], won["is_won"], won["closed_at"]) == (12_500.0, True, datetime(2026, 6, 30))
    assert messages(plan) == [
        "line 3: Opportunity Name is empty",
        "line 3: Amount is empty",
        "line 4: no account named 'Nimbus Ltd' in the file or your workspace",
    ]


def test_open_salesforce_opportunity_drops_its_expected_close_date():
    plan = csv_plan(
        "Name,AccountId,StageName,Amount,CloseDate,IsClosed,IsWon\n"
        "Larkspur renewal,A-1,Proposal,5000,2026-12-01,false,false\n",
        "opportunities",
        existing=WORKSPACE,
    )

    assert (plan.rows[0].values["is_won"], plan.rows[0].values["closed_at"]) == (None, None)


def test_handoff_status_and_rejection_reason_are_checked():
    plan = csv_plan(
        "account_name,sent_at,status,rejection_reason\n"
        "Larkspur Devices,2026-02-01T09:00:00,rejected,light_signal\n"
        "Larkspur Devices,2026-02-01T09:00:00,ignored,\n"
        "Larkspur Devices,2026-02-01T09:00:00,accepted,weak_role\n",
        "handoffs",
        existing=WORKSPACE,
    )

    assert plan.rows[0].values["rejection_reason"] == "light_signal"
    assert messages(plan) == [
        "line 3: status 'ignored' is not one of sent, accepted, rejected",
        "line 4: rejection_reason is set but status is not rejected",
    ]


# --- dedupe and counts


def test_accounts_dedupe_in_file_on_normalised_name_or_registrable_domain():
    plan = csv_plan(
        "Account Name,Website,Industry\n"
        "Quenby Group,,\n"
        "The Quenby Group Ltd,quenby-group.example,Consulting\n"
        "QG Holdings,https://www.quenby-group.example/about,\n"
        "Tallis Data Systems,tallis.example,Software\n",
        "accounts",
    )

    assert [str(m) for m in plan.merges] == [
        "line 3: same name as line 2 (quenby group); merged into it",
        "line 4: same domain as line 2 (quenby-group.example); merged into it",
    ]
    first = plan.rows[0].values
    assert (first["name"], first["website"], first["industry"]) == (
        "Quenby Group", "quenby-group.example", "Consulting"
    )
    assert len(plan.rows) == 2


def test_accounts_matching_the_workspace_become_updates():
    plan = csv_plan(
        "Account ID,Account Name,Website\n"
        "A-1,Larkspur Devices (US),\n"
        ",Kettlewell and Sons,\n"
        ",Ardelle Nautique,https://eng.kettlewell-sons.example\n"
        ",Nimbus Ltd,nimbus.example\n",
        "accounts",
        existing=WORKSPACE,
    )

    assert [(r.line, r.action, r.match) for r in plan.rows] == [
        (2, "update", "Larkspur Devices, Inc."),
        (3, "update", "Kettlewell & Sons GmbH"),
        (4, "update", "Kettlewell & Sons GmbH"),
        (5, "new", None),
    ]
    assert [(m.key, m.kind) for m in plan.merges] == [
        ("id:A-1", "existing"), ("name:kettlewell and sons", "existing"),
        ("domain:kettlewell-sons.example", "existing"),
    ]


def test_contacts_dedupe_on_email_in_any_case_in_file_and_against_the_workspace():
    plan = csv_plan(
        "First Name,Last Name,Email,Title,Account Name\n"
        "Ann,Lee,ann.lee@kettlewell-sons.example,,Kettlewell & Sons\n"
        "Ann,Lee,ANN.LEE@kettlewell-sons.example ,Head of IT,Kettlewell & Sons\n"
        "Jo,Marsh,jo.marsh@LARKSPUR-devices.example,VP Engineering,Larkspur Devices\n",
        "contacts",
        existing=WORKSPACE,
    )

    assert [(m.line, m.into, m.kind) for m in plan.merges] == [
        (3, "line 2", "in_file"), (4, "jo.marsh@larkspur-devices.example", "existing")
    ]
    assert plan.rows[0].values["title"] == "Head of IT"


def test_summary_counts_new_updated_merged_and_rejected():
    plan = csv_plan(
        "Account Name,Website,Employees\n"
        "Larkspur Devices,,10\n"  # update (workspace)
        "Nimbus Ltd,nimbus.example,20\n"  # new
        "Nimbus Limited,,\n"  # merged into line 3
        "Cirrus plc,cirrus.example,lots\n"  # rejected
        ",orphan.example,5\n"  # rejected
        "Stratus GmbH,stratus.example,\n",  # new
        "accounts",
        existing=WORKSPACE,
    )
    s = plan.summary

    assert (s.total, s.new, s.updated, s.merged, s.rejected) == (6, 2, 1, 1, 2)


def test_existing_keys_from_a_plan_let_a_contacts_file_link_to_an_accounts_file():
    accounts = csv_plan("Account Name,Website\nNimbus Ltd,nimbus.example\n", "accounts")
    keys = ExistingKeys().with_plan(accounts)
    plan = csv_plan("Last Name,Email\nLee,lee@nimbus.example\n", "contacts", existing=keys)

    assert plan.errors == []
    assert keys.account_names == {"nimbus": "Nimbus Ltd"}
    assert ExistingKeys().account_names == {}  # with_plan copies; the original is unchanged
