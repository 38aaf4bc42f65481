"""Pure rules: expiry by calendar months, the state shown on /verify, hours, dates; sharing links and names."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from lms.certificates import sharing, validity


@pytest.mark.parametrize(("issued", "months", "expires"), [
    (datetime(2026, 1, 31, 9, 0), 1, datetime(2026, 2, 28, 9, 0)),
    (datetime(2028, 1, 31, 9, 0), 1, datetime(2028, 2, 29, 9, 0)),
    (datetime(2026, 11, 20, 10, 30), 12, datetime(2027, 11, 20, 10, 30)),
    (datetime(2026, 11, 20), 24, datetime(2028, 11, 20)),
    (datetime(2026, 11, 20), None, None),
    (datetime(2026, 11, 20), 0, None),
])
def test_expiry_counts_calendar_months(issued, months, expires):
    assert validity.expiry(issued, months) == expires


def test_state_is_valid_until_expiry_and_revocation_wins():
    now = datetime(2027, 1, 1)
    assert validity.status(now, expires_at=None, revoked_at=None, replaced=False).state == "valid"
    assert validity.status(now, expires_at=datetime(2027, 1, 2), revoked_at=None, replaced=False).is_valid
    expired = validity.status(now, expires_at=datetime(2027, 1, 1), revoked_at=None, replaced=False)
    assert (expired.state, expired.since, expired.label) == ("expired", datetime(2027, 1, 1), "Expired")
    revoked = validity.status(now, expires_at=datetime(2026, 1, 1), revoked_at=datetime(2025, 6, 1), replaced=False)
    assert (revoked.state, revoked.since) == ("revoked", datetime(2025, 6, 1))
    assert validity.status(now, expires_at=None, revoked_at=datetime(2026, 6, 1), replaced=True).state == "replaced"


@pytest.mark.parametrize(("minutes", "hours"), [(0, "0.0"), (10, "0.2"), (9, "0.2"), (95, "1.6"), (60, "1.0"),
                                                (125, "2.1"), (600, "10.0"), (-5, "0.0")])
def test_hours_have_one_decimal_place(minutes, hours):
    assert validity.hours(minutes) == hours


def test_dates_are_local_and_written_the_uk_way():
    late = datetime(2026, 11, 20, 23, 30)
    assert validity.local_date(late, "Europe/London") == date(2026, 11, 20)
    assert validity.local_date(late, "Asia/Tokyo") == date(2026, 11, 21)
    assert validity.local_date(late, "Not/AZone") == date(2026, 11, 20)
    assert validity.long_date(date(2027, 3, 5)) == "5 March 2027"
    assert validity.iso8601(datetime(2026, 11, 20, 10, 30, 5, 123)) == "2026-11-20T10:30:05+00:00"


def test_linkedin_link_carries_the_certificate():
    url = sharing.linkedin_url(name="ABM & You", organization="ABM Academy", issued=date(2026, 11, 20),
                               expires=None, url="https://academy.example/verify/abc", code="abc")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.linkedin.com/profile/add"
    assert {k: v[0] for k, v in parse_qs(parts.query).items()} == {
        "startTask": "CERTIFICATION_NAME", "name": "ABM & You", "organizationName": "ABM Academy",
        "issueYear": "2026", "issueMonth": "11", "certUrl": "https://academy.example/verify/abc", "certId": "abc"}


@pytest.mark.parametrize(("parts", "name"), [
    (("Zoë Ångström-Øverby", "ABM in Ten Minutes"), "Zoë Ångström-Øverby - ABM in Ten Minutes.pdf"),
    (("王小明", "Course"), "王小明 - Course.pdf"),
    (("../../etc/passwd", "x"), "etc passwd - x.pdf"),
    (("a/b\\c:d*e?f\"g<h>i|j\x00k", ""), "a b c d e f g h i jk.pdf"),
    (("", "  "), "certificate.pdf"),
])
def test_file_names_are_safe(parts, name):
    assert sharing.file_name(*parts) == name
