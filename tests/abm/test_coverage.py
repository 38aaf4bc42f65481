"""Buying-group coverage: the roles an account needs against the roles its contacts hold."""

from __future__ import annotations

from lms.abm.coverage import (
    DEFAULT_REQUIRED_ROLES,
    RoleRequirement,
    coverage_of_roles,
    normalise_roles,
)


def test_one_to_one_needs_both_must_roles_and_four_of_the_pool():
    detail = coverage_of_roles(
        {"senior_decision_maker", "functional_owner", "finance", "user"}, DEFAULT_REQUIRED_ROLES["1:1"]
    )
    assert (detail.filled, detail.slots) == (4, 6)
    assert detail.missing_must == ("champion",)
    assert detail.pool_missing == 1
    assert not detail.complete


def test_a_requirement_given_lists_counts_the_same_as_one_given_tuples():
    from_lists = RoleRequirement(must=["senior_decision_maker", "champion"], pool=["finance", "user"], pool_count=1)
    from_tuples = RoleRequirement(must=("senior_decision_maker", "champion"), pool=("finance", "user"), pool_count=1)

    assert from_lists == from_tuples
    assert hash(from_lists) == hash(from_tuples)
    assert coverage_of_roles(["champion", "user"], from_lists) == coverage_of_roles(["champion", "user"], from_tuples)
    assert coverage_of_roles(["champion", "user"], from_lists).ratio == 2 / 3


def test_junk_inside_a_role_tuple_is_dropped_not_raised():
    assert normalise_roles(("Champion", ["not", "a", "role"], {"x": 1}, "finance")) == ("champion", "finance")
    assert normalise_roles(("champion", "champion", "nonsense")) == ("champion",)
