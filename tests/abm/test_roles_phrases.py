"""Title keywords that span several words match only as whole, consecutive words (the indexed phrase look-up),
and the fast path for plain-ASCII titles reads them as the accented path does."""

from __future__ import annotations

import pytest

from lms.abm.roles import TitleInference, infer_title


@pytest.mark.parametrize(
    ("title", "function"),
    [
        ("Vendor Manager", "procurement"),  # the phrase "vendor manager"
        ("Manager, Vendor Relations", "business"),  # both words, not together: no phrase
        ("Category Management Lead", "procurement"),
        ("Management Category Lead", "business"),
        ("Chief Information Officer", "technical"),
        ("Information Chief", "business"),
        ("Accounts Payable Clerk", "finance"),
        ("Payable Accounts Clerk", "business"),
        ("Media Buyer", "business"),  # media buyers buy advertising, not for the company
        ("Buyer", "procurement"),
    ],
)
def test_several_word_keywords_match_only_as_consecutive_words(title, function):
    assert infer_title(title).function == function


@pytest.mark.parametrize(
    ("title", "seniority"),
    [
        ("General Manager, EMEA", "vp"),
        ("Manager, General Ledger", "manager"),  # "general" and "manager" apart and out of order
        ("Assistant General Manager", "director"),
        ("Chief of Staff", "director"),
        ("Staff Chief", "ic"),
        ("General Counsel", "vp"),
        ("Counsel", "ic"),
    ],
)
def test_several_word_levels_match_only_as_consecutive_words(title, seniority):
    assert infer_title(title).seniority == seniority


@pytest.mark.parametrize(
    ("ascii_title", "accented_title"),
    [
        ("Directeur General", "Directeur Général"),
        ("Geschaftsfuhrer", "Geschäftsführer"),
        ("Head of Procurement", "Head of Procurément"),
        ("VP Finance", "VP Fïnance"),
    ],
)
def test_a_plain_title_and_its_accented_spelling_infer_alike(ascii_title, accented_title):
    assert infer_title(ascii_title) == infer_title(accented_title) != TitleInference("unknown", "unknown", "unknown")


@pytest.mark.parametrize("title", [None, "", "   ", "n/a", "Unknown", "-"])
def test_an_empty_or_placeholder_title_says_nothing(title):
    assert infer_title(title) == TitleInference("unknown", "unknown", "unknown")
