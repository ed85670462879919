"""The gradebook's arithmetic: weighted categories, drop-lowest, late penalties, letters.

This module is pure Python (no Django) and is the specification of how DL
Classroom turns item scores into a course grade. The model follows Open edX
and nbgrader:

* A course has **categories** (:class:`Category`: "labs", "quizzes", ...), each
  with a weight and an optional number of lowest scores to drop.
* Every gradable **item** (lab, quiz, free-text question, code exercise) belongs
  to exactly one category and has its points possible; an :class:`ItemScore`
  carries the points earned (``raw``), the submission time and the deadline.
* **Late work** (:class:`LatePolicy`) loses ``penalty_per_day`` of the item's
  *points possible* per started day after the deadline (after an optional grace
  period); after ``max_days`` days it earns nothing.
* A category's percentage is *sum of kept points earned / sum of kept points
  possible* after dropping its lowest items **by percentage**.
* The course total is the weighted mean of the category percentages, the weights
  being normalised over the categories that have at least one counted item.
* :func:`letter` maps the total to a letter by cutoffs.

Rules that hold throughout:

* Nothing is rounded internally; callers round for display only. Sums use
  :func:`math.fsum` (exact, order-independent sums of the float inputs), so the
  result never depends on the order of ``scores``.
* Percentages are fractions in ``[0, 1]`` (0.85 means 85 %), never 0..100.
* There is no extra credit: an item's score is clamped into ``[0, points]``.
* Invalid input raises :class:`ValueError`; :func:`policy_validate` lists the
  problems of a policy without raising.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

__all__ = [
    "FALLBACK_LETTER",
    "LETTER_TOLERANCE",
    "Category",
    "CourseTotal",
    "ItemScore",
    "LatePolicy",
    "category_percent",
    "course_total",
    "days_late",
    "item_final",
    "late_adjusted",
    "letter",
    "policy_validate",
]

#: The letter given when the total is below every cutoff; it may not be used as a cutoff key.
FALLBACK_LETTER = "F"

#: :func:`letter` treats a total this close *below* a cutoff as reaching it. It
#: absorbs floating-point error of the weighted sum (an exact 90 % can come out
#: as 0.8999999999999999) and is far below any difference a gradebook displays.
LETTER_TOLERANCE = 1e-9

_DAY = timedelta(days=1)


# --- policy types ------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    """A weighted group of items (``"labs"``, ``"quizzes"``, ...).

    * ``key`` -- unique, non-empty identifier; :attr:`ItemScore.category` refers to it.
    * ``weight`` -- the category's share of the course total, a finite number
      ``>= 0``. Weights need not sum to 1: they are normalised over the
      categories that have at least one counted item (see :func:`course_total`).
      A category with weight 0 is still computed and reported but counts nothing.
    * ``drop_lowest`` -- an int ``>= 0``: drop this many of the category's
      lowest item *percentages* (see :func:`category_percent`). Never all of
      them: at least one item always counts.

    The constructor does not validate; :func:`policy_validate` does, and the
    computing functions raise :class:`ValueError` for an invalid category.
    """

    key: str
    weight: float
    drop_lowest: int = 0


@dataclass(frozen=True)
class LatePolicy:
    """How work submitted after its deadline is penalised.

    * ``penalty_per_day`` -- fraction of the item's **points possible** lost per
      started day late, in ``[0, 1]`` (0.10 = 10 % of the points possible per day).
    * ``max_days`` -- an int ``>= 0`` or ``None``. Work more than ``max_days``
      days late scores 0 (exactly ``max_days`` days late still gets the normal
      penalty; ``max_days=0`` makes any late work score 0). ``None``: no cutoff.
    * ``grace_minutes`` -- an int ``>= 0``. A submission at most this many minutes
      after the deadline is on time. A submission after the grace period is late
      by the started days counted **from the deadline itself** (the grace period
      forgives; it does not move the deadline).

    The constructor does not validate; :func:`policy_validate` does, and the
    computing functions raise :class:`ValueError` for an invalid policy.
    """

    penalty_per_day: float = 0.10
    max_days: int | None = None
    grace_minutes: int = 0


@dataclass(frozen=True)
class ItemScore:
    """One learner's result on one item.

    * ``item`` -- the item's key, unique within one :func:`course_total` call.
    * ``category`` -- the :attr:`Category.key` the item belongs to.
    * ``points`` -- the item's points possible, a finite number ``> 0``.
    * ``raw`` -- points earned before any late penalty, or ``None`` when nothing
      was submitted or graded yet. ``raw`` is clamped into ``[0, points]`` (no
      extra credit, no negative scores). Whether a ``None`` counts as 0 or is
      left out is decided by ``count_missing`` (see :func:`category_percent`).
    * ``submitted_at`` / ``deadline`` -- timezone-aware datetimes or ``None``.
      The item is late only when both are set (see :func:`days_late`): no
      deadline means never late, and a score without a submission time (e.g.
      entered by the instructor) is never late.
    * ``excused`` -- excused items are left out of their category entirely, as
      if they did not exist (whatever ``raw`` says).

    The constructor raises :class:`ValueError` for an empty ``item``, a
    ``points`` that is not finite and ``> 0``, or a ``raw`` that is NaN/infinite.
    """

    item: str
    category: str
    points: float
    raw: float | None
    submitted_at: datetime | None = None
    deadline: datetime | None = None
    excused: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.item, str) or not self.item:
            raise ValueError("ItemScore.item must be a non-empty string")
        if not isinstance(self.category, str):
            raise ValueError(f"item {self.item!r}: category must be a string")
        if not _is_number(self.points) or not math.isfinite(self.points) or self.points <= 0:
            raise ValueError(f"item {self.item!r}: points must be a finite number > 0 (got {self.points!r})")
        if self.raw is not None and (not _is_number(self.raw) or not math.isfinite(self.raw)):
            raise ValueError(f"item {self.item!r}: raw must be a finite number or None (got {self.raw!r})")


@dataclass(frozen=True)
class CourseTotal:
    """The result of :func:`course_total`.

    * ``percent`` -- the course total in ``[0, 1]``, unrounded.
    * ``per_category`` -- every category key → its :func:`category_percent`
      (``None`` when the category has no counted item).
    * ``dropped`` -- every category key → the item keys dropped by
      ``drop_lowest``, lowest first (the order they were chosen); ``[]`` when none.
    * ``finals`` -- every item key → its :func:`item_final` (late-adjusted
      points earned; ``None`` for excused items and for items without a score,
      even when ``count_missing`` counts the latter as 0).
    """

    percent: float
    per_category: dict[str, float | None] = field(default_factory=dict)
    dropped: dict[str, list[str]] = field(default_factory=dict)
    finals: dict[str, float | None] = field(default_factory=dict)


# --- lateness ------------------------------------------------------------------------


def days_late(submitted_at: datetime | None, deadline: datetime | None, grace_minutes: int = 0) -> int:
    """Number of *started* days between ``deadline`` and ``submitted_at``.

    * 0 when either is ``None`` (no deadline → never late; no submission → not late).
    * 0 when ``submitted_at <= deadline + grace_minutes`` (exactly at the
      deadline, or within the grace period, is on time).
    * Otherwise ``ceil((submitted_at - deadline) / 1 day)``, counted from the
      deadline (not from the end of the grace period): 1 second late → 1,
      exactly 24 h late → 1, 24 h + 1 s late → 2.

    Both datetimes must be timezone-aware (comparing a naive datetime with an
    aware one is meaningless); a naive one, or a negative ``grace_minutes``,
    raises :class:`ValueError`. Calendar days and DST play no part: a day is 24 h
    of elapsed time.
    """
    if not isinstance(grace_minutes, int) or isinstance(grace_minutes, bool) or grace_minutes < 0:
        raise ValueError(f"grace_minutes must be an int >= 0 (got {grace_minutes!r})")
    if submitted_at is None or deadline is None:
        return 0
    for name, value in (("submitted_at", submitted_at), ("deadline", deadline)):
        if not isinstance(value, datetime):
            raise ValueError(f"{name} must be a datetime (got {type(value).__name__})")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{name} must be timezone-aware (got naive {value.isoformat()})")
    delta = submitted_at - deadline
    if delta <= timedelta(minutes=grace_minutes):
        return 0
    whole, rest = divmod(delta, _DAY)
    return whole + (1 if rest else 0)


def late_adjusted(raw: float, points: float, days: int, late: LatePolicy) -> float:
    """Points earned after the late penalty, in ``[0, points]``.

    1. ``raw`` is clamped into ``[0, points]``.
    2. ``days == 0`` → the clamped ``raw``.
    3. ``max_days`` is set and ``days > max_days`` → ``0.0``.
    4. Otherwise ``max(0, raw - points * penalty_per_day * days)``.

    The penalty is taken from the **points possible**, not from the points
    earned (nbgrader / Open edX style): with 10 %/day, a 10-point lab loses
    1 point per day whatever its score, so 8/10 two days late is 6/10 and
    3/10 four days late is 0/10 (never negative).

    Raises :class:`ValueError` for a non-finite ``raw``, ``points`` not finite
    and ``> 0``, ``days`` not an int ``>= 0`` or an invalid ``late`` policy.
    """
    _raise_if(_late_problems(late), "invalid late policy")
    if not _is_number(raw) or not math.isfinite(raw):
        raise ValueError(f"raw must be a finite number (got {raw!r})")
    if not _is_number(points) or not math.isfinite(points) or points <= 0:
        raise ValueError(f"points must be a finite number > 0 (got {points!r})")
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise ValueError(f"days must be an int >= 0 (got {days!r})")
    score = min(max(float(raw), 0.0), float(points))
    if days == 0:
        return score
    if late.max_days is not None and days > late.max_days:
        return 0.0
    return max(0.0, score - points * late.penalty_per_day * days)


def item_final(score: ItemScore, late: LatePolicy) -> float | None:
    """The item's late-adjusted points earned, or ``None``.

    ``None`` when the item is excused or has no ``raw`` score (what such an item
    counts for is up to :func:`category_percent`). Otherwise
    ``late_adjusted(raw, points, days_late(submitted_at, deadline, grace_minutes), late)``.
    """
    _raise_if(_late_problems(late), "invalid late policy")
    if score.excused or score.raw is None:
        return None
    days = days_late(score.submitted_at, score.deadline, late.grace_minutes)
    return late_adjusted(score.raw, score.points, days, late)


# --- categories and the course total ----------------------------------------------------


def category_percent(
    scores: Iterable[ItemScore],
    category: Category,
    late: LatePolicy,
    count_missing: bool = True,
) -> float | None:
    """The category's percentage in ``[0, 1]``, or ``None`` when nothing counts.

    1. Only the scores whose ``category`` equals ``category.key`` are used
       (others in ``scores`` are ignored, so the whole course list may be passed).
    2. Excused items are left out.
    3. Items without a ``raw`` score count as 0 points earned when
       ``count_missing`` is true (the final gradebook: unsubmitted work counts
       zero) and are left out when it is false (a "current grade" view).
    4. No item left → ``None``.
    5. Drop ``min(drop_lowest, n - 1)`` items, where ``n`` is the number left:
       at least one item always counts. Items are dropped lowest
       **percentage** first (``final / points``, after the late penalty), not
       lowest points. Ties in percentage drop the item with **more points
       possible** first (at equal percentage this is never worse for the
       learner), then the smaller item key (so the choice is deterministic).
    6. ``sum(kept finals) / sum(kept points possible)``.

    Note (the Open edX rule, kept on purpose): with unequal points possible,
    dropping the lowest percentage is not always the drop that maximises the
    category, and raising one score can change which item is dropped and so
    *lower* the category (a 0/100 dropped in favour of keeping 0/1 becomes
    1/100 and is now kept). With equal points possible in the category, or
    with ``drop_lowest == 0``, raising a score never lowers the result.

    Raises :class:`ValueError` for an invalid category or late policy, or for
    duplicate item keys within the category.
    """
    percent, _dropped = _category_breakdown(list(scores), category, late, count_missing)
    return percent


def course_total(
    scores: Iterable[ItemScore],
    categories: Sequence[Category],
    late: LatePolicy,
    count_missing: bool = True,
) -> CourseTotal:
    """The course total and its breakdown (see :class:`CourseTotal`).

    ``percent = sum(w_c * p_c) / sum(w_c)`` over the categories ``c`` whose
    :func:`category_percent` ``p_c`` is not ``None`` (they have at least one
    counted item; with ``count_missing=False`` a category whose items are all
    ungraded has none). Categories without a counted item are left out of the
    normalisation, so the weights of the others are scaled up. A weight-0
    category is reported in ``per_category`` but adds nothing. When no counted
    category has a positive weight (including: no items at all) the total is
    ``0.0``.

    Raises :class:`ValueError` when the policy is invalid (see
    :func:`policy_validate`), when a score names a category that is not in
    ``categories``, or when two scores share an item key.
    """
    score_list = list(scores)
    categories = list(categories)
    _raise_if(_category_list_problems(categories) + _late_problems(late), "invalid grading policy")
    known = {c.key for c in categories}
    seen: set[str] = set()
    for s in score_list:
        if s.category not in known:
            raise ValueError(f"item {s.item!r}: unknown category {s.category!r}")
        if s.item in seen:
            raise ValueError(f"duplicate item key {s.item!r}")
        seen.add(s.item)

    per_category: dict[str, float | None] = {}
    dropped: dict[str, list[str]] = {}
    for cat in categories:
        per_category[cat.key], dropped[cat.key] = _category_breakdown(score_list, cat, late, count_missing)

    counted = [(float(c.weight), per_category[c.key]) for c in categories if per_category[c.key] is not None]
    weight_sum = math.fsum(w for w, _p in counted)
    if weight_sum > 0:
        # each w*p <= w and fsum is correctly rounded, so this stays within [0, 1] without clamping
        percent = math.fsum(w * p for w, p in counted) / weight_sum
    else:
        percent = 0.0
    finals = {s.item: item_final(s, late) for s in score_list}
    return CourseTotal(percent=percent, per_category=per_category, dropped=dropped, finals=finals)


def letter(percent: float, cutoffs: Mapping[str, float]) -> str:
    """The letter of the highest cutoff reached by ``percent``, else ``"F"``.

    ``cutoffs`` maps letters to minimum fractions, e.g.
    ``{"A": 0.9, "B": 0.8, "C": 0.7, "D": 0.6}``. A cutoff is reached when
    ``percent >= cutoff - LETTER_TOLERANCE`` (boundaries are inclusive: exactly
    0.9 is an A, and so is a float-error 0.8999999999999999; 0.8999 is a B).
    ``percent`` is compared unrounded; a caller that displays a rounded
    percentage should not expect e.g. a displayed "90 %" from 0.8996 to be an A.
    An empty ``cutoffs`` gives ``"F"`` for everything.

    Raises :class:`ValueError` for a NaN/infinite ``percent`` or invalid
    ``cutoffs`` (see :func:`policy_validate`).
    """
    _raise_if(_cutoff_problems(cutoffs), "invalid letter cutoffs")
    if not _is_number(percent) or not math.isfinite(percent):
        raise ValueError(f"percent must be a finite number (got {percent!r})")
    best: tuple[float, str] | None = None
    for name, cutoff in cutoffs.items():
        if percent >= cutoff - LETTER_TOLERANCE and (best is None or cutoff > best[0]):
            best = (cutoff, name)
    return best[1] if best is not None else FALLBACK_LETTER


def policy_validate(
    categories: Sequence[Category],
    late: LatePolicy,
    cutoffs: Mapping[str, float] | None = None,
) -> list[str]:
    """Human-readable problems of a grading policy; an empty list means valid.

    Categories: at least one; each ``key`` a non-empty string, unique;
    ``weight`` a finite number ``>= 0``; ``drop_lowest`` an int ``>= 0``; and
    at least one weight ``> 0`` (else every total would be 0).
    Late policy: ``penalty_per_day`` a finite number in ``[0, 1]``;
    ``max_days`` ``None`` or an int ``>= 0``; ``grace_minutes`` an int ``>= 0``.
    Cutoffs (skipped when ``None``): each letter a non-empty string other than
    ``"F"`` (the fallback letter); each cutoff a finite number in ``[0, 1]``;
    no two letters with the same cutoff.
    """
    problems = _category_list_problems(categories) + _late_problems(late)
    if cutoffs is not None:
        problems += _cutoff_problems(cutoffs)
    return problems


# --- internals ------------------------------------------------------------------------


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _raise_if(problems: list[str], what: str) -> None:
    if problems:
        raise ValueError(f"{what}: " + "; ".join(problems))


def _category_problems(cat: Category) -> list[str]:
    problems = []
    if not isinstance(cat.key, str) or not cat.key:
        problems.append(f"category key must be a non-empty string (got {cat.key!r})")
    if not _is_number(cat.weight) or not math.isfinite(cat.weight):
        problems.append(f"category {cat.key!r}: weight must be a finite number (got {cat.weight!r})")
    elif cat.weight < 0:
        problems.append(f"category {cat.key!r}: weight must be >= 0 (got {cat.weight!r})")
    if not _is_count(cat.drop_lowest):
        problems.append(f"category {cat.key!r}: drop_lowest must be an int >= 0 (got {cat.drop_lowest!r})")
    return problems


def _category_list_problems(categories: Sequence[Category]) -> list[str]:
    if not categories:
        return ["there are no categories"]
    problems: list[str] = []
    seen: set[str] = set()
    for cat in categories:
        problems += _category_problems(cat)
        if cat.key in seen:
            problems.append(f"duplicate category key {cat.key!r}")
        seen.add(cat.key)
    weights_ok = all(_is_number(c.weight) and math.isfinite(c.weight) for c in categories)
    if weights_ok and not any(c.weight > 0 for c in categories):
        problems.append("all category weights are 0: every course total would be 0")
    return problems


def _late_problems(late: LatePolicy) -> list[str]:
    problems = []
    p = late.penalty_per_day
    if not _is_number(p) or not math.isfinite(p) or not 0 <= p <= 1:
        problems.append(f"late penalty_per_day must be a number between 0 and 1 (got {p!r})")
    if late.max_days is not None and not _is_count(late.max_days):
        problems.append(f"late max_days must be None or an int >= 0 (got {late.max_days!r})")
    if not _is_count(late.grace_minutes):
        problems.append(f"late grace_minutes must be an int >= 0 (got {late.grace_minutes!r})")
    return problems


def _cutoff_problems(cutoffs: Mapping[str, float]) -> list[str]:
    problems = []
    by_value: dict[float, str] = {}
    for name, cutoff in cutoffs.items():
        if not isinstance(name, str) or not name:
            problems.append(f"cutoff letter must be a non-empty string (got {name!r})")
        elif name == FALLBACK_LETTER:
            problems.append(f"cutoff letter {name!r} is the fallback letter and cannot have a cutoff")
        if not _is_number(cutoff) or not math.isfinite(cutoff) or not 0 <= cutoff <= 1:
            problems.append(f"cutoff for {name!r} must be a number between 0 and 1 (got {cutoff!r})")
            continue
        if cutoff in by_value:
            problems.append(f"letters {by_value[cutoff]!r} and {name!r} have the same cutoff {cutoff!r}")
        else:
            by_value[cutoff] = name
    return problems


def _category_breakdown(
    scores: list[ItemScore], category: Category, late: LatePolicy, count_missing: bool
) -> tuple[float | None, list[str]]:
    """(category percent or None, dropped item keys lowest first) -- see :func:`category_percent`."""
    _raise_if(_category_problems(category) + _late_problems(late), "invalid grading policy")
    counted: list[tuple[str, float, float]] = []  # (item, final, points)
    seen: set[str] = set()
    for s in scores:
        if s.category != category.key:
            continue
        if s.item in seen:
            raise ValueError(f"duplicate item key {s.item!r} in category {category.key!r}")
        seen.add(s.item)
        if s.excused:
            continue
        final = item_final(s, late)
        if final is None:
            if not count_missing:
                continue
            final = 0.0
        counted.append((s.item, final, float(s.points)))
    if not counted:
        return None, []
    n_drop = min(category.drop_lowest, len(counted) - 1)
    # lowest percentage first; ties: more points possible first, then item key
    order = sorted(counted, key=lambda t: (t[1] / t[2], -t[2], t[0]))
    dropped, kept = order[:n_drop], order[n_drop:]
    percent = math.fsum(t[1] for t in kept) / math.fsum(t[2] for t in kept)
    return percent, [t[0] for t in dropped]
