"""Cohorts over the API: a cohort, its schedule, attendance, check-in, the caller's missed
classes and exam review, and the back office's writes. Times are UTC plus their rendering in
the caller's zone.

This module holds what the routes share (the zone query, the answers a schedule is made of,
the input types, the refusal handlers); the routes are by concern in ``cohorts`` (cohorts,
their schedule and members), ``classes`` (live classes, attendance, check-in, missed
classes) and ``exams`` (exams and their review), registered on the API blueprint by the
import at the end. The back office's writes use the same services and rules as the pages
(``webapp.access``'s teaching section decides who)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, Literal

from flask import request, url_for
from pydantic import BeforeValidator, ConfigDict, Field, field_validator

from webapp.api.contract import Output, Query, Timestamp
from webapp.cohorts import services
from webapp.cohorts.services import CohortError
from webapp.cohorts.timezones import LocalTime, is_valid_zone, localize, viewer_zone
from webapp.cohorts.windows import class_end, join_open
from webapp.extensions import db
from webapp.models import Cohort, CohortRole, Exam, LiveClass
from webapp.models.base import as_utc
from webapp.problems import ApiError, FieldError

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


# --------------------------------------------------------------------------- back-office input


NAIVE_REFUSED = (
    "give the time zone: ISO 8601 with an offset, e.g. 2027-01-20T19:00:00+01:00 or "
    "2027-01-20T18:00:00Z (a time without one is ambiguous)"
)


def _moment(value: object) -> object:
    """ISO 8601 text with an offset (or ``Z``) → aware datetime; a naive time is refused."""
    if not isinstance(value, str):
        raise ValueError("give the time as ISO 8601 text, e.g. 2027-01-20T19:00:00+01:00")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an ISO 8601 date and time: {value[:40]!r}") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(NAIVE_REFUSED)
    return moment


def _day(value: object) -> object:
    """``YYYY-MM-DD`` → date."""
    if not isinstance(value, str):
        raise ValueError("give the date as text, e.g. 2027-01-15")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD): {value[:40]!r}") from None


Moment = Annotated[datetime, BeforeValidator(_moment)]
Day = Annotated[date, BeforeValidator(_day)]
Text = Annotated[str, Field(max_length=10_000)]
RoleName = Literal["learner", "instructor"]


# --------------------------------------------------------------------------- refusals and zones


def zone_of(query: ZoneQuery, fallback: str | None = None) -> str:
    """The caller's zone: ``?tz=``, the profile's, the browser's ``tz`` cookie,
    ``fallback``, UTC (first valid), as the pages choose it."""
    if is_valid_zone(query.tz):
        return query.tz
    return viewer_zone(request, fallback)


@contextmanager
def refusal_is_400() -> Iterator[None]:
    """A service's CohortError (the request broke a cohort rule) answered as a 400 problem."""
    try:
        yield
    except CohortError as exc:
        raise ApiError(400, str(exc)) from None


@contextmanager
def refused_as_problem() -> Iterator[None]:
    """A service's refusal as a 400 (409: already a member) naming the field at fault."""
    try:
        yield
    except CohortError as exc:
        db.session.rollback()
        status = 409 if isinstance(exc, services.MemberExists) else 400
        errors = [FieldError(exc.field, str(exc))] if exc.field else []
        raise ApiError(status, str(exc), errors) from None


# The routes, by concern; they import the shared pieces above.
from webapp.cohorts.api import classes, cohorts, exams  # noqa: E402, F401
