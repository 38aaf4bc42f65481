"""Static files: linked by their content's digest and kept by the browser for a year; a changed file gets a new
URL; fetching one costs the database nothing, signed in or not."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from flask import url_for

from lms import static_files
from lms.files import file_digest
from lms.templating import page_url
from tests.factories import make_org, make_user

STYLESHEET = re.compile(r'<link rel="stylesheet" href="(/static/css/app\.css\?v=([0-9a-f]+))">')


def test_pages_link_the_stylesheet_by_its_digest_and_the_browser_keeps_it_for_a_year(app, client):
    page = client.get("/login").get_data(as_text=True)
    url, version = STYLESHEET.search(page).groups()
    assert version == file_digest(Path(app.static_folder) / "css" / "app.css")[:12]

    with client.get(url) as response:
        assert response.status_code == 200
        assert b"body" in response.data
        assert response.cache_control.max_age == 365 * 24 * 3600
        assert response.cache_control.public and response.cache_control.immutable
        assert not response.cache_control.no_cache
        etag = response.headers["ETag"]
    with client.get(url, headers={"If-None-Match": etag}) as again:  # a forced reload
        assert again.status_code == 304
        assert again.cache_control.immutable


def test_an_old_or_missing_version_is_checked_with_us_every_time(client):
    """A page cached before a deploy asks for the old version: it gets today's file, but not to keep."""
    for url in ("/static/css/app.css?v=0123456789ab", "/static/css/app.css"):
        with client.get(url) as response:
            assert response.status_code == 200
            assert response.cache_control.no_cache
            assert not response.cache_control.max_age and not response.cache_control.immutable


def test_a_changed_file_gets_a_new_url(app, tmp_path):
    app.static_folder = str(tmp_path / "static")
    (tmp_path / "static").mkdir()
    sheet = tmp_path / "static" / "site.css"
    sheet.write_text("body { color: black; }")
    with app.test_request_context():
        before = url_for("static", filename="site.css")
        sheet.write_text("body { color: navy; }  /* longer */")
        after = url_for("static", filename="site.css")
        assert before != after
        assert before.startswith("/static/site.css?v=") and after.startswith("/static/site.css?v=")
        # No such file, or a path out of the folder: a plain URL, no version to compute.
        assert url_for("static", filename="missing.css") == "/static/missing.css"
        assert url_for("static", filename="../secret.txt") == "/static/../secret.txt"
    assert static_files.version(app, "missing.css") is None


def test_a_signed_in_browser_fetching_a_stylesheet_costs_no_query(app, client, auth, queries):
    """The tenant is read when a request asks for it: a static file never does."""
    org = make_org("Acme", kind="client")
    make_user(org, ("learner",), email="ada@example.com")
    assert auth.login("ada@example.com").status_code == 302
    with app.test_request_context():
        url = url_for("static", filename="css/app.css")
    with queries, client.get(url) as response:
        assert response.status_code == 200
    assert queries.statements == []
    with queries, client.get("/dashboard") as page:  # a page still reads the user and their organisation
        assert page.status_code == 200
        assert "Acme" in page.get_data(as_text=True)
    assert queries.count > 0


def test_the_static_folder_can_be_copied_with_its_versions(app, tmp_path):
    """The version depends on the content only: the same files elsewhere (another server) get the same URLs."""
    copy = tmp_path / "copy"
    shutil.copytree(app.static_folder, copy)
    original = static_files.version(app, "css/app.css")
    app.static_folder = str(copy)
    assert static_files.version(app, "css/app.css") == original


def test_pages_link_static_files_and_pages_by_urls_built_once(app, tmp_path):
    """static_url and page_url give what url_for gives, built once per file or page: an edited file keeps its URL
    until the server restarts (a deploy), except in debug mode, where it gets its new version at once."""
    app.static_folder = str(tmp_path / "static")
    (tmp_path / "static").mkdir()
    sheet = tmp_path / "static" / "site.css"
    sheet.write_text("body { color: black; }")
    with app.test_request_context():
        first = static_files.static_url("site.css")
        assert first == url_for("static", filename="site.css") and "?v=" in first
        sheet.write_text("body { color: navy; }  /* longer */")
        assert static_files.static_url("site.css") == first  # a running server: the URL it started with
        assert url_for("static", filename="site.css") != first
        app.debug = True
        try:
            assert static_files.static_url("site.css") == url_for("static", filename="site.css") != first
        finally:
            app.debug = False
        assert page_url("identity.profile") == url_for("identity.profile") == "/profile"
    with app.test_request_context(base_url="http://localhost/academy/"):  # mounted under a path
        assert static_files.static_url("site.css").startswith("/academy/static/site.css?v=")
        assert page_url("identity.profile") == "/academy/profile"


def test_the_base_template_links_the_stylesheet_and_pages_it_built_once(app, client):
    page = client.get("/login").get_data(as_text=True)
    with app.test_request_context():
        assert f'href="{url_for("static", filename="css/app.css")}"' in page
        assert f'href="{url_for("identity.signup")}"' in page
