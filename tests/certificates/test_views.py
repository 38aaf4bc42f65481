"""Where people find certificates: yours (download, share, LinkedIn), a cohort's (managers and coaches, one
organisation only), and the platform admin's revoke and reissue."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.extensions import db
from tests.certificates.conftest import issue_certificate
from tests.factories import make_cohort, make_org, make_user


@pytest.fixture
def world(course):
    """Two organisations; Northwind has a cohort of two learners with certificates, a coach and a manager."""
    ours, theirs = make_org("Northwind"), make_org("Contoso")
    cohort, other_cohort = make_cohort(ours, "Spring team"), make_cohort(ours, "Autumn team")
    their_cohort = make_cohort(theirs, "Contoso team")
    people = {
        "zoe": make_user(ours, email="zoe@northwind.example", name="Zoë Ångström-Øverby", cohort=cohort),
        "jose": make_user(ours, email="jose@northwind.example", name="José Núñez", cohort=cohort),
        "coach": make_user(ours, ("coach",), email="coach@northwind.example", cohort=cohort, cohort_role="coach"),
        "other_coach": make_user(ours, ("coach",), email="coach2@northwind.example", cohort=other_cohort,
                                 cohort_role="coach"),
        "manager": make_user(ours, ("manager",), email="manager@northwind.example"),
        "their_manager": make_user(theirs, ("manager",), email="manager@contoso.example"),
        "their_learner": make_user(theirs, email="li@contoso.example", name="王小明", cohort=their_cohort),
        "admin": make_user(email="admin@academy.example", is_platform_admin=True),
    }
    certs = {
        "zoe": issue_certificate(people["zoe"], ours, course, cohort=cohort,
                                 completed_at=datetime(2026, 11, 20, 10, 0)),
        "jose": issue_certificate(people["jose"], ours, course, cohort=cohort),
        "their": issue_certificate(people["their_learner"], theirs, course, cohort=their_cohort),
    }
    return {"cohort": cohort, "their_cohort": their_cohort, "people": people, "certs": certs}


def test_learners_see_their_certificates_with_download_share_and_linkedin(client, auth, world):
    zoe, cert = world["people"]["zoe"], world["certs"]["zoe"]
    auth.login(zoe.email)
    html = client.get("/certificates").get_data(as_text=True)
    assert "ABM in Ten Minutes" in html and "Valid" in html
    assert f"/certificates/{cert.code}.pdf" in html
    assert f"http://lms.test/verify/{cert.code}" in html
    assert world["certs"]["jose"].code not in html
    assert "Your cohorts" not in html

    link = html.split('href="https://www.linkedin.com/profile/add?')[1].split('"')[0].replace("&amp;", "&")
    params = {k: v[0] for k, v in parse_qs(link).items()}
    assert params == {
        "startTask": "CERTIFICATION_NAME", "name": "ABM in Ten Minutes", "organizationName": "ABM Academy",
        "issueYear": "2026", "issueMonth": "11", "expirationYear": "2027", "expirationMonth": "11",
        "certUrl": f"http://lms.test/verify/{cert.code}", "certId": cert.code,
    }


def test_a_learner_page_with_certificates_stays_within_six_queries(client, auth, world, queries, course):
    zoe = world["people"]["zoe"]
    other = make_org("Second employer")
    from lms.identity.services import add_role

    add_role(zoe, other, "learner")
    db.session.commit()
    issue_certificate(zoe, other, course)
    auth.login(zoe.email)
    client.get("/certificates")
    with queries:
        html = client.get("/certificates").get_data(as_text=True)
    assert html.count("Download PDF") == 2
    assert queries.count <= 6, queries.statements


def test_a_learner_without_certificates_is_told_how_to_earn_one(client, auth, world):
    auth.login(world["people"]["coach"].email)
    html = client.get("/certificates").get_data(as_text=True)
    assert "No certificates yet" in html


def test_the_holder_downloads_and_others_in_the_organisation_may_not(client, auth, world):
    cert = world["certs"]["zoe"]
    auth.login(world["people"]["jose"].email)
    assert client.get(f"/certificates/{cert.code}.pdf").status_code == 404
    auth.logout()
    assert client.get(f"/certificates/{cert.code}.pdf").status_code == 302  # sign in first
    auth.login(world["people"]["zoe"].email)
    response = client.get(f"/certificates/{cert.code}.pdf", buffered=True)  # read whole: the file is closed
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]


@pytest.mark.parametrize(("who", "status"), [
    ("manager", 200), ("coach", 200), ("other_coach", 404), ("their_manager", 404), ("admin", 200),
])
def test_who_else_may_download_a_certificate(client, auth, world, who, status):
    auth.login(world["people"][who].email)
    assert client.get(f"/certificates/{world['certs']['zoe'].code}.pdf", buffered=True).status_code == status


def test_a_revoked_certificate_is_not_handed_out(client, auth, world):
    from lms.certificates import revocation

    cert = world["certs"]["zoe"]
    revocation.revoke(cert, world["people"]["admin"], "Issued in error")
    db.session.commit()
    auth.login(world["people"]["zoe"].email)
    assert client.get(f"/certificates/{cert.code}.pdf").status_code == 404
    html = client.get("/certificates").get_data(as_text=True)
    assert "Revoked on" in html and "Issued in error" in html
    assert f"/certificates/{cert.code}.pdf" not in html
    auth.logout()
    auth.login(world["people"]["manager"].email)
    assert client.get(f"/certificates/{cert.code}.pdf").status_code == 404
    auth.logout()
    auth.login(world["people"]["admin"].email)  # platform admins still have it, to see what was issued
    assert client.get(f"/certificates/{cert.code}.pdf", buffered=True).status_code == 200


@pytest.mark.parametrize("who", ["manager", "coach"])
def test_managers_and_the_cohorts_coach_see_its_certificates(client, auth, world, who):
    auth.login(world["people"][who].email)
    assert f"/certificates/cohorts/{world['cohort'].id}" in client.get("/certificates").get_data(as_text=True)
    html = client.get(f"/certificates/cohorts/{world['cohort'].id}").get_data(as_text=True)
    assert "Zoë Ångström-Øverby" in html and "José Núñez" in html
    assert "王小明" not in html
    assert f"/certificates/{world['certs']['zoe'].code}.pdf" in html


def test_a_coach_of_another_cohort_gets_404(client, auth, world):
    auth.login(world["people"]["other_coach"].email)
    assert client.get(f"/certificates/cohorts/{world['cohort'].id}").status_code == 404
    assert client.get(f"/certificates/cohorts/{world['cohort'].id}/certificates.zip").status_code == 404


def test_a_learner_cannot_open_the_cohort_page(client, auth, world):
    auth.login(world["people"]["zoe"].email)
    assert client.get(f"/certificates/cohorts/{world['cohort'].id}").status_code == 403
    assert client.get(f"/certificates/cohorts/{world['cohort'].id}/certificates.zip").status_code == 403


def test_another_organisations_cohort_and_zip_answer_404(client, auth, world):
    auth.login(world["people"]["manager"].email)
    their = world["their_cohort"].id
    assert client.get(f"/certificates/cohorts/{their}").status_code == 404
    assert client.get(f"/certificates/cohorts/{their}/certificates.zip").status_code == 404
    assert client.get("/certificates/cohorts/999999").status_code == 404


def test_the_cohort_zip_holds_each_valid_certificate_as_a_pdf(client, auth, world):
    from lms.certificates import revocation

    revocation.revoke(world["certs"]["jose"], world["people"]["admin"], "Issued in error")
    db.session.commit()
    auth.login(world["people"]["manager"].email)
    response = client.get(f"/certificates/cohorts/{world['cohort'].id}/certificates.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert 'filename="Spring team - certificates.zip"' in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert names == [f"Zoë Ångström-Øverby - ABM in Ten Minutes - {world['certs']['zoe'].code[:8]}.pdf"]
    assert archive.read(names[0]).startswith(b"%PDF-")


def test_platform_admins_find_revoke_and_reissue(client, auth, world):
    cert = world["certs"]["zoe"]
    auth.login(world["people"]["admin"].email)
    html = client.get("/platform/certificates?q=zoe@northwind").get_data(as_text=True)
    assert f"/platform/certificates/{cert.code}" in html
    assert "Revoke certificate" in client.get(f"/platform/certificates/{cert.code}").get_data(as_text=True)

    response = client.post(f"/platform/certificates/{cert.code}/revoke", data={"revoke-reason": "Issued in error"})
    assert response.status_code == 302
    assert "Revoked on" in client.get(f"/verify/{cert.code}").get_data(as_text=True)

    response = client.post(f"/platform/certificates/{cert.code}/reissue", data={"reissue-reason": "Appeal upheld"})
    db.session.expire_all()
    new = db.session.scalar(select(Certificate).where(Certificate.replaced_by_id.is_(None),
                                                      Certificate.enrolment_id == cert.enrolment_id))
    assert response.headers["Location"] == f"/platform/certificates/{new.code}"
    assert "This certificate is valid" in client.get(f"/verify/{new.code}").get_data(as_text=True)
    assert "This certificate was replaced" in client.get(f"/verify/{cert.code}").get_data(as_text=True)


def test_revoking_needs_a_reason(client, auth, world):
    cert = world["certs"]["zoe"]
    auth.login(world["people"]["admin"].email)
    response = client.post(f"/platform/certificates/{cert.code}/revoke", data={"revoke-reason": "   "})
    assert response.status_code == 400
    assert "Give a reason" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Certificate, cert.id).revoked_at is None


@pytest.mark.parametrize("who", ["zoe", "manager", "coach"])
def test_only_platform_admins_reach_revoke_and_reissue(client, auth, world, who):
    cert = world["certs"]["zoe"]
    auth.login(world["people"][who].email)
    assert client.get("/platform/certificates").status_code == 404
    assert client.get(f"/platform/certificates/{cert.code}").status_code == 404
    assert client.post(f"/platform/certificates/{cert.code}/revoke", data={"revoke-reason": "x"}).status_code == 404
    assert client.post(f"/platform/certificates/{cert.code}/reissue", data={"reissue-reason": "x"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Certificate, cert.id).revoked_at is None


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    for path in ("/certificates", f"/certificates/cohorts/{world['cohort'].id}",
                 f"/certificates/{world['certs']['zoe'].code}.pdf"):
        response = client.get(path)
        assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"


def test_a_repeat_download_answers_304_until_the_certificate_is_revoked(client, auth, world):
    from lms.certificates import revocation

    cert = world["certs"]["zoe"]
    path = f"/certificates/{cert.code}.pdf"
    auth.login(world["people"]["zoe"].email)
    first = client.get(path, buffered=True)
    assert first.status_code == 200 and first.data.startswith(b"%PDF-")
    etag = first.headers["ETag"]
    # The browser keeps it but asks each time (a revoked certificate must stop downloading); never public.
    assert {"private", "no-cache"} <= {part.strip() for part in first.headers["Cache-Control"].split(",")}
    assert "public" not in first.headers["Cache-Control"]

    again = client.get(path, headers={"If-None-Match": etag}, buffered=True)
    assert again.status_code == 304 and again.data == b""
    assert client.get(path, headers={"If-None-Match": '"something-else"'}, buffered=True).status_code == 200

    revocation.revoke(cert, world["people"]["admin"], "Issued in error")
    db.session.commit()
    assert client.get(path, headers={"If-None-Match": etag}, buffered=True).status_code == 404


def test_a_renamed_holders_download_has_a_new_etag(client, auth, world):
    from lms.certificates import revocation

    zoe, cert = world["people"]["zoe"], world["certs"]["zoe"]
    path = f"/certificates/{cert.code}.pdf"
    auth.login(zoe.email)
    etag = client.get(path, buffered=True).headers["ETag"]
    zoe.name = "Zoë Øverby"
    revocation.refresh_for_name_change(zoe)
    db.session.commit()
    response = client.get(path, headers={"If-None-Match": etag}, buffered=True)
    assert response.status_code == 200 and response.headers["ETag"] != etag


@pytest.mark.parametrize(("who", "status"), [
    ("zoe", 200), ("manager", 200), ("coach", 200), ("other_coach", 404), ("their_manager", 404), ("jose", 404),
])
def test_the_download_checks_permission_in_one_query(client, auth, world, queries, who, status):
    cert = world["certs"]["zoe"]
    auth.login(world["people"][who].email)
    client.get(f"/certificates/{cert.code}.pdf", buffered=True)  # stored by the first download
    with queries:
        response = client.get(f"/certificates/{cert.code}.pdf", buffered=True)
    assert response.status_code == status
    about_certificates = [s for s in queries.statements if "certificates" in s]
    assert len(about_certificates) == 1, about_certificates
    if status == 200:  # the reader's session and the rule together: no user loader's query beside them
        assert len(queries.statements) == 1, queries.statements


def test_repeat_downloads_leave_their_statement_prepared_on_the_connection(client, auth, world):
    """The download reads on a connection of its own and ends the read with COMMIT, as a page does (lms.database):
    psycopg prepares the statement it has run five times on a connection, and would forget it at a rollback."""
    from tests.conftest import TEST_DATABASE_URL
    from tests.databases import statements_prepared_after

    if not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL only: SQLite has no prepared statements to keep")
    cert = world["certs"]["zoe"]
    auth.login(world["people"]["zoe"].email)

    def six_downloads() -> None:
        for _ in range(6):
            assert client.get(f"/certificates/{cert.code}.pdf", buffered=True).status_code == 200

    prepared = statements_prepared_after(six_downloads)
    assert any("certificates.code" in statement for statement in prepared), prepared


def test_a_manager_downloads_their_current_organisations_certificates_only(client, auth, world):
    """The download reads the current organisation in SQL (it loads no ORM user): as load_tenant has it, the one
    the browser switched to, or the first active one when that is suspended."""
    from lms.identity.services import add_role

    manager, cert = world["people"]["manager"], world["certs"]["zoe"]
    northwind, contoso = cert.organization, world["certs"]["their"].organization
    add_role(manager, contoso, "learner")
    db.session.commit()
    path = f"/certificates/{cert.code}.pdf"
    auth.login(manager.email)
    assert client.get(path, buffered=True).status_code == 200
    client.post(f"/organizations/{contoso.id}/switch")
    assert client.get(path, buffered=True).status_code == 404  # a learner here: Northwind's are out of reach
    client.post(f"/organizations/{northwind.id}/switch")
    assert client.get(path, buffered=True).status_code == 200
    northwind.is_active = False  # suspended: the session falls back to Contoso
    db.session.commit()
    assert client.get(path, buffered=True).status_code == 404


def test_a_download_needs_an_open_session_of_an_active_user(client, auth, world):
    from lms.identity import sessions

    zoe, cert = world["people"]["zoe"], world["certs"]["zoe"]
    path = f"/certificates/{cert.code}.pdf"
    auth.login(zoe.email)
    assert client.get(path, buffered=True).status_code == 200
    sessions.end_all_sessions(zoe)  # "sign out everywhere", or a password reset
    db.session.commit()
    signed_out = client.get(path)
    assert signed_out.status_code == 302 and urlsplit(signed_out.headers["Location"]).path == "/login"
    auth.login(zoe.email)
    zoe.is_active_user = False
    db.session.commit()
    assert urlsplit(client.get(path).headers["Location"]).path == "/login"


def test_a_remembered_browser_downloads_once_its_session_cookie_is_gone(client, auth, world):
    zoe, cert = world["people"]["zoe"], world["certs"]["zoe"]
    auth.login(zoe.email, remember=True)
    client.delete_cookie("session")  # the browser was closed: only the remember-me cookie is left
    response = client.get(f"/certificates/{cert.code}.pdf", buffered=True)
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")


def test_another_organisations_certificate_answers_404_to_its_managers_and_coaches(client, auth, world):
    their = world["certs"]["their"]
    for who in ("manager", "coach", "zoe"):
        auth.login(world["people"][who].email)
        assert client.get(f"/certificates/{their.code}.pdf", buffered=True).status_code == 404, who
        auth.logout()
    auth.login(world["people"]["their_manager"].email)
    assert client.get(f"/certificates/{their.code}.pdf", buffered=True).status_code == 200


def test_behind_a_proxy_the_stored_file_is_handed_to_it_with_x_sendfile(client, auth, world, app):
    from lms.certificates import paths

    app.config["USE_X_SENDFILE"] = True
    cert = world["certs"]["zoe"]
    auth.login(world["people"]["zoe"].email)
    response = client.get(f"/certificates/{cert.code}.pdf", buffered=True)
    assert response.status_code == 200 and response.data == b""  # the proxy sends the file
    [stored] = list(paths.store_dir().rglob(f"{cert.code}-*.pdf"))
    assert response.headers["X-Sendfile"] == str(stored)
    assert "attachment" in response.headers["Content-Disposition"]
