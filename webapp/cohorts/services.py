"""Writes for cohorts, classes, exams, recordings and attendance; they flush, callers commit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from sqlalchemy import select, update

from webapp.cohorts.timezones import is_valid_zone
from webapp.cohorts.windows import (
    CHECK_IN_EARLY,
    MAX_CLASS_MINUTES,
    check_in_open,
    class_end,
    class_start,
)
from webapp.extensions import db
from webapp.models import (
    Attendance,
    AttendanceSource,
    Cohort,
    CohortMember,
    CohortRole,
    Exam,
    ExamScope,
    LiveClass,
    Module,
    Program,
    User,
    Video,
)
from webapp.models.base import as_utc, utcnow


class CohortError(ValueError):
    """A write was refused; the message says why (shown to the user, HTTP 400)."""


def _title(text: str) -> str:
    text = (text or "").strip()
    if not text or len(text) > 200:
        raise CohortError("a title of 1 to 200 characters is required")
    return text


def create_cohort(program_slug: str, name: str, starts_on: date, time_zone: str) -> Cohort:
    """A new run of the program ``program_slug``."""
    program = db.session.scalar(select(Program).where(Program.slug == program_slug))
    if program is None:
        raise CohortError(f"no program with slug {program_slug!r}")
    if not is_valid_zone(time_zone):
        raise CohortError(f"unknown time zone {time_zone!r} (use an IANA name like Europe/Berlin)")
    cohort = Cohort(
        program_id=program.id, name=_title(name), starts_on=starts_on, time_zone=time_zone
    )
    db.session.add(cohort)
    db.session.flush()
    return cohort


def add_member(cohort: Cohort, user: User, role: CohortRole | str) -> CohortMember:
    """Add ``user`` to the cohort, or change their role if already a member."""
    try:
        role = CohortRole(role)
    except ValueError:
        raise CohortError(f"unknown role {role!r} (use learner or instructor)") from None
    member = db.session.scalar(
        select(CohortMember).where(
            CohortMember.cohort_id == cohort.id, CohortMember.user_id == user.id
        )
    )
    if member is None:
        member = CohortMember(cohort_id=cohort.id, user_id=user.id)
        db.session.add(member)
    member.role = role
    db.session.flush()
    return member


def add_class(
    cohort: Cohort | None, title: str, starts_at: datetime, minutes: int, join_url: str = ""
) -> LiveClass:
    """Schedule a live class of ``cohort`` (None: a public masterclass) at ``starts_at``."""
    if not 1 <= minutes <= MAX_CLASS_MINUTES:
        raise CohortError(f"a class lasts 1 to {MAX_CLASS_MINUTES} minutes")
    if join_url and not join_url.startswith(("https://", "http://")):
        raise CohortError("the join link must be an http(s) URL")
    live_class = LiveClass(
        cohort_id=cohort.id if cohort is not None else None,
        title=_title(title),
        starts_at=as_utc(starts_at),
        duration_minutes=minutes,
        join_url=join_url,
    )
    db.session.add(live_class)
    db.session.flush()
    return live_class


def add_exam(cohort: Cohort, title: str, starts_at: datetime, module_ids: Iterable[int]) -> Exam:
    """An exam of the cohort covering the given modules."""
    ids = list(dict.fromkeys(module_ids))
    found = set(db.session.scalars(select(Module.id).where(Module.id.in_(ids)))) if ids else set()
    missing = [i for i in ids if i not in found]
    if missing:
        raise CohortError(f"no module with id {', '.join(map(str, missing))}")
    exam = Exam(cohort_id=cohort.id, title=_title(title), starts_at=as_utc(starts_at))
    db.session.add(exam)
    db.session.flush()
    db.session.add_all(ExamScope(exam_id=exam.id, module_id=i) for i in ids)
    db.session.flush()
    return exam


def attach_recording(live_class: LiveClass, video: Video, by: User | None = None) -> LiveClass:
    """Make ``video`` (READY; owned by ``by`` unless ``by`` is an admin or None, i.e. the
    CLI) the class's recording. A cohort recording is taken out of the public library."""
    if not video.is_ready:
        raise CohortError("only a READY video can be a class recording")
    if by is not None and not by.is_admin and video.owner_id != by.id:
        raise CohortError("pick one of your own recordings")
    live_class.recording_id = video.id
    if live_class.cohort_id is not None:
        # Whole-video modules and modules of its clips: Module.video_id names the recording.
        db.session.execute(update(Module).where(Module.video_id == video.id).values(listed=False))
    db.session.flush()
    return live_class


def learner_ids(cohort_id: int) -> set[int]:
    """Ids of the cohort's learners."""
    return set(
        db.session.scalars(
            select(CohortMember.user_id).where(
                CohortMember.cohort_id == cohort_id,
                CohortMember.role == CohortRole.LEARNER,
            )
        )
    )


def _upsert(
    live_class: LiveClass, user_id: int, present: bool, source: AttendanceSource
) -> Attendance:
    row = db.session.scalar(
        select(Attendance).where(
            Attendance.class_id == live_class.id, Attendance.user_id == user_id
        )
    )
    if row is None:
        row = Attendance(class_id=live_class.id, user_id=user_id)
        db.session.add(row)
    row.present, row.source, row.marked_at = present, source, utcnow()
    return row


def mark_attendance(live_class: LiveClass, marks: Mapping[int, bool]) -> list[Attendance]:
    """Instructor marks: ``{learner_id: present}``; every id must be a learner of the class's
    cohort (masterclasses: any existing user)."""
    if live_class.cohort_id is not None:
        allowed = learner_ids(live_class.cohort_id)
    else:
        allowed = set(db.session.scalars(select(User.id).where(User.id.in_(list(marks)))))
    strangers = set(marks) - allowed
    if strangers:
        raise CohortError(f"not a learner of this class: {sorted(strangers)}")
    existing = {
        row.user_id: row
        for row in db.session.scalars(
            select(Attendance).where(
                Attendance.class_id == live_class.id, Attendance.user_id.in_(list(marks))
            )
        )
    }
    rows = []
    for user_id, present in marks.items():
        row = existing.get(user_id) or Attendance(class_id=live_class.id, user_id=user_id)
        row.present, row.source, row.marked_at = present, AttendanceSource.INSTRUCTOR, utcnow()
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    return rows


def check_in(live_class: LiveClass, user: User, now: datetime | None = None) -> Attendance:
    """A learner's own check-in, allowed from 10 minutes before the start to the end."""
    now = now or utcnow()
    if not check_in_open(live_class, now):
        opens = class_start(live_class) - CHECK_IN_EARLY
        raise CohortError(
            "check-in is open only from 10 minutes before the class until it ends "
            f"({opens:%Y-%m-%d %H:%M} to {class_end(live_class):%H:%M} UTC)"
        )
    row = _upsert(live_class, user.id, True, AttendanceSource.CHECK_IN)
    db.session.flush()
    return row
