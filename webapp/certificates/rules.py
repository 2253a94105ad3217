"""What earns a certificate, and what is still missing (pure: no Flask, no database).

A program's rule has three parts, every one of which must hold:

* each required module watched to at least ``min_share`` of its duration (the share of
  the union of played ranges, the same measure the heartbeats store);
* at least ``min_classes`` live classes of the program's cohorts attended;
* every required exam passed (what is known about exam results comes from
  ``webapp.certificates.exams``);
* every required project passed (its accepted version scored at least its pass mark,
  ``webapp.projects.queries.projects_passed``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from webapp.i18n import N_

EPSILON = 1e-6  # watched seconds are rounded to milliseconds when stored


@dataclass(frozen=True)
class Rule:
    """A program's rule with its defaults resolved (module ids already expanded)."""

    module_ids: tuple[int, ...]
    min_share: float = 0.9
    min_classes: int = 0
    exam_ids: tuple[int, ...] = ()
    project_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Facts:
    """What is known about one learner, for one program."""

    watched: Mapping[int, float]  # module id -> seconds watched (union of ranges)
    durations: Mapping[int, float]  # module id -> duration in seconds
    module_titles: Mapping[int, str]
    classes_attended: int = 0
    exams_passed: Collection[int] = ()
    exam_titles: Mapping[int, str] = field(default_factory=dict)
    projects_passed: Collection[int] = ()
    project_titles: Mapping[int, str] = field(default_factory=dict)


# One line of what is left: its English template (a catalogue msgid) and its values.
Todo = tuple[str, dict[str, object]]


@dataclass(frozen=True)
class Verdict:
    """Whether the rule is met, and for a learner what is left, one line per item:
    ``missing`` in English (the API's), ``todo`` the same lines as msgid and values for
    the pages, which translate them."""

    met: bool
    missing: tuple[str, ...]
    todo: tuple[Todo, ...] = ()


def _verdict(todo: list[Todo]) -> Verdict:
    return Verdict(not todo, tuple(text % values for text, values in todo), tuple(todo))


def meets_share(watched: float, duration: float, share: float) -> bool:
    """``watched`` seconds are at least ``share`` of ``duration`` (an empty module counts
    as watched: there is nothing to watch)."""
    if duration <= 0:
        return True
    return watched + EPSILON >= share * duration


def crossed(before: float, after: float, duration: float, shares: Collection[float]) -> bool:
    """Did watching grow from ``before`` to ``after`` seconds across any of ``shares``?
    (What the heartbeat writer asks to decide whether a batch may have earned a
    certificate.)"""
    if after <= before:
        return False
    return any(
        not meets_share(before, duration, s) and meets_share(after, duration, s) for s in shares
    )


def _percent(share: float) -> str:
    return f"{round(share * 100):d} %"


def evaluate(rule: Rule, facts: Facts) -> Verdict:
    """Is ``rule`` met by ``facts``; if not, what is missing (in the order of the rule).
    A rule that asks for nothing is never met: a program without content does not
    certify whoever enrols in it."""
    if not (rule.module_ids or rule.min_classes or rule.exam_ids or rule.project_ids):
        nothing = N_("The program has nothing to complete yet")
        return Verdict(False, (nothing,), ((nothing, {}),))
    todo: list[Todo] = []
    for module_id in rule.module_ids:
        watched = facts.watched.get(module_id, 0.0)
        duration = facts.durations.get(module_id, 0.0)
        if not meets_share(watched, duration, rule.min_share):
            title = facts.module_titles.get(module_id, f"module {module_id}")
            done = min(100, int(100 * watched / duration)) if duration > 0 else 0
            todo.append(
                (
                    N_("Watch %(share)s of ‘%(title)s’ (now %(done)s %%)"),
                    {"share": _percent(rule.min_share), "title": title, "done": done},
                )
            )
    if facts.classes_attended < rule.min_classes:
        left = rule.min_classes - facts.classes_attended
        text = (
            N_("Attend %(left)s more live class (%(attended)s of %(required)s)")
            if left == 1
            else N_("Attend %(left)s more live classes (%(attended)s of %(required)s)")
        )
        todo.append(
            (text, {"left": left, "attended": facts.classes_attended, "required": rule.min_classes})
        )
    passed = set(facts.exams_passed)
    for exam_id in rule.exam_ids:
        if exam_id not in passed:
            title = facts.exam_titles.get(exam_id, f"exam {exam_id}")
            todo.append((N_("Pass the exam ‘%(title)s’"), {"title": title}))
    projects_done = set(facts.projects_passed)
    for project_id in rule.project_ids:
        if project_id not in projects_done:
            title = facts.project_titles.get(project_id, f"project {project_id}")
            todo.append((N_("Pass the project ‘%(title)s’"), {"title": title}))
    return _verdict(todo)


def shares_of(percents: Sequence[int]) -> frozenset[float]:
    """Shares (0–1) from stored percentages."""
    return frozenset(p / 100 for p in percents)
