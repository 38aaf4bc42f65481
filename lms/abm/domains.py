"""Email addresses and web domains reduced to what identifies a company: the registrable domain (eTLD+1).

Pure and offline: the Public Suffix List is the snapshot bundled with tldextract, never fetched.
"""

from __future__ import annotations

import ipaddress
import re
from functools import cache, lru_cache
from importlib import resources
from urllib.parse import urlsplit

import idna
import tldextract
from email_validator import EmailNotValidError, validate_email

FREE_MAIL_FILE = "free_email_domains.txt"

# A host label after IDNA encoding: letters, digits and inner hyphens, at most 63 characters.
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# A bare host name, nothing urlsplit would have to take apart: no scheme, user, port, path or brackets.
_BARE_HOST = re.compile(r"[A-Za-z0-9.-]+")
# The plain local part almost every address has: RFC 5322 dot-atom text in ASCII (email_validator's
# DOT_ATOM_TEXT). email_validator accepts it as it is, whatever its length (no `strict`), so an address with
# such a local part is valid exactly when its domain is and the whole address is not too long.
_ATEXT = r"a-zA-Z0-9_!#$%&'*+\-/=?^`{|}~"
_PLAIN_LOCAL = re.compile(f"[{_ATEXT}]+(?:\\.[{_ATEXT}]+)*")
_EMAIL_MAX_LENGTH = 254  # RFC 5321, in UTF-8 bytes, as email_validator counts it


@cache
def _extractor() -> tldextract.TLDExtract:
    # Built once, on first use. No suffix_list_urls and no cache_dir: tldextract then reads only the PSL
    # snapshot shipped inside the package, so this never opens a socket or writes a cache file.
    # Private-section suffixes (github.io, myshopify.com, …) count as suffixes: each name under them has a
    # different owner, so "acme.github.io" and "other.github.io" must not share one registrable domain.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def _host_of(value: str) -> str | None:
    """The lower-case host of a URL, bare host, host:port or email address; None if there is none."""
    value = value.strip()
    if not value:
        return None
    if "://" not in value and "@" in value:
        local, at, host = value.partition("@")
        if not local or "@" in host:
            return None
        value = host
    if _BARE_HOST.fullmatch(value):  # most values: read as urlsplit reads them, without its cost
        return value.lower().rstrip(".")
    try:
        # "//" makes urlsplit read a bare "host:port/path" as a network location rather than a path.
        host = urlsplit(value if "://" in value else "//" + value).hostname
    except ValueError:  # e.g. an unbalanced "[" in an IPv6 literal
        return None
    return host.rstrip(".") if host else None


@lru_cache(maxsize=65536)
def _registrable_host(host: str) -> str | None:
    # An IP address names no company. Only a host whose last label is digits can be an IPv4 address (an IPv6
    # address has colons, which the label rule below refuses), so the others skip the parse: it fails by raising,
    # and that cost a fifth of a new host's time.
    if host.rpartition(".")[2].isdigit():
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass
        else:
            return None
    if not host.isascii():
        try:
            # One spelling for comparisons: "bücher.de" and "xn--bcher-kva.de" are the same domain. UTS 46
            # non-transitional, as email_validator uses for email domains, so both sides encode alike
            # ("straße.de" stays distinct from "strasse.de"). idna is a dependency of tldextract and
            # email_validator both.
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError:
            return None
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return None
    parts = _extractor()(host)
    if parts.suffix:
        # The host is itself a public suffix ("co.uk", "github.io"): nobody's registrable domain.
        return f"{parts.domain}.{parts.suffix}" if parts.domain else None
    # No known suffix: reserved names such as ".example" or ".test" are not in the PSL. Treat the last
    # label as the suffix, so eng.larkspur-devices.example -> larkspur-devices.example and
    # larkspur-devices.example.evil.example -> evil.example (never a substring match).
    return ".".join(labels[-2:])


def registrable_domain(value: str | None) -> str | None:
    """Return the registrable domain (eTLD+1, lower-case, IDNA/ASCII form) of a URL, host or email address.

    Accepts `https://www.x.example/en`, `www.x.example`, `x.example:8080`, `jo@eng.x.example`, …
    Returns None for empty values, IP addresses, single labels, public suffixes themselves and anything
    that is not a well-formed host name. Never raises for bad input; never touches the network.
    """
    if value is None:
        return None
    return _registrable_value(value)


@lru_cache(maxsize=65536)
def _registrable_value(value: str) -> str | None:
    # An import asks for the same few hundred websites and email domains tens of thousands of times.
    host = _host_of(value)
    return _registrable_host(host.lower()) if host else None


def normalise_email(value: str | None) -> str:
    """Return the email trimmed and lower-cased ("" for None); no validation."""
    return (value or "").strip().lower()


def _email_ascii_domain(email: str) -> str | None:
    """The IDNA/ASCII domain of a valid address, None if email_validator rejects it (syntax only, no DNS).

    An address with a plain local part costs a split and a regular expression: its domain is validated once
    per distinct domain (_email_domain_facts), so ten thousand addresses at five hundred companies validate
    five hundred domains. Anything else (quoted or international local parts, display names) goes through
    email_validator whole.
    """
    local, at, domain = email.partition("@")
    if not at or not _PLAIN_LOCAL.fullmatch(local):
        return _validated_ascii_domain(email)
    facts = _email_domain_facts(domain)
    if facts is None:
        return None
    ascii_domain, longest = facts
    return ascii_domain if len(local) + 1 + longest <= _EMAIL_MAX_LENGTH else None


@lru_cache(maxsize=65536)
def _email_domain_facts(domain: str) -> tuple[str, int] | None:
    """(ASCII domain, UTF-8 length of its longest form) if `domain` is valid after a plain local part, else None.

    email_validator reads everything after a plain local part the same way whatever that local part is, so
    "a@" + domain stands for every such address; only the length limit depends on the local part, and the
    caller checks it against the three forms email_validator measures (as given, normalised, ASCII).
    """
    try:
        result = validate_email(
            "a@" + domain, check_deliverability=False, globally_deliverable=False, test_environment=True
        )
    except EmailNotValidError:
        return None
    if "." not in result.ascii_domain:
        return None
    longest = max(len(domain.encode("utf-8")), len(result.domain.encode("utf-8")), len(result.ascii_domain))
    return result.ascii_domain, longest


def _validated_ascii_domain(email: str) -> str | None:
    try:
        # Syntax only: no DNS look-up. Reserved names such as .example and .test are accepted because
        # training data is often fictional (test_environment is what permits ".test"); the domain must
        # still contain a dot (local@domain.tld).
        result = validate_email(
            email, check_deliverability=False, globally_deliverable=False, test_environment=True
        )
    except EmailNotValidError:
        return None
    return result.ascii_domain if "." in result.ascii_domain else None


def is_valid_email(value: str | None) -> bool:
    """Return True if the value, trimmed and lower-cased, is a syntactically valid `local@domain.tld`."""
    email = normalise_email(value)
    return bool(email) and _email_ascii_domain(email) is not None


def email_domain(email: str | None) -> str | None:
    """Return the registrable domain of a valid email address, or None if it is empty or invalid."""
    normalised = normalise_email(email)
    ascii_domain = _email_ascii_domain(normalised) if normalised else None
    return _registrable_host(ascii_domain) if ascii_domain else None


def clear_caches() -> None:
    """Forget every memo of this module (validated email domains, registrable domains); for benchmarks and tests."""
    _email_domain_facts.cache_clear()
    _registrable_value.cache_clear()
    _registrable_host.cache_clear()


@cache
def free_mail_domains() -> frozenset[str]:
    """Return the free-mail registrable domains listed in `lms/abm/data/free_email_domains.txt`.

    Loaded once. Raises FileNotFoundError if the data file is missing from the installation.
    """
    text = resources.files("lms.abm").joinpath("data", FREE_MAIL_FILE).read_text(encoding="utf-8")
    lines = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(line for line in lines if line)


def is_free_mail(domain: str | None) -> bool:
    """Return True if the registrable domain of `domain` (a domain, URL or email) is a free-mail provider.

    Subdomains count: "mail.yahoo.co.uk" is yahoo.co.uk. Returns False for empty or malformed values.
    """
    registrable = registrable_domain(domain)
    return registrable is not None and registrable in free_mail_domains()
