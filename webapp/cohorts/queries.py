"""Reads for cohorts and classes, and who may do what (``*_or_404`` like the clip helpers).

Non-members get 404 for everything cohort-scoped (ids do not leak); members whose role
does not allow an action get 403.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from flask import abort
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from webapp.audiences.decision import locks_for_listing
from webapp.audiences.rules import visible_module_rule
from webapp.cohorts.review import Range, unwatched
from webapp.cohorts.windows import MAX_CLASS_MINUTES, has_ended
from webapp.extensions import db
from webapp.likes import LIKE_ESCAPE, contains
from webapp.models import (
    Attendance,
    Cohort,
    CohortMember,
    CohortRole,
    Exam,
    ExamScope,
    LiveClass,
    Module,
    Program,
    Topic,
    User,
    Video,
    VideoState,
    WatchProgress,
)
from webapp.models.base import utcnow
from webapp.progress.queries import ModuleProgress, module_progress

# ----------------------------------------------------------------------------- permissions


def member_role(cohort_id: int, user: User) -> str | None:
    """``learner``, ``instructor`` or None."""
    return db.session.scalar(
        select(CohortMember.role).where(
            CohortMember.cohort_id == cohort_id, CohortMember.user_id == user.id
        )
    )


def cohort_or_404(cohort_id: int, user: User) -> tuple[Cohort, str | None]:
    """The cohort and the user's role in it, for members and admins; 404 otherwise."""
    cohort = db.session.get(Cohort, cohort_id)
    role = member_role(cohort_id, user) if cohort is not None else None
    if cohort is None or (role is None and not user.is_admin):
        abort(404, "No such cohort.")
    return cohort, role


def class_or_404(class_id: int, user: User) -> tuple[LiveClass, str | None]:
    """A masterclass (any signed-in user), or a cohort class for members and admins."""
    live_class = db.session.get(LiveClass, class_id)
    if live_class is None:
        abort(404, "No such class.")
    if live_class.cohort_id is None:
        return live_class, None
    role = member_role(live_class.cohort_id, user)
    if role is None and not user.is_admin:
        abort(404, "No such class.")
    return live_class, role


def may_teach(live_class: LiveClass, user: User, role: str | None) -> bool:
    """Instructors of the class's cohort and admins (masterclasses: admins only)."""
    return user.is_admin or (live_class.cohort_id is not None and role == CohortRole.INSTRUCTOR)


def require_teacher(live_class: LiveClass, user: User, role: str | None) -> None:
    """403 unless ``user`` teaches this class."""
    if not may_teach(live_class, user, role):
        abort(403, "Only the cohort's instructors (or an admin) may do this.")


def require_learner(live_class: LiveClass, role: str | None) -> None:
    """403 unless the caller attends the class as a learner (anyone, for a masterclass)."""
    if live_class.cohort_id is not None and role != CohortRole.LEARNER:
        abort(403, "Only the cohort's learners check in.")


def exam_or_404(exam_id: int, user: User) -> tuple[Exam, str | None]:
    """The exam, for members of its cohort and admins."""
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        abort(404, "No such exam.")
    _cohort, role = cohort_or_404(exam.cohort_id, user)
    return exam, role


# ----------------------------------------------------------------------------- lists


def classes_of(cohort_id: int) -> list[LiveClass]:
    """The cohort's classes in time order, with their recordings."""
    return list(
        db.session.scalars(
            select(LiveClass)
            .options(joinedload(LiveClass.recording))
            .where(LiveClass.cohort_id == cohort_id)
            .order_by(LiveClass.starts_at, LiveClass.id)
        )
    )


def exams_of(cohort_id: int) -> list[Exam]:
    """The cohort's exams in time order."""
    return list(
        db.session.scalars(
            select(Exam).where(Exam.cohort_id == cohort_id).order_by(Exam.starts_at, Exam.id)
        )
    )


def masterclasses() -> list[LiveClass]:
    """Public masterclasses in time order, with their recordings."""
    return list(
        db.session.scalars(
            select(LiveClass)
            .options(joinedload(LiveClass.recording))
            .where(LiveClass.cohort_id.is_(None))
            .order_by(LiveClass.starts_at, LiveClass.id)
        )
    )


def members_of(cohort_id: int) -> list[CohortMember]:
    """Members with their users: instructors first, then by e-mail."""
    return list(
        db.session.scalars(
            select(CohortMember)
            .join(CohortMember.user)
            .options(selectinload(CohortMember.user))
            .where(CohortMember.cohort_id == cohort_id)
            .order_by(CohortMember.role.desc(), User.email)
        )
    )


def my_cohorts(user: User) -> list[tuple[Cohort, str]]:
    """The cohorts ``user`` belongs to, with their role, newest first."""
    rows = db.session.execute(
        select(Cohort, CohortMember.role)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .options(joinedload(Cohort.program))
        .where(CohortMember.user_id == user.id)
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
    ).all()
    return [(cohort, role) for cohort, role in rows]


def attendance_map(class_ids: Sequence[int]) -> dict[tuple[int, int], bool]:
    """``{(class_id, user_id): present}`` for the given classes (one query)."""
    if not class_ids:
        return {}
    rows = db.session.execute(
        select(Attendance.class_id, Attendance.user_id, Attendance.present).where(
            Attendance.class_id.in_(list(class_ids))
        )
    ).all()
    return {(c, u): bool(p) for c, u, p in rows}


def recording_candidates(user: User) -> list[Video]:
    """READY videos ``user`` may attach as a recording: their own (all, for admins)."""
    query = select(Video).where(Video.state == VideoState.READY)
    if not user.is_admin:
        query = query.where(Video.owner_id == user.id)
    return list(db.session.scalars(query.order_by(Video.id.desc()).limit(200)))


# ----------------------------------------------------------------------------- missed classes


@dataclass(frozen=True)
class RecordingProgress:
    """How much of a recording a learner has watched."""

    watched_seconds: float
    percent: float
    completed: bool


NOTHING_WATCHED = RecordingProgress(0.0, 0.0, False)


@dataclass(frozen=True)
class MissedClass:
    """A past class the learner was not marked present at, and their catch-up progress."""

    live_class: LiveClass
    progress: RecordingProgress | None  # None: no recording attached yet


def recording_progress(user: User, videos: Sequence[Video]) -> dict[int, RecordingProgress]:
    """Progress of ``user`` on whole recordings, keyed by video id (one query)."""
    if not videos:
        return {}
    rows = db.session.scalars(
        select(WatchProgress).where(
            WatchProgress.user_id == user.id,
            WatchProgress.clip_id.is_(None),
            WatchProgress.video_id.in_([v.id for v in videos]),
        )
    ).all()
    by_video = {row.video_id: row for row in rows}
    result = {}
    for video in videos:
        row = by_video.get(video.id)
        if row is None:
            result[video.id] = NOTHING_WATCHED
            continue
        share = 100.0 * row.watched_seconds / video.duration if video.duration else 0.0
        result[video.id] = RecordingProgress(
            round(row.watched_seconds, 3), round(min(100.0, share), 1), row.completed
        )
    return result


def missed_classes(user: User, now: datetime | None = None) -> list[MissedClass]:
    """Ended classes of the user's cohorts (as learner) without an Attendance present=True,
    newest first, with the recording and how much of it they have watched (two queries)."""
    now = now or utcnow()
    present = and_(
        Attendance.class_id == LiveClass.id,
        Attendance.user_id == user.id,
        Attendance.present.is_(True),
    )
    candidates = db.session.scalars(
        select(LiveClass)
        .join(
            CohortMember,
            and_(
                CohortMember.cohort_id == LiveClass.cohort_id,
                CohortMember.user_id == user.id,
                CohortMember.role == CohortRole.LEARNER,
            ),
        )
        .outerjoin(Attendance, present)
        .options(joinedload(LiveClass.recording), joinedload(LiveClass.cohort))
        .where(Attendance.id.is_(None), LiveClass.starts_at < now)
        .order_by(LiveClass.starts_at.desc(), LiveClass.id.desc())
    ).all()
    missed = [c for c in candidates if has_ended(c, now)]
    progress = recording_progress(user, [c.recording for c in missed if c.recording is not None])
    return [
        MissedClass(c, progress[c.recording.id] if c.recording is not None else None)
        for c in missed
    ]


# ----------------------------------------------------------------------------- exam review


ReviewStatus = Literal["not started", "partly watched", "completed"]


@dataclass(frozen=True)
class ReviewItem:
    """A module in an exam's scope, the learner's progress and what is left to watch."""

    module: Module
    progress: ModuleProgress
    duration: float
    unwatched: list[Range]
    locked: str | None = None  # why the learner may not play it yet (audiences)

    @property
    def percent_watched(self) -> float:
        """Share of the module watched, 0–100 (from the unwatched ranges)."""
        if self.duration <= 0:
            return 100.0 if self.progress.completed else 0.0
        left = sum(r.seconds for r in self.unwatched)
        return round(100.0 * (1 - left / self.duration), 1)

    @property
    def status(self) -> ReviewStatus:
        """``not started``, ``partly watched`` or ``completed``."""
        if self.progress.completed or not self.unwatched:
            return "completed"
        return "partly watched" if self.progress.watched_seconds > 0 else "not started"


def exam_review(exam: Exam, user: User) -> list[ReviewItem]:
    """The exam's modules ``user`` may see, least watched first (ties in scope order),
    each with the unwatched ranges of the module and, when locked, why (the audience
    decision, as the library applies it)."""
    modules = list(
        db.session.scalars(
            select(Module)
            .join(ExamScope, ExamScope.module_id == Module.id)
            .options(joinedload(Module.video), joinedload(Module.clip))
            .where(ExamScope.exam_id == exam.id, visible_module_rule(user))
            .order_by(ExamScope.id)
        ).unique()
    )
    progress = module_progress(user.id, modules)
    locks = locks_for_listing(user, modules)
    items = [replace(_review_item(m, progress[m.id]), locked=locks.get(m.id)) for m in modules]
    order = {m.id: i for i, m in enumerate(modules)}
    return sorted(
        items,
        key=lambda i: (i.progress.watched_seconds > 0, i.percent_watched, order[i.module.id]),
    )


def _review_item(module: Module, progress: ModuleProgress) -> ReviewItem:
    duration = _duration(module)
    return ReviewItem(module, progress, duration, unwatched(progress.intervals, duration))


def _duration(module: Module) -> float:
    """The module's length: its own duration, else the clip's or the video's."""
    if module.duration:
        return module.duration
    if module.clip is not None:
        return module.clip.duration
    return module.video.duration or 0.0


def upcoming_classes(user: User, now: datetime | None = None, limit: int = 20) -> list[LiveClass]:
    """Classes of the user's cohorts that have not ended yet, soonest first."""
    now = now or utcnow()
    rows = db.session.scalars(
        select(LiveClass)
        .join(CohortMember, CohortMember.cohort_id == LiveClass.cohort_id)
        .options(joinedload(LiveClass.cohort))
        .where(
            CohortMember.user_id == user.id,
            LiveClass.starts_at >= now - timedelta(minutes=MAX_CLASS_MINUTES),
        )
        .order_by(LiveClass.starts_at, LiveClass.id)
    ).all()
    return [c for c in rows if not has_ended(c, now)][:limit]


# ----------------------------------------------------------------------------- back office


def managed_cohorts(user: User) -> list[Cohort]:
    """Cohorts ``user`` manages: all for admins, those they teach otherwise; newest first."""
    query = select(Cohort).options(joinedload(Cohort.program))
    if not user.is_admin:
        query = query.join(CohortMember, CohortMember.cohort_id == Cohort.id).where(
            CohortMember.user_id == user.id, CohortMember.role == CohortRole.INSTRUCTOR
        )
    return list(db.session.scalars(query.order_by(Cohort.starts_on.desc(), Cohort.id.desc())))


def program_choices() -> list[Program]:
    """Programs a cohort may run, by title."""
    return list(db.session.scalars(select(Program).order_by(Program.title, Program.id)))


def topic_choices() -> list[Topic]:
    """Topics a class may have, by name."""
    return list(db.session.scalars(select(Topic).order_by(Topic.name)))


def member_of(cohort_id: int, user_id: int) -> CohortMember | None:
    """The membership of ``user_id`` in the cohort, if any."""
    return db.session.scalar(
        select(CohortMember)
        .options(joinedload(CohortMember.user))
        .where(CohortMember.cohort_id == cohort_id, CohortMember.user_id == user_id)
    )


SEARCH_LIMIT = 20


def search_people(text: str, cohort_id: int) -> list[User]:
    """Active accounts whose name or e-mail contains ``text`` and who are not members of
    the cohort yet (at most ``SEARCH_LIMIT``)."""
    pattern = contains(text.lower())
    members = select(CohortMember.user_id).where(CohortMember.cohort_id == cohort_id)
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.id.not_in(members),
                or_(
                    func.lower(User.email).like(pattern, escape=LIKE_ESCAPE),
                    func.lower(User.name).like(pattern, escape=LIKE_ESCAPE),
                ),
            )
            .order_by(User.email)
            .limit(SEARCH_LIMIT)
        )
    )


def attendance_count(class_id: int) -> int:
    """How many attendance marks the class has."""
    return (
        db.session.scalar(
            select(func.count()).select_from(Attendance).where(Attendance.class_id == class_id)
        )
        or 0
    )
