"""Journey: sign in, land on the dashboard, sign out."""

from __future__ import annotations

from lms.extensions import db
from tests.factories import make_org, make_user


def test_sign_in_see_dashboard_and_sign_out(live_app, page):
    with live_app.app_context():
        org = make_org("Northwind Analytics")
        make_user(org, ("learner",), email="maya@northwind.example", name="Maya Okafor")
        db.session.remove()

    page.go("/")
    page.click("Sign in")
    assert page.path.startswith("/login")
    page.fill("Email", "maya@northwind.example")
    page.fill("Password", "wrong password")
    page.click("Sign in")
    assert "don't match" in page.text
    page.fill("Password", "correct horse battery")
    page.click("Sign in")
    assert page.path == "/dashboard"
    assert "Hello, Maya" in page.text
    assert "Northwind Analytics" in page.text
    page.click("Sign out")
    assert page.path.startswith("/login")
    assert "You've signed out." in page.text
    page.go("/dashboard")
    assert page.path.startswith("/login")


def test_dashboard_fits_a_phone_screen_without_sideways_scrolling(live_app, page):
    with live_app.app_context():
        org = make_org("Northwind Analytics")
        make_user(org, ("learner", "org_admin", "manager", "coach"), email="maya@northwind.example", name="Maya Okafor")
        db.session.remove()
    page.driver.set_window_size(375, 800)
    page.go("/login")
    page.fill("Email", "maya@northwind.example")
    page.fill("Password", "correct horse battery")
    page.click("Sign in")
    for path in ("/dashboard", "/admin/members", "/admin/invitations"):
        page.go(path)
        overflow = page.driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a 375px screen"
