"""Exams over the API: the review of an exam's modules (its cohort's members);
scheduling, changing and deleting exams (the back office)."""

from __future__ import annotations

from typing import Annotated

from flask import g
from pydantic import Field

from webapp.access import teaching_cohort_or_404, teaching_exam_or_404
from webapp.api.blueprint import bp
from webapp.api.contract import Input, Output, operation
from webapp.cohorts import queries, services
from webapp.cohorts.api import MAX_ID, ExamOut, Moment, Text, ZoneQuery, refused_as_problem, zone_of
from webapp.cohorts.queries import ReviewItem, ReviewStatus
from webapp.cohorts.review import Range
from webapp.extensions import db
from webapp.models import Cohort, Exam

# --------------------------------------------------------------------------- input and output


class RangeOut(Output):
    """A part of a module still to watch (seconds from the module's start)."""

    start: float
    end: float
    label: str = Field(examples=["1:15–2:30"])

    @classmethod
    def of(cls, part: Range) -> RangeOut:
        """``part``, rounded to milliseconds."""
        return cls(start=round(part.start, 3), end=round(part.end, 3), label=part.label)


class ReviewModuleOut(Output):
    """A module of an exam's scope with what the caller has left to watch."""

    module_id: int
    title: str
    video_id: int
    clip_id: int | None
    duration: float
    status: ReviewStatus
    percent_watched: float
    unwatched: list[RangeOut]

    @classmethod
    def of(cls, item: ReviewItem) -> ReviewModuleOut:
        """The review line of ``item``."""
        module = item.module
        return cls(
            module_id=module.id,
            title=module.title,
            video_id=module.video_id,
            clip_id=module.clip_id,
            duration=round(item.duration, 3),
            status=item.status,
            percent_watched=item.percent_watched,
            unwatched=[RangeOut.of(r) for r in item.unwatched],
        )


class ExamReview(Output):
    """An exam and its modules, least watched first."""

    exam: ExamOut
    modules: list[ReviewModuleOut]


class ExamIn(Input):
    """An exam: title, moment (with its offset) and the modules in scope."""

    title: Text
    starts_at: Moment
    module_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        default_factory=list, max_length=500
    )


class ExamChange(Input):
    """The fields of an exam to change."""

    title: Text | None = None
    starts_at: Moment | None = None
    module_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(
        default=None, max_length=500
    )


class ManagedExamOut(ExamOut):
    """An exam with its modules in scope."""

    module_ids: list[int]

    @classmethod
    def managed(cls, exam: Exam, zone: str) -> ManagedExamOut:
        """``exam`` in ``zone``."""
        return cls(**ExamOut.of(exam, zone).model_dump(), module_ids=services.exam_scope(exam))


# --------------------------------------------------------------------------- routes


@operation(
    bp,
    "GET",
    "/exams/<int:exam_id>/review",
    query=ZoneQuery,
    responses={200: ExamReview},
    errors=(404,),
)
def exam_review_api(exam_id: int, query: ZoneQuery) -> ExamReview:
    """The exam's modules, least watched first, with unwatched ranges (seconds)."""
    exam, _role = queries.exam_or_404(exam_id, g.user)
    cohort = db.session.get(Cohort, exam.cohort_id)
    zone = zone_of(query, cohort.time_zone if cohort is not None else None)
    return ExamReview(
        exam=ExamOut.of(exam, zone),
        modules=[ReviewModuleOut.of(item) for item in queries.exam_review(exam, g.user)],
    )


@operation(
    bp,
    "POST",
    "/cohorts/<int:cohort_id>/exams",
    body=ExamIn,
    responses={201: ManagedExamOut},
    errors=(403, 404),
)
def create_exam(cohort_id: int, body: ExamIn) -> tuple[ManagedExamOut, int]:
    """Schedule an exam of a cohort (admins, the cohort's instructors)."""
    cohort = teaching_cohort_or_404(cohort_id, g.user)
    with refused_as_problem():
        exam = services.add_exam(cohort, body.title, body.starts_at, body.module_ids)
    db.session.commit()
    return ManagedExamOut.managed(exam, cohort.time_zone), 201


@operation(
    bp,
    "PATCH",
    "/exams/<int:exam_id>",
    body=ExamChange,
    responses={200: ManagedExamOut},
    errors=(403, 404),
)
def update_exam(exam_id: int, body: ExamChange) -> ManagedExamOut:
    """Change an exam's title, moment or modules."""
    exam = teaching_exam_or_404(exam_id, g.user)
    cohort = db.session.get_one(Cohort, exam.cohort_id)
    with refused_as_problem():
        services.update_exam(
            exam,
            body.title if body.title is not None else exam.title,
            body.starts_at or exam.starts_at,
            body.module_ids if body.module_ids is not None else services.exam_scope(exam),
        )
    db.session.commit()
    return ManagedExamOut.managed(exam, cohort.time_zone)


@operation(bp, "DELETE", "/exams/<int:exam_id>", responses={204: None}, errors=(403, 404))
def delete_exam(exam_id: int) -> None:
    """Delete an exam."""
    services.delete_exam(teaching_exam_or_404(exam_id, g.user))
    db.session.commit()
