"""What makes an answer honest work rather than a pass: specific, not copied, not contradicted, owned by a person.

Pure rules every checker shares (ABM-REFERENCE and the modules they link to): free text that repeats across
rows is boilerplate; a reason must name something of its own account; a title can contradict a buying role; a
contact holds at most two roles; an owner is a named person on the team; a response SLA has sane bounds.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from lms.abm.coverage import normalise_roles
from lms.abm.roles import infer_title
from lms.abm.snapshot import (
    AccountSnap,
    ContactSnap,
    OpportunitySnap,
    PersonSnap,
    SignalSnap,
    WorkspaceSnapshot,
)

MIN_WORDS = 4  # meaningful words for free text to count as an answer at all
SAME_TEXT = 88  # token-sort similarity (0-100) at or above which two answers are the same answer
MAX_ROLES_PER_CONTACT = 2  # one person rarely plays more than two parts in a buying group
SLA_HOURS = (1, 72)  # a follow-up SLA for a hot signal, in working hours: faster is fiction, slower is cold

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _set("""
a an the and or but of to in on at for by with from as is are was were be been it its this that these those we our
they their them he she his her you your i my me us very so too also just tbd tbc todo na none nil unknown etc
""")
# Words that say "big company in a sector" about any account: they do not make a reason specific.
GENERIC = _set("""
big large huge small mid medium sized size company companies business businesses firm organisation organization
enterprise account accounts sector industry market uk us eu europe global international national leading leader
good great strong fit fits icp ideal customer profile target potential opportunity opportunities revenue growth
growing budget spend need needs priority priorities strategic important key major well known brand
""")
_COMPANY_SUFFIXES = _set("ltd limited plc inc llc llp gmbh ag sa sas bv nv co corp corporation group holdings")
# Owners that are a team, a function or a placeholder, not a person who answers for the work.
_NOT_A_PERSON = _set("""
team teams sales marketing sdr sdrs bdr bdrs ae aes revops ops operations department dept everyone all both
anyone tbd tbc unknown none na n/a unassigned owner owners management leadership exec execs executives agency
""")
# Words that make any owner a group ("EMEA sales team", "Marketing department"), however many words it has.
_GROUP_WORDS = _set("team teams department dept function squad unit office desk pod committee")
_JUNIOR = _set("intern internship trainee graduate apprentice student junior placement")
_FUNCTION_OF_ROLE = {"finance": "finance", "procurement": "procurement", "technical_evaluator": "technical"}
_OTHER_FUNCTIONS = {"finance", "procurement", "technical", "legal"}


def words(text: object) -> list[str]:
    """Return the lower-case words of free text (an empty list for anything that is not text)."""
    return list(_words(text)) if isinstance(text, str) else []


def meaningful_words(text: object) -> list[str]:
    """Return the words that carry meaning: not stopwords or placeholders, not single letters."""
    return list(_meaningful_words(text)) if isinstance(text, str) else []


# Checkers read the same texts many times over (a reason copied down a list of 5,000 accounts, a name in every
# finding about its account), so the words of each text are kept; callers get a list of their own.
@lru_cache(maxsize=8192)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.lower()))


@lru_cache(maxsize=8192)
def _meaningful_words(text: str) -> tuple[str, ...]:
    return tuple(w for w in _words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit()))


def is_answered(text: object, min_words: int = MIN_WORDS) -> bool:
    """True when free text has at least `min_words` meaningful words."""
    return len(meaningful_words(text)) >= min_words


def _name_words(name: str | None) -> set[str]:
    return {w for w in meaningful_words(name) if w not in _COMPANY_SUFFIXES and w not in GENERIC}


def _without(text: str, remove: Iterable[str]) -> str:
    gone = set(remove)
    return " ".join(w for w in meaningful_words(text) if w not in gone)


def repeated(texts: Mapping[Hashable, str], *, names: Mapping[Hashable, str] | None = None,
             threshold: int = SAME_TEXT) -> dict[Hashable, list[Hashable]]:
    """Return {key: other keys whose text is the same answer} for texts given more than once.

    Texts are compared without their own row's name (so "Acme: big logistics firm" and "Brill: big logistics
    firm" are the same answer) by token-sort similarity. Blank texts are left out. Each key's list follows the
    order of `texts`.
    """
    names = names or {}
    cleaned = {k: _without(t, _name_words(names.get(k))) for k, t in texts.items() if isinstance(t, str) and t.strip()}
    keys = [k for k, t in cleaned.items() if t]
    positions: dict[str, list[int]] = {}  # each distinct text -> where it is in `keys`
    for i, k in enumerate(keys):
        positions.setdefault(cleaned[k], []).append(i)
    pairs = [(i, j) for at in positions.values() for n, i in enumerate(at) for j in at[n + 1:]]
    for a, b in similar_texts(list(positions), threshold):
        pairs += [(min(i, j), max(i, j)) for i in positions[a] for j in positions[b]]
    # Filled pair by pair in the order a loop over every pair of rows would meet them, so every list, and the
    # order of the keys, is the same as comparing each row with each later row.
    same: dict[Hashable, list[Hashable]] = {}
    for i, j in sorted(pairs):
        same.setdefault(keys[i], []).append(keys[j])
        same.setdefault(keys[j], []).append(keys[i])
    return same


def similar_texts(texts: Sequence[str], threshold: float = SAME_TEXT) -> list[tuple[str, str]]:
    """Return the pairs of `texts` (distinct strings) whose token-sort similarity is at least `threshold`.

    Token-sort similarity is the Indel similarity of the texts with their words sorted, 100 x (1 - distance /
    (length 1 + length 2)); the distance is at least the difference in length, so a text can only reach the
    threshold with texts of about its own length. The texts are sorted by length, and each is compared in C
    (rapidfuzz.process.extract) with the longer texts within reach, never pair by pair in Python. The cutoff
    there is a point below the threshold so that rounding loses no pair; each candidate is then confirmed with
    `fuzz.token_sort_ratio`, the comparison itself.
    """
    ordered = [" ".join(sorted(t.split())) for t in texts]  # what token_sort_ratio compares
    order = sorted(range(len(texts)), key=lambda i: len(ordered[i]))
    shortest_first = [ordered[i] for i in order]
    lengths = [len(t) for t in shortest_first]
    gap = min(1.0, max(0.0, 1 - threshold / 100))  # the largest distance / (length 1 + length 2) that can pass
    found = []
    for at, i in enumerate(order):
        # A longer text of length m is within reach of one of length l when m - l <= gap x (l + m); one more
        # character of slack keeps floating point from narrowing it.
        reach = lengths[at] * (1 + gap) / (1 - gap) + 1 if gap < 1 else float("inf")
        end = bisect_right(lengths, reach, lo=at + 1)
        if end == at + 1:
            continue
        for _, _, k in process.extract(shortest_first[at], shortest_first[at + 1:end], scorer=fuzz.ratio,
                                       score_cutoff=max(0, threshold - 1), limit=None):
            j = order[at + 1 + k]
            a, b = (i, j) if i < j else (j, i)
            if fuzz.token_sort_ratio(texts[a], texts[b]) >= threshold:
                found.append((texts[a], texts[b]))
    return found


@dataclass(frozen=True)
class Facts:
    """What is specific to one account: words a reason can mention to show it was written for that account."""

    account_id: int
    words: frozenset[str]
    phrases: tuple[str, ...]  # multi-word names (contacts, opportunities, signal topics), lower case


def account_facts(workspace: WorkspaceSnapshot, account: AccountSnap, *, signals: Iterable[SignalSnap] | None = None,
                  opportunities: Iterable[OpportunitySnap] | None = None) -> Facts:
    """Return the facts of an account in the workspace: its name, domain, industry, figures, contacts, signals,
    opportunities. `signals` and `opportunities`, when given, are read instead of the workspace's (those with
    another account_id are still left out)."""
    found: set[str] = set(_name_words(account.name))
    phrases: list[str] = []
    if account.domain:
        found |= _name_words(account.domain.split(".")[0].replace("-", " "))
    found |= {w for w in meaningful_words(account.industry) if w not in GENERIC}
    for number in (account.employees, account.revenue):
        if number:
            found.add(str(int(number)))
    for contact in workspace.contacts_of(account.id):
        found |= _name_facts(contact.last_name)
        found |= _title_facts(contact.title)
        if contact.first_name and contact.last_name:
            phrases.append(f"{contact.first_name} {contact.last_name}".lower())
    for signal in workspace.signals_of(account.id) if signals is None else signals:
        if signal.account_id == account.id:
            found |= set(words(signal.type.replace("_", " "))) - GENERIC
            found |= {w for w in meaningful_words(signal.topic) if w not in GENERIC}
    for opportunity in workspace.opportunities_of(account.id) if opportunities is None else opportunities:
        if opportunity.account_id == account.id:
            found |= {w for w in meaningful_words(opportunity.name) if w not in GENERIC}
    return Facts(account.id, frozenset(found), tuple(phrases))


def _name_facts(last_name: object) -> frozenset[str]:
    return _name_facts_cached(last_name) if isinstance(last_name, str) else frozenset(meaningful_words(last_name))


@lru_cache(maxsize=8192)  # contacts share last names and titles: read each once
def _name_facts_cached(last_name: str) -> frozenset[str]:
    return frozenset(meaningful_words(last_name))


def _title_facts(title: object) -> frozenset[str]:
    return _title_facts_cached(title) if isinstance(title, str) else frozenset(
        w for w in meaningful_words(title) if w not in GENERIC)


@lru_cache(maxsize=8192)
def _title_facts_cached(title: str) -> frozenset[str]:
    return frozenset(w for w in meaningful_words(title) if w not in GENERIC)


def mentions(text: object, facts: Facts) -> bool:
    """True when `text` names something specific to the account behind `facts`, or gives a figure of its own."""
    said = meaningful_words(text)
    if any(w in facts.words for w in said):
        return True
    lowered = text.lower() if isinstance(text, str) else ""
    if any(p in lowered for p in facts.phrases):
        return True
    # A number in the reason ("opening 2 depots", "£4m fleet budget") is evidence the writer looked.
    return any(w.isdigit() for w in said)


def role_contradiction(title: str | None, role: str) -> str | None:
    """Return why a job title contradicts a buying role, or None when it does not (or the title says nothing).

    A junior title (intern, trainee, graduate, apprentice, student, junior) cannot be the senior decision maker,
    functional owner or budget holder; an individual contributor is not the senior decision maker; a finance,
    procurement or technical role needs a title in that function, not in another known one. Answers are kept
    per (title, role): titles repeat across contacts, and reading one is the slow part.
    """
    if isinstance(title, str) and isinstance(role, str):
        return _role_contradiction_cached(title, role)
    return _role_contradiction(title, role)


def _role_contradiction(title: str | None, role: str) -> str | None:
    if not title or not title.strip():
        return None
    inferred = infer_title(title)
    junior = bool(_JUNIOR & set(words(title)))
    if junior and role in ("senior_decision_maker", "functional_owner", "finance"):
        return f"a {title.strip()} is too junior to be {_ROLE_WORDS[role]}"
    if role == "senior_decision_maker" and inferred.seniority == "ic":
        return f"a {title.strip()} does not sign off the purchase: the senior decision maker is a C-level or VP buyer"
    wanted = _FUNCTION_OF_ROLE.get(role)
    if wanted and inferred.function in _OTHER_FUNCTIONS - {wanted}:
        return f"a {title.strip()} works in {inferred.function}, not {wanted}"
    return None


_role_contradiction_cached = lru_cache(maxsize=8192)(_role_contradiction)


def credible_roles(contact: ContactSnap) -> tuple[tuple[str, ...], str | None]:
    """Return the buying roles a contact credibly holds, and why any were dropped: a contact tagged with more than
    MAX_ROLES_PER_CONTACT roles holds none of them; a role the title contradicts is dropped."""
    roles, title = normalise_roles(contact.roles), contact.title
    if title is None or isinstance(title, str):
        return _credible_roles_cached(roles, title)  # the same roles and title on many contacts: read them once
    return _credible_roles(roles, title)


def _credible_roles(roles: tuple[str, ...], title: object) -> tuple[tuple[str, ...], str | None]:
    if len(roles) > MAX_ROLES_PER_CONTACT:
        return (), f"tagged with {len(roles)} buying roles, but one person holds at most {MAX_ROLES_PER_CONTACT}"
    kept = tuple(r for r in roles if role_contradiction(title, r) is None)
    why = next((role_contradiction(title, r) for r in roles if r not in kept), None)
    return kept, why


_credible_roles_cached = lru_cache(maxsize=8192)(_credible_roles)


_ROLE_WORDS = {"senior_decision_maker": "the senior decision maker", "functional_owner": "the functional owner",
               "finance": "the budget holder in finance"}


def _person_key(text: str) -> str:
    return " ".join(words(text))


def team_member(owner: str, team: Sequence[PersonSnap]) -> PersonSnap | None:
    """Return the team member an owner names (full name, email, or a first name only one member has), or None."""
    key = _person_key(owner)
    if not key:
        return None
    for person in team:
        if key == _person_key(person.name) or (person.email and owner.strip().lower() == person.email.lower()):
            return person
    first = [p for p in team if _person_key(p.name).split(" ")[:1] == [key]]
    return first[0] if len(first) == 1 else None


def owner_problem(owner: object, workspace: WorkspaceSnapshot) -> str | None:
    """Return why `owner` is not a named person who can answer for the work, or None when it is.

    On a team workspace the owner must be a member of the team; on a personal workspace (a public attendee,
    who has no team here) a named person is enough: a first and a last name.
    """
    text = owner.strip() if isinstance(owner, str) else ""
    if not text:
        return "no one is named"
    said = words(text)
    member = team_member(text, workspace.team)
    if (not meaningful_words(text) or all(w in _NOT_A_PERSON for w in said) or (_GROUP_WORDS & set(said) and not member)
            or (_NOT_A_PERSON & set(said) and len(said) <= 2 and not member)):
        return f"'{text}' is a team or a placeholder, not a person"
    if workspace.kind == "team" and workspace.team:
        return None if member else f"'{text}' is not a member of your team's workspace"
    if member is None and len(said) < 2:
        return f"'{text}' is not a full name: give a first and a last name"
    return None


def sla_problem(hours: float | None, bounds: tuple[int, int] = SLA_HOURS) -> str | None:
    """Return why a response-time SLA in working hours is not credible, or None."""
    low, high = bounds
    if hours is None:
        return "no response time is set"
    if hours < low:
        return f"{hours:g} hours is faster than anyone can research a contact and call: allow at least {low}"
    if hours > high:
        return f"{hours:g} hours is too slow: a hot signal goes cold; follow up within {high} working hours"
    return None
