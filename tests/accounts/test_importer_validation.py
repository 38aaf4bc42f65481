"""Validating mapped rows: required columns, row errors with line numbers, account links, dedupe and counts."""

from __future__ import annotations

from datetime import datetime

import pytest

from lms.accounts.importer import ExistingKeys, MissingColumnsError, detect_format, read_table, validate
from tests.accounts.importer_support import CRM, WORKSPACE, csv_plan, messages

# --- columns


def test_missing_account_column_is_a_missing_columns_error():
    table = read_table((CRM / "missing_columns_contacts.csv").read_bytes(), "missing_columns_contacts.csv")
    mapping = detect_format(table.headers).mapping

    with pytest.raises(MissingColumnsError) as caught:
        validate(table, mapping, "contacts")

    assert caught.value.missing == ("account_external_id",)
    assert caught.value.message.startswith(
        "This contact file has no column for the account (its company name or ID). "
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


def test_contact_naming_an_unknown_account_is_kept_with_no_account_yet():
    plan = csv_plan(
        "First Name,Last Name,Email,Account Name\n"
        "Ann,Lee,ann@nimbus.example,Nimbus Ltd\n",
        "contacts",
        existing=WORKSPACE,
    )

    assert plan.errors == []
    assert [r.values["account_name"] for r in plan.rows] == ["Nimbus Ltd"]
    assert [(w.kind, str(w)) for w in plan.warnings] == [
        ("no_account", "line 2: Ann Lee: no account named 'Nimbus Ltd' in the file or your workspace")]


def test_contact_without_account_column_links_by_email_domain_but_not_free_mail():
    plan = csv_plan(
        "First Name,Last Name,Email\n"
        "Ann,Lee,ann.lee@eng.kettlewell-sons.example\n"
        "Bo,Sen,bo.sen@gmail.com\n",
        "contacts",
        existing=WORKSPACE,
    )

    assert [r.line for r in plan.rows] == [2, 3]
    assert plan.errors == []
    assert [str(w) for w in plan.warnings if w.kind == "no_account"] == [
        "line 3: Bo Sen: no account given, and no account has the email domain 'gmail.com'"]
    assert [str(w) for w in plan.warnings if w.kind == "free_mail"] == [
        "line 3: Bo Sen uses a personal address (bo.sen@gmail.com)"]


def test_contact_links_by_account_id_or_normalised_name():
    plan = csv_plan(
        "Last Name,Account ID,Account Name\nLee,A-1,\nSen,,KETTLEWELL AND SONS\nPark,B-9,\n",
        "contacts",
        existing=WORKSPACE,
    )

    assert [r.line for r in plan.rows] == [2, 3, 4]
    assert [str(w) for w in plan.warnings if w.kind == "no_account"] == [
        "line 4: Park: no account with ID 'B-9' in the file or your workspace"]


def test_account_resolver_can_accept_a_contact_the_keys_do_not_know():
    seen = []

    def resolver(row):
        seen.append(row.line)
        return row.values["account_name"] == "Nimbus"

    plan = csv_plan(
        "Last Name,Account Name\nLee,Nimbus\nSen,Cirrus\n", "contacts", existing=WORKSPACE, account_resolver=resolver
    )

    assert seen == [2, 3]
    assert [w.line for w in plan.warnings if w.kind == "no_account"] == [3]


def test_contact_needs_a_last_name_or_an_email():
    plan = csv_plan("First Name,Last Name,Email,Account Name\nJo,,,Larkspur Devices\n", "contacts", existing=WORKSPACE)

    assert messages(plan) == ["line 2: Last Name and Email empty; a contact needs one of them"]



# --- signals, opportunities, handoffs


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
        "Cirrus plc,cirrus.example,lots\n"  # new, without its employees
        ",orphan.example,5\n"  # new, named after its domain
        ",,7\n"  # rejected: no name and no website
        "Stratus GmbH,stratus.example,\n",  # new
        "accounts",
        existing=WORKSPACE,
    )
    s = plan.summary

    assert (s.total, s.new, s.updated, s.merged, s.rejected) == (7, 4, 1, 1, 1)
    assert messages(plan) == ["line 7: Account Name is empty"]


def test_existing_keys_from_a_plan_let_a_contacts_file_link_to_an_accounts_file():
    accounts = csv_plan("Account Name,Website\nNimbus Ltd,nimbus.example\n", "accounts")
    keys = ExistingKeys().with_plan(accounts)
    plan = csv_plan("Last Name,Email\nLee,lee@nimbus.example\n", "contacts", existing=keys)

    assert plan.errors == []
    assert keys.account_names == {"nimbus": "Nimbus Ltd"}
    assert ExistingKeys().account_names == {}  # with_plan copies; the original is unchanged


def test_contacts_without_an_email_dedupe_on_name_and_account():
    plan = csv_plan(
        "First Name,Last Name,Email,Account Name\n"
        "Jo,Marsh,,Larkspur Devices\n"
        "jo , MARSH,,\"Larkspur Devices, Inc.\"\n"  # the same person, the account written another way
        "Jo,Marsh,,Kettlewell & Sons\n"  # a namesake at another account
        "Jo,Marsh,jo@larkspur-devices.example,Larkspur Devices\n",  # has an email: matched on it instead
        "contacts",
        existing=WORKSPACE,
    )

    assert [r.line for r in plan.rows] == [2, 4, 5]
    assert [(m.line, m.into, m.kind) for m in plan.merges] == [(3, "line 2", "in_file")]


def test_an_account_without_a_name_takes_its_domain_but_a_row_with_neither_is_rejected():
    plan = csv_plan("Account Name,Website,Industry\n,https://www.orphan.example/about,\n,,Retail\n,gmail.com,\n",
                    "accounts")

    assert [r.values["name"] for r in plan.rows] == ["orphan.example"]
    assert [str(w) for w in plan.warnings if w.kind == "name_from_domain"] == [
        "line 2: Account Name is empty; named 'orphan.example' after its website: rename it to the company's name"]
    assert messages(plan) == [
        "line 3: Account Name is empty", "line 4: Account Name is empty",
        "line 4: 'gmail.com' is a free-mail provider, not a company; remove this row"]
