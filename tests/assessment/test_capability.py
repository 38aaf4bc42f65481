"""Capability calculations on plain values: applied scores, pre/post, module checks, knowledge and the gap."""

from __future__ import annotations

from datetime import datetime

from lms.assessment.capability import (
    Applied,
    AttemptResult,
    Rating,
    applied_scores,
    assessment_results,
    build_profile,
    check_tallies,
    knowledge,
)
from lms.assessment.papers import Tally

EXERCISES = {
    "target-account-list": ("account-selection", "abm-operating-model"),
    "buying-committee-map": ("buying-group-mapping",),
    "contact-list-build": ("contact-data", "buying-group-mapping"),
}


def test_applied_score_is_the_mean_of_the_best_submitted_scores_of_the_competencys_exercises():
    applied = applied_scores({"buying-committee-map": 90, "contact-list-build": 61, "retired-exercise": 5},
                             EXERCISES)
    assert applied["buying-group-mapping"] == Applied(score=76, submitted=2, mapped=2)  # (90 + 61) / 2 = 75.5
    assert applied["contact-data"] == Applied(score=61, submitted=1, mapped=1)
    assert applied["account-selection"] == Applied(score=None, submitted=0, mapped=1)
    assert "measurement-and-feedback" not in applied  # no exercise maps to it


def test_applied_scores_with_no_submissions_at_all():
    assert applied_scores({}, EXERCISES)["abm-operating-model"] == Applied(None, 0, 1)


def test_the_first_pre_assessment_is_the_baseline_and_the_latest_post_assessment_counts():
    results = [
        AttemptResult("post", datetime(2026, 3, 1), {"a": Tally(2, 4)}),
        AttemptResult("pre", datetime(2026, 1, 1), {"a": Tally(1, 4), "b": Tally(0, 4)}),
        AttemptResult("pre", datetime(2026, 2, 1), {"a": Tally(4, 4)}),
        AttemptResult("post", datetime(2026, 4, 1), {"a": Tally(3, 4), "b": Tally(0, 0)}),
    ]
    pre, post = assessment_results(results)
    assert pre == {"a": Tally(1, 4), "b": Tally(0, 4)}
    assert post == {"a": Tally(3, 4)}  # an empty tally is no result


def test_module_checks_add_up_per_competency_of_each_module():
    rows = [(["a", "b"], 3, 2), (["a"], 4, 4), ([], 2, 1)]
    assert check_tallies(rows) == {"a": Tally(6, 7), "b": Tally(2, 3)}


def test_knowledge_pools_post_assessment_and_module_checks_else_uses_the_pre_assessment():
    assert knowledge(Tally(1, 4), Tally(3, 4), Tally(5, 6)) == 80  # (3 + 5) / (4 + 6)
    assert knowledge(Tally(1, 4), None, Tally(5, 6)) == 83
    assert knowledge(Tally(1, 4), None, None) == 25
    assert knowledge(None, None, None) is None


def test_profile_rows_with_change_knowledge_applied_rating_and_gap_hand_computed():
    rated_at = datetime(2026, 5, 1)
    profile = build_profile(
        7,
        [("account-selection", "Target account selection"), ("buying-group-mapping", "Buying group mapping"),
         ("contact-data", "Contact data")],
        pre={"account-selection": Tally(1, 4), "buying-group-mapping": Tally(2, 4)},
        post={"account-selection": Tally(3, 4)},
        checks={"account-selection": Tally(4, 6), "buying-group-mapping": Tally(6, 6)},
        applied={"account-selection": Applied(60, 1, 2), "buying-group-mapping": Applied(90, 1, 1)},
        ratings={"account-selection": Rating(3, "Builds a good list.", "Cora Coach", rated_at)},
    )
    selection = profile.competency("account-selection")
    assert (selection.pre, selection.post, selection.change) == (25, 75, 50)
    assert selection.checks == 67
    assert selection.knowledge == 70  # (3 + 4) / (4 + 6)
    assert (selection.applied, selection.exercises_submitted, selection.exercises_mapped) == (60, 1, 2)
    assert selection.gap == 10
    assert selection.rating.level == 3
    mapping = profile.competency("buying-group-mapping")
    assert (mapping.pre, mapping.post, mapping.change, mapping.knowledge, mapping.applied, mapping.gap) == (
        50, None, None, 100, 90, 10)
    data = profile.competency("contact-data")
    assert (data.knowledge, data.applied, data.gap, data.rating) == (None, None, None, None)
    assert profile.mean("knowledge") == 85 and profile.mean("gap") == 10 and profile.mean("rating") == 3
    assert [row.slug for row in profile.competencies] == ["account-selection", "buying-group-mapping",
                                                          "contact-data"]
