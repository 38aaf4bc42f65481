"""xAPI 1.0.3 Communication 1.5 (application/json and multipart/mixed), 2.1.3 `attachments`, Data 2.4.11
Attachments and 2.6 Signed Statements, over HTTP."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from lms.tracking.lrs_server.multipart import MultipartError, boundary_of, parse
from tests.tracking.conformance.stmt_data import (
    STATEMENTS,
    attachment,
    get,
    multipart,
    new_id,
    part_headers,
    post,
    sha256,
    statement,
)

DATA = b"here is a simple attachment"
SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"


def send(lrs, body: bytes, content_type: str, method: str = "POST", **query):
    return lrs.request(method, STATEMENTS, data=body, content_type=content_type, query=query or None)


def test_1_5_1_json_with_file_url_attachments_is_accepted(lrs):
    """1.5.1.s1.b2: "an LRS MUST accept batches of Statements which contain only Attachment Objects with a populated
    fileUrl"."""
    doc = statement(attachments=[attachment(DATA, fileUrl="http://over.there.com/file.txt")])
    assert post(lrs, [doc, doc | {"id": new_id()}]).status_code == 200


def test_1_5_2_json_with_an_attachment_without_file_url_is_400(lrs):
    """1.5.2.s2.b1: a request with Attachments "MUST be of type application/json and include a fileUrl for every
    Attachment", or multipart/mixed."""
    doc = statement(attachments=[attachment(DATA, fileUrl="http://over.there.com/file.txt"), attachment(DATA)])
    assert post(lrs, doc).status_code == 400


def test_1_5_2_multipart_with_the_raw_data_is_accepted_and_served_back(lrs):
    """1.5.2.s3.b4: "an LRS MUST accept batches of Statements that contain Attachments in the Transmission Format";
    2.1.3.s2.b6: with attachments=true "the LRS MUST use the multipart response format and include all
    Attachments"."""
    doc = statement(id=new_id(), attachments=[attachment(DATA)])
    body, content_type = multipart(json.dumps(doc), [(part_headers(DATA), DATA)])
    assert send(lrs, body, content_type).status_code == 200
    response = get(lrs, statementId=doc["id"], attachments="true")
    assert response.status_code == 200 and response.mimetype == "multipart/mixed"
    parts = parse(response.data, boundary_of(response.headers["Content-Type"]))
    assert json.loads(parts[0].content)["id"] == doc["id"] and parts[0].headers["content-type"] == "application/json"
    assert parts[1].content == DATA and parts[1].headers["x-experience-api-hash"] == sha256(DATA)
    assert parts[1].headers["content-transfer-encoding"] == "binary"


def test_1_5_2_put_takes_multipart_too(lrs):
    """1.5.2.s2.b2.b2: multipart "capability will be available when issuing PUT or POST requests"."""
    doc = statement(attachments=[attachment(DATA)])
    body, content_type = multipart(json.dumps(doc), [(part_headers(DATA), DATA)])
    statement_id = new_id()
    assert send(lrs, body, content_type, "PUT", statementId=statement_id).status_code == 204
    assert get(lrs, statementId=statement_id).status_code == 200


def test_1_5_2_one_part_serves_every_statement_with_the_same_attachment(lrs):
    """1.5.2.s2.b2.b5: a request "SHOULD only include one copy of an Attachment's data when the same Attachment is
    used in multiple Statements"; bare LF line ends are read too."""
    docs = [statement(attachments=[attachment(DATA)]), statement(attachments=[attachment(DATA)])]
    body, content_type = multipart(json.dumps(docs), [(part_headers(DATA), DATA)], boundary="xyz", newline=b"\n")
    assert send(lrs, body, content_type).status_code == 200


def test_2_1_3_attachments_false_is_json_without_raw_data(lrs):
    """2.1.3.s2.b7: "If the "attachment" property of a GET statement is used and is set to false, the LRS MUST NOT
    include Attachment raw data and MUST report application/json"."""
    doc = statement(id=new_id(), attachments=[attachment(DATA)])
    body, content_type = multipart(json.dumps(doc), [(part_headers(DATA), DATA)])
    send(lrs, body, content_type)
    for query in ({"statementId": doc["id"]}, {"statementId": doc["id"], "attachments": "false"},
                  {"attachments": "false"}):
        response = get(lrs, **query)
        assert response.headers["Content-Type"] == "application/json" and DATA not in response.data


def test_2_1_3_a_statement_result_with_attachments_true_is_multipart(lrs):
    """2.1.3: "attachments: If true, the LRS uses the multipart response format and includes all attachments"."""
    doc = statement(attachments=[attachment(DATA)])
    body, content_type = multipart(json.dumps(doc), [(part_headers(DATA), DATA)])
    send(lrs, body, content_type)
    response = get(lrs, attachments="true")
    parts = parse(response.data, boundary_of(response.headers["Content-Type"]))
    assert set(json.loads(parts[0].content)) == {"statements", "more"} and parts[1].content == DATA


@pytest.mark.parametrize(("case", "headers"), [
    ("no hash", {"Content-Type": "text/plain", "Content-Transfer-Encoding": "binary"}),
    ("hash of another attachment", part_headers(DATA, **{"X-Experience-API-Hash": sha256(b"other")})),
    ("no Content-Transfer-Encoding", {"Content-Type": "text/plain", "X-Experience-API-Hash": sha256(DATA)}),
    ("base64", part_headers(DATA, **{"Content-Transfer-Encoding": "base64"})),
])
def test_1_5_2_attachment_parts_need_a_matching_hash_and_binary_encoding(lrs, case, headers):
    """1.5.2.s2.b2.b3/b4: each part after the first "MUST include an X-Experience-API-Hash parameter" and "a
    Content-Transfer-Encoding parameter with a value of binary"; 1.5.2.s3.b5: the LRS "MUST reject batches of
    Statements having Attachments that neither contain a fileUrl nor match a received Attachment part based on their
    hash"."""
    doc = statement(attachments=[attachment(DATA)])
    body, content_type = multipart(json.dumps(doc), [(headers, DATA)])
    assert send(lrs, body, content_type).status_code == 400, case


def test_1_5_2_a_missing_part_is_400(lrs):
    """1.5.2.s3.b5: attachments without fileUrl and without a part are rejected."""
    doc = statement(attachments=[attachment(DATA), attachment(b"second")])
    body, content_type = multipart(json.dumps(doc), [(part_headers(DATA), DATA)])
    assert send(lrs, body, content_type).status_code == 400


def test_1_5_2_the_first_part_must_be_the_statements_as_json(lrs):
    """1.5.2.s2.b2.b1: "The first part of the multipart document MUST contain the Statements themselves, with type
    application/json" (and all of them: a second JSON part is not an attachment)."""
    doc = statement(attachments=[attachment(DATA)])
    body, content_type = multipart(json.dumps(doc), [(part_headers(DATA), DATA)])
    wrong_type = body.replace(b"Content-Type: application/json", b"Content-Type: text/plain", 1)
    assert send(lrs, wrong_type, content_type).status_code == 400
    split, content_type = multipart(json.dumps(doc), [({"Content-Type": "application/json"},
                                                       json.dumps(statement()).encode()), (part_headers(DATA), DATA)])
    assert send(lrs, split, content_type).status_code == 400


@pytest.mark.parametrize("content_type", ["multipart/mixed", "multipart/mixed; boundary=not-the-one",
                                          "multipart/form-data; boundary=abc", "text/plain"])
def test_1_5_2_a_body_not_multipart_mixed_as_declared_is_400(lrs, content_type):
    """1.5.2.s2.b2: the request "MUST conform to the definition of multipart/mixed in RFC 2046" (a boundary parameter
    that the body uses); Communication 3.2.s3.b6: a Content-Type that does not match the content is 400."""
    doc = statement(attachments=[attachment(DATA)])
    body, _ = multipart(json.dumps(doc), [(part_headers(DATA), DATA)], boundary="abc")
    assert send(lrs, body, content_type).status_code == 400


def test_1_5_2_multipart_without_attachments_is_accepted(lrs):
    """1.5.2.s3.b8/b9: the LRS "SHOULD* accept batches of Statements which contain no Attachment Objects" or "only
    Attachment Objects with a populated fileUrl" as multipart/mixed."""
    docs = [statement(), statement(attachments=[attachment(DATA, fileUrl="http://example.com/f.txt")])]
    body, content_type = multipart(json.dumps(docs), [])
    assert send(lrs, body, content_type).status_code == 200


# --- Signed statements (Data 2.6) --------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def signer():
    """An RSA key and a self-signed X.509 certificate for it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test signer")])
    now = datetime.now(UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(1).not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=1)).sign(key, hashes.SHA256()))
    return key, certificate


def signed(key, doc: dict, *, alg: str = "RS256", payload: str | None = None, x5c=None, content_type=None,
           sign_with=None) -> tuple[bytes, str]:
    """The statement with a JWS signature attachment, as multipart/mixed."""
    header = {"alg": alg} | ({"x5c": x5c} if x5c else {})
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64((payload or json.dumps(doc)).encode())}"
    digest = {"RS256": hashes.SHA256(), "RS384": hashes.SHA384(), "RS512": hashes.SHA512()}.get(alg, hashes.SHA256())
    signature = (sign_with or key).sign(signing_input.encode(), padding.PKCS1v15(), digest)
    jws = f"{signing_input}.{_b64(signature)}".encode()
    sent = dict(doc, attachments=[attachment(jws, usageType=SIGNATURE, contentType=content_type or
                                             "application/octet-stream")])
    return multipart(json.dumps(sent), [(part_headers(jws, **{"Content-Type": "application/octet-stream"}), jws)])


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512"])
def test_data_2_6_a_well_formed_signed_statement_is_stored(lrs, signer, alg):
    """Data 2.6.s4.b1/b4: a JWS "as an Attachment with a usageType of http://adlnet.gov/expapi/attachments/signature
    and a contentType of application/octet-stream" using "RS256", "RS384", or "RS512"; s5.b3.b3: "If the JWS header
    includes an X.509 certificate, validate the signature against that certificate"."""
    key, certificate = signer
    x5c = [base64.b64encode(certificate.public_bytes(Encoding.DER)).decode()]
    doc = statement(id=new_id())
    assert send(lrs, *signed(key, doc, alg=alg, x5c=x5c)).status_code == 200
    assert send(lrs, *signed(key, statement(id=new_id()), alg=alg)).status_code == 200


@pytest.mark.parametrize("case", ["bad content type", "HS256", "broken JSON", "other statement", "not a JWS",
                                  "wrong certificate", "bad certificate"])
def test_data_2_6_a_malformed_signature_is_400(lrs, signer, case):
    """Data 2.6.s5.b1: "The LRS MUST reject requests to store Statements that contain malformed signatures, with
    400 Bad Request"; s5.b3: decode the JWS, "Validate that the original Statement is logically equivalent to the
    received Statement", validate against the x5c certificate, and that the signature requirements are met."""
    key, certificate = signer
    doc = statement(id=new_id())
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    x5c = [base64.b64encode(certificate.public_bytes(Encoding.DER)).decode()]
    body = {
        "bad content type": lambda: signed(key, doc, content_type="text/plain; charset=ascii"),
        "HS256": lambda: signed(key, doc, alg="HS256"),
        "broken JSON": lambda: signed(key, doc, payload=json.dumps(doc).replace('"', "'", 1)),
        "other statement": lambda: signed(key, doc, payload=json.dumps(statement(id=doc["id"], verb={
            "id": "http://example.com/verbs/failed"}))),
        "not a JWS": lambda: multipart(json.dumps(dict(doc, attachments=[attachment(b"junk", usageType=SIGNATURE,
                                                                                   contentType="application/octet-stream")])),
                                       [(part_headers(b"junk"), b"junk")]),
        "wrong certificate": lambda: signed(key, doc, x5c=x5c, sign_with=other_key),
        "bad certificate": lambda: signed(key, doc, x5c=["bm90IGEgY2VydGlmaWNhdGU="]),
    }[case]()
    response = send(lrs, *body)
    assert response.status_code == 400, case
    assert "signature" in response.get_json()["error"]
    assert get(lrs, statementId=doc["id"]).status_code == 404


# --- The multipart reader on its own (RFC 2046) ------------------------------------------------------------


def test_rfc_2046_the_reader_skips_a_preamble_and_an_epilogue_and_keeps_binary_data():
    """RFC 2046 5.1.1: a preamble before the first boundary and an epilogue after the last are ignored; the CRLF
    before each boundary belongs to the boundary, so raw data keeps its own line ends."""
    data = b"\x00\xff\r\nline\r\n"
    body = (b"preamble\r\n--b\r\nContent-Type: application/json\r\n\r\n[]\r\n--b\r\nX-Experience-API-Hash: h\r\n"
            b"Content-Transfer-Encoding:binary\r\n\r\n" + data + b"\r\n--b--\r\nepilogue")
    parts = parse(body, "b")
    assert [p.content for p in parts] == [b"[]", data]
    assert parts[1].headers == {"x-experience-api-hash": "h", "content-transfer-encoding": "binary"}


@pytest.mark.parametrize("body", [b"--b\r\nContent-Type: application/json\r\n\r\n[]\r\n",  # no closing boundary
                                  b"[]", b"--b\r\nno blank line\r\n--b--", b"--bx\r\n\r\n[]\r\n--b--"])
def test_rfc_2046_a_malformed_body_is_refused(body):
    """RFC 2046 5.1.1: parts are delimited by the boundary and the body ends with the closing boundary."""
    with pytest.raises(MultipartError):
        parse(body, "b")
