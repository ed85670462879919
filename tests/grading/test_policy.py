"""Hand-computed gradebook arithmetic (grading.policy); every expected value shows its sum."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grading.policy import (
    LETTER_TOLERANCE,
    Category,
    CourseTotal,
    ItemScore,
    LatePolicy,
    category_percent,
    course_total,
    days_late,
    item_final,
    late_adjusted,
    letter,
    policy_validate,
)

UTC = timezone.utc
DEADLINE = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
TEN = LatePolicy(penalty_per_day=0.10)
NO_LATE = LatePolicy(penalty_per_day=0.0)
CUTOFFS = {"A": 0.9, "B": 0.8, "C": 0.7, "D": 0.6}


def item(key, cat, raw, points=10.0, late_by=None, **kw):
    """An ItemScore; ``late_by`` (a timedelta) sets a submission relative to DEADLINE."""
    if late_by is not None:
        kw.update(submitted_at=DEADLINE + late_by, deadline=DEADLINE)
    return ItemScore(item=key, category=cat, points=points, raw=raw, **kw)


# --- weighted categories -------------------------------------------------------------


def test_three_categories_weighted_50_30_20():
    cats = [Category("labs", 0.5), Category("quizzes", 0.3), Category("exercises", 0.2)]
    scores = [
        item("lab1", "labs", 8), item("lab2", "labs", 9),                  # 17/20 = 0.85
        item("q1", "quizzes", 3, 5), item("q2", "quizzes", 4, 5),
        item("q3", "quizzes", 5, 5),                                         # 12/15 = 0.80
        item("ex1", "exercises", 9),                                         # 9/10  = 0.90
    ]
    total = course_total(scores, cats, TEN)
    # 0.5*0.85 + 0.3*0.80 + 0.2*0.90 = 0.425 + 0.24 + 0.18 = 0.845
    assert total.percent == pytest.approx(0.845)
    assert total.per_category == pytest.approx({"labs": 0.85, "quizzes": 0.8, "exercises": 0.9})
    assert total.dropped == {"labs": [], "quizzes": [], "exercises": []}
    assert total.finals == {"lab1": 8, "lab2": 9, "q1": 3, "q2": 4, "q3": 5, "ex1": 9}
    assert isinstance(total, CourseTotal)
    assert letter(total.percent, CUTOFFS) == "B"


def test_category_percent_is_points_weighted_not_mean_of_item_percents():
    scores = [item("a", "labs", 1, 2), item("b", "labs", 18, 20)]
    # (1 + 18) / (2 + 20) = 19/22 = 0.8636..., not (0.5 + 0.9)/2 = 0.7
    assert category_percent(scores, Category("labs", 1), TEN) == pytest.approx(19 / 22)


def test_weights_not_summing_to_one_are_normalised():
    cats = [Category("labs", 2), Category("quizzes", 6)]
    scores = [item("l", "labs", 5), item("q", "quizzes", 10)]
    # (2*0.5 + 6*1.0) / (2 + 6) = 7/8 = 0.875
    assert course_total(scores, cats, TEN).percent == pytest.approx(0.875)


def test_category_without_items_is_left_out_of_normalisation():
    cats = [Category("labs", 0.5), Category("quizzes", 0.3), Category("exam", 0.2)]
    scores = [item("l", "labs", 8), item("q", "quizzes", 6)]
    total = course_total(scores, cats, TEN)
    # exam has no items: (0.5*0.8 + 0.3*0.6) / (0.5 + 0.3) = (0.4 + 0.18)/0.8 = 0.725
    assert total.percent == pytest.approx(0.725)
    assert total.per_category["exam"] is None
    assert total.dropped["exam"] == []


def test_weight_zero_category_counts_nothing_but_is_reported():
    cats = [Category("labs", 1), Category("practice", 0)]
    scores = [item("l", "labs", 7), item("p", "practice", 0)]
    total = course_total(scores, cats, TEN)
    # (1*0.7 + 0*0.0) / (1 + 0) = 0.7 -- the 0 % practice item changes nothing
    assert total.percent == pytest.approx(0.7)
    assert total.per_category["practice"] == 0.0


def test_no_items_at_all_gives_zero():
    total = course_total([], [Category("labs", 1)], TEN)
    assert total.percent == 0.0
    assert total.per_category == {"labs": None}
    assert total.finals == {}


def test_result_does_not_depend_on_item_order():
    cats = [Category("labs", 0.7, drop_lowest=1), Category("quizzes", 0.3)]
    scores = [item(f"l{i}", "labs", i * 1.1, 10) for i in range(1, 8)] + [item("q", "quizzes", 0.3, 1)]
    forward = course_total(scores, cats, TEN)
    backward = course_total(list(reversed(scores)), cats, TEN)
    assert forward.percent == backward.percent
    assert forward.dropped == backward.dropped == {"labs": ["l1"], "quizzes": []}


def test_unknown_category_and_duplicate_item_are_errors():
    cats = [Category("labs", 1)]
    with pytest.raises(ValueError, match="unknown category 'quizzes'"):
        course_total([item("q", "quizzes", 1)], cats, TEN)
    with pytest.raises(ValueError, match="duplicate item key 'l'"):
        course_total([item("l", "labs", 1), item("l", "labs", 2)], cats, TEN)


def test_invalid_policy_raises_with_the_problems():
    with pytest.raises(ValueError, match=r"invalid grading policy: category 'labs': weight must be >= 0"):
        course_total([], [Category("labs", -1), Category("q", 1)], TEN)
    with pytest.raises(ValueError, match="penalty_per_day"):
        course_total([], [Category("labs", 1)], LatePolicy(penalty_per_day=1.5))


# --- drop lowest ---------------------------------------------------------------------


def test_drop_lowest_by_percent_not_by_points():
    cat = Category("quizzes", 1, drop_lowest=1)
    scores = [
        item("q1", "quizzes", 18, 20),  # 90 %, 18 points
        item("q2", "quizzes", 6, 10),   # 60 %,  6 points  <- lowest percent: dropped
        item("q3", "quizzes", 3, 4),    # 75 %,  3 points  <- lowest points (NOT dropped)
        item("q4", "quizzes", 10, 10),  # 100 %
    ]
    # by percent: drop q2 -> (18 + 3 + 10) / (20 + 4 + 10) = 31/34 = 0.91176...
    # (by points it would drop q3 -> (18 + 6 + 10) / (20 + 10 + 10) = 34/40 = 0.85)
    assert category_percent(scores, cat, TEN) == pytest.approx(31 / 34)
    total = course_total(scores, [cat], TEN)
    assert total.dropped == {"quizzes": ["q2"]}
    assert total.percent == pytest.approx(31 / 34)


def test_drop_two_lists_lowest_first():
    cat = Category("labs", 1, drop_lowest=2)
    scores = [item("a", "labs", 5), item("b", "labs", 2), item("c", "labs", 9), item("d", "labs", 7)]
    # drop b (20 %) then a (50 %): (9 + 7) / 20 = 0.8
    total = course_total(scores, [cat], TEN)
    assert total.dropped == {"labs": ["b", "a"]}
    assert total.percent == pytest.approx(0.8)


def test_drop_tie_drops_the_item_with_more_points_possible():
    cat = Category("labs", 1, drop_lowest=1)
    scores = [item("big", "labs", 5, 10), item("small", "labs", 1, 2), item("full", "labs", 10, 10)]
    # big and small are both 50 %; drop big -> (1 + 10) / (2 + 10) = 11/12 = 0.91666...
    # (dropping small would give (5 + 10) / 20 = 0.75)
    assert course_total(scores, [cat], TEN).dropped == {"labs": ["big"]}
    assert category_percent(scores, cat, TEN) == pytest.approx(11 / 12)


def test_drop_tie_with_equal_points_drops_smaller_item_key():
    cat = Category("labs", 1, drop_lowest=1)
    scores = [item("b", "labs", 4), item("a", "labs", 4), item("c", "labs", 10)]
    # a and b: 40 % of 10 points each -> "a" < "b" is dropped; (4 + 10)/20 = 0.7
    assert course_total(scores, [cat], TEN).dropped == {"labs": ["a"]}
    assert category_percent(scores, cat, TEN) == pytest.approx(0.7)


def test_drop_lowest_at_least_number_of_items_keeps_one():
    cat = Category("labs", 1, drop_lowest=5)
    scores = [item("x", "labs", 3), item("y", "labs", 7)]
    # 5 >= 2 items: drop min(5, 2 - 1) = 1 -> x (30 %); keep y: 7/10 = 0.7
    total = course_total(scores, [cat], TEN)
    assert total.dropped == {"labs": ["x"]}
    assert total.percent == pytest.approx(0.7)
    single = [item("only", "labs", 2)]
    assert course_total(single, [cat], TEN).dropped == {"labs": []}
    assert category_percent(single, cat, TEN) == pytest.approx(0.2)


def test_drop_uses_the_late_adjusted_percent():
    cat = Category("labs", 1, drop_lowest=1)
    scores = [item("late", "labs", 9, late_by=timedelta(days=4)),  # 9 - 10*0.1*4 = 5 -> 50 %
              item("ontime", "labs", 6),                            # 60 %
              item("good", "labs", 10)]
    # drop "late" (50 % after the penalty, 90 % before): (6 + 10) / 20 = 0.8
    assert course_total(scores, [cat], TEN).dropped == {"labs": ["late"]}
    assert category_percent(scores, cat, TEN) == pytest.approx(0.8)


def test_drop_lowest_by_percent_can_punish_a_higher_score_with_unequal_points():
    """The documented Open edX quirk: not a bug of this module, a property of the rule."""
    cat = Category("labs", 1, drop_lowest=1)
    before = [item("x", "labs", 0, 100), item("y", "labs", 1, 10), item("z", "labs", 50, 100)]
    # x is 0 % -> dropped: (1 + 50) / (10 + 100) = 51/110 = 0.4636...
    assert category_percent(before, cat, TEN) == pytest.approx(51 / 110)
    after = [item("x", "labs", 20, 100), *before[1:]]
    # x is now 20 %, y (10 %) is dropped: (20 + 50) / (100 + 100) = 70/200 = 0.35
    assert category_percent(after, cat, TEN) == pytest.approx(0.35)


# --- lateness ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("late_by", "days", "final"),
    [
        (timedelta(days=-1), 0, 8),                          # early
        (timedelta(0), 0, 8),                                # exactly at the deadline: on time
        (timedelta(seconds=1), 1, 7),                        # 8 - 10*0.1*1 = 7
        (timedelta(microseconds=1), 1, 7),
        (timedelta(hours=23), 1, 7),
        (timedelta(hours=24), 1, 7),                         # exactly one day: 1 started day
        (timedelta(hours=24, seconds=1), 2, 6),              # 8 - 10*0.1*2 = 6
        (timedelta(days=3), 3, 5),                           # 8 - 3 = 5
        (timedelta(days=3, seconds=1), 4, 4),                # 8 - 4 = 4
    ],
)
def test_days_late_and_ten_percent_per_day(late_by, days, final):
    s = item("lab", "labs", 8, late_by=late_by)
    assert days_late(s.submitted_at, s.deadline) == days
    assert item_final(s, TEN) == pytest.approx(final)


def test_penalty_is_taken_from_points_possible_not_points_earned():
    # 4/10, 2 days late: 4 - 10*0.1*2 = 2 (from points earned it would be 4*0.8 = 3.2)
    assert late_adjusted(4, 10, 2, TEN) == pytest.approx(2)
    # 20-point item, 15 %/day, 1 day: 18 - 20*0.15 = 15
    assert late_adjusted(18, 20, 1, LatePolicy(penalty_per_day=0.15)) == pytest.approx(15)


def test_penalty_never_goes_below_zero():
    # 3 - 10*0.1*5 = -2 -> 0
    assert late_adjusted(3, 10, 5, TEN) == 0.0
    assert item_final(item("l", "labs", 3, late_by=timedelta(days=30)), TEN) == 0.0


def test_raw_is_clamped_into_0_points_before_the_penalty():
    # no extra credit: 12/10 -> 10, 1 day: 10 - 1 = 9
    assert late_adjusted(12, 10, 1, TEN) == pytest.approx(9)
    assert late_adjusted(12, 10, 0, TEN) == 10
    assert late_adjusted(-3, 10, 0, TEN) == 0


def test_grace_minutes():
    grace = LatePolicy(penalty_per_day=0.10, grace_minutes=15)
    assert days_late(DEADLINE + timedelta(minutes=15), DEADLINE, 15) == 0
    assert days_late(DEADLINE + timedelta(minutes=15, seconds=1), DEADLINE, 15) == 1
    # after the grace period days count from the deadline itself: 24 h + 10 min -> 2 days
    assert days_late(DEADLINE + timedelta(hours=24, minutes=10), DEADLINE, 5) == 2
    assert item_final(item("l", "labs", 8, late_by=timedelta(minutes=14)), grace) == 8
    assert item_final(item("l", "labs", 8, late_by=timedelta(minutes=16)), grace) == pytest.approx(7)


def test_max_days_cutoff():
    late = LatePolicy(penalty_per_day=0.10, max_days=2)
    # exactly 2 days late still gets the penalty: 8 - 2 = 6
    assert item_final(item("l", "labs", 8, late_by=timedelta(days=2)), late) == pytest.approx(6)
    # 2 days + 1 s = 3 started days > max_days -> 0
    assert item_final(item("l", "labs", 8, late_by=timedelta(days=2, seconds=1)), late) == 0.0
    zero = LatePolicy(penalty_per_day=0.0, max_days=0)
    # max_days=0: any late work scores 0, on time is untouched
    assert late_adjusted(8, 10, 1, zero) == 0.0
    assert late_adjusted(8, 10, 0, zero) == 8


def test_no_deadline_or_no_submission_time_is_never_late():
    assert days_late(DEADLINE + timedelta(days=9), None) == 0
    assert days_late(None, DEADLINE) == 0
    s = ItemScore("l", "labs", 10, 8, submitted_at=DEADLINE + timedelta(days=9))
    assert item_final(s, TEN) == 8


def test_timezones_are_compared_as_instants():
    plus2 = timezone(timedelta(hours=2))
    # 13:30 at +02:00 is 11:30 UTC, before the 12:00 UTC deadline
    assert days_late(datetime(2024, 3, 1, 13, 30, tzinfo=plus2), DEADLINE) == 0
    # 14:00:01 at +02:00 is 12:00:01 UTC: 1 second late
    assert days_late(datetime(2024, 3, 1, 14, 0, 1, tzinfo=plus2), DEADLINE) == 1


def test_naive_datetimes_and_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="timezone-aware"):
        days_late(datetime(2024, 3, 2), DEADLINE)
    with pytest.raises(ValueError, match="grace_minutes"):
        days_late(DEADLINE, DEADLINE, -1)
    with pytest.raises(ValueError, match="days must be an int >= 0"):
        late_adjusted(5, 10, -1, TEN)
    with pytest.raises(ValueError, match="points must be"):
        late_adjusted(5, 0, 1, TEN)
    with pytest.raises(ValueError, match="invalid late policy"):
        late_adjusted(5, 10, 1, LatePolicy(penalty_per_day=-0.1))
    with pytest.raises(ValueError, match="points must be a finite number > 0"):
        ItemScore("l", "labs", 0, 1)
    with pytest.raises(ValueError, match="raw must be"):
        ItemScore("l", "labs", 10, math.nan)


def test_late_penalty_in_the_course_total():
    cats = [Category("labs", 0.6), Category("quizzes", 0.4)]
    scores = [
        item("l1", "labs", 10, late_by=timedelta(hours=30)),  # 2 days: 10 - 2 = 8
        item("l2", "labs", 6),                                 # on time: 6 -> labs (8+6)/20 = 0.7
        item("q1", "quizzes", 5, 5, late_by=timedelta(0)),     # at the deadline: 5/5 = 1.0
    ]
    total = course_total(scores, cats, TEN)
    # 0.6*0.7 + 0.4*1.0 = 0.42 + 0.4 = 0.82
    assert total.percent == pytest.approx(0.82)
    assert total.finals == pytest.approx({"l1": 8, "l2": 6, "q1": 5})


# --- excused and missing ---------------------------------------------------------------


def test_excused_items_are_left_out_entirely():
    cat = Category("labs", 1, drop_lowest=1)
    scores = [item("a", "labs", 8), item("b", "labs", 0, excused=True), item("c", "labs", 6),
              item("d", "labs", None, excused=True)]
    # b and d do not exist for the category: drop c (60 %) of {a, c}, keep a: 8/10 = 0.8
    total = course_total(scores, [cat], TEN)
    assert total.percent == pytest.approx(0.8)
    assert total.dropped == {"labs": ["c"]}
    assert total.finals == {"a": 8, "b": None, "c": 6, "d": None}


def test_category_with_only_excused_items_is_left_out():
    cats = [Category("labs", 0.5), Category("quizzes", 0.5)]
    scores = [item("l", "labs", 6), item("q", "quizzes", 0, excused=True)]
    # quizzes has no counted item: 0.6 * 0.5 / 0.5 = 0.6
    total = course_total(scores, cats, TEN)
    assert total.per_category == {"labs": pytest.approx(0.6), "quizzes": None}
    assert total.percent == pytest.approx(0.6)


def test_missing_items_count_zero_or_are_left_out():
    cats = [Category("labs", 0.5), Category("quizzes", 0.5)]
    scores = [item("l1", "labs", 8), item("l2", "labs", None), item("q1", "quizzes", None, 5)]
    final = course_total(scores, cats, TEN, count_missing=True)
    # labs (8 + 0)/20 = 0.4, quizzes 0/5 = 0: 0.5*0.4 + 0.5*0 = 0.2
    assert final.per_category == pytest.approx({"labs": 0.4, "quizzes": 0.0})
    assert final.percent == pytest.approx(0.2)
    current = course_total(scores, cats, TEN, count_missing=False)
    # labs 8/10 = 0.8, quizzes has nothing graded -> left out: 0.8
    assert current.per_category == {"labs": pytest.approx(0.8), "quizzes": None}
    assert current.percent == pytest.approx(0.8)
    # finals report None for the ungraded items either way
    assert final.finals == current.finals == {"l1": 8, "l2": None, "q1": None}
    assert category_percent(scores, cats[0], TEN) == pytest.approx(0.4)
    assert category_percent(scores, cats[0], TEN, count_missing=False) == pytest.approx(0.8)


def test_missing_item_counts_in_the_drop():
    cat = Category("labs", 1, drop_lowest=1)
    scores = [item("a", "labs", 7), item("b", "labs", None), item("c", "labs", 9)]
    # count_missing: b is 0 % and dropped: (7 + 9)/20 = 0.8
    assert course_total(scores, [cat], TEN).dropped == {"labs": ["b"]}
    assert category_percent(scores, cat, TEN) == pytest.approx(0.8)
    # left out: drop a (70 %) of {a, c}: 9/10 = 0.9
    assert course_total(scores, [cat], TEN, count_missing=False).dropped == {"labs": ["a"]}
    assert category_percent(scores, cat, TEN, count_missing=False) == pytest.approx(0.9)


def test_category_percent_ignores_other_categories_and_returns_none_when_empty():
    scores = [item("q", "quizzes", 3)]
    assert category_percent(scores, Category("labs", 1), TEN) is None
    assert category_percent([], Category("labs", 1), TEN) is None


# --- letters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "grade"),
    [(1.0, "A"), (0.9, "A"), (0.8999, "B"), (0.8, "B"), (0.75, "C"), (0.7, "C"),
     (0.6, "D"), (0.5999, "F"), (0.0, "F")],
)
def test_letter_boundaries_are_inclusive(percent, grade):
    assert letter(percent, CUTOFFS) == grade


def test_letter_absorbs_float_error_at_a_boundary():
    cats = [Category("labs", 0.7), Category("quizzes", 0.3)]
    scores = [item("l", "labs", 16, 20), item("q", "quizzes", 16, 20)]
    total = course_total(scores, cats, TEN).percent
    # both categories are exactly 16/20 = 0.8, but 0.7*0.8 + 0.3*0.8 in floats is 0.7999999999999999
    assert total < 0.8 and total == pytest.approx(0.8)
    assert letter(total, CUTOFFS) == "B"
    assert letter(0.8 - 10 * LETTER_TOLERANCE, CUTOFFS) == "C"


def test_letter_order_of_cutoffs_does_not_matter_and_empty_gives_f():
    assert letter(0.85, {"D": 0.6, "A": 0.9, "C": 0.7, "B": 0.8}) == "B"
    assert letter(0.85, {"Pass": 0.5}) == "Pass"
    assert letter(0.99, {}) == "F"


def test_letter_rejects_invalid_cutoffs_and_percent():
    with pytest.raises(ValueError, match="invalid letter cutoffs"):
        letter(0.5, {"A": 90})
    with pytest.raises(ValueError, match="percent must be a finite number"):
        letter(math.nan, CUTOFFS)


# --- policy_validate -----------------------------------------------------------------


def test_policy_validate_accepts_a_sane_policy():
    cats = [Category("labs", 0.5, 1), Category("quizzes", 0.3), Category("practice", 0)]
    assert policy_validate(cats, TEN, CUTOFFS) == []
    assert policy_validate(cats, LatePolicy(penalty_per_day=1.0, max_days=0, grace_minutes=10)) == []


def test_policy_validate_messages():
    cats = [Category("labs", -0.5), Category("labs", 0.5, drop_lowest=-1), Category("", 1),
            Category("x", math.inf), Category("y", 1, drop_lowest=1.5)]
    late = LatePolicy(penalty_per_day=1.5, max_days=-1, grace_minutes=-5)
    cutoffs = {"A": 1.2, "B": 0.8, "B+": 0.8, "F": 0.1, "": 0.5, "D": -0.1}
    assert policy_validate(cats, late, cutoffs) == [
        "category 'labs': weight must be >= 0 (got -0.5)",
        "category 'labs': drop_lowest must be an int >= 0 (got -1)",
        "duplicate category key 'labs'",
        "category key must be a non-empty string (got '')",
        "category 'x': weight must be a finite number (got inf)",
        "category 'y': drop_lowest must be an int >= 0 (got 1.5)",
        "late penalty_per_day must be a number between 0 and 1 (got 1.5)",
        "late max_days must be None or an int >= 0 (got -1)",
        "late grace_minutes must be an int >= 0 (got -5)",
        "cutoff for 'A' must be a number between 0 and 1 (got 1.2)",
        "letters 'B' and 'B+' have the same cutoff 0.8",
        "cutoff letter 'F' is the fallback letter and cannot have a cutoff",
        "cutoff letter must be a non-empty string (got '')",
        "cutoff for 'D' must be a number between 0 and 1 (got -0.1)",
    ]


def test_policy_validate_needs_a_category_with_weight():
    assert policy_validate([], TEN) == ["there are no categories"]
    assert policy_validate([Category("a", 0), Category("b", 0)], TEN) == [
        "all category weights are 0: every course total would be 0"]


# --- properties ----------------------------------------------------------------------

POINTS = st.sampled_from([1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 100.0, 0.5, 7.5])
FRACTION = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
LATE_POLICIES = st.builds(
    LatePolicy,
    penalty_per_day=FRACTION,
    max_days=st.none() | st.integers(0, 5),
    grace_minutes=st.integers(0, 120),
)


@st.composite
def courses(draw, *, drops=True, late_work=True, equal_points_if_dropping=False):
    """(categories, scores): 1-4 categories (the first with weight > 0), 0-12 items."""
    n_cat = draw(st.integers(1, 4))
    categories = []
    for i in range(n_cat):
        weight = draw(st.floats(0.1 if i == 0 else 0.0, 10.0, allow_nan=False))
        drop = draw(st.integers(0, 3)) if drops else 0
        categories.append(Category(f"c{i}", weight, drop))
    same_points = {c.key: draw(POINTS) for c in categories}
    scores = []
    for j in range(draw(st.integers(0, 12))):
        cat = categories[draw(st.integers(0, n_cat - 1))]
        equal = equal_points_if_dropping and cat.drop_lowest > 0
        points = same_points[cat.key] if equal else draw(POINTS)
        raw = draw(st.none() | FRACTION.map(lambda f, p=points: f * p))
        late_by = None
        if late_work and draw(st.booleans()):
            late_by = timedelta(seconds=draw(st.integers(-86400, 10 * 86400)))
        excused = draw(st.integers(0, 4)) == 0  # about one item in five
        scores.append(item(f"i{j}", cat.key, raw, points, late_by=late_by, excused=excused))
    return categories, scores


@settings(max_examples=300, deadline=None)
@given(course=courses(), late=LATE_POLICIES, count_missing=st.booleans())
def test_property_total_is_within_0_and_1(course, late, count_missing):
    categories, scores = course
    total = course_total(scores, categories, late, count_missing=count_missing)
    assert 0.0 <= total.percent <= 1.0
    for p in total.per_category.values():
        assert p is None or 0.0 <= p <= 1.0
    for s in scores:
        final = total.finals[s.item]
        assert final is None or 0.0 <= final <= s.points


@settings(max_examples=300, deadline=None)
@given(course=courses(equal_points_if_dropping=True), late=LATE_POLICIES, data=st.data())
def test_property_raising_one_raw_score_never_lowers_the_total(course, late, data):
    """Holds for drop_lowest == 0 or equal points within a dropping category (see category_percent)."""
    categories, scores = course
    if not scores:
        return
    i = data.draw(st.integers(0, len(scores) - 1))
    old = scores[i]
    base = old.raw if old.raw is not None else 0.0
    new_raw = data.draw(st.floats(base, old.points, allow_nan=False))
    raised = [*scores[:i], ItemScore(old.item, old.category, old.points, new_raw, old.submitted_at,
                                     old.deadline, old.excused), *scores[i + 1:]]
    before = course_total(scores, categories, late).percent
    after = course_total(raised, categories, late).percent
    assert after >= before


@settings(max_examples=300, deadline=None)
@given(course=courses(drops=False, late_work=False), late=LATE_POLICIES)
def test_property_without_late_work_or_drops_total_is_weighted_mean(course, late):
    categories, scores = course
    # independent oracle: per category sum(raw or 0)/sum(points) over non-excused items
    weighted, weights = [], []
    for cat in categories:
        mine = [s for s in scores if s.category == cat.key and not s.excused]
        if mine:
            p = sum(s.raw or 0.0 for s in mine) / sum(s.points for s in mine)
            weighted.append(cat.weight * p)
            weights.append(cat.weight)
    expected = sum(weighted) / sum(weights) if sum(weights) > 0 else 0.0
    assert course_total(scores, categories, late).percent == pytest.approx(expected, rel=1e-9, abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(course=courses(), late=LATE_POLICIES, data=st.data())
def test_property_total_does_not_depend_on_item_order(course, late, data):
    categories, scores = course
    shuffled = data.draw(st.permutations(scores))
    a, b = course_total(scores, categories, late), course_total(shuffled, categories, late)
    assert a.percent == b.percent
    assert a.dropped == b.dropped


@settings(max_examples=300, deadline=None)
@given(seconds=st.integers(-10 * 86400, 30 * 86400), grace=st.integers(0, 600))
def test_property_days_late_is_ceiling_of_days_after_grace(seconds, grace):
    expected = 0 if seconds <= grace * 60 else math.ceil(seconds / 86400)
    assert days_late(DEADLINE + timedelta(seconds=seconds), DEADLINE, grace) == expected


@settings(max_examples=300, deadline=None)
@given(a=FRACTION, b=FRACTION)
def test_property_letter_is_monotone(a, b):
    order = ["F", "D", "C", "B", "A"]
    lo, hi = sorted((a, b))
    assert order.index(letter(lo, CUTOFFS)) <= order.index(letter(hi, CUTOFFS))
