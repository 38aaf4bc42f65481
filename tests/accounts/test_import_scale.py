"""The importer at scale: each distinct title inferred and each email domain validated once per import, rows
matched to accounts by domain and name without borrowing another row's answer, records written in bulk with a
fixed number of statements, and the import still lossless and all-or-nothing."""

from __future__ import annotations

import csv
import gc
import io

import pytest
from sqlalchemy import select

from lms.abm import domains
from lms.abm.roles import infer_roles, infer_title
from lms.accounts import resolution
from lms.accounts.batches import ImportRefused, import_file
from lms.accounts.models import Account, Contact
from lms.extensions import db
from tests.accounts.web_support import make_team

CONTACT_HEADERS = ["First Name", "Last Name", "Title", "Email", "Phone", "Account Name", "Buying Role"]


def accounts_csv(*rows: tuple[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Account Name", "Website"])
    writer.writerows(rows)
    return out.getvalue().encode()


def contacts_csv(rows: list[dict[str, str]]) -> bytes:
    """A Salesforce report of contacts; each row gives some of CONTACT_HEADERS (the rest left empty)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CONTACT_HEADERS)
    writer.writerows([[row.get(h, "") for h in CONTACT_HEADERS] for row in rows])
    return out.getvalue().encode()


@pytest.fixture
def workspace(app):
    """A team's workspace holding two accounts, and the marketer who imports into it."""
    team = make_team()
    ws = team.workspace()
    import_file(ws, team.marketing, "accounts.csv",
                accounts_csv(("Larkspur Devices", "larkspur-devices.example"),
                             ("Kettlewell & Sons", "kettlewell-sons.example")))
    db.session.commit()
    resolution.clear_caches()
    domains.clear_caches()
    yield ws, team.marketing
    resolution.clear_caches()
    domains.clear_caches()


def contacts() -> dict[str, Contact]:
    db.session.expire_all()
    return {c.email: c for c in db.session.scalars(select(Contact))}


def account_names() -> dict[int, str]:
    return {a.id: a.name for a in db.session.scalars(select(Account))}


def test_each_distinct_title_is_inferred_once_and_no_contact_borrows_another_title_s_facts(workspace, monkeypatch):
    ws, user = workspace
    seen: list[str | None] = []

    def counting(title):
        seen.append(title)
        return infer_title(title)

    monkeypatch.setattr(resolution, "infer_title", counting)
    rows = [
        ("a", "Head of IT", ""), ("b", "Head of IT", ""), ("c", "HEAD OF IT", ""), ("d", "head of it security", ""),
        ("e", "Chief Financial Officer", ""), ("f", "Assistant to the CFO", ""), ("g", "Head of IT", "Champion"),
        ("h", "Head of IT Procurement", ""), ("i", "", "Decision Maker"), ("j", "Head of IT", ""),
    ]  # fmt: skip
    import_file(ws, user, "contacts.csv", contacts_csv([
        {"Last Name": who.upper(), "Title": title, "Email": f"{who}@larkspur-devices.example",
         "Account Name": "Larkspur Devices", "Buying Role": crm} for who, title, crm in rows]))
    db.session.commit()

    assert sorted(t for t in seen if t) == sorted({title for _, title, _ in rows if title})
    found = contacts()
    for who, title, crm in rows:
        contact = found[f"{who}@larkspur-devices.example"]
        inferred = infer_title(title)
        assert (contact.seniority, contact.function) == (inferred.seniority, inferred.function), title
        assert contact.roles == list(infer_roles(title, [crm])), (title, crm)
    assert found["g@larkspur-devices.example"].roles == ["technical_evaluator", "champion"]  # the CRM role too
    assert found["h@larkspur-devices.example"].function == "procurement"
    assert found["e@larkspur-devices.example"].roles == ["finance"]
    assert found["f@larkspur-devices.example"].roles == ["influencer"]  # the CFO's assistant is no finance role


def test_the_addresses_of_an_import_validate_each_email_domain_once(workspace, monkeypatch):
    ws, user = workspace
    validated: list[str] = []
    real = domains.validate_email

    def counting(email, **options):
        validated.append(email)
        return real(email, **options)

    monkeypatch.setattr(domains, "validate_email", counting)
    emails = ["jo@larkspur-devices.example", "kim@larkspur-devices.example", "Lee.Ng@Larkspur-Devices.Example",
              "ola@kettlewell-sons.example", "pat@kettlewell-sons.example", "ravi.menon@gmail.com",
              "sam@eng.larkspur-devices.example"]
    analysis, counts = import_file(ws, user, "contacts.csv", contacts_csv([
        {"Last Name": f"Person {i}", "Email": email, "Account Name": "Larkspur Devices"}
        for i, email in enumerate(emails)]))

    assert counts.new == len(emails)
    assert sorted(validated) == ["a@eng.larkspur-devices.example", "a@gmail.com", "a@kettlewell-sons.example",
                                 "a@larkspur-devices.example"]


def test_rows_from_one_email_domain_are_each_matched_by_their_own_account_name(workspace):
    ws, user = workspace
    analysis, counts = import_file(ws, user, "contacts.csv", contacts_csv([
        {"Last Name": "Marsh", "Email": "jo@larkspur-devices.example", "Account Name": "Kettlewell & Sons"},
        {"Last Name": "Desai", "Email": "kim@larkspur-devices.example"},
        {"Last Name": "Hale", "Email": "lee@larkspur-devices.example", "Account Name": "Larkspur Devices"},
        {"Last Name": "Okafor", "Email": "ola@kettlewell-sons.example"},
        {"Last Name": "Rahman", "Email": "pat@larkspur-devices.example", "Account Name": "Fernhollow Ltd"},
        {"Last Name": "Menon", "Email": "ravi@gmail.com", "Account Name": "Larkspur Devices"},
        {"Last Name": "Vries", "Email": "tom@gmail.com"},
    ]))
    db.session.commit()

    names = account_names()
    found = {email: names.get(c.account_id) for email, c in contacts().items()}
    assert found == {"jo@larkspur-devices.example": "Kettlewell & Sons",  # the name wins over the domain
                     "kim@larkspur-devices.example": "Larkspur Devices",  # no name: the domain
                     "lee@larkspur-devices.example": "Larkspur Devices",
                     "ola@kettlewell-sons.example": "Kettlewell & Sons",
                     "pat@larkspur-devices.example": "Larkspur Devices",  # an unknown name: the domain
                     "ravi@gmail.com": "Larkspur Devices",
                     "tom@gmail.com": None}  # a personal address links to no account
    assert [line for line, *_ in analysis.domain_conflicts] == [2]
    assert sorted(line for line, *_ in analysis.domain_matches) == [3, 5, 6]
    assert contacts()["tom@gmail.com"].company is None


def people(n: int, title: str = "Head of IT") -> bytes:
    return contacts_csv([{"First Name": "Jo", "Last Name": f"Person {i}", "Title": title,
                          "Email": f"p{i}@{('larkspur-devices', 'kettlewell-sons')[i % 2]}.example",
                          "Phone": f"+44 20 7946 {i:04d}" if i % 3 else ""} for i in range(n)])


def statements_of(queries, ws, user, data: bytes) -> list[str]:
    with queries:
        import_file(ws, user, "contacts.csv", data)
        db.session.flush()
    return queries.statements


def test_an_import_sends_the_same_statements_for_twenty_contacts_as_for_four_hundred(app, queries):
    sizes = {}
    for n in (20, 400):
        team = make_team(prefix=f"n{n}-")
        ws = team.workspace()
        import_file(ws, team.marketing, "accounts.csv",
                    accounts_csv(("Larkspur Devices", "larkspur-devices.example"),
                                 ("Kettlewell & Sons", "kettlewell-sons.example")))
        db.session.commit()
        new = statements_of(queries, ws, team.marketing, people(n))
        db.session.commit()
        changed = statements_of(queries, ws, team.marketing, people(n, title="Chief Information Officer"))
        db.session.commit()
        sizes[n] = (len(new), len(changed))
        assert sum(s.lstrip().upper().startswith("INSERT INTO CONTACTS") for s in new) == 1
        assert sum(s.lstrip().upper().startswith("UPDATE CONTACTS") for s in changed) == 1
    assert sizes[20] == sizes[400]


def test_a_reimport_updates_changed_contacts_in_bulk_and_the_session_sees_the_new_values(workspace):
    ws, user = workspace
    import_file(ws, user, "contacts.csv", contacts_csv([
        {"Last Name": "Marsh", "Title": "Marketing Manager", "Email": "jo@larkspur-devices.example",
         "Phone": "+44 20 7946 0001"},
        {"Last Name": "Desai", "Title": "Data Analyst", "Email": "kim@larkspur-devices.example"},
    ]))
    db.session.commit()
    jo = db.session.scalars(select(Contact).where(Contact.email == "jo@larkspur-devices.example")).one()
    kim_before = contacts()["kim@larkspur-devices.example"].updated_at
    created, updated = jo.created_at, jo.updated_at

    analysis, counts = import_file(ws, user, "contacts.csv", contacts_csv([
        {"Last Name": "Marsh", "Title": "Chief Financial Officer", "Email": "JO@larkspur-devices.example"},
        {"Last Name": "Desai", "Title": "Data Analyst", "Email": "kim@larkspur-devices.example"},
    ]))

    assert (counts.new, counts.updated, counts.unchanged) == (0, 1, 1)
    # The contact already loaded in this session shows the import's values without a refresh.
    assert (jo.title, jo.seniority, jo.function, jo.roles) == ("Chief Financial Officer", "c_level", "finance",
                                                               ["finance"])
    db.session.commit()
    found = contacts()
    assert found["jo@larkspur-devices.example"].phone == "+44 20 7946 0001"  # an empty cell blanks nothing
    assert found["jo@larkspur-devices.example"].updated_at > updated
    assert found["jo@larkspur-devices.example"].created_at == created
    assert found["kim@larkspur-devices.example"].updated_at == kim_before


def test_new_contacts_get_one_creation_time_and_cells_a_row_leaves_empty_stay_empty(workspace):
    ws, user = workspace
    import_file(ws, user, "contacts.csv", contacts_csv([
        {"First Name": "Jo", "Last Name": "Marsh", "Title": "Head of IT", "Email": "jo@larkspur-devices.example",
         "Phone": "+44 20 7946 0001", "Account Name": "Larkspur Devices"},
        {"Last Name": "Desai", "Email": "kim@kettlewell-sons.example"},
        {"Last Name": "Hale", "Email": "lee@fernhollow.example", "Account Name": "Fernhollow Ltd"},
    ]))
    db.session.commit()

    found = contacts()
    jo, kim, lee = (found[e] for e in ("jo@larkspur-devices.example", "kim@kettlewell-sons.example",
                                       "lee@fernhollow.example"))
    assert (kim.first_name, kim.title, kim.phone, kim.company, kim.roles, kim.seniority) == (
        None, None, None, None, [], "unknown")
    assert (lee.account_id, lee.company) == (None, "Fernhollow Ltd")
    assert (jo.first_name, jo.phone, jo.roles, jo.roles_set_by_learner) == (
        "Jo", "+44 20 7946 0001", ["technical_evaluator"], False)
    assert jo.created_at == kim.created_at == lee.created_at
    assert jo.updated_at == kim.updated_at == lee.updated_at
    assert [c.email for c in sorted(found.values(), key=lambda c: c.id)] == [jo.email, kim.email, lee.email]


def test_one_bad_row_refuses_the_whole_file_with_its_line_number_and_writes_nothing(workspace):
    ws, user = workspace
    data = contacts_csv([{"Last Name": f"Person {i}", "Email": f"p{i}@larkspur-devices.example"} for i in range(50)]
                        + [{"Last Name": "Broken", "Email": "broken@@larkspur-devices.example"}])
    with pytest.raises(ImportRefused, match="1 row has errors"):
        import_file(ws, user, "contacts.csv", data)
    db.session.rollback()
    assert contacts() == {}
    analysis, _ = import_file(ws, user, "contacts.csv", data, only_valid=True)
    assert [str(e) for e in analysis.errors] == [
        "line 52: email 'broken@@larkspur-devices.example' is not a valid address"]


def test_checking_and_writing_a_file_pause_the_cycle_collector_and_resume_it(workspace, monkeypatch):
    ws, user = workspace
    states: list[bool] = []

    def noting(title):
        states.append(gc.isenabled())
        return infer_title(title)

    monkeypatch.setattr(resolution, "infer_title", noting)
    assert gc.isenabled()
    import_file(ws, user, "contacts.csv", people(3))
    assert states == [False]  # one distinct title, inferred while the collector was paused
    assert gc.isenabled()


def test_the_collector_resumes_after_a_refused_import_and_stays_off_if_it_was_off(workspace):
    ws, user = workspace
    with pytest.raises(ImportRefused):
        import_file(ws, user, "contacts.csv", contacts_csv([{"Last Name": "Broken", "Email": "b@@x.example"}]))
    assert gc.isenabled()
    gc.disable()
    try:
        import_file(ws, user, "contacts.csv", people(2))
        assert not gc.isenabled()
    finally:
        gc.enable()
