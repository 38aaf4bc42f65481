"""Artefacts: a passed submission gives the learner their work to take back (PDF of the answer, CSV or XLSX of a
rows field), rendered once and stored; only the learner, their coach and the organisation's admins and
managers may download it."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from lms.extensions import db
from lms.identity.services import add_role
from lms.practice import artefacts
from lms.practice.answers import cell_key, field_key
from lms.practice.exercises import exercise_registry
from lms.practice.models import Submission
from tests.factories import make_org, make_user
from tests.practice.web_helpers import coach_for, learner_with_workspace, mapped_account

BCM = "buying-committee-map"


def _with_artefact(fmt: str, review: str | None = None, **extra):
    registry = exercise_registry()
    spec = {"title": "Buying committee map", "format": fmt, **extra}
    registry[BCM] = dataclasses.replace(registry[BCM], artefact=spec, review=review)
    return registry[BCM]


def _pass_and_hand_in(client, auth, user, accounts) -> Submission:
    data = {cell_key("accounts", i, "account"): str(a.id) for i, a in enumerate(accounts)}
    data[field_key("required_1_few")] = "economic buyer, functional owner, technical evaluator, finance"
    auth.login(user.email)
    client.post(f"/exercises/{BCM}/run", data=data)
    client.post(f"/exercises/{BCM}/submit")
    db.session.expire_all()
    submission = db.session.scalars(select(Submission).where(Submission.user_id == user.id)).one()
    assert submission.passed
    return submission


def _setup(name: str = "Maya Okafor"):
    org, user, ws = learner_with_workspace(name=name)
    harbour = mapped_account(ws, "Harbourline Logistics")
    fern = mapped_account(ws, "Fernhollow Labs")
    db.session.commit()
    return org, user, (harbour, fern)


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_a_passed_submission_gives_a_pdf_of_the_whole_answer_rendered_once(client, auth, app, monkeypatch):
    _with_artefact("pdf")
    org, user, accounts = _setup()
    submission = _pass_and_hand_in(client, auth, user, accounts)

    page = client.get(f"/runs/{submission.run_id}").get_data(as_text=True)
    url = f"/submissions/{submission.id}/artefact"
    assert f'href="{url}">Download your Buying committee map (PDF)' in page
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename=Buying-committee-map-Maya-Okafor.pdf' in response.headers["Content-Disposition"]
    text = _text(response.data)
    assert "MAP THE BUYING COMMITTEE" in text  # the exercise, above the artefact's title
    for expected in ("Buying committee map", "Maya Okafor", org.name,
                     "Accounts to map", "Account", "Harbourline Logistics", "Fernhollow Labs",
                     "Required roles for 1:few accounts", "functional owner", "100/100", "handed in on"):
        assert expected in text, expected
    assert f"Account {accounts[0].id}" not in text  # names, not ids

    stored = artefacts.stored(submission, exercise_registry()[BCM])
    assert stored is not None and stored.read_bytes() == response.data
    monkeypatch.setattr(artefacts, "render", lambda *a: (_ for _ in ()).throw(AssertionError("rendered again")))
    assert client.get(url).data == response.data  # served from the store


def test_csv_and_xlsx_export_the_rows_with_account_names(client, auth, app):
    _with_artefact("csv", field="accounts")
    _, user, accounts = _setup()
    submission = _pass_and_hand_in(client, auth, user, accounts)
    response = client.get(f"/submissions/{submission.id}/artefact")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows == [["Account"], ["Harbourline Logistics"], ["Fernhollow Labs"]]

    exercise = _with_artefact("xlsx", field="accounts")
    response = client.get(f"/submissions/{submission.id}/artefact")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["Account"], ["Harbourline Logistics"],
                                                                     ["Fernhollow Labs"]]
    assert Path(artefacts.stored(submission, exercise)).suffix == ".xlsx"


def test_account_names_that_look_like_formulas_are_defused(client, auth, app):
    _with_artefact("csv", field="accounts")
    org, user, ws = learner_with_workspace()
    evil = mapped_account(ws, "=HYPERLINK(\"http://evil.example\",\"x\")")
    db.session.commit()
    submission = _pass_and_hand_in(client, auth, user, [evil])
    rows = list(csv.reader(io.StringIO(client.get(f"/submissions/{submission.id}/artefact").data
                                       .decode("utf-8-sig"))))
    assert rows[1][0].startswith("'=")


def test_no_artefact_before_a_pass_or_without_one_declared(client, auth, app):
    _, user, ws = learner_with_workspace()
    fern = mapped_account(ws, "Fernhollow Labs", roles=("senior_decision_maker",))
    db.session.commit()
    _with_artefact("pdf")
    auth.login(user.email)
    client.post(f"/exercises/{BCM}/run", data={cell_key("accounts", 0, "account"): str(fern.id)})
    client.post(f"/exercises/{BCM}/submit")
    submission = db.session.scalars(select(Submission).where(Submission.user_id == user.id)).one()
    assert not submission.passed
    assert client.get(f"/submissions/{submission.id}/artefact").status_code == 404
    assert "Download your" not in client.get(f"/runs/{submission.run_id}").get_data(as_text=True)
    registry = exercise_registry()
    registry[BCM] = dataclasses.replace(registry[BCM], artefact=None)
    submission.passed = True
    db.session.commit()
    assert client.get(f"/submissions/{submission.id}/artefact").status_code == 404


def test_a_coach_review_artefact_waits_for_the_coach_to_accept(client, auth, app):
    _with_artefact("pdf", review="coach")
    org, user, accounts = _setup()
    coach = coach_for(org, user)
    submission = _pass_and_hand_in(client, auth, user, accounts)
    url = f"/submissions/{submission.id}/artefact"
    assert client.get(url).status_code == 404
    auth.logout()
    auth.login(coach.email)
    client.post(f"/reviews/{submission.id}", data={"comment": "Good map.", "decision": "accepted"})
    assert "Download Buying committee map (PDF)" in client.get(f"/reviews/{submission.id}").get_data(as_text=True)
    auth.logout()
    auth.login(user.email)
    assert "Download your Buying committee map (PDF)" in client.get(f"/exercises/{BCM}").get_data(as_text=True)
    response = client.get(url)
    assert response.status_code == 200
    assert "accepted by their coach on" in _text(response.data)


def test_only_the_learner_their_coach_and_the_organisations_admins_and_managers_may_download(client, auth, app):
    _with_artefact("pdf")
    org, user, accounts = _setup()
    coach = coach_for(org, user)
    admin = make_user(org, ("org_admin",))
    manager = make_user(org, ("manager",))
    _, classmate, _ = learner_with_workspace(org)
    other_coach = coach_for(org, classmate)
    elsewhere = make_org()
    stranger = make_user(elsewhere, ("org_admin",))
    add_role(stranger, elsewhere, "manager")
    db.session.commit()
    submission = _pass_and_hand_in(client, auth, user, accounts)
    url = f"/submissions/{submission.id}/artefact"
    assert client.get(url).status_code == 200
    for allowed in (coach, admin, manager):
        auth.logout()
        auth.login(allowed.email)
        assert client.get(url).status_code == 200, allowed.email
    for refused in (classmate, other_coach, stranger):
        auth.logout()
        auth.login(refused.email)
        assert client.get(url).status_code == 404, refused.email
    auth.logout()
    assert client.get(url).status_code in (302, 401)
