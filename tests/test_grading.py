"""Marking answers (webapp/grading.py) on hand-picked cases."""

from __future__ import annotations

import pytest

from webapp.grading import AnswerError, Given, Key, Kind, is_right, parse, points, problems

ABC = frozenset({1, 2, 3})


def test_single_and_multiple_choice() -> None:
    single = Key(Kind.SINGLE, ABC, frozenset({2}))
    assert is_right(single, parse(Kind.SINGLE, {"choice": 2}, ABC))
    assert not is_right(single, parse(Kind.SINGLE, {"choice": 3}, ABC))
    multiple = Key(Kind.MULTIPLE, ABC, frozenset({1, 3}))
    assert is_right(multiple, parse(Kind.MULTIPLE, {"choices": [3, 1]}, ABC))
    assert not is_right(multiple, parse(Kind.MULTIPLE, {"choices": [1]}, ABC))
    assert not is_right(multiple, parse(Kind.MULTIPLE, {"choices": [1, 2, 3]}, ABC))
    assert not is_right(multiple, parse(Kind.MULTIPLE, {"choices": []}, ABC))


def test_numeric_with_tolerance_and_exact_text() -> None:
    pi = Key(Kind.NUMERIC, number=3.14, tolerance=0.01)
    assert is_right(pi, Given(number=3.15)) and is_right(pi, Given(number=3.13))
    assert not is_right(pi, Given(number=3.16))
    assert is_right(Key(Kind.NUMERIC, number=0.3), Given(number=0.1 + 0.2))
    text = Key(Kind.TEXT, texts=("Keyword research", "keywords"))
    assert is_right(text, Given(text="  keyword   RESEARCH "))
    assert not is_right(text, Given(text="keyword"))
    assert not is_right(Key(Kind.TEXT, texts=("",)), Given(text=""))


def test_points_are_all_or_nothing() -> None:
    key = Key(Kind.SINGLE, ABC, frozenset({1}))
    assert points(key, Given(choices=frozenset({1})), 2.5) == 2.5
    assert points(key, Given(choices=frozenset({2})), 2.5) == 0.0
    assert points(key, None, 2.5) == 0.0


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        (Kind.SINGLE, {"choice": 9}),
        (Kind.SINGLE, {"choice": "1"}),
        (Kind.SINGLE, {"choice": True}),
        (Kind.MULTIPLE, {"choices": 1}),
        (Kind.MULTIPLE, {"choices": [1, 9]}),
        (Kind.NUMERIC, {"number": "3"}),
        (Kind.NUMERIC, {"number": float("nan")}),
        (Kind.TEXT, {"text": 4}),
        (Kind.TEXT, {"text": "x" * 501}),
        (Kind.TEXT, {}),
    ],
)
def test_answers_of_the_wrong_shape_are_refused(kind: Kind, raw: dict) -> None:
    with pytest.raises(AnswerError):
        parse(kind, raw, ABC)


def test_problems_of_a_key() -> None:
    assert problems(Key(Kind.SINGLE, ABC, frozenset({1}))) == []
    assert problems(Key(Kind.SINGLE, ABC, frozenset({1, 2}))) == [
        "Mark exactly one choice as right."
    ]
    assert problems(Key(Kind.MULTIPLE, frozenset({1}), frozenset({4}))) == [
        "Give at least two choices.",
        "A right answer must be one of the choices.",
    ]
    assert problems(Key(Kind.NUMERIC)) == ["Give the right number."]
    assert problems(Key(Kind.NUMERIC, number=1, tolerance=-1)) == [
        "The tolerance is a number of 0 or more."
    ]
    assert problems(Key(Kind.TEXT, texts=(" ",))) == ["Give at least one accepted answer."]
