"""Uploading a CRM activity export: the columns Salesforce and HubSpot write, encodings and delimiters, line-numbered
errors, all or nothing unless the admin asks for the valid rows, no duplicates on a second upload, and each row
stored as a valid xAPI statement (source "csv") in the admin's organisation."""

from __future__ import annotations

import codecs
import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms.database import utcnow
from lms.extensions import db
from lms.tracking import activity_import as ai
from lms.tracking.models import Statement
from lms.tracking.tools import AS
from lms.tracking.validation import statement_problems
from tests.factories import make_org, make_user

NOW = datetime(2026, 11, 20, 9, 0)
SALESFORCE = ("Date,Assigned: Email,Task Subtype,Subject,Company / Account,Email,Activity ID\r\n"
              "14/11/2026,ada@northwind.example,Call,Discovery call,Globex,jo@globex.example,00T1\r\n"
              "15/11/2026,ada@northwind.example,Email,Follow-up,Globex,jo@globex.example,00T2\r\n"
              "\r\n"
              "Grand Totals (2 records)\r\n")
HUBSPOT = ("Activity date,Activity assigned to,Activity type,Subject,Associated Company,Record ID\n"
           "2026-11-14 10:30,Ada Lovelace (ada@northwind.example),Account research,Globex org chart,Globex,9001\n"
           "2026-11-15T08:00:00Z,Bob Builder <bob@northwind.example>,MEETING,Kick-off,Initech,9002\n")


def _parse(text: str, **kw) -> ai.Parsed:
    return ai.parse(text.encode(), now=kw.pop("now", NOW), **kw)


# --- reading, pure ------------------------------------------------------------------------------------------


def test_a_salesforce_activity_report_is_read_without_its_footer():
    parsed = _parse(SALESFORCE)
    assert parsed.errors == [] and parsed.lines == 2
    assert parsed.columns == {"date": "Date", "user_email": "Assigned: Email", "activity_type": "Task Subtype",
                              "subject": "Subject", "account_name": "Company / Account", "contact": "Email",
                              "crm_id": "Activity ID"}
    first = parsed.rows[0]
    assert (first.line, first.when, first.user_email, first.activity_type, first.subject, first.account_name,
            first.contact, first.crm_id) == (2, datetime(2026, 11, 14, 12), "ada@northwind.example", "Call",
                                             "Discovery call", "Globex", "jo@globex.example", "00T1")


def test_a_hubspot_activities_export_is_read_with_emails_inside_names():
    parsed = _parse(HUBSPOT)
    assert parsed.errors == []
    assert [(r.user_email, r.activity_type, r.when) for r in parsed.rows] == [
        ("ada@northwind.example", "Account research", datetime(2026, 11, 14, 10, 30)),
        ("bob@northwind.example", "MEETING", datetime(2026, 11, 15, 8, 0))]
    assert parsed.columns["crm_id"] == "Record ID" and parsed.columns["account_name"] == "Associated Company"


@pytest.mark.parametrize(("value", "day_first", "expected"), [
    ("2026-03-04", True, datetime(2026, 3, 4, 12)),
    ("2026-03-04 15:30", True, datetime(2026, 3, 4, 15, 30)),
    ("2026-03-04T15:30:00+01:00", True, datetime(2026, 3, 4, 14, 30)),
    ("2026-03-04T15:30:00Z", True, datetime(2026, 3, 4, 15, 30)),
    ("03/04/2026", True, datetime(2026, 4, 3, 12)),
    ("03/04/2026", False, datetime(2026, 3, 4, 12)),
    ("3/4/2026, 2:05 PM", False, datetime(2026, 3, 4, 14, 5)),
    ("04.03.2026 09:15", True, datetime(2026, 3, 4, 9, 15)),
    ("12/31/2026 12:00 AM", False, datetime(2026, 12, 31, 0, 0)),
])
def test_dates_are_read_in_the_formats_crms_write(value, day_first, expected):
    assert ai.parse_when(value, day_first=day_first) == expected


@pytest.mark.parametrize("value", ["31/12/2026", "yesterday", "2026-13-01", ""])
def test_a_date_that_is_not_one_is_refused(value):
    with pytest.raises(ValueError):
        ai.parse_when(value, day_first=value != "31/12/2026")


@pytest.mark.parametrize("encode", [
    lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    lambda t: t.encode("cp1252"),
    lambda t: t.encode("utf-16"),
    lambda t: t.replace(",", ";").encode("utf-8"),
    lambda t: t.replace(",", "\t").encode("utf-8"),
])
def test_encodings_and_delimiters_excel_and_crms_write(encode):
    text = "Date,User email,Type,Subject\n2026-11-14,ada@northwind.example,Call,Café meeting\n"
    parsed = ai.parse(encode(text), now=NOW)
    assert parsed.errors == [] and parsed.rows[0].subject == "Café meeting"


@pytest.mark.parametrize(("data", "message"), [
    (b"", "no activities"),
    (b"Date,User email,Type\n", "no activities"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not a CSV file"),
    (b"PK\x03\x04rest", "not a CSV file"),
    (b"When,Who\n2026-11-14,ada@northwind.example\n", "no date column"),
    (b"Date,Who\n2026-11-14,ada@northwind.example\n", "no user email column"),
])
def test_a_file_that_cannot_be_imported_says_why(data, message):
    with pytest.raises(ai.ActivityFileError) as caught:
        ai.parse(data, now=NOW)
    assert message in caught.value.message


def test_errors_name_the_physical_line_and_quote_cells_safely():
    text = ('Date,User email,Type,Subject\n'
            '2026-11-14,ada@northwind.example,Call,"A subject\nover two lines"\n'
            '2026-11-14,=HYPERLINK("http://evil.example"),Call,x\n'
            '14/13/2026,ada@northwind.example,,x\n'
            '2027-01-01,ada@northwind.example,Call,x\n')
    parsed = _parse(text)
    assert len(parsed.rows) == 1
    assert [str(e) for e in parsed.errors] == [
        "Line 4: the user email \u201c'=HYPERLINK(\"http://evil.example\")\u201d is not an email address.",
        "Line 5: the date \u201c14/13/2026\u201d is not a date (day/month/year, or 2026-03-14); "
        "the activity type is empty.",
        "Line 6: the date 01 Jan 2027 is in the future."]


def test_statement_ids_are_deterministic_and_identical_rows_stay_distinct():
    text = ("Date,User email,Type,Subject\n" + "2026-11-14,ada@northwind.example,Call,Same\n" * 2)
    rows = _parse(text).rows
    first, second = ai._ids(7, rows), ai._ids(7, rows)
    assert first == second and len(set(first)) == 2
    assert set(ai._ids(8, rows)).isdisjoint(first)  # another organisation's upload is its own
    with_id = ai.ActivityRow(2, NOW, "ada@northwind.example", "Call", "Old subject", crm_id="00T1")
    edited = ai.ActivityRow(9, NOW, "ada@northwind.example", "Call", "New subject", crm_id="00T1")
    assert ai.statement_id(7, with_id) == ai.statement_id(7, edited)  # the CRM's id wins


def test_each_type_gets_a_stable_iri_under_the_organisation_and_a_verb():
    from tests.tracking.rows import SITE

    assert ai.activity_type_iri(SITE, 7, "Account research") == (
        "https://academy.example/xapi/activities/organization/7/crm-activity-types/account-research")
    assert ai.activity_type_iri(SITE, 7, "account  RESEARCH!") == ai.activity_type_iri(SITE, 7, "Account research")
    assert ai.verb_for("Email")[0] == AS + "send" and ai.verb_for("List Email")[0] == AS + "send"
    assert ai.verb_for("Meeting")[0] == AS + "attend" and ai.verb_for("Call")[0] == AS + "complete"


# --- the upload page ----------------------------------------------------------------------------------------


@pytest.fixture
def northwind(app):
    org = make_org("Northwind", slug="northwind")
    make_user(org, ("org_admin",), email="admin@northwind.example")
    ada = make_user(org, ("learner",), email="ada@northwind.example", name="Ada Lovelace")
    other = make_org("Contoso", slug="contoso")
    make_user(other, ("org_admin",), email="admin@contoso.example")
    return org, ada, other


def _upload(client, text: str | bytes, name: str = "activities.csv", **form):
    data = text.encode() if isinstance(text, str) else text
    return client.post("/admin/tools/import", data={"file": (io.BytesIO(data), name), "dates": "dmy", **form},
                       content_type="multipart/form-data")


def _csv_statements(org_id: int) -> list[Statement]:
    return list(db.session.scalars(select(Statement).where(Statement.source == "csv",
                                                           Statement.organization_id == org_id)
                                   .order_by(Statement.timestamp)))


def test_an_upload_stores_each_row_as_a_valid_statement_of_the_organisation(client, auth, northwind):
    org, ada, _ = northwind
    today = utcnow().date()
    text = ("Date,User email,Activity type,Subject,Account name,Account domain,Contact email\n"
            f"{today - timedelta(days=2):%d/%m/%Y},ADA@northwind.example,Account research,Org chart,Globex,"
            "https://www.globex.example/about,jo@globex.example\n"
            f"{today - timedelta(days=1):%d/%m/%Y},zed@elsewhere.example,Email,Hello,Initech,,\n")
    auth.login("admin@northwind.example")
    page = _upload(client, text).get_data(as_text=True)
    assert "2 activities imported" in page and "Make a rule" in page
    research, email = _csv_statements(org.id)
    assert (research.verb, research.object_type, research.source, research.actor_id, research.actor_email,
            research.actor_ifi, research.credential_id) == ("external", "activity", "csv", ada.id,
                                                            "ada@northwind.example", "mbox:mailto:ada@northwind.example",
                                                            None)
    assert research.verb_iri == AS + "complete" and email.verb_iri == AS + "send"
    assert research.activity_iri == f"http://lms.test/xapi/activities/organization/{org.id}/crm-activity-types/" \
                                    "account-research"
    assert research.object_id == research.activity_iri and research.object_name == "Account research"
    assert email.actor_id is None  # nobody in the academy has that email: kept, counts for nobody
    doc = research.document
    assert statement_problems(doc) == []
    assert doc["id"] == research.id and doc["authority"]["account"]["name"] == f"organization-{org.id}"
    assert doc["object"]["definition"]["type"] == ai.CRM_ACTIVITY_TYPE
    ext = doc["context"]["extensions"]
    assert ext["https://abm-academy.org/xapi/extensions/crm-account-domain"] == "globex.example"
    assert ext["https://abm-academy.org/xapi/extensions/crm-contact"] == "jo@globex.example"
    imported = db.session.scalar(select(Statement).where(Statement.verb == "imported"))
    assert imported.object_type == "crm-activity-export" and imported.result == {"rows": 2, "added": 2}


def test_uploading_the_same_file_again_adds_nothing(client, auth, northwind):
    org = northwind[0]
    auth.login("admin@northwind.example")
    _upload(client, SALESFORCE.replace("2026", str(utcnow().year - 1)))
    page = _upload(client, SALESFORCE.replace("2026", str(utcnow().year - 1))).get_data(as_text=True)
    assert "0 activities imported" in page and "2 were already in the record" in page
    assert len(_csv_statements(org.id)) == 2


def test_the_same_file_in_another_organisation_is_that_organisations_own(client, auth, northwind):
    org, _, other = northwind
    text = SALESFORCE.replace("2026", str(utcnow().year - 1))
    auth.login("admin@northwind.example")
    _upload(client, text)
    auth.logout()
    auth.login("admin@contoso.example")
    assert "2 activities imported" in _upload(client, text).get_data(as_text=True)
    mine, theirs = _csv_statements(org.id), _csv_statements(other.id)
    assert len(mine) == len(theirs) == 2 and {s.id for s in mine}.isdisjoint(s.id for s in theirs)
    assert all(f"/organization/{other.id}/" in s.activity_iri for s in theirs)


def test_a_line_with_an_error_imports_nothing_unless_the_valid_rows_are_asked_for(client, auth, northwind):
    org = northwind[0]
    text = ("Date,User email,Activity type\n"
            f"{utcnow():%Y-%m-%d},ada@northwind.example,Call\n"
            f"{utcnow():%Y-%m-%d},not-an-email,Call\n")
    auth.login("admin@northwind.example")
    page = _upload(client, text).get_data(as_text=True)
    assert "Nothing was imported: 1 line has errors" in page
    assert "Line 3: the user email “not-an-email” is not an email address." in page
    assert _csv_statements(org.id) == []
    page = _upload(client, text, valid_rows_only="y").get_data(as_text=True)
    assert "1 activity imported" in page and "Lines skipped" in page and "Line 3:" in page
    assert len(_csv_statements(org.id)) == 1


def test_the_page_explains_the_columns_and_refuses_what_is_not_a_csv(client, auth, northwind):
    auth.login("admin@northwind.example")
    page = client.get("/admin/tools/import").get_data(as_text=True)
    for column in ai.COLUMNS:
        assert column.label in page and column.names[0] in page
    assert "Salesforce" in page and "HubSpot" in page
    assert "Upload a .csv file" in _upload(client, "x", name="report.pdf").get_data(as_text=True)
    assert "Choose the CSV file" in client.post("/admin/tools/import", data={"dates": "dmy"}).get_data(as_text=True)
    page = _upload(client, "When,Who\n2026-01-01,x@y.example\n").get_data(as_text=True)
    assert "The file cannot be imported" in page and "no date column" in page
    assert db.session.scalar(select(func.count()).select_from(Statement).where(Statement.source == "csv")) == 0


def test_ten_thousand_rows_import_in_a_few_seconds(client, auth, northwind):
    import time

    org = northwind[0]
    day = utcnow() - timedelta(days=30)
    # Under 500 KB: a larger body makes the test client spool it to a file it never closes.
    lines = [f"{day + timedelta(minutes=i):%Y-%m-%d %H:%M},ada@northwind.example,Call" for i in range(10_000)]
    auth.login("admin@northwind.example")
    started = time.perf_counter()
    page = _upload(client, "Date,User email,Type\n" + "\n".join(lines)).get_data(as_text=True)
    assert "10000 activities imported" in page
    assert time.perf_counter() - started < 15
    assert len(_csv_statements(org.id)) == 10_000
