"""The pure rules of projects: the rubric's text form, rubric points, lateness and the
late penalty (no Flask, no database).

A rubric is typed as one criterion per line, its levels after bars, each with its
points::

    Layout | Missing = 0 | Adequate = 3 | Polished = 5
    Copy   | Weak = 0 | Clear = 5

Lateness is counted in started days after the due date (one minute late is one day).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_CRITERIA = 20
MAX_LEVELS = 10
MAX_POINTS = 1000
TITLE_MAX = 200
_LEVEL = re.compile(r"^(?P<title>.+?)\s*=\s*(?P<points>-?\d+)$")


class RubricError(ValueError):
    """A rubric that cannot be used (the message says which line and why)."""


@dataclass(frozen=True)
class LevelSpec:
    """A level of a criterion."""

    title: str
    points: int


@dataclass(frozen=True)
class CriterionSpec:
    """A criterion and its levels, in order."""

    title: str
    levels: tuple[LevelSpec, ...]


def _level(text: str, line_no: int) -> LevelSpec:
    found = _LEVEL.match(text.strip())
    if not found:
        raise RubricError(f"Line {line_no}: write each level as “Name = points”, not “{text}”.")
    points = int(found["points"])
    if not 0 <= points <= MAX_POINTS:
        raise RubricError(f"Line {line_no}: points go from 0 to {MAX_POINTS}.")
    title = found["title"].strip()
    if len(title) > TITLE_MAX:
        raise RubricError(f"Line {line_no}: a level name has at most {TITLE_MAX} characters.")
    return LevelSpec(title, points)


def parse_rubric(text: str) -> tuple[CriterionSpec, ...]:
    """The criteria of a rubric typed as text (see the module's docstring)."""
    criteria: list[CriterionSpec] = []
    for line_no, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        title, *levels = (part.strip() for part in line.split("|"))
        if not title:
            raise RubricError(f"Line {line_no}: start with the criterion's name.")
        if len(title) > TITLE_MAX:
            raise RubricError(f"Line {line_no}: a criterion has at most {TITLE_MAX} characters.")
        if len(levels) < 2:
            raise RubricError(f"Line {line_no}: give “{title}” at least two levels.")
        if len(levels) > MAX_LEVELS:
            raise RubricError(f"Line {line_no}: at most {MAX_LEVELS} levels per criterion.")
        parsed = tuple(_level(level, line_no) for level in levels)
        if len({level.title for level in parsed}) != len(parsed):
            raise RubricError(f"Line {line_no}: two levels of “{title}” have the same name.")
        criteria.append(CriterionSpec(title, parsed))
    if not criteria:
        raise RubricError("Give the rubric at least one criterion.")
    if len(criteria) > MAX_CRITERIA:
        raise RubricError(f"A rubric has at most {MAX_CRITERIA} criteria.")
    if len({c.title for c in criteria}) != len(criteria):
        raise RubricError("Two criteria have the same name.")
    return tuple(criteria)


def rubric_text(criteria: Sequence[CriterionSpec]) -> str:
    """The text form of ``criteria`` (what the edit form shows)."""
    return "\n".join(
        " | ".join([c.title, *(f"{level.title} = {level.points}" for level in c.levels)])
        for c in criteria
    )


def max_points(criteria: Sequence[CriterionSpec]) -> int:
    """The most a submission can score: the best level of every criterion."""
    return sum(max(level.points for level in c.levels) for c in criteria)


def rubric_points(chosen: Mapping[int, int], criterion_ids: Sequence[int]) -> int:
    """The points of the chosen levels (criterion id → the chosen level's points); every
    criterion must have one."""
    missing = [c for c in criterion_ids if c not in chosen]
    if missing:
        raise RubricError(f"Choose a level for every criterion (missing: {missing}).")
    return sum(chosen[c] for c in criterion_ids)


def days_late(submitted_at: datetime, due_at: datetime) -> int:
    """Started days after the due date (0 when on time)."""
    late = submitted_at - due_at
    if late <= timedelta(0):
        return 0
    return math.ceil(late / timedelta(days=1))


def penalty_percent(days: int, percent_per_day: int) -> int:
    """The share of the points lost, capped at 100 %."""
    return min(100, max(0, days) * max(0, percent_per_day))


def final_points(points: int, days: int, percent_per_day: int) -> float:
    """``points`` less the late penalty, rounded to hundredths."""
    return round(points * (100 - penalty_percent(days, percent_per_day)) / 100, 2)


def passed(final: float | None, pass_mark: int) -> bool:
    """A graded submission passes at the pass mark or above."""
    return final is not None and final + 1e-9 >= pass_mark
