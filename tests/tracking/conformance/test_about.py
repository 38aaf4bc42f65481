"""xAPI 1.0.3 Communication 2.8 (About Resource), over HTTP: each test quotes the requirement it holds the LRS to,
and is named by its section."""

from __future__ import annotations

import pytest

ABOUT = "/xapi/about"


def test_2_8_s5_b1_about_lists_the_versions_with_the_latest_patch(client):
    """2.8.s5.b1: "An LRS MUST return the JSON document described above, with a "version" property that includes
    the latest minor and patch version the LRS conforms to, for each major version"."""
    answer = client.get(ABOUT, headers={"X-Experience-API-Version": "1.0.3"})
    assert answer.status_code == 200
    about = answer.get_json()
    assert isinstance(about["version"], list) and all(isinstance(v, str) for v in about["version"])
    assert "1.0.3" in about["version"]
    assert set(about["version"]) <= {"0.9", "0.95", "1.0.0", "1.0.1", "1.0.2", "1.0.3"}


def test_2_8_s5_b1_b1_about_includes_1_0_0(client):
    """2.8.s5.b1.b1: "For version 1.0.0 of this specification, this means that 1.0.0 MUST be included"."""
    assert "1.0.0" in client.get(ABOUT).get_json()["version"]


def test_2_8_s5_b2_about_has_no_properties_outside_extensions(client):
    """2.8.s5.b2: "Additional properties MUST NOT be added to this object outside of extensions and each property
    MUST occur only once"."""
    answer = client.get(ABOUT)
    about = answer.get_json()
    assert set(about) <= {"version", "extensions"}
    assert isinstance(about.get("extensions", {}), dict)
    assert answer.data.count(b'"version"') == 1
    assert all(key.startswith(("http://", "https://")) for key in about.get("extensions", {}))


def test_2_8_s5_b3_about_allows_unauthenticated_access(client):
    """2.8.s5.b3: "An LRS SHOULD allow unauthenticated access to this resource" — with no credentials, or wrong
    ones."""
    assert client.get(ABOUT).status_code == 200
    assert client.get(ABOUT, headers={"Authorization": "Basic Zm9vOmJhcg=="}).status_code == 200


@pytest.mark.parametrize("version", [None, "0.95", "1.1.0", "2.0.0", "nonsense"])
def test_2_8_s5_b4_about_does_not_reject_requests_for_their_version_header(client, version):
    """2.8.s5.b4: "An LRS MUST NOT reject requests based on their version header as would otherwise be required
    by Versioning"."""
    headers = {"X-Experience-API-Version": version} if version else {}
    assert client.get(ABOUT, headers=headers).status_code == 200


def test_3_3_s3_b1_about_answers_with_the_version_header(client):
    """3.3.s3.b1-b2: "The LRS MUST include the X-Experience-API-Version header in every response" set "to the
    latest patch version"."""
    assert client.get(ABOUT).headers["X-Experience-API-Version"] == "1.0.3"


def test_1_1_about_head_has_no_body(client):
    """1.1.s3.b1: a HEAD answers as GET would, "The message-body MUST be omitted"."""
    got, head = client.get(ABOUT), client.head(ABOUT)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Type"] == got.headers["Content-Type"] == "application/json"
    assert head.headers["X-Experience-API-Version"] == "1.0.3"


def test_3_2_s3_b7_about_rejects_parameters_it_does_not_recognise(client):
    """3.2.s3.b7: "The LRS MUST reject with 400 Bad Request status any requests that use any parameters which the
    LRS does not recognize in their intended context"."""
    answer = client.get(ABOUT, query_string={"foo": "bar"})
    assert answer.status_code == 400 and answer.headers["X-Experience-API-Version"] == "1.0.3"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_2_8_about_answers_only_get(client, method):
    """2.8.s4: About is an "Information GET": other methods are not allowed (405)."""
    assert client.open(ABOUT, method=method).status_code == 405
