"""What the certificate rules know about exam results: the one place to ask.

Learnstream schedules exams but does not grade them yet, so by default no exam is
passed and a rule that requires one is not met ("Pass the exam ‘…’" stays on the
learner's list). A graded-exam feature plugs in by registering its ``ExamResults``
(``use_exam_results(app, results)`` in ``create_app``) and, after committing a result,
calling ``webapp.certificates.events.exam_result_recorded(user_id, exam_id)`` so the
certificate is issued at that moment.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from flask import Flask, current_app

EXTENSION = "exam_results"


class ExamResults(Protocol):
    """A source of exam results."""

    def passed(self, user_id: int, exam_ids: Collection[int]) -> set[int]:
        """Which of ``exam_ids`` the learner has passed."""
        ...


class NoResultsYet:
    """Today's answer: no exam results are recorded, so none is passed."""

    def passed(self, user_id: int, exam_ids: Collection[int]) -> set[int]:
        """None of them."""
        return set()


def use_exam_results(app: Flask, results: ExamResults) -> None:
    """Make ``results`` the app's source of exam results."""
    app.extensions[EXTENSION] = results


def exams_passed(user_id: int, exam_ids: Collection[int]) -> set[int]:
    """Which of ``exam_ids`` the learner has passed, as far as the app knows."""
    if not exam_ids:
        return set()
    results: ExamResults = current_app.extensions.get(EXTENSION) or NoResultsYet()
    return results.passed(user_id, exam_ids)
