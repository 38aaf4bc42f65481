"""Where a certificate's files live under STORAGE_DIR: its PDFs and its QR code, in a folder named after the first
two characters of its code."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import current_app

STORE = "certificates"  # folder under STORAGE_DIR


def store_dir() -> Path:
    """Return the folder that holds every certificate's files."""
    return Path(current_app.config["STORAGE_DIR"]) / STORE


def pdf_path(code: str, fingerprint: str) -> Path:
    """Return where the PDF of certificate `code` showing what `fingerprint` stands for is stored."""
    return store_dir() / code[:2] / f"{code}-{fingerprint}.pdf"


def qr_path(code: str, url: str) -> Path:
    """Return where the QR code of certificate `code` encoding `url` (its verification URL) is stored: keyed by the
    URL, so a site that moves to another address gets new QR codes, never stale ones."""
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return store_dir() / code[:2] / f"{code}-qr-{digest}.png"


def remove_other_versions(path: Path, code: str) -> None:
    """Remove the stored files of certificate `code` of the same kind as `path` (its PDFs, or its QR codes) other
    than `path`: earlier versions, once `path` is written."""
    pattern = f"{code}-qr-*.png" if path.suffix == ".png" else f"{code}-*.pdf"
    for old in path.parent.glob(pattern):
        if old != path:
            old.unlink(missing_ok=True)
