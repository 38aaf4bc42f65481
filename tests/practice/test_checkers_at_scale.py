"""Every checker reads each list of the workspace's records a fixed number of times, however big the workspace:
no scan of every signal for each account, no loop over the contacts inside a loop over the accounts. Counted,
not timed (timings are in tests/benchmarks/bench_checkers.py)."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from lms.abm.snapshot import WorkspaceSnapshot
from lms.practice.registry import load_exercises
from lms.practice.result import Result
from tests.practice.large_workspace import answers, big_workspace
from tests.practice.snapshot_builders import EXERCISES

RECORDS = ("accounts", "contacts", "signals", "opportunities", "handoffs")
CHECKERS = load_exercises(EXERCISES)


class Counted(tuple):
    """A tuple of records that counts how many times it is read from start to end."""

    reads: Counter
    name: str

    def __iter__(self):
        self.reads[self.name] += 1
        return super().__iter__()


def counted(ws: WorkspaceSnapshot, reads: Counter) -> WorkspaceSnapshot:
    lists = {}
    for name in RECORDS:
        lists[name] = Counted(getattr(ws, name))
        lists[name].reads, lists[name].name = reads, name
    return dataclasses.replace(ws, **lists, _by_id={})


def reads_of_a_check(slug: str, accounts: int) -> Counter:
    ws = big_workspace(accounts)
    answer = answers(ws).get(slug, {})  # the same rows at both sizes: the answers name the first accounts
    reads: Counter = Counter()
    result = CHECKERS[slug].check(counted(ws, reads), answer)
    assert isinstance(result, Result) and result.findings
    return reads


def test_the_counter_sees_a_scan_per_account():
    reads: Counter = Counter()
    ws = counted(big_workspace(200), reads)
    for a in ws.accounts[:10]:
        [s for s in ws.signals if s.account_id == a.id]
    assert reads["signals"] == 10


@pytest.mark.parametrize("slug", sorted(CHECKERS))
def test_a_checker_reads_the_records_as_often_at_800_accounts_as_at_400(slug):
    assert reads_of_a_check(slug, 800) == reads_of_a_check(slug, 400)
