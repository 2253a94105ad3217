"""Exam results in the path and cohort reports: per learner of the report, the best
result of each graded exam (an exam with a question bank) of the cohorts the report
covers — the same scope as the rest of the report (an instructor sees the exams of the
cohorts they teach), and a CSV column "Exams passed"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Integer, cast, func, select

from webapp.extensions import db
from webapp.models import AttemptStatus, Exam, ExamAttempt, ExamQuestion
from webapp.reports.queries import LearnerRow
from webapp.reports.scope import ReportScope

CSV_COLUMN = "Exams passed"


@dataclass(frozen=True)
class Best:
    """A learner's best closed attempt at an exam."""

    percent: float
    passed: bool


@dataclass
class ExamResults:
    """The graded exams a report covers and each learner's best result."""

    exams: list[Exam]
    best: dict[tuple[int, int], Best] = field(default_factory=dict)
    # Read once: the CSV is written after the audit commit has expired the rows.
    exam_ids: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.exam_ids = [e.id for e in self.exams]

    def cell(self, user_id: int, exam_id: int) -> Best | None:
        """The learner's best result at the exam (None: no closed attempt)."""
        return self.best.get((user_id, exam_id))

    def passed_label(self, row: LearnerRow) -> str:
        """``"1 of 2"``: exams passed of the graded exams the report covers."""
        passed = sum(1 for e in self.exam_ids if (b := self.cell(row.user_id, e)) and b.passed)
        return f"{passed} of {len(self.exam_ids)}"


def exam_results(
    scope: ReportScope, user_ids: Iterable[int], chosen_cohort: int | None = None
) -> ExamResults:
    """The report's graded exams and its learners' best results."""
    cohort_ids = scope.class_cohort_ids(chosen_cohort)
    graded = select(ExamQuestion.exam_id).distinct()
    exams = list(
        db.session.scalars(
            select(Exam)
            .where(Exam.cohort_id.in_(cohort_ids), Exam.id.in_(graded))
            .order_by(Exam.starts_at, Exam.id)
        )
    )
    results = ExamResults(exams)
    users = list(user_ids)
    if not exams or not users:
        return results
    rows = db.session.execute(
        select(
            ExamAttempt.user_id,
            ExamAttempt.exam_id,
            func.max(ExamAttempt.percent),
            func.max(cast(func.coalesce(ExamAttempt.passed, False), Integer)),
        )
        .where(
            ExamAttempt.exam_id.in_(results.exam_ids),
            ExamAttempt.user_id.in_(users),
            ExamAttempt.status != AttemptStatus.OPEN,
        )
        .group_by(ExamAttempt.user_id, ExamAttempt.exam_id)
    )
    for user_id, exam_id, percent, passed in rows:
        results.best[(user_id, exam_id)] = Best(float(percent or 0.0), bool(passed))
    return results
