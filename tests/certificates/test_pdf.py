"""The certificate PDF: A4 landscape, names in any script extractable as text, the verification URL and QR
code, metadata, the organisation's logo; rendered once and then served from storage."""

from __future__ import annotations

import base64
import io
import os
import re
import unicodedata
from datetime import datetime

import pypdf
import pytest
import segno
from PIL import Image

from lms.certificates import fonts, paths, rendering, revocation, storage
from lms.extensions import db
from tests.certificates.conftest import issue_certificate
from tests.factories import make_org, make_user
from tests.pdfs import embedded_fonts

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


def qr_in(html: str, url: str) -> bool:
    """Return True when the page's QR code (its data: URI image) encodes `url`: its modules, read at their
    centres, are those segno makes for the URL."""
    data = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', html).group(1))
    image = Image.open(io.BytesIO(data)).convert("L")
    matrix = [[bool(dark) for dark in row] for row in segno.make(url, error="m", micro=False).matrix]
    scale = image.width // len(matrix)
    seen = [[image.getpixel((x * scale + scale // 2, y * scale + scale // 2)) < 128 for x in range(len(row))]
            for y, row in enumerate(matrix)]
    return image.size == (len(matrix) * scale, len(matrix) * scale) and seen == matrix


def download(client, auth, user, certificate):
    auth.login(user.email)
    response = client.get(f"/certificates/{certificate.code}.pdf", buffered=True)  # read whole: the file is closed
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
    fonts_used = embedded_fonts(download(client, auth, learner, certificate))
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
        html = rendering.printable(certificate).html
    assert qr_in(html, url)
    assert not qr_in(html, url + "x")
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
    [stored] = list(paths.store_dir().rglob(f"{certificate.code}-*.pdf"))
    assert stored.read_bytes() == first

    # Replace the stored file with a marker: a second download that rendered would not return it.
    stored.write_bytes(b"%PDF-1.7\n% the stored copy\n")
    second = client.get(f"/certificates/{certificate.code}.pdf", buffered=True)
    assert second.status_code == 200
    assert second.data == b"%PDF-1.7\n% the stored copy\n"


def test_a_name_change_renders_a_new_pdf_and_drops_the_old_one(client, auth, course):
    org = make_org()
    learner = make_user(org, name="Zoe Angstrom")
    certificate = issue_certificate(learner, org, course)
    download(client, auth, learner, certificate)
    [old] = list(paths.store_dir().rglob(f"{certificate.code}-*.pdf"))

    learner.name = "Zoë Ångström-Øverby"
    revocation.refresh_for_name_change(learner)
    db.session.commit()
    data = client.get(f"/certificates/{certificate.code}.pdf", buffered=True).data

    assert "Zoë Ångström-Øverby" in pdf_text(data)
    assert not old.exists()
    assert len(list(paths.store_dir().rglob(f"{certificate.code}-*.pdf"))) == 1


def test_a_repeat_download_works_out_the_pdfs_values_once(client, auth, course, monkeypatch):
    org = make_org()
    learner = make_user(org, name="Zoë Ångström-Øverby")
    certificate = issue_certificate(learner, org, course)
    first = download(client, auth, learner, certificate)
    worked_out = []
    original = storage.pdf_context
    monkeypatch.setattr(storage, "pdf_context", lambda c: worked_out.append(c.code) or original(c))

    assert client.get(f"/certificates/{certificate.code}.pdf", buffered=True).data == first
    assert worked_out == []


def test_an_organisations_new_name_is_on_the_next_download(client, auth, course):
    org = make_org("Northwind Traders", kind="client")
    learner = make_user(org, name="Zoë Ångström-Øverby")
    certificate = issue_certificate(learner, org, course)
    assert "Northwind Traders" in pdf_text(download(client, auth, learner, certificate))

    org.name = "Northwind Group"
    db.session.commit()
    text = pdf_text(client.get(f"/certificates/{certificate.code}.pdf", buffered=True).data)

    assert "Northwind Group" in text and "Northwind Traders" not in text


def test_a_new_design_renders_the_next_download_again(client, auth, course, monkeypatch):
    org = make_org()
    learner = make_user(org, name="Zoë Ångström-Øverby")
    certificate = issue_certificate(learner, org, course)
    download(client, auth, learner, certificate)
    [old] = list(paths.store_dir().rglob(f"{certificate.code}-*.pdf"))
    old.write_bytes(b"%PDF-1.7\n% the old design\n")

    design = storage.design_digest()
    monkeypatch.setattr(storage, "design_digest", lambda: "a new stylesheet " + design)
    data = client.get(f"/certificates/{certificate.code}.pdf", buffered=True).data

    assert data.startswith(b"%PDF-") and b"the old design" not in data
    assert not old.exists()


def test_missing_fonts_are_reported_with_the_packages_to_install(tmp_path):
    advice = fonts.advice(["王"])
    assert "U+738B" in advice
    for package in ("fonts-noto-core", "fonts-noto-cjk", "fonts-dejavu-core"):
        assert package in advice
    # Shipped fonts cover accented Latin and Arabic without any system font.
    assert fonts.missing_characters("Zoë Ångström-Øverby Łukasz محمد", rendering.FONT_DIR) == []


@pytest.fixture
def qr_encodings(monkeypatch) -> list[str]:
    """Every QR code encoded from now on (segno.make wrapped): the URLs, in order."""
    from lms.certificates import qr

    made: list[str] = []
    make = qr.segno.make

    def counting_make(content, *args, **kwargs):
        made.append(content)
        return make(content, *args, **kwargs)

    monkeypatch.setattr(qr.segno, "make", counting_make)
    return made


def test_the_qr_code_is_made_once_at_issue_and_reused_by_every_render(client, auth, course, qr_encodings):
    org = make_org()
    learner = make_user(org, name="Zoe Angstrom")
    certificate = issue_certificate(learner, org, course)
    url = f"http://lms.test/verify/{certificate.code}"
    assert qr_encodings == [url]  # at issue
    [stored] = list(paths.store_dir().rglob(f"{certificate.code}-qr-*.png"))

    download(client, auth, learner, certificate)
    learner.name = "Zoë Ångström-Øverby"  # a new PDF: rendered again, with the same QR code
    revocation.refresh_for_name_change(learner)
    db.session.commit()
    data = client.get(f"/certificates/{certificate.code}.pdf", buffered=True).data

    assert "Zoë Ångström-Øverby" in pdf_text(data)
    assert qr_encodings == [url]  # neither render encoded it again
    assert list(paths.store_dir().rglob(f"{certificate.code}-qr-*.png")) == [stored]


def test_a_certificate_without_a_stored_qr_code_gets_one_on_its_next_render(app, course, qr_encodings):
    org = make_org()
    certificate = issue_certificate(make_user(org), org, course)
    for stored in paths.store_dir().rglob(f"{certificate.code}-qr-*.png"):
        stored.unlink()  # as if issued before QR codes were stored
    qr_encodings.clear()
    with app.test_request_context():
        rendering.render_certificate(certificate)
        assert len(qr_encodings) == 1
        rendering.render_certificate(certificate)
    assert len(qr_encodings) == 1
    assert len(list(paths.store_dir().rglob(f"{certificate.code}-qr-*.png"))) == 1


def test_a_new_site_address_gets_a_new_qr_code(app, course, qr_encodings):
    org = make_org()
    certificate = issue_certificate(make_user(org), org, course)
    app.config["SITE_URL"] = "https://academy.example.com"
    with app.test_request_context():
        html = rendering.printable(certificate).html
    new_url = f"https://academy.example.com/verify/{certificate.code}"
    assert qr_encodings[-1] == new_url
    assert qr_in(html, new_url)
    assert len(list(paths.store_dir().rglob(f"{certificate.code}-qr-*.png"))) == 1  # the old one removed


def test_the_certificate_stylesheet_is_parsed_once_for_every_render(app, course, monkeypatch, renderer_setups):
    """Parsing certificate.css (with its @font-face fonts) cost a large share of each render: a thread parses it
    once and every later certificate reuses it."""
    from lms import pdf

    monkeypatch.setattr(pdf._local, "stylesheets", {})  # as a thread that has rendered nothing yet
    org = make_org()
    certificates = [issue_certificate(make_user(org, name=f"Holder {n}"), org, course) for n in ("One", "Two")]
    with app.test_request_context():
        texts = [pdf_text(rendering.render_certificate(c)) for c in certificates]
    assert renderer_setups.count("stylesheet") == 1
    assert "Holder One" in texts[0] and "Holder Two" in texts[1]
