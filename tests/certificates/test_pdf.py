"""The certificate PDF: A4 landscape, names in any script extractable as text, the verification URL and QR
code, metadata, the organisation's logo; rendered once and then served from storage."""

from __future__ import annotations

import io
import os
import re
import unicodedata
from datetime import datetime

import pypdf
import pytest
import segno

from lms.certificates import fonts, rendering, revocation, storage
from lms.extensions import db
from tests.certificates.conftest import issue_certificate
from tests.factories import make_org, make_user

NAMES = {
    "accented": "Zoë Ångström-Øverby",
    "spanish": "José Núñez",
    "polish": "Łukasz Wąs",
    "chinese": "王小明",
    "arabic": "محمد الأحمد",
}


def require_fonts_for(text: str) -> None:
    """Skip (or, with LMS_REQUIRE_FONTS set, fail) when no installed font draws some of `text`."""
    missing = fonts.missing_characters(text, rendering.FONT_DIR)
    if not missing:
        return
    message = fonts.advice(missing)
    if os.environ.get("LMS_REQUIRE_FONTS"):
        pytest.fail(f"LMS_REQUIRE_FONTS is set but {message}")
    pytest.skip(message)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def squash(text: str) -> str:
    """Compare text whatever line breaks the layout put in and whatever Unicode form extraction gives."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def download(client, auth, user, certificate):
    auth.login(user.email)
    response = client.get(f"/certificates/{certificate.code}.pdf")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    return response.data


@pytest.mark.parametrize("name", list(NAMES.values()), ids=list(NAMES))
def test_pdf_carries_name_course_date_and_verification_url(client, auth, course, name):
    require_fonts_for(name)
    org = make_org("Northwind")
    learner = make_user(org, name=name)
    certificate = issue_certificate(learner, org, course, completed_at=datetime(2026, 11, 20, 10, 0))

    data = download(client, auth, learner, certificate)

    text = pdf_text(data)
    assert squash(name) in squash(text), f"{name!r} not extractable from: {text!r}"
    assert "ABM in Ten Minutes" in text
    assert "Issued 20 November 2026" in text
    assert "Valid until 20 November 2027" in text
    assert squash(f"http://lms.test/verify/{certificate.code}") in squash(text)
    assert "0.2 hours" in text
    assert "Target account selection and tiering" in text


def test_pdf_is_a4_landscape_with_title_and_author(client, auth, course):
    org = make_org()
    learner = make_user(org, name="José Núñez")
    certificate = issue_certificate(learner, org, course)
    reader = pypdf.PdfReader(io.BytesIO(download(client, auth, learner, certificate)))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # 297 x 210 mm
    assert reader.metadata.title == "ABM in Ten Minutes: certificate for José Núñez"
    assert reader.metadata.author == "ABM Academy"


def test_the_shipped_fonts_are_embedded_for_latin_and_arabic(client, auth, course):
    org = make_org()
    learner = make_user(org, name="Zoë محمد")
    certificate = issue_certificate(learner, org, course)
    reader = pypdf.PdfReader(io.BytesIO(download(client, auth, learner, certificate)))
    fonts_used = {str(f.get_object()["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("Certificate-Sans" in f for f in fonts_used), fonts_used
    assert any("Certificate-Arabic" in f for f in fonts_used), fonts_used


@pytest.mark.parametrize("name", [
    "Maximiliana Alexandrina Konstantinopoulou-Vanderbilt de la Fuente y Montgomery-Smythe",
    "Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaftschaferswessenschafewarenwohlgepflegt",
], ids=["many-words", "one-long-word"])
def test_long_names_wrap_and_stay_on_one_page(client, auth, course, name):
    org = make_org()
    learner = make_user(org, name=name)
    certificate = issue_certificate(learner, org, course)
    data = download(client, auth, learner, certificate)
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert squash(name) in squash(text)
    assert name not in text.splitlines(), "a long name should wrap onto several lines"
    assert squash(f"http://lms.test/verify/{certificate.code}") in squash(text)


def test_pdf_shows_a_qr_code_of_the_verification_url(app, course):
    org = make_org()
    certificate = issue_certificate(make_user(org), org, course)
    url = f"http://lms.test/verify/{certificate.code}"
    with app.test_request_context():
        html = rendering.render_template(rendering.PDF_TEMPLATE, qr=rendering.qr_data_uri(url),
                                         **rendering.pdf_context(certificate))
    assert segno.make(url, error="m", micro=False).png_data_uri(scale=10, border=0, dark="#111827") in html
    assert f">{url}<" in html


def test_organisation_logo_under_static_is_used_and_nothing_else(app, course):
    org = make_org("Northwind", logo_path="img/logo.svg")
    certificate = issue_certificate(make_user(org), org, course)
    with app.test_request_context():
        assert rendering.pdf_context(certificate)["org_logo"] == "/static/img/logo.svg"
        for path in ("/static/img/logo.svg", "static/img/logo.svg"):
            org.logo_path = path
            assert rendering.pdf_context(certificate)["org_logo"] == "/static/img/logo.svg"
        for path in ("../lms/config.py", "img/missing.png", "/etc/passwd", "", None):
            org.logo_path = path
            assert rendering.pdf_context(certificate)["org_logo"] is None


def test_the_stored_file_is_served_the_second_time_without_rendering(client, auth, course, app):
    org = make_org()
    learner = make_user(org, name="Zoë Ångström-Øverby")
    certificate = issue_certificate(learner, org, course)
    first = download(client, auth, learner, certificate)
    [stored] = list((storage._store_dir()).rglob(f"{certificate.code}-*.pdf"))
    assert stored.read_bytes() == first

    # Replace the stored file with a marker: a second download that rendered would not return it.
    stored.write_bytes(b"%PDF-1.7\n% the stored copy\n")
    second = client.get(f"/certificates/{certificate.code}.pdf")
    assert second.status_code == 200
    assert second.data == b"%PDF-1.7\n% the stored copy\n"


def test_a_name_change_renders_a_new_pdf_and_drops_the_old_one(client, auth, course):
    org = make_org()
    learner = make_user(org, name="Zoe Angstrom")
    certificate = issue_certificate(learner, org, course)
    download(client, auth, learner, certificate)
    [old] = list(storage._store_dir().rglob(f"{certificate.code}-*.pdf"))

    learner.name = "Zoë Ångström-Øverby"
    revocation.refresh_for_name_change(learner)
    db.session.commit()
    data = client.get(f"/certificates/{certificate.code}.pdf").data

    assert "Zoë Ångström-Øverby" in pdf_text(data)
    assert not old.exists()
    assert len(list(storage._store_dir().rglob(f"{certificate.code}-*.pdf"))) == 1


def test_missing_fonts_are_reported_with_the_packages_to_install(tmp_path):
    advice = fonts.advice(["王"])
    assert "U+738B" in advice
    for package in ("fonts-noto-core", "fonts-noto-cjk", "fonts-dejavu-core"):
        assert package in advice
    # Shipped fonts cover accented Latin and Arabic without any system font.
    assert fonts.missing_characters("Zoë Ångström-Øverby Łukasz محمد", rendering.FONT_DIR) == []
