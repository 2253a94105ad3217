"""The pure parts of graded exams on fixed data with hand-computed answers: marking an
attempt, item analysis, and wrong answer → moment."""

from __future__ import annotations

from webapp.exams.analysis import Item, Sitting, analyse
from webapp.exams.marking import grade, key_of
from webapp.exams.moments import Missed, Moment, moments_to_review
from webapp.grading import Given, Kind

CHOICES = [{"id": 11, "text": "a"}, {"id": 12, "text": "b"}, {"id": 13, "text": "c"}]


def test_grade_sums_points_and_applies_the_pass_mark() -> None:
    single = key_of(Kind.SINGLE, CHOICES, [12], None, 0.0, [])
    multiple = key_of(Kind.MULTIPLE, CHOICES, [11, 13], None, 0.0, [])
    numeric = key_of(Kind.NUMERIC, [], [], 2.5, 0.1, [])
    text = key_of(Kind.TEXT, [], [], None, 0.0, ["Paris"])
    items = [
        (1, single, Given(choices=frozenset({12})), 3.0),  # right: 3
        (2, multiple, Given(choices=frozenset({11})), 2.0),  # one of two: 0
        (3, numeric, Given(number=2.59), 1.5),  # within 0.1: 1.5
        (4, text, None, 1.5),  # unanswered: 0
    ]
    result = grade(items, pass_percent=55)
    # 4.5 of 8 points = 56.25 % ≥ 55 %.
    assert (result.score, result.max_score, result.percent, result.passed) == (
        4.5,
        8.0,
        56.25,
        True,
    )
    assert [(m.right, m.earned) for m in result.marked] == [
        (True, 3.0),
        (False, 0.0),
        (True, 1.5),
        (False, 0.0),
    ]
    assert grade(items, pass_percent=57).passed is False
    assert grade([], pass_percent=0).passed is False  # nothing to mark passes nothing


def test_item_analysis_on_six_attempts() -> None:
    """Six attempts by score 10, 8, 6, 4, 2, 0; thirds of two. Question 1: right in the
    attempts scoring 10, 8, 4 → share 3/6 = 0.5; top 2/2, bottom 0/2 → 1.0. Question 2
    (not drawn by the last attempt): right at 10 and 6 → 2/5 = 0.4; top 1/2, bottom
    0/1 → 0.5. Question 3, never drawn: nothing."""
    sittings = [
        Sitting(4, {1: True, 2: False}),
        Sitting(10, {1: True, 2: True}),
        Sitting(0, {1: False}),
        Sitting(8, {1: True, 2: False}),
        Sitting(2, {1: False, 2: False}),
        Sitting(6, {1: False, 2: True}),
    ]
    assert analyse([1, 2, 3], sittings) == [
        Item(1, 6, 0.5, 1.0),
        Item(2, 5, 0.4, 0.5),
        Item(3, 0, None, None),
    ]


def test_item_analysis_needs_three_attempts_for_discrimination() -> None:
    two = [Sitting(5, {1: True}), Sitting(1, {1: False})]
    assert analyse([1], two) == [Item(1, 2, 0.5, None)]
    # A question the weaker third gets right more often discriminates negatively.
    three = [Sitting(9, {1: False}), Sitting(5, {1: True}), Sitting(1, {1: True})]
    assert analyse([1], three) == [Item(1, 3, round(2 / 3, 4), -1.0)]


def test_wrong_answers_become_moments_once_in_scope_order() -> None:
    missed = [
        Missed(1, "Q1", module_id=7, at_seconds=42.9),
        Missed(2, "Q2", module_id=5, at_seconds=10.0),
        Missed(3, "Q3", module_id=7, at_seconds=42.1),  # same second as Q1: merged
        Missed(1, "Q1", module_id=7, at_seconds=42.9),  # missed again in attempt 2
        Missed(4, "Q4", module_id=None, at_seconds=None),  # no moment linked
        Missed(5, "Q5", module_id=9, at_seconds=None),  # module without a time: its start
    ]
    moments = moments_to_review(missed, module_order=[7, 5])
    assert moments == [
        Moment(7, 42, ("Q1", "Q3")),
        Moment(5, 10, ("Q2",)),
        Moment(9, 0, ("Q5",)),
    ]
    assert [m.label for m in moments] == ["0:42", "0:10", "0:00"]
