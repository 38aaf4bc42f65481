"""Registrable domains, email syntax and the free-mail list: pure, offline, no app."""

from __future__ import annotations

import socket
from importlib import resources
from urllib.parse import urlsplit

import pytest

from lms.abm import domains
from lms.abm.domains import (
    email_domain,
    free_mail_domains,
    is_free_mail,
    is_valid_email,
    normalise_email,
    registrable_domain,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://www.larkspur-devices.example/en", "larkspur-devices.example"),
        ("http://www.larkspur-devices.example", "larkspur-devices.example"),
        ("www.larkspur-devices.example", "larkspur-devices.example"),
        ("larkspur-devices.example", "larkspur-devices.example"),
        ("WWW.Larkspur-Devices.EXAMPLE:8443/path?q=1", "larkspur-devices.example"),
        ("jo@eng.larkspur-devices.example", "larkspur-devices.example"),
        ("  https://data.tallis-systems.example/en  ", "tallis-systems.example"),
        ("https://user:secret@shop.kettlewell-sons.example:80/", "kettlewell-sons.example"),
        ("forums.bbc.co.uk", "bbc.co.uk"),
        ("mail.fernhollow.co.uk", "fernhollow.co.uk"),
        ("www.books.amazon.co.uk", "amazon.co.uk"),
        ("larkspur-devices.example.evil.example", "evil.example"),
        ("larkspur-devices.example.", "larkspur-devices.example"),
        ("acme.github.io", "acme.github.io"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("https://xn--bcher-kva.de/", "xn--bcher-kva.de"),
    ],
)
def test_registrable_domain_reduces_urls_hosts_and_emails_to_etld_plus_one(value, expected):
    assert registrable_domain(value) == expected


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "co.uk", "github.io", "localhost", "192.168.0.1", "[::1]", "http://[bad",
     "not a domain", "x..example", "-bad.example", "jo@@larkspur-devices.example", "@larkspur.example"],
)  # fmt: skip
def test_registrable_domain_is_none_for_values_that_name_no_company(value):
    assert registrable_domain(value) is None


@pytest.mark.parametrize("value", ["Larkspur-Devices.EXAMPLE", "larkspur-devices.example.", "x..example", ".", "-bad.example",
                                   "123", "1.2.3.4", "WWW.Fernhollow.CO.UK"])
def test_a_bare_host_is_read_as_urlsplit_reads_it(value):
    # Bare hosts skip urlsplit (lms.abm.domains._host_of): they must come out as urlsplit gives them.
    assert domains._host_of(value) == urlsplit("//" + value).hostname.rstrip(".")


@pytest.mark.parametrize("value", ["10.0.0.1:8080", "jo@192.168.0.1", "1.2.3.4.", "https://[2001:db8::1]/en",
                                   "[::ffff:10.0.0.1]"])
def test_an_ip_address_in_any_form_is_no_company(value):
    assert registrable_domain(value) is None


def test_a_host_ending_in_digits_that_is_not_an_ip_address_still_has_a_domain():
    assert registrable_domain("999.999.999.999") == "999.999"
    assert registrable_domain("eng.larkspur.123") == "larkspur.123"


def test_sharing_a_public_suffix_is_not_sharing_a_domain():
    assert registrable_domain("otherfirm.co.uk") != registrable_domain("fernhollow.co.uk")


def test_look_alike_unicode_host_is_a_different_domain():
    # Cyrillic "а" in place of the Latin "a".
    assert registrable_domain("jo@lаrkspur-devices.example") != "larkspur-devices.example"


def test_registrable_domain_works_with_the_network_unreachable(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("registrable_domain tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    domains._extractor.cache_clear()
    domains.clear_caches()
    try:
        assert registrable_domain("https://forums.bbc.co.uk/x") == "bbc.co.uk"
        assert is_valid_email("jo@forums.bbc.co.uk")
        assert domains._extractor().suffix_list_urls == ()
    finally:
        domains._extractor.cache_clear()
        domains.clear_caches()


def test_the_extractor_is_created_once():
    assert domains._extractor() is domains._extractor()


def test_normalise_email_trims_and_lower_cases():
    assert normalise_email("  JO@Larkspur-Devices.EXAMPLE ") == "jo@larkspur-devices.example"
    assert normalise_email(None) == ""


@pytest.mark.parametrize(
    "value",
    ["jo@larkspur-devices.example", "JO@LARKSPUR-DEVICES.EXAMPLE", "jo@larkspur-devices.example ",
     "jo.bloggs+crm@mail.fernhollow.co.uk", "jo@bücher.de", "jo@sandbox.test"],
)  # fmt: skip
def test_is_valid_email_accepts_local_at_domain_dot_tld(value):
    assert is_valid_email(value)


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "jo@@larkspur-devices.example", "jo", "jo@", "@x.example", "jo@localhost",
     "jo@x", "jo..bloggs@x.example", "jo bloggs@x.example", "Jo <jo@x.example>", "jo@x..example",
     "jo@[192.168.0.1]"],
)  # fmt: skip
def test_is_valid_email_rejects_malformed_addresses(value):
    assert not is_valid_email(value)


def test_email_domain_is_the_registrable_domain_of_a_valid_email():
    assert email_domain("Jo@Eng.Larkspur-Devices.Example ") == "larkspur-devices.example"
    assert email_domain("jo@mail.yahoo.co.uk") == "yahoo.co.uk"
    assert email_domain("jo@@larkspur-devices.example") is None
    assert email_domain(None) is None


@pytest.mark.parametrize(
    "domain",
    ["gmail.com", "googlemail.com", "yahoo.co.uk", "hotmail.fr", "gmx.de", "web.de", "mail.ru", "163.com",
     "proton.me", "btinternet.com", "orange.fr", "t-online.de", "libero.it", "qq.com"],
)  # fmt: skip
def test_well_known_and_regional_free_mail_domains_are_listed(domain):
    assert is_free_mail(domain)


def test_free_mail_is_compared_on_the_registrable_domain():
    assert is_free_mail("mail.yahoo.co.uk")
    assert is_free_mail("jo@GMAIL.com")
    assert is_free_mail("https://www.outlook.com/")


@pytest.mark.parametrize(
    "domain", ["larkspur-devices.example", "fernhollow.co.uk", "gmail.evil.example", "", None]
)
def test_company_and_empty_domains_are_not_free_mail(domain):
    assert not is_free_mail(domain)


def test_every_free_mail_entry_is_its_own_registrable_domain():
    assert len(free_mail_domains()) > 300
    assert sorted(d for d in free_mail_domains() if registrable_domain(d) != d) == []


def test_free_mail_file_names_its_source_and_date_and_has_no_duplicates():
    text = resources.files("lms.abm").joinpath("data", "free_email_domains.txt").read_text("utf-8")
    header = [line for line in text.splitlines()[:10] if line.startswith("#")]
    assert any("jgillich/free-email-domains" in line for line in header)
    assert any("2026-" in line for line in header)
    entries = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert len(entries) == len(set(entries))
    assert all(entry == entry.lower() for entry in entries)
