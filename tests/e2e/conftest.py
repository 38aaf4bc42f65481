"""Real-browser journeys: the app served on a loopback port, driven by headless Chromium via Selenium."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from lms import create_app
from lms.extensions import db
from tests.conftest import _test_config
from tests.factories import DEFAULT_PASSWORD

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def live_app(tmp_path):
    """The app on a free loopback port with a file SQLite database and CSRF on, as users meet it."""
    config = _test_config(
        tmp_path,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'e2e.sqlite'}",
        WTF_CSRF_ENABLED=True,
        SERVER_NAME=None,
    )
    app = create_app(config)
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    try:
        yield app
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def browser():
    """Headless Chromium; skips with the reason when it isn't installed (fails when LMS_REQUIRE_BROWSER is set)."""
    if not (CHROMIUM and CHROMEDRIVER):
        message = "headless Chromium not installed: apt-get install chromium chromium-driver"
        if os.environ.get("LMS_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="lms-chromium-")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-quic", f"--user-data-dir={profile}", "--window-size=1280,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.implicitly_wait(3)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _left_the_page(element):
    """A wait condition: true once `element`'s page has been replaced. Chromium sometimes reports a replaced node as
    "Node with given id does not belong to the document" (a plain WebDriverException) rather than as stale, which
    selenium's staleness_of does not catch: both mean the page has gone."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    def gone(_driver) -> bool:
        try:
            element.is_enabled()
        except (StaleElementReferenceException, WebDriverException):
            return True
        return False
    return gone


class Page:
    """Small helpers over the Selenium driver, in the words a person would use."""

    def __init__(self, driver, base_url: str) -> None:
        self.driver, self.base_url = driver, base_url

    def go(self, path: str) -> None:
        self.driver.get(self.base_url + path)

    def fill(self, label: str, value: str) -> None:
        from selenium.webdriver.common.by import By

        field_id = self.driver.find_element(By.XPATH, f"//label[normalize-space()='{label}']").get_attribute("for")
        element = self.driver.find_element(By.ID, field_id)
        element.clear()
        element.send_keys(value)

    def press(self, element) -> None:
        """Click an element found by the test and wait until the page it leads to has loaded."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        old_page = self.driver.find_element(By.TAG_NAME, "html")
        element.click()
        WebDriverWait(self.driver, 15).until(_left_the_page(old_page))
        WebDriverWait(self.driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")

    def click(self, text: str, navigates: bool = True) -> None:
        """Click the button or link with this text; by default wait until the next page has loaded."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        old_page = self.driver.find_element(By.TAG_NAME, "html")
        self.driver.find_element(
            By.XPATH, f"//button[normalize-space()='{text}'] | //a[normalize-space()='{text}'] | "
                      f"//input[@type='submit' and @value='{text}']").click()
        if navigates:
            WebDriverWait(self.driver, 15).until(_left_the_page(old_page))
            WebDriverWait(self.driver, 15).until(
                lambda d: d.execute_script("return document.readyState") == "complete")

    @property
    def text(self) -> str:
        """The page's visible text; read again when the page was replaced while being read (a progress page that
        reloads itself), which Chromium reports as a stale node or as one that "does not belong to the document"."""
        from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
        from selenium.webdriver.common.by import By

        for _ in range(2):
            try:
                return self.driver.find_element(By.TAG_NAME, "body").text
            except (StaleElementReferenceException, WebDriverException):
                continue
        return self.driver.find_element(By.TAG_NAME, "body").text  # a third failure is the test's

    @property
    def path(self) -> str:
        return self.driver.current_url.removeprefix(self.base_url)

    def sign_in(self, email: str, password: str = DEFAULT_PASSWORD) -> None:
        """Sign in through the form: on the sign-in page a redirect brought us to (so it returns where we were
        going), else on /login."""
        if not self.path.startswith("/login"):
            self.go("/login")
        self.fill("Email", email)
        self.fill("Password", password)
        self.click("Sign in")

    def sign_out(self) -> None:
        self.click("Sign out")

    def screenshot(self, name: str) -> Path:
        folder = Path(__file__).parent / "screenshots"
        folder.mkdir(exist_ok=True)
        path = folder / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path


@pytest.fixture
def page(live_app, browser) -> Page:
    return Page(browser, live_app.config["LIVE_URL"])
