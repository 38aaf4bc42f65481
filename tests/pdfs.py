"""Reading the PDFs the app makes, as a reader's tools would: their text and the fonts they embed."""

from __future__ import annotations

import io

from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    """Return the text of every page of a PDF, pages joined by a space."""
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def embedded_fonts(data: bytes) -> set[str]:
    """Return the names of the fonts a PDF's pages use, without a subset's prefix ("ABCDEF+DejaVu-Sans-Bold" is
    "DejaVu-Sans-Bold")."""
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            name = str(font.get_object()["/BaseFont"]).lstrip("/")
            names.add(name.split("+", 1)[-1])
    return names
