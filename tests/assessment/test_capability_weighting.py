"""Capability weights what a learner has shown (exercises, coach ratings) over what they recognise (papers)."""

from __future__ import annotations

from datetime import datetime

from lms.assessment.capability import Applied, Rating, build_profile, capability_score
from lms.assessment.papers import Tally

RATING = Rating(4, "Good map", "Chloe Adeyemi", datetime(2026, 11, 1))


def test_applied_evidence_outweighs_knowledge():
    assert capability_score(100, 40, None) == (round((0.5 * 40 + 0.2 * 100) / 0.7), "applied")  # 57
    assert capability_score(40, 100, None)[0] == round((0.5 * 100 + 0.2 * 40) / 0.7)  # 83


def test_a_coach_rating_counts_as_level_times_twenty():
    assert capability_score(50, 60, RATING) == (round(0.5 * 60 + 0.3 * 80 + 0.2 * 50), "applied+rated")  # 64
    assert capability_score(50, None, RATING) == (round((0.3 * 80 + 0.2 * 50) / 0.5), "rated")


def test_knowledge_alone_is_labelled_as_knowledge_only():
    assert capability_score(90, None, None) == (90, "knowledge")
    assert capability_score(None, None, None) == (None, "none")


def test_the_profile_row_carries_capability_and_says_what_it_rests_on():
    profile = build_profile(1, [("account-selection", "Account selection")], pre={},
                            post={"account-selection": Tally(9, 10)}, checks={},
                            applied={"account-selection": Applied(50, 1, 2)}, ratings={})
    row = profile.competency("account-selection")
    assert (row.capability, row.evidence) == (round((0.5 * 50 + 0.2 * 90) / 0.7), "applied")
    assert row.evidence_label == "Shown in practice"
