"""Pure helpers for sharing a certificate: LinkedIn's add-to-profile link and a safe download file name."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from urllib.parse import urlencode

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def linkedin_url(*, name: str, organization: str, issued: date, expires: date | None, url: str,
                 code: str) -> str:
    """Return LinkedIn's "Add licence or certification" link, pre-filled with this certificate."""
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": name,
        "organizationName": organization,
        "issueYear": issued.year,
        "issueMonth": issued.month,
    }
    if expires is not None:
        params["expirationYear"] = expires.year
        params["expirationMonth"] = expires.month
    params["certUrl"] = url
    params["certId"] = code
    return f"{LINKEDIN_ADD}?{urlencode(params)}"


def file_name(*parts: str, suffix: str = ".pdf", limit: int = 120) -> str:
    """Return a portable file name from `parts` ("Zoë Ångström - ABM in Ten Minutes.pdf"): letters of any
    script are kept; path separators, control and reserved characters are dropped."""
    text = " - ".join(p.strip() for p in parts if p and p.strip())
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = re.sub(r'[\\/:*?"<>|]+', " ", text)
    text = re.sub(r"\s+", " ", text).strip(" .") or "certificate"
    return text[:limit].rstrip(" .") + suffix
