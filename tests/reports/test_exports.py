"""CSV exports (every table, formula-safe) and branded PDFs whose text carries the report's figures."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from lms.extensions import db
from lms.reports import rollup
from lms.reports.exports import csv_bytes

TABLES = {
    "completion": ["summary", "learners", "laggards"],
    "adoption": ["funnel", "weekly", "monthly", "tools", "functions", "laggards", "a_players"],
    "capability": ["competencies", "gaps", "pre", "post"],
    "roi": ["figures", "outcomes"],
}


def rows_of(response) -> list[list[str]]:
    text = response.get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_cells_that_look_like_formulas_are_neutralised():
    data = csv_bytes(["Name", "Score"], [["=HYPERLINK(\"http://x\")", -3], ["+44 20", 1.5], ["@SUM(A1)", None]])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["Name", "Score"], ["'=HYPERLINK(\"http://x\")", "-3"], ["'+44 20", "1.5"], ["'@SUM(A1)", ""]]


@pytest.mark.parametrize("report", list(TABLES))
def test_every_table_exports_to_csv(client, auth, world, report):
    auth.login("manager@northwind.example")
    for table in TABLES[report]:
        response = client.get(f"/reports/{report}/{table}.csv")
        assert response.status_code == 200, (report, table)
        assert response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        assert rows_of(response)[0], (report, table)
    assert client.get(f"/reports/{report}/nonsense.csv").status_code == 404


def test_learner_csv_has_every_learner_and_is_formula_safe(client, auth, world):
    world.learners["L3"].name = "=cmd|' /C calc'!A0"
    db.session.commit()
    auth.login("manager@northwind.example")
    rows = rows_of(client.get("/reports/completion/learners.csv"))
    assert rows[0][:3] == ["Name", "Email", "Team"]
    assert len(rows) == 1 + 5
    assert "'=cmd|' /C calc'!A0" in [r[0] for r in rows]
    laggards = rows_of(client.get(f"/reports/completion/laggards.csv?cohort={world.team_a.id}"))
    assert [r[1] for r in laggards[1:]] == ["l2@northwind.example"]


def test_exports_record_an_exported_statement(client, auth, world):
    from lms.tracking.models import Statement

    auth.login("manager@northwind.example")
    client.get("/reports/adoption/tools.csv")
    db.session.expire_all()
    row = db.session.query(Statement).filter_by(verb="exported").one()
    assert (row.object_type, row.object_id, row.result) == ("report", "adoption", {"format": "csv", "table": "tools"})


def pdf_of(client, path: str) -> bytes:
    """Ask for a report's PDF as its page's button does (a job, run in the request without Redis) and download it."""
    from tests.jobs.fixtures import download_file

    report, _, query = path.removeprefix("/reports/").partition(".pdf")
    job_page = client.post(f"/reports/{report}/pdf{query}").headers["Location"]
    response, data = download_file(client, f"{job_page}/file")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    return data


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(page.extract_text() for page in reader.pages)


def test_completion_pdf_carries_the_figures(client, auth, world):
    auth.login("manager@northwind.example")
    text = pdf_text(pdf_of(client, "/reports/completion.pdf"))
    for expected in ("Northwind", "Completion", "Enrolments by status", "2 laggards have done nothing",
                     "Learner L2", "l3@northwind.example", "Team A", "ABM basics"):
        assert expected in text, expected
    reader = PdfReader(io.BytesIO(pdf_of(client, "/reports/completion.pdf")))
    assert reader.metadata.title == "Completion: Northwind"


def test_adoption_and_capability_pdfs(client, auth, world):
    rollup.refresh_activity(until=world.now + timedelta(minutes=1))
    db.session.commit()
    auth.login("manager@northwind.example")
    text = pdf_text(pdf_of(client, "/reports/adoption.pdf"))
    assert "Adoption funnel" in text and "Activated (first sign-in)" in text and "Weekly active learners" in text
    text = pdf_text(pdf_of(client, "/reports/capability.pdf"))
    assert "Knowledge-action gap" in text or "knowledge–action" in text.lower()


def test_roi_pdf_shows_inputs_and_figures(client, auth, world):
    from tests.reports.test_roi_page import GOOD, _outcomes

    _outcomes(world)
    auth.login("manager@northwind.example")
    client.post(f"/reports/roi/{world.team_a.id}/inputs", data=GOOD)
    text = pdf_text(pdf_of(client, f"/reports/roi.pdf?cohort={world.team_a.id}"))
    for expected in ("Return on investment", "£20,000", "£10,000", "100%", "2.00", "Attribution factor"):
        assert expected in text, expected


def test_learner_drill_down_tables_export(client, auth, world):
    auth.login("manager@northwind.example")
    learner = world.learners["L1"].id
    enrolments = rows_of(client.get(f"/reports/learners/{learner}/enrolments.csv"))
    assert enrolments[1][:3] == ["ABM basics", "Team A", "Completed"]
    activity = rows_of(client.get(f"/reports/learners/{learner}/activity.csv"))
    assert len(activity) == 1 + 6 and activity[1][1] == "launched"  # latest first
    assert rows_of(client.get(f"/reports/learners/{learner}/capability.csv"))[0][0] == "Competency"
    assert client.get(f"/reports/learners/{learner}/nonsense.csv").status_code == 404
    assert client.get(f"/reports/learners/{world.outsider.id}/activity.csv").status_code == 404


def test_roi_csv_lists_the_assumptions(client, auth, world):
    from tests.reports.test_roi_page import GOOD, _outcomes

    _outcomes(world)
    auth.login("manager@northwind.example")
    client.post(f"/reports/roi/{world.team_a.id}/inputs", data=GOOD)
    rows = {r[0]: r[1:] for r in rows_of(client.get(f"/reports/roi/figures.csv?cohort={world.team_a.id}"))}
    assert rows["Attribution factor"][0] == "0.5" and rows["Win rate for open pipeline"][0] == "0.25"
    assert rows["ROI %"][0] == "100.0" and rows["Benefit-cost ratio"][0] == "2.0"
    assert rows["Compared with"][1].startswith("baseline period, ")
