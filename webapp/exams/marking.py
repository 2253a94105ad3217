"""Marking an attempt (pure): every question through ``webapp.grading``; no own rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from webapp import grading
from webapp.grading import Given, Key, Kind


@dataclass(frozen=True)
class Marked:
    """One question of an attempt, marked."""

    question_id: int
    right: bool
    earned: float
    worth: float


@dataclass(frozen=True)
class Result:
    """An attempt's result."""

    marked: tuple[Marked, ...]
    score: float
    max_score: float
    percent: float
    passed: bool


def key_of(
    kind: Kind,
    choices: Sequence[Mapping[str, object]],
    correct: Sequence[int],
    number: float | None,
    tolerance: float,
    texts: Sequence[str],
) -> Key:
    """The grading key of a stored question."""
    return Key(
        kind=kind,
        choice_ids=frozenset(int(c["id"]) for c in choices),  # type: ignore[call-overload]
        correct=frozenset(correct),
        number=number,
        tolerance=tolerance,
        texts=tuple(texts),
    )


def grade(items: Sequence[tuple[int, Key, Given | None, float]], pass_percent: float) -> Result:
    """Mark ``(question_id, key, given or None, worth)`` items; the attempt passes when
    its percentage of the points reaches ``pass_percent``."""
    marked = tuple(
        Marked(qid, given is not None and grading.is_right(key, given), earned, worth)
        for qid, key, given, worth in items
        for earned in [grading.points(key, given, worth)]
    )
    score = sum(m.earned for m in marked)
    max_score = sum(m.worth for m in marked)
    percent = round(100.0 * score / max_score, 2) if max_score > 0 else 0.0
    return Result(marked, score, max_score, percent, max_score > 0 and percent >= pass_percent)
