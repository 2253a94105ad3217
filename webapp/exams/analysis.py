"""Item analysis of an exam's questions (pure).

For each question: the share of attempts that answered it right, and its discrimination
— the share right among the top third of attempts by total score minus the share right
among the bottom third (``n // 3`` attempts each; ties in score are broken by the order
given, so the caller passes attempts in a stable order). Only attempts that drew the
question count for it; a group with no such attempt gives no discrimination.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Sitting:
    """A closed attempt: its total score and, per question drawn, whether it was right."""

    score: float
    right: Mapping[int, bool]


@dataclass(frozen=True)
class Item:
    """The analysis of one question."""

    question_id: int
    answered: int
    share_correct: float | None
    discrimination: float | None


def _share(sittings: Sequence[Sitting], question_id: int) -> float | None:
    seen = [s.right[question_id] for s in sittings if question_id in s.right]
    return sum(seen) / len(seen) if seen else None


def analyse(question_ids: Sequence[int], sittings: Sequence[Sitting]) -> list[Item]:
    """The item analysis of ``question_ids`` over ``sittings``."""
    ranked = sorted(sittings, key=lambda s: -s.score)  # stable: ties keep the given order
    third = len(ranked) // 3
    top, bottom = ranked[:third], ranked[len(ranked) - third :] if third else []
    items = []
    for qid in question_ids:
        answered = sum(1 for s in sittings if qid in s.right)
        high, low = _share(top, qid), _share(bottom, qid)
        spread = round(high - low, 4) if high is not None and low is not None else None
        share = _share(sittings, qid)
        items.append(Item(qid, answered, round(share, 4) if share is not None else None, spread))
    return items
