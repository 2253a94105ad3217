"""Reads for notes: a learner's notes on one video, and all of them grouped by course.

A video belongs to a course through the course's modules (the whole recording or a clip
of it). Videos in several courses are listed under each; videos in none go to a last
group, "Other videos". Courses of the programs the learner is enrolled in come first, in
program order; the rest follow by title. Inside a course, videos follow the course's
module order; notes follow their time in the video. Four queries whatever the numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select

from webapp.enrolment.membership import active_enrollment
from webapp.extensions import db
from webapp.models import (
    Course,
    CourseModule,
    Enrollment,
    Module,
    Note,
    ProgramCourse,
    Video,
)

OTHER_VIDEOS = "Other videos"


@dataclass
class VideoNotes:
    """One video's notes, by time."""

    video_id: int
    title: str
    duration: float | None
    notes: list[Note] = field(default_factory=list)


@dataclass
class NoteGroup:
    """The videos of one course (``course_id`` None: videos in no course) with notes."""

    course_id: int | None
    title: str
    videos: list[VideoNotes] = field(default_factory=list)

    @property
    def note_count(self) -> int:
        """Notes and bookmarks in the group."""
        return sum(len(v.notes) for v in self.videos)


def notes_for_video(user_id: int, video_id: int) -> list[Note]:
    """The learner's notes and bookmarks on a video, by time."""
    return list(
        db.session.scalars(
            select(Note)
            .where(Note.user_id == user_id, Note.video_id == video_id)
            .order_by(Note.position, Note.id)
        )
    )


def note_of(user_id: int, note_id: int) -> Note | None:
    """The note if ``user_id`` wrote it; None for anyone else's (or none at all)."""
    return db.session.scalar(select(Note).where(Note.id == note_id, Note.user_id == user_id))


def _videos_with_notes(user_id: int) -> dict[int, VideoNotes]:
    rows = db.session.execute(
        select(Note, Video.title, Video.duration)
        .join(Video, Video.id == Note.video_id)
        .where(Note.user_id == user_id)
        .order_by(Note.video_id, Note.position, Note.id)
    ).all()
    videos: dict[int, VideoNotes] = {}
    for note, title, duration in rows:
        entry = videos.get(note.video_id)
        if entry is None:
            entry = videos[note.video_id] = VideoNotes(note.video_id, title, duration)
        entry.notes.append(note)
    return videos


def _course_videos(video_ids: Iterable[int]) -> list[tuple[int, str, int, int]]:
    """``(course_id, course title, video_id, first position in the course)`` rows."""
    ids = sorted(set(video_ids))
    if not ids:
        return []
    first = func.min(CourseModule.position)
    rows = db.session.execute(
        select(Course.id, Course.title, Module.video_id, first)
        .select_from(CourseModule)
        .join(Course, Course.id == CourseModule.course_id)
        .join(Module, Module.id == CourseModule.module_id)
        .where(Module.video_id.in_(ids))
        .group_by(Course.id, Course.title, Module.video_id)
    ).all()
    return [(int(c), t, int(v), int(p)) for c, t, v, p in rows]


def _enrolled_course_order(user_id: int, course_ids: Iterable[int]) -> dict[int, int]:
    """``course_id → rank`` for courses in the learner's programs (enrolment order, then
    the course's place in the program)."""
    ids = sorted(set(course_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(ProgramCourse.course_id)
        .join(Enrollment, Enrollment.program_id == ProgramCourse.program_id)
        .where(Enrollment.user_id == user_id, active_enrollment(), ProgramCourse.course_id.in_(ids))
        .order_by(Enrollment.enrolled_at, Enrollment.id, ProgramCourse.position)
    ).scalars()
    ranks: dict[int, int] = {}
    for course_id in rows:
        ranks.setdefault(course_id, len(ranks))
    return ranks


def grouped_notes(user_id: int, course_id: int | None = None) -> list[NoteGroup]:
    """Every note of the learner, grouped by course then video (see the module doc);
    with ``course_id`` only that course's group (empty list: no notes in it)."""
    videos = _videos_with_notes(user_id)
    memberships = _course_videos(videos)
    titles: dict[int, str] = {}
    in_course: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for cid, title, video_id, position in memberships:
        titles[cid] = title
        in_course[cid].append((position, video_id))
    ranks = _enrolled_course_order(user_id, titles)
    unranked = len(ranks)
    order = sorted(titles, key=lambda cid: (ranks.get(cid, unranked), titles[cid].casefold(), cid))
    groups = [
        NoteGroup(cid, titles[cid], [videos[vid] for _, vid in sorted(in_course[cid])])
        for cid in order
        if course_id is None or cid == course_id
    ]
    if course_id is None:
        placed = {video_id for _, _, video_id, _ in memberships}
        others = [v for vid, v in videos.items() if vid not in placed]
        if others:
            others.sort(key=lambda v: (v.title.casefold(), v.video_id))
            groups.append(NoteGroup(None, OTHER_VIDEOS, others))
    return groups


def course_title(course_id: int) -> str | None:
    """The course's title, None if there is no such course."""
    return db.session.scalar(select(Course.title).where(Course.id == course_id))
