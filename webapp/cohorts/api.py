"""Cohorts over the API: a cohort, its schedule, attendance, check-in, the caller's missed
classes and exam review. Times are UTC plus their rendering in the caller's zone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from flask import g, request, url_for
from pydantic import ConfigDict, Field, field_validator

from webapp.api.blueprint import bp
from webapp.api.contract import Input, Output, Query, Timestamp, operation
from webapp.cohorts import queries, services
from webapp.cohorts.queries import MissedClass, ReviewItem, ReviewStatus
from webapp.cohorts.review import Range
from webapp.cohorts.services import CohortError
from webapp.cohorts.timezones import COOKIE, LocalTime, localize, pick_zone
from webapp.cohorts.windows import class_end, join_open
from webapp.extensions import db
from webapp.models import Attendance, Cohort, CohortRole, Exam, LiveClass
from webapp.models.base import as_utc, utcnow
from webapp.problems import ApiError

MAX_ID = 2**31 - 1  # a PostgreSQL integer column


# --------------------------------------------------------------------------- input


class ZoneQuery(Query):
    """The zone to render times in (``?tz=``, else the ``tz`` cookie, else the cohort's)."""

    # Like the pages, other parameters are ignored (a cache-buster must not break a call).
    model_config = ConfigDict(extra="ignore")

    tz: str | None = Field(
        default=None, description="An IANA zone such as Europe/Berlin; unknown names are ignored."
    )

    @field_validator("tz", mode="before")
    @classmethod
    def _first(cls, value: object) -> object:
        """A repeated ``tz`` counts once, the first (as ``request.args.get`` read it)."""
        return value[0] if isinstance(value, list) else value


class AttendanceMark(Input):
    """An instructor's mark for one learner (source and time are the server's)."""

    user_id: int = Field(ge=1, le=MAX_ID)
    present: bool


# --------------------------------------------------------------------------- output


class LocalTimeOut(Output):
    """An instant as the viewer's clock shows it."""

    local: Timestamp = Field(description="ISO 8601 with the zone's offset.")
    display: str = Field(examples=["Wed 20 Jan 2027, 19:00 CET"])
    zone: str
    abbreviation: str

    @classmethod
    def of(cls, shown: LocalTime) -> LocalTimeOut:
        """``shown`` as the API writes it."""
        return cls(
            local=shown.local,
            display=shown.display,
            zone=shown.zone,
            abbreviation=shown.abbreviation,
        )


class ProgramRef(Output):
    """The program a cohort runs."""

    id: int
    slug: str
    title: str


class CohortOut(Output):
    """A cohort, its program and the caller's role in it."""

    id: int
    name: str
    starts_on: date
    time_zone: str
    program: ProgramRef
    role: CohortRole | None = Field(description="None for an admin who is not a member.")
    schedule_url: str

    @classmethod
    def of(cls, cohort: Cohort, role: str | None) -> CohortOut:
        """``cohort`` seen by a caller with ``role``."""
        program = cohort.program
        return cls(
            id=cohort.id,
            name=cohort.name,
            starts_on=cohort.starts_on,
            time_zone=cohort.time_zone,
            program=ProgramRef(id=program.id, slug=program.slug, title=program.title),
            role=CohortRole(role) if role is not None else None,
            schedule_url=url_for("api.cohort_schedule", cohort_id=cohort.id),
        )


class ClassOut(Output):
    """A live class: UTC times, the rendering in the caller's zone, the join link while open."""

    id: int
    cohort_id: int | None = Field(description="None for a public masterclass.")
    title: str
    starts_at: Timestamp
    ends_at: Timestamp
    duration_minutes: int
    local: LocalTimeOut
    join_url: str | None = Field(description="From 15 minutes before the start to the end.")
    recording_id: int | None

    @classmethod
    def of(cls, live_class: LiveClass, zone: str, now: datetime) -> ClassOut:
        """``live_class`` seen at ``now`` from ``zone``."""
        return cls(
            id=live_class.id,
            cohort_id=live_class.cohort_id,
            title=live_class.title,
            starts_at=as_utc(live_class.starts_at),
            ends_at=class_end(live_class),
            duration_minutes=live_class.duration_minutes,
            local=LocalTimeOut.of(localize(live_class.starts_at, zone)),
            join_url=live_class.join_url if join_open(live_class, now) else None,
            recording_id=live_class.recording_id,
        )


class ExamOut(Output):
    """An exam date and where to review for it."""

    id: int
    title: str
    starts_at: Timestamp
    local: LocalTimeOut
    review_url: str

    @classmethod
    def of(cls, exam: Exam, zone: str) -> ExamOut:
        """``exam`` seen from ``zone``."""
        return cls(
            id=exam.id,
            title=exam.title,
            starts_at=as_utc(exam.starts_at),
            local=LocalTimeOut.of(localize(exam.starts_at, zone)),
            review_url=url_for("api.exam_review_api", exam_id=exam.id),
        )


class Schedule(Output):
    """A cohort's classes and exams in time order."""

    cohort_id: int
    time_zone: str = Field(description="The zone the ``local`` times are in.")
    classes: list[ClassOut]
    exams: list[ExamOut]


class AttendanceOut(Output):
    """One attendance mark."""

    class_id: int
    user_id: int
    present: bool
    source: str = Field(examples=["instructor", "check-in"])
    marked_at: Timestamp

    @classmethod
    def of(cls, row: Attendance) -> AttendanceOut:
        """The mark ``row``."""
        return cls(
            class_id=row.class_id,
            user_id=row.user_id,
            present=row.present,
            source=row.source,
            marked_at=as_utc(row.marked_at),
        )


class RecordingProgressOut(Output):
    """How much of a class recording the caller has watched."""

    watched_seconds: float
    percent: float
    completed: bool


class MissedClassOut(ClassOut):
    """A past class the caller did not attend, with their catch-up progress."""

    recording_progress: RecordingProgressOut | None = Field(
        description="None while no recording is attached."
    )

    @classmethod
    def of_missed(cls, item: MissedClass, zone: str, now: datetime) -> MissedClassOut:
        """``item`` seen at ``now`` from ``zone``."""
        progress = item.progress
        return cls(
            **ClassOut.of(item.live_class, zone, now).model_dump(),
            recording_progress=(
                None
                if progress is None
                else RecordingProgressOut.model_validate(progress, from_attributes=True)
            ),
        )


class MissedClasses(Output):
    """The caller's missed classes, newest first."""

    missed_classes: list[MissedClassOut]


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


# --------------------------------------------------------------------------- routes


def _zone(query: ZoneQuery, fallback: str | None = None) -> str:
    """The caller's zone: ``?tz=``, the ``tz`` cookie, ``fallback``, UTC (first valid)."""
    return pick_zone(query.tz, request.cookies.get(COOKIE), fallback)


@contextmanager
def _refusal_is_400() -> Iterator[None]:
    """A service's CohortError (the request broke a cohort rule) answered as a 400 problem."""
    try:
        yield
    except CohortError as exc:
        raise ApiError(400, str(exc)) from None


@operation(bp, "GET", "/cohorts/<int:cohort_id>", responses={200: CohortOut}, errors=(404,))
def cohort_detail(cohort_id: int) -> CohortOut:
    """A cohort (members and admins)."""
    cohort, role = queries.cohort_or_404(cohort_id, g.user)
    return CohortOut.of(cohort, role)


@operation(
    bp,
    "GET",
    "/cohorts/<int:cohort_id>/schedule",
    query=ZoneQuery,
    responses={200: Schedule},
    errors=(404,),
)
def cohort_schedule(cohort_id: int, query: ZoneQuery) -> Schedule:
    """Classes and exams; times in UTC plus their rendering in the caller's zone.

    The zone is ``?tz=`` or the ``tz`` cookie, else the cohort's zone."""
    cohort, _role = queries.cohort_or_404(cohort_id, g.user)
    zone, now = _zone(query, cohort.time_zone), utcnow()
    return Schedule(
        cohort_id=cohort.id,
        time_zone=zone,
        classes=[ClassOut.of(c, zone, now) for c in queries.classes_of(cohort.id)],
        exams=[ExamOut.of(e, zone) for e in queries.exams_of(cohort.id)],
    )


@operation(
    bp,
    "POST",
    "/classes/<int:class_id>/attendance",
    body=AttendanceMark,
    responses={200: AttendanceOut},
    errors=(403, 404),
)
def class_attendance(class_id: int, body: AttendanceMark) -> AttendanceOut:
    """An instructor marks one learner present or absent."""
    live_class, role = queries.class_or_404(class_id, g.user)
    queries.require_teacher(live_class, g.user, role)
    with _refusal_is_400():
        [row] = services.mark_attendance(live_class, {body.user_id: body.present})
    db.session.commit()
    return AttendanceOut.of(row)


@operation(
    bp,
    "POST",
    "/classes/<int:class_id>/check-in",
    responses={200: AttendanceOut},
    errors=(403, 404),
)
def class_check_in(class_id: int) -> AttendanceOut:
    """The caller checks in (learners of the cohort, from 10 min before start to the end)."""
    live_class, role = queries.class_or_404(class_id, g.user)
    queries.require_learner(live_class, role)
    with _refusal_is_400():
        row = services.check_in(live_class, g.user)
    db.session.commit()
    return AttendanceOut.of(row)


@operation(bp, "GET", "/me/missed-classes", query=ZoneQuery, responses={200: MissedClasses})
def my_missed_classes(query: ZoneQuery) -> MissedClasses:
    """Past classes the caller did not attend, with recording and catch-up progress."""
    zone, now = _zone(query), utcnow()
    return MissedClasses(
        missed_classes=[
            MissedClassOut.of_missed(item, zone, now)
            for item in queries.missed_classes(g.user, now)
        ]
    )


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
    zone = _zone(query, cohort.time_zone if cohort is not None else None)
    return ExamReview(
        exam=ExamOut.of(exam, zone),
        modules=[ReviewModuleOut.of(item) for item in queries.exam_review(exam, g.user)],
    )
