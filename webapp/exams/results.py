"""The exam results certificates ask for (``webapp.certificates.exams.ExamResults``):
an exam is passed when any attempt at it passed (the best attempt counts)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import ExamAttempt


class GradedExamResults:
    """Exam results read from the learners' closed attempts."""

    def passed(self, user_id: int, exam_ids: Collection[int]) -> set[int]:
        """Which of ``exam_ids`` the learner has passed in at least one attempt."""
        if not exam_ids:
            return set()
        return set(
            db.session.scalars(
                select(ExamAttempt.exam_id)
                .where(
                    ExamAttempt.user_id == user_id,
                    ExamAttempt.exam_id.in_(list(exam_ids)),
                    ExamAttempt.passed.is_(True),
                )
                .distinct()
            )
        )
