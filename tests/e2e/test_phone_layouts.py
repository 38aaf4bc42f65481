"""ABM Academy on a 375 px phone (issue 14, item 4): the exercise answer table, the progress table, the manager's
assignments page and the reports (capability heatmaps, charts, wide tables) fit the screen and stay readable.

Each page is opened in headless Chromium at 375 px and checked for: no sideways scrolling of the page; every value
in a stacked table showing its column's name; chart text drawn at 12 px or more; and axe-core's WCAG 2 A/AA rules
(among them `scrollable-region-focusable`) reporting no violations. axe-core is vendored under tests/e2e/vendor.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from lms.accounts.workspaces import workspace_for
from lms.content.models import Competency, Course
from lms.content.sync import sync_content
from lms.database import utcnow
from lms.extensions import db
from lms.identity.services import join_cohort
from lms.learning.assignments import assign
from tests.factories import make_cohort, make_org, make_user
from tests.practice.web_helpers import add_account, add_contact

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PHONE = (375, 812)

# The real framework's other competencies (courses/competencies.yaml), so the heatmaps have their full width.
MORE_COMPETENCIES = (
    ("abm-operating-model", "ABM as a shared operating model"),
    ("contact-data", "Contact list building and data quality"),
    ("role-messaging", "Role-specific messaging"),
    ("campaign-orchestration", "Multi-channel orchestration"),
    ("signal-qualification-handoff", "Qualified signals, follow-up and handoff"),
    ("measurement-and-feedback", "Measuring ABM and acting on feedback"),
)


# ---------------------------------------------------------------------------------------------------- helpers


def on_phone(page) -> None:
    page.driver.set_window_size(*PHONE)
    assert page.driver.execute_script("return window.innerWidth") == PHONE[0], "the window is not 375 px wide"


def assert_no_sideways_scroll(page, what: str) -> None:
    sizes = page.driver.execute_script(
        "const d = document.documentElement;"
        "return [d.scrollWidth, d.clientWidth, window.innerWidth];")
    scroll_width, client_width, inner_width = sizes
    if scroll_width > min(client_width, inner_width):
        culprits = page.driver.execute_script(
            "const w = document.documentElement.clientWidth;"
            "return [...document.querySelectorAll('body *')].filter(e => {"
            "  const r = e.getBoundingClientRect(); return r.width > 0 && r.right > w + 0.5;"
            "}).slice(0, 8).map(e => `${e.tagName}.${e.className}#${e.id}: right edge at ${e.getBoundingClientRect().right}`);")
        pytest.fail(f"{what} scrolls sideways at 375 px: the page is {scroll_width} px wide in a {client_width} px "
                    f"window; sticking out: {culprits}")


def axe(page, what: str) -> dict:
    """Run axe-core's WCAG 2 A and AA rules on the page; fail with each violation's rule and elements."""
    driver = page.driver
    driver.set_script_timeout(60)
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}, resultTypes: ['violations']})"
        ".then(r => done({violations: r.violations.map(v => ({id: v.id, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ') + ' ' + n.failureSummary)})),"
        " passes: r.passes.map(v => v.id), inapplicable: r.inapplicable.map(v => v.id)}))"
        ".catch(e => done({error: String(e)}));")
    assert "error" not in result, result.get("error")
    assert result["violations"] == [], f"axe-core on {what}:\n" + json.dumps(result["violations"], indent=1)
    return result


def scrollable_regions(page) -> list[dict]:
    """The elements that scroll sideways at this width, with what makes them reachable by keyboard."""
    return page.driver.execute_script(
        "return [...document.querySelectorAll('main *')].filter(el => {"
        "  const s = getComputedStyle(el); return el.offsetParent !== null &&"
        "  ['auto', 'scroll'].includes(s.overflowX) && el.scrollWidth > el.clientWidth + 1;"
        "}).map(el => ({tag: el.tagName, cls: el.className, tabindex: el.getAttribute('tabindex'),"
        "  role: el.getAttribute('role'), label: el.getAttribute('aria-label') || el.getAttribute('aria-labelledby'),"
        "  hint: getComputedStyle(el, '::before').content}));")


def chart_text_sizes(page) -> list[tuple[str, float]]:
    """(text, size in CSS px as drawn) of every visible text in the page's SVG charts: the font size scaled by
    how much the SVG is shrunk or stretched from its viewBox."""
    return page.driver.execute_script(
        "const out = [];"
        "for (const svg of document.querySelectorAll('svg.chart')) {"
        "  const box = svg.getBoundingClientRect(); if (!box.width) continue;"
        "  const scale = box.width / svg.viewBox.baseVal.width;"
        "  for (const t of svg.querySelectorAll('text')) {"
        "    if (!t.textContent.trim()) continue;"
        "    out.push([t.textContent, parseFloat(getComputedStyle(t).fontSize) * scale]);"
        "  }"
        "}"
        "return out;")


def stacked_cells(page, table_css: str) -> list[dict]:
    """Each data cell of the stacked table: its column heading, the label it shows, and whether it is visible
    inside the screen."""
    return page.driver.execute_script(
        "const table = document.querySelector(arguments[0]);"
        "const heads = [...table.tHead.rows[0].cells].map(c => c.innerText.replace(/\\s+/g, ' ').trim());"
        "const out = [];"
        "for (const row of [...table.tBodies[0].rows, ...(table.tFoot ? table.tFoot.rows : [])]) {"
        "  [...row.cells].forEach((cell, i) => {"
        "    if (cell.tagName !== 'TD' || !cell.hasAttribute('data-label')) return;"
        "    const r = cell.getBoundingClientRect(); const before = getComputedStyle(cell, '::before');"
        "    out.push({heading: heads[i], label: cell.dataset.label, shown: before.content,"
        "      row_display: getComputedStyle(row).display, left: r.left, right: r.right,"
        "      value: cell.innerText.replace(/\\s+/g, ' ').trim()});"
        "  });"
        "}"
        "return out;", table_css)


def assert_cells_labelled(page, table_css: str, what: str) -> list[dict]:
    cells = stacked_cells(page, table_css)
    assert cells, f"{what}: no labelled cells found"
    width = page.driver.execute_script("return document.documentElement.clientWidth")
    for cell in cells:
        words = cell["heading"].replace("(", " ").replace(")", " ").split()
        assert words and all(w in cell["label"] for w in words), f"{what}: not the column's name: {cell}"
        assert cell["shown"] == json.dumps(cell["label"]), f"{what}: the cell does not show its label: {cell}"
        assert cell["row_display"] == "block", f"{what}: the row is not stacked into a card: {cell}"
        assert cell["left"] >= 0 and cell["right"] <= width, f"{what}: a cell is off the screen: {cell}"
    return cells


# ---------------------------------------------------------------------------------------------------- data


def _learner_with_workspace(live_app) -> None:
    with live_app.app_context():
        sync_content(Path(live_app.config["COURSES_DIR"]), {})
        org = make_org("Northwind Analytics")
        cohort = make_cohort(org, "Northwind winter 2026", shares_workspace=False)
        learner = make_user(org, ("learner",), email="maya@northwind.example", name="Maya Okafor", cohort=cohort)
        join_cohort(learner, cohort, "learner")
        ws = workspace_for(learner, org)
        fern = add_account(ws, "Fernhollow Laboratories International Holdings", "1:few")
        add_contact(ws, fern, "senior_decision_maker", first_name="Rowan", last_name="Hale", title="Chief Financial Officer")
        add_contact(ws, fern, "technical_evaluator", first_name="Sam", last_name="Ode", title="IT Architect")
        add_account(ws, "Brightwater Logistics", "1:1")
        db.session.commit()
        db.session.remove()


def _manager_with_many_learners(live_app) -> None:
    """A manager, 4 cohorts of 9 learners each, the course assigned to every cohort with a due date."""
    with live_app.app_context():
        sync_content(Path(live_app.config["COURSES_DIR"]), {})
        for position, (slug, name) in enumerate(MORE_COMPETENCIES, start=10):
            if db.session.scalar(db.select(Competency).filter_by(slug=slug)) is None:
                db.session.add(Competency(slug=slug, name=name, position=position))
        org = make_org("Northwind Analytics", timezone="Europe/London")
        manager = make_user(org, ("manager",), email="marcus@northwind.example", name="Marcus Bell",
                            job_function="other")
        course = db.session.scalars(db.select(Course).order_by(Course.id)).first()
        now = utcnow()
        for c, team in enumerate(("Enterprise sales, North", "Field marketing and demand generation",
                                  "Sales development representatives", "Customer success and expansion")):
            cohort = make_cohort(org, team)
            for n in range(9):
                make_user(org, ("learner",), email=f"learner{c}{n}@northwind.example",
                          name=f"Alexandra Featherstonehaugh-{c}{n}", cohort=cohort,
                          job_function=("sales", "marketing")[n % 2], activated_at=now - timedelta(days=40))
            assign(org, course, now + timedelta(days=10 * (c + 1) - 15), manager, cohort=cohort)
        db.session.commit()
        db.session.remove()


# ---------------------------------------------------------------------------------------------------- tests


def test_the_answer_table_is_a_card_per_row_with_each_column_named_next_to_its_input(live_app, page):
    _learner_with_workspace(live_app)
    page.sign_in("maya@northwind.example")
    on_phone(page)
    page.go("/exercises/role-messaging")
    row = page.driver.find_element(By.CSS_SELECTOR, "#field-messages table.answer-rows tbody tr")
    Select(row.find_element(By.ID, "answer-messages-0-account")).select_by_visible_text(
        "Fernhollow Laboratories International Holdings (1:few)")
    Select(row.find_element(By.ID, "answer-messages-0-role")).select_by_value("finance")
    Select(row.find_element(By.ID, "answer-messages-0-channel")).select_by_visible_text("email")
    message = row.find_element(By.ID, "answer-messages-0-message")
    message.send_keys("Fernhollow could cut routing costs by a fifth within two quarters.")
    page.click("Check my work")
    assert "Your messages" in page.text

    assert_no_sideways_scroll(page, "the exercise page")
    row = page.driver.find_element(By.CSS_SELECTOR, "#field-messages table.answer-rows tbody tr")
    assert row.value_of_css_property("display") == "block", "answer rows are not stacked into cards at 375 px"
    assert row.find_element(By.ID, "answer-messages-0-message").get_attribute("value").startswith("Fernhollow")
    width = page.driver.execute_script("return document.documentElement.clientWidth")
    for column, label in (("account", "Account"), ("role", "Buying role"), ("channel", "Channel"),
                          ("message", "Message")):
        control = row.find_element(By.ID, f"answer-messages-0-{column}")
        page.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", control)
        control.click()
        cell = control.find_element(By.XPATH, "./ancestor::td[1]")
        name = cell.find_element(By.CSS_SELECTOR, ".cell-label")
        assert name.is_displayed() and name.text == label, f"the {label} column's name is not shown in its card"
        name_box, box = name.rect, control.rect
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"the {label} input runs off the screen"
        assert name_box["y"] + name_box["height"] <= box["y"] + 1, f"the {label} name is not above its input"
        assert box["y"] - (name_box["y"] + name_box["height"]) < 24, f"the {label} name is far from its input"
        in_view = page.driver.execute_script(
            "const a = arguments[0].getBoundingClientRect(), b = arguments[1].getBoundingClientRect();"
            "return a.top >= 0 && b.bottom <= window.innerHeight;", name, control)
        assert in_view, f"the {label} name and its input are not on screen together"
    number = row.find_element(By.CSS_SELECTOR, "th")
    shown = page.driver.execute_script("return getComputedStyle(arguments[0], '::before').content", number)
    assert (shown, number.text) == ('"Row "', "1"), "the card does not say which row it is"
    axe(page, "the exercise page")

    page.driver.set_window_size(1280, 900)  # on a wide screen it is a table again, the names in its head
    row = page.driver.find_element(By.CSS_SELECTOR, "#field-messages table.answer-rows tbody tr")
    assert row.value_of_css_property("display") == "table-row"
    assert not row.find_element(By.CSS_SELECTOR, ".cell-label").is_displayed()
    wrap = page.driver.find_element(By.CSS_SELECTOR, "#field-messages .table-wrap")
    assert wrap.get_attribute("tabindex") == "0" and wrap.get_attribute("role") == "region"
    assert wrap.get_attribute("aria-label") == "Your messages: the rows of your answer"


def _typed_account_box(live_app, page, monkeypatch, path: str, box_id: str):
    """Open `path` on a phone as a learner whose two accounts are past the select boxes' limit (patched to one);
    return its account box, a text box with both accounts to pick from."""
    from lms.accounts import picks

    monkeypatch.setattr(picks, "SELECT_MAX", 1)
    _learner_with_workspace(live_app)
    page.sign_in("maya@northwind.example")
    on_phone(page)
    page.go(path)
    box = page.driver.find_element(By.ID, box_id)
    assert box.tag_name == "input" and page.driver.execute_script(
        "return arguments[0].list.options.length", box) == 2
    return box


def test_a_large_workspace_types_the_account_on_a_phone_and_picks_it_from_one_list(live_app, page, monkeypatch):
    box = _typed_account_box(live_app, page, monkeypatch, "/exercises/role-messaging", "answer-messages-0-account")
    page.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    box.send_keys("fernhollow laboratories international holdings")
    Select(page.driver.find_element(By.ID, "answer-messages-0-role")).select_by_value("finance")
    page.driver.find_element(By.ID, "answer-messages-0-message").send_keys("Cut routing costs by a fifth.")
    page.click("Check my work")
    box = page.driver.find_element(By.ID, "answer-messages-0-account")
    assert box.get_attribute("value") == "Fernhollow Laboratories International Holdings"  # saved as the account
    assert_no_sideways_scroll(page, "the exercise page with typed accounts")
    width = page.driver.execute_script("return document.documentElement.clientWidth")
    assert box.rect["x"] >= 0 and box.rect["x"] + box.rect["width"] <= width, "the account box runs off the screen"

    box.clear()
    box.send_keys("Fernhollow Labs")  # no such account: kept, marked, explained
    page.click("Check my work")
    assert "Some accounts match none in your workspace" in page.text
    box = page.driver.find_element(By.ID, "answer-messages-0-account")
    assert box.get_attribute("value") == "Fernhollow Labs" and box.get_attribute("aria-invalid") == "true"
    assert "No account in your workspace is called Fernhollow Labs." in page.text
    assert_no_sideways_scroll(page, "the exercise page with an account that matches none")
    axe(page, "the exercise page with typed accounts")


def test_a_signal_is_logged_against_a_typed_account_on_a_phone(live_app, page, monkeypatch):
    box = _typed_account_box(live_app, page, monkeypatch, "/workspace/signals/new", "account_id")
    box.send_keys("brightwater logistics")
    Select(page.driver.find_element(By.ID, "type")).select_by_value("pricing_page_visit")
    assert_no_sideways_scroll(page, "the signal form with a typed account")
    axe(page, "the signal form with a typed account")
    page.click("Save")
    assert "Signal added." in page.text and "Brightwater Logistics" in page.text

def test_every_exercise_answer_table_fits_a_phone_with_each_input_under_its_column_name(live_app, page):
    _learner_with_workspace(live_app)
    page.sign_in("maya@northwind.example")
    on_phone(page)
    slugs = sorted(p.parent.name for p in Path(live_app.config["EXERCISES_DIR"]).glob("*/exercise.md"))
    tables = 0
    for slug in slugs:
        page.go(f"/exercises/{slug}")
        assert_no_sideways_scroll(page, f"the {slug} exercise")
        for cell in page.driver.find_elements(By.CSS_SELECTOR, "table.answer-rows tbody tr:first-child td"):
            name = cell.find_element(By.CSS_SELECTOR, ".cell-label")
            page.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", cell)
            assert name.is_displayed() and name.text, f"{slug}: an answer cell does not show its column's name"
            tables += 1
        axe(page, f"the {slug} exercise")
    assert tables >= 10, "too few answer tables were checked"


def test_the_progress_table_shows_every_value_with_its_column_name(live_app, page):
    _learner_with_workspace(live_app)
    page.sign_in("maya@northwind.example")
    on_phone(page)
    page.go("/progress")
    assert "Capability by competency" in page.text
    assert_no_sideways_scroll(page, "the progress page")
    cells = assert_cells_labelled(page, "section[aria-labelledby='profile-heading'] table", "the progress table")
    labels = {c["label"] for c in cells}
    assert labels == {"Before (pre-course)", "After (post-course)", "Change", "Module checks", "Knowledge",
                      "Applied", "Coach rating", "Gap", "Capability"}
    assert "Target account selection and tiering" in page.text and "Not rated yet" in page.text
    axe(page, "the progress page")


def test_the_assignments_page_fits_a_phone(live_app, page):
    _manager_with_many_learners(live_app)
    page.sign_in("marcus@northwind.example")
    on_phone(page)
    page.go("/manage/assignments")
    assert "Field marketing and demand generation" in page.text
    assert_no_sideways_scroll(page, "the assignments page")
    cells = assert_cells_labelled(page, "section[aria-labelledby='list-heading'] table", "the assignments table")
    assert {c["label"] for c in cells} == {"Course", "Assigned to", "Due", "Learners", "Completed", "Overdue"}
    assert {c["value"] for c in cells if c["label"] == "Learners"} == {"9"}
    axe(page, "the assignments page")


@pytest.mark.parametrize("report", ["capability", "completion", "adoption"])
def test_reports_fit_a_phone_with_readable_charts_and_reachable_wide_tables(live_app, page, report):
    _manager_with_many_learners(live_app)
    page.sign_in("marcus@northwind.example")
    on_phone(page)
    page.go(f"/reports/{report}")
    assert page.driver.find_elements(By.CSS_SELECTOR, "svg.chart"), "no chart on the report"
    assert_no_sideways_scroll(page, f"the {report} report")

    sizes = chart_text_sizes(page)
    assert sizes, "no chart text is visible on a phone"
    small = [(text, round(size, 1)) for text, size in sizes if size < 12]
    assert not small, f"chart text under 12 px on the {report} report: {small[:10]}"
    if report == "capability":  # the heatmap is a list per team, one competency a line
        heat = page.driver.find_element(By.CSS_SELECTOR, ".chart-phone svg[aria-labelledby^='heat-pre-phone']")
        assert heat.is_displayed()
        words = " ".join(heat.text.split())  # long competency names wrap onto a second line
        assert "Field marketing and demand generation" in words
        assert "Measuring ABM and acting on feedback" in words

    regions = scrollable_regions(page)
    assert regions, "no wide table scrolls inside the report at 375 px"
    for region in regions:
        assert region["tabindex"] == "0" and region["role"] == "region" and region["label"], region
        assert "sideways" in region["hint"], f"a table that scrolls sideways says nothing about it: {region}"
    first = page.driver.find_element(By.CSS_SELECTOR, ".table-wrap.scroll-hint tbody tr > :first-child")
    assert first.value_of_css_property("position") == "sticky"

    result = axe(page, f"the {report} report")
    assert "scrollable-region-focusable" in result["passes"]


def test_the_other_report_pages_fit_a_phone(live_app, page):
    _manager_with_many_learners(live_app)
    page.sign_in("marcus@northwind.example")
    on_phone(page)
    for path, what in (("/reports", "the reports overview"), ("/reports/roi", "the ROI report")):
        page.go(path)
        assert_no_sideways_scroll(page, what)
        axe(page, what)
    page.go("/reports/completion")
    page.click("Alexandra Featherstonehaugh-00")
    assert page.path.startswith("/reports/learners/")
    assert "learner00@northwind.example" in page.text
    assert_no_sideways_scroll(page, "a learner's report")
    for region in scrollable_regions(page):
        assert region["tabindex"] == "0" and region["role"] == "region" and "sideways" in region["hint"], region
    axe(page, "a learner's report")
