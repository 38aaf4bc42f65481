"""The run page groups findings by account: "Fix this first", accounts worst first, then the other findings;
runs stored before findings carried their account still render."""

from __future__ import annotations

from lms.extensions import db
from lms.practice.models import ExerciseRun
from tests.practice.web_helpers import add_account, learner_with_workspace, make_module

BCM = "buying-committee-map"


def _run(org, user, ws, findings) -> ExerciseRun:
    run = ExerciseRun(organization_id=org.id, user_id=user.id, workspace_id=ws.id, exercise_slug=BCM,
                      exercise_version="old", score=40, passed=False, findings=findings,
                      findings_total=len(findings), summary={}, snapshot_counts={}, answer={})
    db.session.add(run)
    db.session.commit()
    return run


def test_an_old_run_without_accounts_on_its_findings_still_groups_them(client, auth, app):
    org, user, ws = learner_with_workspace()
    fern = add_account(ws, "Fernhollow Labs")
    db.session.commit()
    run = _run(org, user, ws, [
        {"severity": "improve", "message": "Add a finance contact at Fernhollow Labs.", "about": "account",
         "about_id": fern.id, "label": "Fernhollow Labs", "field": "contacts", "module": None},
        {"severity": "blocker", "message": "Import your signals.", "about": "workspace", "about_id": None,
         "label": None, "field": "signals", "module": None},
    ])
    auth.login(user.email)
    page = client.get(f"/runs/{run.id}").get_data(as_text=True)
    assert "<span>Fernhollow Labs</span>" in page
    assert "<span>Other findings</span>" in page
    assert page.index("<span>Fernhollow Labs</span>") < page.index("<span>Other findings</span>")
    assert f'href="/workspace/accounts/{fern.id}"' in page  # the fix link survives
    assert "Fix this first" not in page  # old findings name no rule
    assert "Field:" not in page  # no field names shown to learners


def test_fix_this_first_names_the_rule_covering_most_accounts_and_its_module(client, auth, app):
    make_module("abm-foundations", "buying-groups-and-roles", "Buying groups and roles")
    org, user, ws = learner_with_workspace()
    accounts = [add_account(ws, name) for name in ("Acme", "Birch", "Cedar")]
    db.session.commit()
    ref = "abm-foundations/buying-groups-and-roles"
    findings = [{"severity": "improve", "message": f"{a.name} has no finance contact: add the FP&A lead.",
                 "about": "account", "about_id": a.id, "label": a.name, "account_id": a.id, "account": a.name,
                 "rule": "roles", "module": ref} for a in accounts]
    findings.append({"severity": "blocker", "message": "Acme: say why it is on the list.", "about": "account",
                     "about_id": accounts[0].id, "account_id": accounts[0].id, "account": "Acme",
                     "rule": "reasons", "module": None})
    run = _run(org, user, ws, findings)
    auth.login(user.email)
    page = client.get(f"/runs/{run.id}").get_data(as_text=True)
    assert "Fix this first" in page
    assert "<strong>3 accounts</strong> have the same problem" in page
    assert "Learn how to fix it: Buying groups and roles" in page
    assert page.index("<span>Acme</span>") < page.index("<span>Birch</span>")  # the blocker puts Acme first
    assert "Findings about <strong>3 accounts</strong>, 3 with something to fix" in page
