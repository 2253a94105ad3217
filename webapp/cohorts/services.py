"""Writes for cohorts, classes, exams, recordings and attendance; they flush, callers commit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import Select, delete, func, or_, select, update

from webapp.audit.events import Kind
from webapp.audit.services import record
from webapp.certificates.events import attendance_marked
from webapp.cohorts.timezones import is_valid_zone
from webapp.cohorts.windows import (
    CHECK_IN_EARLY,
    check_in_open,
    class_end,
    class_start,
)
from webapp.csvinput import Row
from webapp.extensions import db
from webapp.models import (
    Attendance,
    AttendanceSource,
    Cohort,
    CohortMember,
    CohortRole,
    CourseModule,
    Exam,
    ExamScope,
    LiveClass,
    Module,
    Program,
    ProgramCourse,
    Topic,
    User,
    Video,
)
from webapp.models.base import as_utc, utcnow


class CohortError(ValueError):
    """A write was refused; the message says why (shown to the user, HTTP 400).

    ``field`` names the form field / JSON member at fault, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class MemberExists(CohortError):
    """The person is already a member of the cohort (HTTP 409 on the API)."""


TITLE_MAX = 200
JOIN_URL_MAX = 500
CLASS_MINUTES = (1, 600)


def _title(text: str, field: str = "title") -> str:
    text = (text or "").strip()
    if not text:
        raise CohortError(_("Enter a title."), field)
    if len(text) > TITLE_MAX:
        raise CohortError(
            _("Use at most %(max)d characters (this is %(num)d).", max=TITLE_MAX, num=len(text)),
            field,
        )
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise CohortError(_("Use one line of plain text (no line breaks)."), field)
    return text


def _program(program_slug: str) -> Program:
    program = db.session.scalar(select(Program).where(Program.slug == program_slug))
    if program is None:
        raise CohortError(f"no program with slug {program_slug!r}", "program")
    return program


def _zone(time_zone: str) -> str:
    if not is_valid_zone(time_zone):
        raise CohortError(
            f"unknown time zone {time_zone!r} (use an IANA name like Europe/Berlin)", "time_zone"
        )
    return time_zone


def create_cohort(program_slug: str, name: str, starts_on: date, time_zone: str) -> Cohort:
    """A new run of the program ``program_slug``."""
    program = _program(program_slug)
    cohort = Cohort(
        program_id=program.id,
        name=_title(name, "name"),
        starts_on=starts_on,
        time_zone=_zone(time_zone),
    )
    db.session.add(cohort)
    db.session.flush()
    return cohort


def update_cohort(
    cohort: Cohort, program_slug: str, name: str, starts_on: date, time_zone: str
) -> Cohort:
    """Change a cohort's program, name, start date or zone (its classes keep their instants)."""
    program = _program(program_slug)
    cohort.name = _title(name, "name")
    cohort.time_zone = _zone(time_zone)
    cohort.program_id, cohort.starts_on = program.id, starts_on
    db.session.flush()
    return cohort


@dataclass(frozen=True)
class CohortContents:
    """What goes with a cohort when it is deleted."""

    members: int
    classes: int
    attendance: int
    exams: int
    recordings: int


def cohort_contents(cohort: Cohort) -> CohortContents:
    """Counts of the cohort's members, classes, attendance marks, exams and recordings."""
    class_ids = select(LiveClass.id).where(LiveClass.cohort_id == cohort.id)

    def count(query: Select) -> int:
        return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0

    return CohortContents(
        members=count(select(CohortMember.id).where(CohortMember.cohort_id == cohort.id)),
        classes=count(class_ids),
        attendance=count(select(Attendance.id).where(Attendance.class_id.in_(class_ids))),
        exams=count(select(Exam.id).where(Exam.cohort_id == cohort.id)),
        recordings=count(
            select(LiveClass.id).where(
                LiveClass.cohort_id == cohort.id, LiveClass.recording_id.is_not(None)
            )
        ),
    )


def delete_cohort(cohort: Cohort) -> None:
    """Delete the cohort with its members, classes, attendance and exams. Recordings stay
    as videos of their owners (no longer private to the cohort)."""
    record(Kind.DELETED, target=cohort)
    class_ids = select(LiveClass.id).where(LiveClass.cohort_id == cohort.id)
    exam_ids = select(Exam.id).where(Exam.cohort_id == cohort.id)
    db.session.execute(delete(Attendance).where(Attendance.class_id.in_(class_ids)))
    db.session.execute(delete(LiveClass).where(LiveClass.cohort_id == cohort.id))
    db.session.execute(delete(ExamScope).where(ExamScope.exam_id.in_(exam_ids)))
    db.session.execute(delete(Exam).where(Exam.cohort_id == cohort.id))
    db.session.execute(delete(CohortMember).where(CohortMember.cohort_id == cohort.id))
    db.session.delete(cohort)
    db.session.flush()


def _role(role: CohortRole | str) -> CohortRole:
    try:
        return CohortRole(role)
    except ValueError:
        raise CohortError(
            f"unknown role {str(role)[:40]!r} (use learner or instructor)", "role"
        ) from None


def add_member(cohort: Cohort, user: User, role: CohortRole | str) -> CohortMember:
    """Add ``user`` to the cohort, or change their role if already a member."""
    role = _role(role)
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


def add_member_by_email(cohort: Cohort, email: str, role: CohortRole | str) -> CohortMember:
    """Add the existing account ``email`` with ``role``; refuses unknown accounts, bad roles
    and people who are already members (their role is changed with ``change_role``)."""
    role = _role(role)
    address = (email or "").strip().lower()
    if not address:
        raise CohortError(_("Enter the e-mail address of an existing account."), "email")
    if len(address) > 254:
        raise CohortError(_("An e-mail address has at most 254 characters."), "email")
    user = db.session.scalar(select(User).where(User.email == address))
    if user is None:
        raise CohortError(_("No account has the e-mail address %(email)s.", email=address), "email")
    exists = db.session.scalar(
        select(CohortMember.id).where(
            CohortMember.cohort_id == cohort.id, CohortMember.user_id == user.id
        )
    )
    if exists is not None:
        raise MemberExists(f"{address} is already a member of this cohort.", "email")
    return add_member(cohort, user, role)


def change_role(member: CohortMember, role: CohortRole | str) -> CohortMember:
    """Make a member a learner or an instructor."""
    member.role = _role(role)
    db.session.flush()
    return member


def remove_member(member: CohortMember) -> None:
    """Take a member out of the cohort (their attendance marks stay with the classes); a
    learner's seat goes to the first waitlisted learner."""
    from webapp.enrolment.services import seat_freed

    cohort_id, learner = member.cohort_id, member.role == CohortRole.LEARNER
    db.session.delete(member)
    db.session.flush()
    if learner:
        seat_freed(cohort_id)


@dataclass(frozen=True)
class ImportLine:
    """One line of a member CSV and what became of it."""

    line: int
    email: str
    outcome: str  # added | already a member | no such account | invalid role
    role: str = ""


def import_members(cohort: Cohort, rows: Iterable[Row]) -> list[ImportLine]:
    """Add the rows (``email``, ``role``; role defaults to learner) one by one; a row that
    cannot be added is reported, not fatal."""
    report = []
    for row in rows:
        email, role = row.cells.get("email", ""), row.cells.get("role", "") or "learner"
        try:
            add_member_by_email(cohort, email, role)
            outcome = "added"
        except MemberExists:
            outcome = "already a member"
        except CohortError as exc:
            outcome = "invalid role" if exc.field == "role" else "no such account"
        report.append(ImportLine(row.line, email[:254], outcome, role[:40]))
    return report


def _join_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if (
        parts.scheme != "https"
        or not parts.netloc
        or len(url) > JOIN_URL_MAX
        or any(ch.isspace() or ord(ch) < 32 for ch in url)
    ):
        raise CohortError(
            _(
                "The join link must be an https:// address of at most %(max)d characters.",
                max=JOIN_URL_MAX,
            ),
            "join_url",
        )
    return url


def _minutes(minutes: int) -> int:
    low, high = CLASS_MINUTES
    if not low <= minutes <= high:
        raise CohortError(f"A class lasts {low} to {high} minutes.", "duration_minutes")
    return minutes


def _topic(topic_id: int | None) -> int | None:
    if topic_id is not None and db.session.get(Topic, topic_id) is None:
        raise CohortError(f"no topic with id {topic_id}", "topic_id")
    return topic_id


def _recording(live_class: LiveClass, recording_id: int | None, by: User | None) -> None:
    if recording_id == live_class.recording_id:
        return
    if recording_id is None:
        live_class.recording_id = None
        return
    video = db.session.get(Video, recording_id)
    if video is None:
        raise CohortError(f"no video with id {recording_id}", "recording_id")
    try:
        attach_recording(live_class, video, by)
    except CohortError as exc:
        raise CohortError(str(exc), "recording_id") from None


def _not_past(starts_at: datetime, now: datetime | None) -> datetime:
    starts_at = as_utc(starts_at)
    if starts_at < (now or utcnow()):
        raise CohortError(
            _("That start is in the past: a class in the past cannot be scheduled."), "starts_at"
        )
    return starts_at


def add_class(
    cohort: Cohort | None,
    title: str,
    starts_at: datetime,
    minutes: int,
    join_url: str = "",
    *,
    topic_id: int | None = None,
    recording_id: int | None = None,
    by: User | None = None,
    allow_past: bool = False,
) -> LiveClass:
    """Schedule a live class of ``cohort`` (None: a public masterclass) at ``starts_at``.

    A start in the past is refused unless ``allow_past`` (seed data, test worlds)."""
    title = _title(title)
    start = as_utc(starts_at) if allow_past else _not_past(starts_at, None)
    live_class = LiveClass(
        cohort_id=cohort.id if cohort is not None else None,
        title=title,
        starts_at=start,
        duration_minutes=_minutes(minutes),
        join_url=_join_url(join_url),
        topic_id=_topic(topic_id),
    )
    db.session.add(live_class)
    db.session.flush()
    _recording(live_class, recording_id, by)
    db.session.flush()
    return live_class


def update_class(
    live_class: LiveClass,
    title: str,
    starts_at: datetime,
    minutes: int,
    join_url: str = "",
    *,
    topic_id: int | None = None,
    recording_id: int | None = None,
    by: User | None = None,
) -> LiveClass:
    """Change a class. A past class may be edited (to attach its recording, say); moving a
    class to another start in the past is refused."""
    title = _title(title)
    start = as_utc(starts_at)
    if start != as_utc(live_class.starts_at):
        _not_past(start, None)
    minutes, url, topic = _minutes(minutes), _join_url(join_url), _topic(topic_id)
    _recording(live_class, recording_id, by)
    live_class.title, live_class.starts_at, live_class.duration_minutes = title, start, minutes
    live_class.join_url, live_class.topic_id = url, topic
    db.session.flush()
    return live_class


def delete_class(live_class: LiveClass) -> None:
    """Delete a class and its attendance; its recording stays a video."""
    record(Kind.DELETED, target=live_class)
    db.session.execute(delete(Attendance).where(Attendance.class_id == live_class.id))
    db.session.delete(live_class)
    db.session.flush()


def exam_modules(cohort: Cohort, keep: Iterable[int] = ()) -> list[Module]:
    """Modules an exam of ``cohort`` may cover: those of its program's courses, those of
    its class recordings, every listed module (plus ``keep``, an exam's current scope)."""
    in_program = (
        select(CourseModule.module_id)
        .join(ProgramCourse, ProgramCourse.course_id == CourseModule.course_id)
        .where(ProgramCourse.program_id == cohort.program_id)
    )
    recordings = select(LiveClass.recording_id).where(
        LiveClass.cohort_id == cohort.id, LiveClass.recording_id.is_not(None)
    )
    return list(
        db.session.scalars(
            select(Module)
            .where(
                or_(
                    Module.id.in_(in_program),
                    Module.listed.is_(True),
                    Module.video_id.in_(recordings),
                    Module.id.in_(list(keep)),
                )
            )
            .order_by(Module.title, Module.id)
            .limit(1000)
        )
    )


def _scope(cohort: Cohort, module_ids: Iterable[int], keep: Iterable[int] = ()) -> list[int]:
    ids = list(dict.fromkeys(module_ids))
    if not ids:
        return []
    allowed = {m.id for m in exam_modules(cohort, keep)}
    if any(i not in allowed for i in ids):
        known = set(db.session.scalars(select(Module.id).where(Module.id.in_(ids))))
        missing = [i for i in ids if i not in known]
        if missing:
            raise CohortError(f"no module with id {', '.join(map(str, missing))}", "module_ids")
        raise CohortError(
            _("Pick modules of the cohort's program or listed modules."), "module_ids"
        )
    return ids


def add_exam(cohort: Cohort, title: str, starts_at: datetime, module_ids: Iterable[int]) -> Exam:
    """An exam of the cohort covering the given modules."""
    title = _title(title)
    ids = _scope(cohort, module_ids)
    exam = Exam(cohort_id=cohort.id, title=title, starts_at=as_utc(starts_at))
    db.session.add(exam)
    db.session.flush()
    db.session.add_all(ExamScope(exam_id=exam.id, module_id=i) for i in ids)
    db.session.flush()
    return exam


def exam_scope(exam: Exam) -> list[int]:
    """The exam's module ids in scope order."""
    return list(
        db.session.scalars(
            select(ExamScope.module_id).where(ExamScope.exam_id == exam.id).order_by(ExamScope.id)
        )
    )


def update_exam(exam: Exam, title: str, starts_at: datetime, module_ids: Iterable[int]) -> Exam:
    """Change an exam's title, moment or modules."""
    cohort = db.session.get(Cohort, exam.cohort_id)
    assert cohort is not None
    current = exam_scope(exam)
    title, ids = _title(title), _scope(cohort, module_ids, current)
    exam.title, exam.starts_at = title, as_utc(starts_at)
    if ids != current:
        db.session.execute(delete(ExamScope).where(ExamScope.exam_id == exam.id))
        db.session.flush()
        db.session.add_all(ExamScope(exam_id=exam.id, module_id=i) for i in ids)
    db.session.flush()
    return exam


def delete_exam(exam: Exam) -> None:
    """Delete an exam and its scope."""
    record(Kind.DELETED, target=exam)
    db.session.execute(delete(ExamScope).where(ExamScope.exam_id == exam.id))
    db.session.delete(exam)
    db.session.flush()


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
    attendance_marked(live_class.id, [u for u, present in marks.items() if present])
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
    attendance_marked(live_class.id, [user.id])
    return row
