"""The one-page A4 handoff brief: what a seller needs, only from the learner's own workspace."""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import select

from lms.extensions import db
from lms.tracking.models import Statement
from tests.factories import make_cohort, make_org, make_user
from tests.practice.web_helpers import add_account, add_contact, add_handoff, learner_with_workspace


def _pdf(response) -> PdfReader:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    return PdfReader(io.BytesIO(response.data))


def _text(reader: PdfReader) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_brief_names_the_account_contact_role_and_recommended_follow_up_on_one_a4_page(client, auth, app):
    _, user, ws = learner_with_workspace(name="Maya Okafor")
    account = add_account(ws, "Harbourline Logistics", "1:1", why_selected="Opening two UK depots this year")
    contact = add_contact(ws, account, "finance", first_name="Dana", last_name="Whitlock",
                          title="Finance Director", email="dana.whitlock@harbourline.example")
    handoff = add_handoff(ws, account, contact, sla_hours=24,
                          recommended_follow_up="Call Dana about the payback guide and offer a route-cost review")
    db.session.commit()
    auth.login(user.email)

    response = client.get(f"/workspace/handoffs/{handoff.id}/brief.pdf")
    reader = _pdf(response)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    text = _text(reader)
    for expected in ("Harbourline Logistics", "1:1", "Opening two UK depots this year", "Dana Whitlock",
                     "Finance Director", "Finance", "Signs off the budget for the routing project",
                     "Downloaded the payback guide", "Hot", "Priya Shah",
                     "Call Dana about the payback guide and offer a route-cost review", "within 24 hours"):
        assert expected in text, expected
    assert reader.metadata.title == "Handoff brief: Harbourline Logistics"
    assert 'filename="handoff-' in response.headers["Content-Disposition"]
    exported = db.session.scalar(select(Statement).where(Statement.verb == "exported"))
    assert exported.object_type == "handoff" and exported.object_id == str(handoff.id)


def test_long_texts_are_cut_so_the_brief_stays_on_one_page(client, auth, app):
    _, user, ws = learner_with_workspace()
    account = add_account(ws, "Verbose Ltd", why_selected="Reason " * 400)
    handoff = add_handoff(ws, account, None, recommended_follow_up="Follow up " * 500,
                          buying_group_relevance="Relevant " * 400, engagement_summary="Engaged " * 400,
                          sla_hours=None, sales_owner=None)
    db.session.commit()
    auth.login(user.email)
    reader = _pdf(client.get(f"/workspace/handoffs/{handoff.id}/brief.pdf"))
    assert len(reader.pages) == 1
    text = _text(reader)
    assert "No contact named" in text and "No SLA set" in text and "Not assigned" in text


def test_another_teams_or_organisations_handoff_is_404(client, auth, app):
    org, owner, ws = learner_with_workspace()
    account = add_account(ws, "Harbourline Logistics")
    handoff = add_handoff(ws, account, add_contact(ws, account, "finance"))
    db.session.commit()

    _, colleague, _ = learner_with_workspace(org)  # same organisation, their own workspace
    auth.login(colleague.email)
    assert client.get(f"/workspace/handoffs/{handoff.id}/brief.pdf").status_code == 404
    auth.logout()
    outsider = make_user(make_org(), ("learner",))
    auth.login(outsider.email)
    assert client.get(f"/workspace/handoffs/{handoff.id}/brief.pdf").status_code == 404
    assert client.get("/workspace/handoffs/999999/brief.pdf").status_code == 404


def test_team_members_share_the_team_workspace_briefs(client, auth, app):
    org = make_org()
    team = make_cohort(org, "Sales and marketing", shares_workspace=True)
    marketer = make_user(org, ("learner",), cohort=team)
    seller = make_user(org, ("learner",), cohort=team, job_function="sales")
    from lms.accounts.workspaces import workspace_for

    ws = workspace_for(marketer, org)
    account = add_account(ws, "Harbourline Logistics")
    handoff = add_handoff(ws, account, add_contact(ws, account, "finance"))
    db.session.commit()
    auth.login(seller.email)
    assert "Harbourline Logistics" in _text(_pdf(client.get(f"/workspace/handoffs/{handoff.id}/brief.pdf")))
