"""Live classes over the API: attendance, check-in and the caller's missed classes;
scheduling, changing and deleting classes and masterclasses (the back office)."""

from __future__ import annotations

from datetime import datetime

from flask import g
from pydantic import Field

from webapp.access import require_admin, teaching_class_or_404, teaching_cohort_or_404
from webapp.api.blueprint import bp
from webapp.api.contract import Input, Output, Timestamp, operation
from webapp.cohorts import queries, services
from webapp.cohorts.api import (
    MAX_ID,
    ClassOut,
    Moment,
    Text,
    ZoneQuery,
    refusal_is_400,
    refused_as_problem,
    zone_of,
)
from webapp.cohorts.queries import MissedClass
from webapp.extensions import db
from webapp.models import Attendance, Cohort, LiveClass
from webapp.models.base import as_utc, utcnow

# --------------------------------------------------------------------------- input and output


class AttendanceMark(Input):
    """An instructor's mark for one learner (source and time are the server's)."""

    user_id: int = Field(ge=1, le=MAX_ID)
    present: bool


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


class ClassIn(Input):
    """A live class (or masterclass). The start carries its offset; it may not be past."""

    title: Text
    starts_at: Moment
    duration_minutes: int = Field(default=60, description="1 to 600.")
    join_url: Text = Field(default="", description="An https:// link, or empty.")
    recording_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    topic_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class ClassChange(Input):
    """The fields of a class to change (``recording_id: null`` detaches the recording)."""

    title: Text | None = None
    starts_at: Moment | None = None
    duration_minutes: int | None = None
    join_url: Text | None = None
    recording_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    topic_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class ManagedClassOut(ClassOut):
    """A class as its managers see it: the join link always, and its topic."""

    join_link: str
    topic_id: int | None

    @classmethod
    def managed(cls, live_class: LiveClass) -> ManagedClassOut:
        """``live_class`` in its cohort's zone (masterclasses: UTC)."""
        cohort = db.session.get(Cohort, live_class.cohort_id) if live_class.cohort_id else None
        zone = cohort.time_zone if cohort is not None else "UTC"
        return cls(
            **ClassOut.of(live_class, zone, utcnow()).model_dump(),
            join_link=live_class.join_url,
            topic_id=live_class.topic_id,
        )


# --------------------------------------------------------------------------- routes


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
    with refusal_is_400():
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
    with refusal_is_400():
        row = services.check_in(live_class, g.user)
    db.session.commit()
    return AttendanceOut.of(row)


@operation(bp, "GET", "/me/missed-classes", query=ZoneQuery, responses={200: MissedClasses})
def my_missed_classes(query: ZoneQuery) -> MissedClasses:
    """Past classes the caller did not attend, with recording and catch-up progress."""
    zone, now = zone_of(query), utcnow()
    return MissedClasses(
        missed_classes=[
            MissedClassOut.of_missed(item, zone, now)
            for item in queries.missed_classes(g.user, now)
        ]
    )


def _given_id(body: Input, name: str, current: int | None) -> int | None:
    """The id sent (``null`` clears it), else the current one."""
    value = getattr(body, name) if name in body.model_fields_set else current
    return value if isinstance(value, int) else None


def _new_class(cohort: Cohort | None, body: ClassIn) -> tuple[ManagedClassOut, int]:
    with refused_as_problem():
        live_class = services.add_class(
            cohort,
            body.title,
            body.starts_at,
            body.duration_minutes,
            body.join_url,
            topic_id=body.topic_id,
            recording_id=body.recording_id,
            by=g.user,
        )
    db.session.commit()
    return ManagedClassOut.managed(live_class), 201


@operation(
    bp,
    "POST",
    "/cohorts/<int:cohort_id>/classes",
    body=ClassIn,
    responses={201: ManagedClassOut},
    errors=(403, 404),
)
def create_class(cohort_id: int, body: ClassIn) -> tuple[ManagedClassOut, int]:
    """Schedule a live class of a cohort (admins, the cohort's instructors)."""
    return _new_class(teaching_cohort_or_404(cohort_id, g.user), body)


@operation(
    bp, "POST", "/masterclasses", body=ClassIn, responses={201: ManagedClassOut}, errors=(403,)
)
def create_masterclass(body: ClassIn) -> tuple[ManagedClassOut, int]:
    """Schedule a public masterclass (admins)."""
    require_admin(g.user)
    return _new_class(None, body)


@operation(
    bp,
    "PATCH",
    "/classes/<int:class_id>",
    body=ClassChange,
    responses={200: ManagedClassOut},
    errors=(403, 404),
)
def update_class(class_id: int, body: ClassChange) -> ManagedClassOut:
    """Change a class (a past one too, e.g. to attach its recording)."""
    live_class = teaching_class_or_404(class_id, g.user)
    with refused_as_problem():
        services.update_class(
            live_class,
            body.title if body.title is not None else live_class.title,
            body.starts_at or live_class.starts_at,
            body.duration_minutes
            if body.duration_minutes is not None
            else live_class.duration_minutes,
            body.join_url if body.join_url is not None else live_class.join_url,
            topic_id=_given_id(body, "topic_id", live_class.topic_id),
            recording_id=_given_id(body, "recording_id", live_class.recording_id),
            by=g.user,
        )
    db.session.commit()
    return ManagedClassOut.managed(live_class)


@operation(bp, "DELETE", "/classes/<int:class_id>", responses={204: None}, errors=(403, 404))
def delete_class(class_id: int) -> None:
    """Delete a class with its attendance; its recording stays a video."""
    services.delete_class(teaching_class_or_404(class_id, g.user))
    db.session.commit()
