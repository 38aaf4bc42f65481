"""The integrity rules every checker shares: what makes an answer honest work rather than a pass."""

from __future__ import annotations

import random
from datetime import datetime

import pytest
from rapidfuzz import fuzz

from lms.abm.integrity import (
    MAX_ROLES_PER_CONTACT,
    account_facts,
    is_answered,
    mentions,
    owner_problem,
    repeated,
    role_contradiction,
    sla_problem,
    team_member,
)
from lms.abm.snapshot import (
    AccountSnap,
    ContactSnap,
    OpportunitySnap,
    PersonSnap,
    SignalSnap,
    WorkspaceSnapshot,
)

NOW = datetime(2026, 11, 16)
ACME = AccountSnap(1, "Acme Freight Ltd", domain="acme-freight.example", industry="Logistics", employees=4200)
BRILL = AccountSnap(2, "Brill Devices plc", domain="brill.example", industry="Medical devices")
TEAM = (PersonSnap("Priya Raman", "priya@northwind.example", "sales"),
        PersonSnap("Hannah Kerr", "hannah@northwind.example", "marketing"))


def workspace(kind: str = "team", team=TEAM) -> WorkspaceSnapshot:
    return WorkspaceSnapshot(
        "w", NOW, kind=kind, team=team, accounts=(ACME, BRILL),
        contacts=(ContactSnap(10, 1, "Jo", "Okafor", title="Chief Operating Officer"),),
        signals=(SignalSnap(20, 1, 10, "pricing_page", NOW, topic="Route optimisation"),),
        opportunities=(OpportunitySnap(30, 1, "Depot expansion 2027"),))


def test_the_same_reason_on_five_rows_is_found_even_with_each_name_in_it():
    texts = {i: f"{name}: big logistics company UK sector" for i, name in enumerate("ABCDE")}
    names = dict(enumerate("ABCDE"))
    assert set(repeated(texts, names=names)) == set(range(5))


def test_different_reasons_are_not_repeats():
    texts = {1: "Opening two UK depots next year; routing cuts their fuel bill",
             2: "New CFO from a current customer asked for a pricing call"}
    assert repeated(texts) == {}


def test_a_reason_that_names_the_account_its_contact_or_its_signal_is_specific():
    facts = account_facts(workspace(), ACME)
    assert mentions("Acme is consolidating carriers", facts)
    assert mentions("Jo Okafor asked about routing", facts)
    assert mentions("Read our route optimisation guide twice", facts)
    assert mentions("Their depot expansion needs planning software", facts)
    assert mentions("Fleet of 300 lorries", facts)  # a figure of its own


def test_a_generic_reason_is_not_specific():
    facts = account_facts(workspace(), ACME)
    assert not mentions("big company in the UK sector, good ICP fit", facts)
    assert not mentions("strategic account with growth potential", facts)


def test_short_text_is_not_an_answer():
    assert not is_answered("big")
    assert not is_answered("tbc tbc tbc")
    assert is_answered("Opening two depots in the Midlands")


@pytest.mark.parametrize("title, role", [
    ("Intern", "senior_decision_maker"),
    ("Marketing Intern", "finance"),
    ("Graduate Trainee", "functional_owner"),
    ("Software Engineer", "senior_decision_maker"),
    ("IT Manager", "finance"),
    ("Finance Director", "technical_evaluator"),
])
def test_a_title_that_contradicts_a_role_is_named(title, role):
    assert role_contradiction(title, role)


@pytest.mark.parametrize("title, role", [
    ("Chief Financial Officer", "finance"),
    ("Chief Executive Officer", "senior_decision_maker"),
    ("Head of IT", "technical_evaluator"),
    ("Operations Analyst", "user"),
    ("Intern", "user"),
    ("", "senior_decision_maker"),
])
def test_a_title_that_fits_its_role_or_says_nothing_is_accepted(title, role):
    assert role_contradiction(title, role) is None


def test_at_most_two_roles_a_contact():
    assert MAX_ROLES_PER_CONTACT == 2


@pytest.mark.parametrize("owner", ["Sales team", "Marketing", "SDRs", "TBC", "n/a", "", "Everyone"])
def test_a_team_or_placeholder_is_not_an_owner(owner):
    assert owner_problem(owner, workspace())


@pytest.mark.parametrize("owner", ["EMEA sales team", "UK marketing department", "Inside sales pod"])
def test_a_long_team_name_is_not_a_person_on_a_personal_workspace_either(owner):
    assert "not a person" in owner_problem(owner, workspace(kind="personal", team=()))


def test_on_a_team_workspace_the_owner_is_a_member():
    ws = workspace()
    assert owner_problem("Priya Raman", ws) is None
    assert owner_problem("priya@northwind.example", ws) is None
    assert owner_problem("Hannah", ws) is None  # a first name only one member has
    assert "not a member" in owner_problem("Alex Stranger", ws)


def test_on_a_personal_workspace_a_full_name_is_enough():
    ws = workspace(kind="personal", team=(PersonSnap("Alex Attendee"),))
    assert owner_problem("Dana Whitlock", ws) is None
    assert "full name" in owner_problem("Dana", ws)


def test_a_first_name_two_members_share_names_nobody():
    team = (PersonSnap("Sam Jones"), PersonSnap("Sam Patel"))
    assert team_member("Sam", team) is None
    assert team_member("Sam Patel", team) == team[1]


@pytest.mark.parametrize("hours, ok", [(None, False), (0.5, False), (1, True), (4, True), (72, True), (96, False)])
def test_response_slas_stay_within_bounds(hours, ok):
    assert (sla_problem(hours) is None) is ok


def test_a_contact_credibly_holds_at_most_two_roles_none_contradicted_by_the_title():
    from lms.abm.integrity import credible_roles

    intern = ContactSnap(1, 1, "Ivy", "Intern", title="Intern", roles=("senior_decision_maker", "finance", "user",
                                                                           "influencer"))
    assert credible_roles(intern) == ((), "tagged with 4 buying roles, but one person holds at most 2")
    junior = ContactSnap(2, 1, "Jo", "Junior", title="Marketing Intern", roles=("finance", "user"))
    kept, why = credible_roles(junior)
    assert kept == ("user",) and "too junior" in why
    cfo = ContactSnap(3, 1, "Cat", "Fo", title="Chief Financial Officer", roles=("finance", "champion"))
    assert credible_roles(cfo) == (("finance", "champion"), None)


def _repeated_pair_by_pair(texts, names=None, threshold=88):
    """integrity.repeated as it was first written: every row compared with every later row."""
    from lms.abm.integrity import _name_words, _without

    names = names or {}
    cleaned = {k: _without(t, _name_words(names.get(k))) for k, t in texts.items() if isinstance(t, str) and t.strip()}
    keys = [k for k, t in cleaned.items() if t]
    same = {}
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            if cleaned[a] == cleaned[b] or fuzz.token_sort_ratio(cleaned[a], cleaned[b]) >= threshold:
                same.setdefault(a, []).append(b)
                same.setdefault(b, []).append(a)
    return same


def _texts(n: int, seed: int) -> tuple[dict[int, str], dict[int, str]]:
    """n reasons: most of their own, some copied word for word, some near copies (a word changed, the words
    moved round, the account's own name put in), a few blank, some with accents and curly apostrophes."""
    rnd = random.Random(seed)
    vocab = ["depot", "routing", "fleet", "budget", "hiring", "planner", "tender", "carrier", "freight", "customs",
             "merger", "pricing", "renewal", "emissions", "vans", "pharma", "grocery", "parcel", "returns", "café",
             "naïve", "o’brien's", "données", "2027", "q3", "£4m", "12", "expansión"] + [
        a + b for a in ("ra", "to", "ne", "mi", "ka", "lu", "so", "de") for b in ("ter", "lan", "mor", "sen", "dal")]
    texts, names = {}, {}
    for k in range(n):
        names[k] = f"Firm{k} Ltd"
        roll = rnd.random()
        if k and roll < 0.1:
            texts[k] = texts[rnd.randrange(k)]
        elif k and roll < 0.25:
            words = (texts[rnd.randrange(k)] or "").split() or ["x"]
            if roll < 0.15:
                words[rnd.randrange(len(words))] = rnd.choice(vocab)
            elif roll < 0.2:
                rnd.shuffle(words)
            else:
                words.insert(rnd.randrange(len(words) + 1), f"Firm{k}")
            texts[k] = " ".join(words)
        elif roll < 0.28:
            texts[k] = rnd.choice(["", "   ", None])
        else:
            texts[k] = " ".join(rnd.choice(vocab) for _ in range(rnd.randint(1, 14)))
    return texts, names


@pytest.mark.parametrize("seed", range(6))
def test_repeated_finds_what_comparing_every_pair_of_rows_finds(seed):
    texts, names = _texts(250, seed)
    found = repeated(texts, names=names)
    assert found == _repeated_pair_by_pair(texts, names)
    assert list(found) == list(_repeated_pair_by_pair(texts, names))  # the same order, keys and lists
    assert any(len(v) > 1 for v in found.values())  # copies of copies were there to find


def test_similar_texts_compares_in_c_and_confirms_only_the_candidates(monkeypatch):
    from lms.abm import integrity

    calls, compare = [], fuzz.token_sort_ratio

    def counted(a, b, **kwargs):
        calls.append((a, b))
        return compare(a, b, **kwargs)

    monkeypatch.setattr(integrity.fuzz, "token_sort_ratio", counted)
    rnd = random.Random(5)
    vocab = [a + b + c for a in "bcdfghklmnprst" for b in "aeiou" for c in ("n", "r", "st", "l", "x")]
    texts = list(dict.fromkeys(" ".join(rnd.choice(vocab) for _ in range(rnd.randint(6, 12))) for _ in range(2000)))
    texts += [t + " also" for t in texts[:10]]  # ten near copies to find
    pairs = integrity.similar_texts(texts)
    assert {(a, b) for a, b in pairs} == {(t, t + " also") for t in texts[:10]}
    # Pair by pair there would be two million comparisons in Python; only candidates within a point of the
    # threshold are compared again.
    assert 10 <= len(calls) <= 30
