"""CSV exports (every table, formula-safe) and branded PDFs whose text carries the report's figures."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from lms.extensions import db
from lms.reports import rollup
from lms.reports.exports import csv_bytes
from tests.pdfs import embedded_fonts, pdf_text

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


def test_completion_pdf_carries_the_figures(client, auth, world):
    auth.login("manager@northwind.example")
    text = " ".join(pdf_text(pdf_of(client, "/reports/completion.pdf")).split())  # words, wrapped in their cells
    for expected in ("Northwind", "Completion", "Enrolments by status", "2 laggards have done nothing",
                     "Learner L2", "l3@northwind.example", "Team A", "ABM basics",
                     "In progress, overdue"):  # L2's status, in words (the page shows tags)
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


@pytest.mark.parametrize("report", ["completion", "adoption", "capability"])
def test_a_report_pdf_prints_its_page_footers_in_the_body_s_typeface(client, auth, world, report):
    """The footer ("Page 2 of 3", the organisation) is drawn in the page's margin, whose boxes take their font from
    the page, not from the body: without a font of their own they printed in the system's default serif."""
    rollup.refresh_activity(until=world.now + timedelta(minutes=1))
    db.session.commit()
    auth.login("manager@northwind.example")
    data = pdf_of(client, f"/reports/{report}.pdf")
    assert "Page 1 of" in pdf_text(data)
    assert embedded_fonts(data) == {"DejaVu-Sans", "DejaVu-Sans-Bold"}


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


def test_capability_pdf_prints_each_heatmap_once_as_its_table_in_the_charts_colours(client, auth, world,
                                                                                     monkeypatch):
    from lms.reports import charts

    auth.login("manager@northwind.example")
    data, (html, stylesheets) = _printed(client, monkeypatch, "/reports/capability.pdf")
    text = pdf_text(data)
    coloured = _heat_cells(html, stylesheets)
    for title in ("Before the course (pre-assessment)", "After the course (post-assessment)"):
        assert text.count(title) == 1, title  # once: not an SVG and a table of the same figures
        cells = coloured[title]
        assert cells and all(colours == charts.heat_colour(None) for (_, shown), colours in cells.items()
                             if shown == "–")
    assert "<rect" not in html.split("By competency")[0]  # the heatmaps drew no SVG cells
    assert "style=" not in html  # no cell's colours in an attribute WeasyPrint parses cell by cell


def test_a_heatmap_in_a_pdf_is_its_table_coloured_as_the_chart(app):
    from flask import render_template_string

    from lms.reports import charts

    chart = charts.heatmap("Before", "Average score by team", ["Team A", "Team B"], ["Targeting", "Messaging"],
                           [[10, 90], [None, 55.5]], unit="%")
    with app.test_request_context():
        html = render_template_string('{% from "reports/_macros.html" import chart %}{{ chart(c, pdf) }}',
                                      c=chart, pdf=True)
        web = render_template_string('{% from "reports/_macros.html" import chart %}{{ chart(c, pdf) }}',
                                     c=chart, pdf=False)
    assert "<svg" not in html and "<svg" in web and 'class="heat"' not in web and "<style>" not in web
    cells = _heat_cells(html)["Before"]
    assert cells == {("Team A", "10%"): charts.heat_colour(10), ("Team A", "90%"): charts.heat_colour(90),
                     ("Team B", "–"): charts.heat_colour(None), ("Team B", "55.5%"): charts.heat_colour(55.5)}
    assert cells[("Team A", "90%")][1] == "#ffffff" and cells[("Team A", "10%")][1] != "#ffffff"  # legible ink
    assert "Average score by team" in html  # the chart's description goes with the table


def _laid_out(html: str, stylesheets: tuple[str, ...] = ()):
    """Lay out a report PDF's HTML as its job does; return WeasyPrint's document (its pages' boxes)."""
    from weasyprint import HTML

    from lms import pdf

    return HTML(string=html, base_url=pdf.BASE_URL, url_fetcher=pdf.fetch).render(
        font_config=pdf.font_config(), stylesheets=[pdf.stylesheet(name) for name in stylesheets])


def _text(box) -> str:
    from weasyprint.formatting_structure import boxes

    return "".join(t.text for t in box.descendants() if isinstance(t, boxes.TextBox))


def _body_rows(html: str, stylesheets: tuple[str, ...], table_class: str) -> Iterator[tuple[str, Any]]:
    """Lay out a report PDF's HTML and yield (caption, row) for each row of a table of class `table_class` that has
    a row heading, the row as WeasyPrint laid it out (its children: the cells' boxes)."""
    from weasyprint.formatting_structure import boxes

    for page in _laid_out(html, stylesheets).pages:
        for table in page._page_box.descendants():
            if not isinstance(table, boxes.TableBox) or table_class not in table.element.get("class", "").split():
                continue
            caption = table.element.find("caption")
            for row in table.descendants():
                if isinstance(row, boxes.TableRowBox) and row.children and row.children[0].element.get("scope") == "row":
                    yield ("" if caption is None else caption.text), row


def _heat_cells(html: str, stylesheets: tuple[str, ...] = ()) -> dict[str, dict[tuple[str, str], tuple[str, str]]]:
    """Lay out a report PDF's HTML and return each heatmap table's cells as printed, by the table's caption:
    {(row heading, value shown): (fill, text colour)}, the colours as #rrggbb."""

    def hex_of(colour) -> str:
        return "#" + "".join(f"{round(c * 255):02x}" for c in colour.to("srgb").coordinates)

    tables: dict[str, dict[tuple[str, str], tuple[str, str]]] = {}
    for caption, row in _body_rows(html, stylesheets, "heat"):
        heading, *values = row.children
        tables.setdefault(caption, {}).update(
            {(_text(heading), _text(cell)): (hex_of(cell.style["background_color"]), hex_of(cell.style["color"]))
             for cell in values})
    return tables


def _printed(client, monkeypatch, path: str) -> tuple[bytes, tuple[str, tuple[str, ...]]]:
    """Download the report PDF at `path` as the signed-in user; return it and what its job rendered (HTML,
    stylesheets)."""
    from lms.reports import views

    drawn = []
    real = views.render_pdf
    monkeypatch.setattr(views, "render_pdf",
                        lambda html, **kwargs: drawn.append((html, kwargs["stylesheets"])) or real(html, **kwargs))
    return pdf_of(client, path), drawn[0]


def _layout_faults(html: str, stylesheets: tuple[str, ...] = ()) -> list[str]:
    """Lay out a report PDF's HTML as its job does and return what a reader would see as broken: text running out of
    its table cell into the next, a table wider than the page, a picture (a chart) running off the page's foot.

    Reads WeasyPrint's laid-out boxes (`Page._page_box`: the version is pinned in pyproject.toml)."""
    from weasyprint.formatting_structure import boxes

    document = _laid_out(html, stylesheets)
    faults = []
    for number, page in enumerate(document.pages, start=1):
        area = page._page_box
        right, foot = area.content_box_x() + area.width, area.content_box_y() + area.height
        for box in area.descendants():
            if isinstance(box, boxes.TableBox) and box.border_box_x() + box.border_width() > right + 0.5:
                faults.append(f"page {number}: a table {box.border_box_x() + box.border_width() - right:.0f}pt too wide")
            elif isinstance(box, boxes.ReplacedBox) and box.position_y + box.margin_height() > foot + 0.5:
                faults.append(f"page {number}: a picture {box.position_y + box.margin_height() - foot:.0f}pt too low")
            elif isinstance(box, boxes.TableCellBox):
                edge = box.content_box_x() + box.width
                faults += [f"page {number}: {text.text!r} runs {text.position_x + text.width - edge:.0f}pt out of its cell"
                           for text in box.descendants()
                           if isinstance(text, boxes.TextBox) and text.position_x + text.width > edge + 0.5]
    return faults


@pytest.mark.parametrize("report", ["completion", "adoption", "capability", "roi"])
def test_report_pdf_tables_keep_long_names_and_emails_in_their_columns(client, auth, world, monkeypatch, report):
    """The PDFs' tables have fixed column widths (laid out from the header row, 10-14% faster at 10,000 learners):
    a long name, email, cohort or course wraps in its column rather than widening the table past the page or
    running into the next column."""
    world.team_b.name = "EMEA enterprise sales and marketing, spring intake"
    world.course.title = "Account-based marketing in practice: from target list to pipeline"
    for key in ("L2", "L3"):  # a laggard and a learner who has not started
        world.learners[key].name = f"Alexandra Konstantinopoulou-Whitfield {key}"
        world.learners[key].email = f"alexandra.konstantinopoulou-whitfield.{key.lower()}@northwind-industries.example"
    db.session.commit()
    rollup.refresh_activity(until=world.now + timedelta(minutes=1))
    db.session.commit()
    auth.login("manager@northwind.example")
    query = ""
    if report == "roi":
        from tests.reports.test_roi_page import GOOD, _outcomes

        _outcomes(world)
        client.post(f"/reports/roi/{world.team_b.id}/inputs", data=GOOD)
        query = f"?cohort={world.team_b.id}"
    data, drawn = _printed(client, monkeypatch, f"/reports/{report}.pdf{query}")
    text = pdf_text(data)
    long_one = {"capability": "EMEA enterprise", "roi": "EMEA enterprise"}.get(report, "Konstantinopoulou")
    assert report != "roi" or "After the programme start" in text.replace("\n", " ")  # its outcomes are drawn
    assert long_one in text.replace("\n", "")  # (a word broken across two lines of its cell is still there)
    assert _layout_faults(*drawn) == []


def test_a_laggard_prints_on_one_line_with_an_email_of_up_to_40_characters(client, auth, world, monkeypatch):
    """The laggards table is the list a manager works down: each laggard one line, name, email, due date and last
    activity unbroken, for names and emails as long as most are (17 and 40 characters): at 10,000 learners a page
    holds 45 laggards instead of 26, with no address split in two."""
    from weasyprint.formatting_structure import boxes

    for key in ("L2", "L3"):  # the world's laggards
        world.learners[key].name = "Imogen Kettlewell"
        world.learners[key].email = f"imogen.kettle.{key.lower()}@northwind-trading.co.uk"
        assert len(world.learners[key].email) == 40
    db.session.commit()
    auth.login("manager@northwind.example")
    _, drawn = _printed(client, monkeypatch, "/reports/completion.pdf")
    rows = [row for _, row in _body_rows(*drawn, "laggards")]
    assert len(rows) == 2
    for row in rows:
        lines = [sum(isinstance(box, boxes.LineBox) for box in cell.descendants()) for cell in row.children]
        assert lines == [1] * 6, lines


def test_a_bar_chart_in_a_pdf_is_its_table_with_each_bar_beside_its_value(app):
    """A PDF prints a bar chart as its table, each row's bar drawn in a last column at the value's share of the
    longest, as the chart draws it; forty cohorts run on to the next page with none lost. The page keeps its chart."""
    from flask import render_template_string

    from lms.reports import charts, views

    cohorts = [f"Cohort {n:02}" for n in range(1, 41)]
    values = [None if n == 7 else float(n * 2) for n in range(1, 41)]
    chart = charts.bar_chart("Completion rate by cohort", "Share of enrolments completed", cohorts, values, unit="%")
    template = ('{% from "reports/_macros.html" import chart %}'
                '<h1>Completion</h1><p>Enrolments made this year.</p>{{ chart(c, pdf) }}')
    with app.test_request_context():
        html = render_template_string(template, c=chart, pdf=True)
        web = render_template_string(template, c=chart, pdf=False)
    assert "<svg" not in html and "<svg" in web and 'class="bars"' not in web
    printed = _bars(html, (views.PDF_STYLESHEET,))["Completion rate by cohort"]
    assert [heading for heading, _, _ in printed] == cohorts
    for (heading, shown, share), value in zip(printed, values, strict=True):
        assert shown == ("–" if value is None else f"{value:.0f}%"), heading
        assert abs(share - (value or 0) / 80) < 0.006, (heading, share)
    assert _layout_faults(html, (views.PDF_STYLESHEET,)) == []


def _bars(html: str, stylesheets: tuple[str, ...] = ()) -> dict[str, list[tuple[str, str, float]]]:
    """Lay out a report PDF's HTML and return each bar table's rows as printed, by the table's caption: (row heading,
    value shown, the bar's length as a share of its column)."""
    tables: dict[str, list[tuple[str, str, float]]] = {}
    for caption, row in _body_rows(html, stylesheets, "bars"):
        heading, value, bar = row.children
        tables.setdefault(caption, []).append((_text(heading), _text(value), bar.children[0].width / bar.width))
    return tables


def test_a_drawn_chart_taller_than_a_page_shrinks_to_fit_it(app):
    """A chart a PDF draws (a line chart: bar charts print as tables) taller than the page is drawn smaller, on one
    page, instead of running past the foot of the page."""
    from flask import render_template_string

    from lms.reports import charts, views

    chart = charts.line_chart("Weekly active learners", "Learners active each week", ["5 Jan", "12 Jan"],
                              [("Active learners", [3, 5])], height=1220)
    with app.test_request_context():
        html = render_template_string(
            '{% from "reports/_macros.html" import chart %}'
            '<h1>Adoption</h1><p>Activity this year.</p>{{ chart(c, True) }}', c=chart)
    assert 'height="1220"' in html
    assert _layout_faults(html, (views.PDF_STYLESHEET,)) == []
