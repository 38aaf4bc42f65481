"""A certificate's QR code (its verification URL): encoded once, when the certificate is issued, and stored beside
its PDFs; every render reads the stored image. A certificate issued before QR codes were stored, or whose
verification URL changed (the site moved), gets its QR code made on its next render."""

from __future__ import annotations

import base64
import io

import segno
from flask import current_app
from PIL import Image

from lms.certificates import paths
from lms.certificates.models import Certificate
from lms.files import write_atomically
from lms.urls import SiteURLMissing, external_url

SCALE = 10  # pixels a module: crisp in print (the PDF draws it without smoothing)
DARK, LIGHT = 0x18, 0xFF  # the page's ink (#111827) as grey, and white


def encode(url: str) -> bytes:
    """Return a QR code for `url` as an 8-bit greyscale PNG (error correction M, no quiet zone: the page's margin
    is one).

    Greyscale PNG rather than segno's palette PNG, which WeasyPrint converts to RGB and encodes again in every
    PDF; rather than SVG, which it draws module by module, several times slower.
    """
    qr = segno.make(url, error="m", micro=False)
    width, height = qr.symbol_size(scale=1, border=0)
    pixels = bytes(DARK if dark else LIGHT for row in qr.matrix for dark in row)
    image = Image.frombytes("L", (width, height), pixels)
    image = image.resize((width * SCALE, height * SCALE), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def png(code: str, url: str) -> bytes:
    """Return the stored QR code of certificate `code` for `url`, encoding and storing it first if there is none
    (once: later calls read the file). Earlier QR codes of the certificate (another URL) are removed."""
    path = paths.qr_path(code, url)
    if path.is_file():
        return path.read_bytes()
    data = encode(url)
    write_atomically(path, data)
    paths.remove_other_versions(path, code)
    return data


def data_uri(code: str, url: str) -> str:
    """Return the stored QR code of certificate `code` for `url` as a data: URI for the PDF template."""
    return "data:image/png;base64," + base64.b64encode(png(code, url)).decode("ascii")


def store_at_issue(certificate: Certificate) -> None:
    """Make and store the QR code of a newly issued certificate. When its URL can't be built here (a cron job
    without LMS_SITE_URL) or the file can't be written, the certificate is issued all the same: its first
    render makes the QR code (logged)."""
    try:
        png(certificate.code, external_url("certificates.verify", code=certificate.code))
    except (SiteURLMissing, OSError) as exc:
        current_app.logger.warning("QR code of certificate %s left for its first render: %s", certificate.id, exc)
