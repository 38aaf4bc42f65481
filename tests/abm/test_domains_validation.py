"""Email validation per distinct domain: the same verdicts as email_validator on the whole address, with each
domain validated once however many addresses share it."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email

from lms.abm import domains
from lms.abm.domains import email_domain, is_valid_email

LONG_LABEL = "l" * 63
LONG_DOMAIN = ".".join([LONG_LABEL] * 3) + ".example"  # 199 characters
LONGEST_LOCAL = 254 - len("@" + LONG_DOMAIN)  # the longest local part before it, within 254 characters
IDN_LONGEST_LOCAL = 254 - len("@xn--bcher-kva.de")  # the limit counts the domain's ASCII form


def whole_address_verdict(email: str) -> str | None:
    """What email_validator says of the whole address, with the options lms.abm.domains uses."""
    try:
        result = validate_email(email, check_deliverability=False, globally_deliverable=False,
                                test_environment=True)
    except EmailNotValidError:
        return None
    return result.ascii_domain if "." in result.ascii_domain else None


@pytest.fixture(autouse=True)
def cold_caches():
    domains.clear_caches()
    yield
    domains.clear_caches()


@pytest.fixture
def validator_calls(monkeypatch) -> list[str]:
    """Every address lms.abm.domains hands to email_validator, counted by wrapping the real validator."""
    calls: list[str] = []
    real = domains.validate_email

    def counting(email, **options):
        calls.append(email)
        return real(email, **options)

    monkeypatch.setattr(domains, "validate_email", counting)
    return calls


ADDRESSES = [
    "jo@larkspur-devices.example", "jo.bloggs+crm@mail.fernhollow.co.uk", "o'neill@kettlewell-sons.example",
    "a!#$%&'*+-/=?^_`{|}~b@x.example", "jo@bücher.de", "jo@xn--bcher-kva.de", "jo@sandbox.test", "jo@x",
    "jo@localhost", "jo@co.uk", "jo..bloggs@x.example", ".jo@x.example", "jo.@x.example", "jo bloggs@x.example",
    '"jo bloggs"@x.example', '"jo@home"@x.example', '"jo"@x.example', "Jo <jo@x.example>", "<jo@x.example>",
    "jo@@x.example", "jo@x@y.example", "jo@", "@x.example", "jo", "jö@x.example", "ジョー@x.example",
    "jo@x..example", "jo@-x.example", "jo@x-.example", "jo@ab--cd.example", "jo@[192.168.0.1]",
    "jo@x.example.", "jo@ｘ.example", "jo@x。example", "jo@\u0338x.example", "jo@x\u0301.example",
    "jo@x .example", "jo@x_y.example", "jo@" + LONG_DOMAIN, "jo@" + LONG_DOMAIN + "x" * 60,
    "j" * 64 + "@x.example", "j" * 65 + "@x.example", "j" * 300 + "@x.example",
    # Around the 254-character limit, with an ASCII and an internationalised domain.
    "j" * LONGEST_LOCAL + "@" + LONG_DOMAIN, "j" * (LONGEST_LOCAL + 1) + "@" + LONG_DOMAIN,
    "j" * IDN_LONGEST_LOCAL + "@bücher.de", "j" * (IDN_LONGEST_LOCAL + 1) + "@bücher.de",
]  # fmt: skip


@pytest.mark.parametrize("email", ADDRESSES)
def test_an_address_is_valid_exactly_when_email_validator_accepts_the_whole_of_it(email):
    expected = whole_address_verdict(email)
    assert is_valid_email(email) == (expected is not None)
    assert domains._email_ascii_domain(email) == expected


def test_the_length_limit_is_checked_per_address_not_remembered_per_domain():
    # bücher.de is 10 bytes as given but 16 characters in ASCII: the limit counts the longer form.
    assert is_valid_email("j" * IDN_LONGEST_LOCAL + "@bücher.de")
    assert not is_valid_email("j" * (IDN_LONGEST_LOCAL + 1) + "@bücher.de")
    short, long_ = "j" * LONGEST_LOCAL + "@" + LONG_DOMAIN, "j" * (LONGEST_LOCAL + 1) + "@" + LONG_DOMAIN
    assert len(short) == 254 and len(long_) == 255
    assert is_valid_email(short)
    assert not is_valid_email(long_)  # the same domain, already validated: the whole address is one too long
    assert is_valid_email(short)


def test_addresses_at_one_domain_validate_that_domain_once(validator_calls):
    for email in ("jo@larkspur-devices.example", "kim@larkspur-devices.example", "LEE@Larkspur-Devices.Example",
                  "ola@fernhollow.co.uk", "jo@larkspur-devices.example"):
        assert is_valid_email(email)
        assert email_domain(email) in ("larkspur-devices.example", "fernhollow.co.uk")
    assert sorted(validator_calls) == ["a@fernhollow.co.uk", "a@larkspur-devices.example"]


def test_an_invalid_domain_is_also_validated_once_and_stays_invalid(validator_calls):
    assert not is_valid_email("jo@x..example")
    assert not is_valid_email("kim@x..example")
    assert validator_calls == ["a@x..example"]


def test_addresses_email_validator_must_read_whole_are_not_served_from_the_domain_memo(validator_calls):
    assert is_valid_email("jo@x.example")
    assert not is_valid_email('"jo bloggs"@x.example')  # quoted local part: not allowed, whatever the domain
    assert is_valid_email("jö@x.example") == (whole_address_verdict("jö@x.example") is not None)
    assert validator_calls[0] == "a@x.example"
    assert '"jo bloggs"@x.example' in validator_calls and "jö@x.example" in validator_calls


def test_registrable_domains_are_remembered_per_value_and_forgotten_on_request():
    assert domains.registrable_domain("https://www.larkspur-devices.example/en") == "larkspur-devices.example"
    assert domains._registrable_value.cache_info().currsize == 1
    domains.registrable_domain("https://www.larkspur-devices.example/en")
    assert domains._registrable_value.cache_info().hits == 1
    domains.clear_caches()
    assert domains._registrable_value.cache_info().currsize == 0
