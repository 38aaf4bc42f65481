"""Lead-to-account matching (ABM-REFERENCE 3.2): CRM id, then exact or normalised name, then registrable domain.

Pure: plain dataclasses in and out. Fuzzy name similarity only ever yields suggestions, never a match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from lms.abm.domains import (
    email_domain,
    free_mail_domains,
    is_free_mail,
    is_valid_email,
    normalise_email,
    registrable_domain,
)

REASONS = (
    "external_id",
    "exact_name",
    "normalised_name",
    "domain",
    "no_match",
    "ambiguous_name",
    "ambiguous_domain",
    "free_mail",
    "invalid_email",
)
FLAGS = (
    "domain_conflict",  # the email domain points to another account; the name (or id) won
    "name_conflict",  # the company name points to another account; the CRM id won
    "free_mail",  # the email is from a free-mail provider, so its domain was not used
    "free_mail_company",  # the company field held a free-mail domain ("Gmail.com"), so it was ignored
    "contact_domain",  # matched through the email domains of the account's existing contacts
    "unknown_external_id",  # an account id was given but no account has it
    "ambiguous_external_id",  # an account id was given but several accounts have it
)

# Fuzzy suggestions: rapidfuzz WRatio over normalised names. A whole word of a longer name scores 90
# ("tallis" in "tallis data systems"), a one-letter typo in a two-word name about 94, unrelated names
# below 60. Queries under three characters ("co", "ab") would partially match everything.
SUGGEST_CUTOFF = 85
SUGGEST_LIMIT = 3
_MIN_SUGGEST_QUERY = 3
# WRatio over 5,000 names costs about 4 ms a lead, so only names sharing a word's first three letters
# with the query are scored ("larksupr" still finds "larkspur"; "lrakspur" does not). A prefix shared by
# more names than this is too common to narrow anything ("gro" of "group") and is skipped, which also
# keeps a lone generic word from suggesting arbitrary accounts.
_PREFIX_LENGTH = 3
_MAX_PREFIX_POSTING = 400

# Legal-form suffixes dropped from the end of a name, repeatedly ("GmbH & Co. KG": kg, "and co", gmbh).
# Only legal forms: "and sons", "group", "holdings" and "partners" tell companies apart, so they stay
# ("Ilvermoor Analytics Partners LLP" is not "Ilvermoor Analytics"). Ambiguous short forms are kept on
# purpose because they are common in account lists: "spa" (Italian S.p.A.) would also strip a day spa's
# "Spa", "as" (Norwegian AS) a trailing English "as"; both sides of a comparison lose it alike.
_LEGAL_SUFFIXES = (
    "limited liability company",
    "limited liability partnership",
    "public limited company",
    "private limited",
    "proprietary limited",
    "sa de cv",
    "pvt ltd",
    "pte ltd",
    "pty ltd",
    "sdn bhd",
    "and company",
    "and co",
    "incorporated",
    "corporation",
    "company",
    "limited",
    "gmbh",
    "sarl",
    "ltda",
    "pllc",
    "inc",
    "llc",
    "llp",
    "ltd",
    "plc",
    "corp",
    "oyj",
    "asa",
    "aps",
    "sas",
    "spa",
    "srl",
    "sro",
    "pty",
    "pte",
    "pvt",
    "bhd",
    "co",
    "lp",
    "ag",
    "kg",
    "sa",
    "se",
    "bv",
    "nv",
    "oy",
    "ab",
    "as",
    "kk",
)
_SUFFIX_TOKENS = tuple(tuple(s.split()) for s in sorted(_LEGAL_SUFFIXES, key=lambda s: -len(s.split())))

# Letters NFKD does not decompose into a base letter plus an accent.
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})
# "S.A.", "s.p.a", "B.V." and "L.L.C." become "sa", "spa", "bv", "llc" so the suffix rule can drop them.
_DOTTED_INITIALS = re.compile(r"(?<!\w)(?:[^\W_]\.){1,}[^\W_](?:\.|(?!\w))")
_APOSTROPHES = re.compile(r"['’‘`´]")
_NON_WORD = re.compile(r"[\W_]+")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_FOLD)


def normalise_company_name(name: str | None) -> str:
    """Return the comparison key for a company name (rule 3.2.4); "" for None or blank.

    Accents folded (NFKD), case folded, "&" -> "and", dotted initials joined ("S.A." -> "sa"),
    apostrophes removed ("O'Reilly" -> "oreilly"), other punctuation -> space, spaces collapsed, a leading
    "the" dropped, then trailing legal-form suffixes dropped repeatedly, longest first. Never returns ""
    for a non-blank name: a name made only of suffixes ("Company") keeps its last word.
    """
    if not name:
        return ""
    text = _fold(name).replace("&", " and ")
    text = _DOTTED_INITIALS.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _APOSTROPHES.sub("", text)
    tokens = _NON_WORD.sub(" ", text).split()
    if len(tokens) > 1 and tokens[0] == "the":
        tokens = tokens[1:]
    stripped = True
    while stripped:
        stripped = False
        for suffix in _SUFFIX_TOKENS:
            n = len(suffix)
            if len(tokens) > n and tuple(tokens[-n:]) == suffix:
                tokens = tokens[:-n]
                stripped = True
                break
    return " ".join(tokens)


def _exact_key(name: str) -> str:
    return " ".join(name.casefold().split())


_SF_CHECKSUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_GUID = re.compile(r"^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$", re.IGNORECASE)
_FLOAT_INT = re.compile(r"^(\d+)\.0+$")


def _salesforce_15(value: str) -> str | None:
    """The case-sensitive 15-character id inside an 18-character Salesforce id, or None if it is not one.

    The last three characters encode, five bits each, which of the first 15 are upper-case. This also
    recovers an id that a tool has upper- or lower-cased, but rejects one whose mixed case contradicts
    its checksum.
    """
    if len(value) != 18 or not (value.isascii() and value.isalnum()):
        return None
    prefix, checksum = value[:15], value[15:].upper()
    restored = []
    for chunk, code in enumerate(checksum):
        if code not in _SF_CHECKSUM:
            return None
        bits = _SF_CHECKSUM.index(code)
        for offset, char in enumerate(prefix[chunk * 5 : chunk * 5 + 5]):
            upper = bool(bits >> offset & 1)
            if upper and not char.isalpha():
                return None
            restored.append(char.upper() if upper else char.lower())
    result = "".join(restored)
    if prefix != result and prefix not in (prefix.lower(), prefix.upper()):
        return None
    return result


def canonical_external_id(value: str | None) -> str:
    """Return the key an external CRM id is compared on ("" for None or blank).

    Salesforce 18-character ids reduce to their 15-character form (reports export 15, Data Loader 18);
    Dynamics GUIDs lose braces and case; "12345.0" (a HubSpot id through a spreadsheet) becomes "12345".
    Anything else is compared exactly, case included (15-character Salesforce ids are case-sensitive).
    """
    text = (value or "").strip()
    if not text:
        return ""
    if salesforce := _salesforce_15(text):
        return salesforce
    if guid := _GUID.match(text):
        return guid.group(1).lower()
    if number := _FLOAT_INT.match(text):
        return number.group(1)
    return text


@dataclass(frozen=True)
class AccountRef:
    """What matching needs to know about one account already in the workspace."""

    id: int
    name: str
    website: str | None = None
    external_id: str | None = None
    contact_domains: tuple[str, ...] = ()  # email domains of the account's existing contacts


@dataclass(frozen=True)
class Match:
    """The outcome for one lead: the account (or None), a reason code from REASONS and flags from FLAGS."""

    account_id: int | None
    reason: str
    flags: tuple[str, ...] = ()
    suggestions: tuple[int, ...] = ()  # accounts for the learner to confirm when nothing was auto-matched


def _add(table: dict[str, list[int]], key: str | None, account_id: int) -> None:
    if key:
        ids = table.setdefault(key, [])
        if account_id not in ids:
            ids.append(account_id)


class AccountIndex:
    """Dictionaries over many accounts, built once, so each lead costs a few look-ups.

    Each key maps to a list of account ids: more than one id means the key is ambiguous.
    """

    def __init__(self, accounts: Iterable[AccountRef]) -> None:
        """Index the accounts. Raises ValueError if two accounts share an id."""
        self._accounts: dict[int, AccountRef] = {}
        self._by_external_id: dict[str, list[int]] = {}
        self._by_exact_name: dict[str, list[int]] = {}
        self._by_normalised_name: dict[str, list[int]] = {}
        self._by_domain: dict[str, list[int]] = {}
        self._by_contact_domain: dict[str, list[int]] = {}
        for account in accounts:
            if account.id in self._accounts:
                raise ValueError(f"duplicate account id {account.id}")
            self._accounts[account.id] = account
            _add(self._by_external_id, canonical_external_id(account.external_id), account.id)
            _add(self._by_exact_name, _exact_key(account.name or ""), account.id)
            _add(self._by_normalised_name, normalise_company_name(account.name), account.id)
            website = registrable_domain(account.website)
            # A website on a free-mail domain (junk such as "gmail.com") must not claim that domain.
            if website and not is_free_mail(website):
                _add(self._by_domain, website, account.id)
            for value in account.contact_domains:
                domain = registrable_domain(value)
                if domain and not is_free_mail(domain):
                    _add(self._by_contact_domain, domain, account.id)
        self._names = list(self._by_normalised_name)
        self._by_prefix: dict[str, list[int]] = {}
        for position, name in enumerate(self._names):
            for prefix in {word[:_PREFIX_LENGTH] for word in name.split()}:
                self._by_prefix.setdefault(prefix, []).append(position)
        self._suggest_cached = lru_cache(maxsize=8192)(self._suggest_uncached)

    def __len__(self) -> int:
        return len(self._accounts)

    def get(self, account_id: int) -> AccountRef | None:
        """Return the indexed account with this id, or None."""
        return self._accounts.get(account_id)

    def by_external_id(self, value: str | None) -> tuple[int, ...]:
        """Return the ids of accounts whose CRM id equals `value` (see canonical_external_id)."""
        return tuple(self._by_external_id.get(canonical_external_id(value), ()))

    def by_name(self, company: str | None) -> tuple[str, tuple[int, ...]]:
        """Return ("exact_name" | "normalised_name", account ids) for a company name; ids may be empty.

        An exact (case- and space-insensitive) hit wins over normalised hits, so "Ilvermoor Analytics Inc"
        finds that account even when "Ilvermoor Analytics" also exists.
        """
        if not company or not company.strip():
            return "normalised_name", ()
        exact = self._by_exact_name.get(_exact_key(company))
        if exact:
            return "exact_name", tuple(exact)
        return "normalised_name", tuple(self._by_normalised_name.get(normalise_company_name(company), ()))

    def by_domain(self, domain: str | None) -> tuple[tuple[int, ...], bool]:
        """Return (account ids, via_contacts) for a registrable domain.

        Account websites come first; the accounts' contact email domains are consulted only when no
        website has the domain (via_contacts is then True). Free-mail domains never match anything.
        """
        domain = registrable_domain(domain)
        if not domain or is_free_mail(domain):
            return (), False
        ids = self._by_domain.get(domain)
        if ids:
            return tuple(ids), False
        ids = self._by_contact_domain.get(domain)
        return (tuple(ids), True) if ids else ((), False)

    def suggest(self, company: str | None) -> tuple[int, ...]:
        """Return up to a few account ids whose normalised name resembles `company`, best first.

        Fuzzy (rapidfuzz WRatio >= SUGGEST_CUTOFF, at most SUGGEST_LIMIT names) among the names that
        share a word beginning with the query, for a learner to confirm. Cached per normalised name.
        """
        query = normalise_company_name(company)
        return self._suggest_cached(query) if len(query) >= _MIN_SUGGEST_QUERY else ()

    def _suggest_uncached(self, query: str) -> tuple[int, ...]:
        positions: set[int] = set()
        for prefix in {word[:_PREFIX_LENGTH] for word in query.split()}:
            posting = self._by_prefix.get(prefix, ())
            if len(posting) <= _MAX_PREFIX_POSTING:
                positions.update(posting)
        if not positions:
            return ()
        hits = process.extract(
            query,
            {position: self._names[position] for position in sorted(positions)},
            scorer=fuzz.WRatio,
            processor=None,
            score_cutoff=SUGGEST_CUTOFF,
            limit=SUGGEST_LIMIT,
        )
        ids: list[int] = []
        for name, _score, _position in hits:
            ids.extend(i for i in self._by_normalised_name[name] if i not in ids)
        return tuple(ids)


def _is_free_mail_company(company: str) -> bool:
    # HubSpot auto-creates companies named after the email domain, so exports contain "Gmail.com".
    text = company.strip().lower()
    return " " not in text and "." in text and registrable_domain(text) in free_mail_domains()


def _prefer(ids: Sequence[int], preferred: Sequence[int]) -> tuple[int, ...]:
    return tuple(sorted(ids, key=lambda i: i not in preferred))


def match_lead(
    index: AccountIndex,
    *,
    email: str | None = None,
    company: str | None = None,
    account_external_id: str | None = None,
) -> Match:
    """Match one lead to an account following ABM-REFERENCE 3.2; returns a Match, never raises.

    Order: a present but malformed email -> `invalid_email` (the caller rejects the row); an explicit CRM
    account id; the exact, then normalised, company name; the email's registrable domain as a fallback.
    Name and domain disagreeing -> the name wins, flagged `domain_conflict`. Several accounts for the
    name or the domain -> no match (`ambiguous_name` / `ambiguous_domain`) with those accounts as
    suggestions. Free-mail domains never match (flag `free_mail`; reason `free_mail` when nothing else
    matched). Unmatched leads with a company name get fuzzy suggestions.
    """
    flags: list[str] = []
    domain: str | None = None
    normalised_email = normalise_email(email)
    if normalised_email:
        if not is_valid_email(normalised_email):
            return Match(None, "invalid_email")
        domain = email_domain(normalised_email)
        if domain and is_free_mail(domain):
            flags.append("free_mail")
            domain = None
    domain_ids, via_contacts = index.by_domain(domain) if domain else ((), False)

    company = (company or "").strip()
    if company and _is_free_mail_company(company):
        flags.append("free_mail_company")
        company = ""
    name_reason, name_ids = index.by_name(company) if company else ("normalised_name", ())

    if account_external_id and account_external_id.strip():
        external_ids = index.by_external_id(account_external_id)
        if len(external_ids) == 1:
            account_id = external_ids[0]
            if domain_ids and account_id not in domain_ids:
                flags.append("domain_conflict")
            if name_ids and account_id not in name_ids:
                flags.append("name_conflict")
            return Match(account_id, "external_id", tuple(flags))
        # An id we do not know (another CRM, a deleted account) is reported, then name and domain decide.
        flags.append("ambiguous_external_id" if external_ids else "unknown_external_id")

    if len(name_ids) == 1:
        account_id = name_ids[0]
        if domain_ids and account_id not in domain_ids:
            flags.append("domain_conflict")
        return Match(account_id, name_reason, tuple(flags))
    if len(name_ids) > 1:
        return Match(None, "ambiguous_name", tuple(flags), _prefer(name_ids, domain_ids))

    if len(domain_ids) == 1:
        if via_contacts:
            flags.append("contact_domain")
        return Match(domain_ids[0], "domain", tuple(flags))
    if len(domain_ids) > 1:
        return Match(None, "ambiguous_domain", tuple(flags), domain_ids)

    reason = "free_mail" if "free_mail" in flags else "no_match"
    return Match(None, reason, tuple(flags), index.suggest(company) if company else ())


_REASON_TEXT = {
    "external_id": "Matched on the account's CRM ID.",
    "exact_name": "Matched on the account name, exactly as written.",
    "normalised_name": "Matched on the account name once case, accents, punctuation and legal forms "
    "such as Ltd, Inc or GmbH were set aside.",
    "domain": "Matched on the email's domain, which is the account's website domain.",
    "no_match": "No account matched: the lead is kept and counts as unmatched.",
    "ambiguous_name": "The company name fits more than one account, so none was chosen. Pick the right one.",
    "ambiguous_domain": "The email's domain belongs to more than one account, so none was chosen. "
    "Pick the right one.",
    "free_mail": "The email is from a free email provider, which says nothing about the employer, and "
    "no account matched on name.",
    "invalid_email": "The email address is not valid, so the row was rejected.",
}
_FLAG_TEXT = {
    "domain_conflict": "The email's domain belongs to a different account; the name match was used.",
    "name_conflict": "The company name belongs to a different account; the CRM ID was used.",
    "free_mail": "The email is from a free email provider, so its domain was not used.",
    "free_mail_company": "The company field held a free email domain, so it was ignored.",
    "contact_domain": "The domain was recognised from the email addresses of the account's contacts.",
    "unknown_external_id": "The account ID given matches no account.",
    "ambiguous_external_id": "The account ID given belongs to more than one account.",
}


def describe(match: Match) -> str:
    """Return a plain-English (UK) explanation of a Match's reason and flags, for the learner.

    Raises KeyError for a reason code outside REASONS; unknown flags are skipped.
    """
    parts = [_REASON_TEXT[match.reason]]
    parts.extend(_FLAG_TEXT[flag] for flag in match.flags if flag in _FLAG_TEXT)
    if match.account_id is None and match.suggestions and match.reason in ("no_match", "free_mail"):
        parts.append("Similar account names are suggested for you to confirm.")
    return " ".join(parts)


def match_rate(matches: Iterable[Match], *, exclude_free_mail: bool = False) -> float:
    """Return matched / considered leads, between 0.0 and 1.0 (0.0 when none are considered).

    Rejected rows (`invalid_email`) are left out; unmatched leads count in the denominator only (rule
    3.2.7). With exclude_free_mail, leads with a free-mail email are left out altogether, which measures
    how well business addresses match.
    """
    considered = [
        m
        for m in matches
        if m.reason != "invalid_email" and not (exclude_free_mail and "free_mail" in m.flags)
    ]
    if not considered:
        return 0.0
    return sum(m.account_id is not None for m in considered) / len(considered)
