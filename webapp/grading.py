"""Questions with one right answer: their kinds, the shape of an answer, and marking.

Pure (no Flask, no database): in-video quizzes (``webapp/quizzes``) and exam question
banks (``webapp/exams``) store their questions in their own tables and mark answers
here, so "right" means the same everywhere. Choices are named by id (a row id, or an
index where a question keeps its choices in a list).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """How a question is answered."""

    SINGLE = "single"  # one choice
    MULTIPLE = "multiple"  # every right choice and no wrong one
    NUMERIC = "numeric"  # a number within the tolerance
    TEXT = "text"  # one of the accepted texts (case and spacing aside)


class AnswerError(ValueError):
    """An answer of the wrong shape for its question (a 400, never a wrong answer)."""


@dataclass(frozen=True)
class Key:
    """What is right for one question."""

    kind: Kind
    choice_ids: frozenset[int] = frozenset()  # every choice offered
    correct: frozenset[int] = frozenset()  # the right choices
    number: float | None = None
    tolerance: float = 0.0
    texts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Given:
    """A learner's answer, of the shape its question asks for."""

    choices: frozenset[int] = frozenset()
    number: float | None = None
    text: str | None = None


def problems(key: Key) -> list[str]:
    """What is wrong with a question's key, for the instructor's form (empty: fine)."""
    found: list[str] = []
    if key.kind in (Kind.SINGLE, Kind.MULTIPLE):
        if len(key.choice_ids) < 2:
            found.append("Give at least two choices.")
        if not key.correct <= key.choice_ids:
            found.append("A right answer must be one of the choices.")
        if key.kind is Kind.SINGLE and len(key.correct) != 1:
            found.append("Mark exactly one choice as right.")
        if key.kind is Kind.MULTIPLE and not key.correct:
            found.append("Mark at least one choice as right.")
    elif key.kind is Kind.NUMERIC:
        if key.number is None or not math.isfinite(key.number):
            found.append("Give the right number.")
        if not math.isfinite(key.tolerance) or key.tolerance < 0:
            found.append("The tolerance is a number of 0 or more.")
    elif not [t for t in key.texts if normalise(t)]:
        found.append("Give at least one accepted answer.")
    return found


def normalise(text: str) -> str:
    """Text as compared: Unicode-normalised, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def parse(kind: Kind, raw: Mapping[str, object], choice_ids: Collection[int] = ()) -> Given:
    """The answer in ``raw`` (``{"choice": id}``, ``{"choices": [ids]}``,
    ``{"number": x}`` or ``{"text": "..."}`` by kind); AnswerError when it has another
    shape or names a choice the question does not offer."""
    offered = frozenset(choice_ids)
    if kind is Kind.SINGLE:
        choice = raw.get("choice")
        if type(choice) is not int or choice not in offered:
            raise AnswerError("choice must be the id of one of the question's choices")
        return Given(choices=frozenset({choice}))
    if kind is Kind.MULTIPLE:
        choices = raw.get("choices")
        if not isinstance(choices, list) or any(type(c) is not int for c in choices):
            raise AnswerError("choices must be a list of choice ids")
        if not set(choices) <= offered:
            raise AnswerError("choices must be ids of the question's choices")
        return Given(choices=frozenset(choices))
    if kind is Kind.NUMERIC:
        number = raw.get("number")
        if type(number) not in (int, float) or not math.isfinite(float(number)):  # type: ignore[arg-type]
            raise AnswerError("number must be a finite number")
        return Given(number=float(number))  # type: ignore[arg-type]
    text = raw.get("text")
    if not isinstance(text, str) or len(text) > 500:
        raise AnswerError("text must be a string of at most 500 characters")
    return Given(text=text)


def is_right(key: Key, given: Given) -> bool:
    """Is ``given`` the right answer to ``key``?"""
    if key.kind in (Kind.SINGLE, Kind.MULTIPLE):
        return bool(given.choices) and given.choices == key.correct
    if key.kind is Kind.NUMERIC:
        if given.number is None or key.number is None:
            return False
        # A relative epsilon so 0.1 + 0.2 is 0.3 with a tolerance of 0.
        slack = key.tolerance + 1e-9 * max(1.0, abs(key.number))
        return abs(given.number - key.number) <= slack
    accepted = {normalise(t) for t in key.texts}
    return given.text is not None and normalise(given.text) in accepted - {""}


def points(key: Key, given: Given | None, worth: float) -> float:
    """What ``given`` earns of ``worth`` points: all of them when right, else none."""
    return worth if given is not None and is_right(key, given) else 0.0
