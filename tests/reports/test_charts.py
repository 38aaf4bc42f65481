"""SVG charts: title and description, escaped text, and the same data as a table."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from lms.reports import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart: charts.Chart):
    return ET.fromstring(chart.svg)  # noqa: S314 - our own output, parsed to check it is well-formed


def test_bar_chart_has_title_desc_and_a_table_alternative():
    chart = charts.bar_chart("Enrolments by status", "5 enrolments.", ["Not started", "Completed"], [1, 4],
                             value_header="Enrolments")
    root = parse(chart)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Enrolments by status"
    assert root.find(f"{SVG}desc").text == "5 enrolments."
    assert root.get("aria-labelledby") == "enrolments-by-status-title enrolments-by-status-desc"
    assert chart.table.headers == ("Item", "Enrolments")
    assert chart.table.rows == (("Not started", "1"), ("Completed", "4"))
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert float(bars[1].get("width")) > float(bars[0].get("width")) * 3.9


def test_text_is_escaped():
    chart = charts.bar_chart("<script>alert(1)</script>", "a & b", ["<b>x</b>"], [1])
    assert "<script>" not in chart.svg and "&lt;script&gt;" in chart.svg
    parse(chart)  # still well-formed XML


def test_line_chart_series_legend_and_table():
    chart = charts.line_chart("Weekly active learners", "Distinct learners per week.", ["5 Jan", "12 Jan", "19 Jan"],
                              [("Active learners", [2, 1, 0]), ("Sales", [1, 0, None])])
    root = parse(chart)
    assert len(list(root.iter(f"{SVG}polyline"))) == 2
    assert chart.table.headers == ("Period", "Active learners", "Sales")
    assert chart.table.rows[2] == ("19 Jan", "0", "–")


def test_funnel_shares_of_the_first_step():
    chart = charts.funnel_chart("Adoption funnel", "People per step.", [("Invited", 4), ("Activated", 3),
                                                                        ("Completed", 0)])
    assert chart.table.rows == (("Invited", 4, "100%"), ("Activated", 3, "75%"), ("Completed", 0, "0%"))
    assert "3 (75%)" in chart.svg
    parse(chart)


def test_heatmap_cells_and_missing_values():
    chart = charts.heatmap("Post", "Scores.", ["Team A", "Team B"], ["Selection", "Mapping"],
                           [[80.0, None], [40.0, 100.0]], unit="%")
    assert chart.table.rows == (("Team A", "80%", "–"), ("Team B", "40%", "100%"))
    assert charts.heat_colour(None)[0] == "#f3f4f6"
    assert charts.heat_colour(100)[0] == "#1e3a8a" and charts.heat_colour(0)[0] == "#eff6ff"
    assert "Team A, Mapping: –" in chart.svg


def test_empty_charts_say_no_data():
    assert "No data" in charts.bar_chart("T", "D", [], []).svg
    assert "No data" in charts.line_chart("T", "D", [], []).svg
    assert "No data" in charts.heatmap("T", "D", [], [], []).svg


def test_charts_use_no_style_attributes():
    # The Content-Security-Policy forbids inline styles: presentation attributes only.
    for chart in (charts.bar_chart("T", "D", ["a"], [1]), charts.line_chart("T", "D", ["a", "b"], [("s", [1, 2])]),
                  charts.funnel_chart("T", "D", [("a", 1)]), charts.heatmap("T", "D", ["r"], ["c"], [[1]])):
        assert "style=" not in chart.svg


def test_a_pdf_draws_each_bar_at_its_share_of_the_longest_in_whole_percent():
    chart = charts.bar_chart("Completion rate by cohort", "Share completed.", ["A", "B", "C", "D", "E"],
                             [80.0, 40.0, 0.3, 0.0, None], unit="%")
    assert chart.bars.classes == ("bar-100", "bar-50", "bar-1", "bar-0", "bar-0")  # 0.3 is above nothing: 1%
    assert chart.bars.css.splitlines() == ["td.bar .bar-0 { width: 0% }", "td.bar .bar-1 { width: 1% }",
                                           "td.bar .bar-50 { width: 50% }", "td.bar .bar-100 { width: 100% }"]
    funnel = charts.funnel_chart("Adoption funnel", "People per step.", [("Invited", 4), ("Activated", 3),
                                                                         ("Completed", 0)])
    assert funnel.bars.classes == ("bar-100", "bar-75", "bar-0")
    assert charts.bar_chart("Gap", "Post minus pre.", ["A", "B"], [-5.0, 10.0]).bars.classes == ("bar-0", "bar-100")
    line = charts.line_chart("Weekly", "Learners.", ["5 Jan", "12 Jan"], [("Active", [1, 2])])
    assert line.bars is None  # a line chart prints as its drawing and its table
