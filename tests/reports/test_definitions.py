"""The report definitions on plain values: completion states, laggards, the funnel, periods, capability."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from lms.assessment.capability import CompetencyProfile, LearnerProfile, Rating
from lms.reports import adoption, capability, completion
from lms.reports.capability import scores_from_profiles
from lms.reports.filters import Filters, period_problem

NOW = datetime(2026, 3, 10, 12, 0)


def test_enrolment_status_is_exactly_one_state():
    assert completion.status(None, None) == "not_started"
    assert completion.status(NOW, None) == "in_progress"
    assert completion.status(NOW, NOW) == "completed"
    assert completion.status(None, NOW) == "completed"


def test_overdue_when_due_date_passed_and_not_completed():
    assert completion.is_overdue(NOW - timedelta(minutes=1), None, NOW)
    assert not completion.is_overdue(NOW + timedelta(minutes=1), None, NOW)
    assert not completion.is_overdue(NOW - timedelta(days=3), NOW - timedelta(days=1), NOW)  # completed late
    assert not completion.is_overdue(None, None, NOW)


def test_laggard_after_fourteen_days_without_a_statement():
    assert completion.is_laggard(True, None, NOW)
    assert completion.is_laggard(True, NOW - timedelta(days=14, seconds=1), NOW)
    assert not completion.is_laggard(True, NOW - timedelta(days=13, hours=23), NOW)
    assert not completion.is_laggard(False, None, NOW)  # nothing open: finished, not lagging


def test_summary_totals_by_cohort_and_course():
    rows = [completion.GroupCounts(1, "A", 1, "Basics", completion.Counts(3, 0, 1, 2, 1)),
            completion.GroupCounts(2, "B", 1, "Basics", completion.Counts(2, 1, 1, 0, 0)),
            completion.GroupCounts(2, "B", 2, "Advanced", completion.Counts(1, 1, 0, 0, 1))]
    s = completion.summarise(rows)
    assert (s.total.enrolled, s.total.completed, s.total.overdue) == (6, 2, 2)
    assert s.by_cohort["B"].enrolled == 3
    assert s.by_course["Basics"].completion_rate == pytest.approx(40)
    assert completion.Counts().completion_rate is None


def test_next_actions_name_the_laggards_and_overdue():
    actions = completion.next_actions(completion.Counts(5, 1, 2, 2, 1), laggards=2)
    assert actions[0].startswith("1 enrolment is overdue")
    assert actions[1].startswith("2 laggards have done nothing for 14 days: send them a nudge")
    assert completion.next_actions(completion.Counts(), 0)[0].startswith("Nobody is enrolled")


def test_funnel_shares_and_biggest_drop():
    steps = adoption.funnel({"invited": 10, "activated": 8, "first_module": 4, "first_import": 3, "first_run": 3,
                             "completed": 2, "retained": 1})
    assert [s.count for s in steps] == [10, 8, 4, 3, 3, 2, 1]
    assert steps[2].share_of_first == pytest.approx(40) and steps[2].share_of_previous == pytest.approx(50)
    assert adoption.biggest_drop(steps).key in {"first_module", "retained"}  # both lose 50%
    assert "Completed a first module" in adoption.funnel_advice(steps)
    assert adoption.funnel({})[0].share_of_first is None


def test_week_and_month_periods():
    assert adoption.week_start(date(2026, 2, 1)) == date(2026, 1, 26)  # a Sunday belongs to the Monday before
    assert adoption.periods(date(2026, 1, 1), date(2026, 1, 20), "week") == [
        date(2025, 12, 29), date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19)]
    assert adoption.periods(date(2025, 11, 15), date(2026, 2, 1), "month") == [
        date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
    assert adoption.fill_series({date(2026, 1, 5): 2}, [date(2025, 12, 29), date(2026, 1, 5)]) == [0, 2]


def test_tool_labels():
    assert adoption.tool_label("exercise:target-account-list", {"target-account-list": "Target account list"}) == \
        "Exercise: Target account list"
    assert adoption.tool_label("imports") == "Account imports"


def test_filters_period_and_problems():
    f = Filters(1, NOW, start=date(2026, 1, 1), end=date(2026, 1, 31))
    assert f.end_before == datetime(2026, 2, 1)
    assert f.describe() == "1 Jan 2026 to 31 Jan 2026"
    assert Filters(1, NOW).chart_start == date(2025, 3, 11)
    assert Filters(1, NOW).to_today and Filters(1, NOW, end=NOW.date()).to_today  # read from kept figures
    assert not f.to_today and not Filters(1, NOW, end=NOW.date() - timedelta(days=1)).to_today
    assert period_problem(date(2026, 2, 1), date(2026, 1, 1), NOW.date()).startswith("The start date is after")
    assert period_problem(date(2027, 1, 1), None, NOW.date()).startswith("The start date is in the future")
    assert period_problem(None, None, NOW.date()) is None


def _score(uid, team, comp, **kw):
    return capability.Score(uid, f"Learner {uid}", f"l{uid}@x.example", team, comp, **kw)


SCORES = [
    _score(1, "A", "sel", pre=40, post=80, knowledge=90, applied=50),
    _score(2, "A", "sel", pre=60, post=70, knowledge=70, applied=70),
    _score(3, "B", "sel", pre=20, post=None, knowledge=60, applied=None),
    _score(1, "A", "map", pre=None, post=90, knowledge=80, applied=60),
    _score(3, "B", "map", pre=50, post=50, knowledge=40, applied=70),
]


def test_heatmap_means_by_team_and_competency():
    summary = capability.summarise(SCORES, ["A", "B"], ["sel", "map"])
    assert summary.pre == [[50, None], [20, 50]]
    assert summary.post == [[75, 90], [None, 50]]


def test_uplift_and_gaps_hand_computed():
    summary = capability.summarise(iter(SCORES), ["A", "B"], ["sel", "map"])
    # uplift pairs: (80-40), (70-60), (50-50) -> mean 50/3
    assert summary.uplift == pytest.approx(50 / 3)
    by = {s.competency: s for s in summary.competencies}
    assert by["sel"].gap == pytest.approx((40 + 0) / 2)  # learner 3 has no applied score
    assert by["map"].gap == pytest.approx((20 - 30) / 2)
    assert by["sel"].learners == 3 and by["sel"].knowledge == pytest.approx(220 / 3)
    assert [(g.user_id, g.competency, g.gap) for g in summary.largest_gaps] == [(1, "sel", 40), (1, "map", 20)]
    assert "Coach \u201cSelection\u201d first" in capability.next_action(list(by.values()), {"sel": "Selection"})


def test_largest_gaps_stay_exact_on_long_lists():
    many = [_score(i, "A", "sel", knowledge=100, applied=100 - (i % 97)) for i in range(1000)]
    top = capability.summarise(many, ["A"], ["sel"], gaps=5).largest_gaps
    assert [s.gap for s in top] == [96] * 5
    assert [s.name for s in top] == sorted(s.name for s in many if s.gap == 96)[:5]


def test_capability_rows_from_assessment_profiles():
    rating = Rating(4, "good", "Coach", NOW)
    profile = LearnerProfile(7, (CompetencyProfile("sel", "Selection", 40, 80, 40, 90, 85, 60, 1, 1, rating, 25),))
    [score] = list(scores_from_profiles([(7, "Ann", "ann@x.example", "Team A")], {7: profile}))
    assert (score.team, score.pre, score.post, score.knowledge, score.applied, score.rating, score.gap) == \
        ("Team A", 40, 80, 85, 60, 4, 25)
    assert list(scores_from_profiles([(8, "Bo", "bo@x.example", "A")], {})) == []


def test_week_bits_and_masks():
    assert adoption.week_bit(adoption.EPOCH) == (0, 1)
    assert adoption.week_bit(adoption.EPOCH + timedelta(weeks=63)) == (1, 2)
    start = adoption.EPOCH + timedelta(weeks=60, days=3)  # a Thursday in week 60
    masks = adoption.week_masks(start, start + timedelta(weeks=3))
    assert masks == {0: (1 << 60) | (1 << 61), 1: (1 << 0) | (1 << 1)}
    assert all(0 < m < 2**63 for m in masks.values())
