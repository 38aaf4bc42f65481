"""Job title -> seniority, function and default buying role (ABM-REFERENCE 2.2), and CRM role vocabularies.

Pure and deterministic. Champion and blocker are never inferred from a title: only a CRM role sets them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from lms.abm.vocabulary import BUYING_ROLES

SENIORITIES = ("c_level", "vp", "director", "manager", "ic", "unknown")
FUNCTIONS = ("procurement", "finance", "legal", "technical", "general_management", "business", "unknown")
# Roles a title can imply: BUYING_ROLES without the behavioural two, plus "unknown" for an empty title.
TITLE_ROLES = tuple(r for r in BUYING_ROLES if r not in ("champion", "blocker")) + ("unknown",)

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class TitleInference:
    """What a job title says: seniority (SENIORITIES), function (FUNCTIONS) and role (TITLE_ROLES)."""

    seniority: str
    function: str
    role: str


# --- Tokenising -------------------------------------------------------------------------------------

# "V.P." and "S.V.P." -> "vp", "svp" before punctuation is dropped.
_DOTTED_INITIALS = re.compile(r"(?<!\w)(?:[^\W_]\.){1,}[^\W_](?:\.|(?!\w))")
# A token keeps an inner "&" ("fp&a", "r&d"); a free-standing "&" ("Founder & CEO") is just a separator.
_TOKEN = re.compile(r"[a-z0-9]+(?:&[a-z0-9]+)*")
# Clause breaks: "Partner, Audit" and "Senior Partner / Tax" put "partner" at the end of a clause.
_CLAUSE_BREAK = re.compile(r"[,;|/()\[\]]|\s[-–—]\s")
# Letters NFKD leaves alone ("ß" needs nothing: casefold already makes it "ss").
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d"})

# Abbreviations that stand for a keyword. "Sr"/"Snr" only mean "senior", which sets no level by itself.
_ABBREVIATIONS: dict[str, Phrase] = {
    "sr": ("senior",),
    "snr": ("senior",),
    "jr": ("junior",),
    "dir": ("director",),
    "mgr": ("manager",),
    "mngr": ("manager",),
    "asst": ("assistant",),
    "assoc": ("associate",),
    "exec": ("executive",),
    "admin": ("administrative",),
    "gm": ("general", "manager"),
    "cofounder": ("founder",),
    "eng": ("engineer",),
}
_PLACEHOLDERS = {"n a", "na", "none", "null", "unknown", "tbd", "tbc", "not provided", "other"}


def _fold(text: str) -> str:
    folded = text.casefold()
    if folded.isascii():
        return folded  # nothing to decompose or strip: most titles stop here
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_FOLD)


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for token in _TOKEN.findall(text):
        tokens.extend(_ABBREVIATIONS.get(token, (token,)))
    return tokens


def _clauses(title: str) -> list[list[str]]:
    text = _fold(title)
    if "." in text:
        text = _DOTTED_INITIALS.sub(lambda m: m.group(0).replace(".", ""), text)
    return [tokens for part in _CLAUSE_BREAK.split(text) if (tokens := _tokens(part))]


def _find(tokens: Sequence[str], phrase: Phrase) -> int:
    """Index where `phrase` starts in `tokens` (whole tokens only), or -1."""
    n = len(phrase)
    for i in range(len(tokens) - n + 1):
        if tuple(tokens[i : i + n]) == phrase:
            return i
    return -1


class _Phrases:
    """A set of phrases, indexed so that finding one in a title costs a set test, not a loop over them all."""

    def __init__(self, texts: Sequence[str]) -> None:
        phrases = [tuple(text.split()) for text in texts]
        self.words = frozenset(p[0] for p in phrases if len(p) == 1)
        self.longer: dict[str, list[Phrase]] = {}  # first word -> phrases of two or more words
        for phrase in phrases:
            if len(phrase) > 1:
                self.longer.setdefault(phrase[0], []).append(phrase)
        self.firsts = frozenset(self.longer)

    def found_in(self, tokens: Sequence[str]) -> bool:
        """True if one of the phrases occurs in `tokens` as whole, consecutive tokens."""
        if not self.words.isdisjoint(tokens):
            return True
        if self.firsts.isdisjoint(tokens):
            return False
        return any(_find(tokens, phrase) >= 0 for first in self.firsts.intersection(tokens)
                   for phrase in self.longer[first])


@lru_cache(maxsize=256)
def _phrases(texts: tuple[str, ...]) -> _Phrases:
    return _Phrases(texts)


def _has(tokens: Sequence[str], *phrases: str) -> bool:
    # The call sites name a fixed few groups of phrases, each indexed once: a 10,000-contact import with
    # thousands of distinct titles then spends microseconds per title here.
    return _phrases(phrases).found_in(tokens)


def _preceded_by(tokens: Sequence[str], word: str, before: set[str], window: int = 1) -> bool:
    """True if some occurrence of `word` has one of `before` within `window` tokens in front of it."""
    if word not in tokens:
        return False
    return any(t == word and before & set(tokens[max(0, i - window) : i]) for i, t in enumerate(tokens))


def _occurs_unless_preceded(tokens: Sequence[str], word: str, before: set[str]) -> bool:
    """True if `word` occurs at least once without one of `before` just in front of it."""
    if word not in tokens:
        return False
    return any(t == word and (i == 0 or tokens[i - 1] not in before) for i, t in enumerate(tokens))


# --- Step 1: seniority ------------------------------------------------------------------------------

_C_LEVEL_ACRONYMS = {
    "ceo", "cfo", "coo", "cio", "cto", "ciso", "cmo", "cro",
    "cpo", "cdo", "cso", "cco", "chro", "cao", "clo", "cxo", "cno",
}  # fmt: skip
_C_LEVEL_PHRASES = (
    "chief executive",
    "founder",
    "managing director",
    "managing partner",
    "chairman",
    "chairwoman",
    "chairperson",
    "director general",  # UK public bodies; also Spanish "Director General" (chief executive)
    # Stretch titles (documented, not required): German and French chief executives.
    "geschaftsfuhrer",
    "geschaftsfuhrerin",
    "geschaeftsfuehrer",
    "geschaeftsfuehrerin",
    "vorstand",
    "vorstandsvorsitzender",
    "vorstandsvorsitzende",
    "directeur general",
    "directrice generale",
    "pdg",
)
# "Owner" is a level only for business owners: these owners are individual contributors.
_NOT_BUSINESS_OWNER = {
    "product", "process", "service", "data", "system", "systems", "application", "platform",
    "content", "risk", "control", "technical", "budget", "account", "case", "project",
}  # fmt: skip
# "Partner" is a level (as in a firm's partners) unless it names a job of partnering someone.
_NOT_PARTNER_LEVEL = {
    "business", "channel", "alliance", "alliances", "technology", "strategic", "implementation",
    "solution", "solutions", "delivery", "talent", "people", "acquisition", "recruiting", "recruitment",
    "hr", "learning", "client", "customer", "success", "finance", "sales", "marketing",
}  # fmt: skip
_JUNIOR_PREFIXES = {"assistant", "associate"}
_ASSISTANT_KINDS = {"executive", "administrative", "personal"}
_LEAD_IC_NOUNS = {
    "engineer", "developer", "programmer", "architect", "designer", "scientist", "analyst",
    "consultant", "technician",
}  # fmt: skip
_NOT_LEAD_LEVEL = {"generation", "gen", "qualification", "development", "management", "nurturing"}
_DIRECTOR_WORDS = {
    "director", "directeur", "directrice", "direktor", "direktorin", "direttore", "diretor", "directora",
}  # fmt: skip


def _is_gatekeeper(tokens: Sequence[str]) -> bool:
    """Executive/administrative/personal assistants, assistants "to" someone, and chiefs of staff."""
    if _has(tokens, "chief of staff", "pa to", "executive secretary", "personal secretary"):
        return True
    for i, word in enumerate(tokens):
        if word == "assistant" and (
            (i > 0 and tokens[i - 1] in _ASSISTANT_KINDS) or (i + 1 < len(tokens) and tokens[i + 1] == "to")
        ):
            return True
    return False


def _is_c_level(tokens: Sequence[str]) -> bool:
    if "chief" in tokens and "officer" in tokens[tokens.index("chief") + 1 :]:
        return True  # "chief … officer"; an "… Officer" without "Chief" (Loan Officer) is not
    if _C_LEVEL_ACRONYMS & set(tokens) or _has(tokens, *_C_LEVEL_PHRASES):
        return True
    if _occurs_unless_preceded(tokens, "president", {"vice"}):
        return True
    return _occurs_unless_preceded(tokens, "owner", _NOT_BUSINESS_OWNER)


def _is_partner_level(clauses: Sequence[Sequence[str]]) -> bool:
    # Only a clause that ends in "partner": "Senior Partner", "Partner, Audit", not "Partner Manager".
    return any(
        clause[-1] == "partner" and (len(clause) == 1 or clause[-2] not in _NOT_PARTNER_LEVEL)
        for clause in clauses
    )


def _is_lead_level(tokens: Sequence[str]) -> bool:
    for i, word in enumerate(tokens):
        if word not in ("lead", "leader"):
            continue
        rest = tokens[i + 1 :]
        if rest and rest[0] in _NOT_LEAD_LEVEL:
            continue  # "Lead Generation Specialist" is marketing work, not a team lead
        if word == "lead" and _LEAD_IC_NOUNS & set(rest):
            continue  # "Lead … Engineer" is a senior individual contributor
        return True
    return False


def _seniority(tokens: Sequence[str], clauses: Sequence[Sequence[str]]) -> str:
    # Exceptions that outrank the keywords they contain come first.
    if _has(tokens, "chief of staff"):
        return "director"
    if _is_gatekeeper(tokens):
        return "ic"  # "Executive Assistant to the CEO" contains "CEO" but is not C-level
    if _is_c_level(tokens):
        return "c_level"
    if "avp" in tokens or any(_preceded_by(tokens, w, _JUNIOR_PREFIXES) for w in ("vp", "vice")):
        return "director"  # AVP / Assistant or Associate Vice President
    if _has(tokens, "assistant general manager", "deputy general manager"):
        return "director"  # by analogy with AVP: one step below the level named
    if _has(tokens, "vice president", "vp", "svp", "evp", "general manager", "gerente general"):
        return "vp"
    if _has(tokens, "general counsel"):
        return "vp"  # the top lawyer reports to the CEO; "counsel" alone stays an individual contributor
    if _is_partner_level(clauses):
        return "vp"
    if any(_preceded_by(tokens, w, _JUNIOR_PREFIXES, window=2) for w in _DIRECTOR_WORDS):
        return "manager"  # "Associate Director", "Associate Creative Director"
    if _DIRECTOR_WORDS & set(tokens) or _has(tokens, "head", "controller", "comptroller"):
        return "director"
    if _has(tokens, "leiter", "leiterin", "abteilungsleiter", "abteilungsleiterin", "bereichsleiter"):
        return "director"  # German "Leiter" = head of
    if _has(tokens, "manager", "supervisor", "superintendent", "foreman", "teamleiter", "gerente"):
        return "manager"
    if _is_lead_level(tokens):
        return "manager"
    return "ic"


# --- Step 2: function -------------------------------------------------------------------------------

_MEDIA_BUYERS = ("media buyer", "media buying", "ad buyer", "advertising buyer", "programmatic buyer")
_PROCUREMENT = (
    "procurement", "purchasing", "sourcing", "vendor management", "vendor manager", "category manager",
    "category management", "supplier management", "einkauf", "achats", "compras",
)  # fmt: skip
_FINANCE = (
    "finance", "financial", "cfo", "controller", "comptroller", "accounting", "accountant",
    "accounts payable", "accounts receivable", "fp&a", "fp a", "fpa", "treasurer", "treasury",
    "finanzen", "finanzas",
)  # fmt: skip
_LEGAL = ("legal", "counsel", "paralegal", "compliance", "privacy", "attorney", "lawyer", "solicitor", "clo")
_TECHNICAL = (
    "it", "information technology", "chief information officer", "cio", "cto", "ciso", "engineering",
    "engineer", "architect", "developer", "security", "data", "systems", "network", "platform",
    "infrastructure", "software", "devops", "sre", "technology", "technical", "cybersecurity",
    "programmer", "database", "cloud", "informatik", "informatique",
)  # fmt: skip
_GENERAL_MANAGEMENT = (
    "ceo", "coo", "chief executive", "chief operating officer", "founder", "managing director",
    "general manager", "managing partner", "chief of staff", "chairman", "chairwoman", "chairperson",
    "director general", "geschaftsfuhrer", "geschaftsfuhrerin", "geschaeftsfuehrer",
    "geschaeftsfuehrerin", "directeur general", "directrice generale", "pdg", "gerente general",
)  # fmt: skip


def _function(tokens: Sequence[str], clauses: Sequence[Sequence[str]]) -> str:
    if not _has(tokens, *_MEDIA_BUYERS) and (_has(tokens, *_PROCUREMENT) or "buyer" in tokens):
        return "procurement"
    if _has(tokens, *_FINANCE):
        return "finance"
    if _has(tokens, *_LEGAL):
        return "legal"
    if _has(tokens, *_TECHNICAL):
        return "technical"
    if (
        _has(tokens, *_GENERAL_MANAGEMENT)
        or _occurs_unless_preceded(tokens, "president", {"vice"})
        or _occurs_unless_preceded(tokens, "owner", _NOT_BUSINESS_OWNER)
        or _is_partner_level(clauses)
    ):
        return "general_management"
    return "business"


# --- Step 3: role -----------------------------------------------------------------------------------


def _role(seniority: str, function: str) -> str:
    if function == "procurement":
        return "procurement"
    if function == "finance":
        return "finance"
    if function == "legal":
        return "influencer"
    if seniority in ("c_level", "vp"):
        return "senior_decision_maker"
    if function == "technical":
        return "technical_evaluator"
    return {"director": "functional_owner", "manager": "influencer"}.get(seniority, "user")


_UNKNOWN = TitleInference("unknown", "unknown", "unknown")


def infer_title(title: str | None) -> TitleInference:
    """Return the seniority, function and default buying role a job title implies (rules 2.2).

    Keywords match whole words, case- and accent-insensitively, most senior level first, with the listed
    exceptions. Assistants to executives and chiefs of staff are `influencer` (gatekeepers). An empty or
    placeholder title ("n/a", "unknown") gives ("unknown", "unknown", "unknown"). Never raises.

    Non-English titles, a documented stretch: Geschäftsführer(in), Vorstand, Directeur/Directrice
    Général(e), Director General and PDG are C-level; Directeur, Direktor, Direttore, Diretor and Leiter
    are director; Gerente General is VP; Teamleiter and Gerente are manager; Einkauf/Achats/Compras mean procurement, Finanzen/Finanzas
    finance, Informatik/Informatique technical. Anything else falls back to the English keywords.
    """
    if not title:
        return _UNKNOWN
    clauses = _clauses(title)
    tokens = [t for clause in clauses for t in clause]
    if not tokens or " ".join(tokens) in _PLACEHOLDERS:
        return _UNKNOWN
    seniority = _seniority(tokens, clauses)
    if _is_gatekeeper(tokens):
        # The function is the assistant's own, not their principal's: "Assistant to the CFO" is not finance.
        own = tokens[: tokens.index("to")] if "to" in tokens else tokens
        return TitleInference(seniority, _function(own, [own]), "influencer")
    function = _function(tokens, clauses)
    return TitleInference(seniority, function, _role(seniority, function))


# --- CRM role vocabularies --------------------------------------------------------------------------

_CRM_ROLES: dict[str, str | None] = {
    # Salesforce OpportunityContactRole.Role picklist.
    "businessuser": "user",
    "decisionmaker": "senior_decision_maker",
    "economicbuyer": "senior_decision_maker",  # the budget authority: 2.2 equates it with C-level/VP
    "economicdecisionmaker": "senior_decision_maker",
    "evaluator": "technical_evaluator",
    "executivesponsor": "senior_decision_maker",
    "influencer": "influencer",
    "technicalbuyer": "technical_evaluator",
    "other": None,
    # Salesforce Contact.BuyerAttributes (same spellings once spaces are ignored, plus these).
    "buyer": "procurement",  # the buying centre's "buyer" is the purchasing function
    "champion": "champion",
    "detractor": "blocker",
    "technicalexpert": "technical_evaluator",
    # HubSpot hs_buying_role internal values and display labels.
    "blocker": "blocker",
    "budgetholder": "finance",
    "enduser": "user",
    "legalandcompliance": "influencer",
    "legalcompliance": "influencer",  # "Legal & Compliance"
    # The platform's own names, for files exported from ABM Academy.
    **{role.replace("_", ""): role for role in BUYING_ROLES},
}
_CRM_KEY = re.compile(r"[^a-z0-9]+")


def crm_role(value: str | None) -> str | None:
    """Return the BUYING_ROLES name for one CRM role value, or None for "Other", blanks and unknown values.

    Accepts Salesforce OpportunityContactRole and BuyerAttributes values and HubSpot hs_buying_role
    internal values or labels, ignoring case, spaces, underscores and "&" ("DECISION_MAKER",
    "Decision Maker", "DecisionMaker" are one value).
    """
    if not value:
        return None
    return _CRM_ROLES.get(_CRM_KEY.sub("", _fold(value).replace("&", "and")))


def _ordered(roles: Iterable[str]) -> tuple[str, ...]:
    present = set(roles)
    return tuple(r for r in BUYING_ROLES if r in present)


def infer_roles(title: str | None, crm_values: Iterable[str | None] = ()) -> tuple[str, ...]:
    """Return the union of the title's role and the explicit CRM roles, in BUYING_ROLES order.

    Each CRM value may hold several roles separated by ";" (multi-select exports). Unknown CRM values
    are ignored; an empty title adds nothing. Champion and blocker appear only from a CRM value.
    """
    roles = set()
    title_role = infer_title(title).role
    if title_role != "unknown":
        roles.add(title_role)
    for value in crm_values:
        for part in (value or "").split(";"):
            if role := crm_role(part):
                roles.add(role)
    return _ordered(roles)


def suggest_roles(
    title: str | None, crm_values: Iterable[str | None], current: Sequence[str]
) -> tuple[str, ...]:
    """Return `current` unchanged when the learner has set roles, otherwise infer_roles(title, crm_values).

    The learner's choice is never overwritten, even when the title or CRM says otherwise.
    """
    if current:
        return tuple(current)
    return infer_roles(title, crm_values)
