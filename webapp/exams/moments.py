"""Wrong answer → moment (pure): the moments of modules that explain the questions a
learner got wrong, once each, in module order then by time."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from webapp.timefmt import clock


@dataclass(frozen=True)
class Missed:
    """A question answered wrong (or left empty) in a closed attempt, with its link."""

    question_id: int
    prompt: str
    module_id: int | None
    at_seconds: float | None


@dataclass(frozen=True)
class Moment:
    """A moment to rewatch, and the questions it explains."""

    module_id: int
    second: int
    prompts: tuple[str, ...]

    @property
    def label(self) -> str:
        """``m:ss`` of the moment."""
        return clock(self.second)


def moments_to_review(missed: Iterable[Missed], module_order: Iterable[int]) -> list[Moment]:
    """The moments linked to ``missed`` questions, merged per (module, whole second),
    ordered by ``module_order`` (modules not in it last, by id) then by time. A question
    missed in several attempts is listed once."""
    order = {m: i for i, m in enumerate(module_order)}
    found: dict[tuple[int, int], list[str]] = {}
    seen: set[int] = set()
    for item in missed:
        if item.module_id is None or item.question_id in seen:
            continue
        seen.add(item.question_id)
        second = math.floor(item.at_seconds or 0.0)
        found.setdefault((item.module_id, second), []).append(item.prompt)
    keys = sorted(found, key=lambda k: (order.get(k[0], len(order)), k[0], k[1]))
    return [Moment(m, s, tuple(found[(m, s)])) for m, s in keys]
