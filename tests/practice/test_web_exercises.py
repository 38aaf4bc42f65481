"""The exercises pages: list, an exercise with its form and result, runs, drafts, and garbage input."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from lms.extensions import db
from lms.practice.exercises import exercise_registry
from lms.practice.models import ExerciseRun, SavedAnswer
from lms.tracking.models import Statement
from tests.factories import make_org, make_user
from tests.practice.web_helpers import (
    add_account,
    add_contact,
    learner_with_workspace,
    make_module,
    mapped_account,
)

BCM = "buying-committee-map"


def _run(client, slug: str, data: dict | None = None):
    return client.post(f"/exercises/{slug}/run", data=data or {})


def _runs(user) -> list[ExerciseRun]:
    db.session.expire_all()
    return list(db.session.scalars(select(ExerciseRun).where(ExerciseRun.user_id == user.id)
                                   .order_by(ExerciseRun.id)))


def test_exercise_list_shows_every_exercise_with_its_state_and_the_module_to_read_first(client, auth, app):
    make_module("abm-foundations", "buying-groups-and-roles", "Buying groups and roles")
    org, user, ws = learner_with_workspace()
    auth.login(user.email)
    page = client.get("/exercises").get_data(as_text=True)
    for exercise in exercise_registry().values():
        assert escape(exercise.title) in page
    assert "Read first: <a href=\"/courses/abm-foundations/buying-groups-and-roles\">Buying groups and roles</a>" in page
    assert "Not started" in page
    assert "Your next step" in page


def test_empty_workspace_says_import_your_accounts_first_with_the_link(client, auth, app):
    _, user, _ = learner_with_workspace()
    auth.login(user.email)
    page = client.get(f"/exercises/{BCM}").get_data(as_text=True)
    assert "Import your accounts first" in page
    assert 'href="/workspace/import"' in page
    _run(client, BCM)
    page = client.get(f"/exercises/{BCM}").get_data(as_text=True)
    assert "Import your accounts first" in page
    assert "import your accounts and contacts first" in page


def test_run_stores_the_findings_and_shows_them_grouped_blockers_first(client, auth, app):
    make_module("abm-foundations", "buying-groups-and-roles", "Buying groups and roles")
    _, user, ws = learner_with_workspace()
    fern = add_account(ws, "Fernhollow Labs", "1:few")
    for role in ("senior_decision_maker", "functional_owner", "technical_evaluator"):
        add_contact(ws, fern, role)
    harbour = add_account(ws, "Harbourline Logistics", "1:1")
    add_contact(ws, harbour, "senior_decision_maker")
    roleless = add_contact(ws, harbour, first_name="Nadia", last_name="Roleless", title="Analyst")
    db.session.commit()
    auth.login(user.email)

    response = _run(client, BCM)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/exercises/{BCM}#result")
    (run,) = _runs(user)
    assert run.exercise_slug == BCM and not run.passed
    assert run.snapshot_counts["accounts"] == 2 and run.snapshot_counts["contacts"] == 5
    severities = [f["severity"] for f in run.findings]
    assert "blocker" in severities and "improve" in severities
    finance = next(f for f in run.findings if f["about"] == "account" and f["about_id"] == fern.id
                   and f["severity"] != "good")
    assert finance["account_id"] == fern.id and finance["account"] == "Fernhollow Labs"
    statement = db.session.scalar(select(Statement).where(Statement.verb == "ran"))
    assert statement.object_id == BCM and statement.result["score"] == run.score

    page = client.get(f"/exercises/{BCM}").get_data(as_text=True)
    assert page.index("Must fix") < page.index("Could be better")
    assert escape(finance["message"]) in page
    assert page.index("<span>Fernhollow Labs</span>") < page.rindex(escape(finance["message"]))  # under its account
    assert f'href="/workspace/accounts/{fern.id}"' in page  # an account's missing contacts: the account page
    assert f'href="/workspace/contacts/{roleless.id}/edit"' in page  # a contact without a role: its edit page
    assert 'href="/courses/abm-foundations/buying-groups-and-roles">Learn how: Buying groups and roles' in page
    assert f"{run.score}<span class=\"muted\">/100</span>" in page


def test_a_passing_run_says_hand_it_in(client, auth, app):
    _, user, ws = learner_with_workspace()
    mapped_account(ws, "Fernhollow Labs")
    db.session.commit()
    auth.login(user.email)
    response = _run(client, BCM)
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Checked: 100/100, passed" in follow
    assert "You passed with 100/100: hand it in" in follow
    assert "Done well" in follow


ROLE_MESSAGES = "role-messaging"


def test_the_answer_is_saved_and_shown_again(client, auth, app):
    _, user, ws = learner_with_workspace()
    fern = mapped_account(ws, "Fernhollow Labs")
    db.session.commit()
    auth.login(user.email)
    data = {
        "answer-messages-0-account": str(fern.id),
        "answer-messages-0-role": "finance",
        "answer-messages-0-channel": "email",
        "answer-messages-0-subject": "Payback in six months",
        "answer-messages-0-message": "Fernhollow Labs could cut routing costs by a fifth & keep <budget> safe.",
        "answer-messages-1-account": "",  # an empty row: dropped
        "answer-messages-1-message": "  ",
    }
    _run(client, ROLE_MESSAGES, data)
    saved = db.session.scalar(select(SavedAnswer).where(SavedAnswer.user_id == user.id))
    assert saved.answer == {"messages": [{"account": fern.id, "role": "finance", "channel": "email",
                                          "subject": "Payback in six months",
                                          "message": data["answer-messages-0-message"]}]}
    (run,) = _runs(user)
    assert run.answer == saved.answer

    page = client.get(f"/exercises/{ROLE_MESSAGES}").get_data(as_text=True)
    assert f'<option selected value="{fern.id}">Fernhollow Labs (1:few)</option>' in page
    assert '<option value="finance" selected>Finance</option>' in page
    assert 'value="Payback in six months"' in page
    assert "keep &lt;budget&gt; safe.</textarea>" in page
    # One filled row and three blank rows.
    assert 'name="answer-messages-3-message"' in page and 'name="answer-messages-4-message"' not in page


def test_add_more_rows_keeps_what_was_typed_and_shows_three_more_blank_rows(client, auth, app):
    _, user, ws = learner_with_workspace()
    fern = mapped_account(ws, "Fernhollow Labs")
    db.session.commit()
    auth.login(user.email)
    response = _run(client, ROLE_MESSAGES, {"answer-messages-0-account": str(fern.id),
                                            "answer-messages-0-message": "Half-written",
                                            "blank-messages": "3", "more": "messages"})
    assert response.status_code == 302
    assert "blank-messages=6" in response.headers["Location"]
    assert _runs(user) == []  # adding rows does not run the check
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Half-written</textarea>" in page
    assert 'name="answer-messages-6-message"' in page and 'name="answer-messages-7-message"' not in page


def test_min_rows_are_always_offered(client, auth, app):
    _, user, ws = learner_with_workspace()
    add_account(ws)
    db.session.commit()
    auth.login(user.email)
    page = client.get("/exercises/measurement-plan").get_data(as_text=True)
    assert 'name="answer-targets-4-kpi"' in page and 'name="answer-targets-5-kpi"' not in page


GARBAGE = [
    {"answer-messages-99999999999-account": "x"},
    {"answer-messages-0-account": ["1", "2", "abc"], "answer-messages-0-role": "chief wizard"},
    {"answer-steps-0-week": "1e999", "answer-steps-0-roles": ["finance", "\x00", "x" * 5000]},
    {"answer-targets-0-target": "nan", "answer-targets-0-kpi": "not-a-kpi", "answer-window_start": "31/02/2025"},
    {"answer-rules-0-min_signals": "-5", "answer-rules-0-signal_types": ["demo_request", "telepathy"],
     "answer-rules-0-tiers": "1:1,1:few", "answer-rules-0-response_hours": "£1,000.50"},
    {"answer-tier": "1:1000", "answer-accounts-0-account": "00", "answer-accounts-1-account": "0"},
    {"answer-changes-0-due_week": "inf", "answer-changes-0-reason": "", "answer-changes-0-change": "\u202e\ufeff"},
    {"more": "not-a-field", "blank-messages": "9" * 40, "answer-required_1_1": ["", "finance,champion,bogus"]},
]


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_form_input_never_errors(client, auth, app, garbage):
    _, user, ws = learner_with_workspace()
    fern = mapped_account(ws, "Fernhollow Labs")
    add_contact(ws, fern, email="not an email", title=None)
    db.session.commit()
    auth.login(user.email)
    for slug in exercise_registry():
        response = _run(client, slug, garbage)
        assert response.status_code == 302, slug
        assert client.get(f"/exercises/{slug}").status_code == 200, slug
    assert len(_runs(user)) == len(exercise_registry())
    assert client.get(f"/exercises/{BCM}", query_string={"blank-accounts": "x" * 50}).status_code == 200


def test_unknown_exercise_is_404(client, auth, app):
    _, user, _ = learner_with_workspace()
    auth.login(user.email)
    assert client.get("/exercises/no-such-exercise").status_code == 404
    assert _run(client, "no-such-exercise").status_code == 404


def test_a_faulty_checker_keeps_the_answer_and_says_so(client, auth, app, monkeypatch):
    import dataclasses

    _, user, ws = learner_with_workspace()
    db.session.commit()
    auth.login(user.email)
    registry = exercise_registry()

    def broken(workspace, answer):
        raise RuntimeError("bug in check.py")

    monkeypatch.setitem(registry, ROLE_MESSAGES, dataclasses.replace(registry[ROLE_MESSAGES], check=broken))
    response = _run(client, ROLE_MESSAGES, {"answer-messages-0-message": "Draft"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "fault in this exercise" in page
    assert "Draft</textarea>" in page
    assert _runs(user) == []


def test_a_check_runs_with_the_cycle_collector_paused_and_leaves_it_running(client, auth, app, monkeypatch):
    import dataclasses
    import gc

    _, user, ws = learner_with_workspace()
    db.session.commit()
    auth.login(user.email)
    registry = exercise_registry()
    real = registry[ROLE_MESSAGES]
    seen = []

    def watched(workspace, answer):
        seen.append(gc.isenabled())
        return real.check(workspace, answer)

    def broken(workspace, answer):
        seen.append(gc.isenabled())
        raise RuntimeError("bug in check.py")

    assert gc.isenabled()
    monkeypatch.setitem(registry, ROLE_MESSAGES, dataclasses.replace(real, check=watched))
    assert _run(client, ROLE_MESSAGES, {"answer-messages-0-message": "Draft"}).status_code == 302
    assert len(_runs(user)) == 1
    monkeypatch.setitem(registry, ROLE_MESSAGES, dataclasses.replace(real, check=broken))
    assert _run(client, ROLE_MESSAGES, {"answer-messages-0-message": "Draft"}).status_code == 302
    assert seen == [False, False]  # paused while checking
    assert gc.isenabled()  # and running again afterwards, a fault or not


def test_the_run_page_shows_a_past_run_and_other_learners_runs_are_404(client, auth, app):
    org, user, ws = learner_with_workspace()
    add_account(ws, "Fernhollow Labs")
    db.session.commit()
    auth.login(user.email)
    _run(client, BCM)
    (run,) = _runs(user)
    page = client.get(f"/runs/{run.id}").get_data(as_text=True)
    assert "This check was not handed in" in page
    assert "Fernhollow Labs (1:few) has no contacts yet" in page

    teammate = make_user(org, ("learner",))
    auth.logout()
    auth.login(teammate.email)
    assert client.get(f"/runs/{run.id}").status_code == 404
    outsider = make_user(make_org(), ("learner",))
    auth.logout()
    auth.login(outsider.email)
    assert client.get(f"/runs/{run.id}").status_code == 404
    assert client.get("/runs/999999").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, app):
    for path in ("/exercises", f"/exercises/{BCM}", "/runs/1", "/reviews", "/workspace/handoffs/1/brief.pdf"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path


def test_the_exercises_list_runs_the_same_number_of_queries_for_1_and_20_runs(client, auth, app, queries):
    _, user, ws = learner_with_workspace()
    mapped_account(ws, "Fernhollow Labs")
    db.session.commit()
    auth.login(user.email)
    _run(client, BCM)
    client.post(f"/exercises/{BCM}/submit")
    with queries:
        assert client.get("/exercises").status_code == 200
    one = queries.count
    for slug in list(exercise_registry())[:4]:
        for _ in range(5):
            _run(client, slug)
    for slug in list(exercise_registry())[:4]:
        client.post(f"/exercises/{slug}/submit")
    assert len(_runs(user)) == 21
    with queries:
        assert client.get("/exercises").status_code == 200
    assert queries.count == one
    assert one <= 6, queries.statements


def test_the_exercise_page_query_count_does_not_grow_with_runs_or_accounts(client, auth, app, queries):
    _, user, ws = learner_with_workspace()
    mapped_account(ws, "Fernhollow Labs")
    db.session.commit()
    auth.login(user.email)
    _run(client, ROLE_MESSAGES)
    with queries:
        client.get(f"/exercises/{ROLE_MESSAGES}")
    one = queries.count
    for n in range(30):
        add_account(ws, f"Extra {n}")
    db.session.commit()
    for _ in range(12):
        _run(client, ROLE_MESSAGES)
    with queries:
        page = client.get(f"/exercises/{ROLE_MESSAGES}").get_data(as_text=True)
    assert queries.count == one
    assert len(re.findall(r"See this check<", page)) == 10


def test_a_big_workspace_shows_the_first_accounts_and_counts_the_rest(client, auth, app):
    _, user, ws = learner_with_workspace()
    for n in range(120):
        add_account(ws, f"Empty {n:03}", "1:few")
    db.session.commit()
    auth.login(user.email)
    _run(client, BCM)
    (run,) = _runs(user)
    assert run.findings_total == len(run.findings) == 120
    page = client.get(f"/exercises/{BCM}").get_data(as_text=True)
    assert "Findings about <strong>120 accounts</strong>, 120 with something to fix" in page
    assert "…and 70 more accounts with findings like these" in page
    assert page.count('class="account-heading"') == 50  # the first 50 accounts, by name when equally bad
    assert page.count('class="finding improve"') == 50
    assert "<span>Empty 049</span>" in page and "<span>Empty 050</span>" not in page


def test_account_lists_offer_the_most_important_accounts_first_and_keep_the_chosen_one(client, auth, app,
                                                                                        monkeypatch):
    from lms.accounts import picks

    monkeypatch.setattr(picks, "ACCOUNTS_OFFERED", 3)
    _, user, ws = learner_with_workspace()
    add_account(ws, "Zeta One", "1:1")
    add_account(ws, "Alpha Few", "1:few")
    add_account(ws, "Beta Few", "1:few")
    chosen = add_account(ws, "Aardvark Many", "1:many")
    add_account(ws, "Not a target", "1:1", is_target=False)
    db.session.commit()
    auth.login(user.email)
    page = client.get(f"/exercises/{ROLE_MESSAGES}").get_data(as_text=True)
    assert "Your workspace has 5 accounts: the account lists offer 3 of them" in page
    first_row = page.split('name="answer-messages-0-account"')[1].split("</select>")[0]
    assert first_row.index("Zeta One") < first_row.index("Alpha Few") < first_row.index("Beta Few")
    assert "Aardvark Many" not in first_row and "Not a target" not in first_row
    _run(client, ROLE_MESSAGES, {"answer-messages-0-account": str(chosen.id)})
    page = client.get(f"/exercises/{ROLE_MESSAGES}").get_data(as_text=True)
    assert f'<option selected value="{chosen.id}">Aardvark Many (1:many)</option>' in page
