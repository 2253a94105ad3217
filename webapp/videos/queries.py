"""Reads of the video manager: the list, what a delete takes with it, the storyboard's
frames a poster can be picked from."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from webapp.extensions import db
from webapp.likes import LIKE_ESCAPE, contains
from webapp.models import (
    Caption,
    Chapter,
    Clip,
    ClipExport,
    Course,
    CourseModule,
    ExamScope,
    LiveClass,
    Module,
    Note,
    User,
    Video,
    VideoState,
    WatchProgress,
)
from webapp.storage import StorageError, get_storage

# A storyboard has up to 300 thumbnails; a radio group of that many helps nobody.
MAX_POSTER_CHOICES = 24
_CUE = re.compile(r"^(\d+):(\d\d):(\d\d)\.(\d{3}) -->")
_TILE = re.compile(r"^([\w.\-]+)#xywh=(\d+),(\d+),(\d+),(\d+)$")


@dataclass(frozen=True)
class VideoFilters:
    """What the list shows: title words, a state, an owner (admins only)."""

    q: str = ""
    state: str = ""
    owner_id: int | None = None


def managed_videos(user: User, filters: VideoFilters) -> list[Video]:
    """The videos ``user`` manages (their own; an admin everyone's), newest first."""
    query: Select = select(Video).order_by(Video.created_at.desc(), Video.id.desc())
    if not user.is_admin:
        query = query.where(Video.owner_id == user.id)
    elif filters.owner_id is not None:
        query = query.where(Video.owner_id == filters.owner_id)
    if filters.q:
        query = query.where(Video.title.ilike(contains(filters.q), escape=LIKE_ESCAPE))
    if filters.state in set(VideoState):
        query = query.where(Video.state == filters.state)
    return list(db.session.scalars(query.limit(500)))


def owners() -> list[User]:
    """Everyone who owns at least one video (the admin's owner filter)."""
    return list(
        db.session.scalars(
            select(User).where(User.id.in_(select(Video.owner_id))).order_by(User.email)
        )
    )


# --------------------------------------------------------------------------- delete


@dataclass(frozen=True)
class Consequences:
    """What deleting a video removes (singular and plural label, count; non-zero only)
    and what stops it."""

    goes: list[tuple[str, str, int]]
    blockers: list[str]


def _count(query: Select) -> int:
    return int(db.session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def class_recordings(video_id: int) -> list[LiveClass]:
    """The live classes whose recording the video is."""
    return list(db.session.scalars(select(LiveClass).where(LiveClass.recording_id == video_id)))


def courses_using(video_id: int) -> list[Course]:
    """The courses that hold one of the video's modules (the whole recording or a clip)."""
    return list(
        db.session.scalars(
            select(Course)
            .join(CourseModule, CourseModule.course_id == Course.id)
            .join(Module, Module.id == CourseModule.module_id)
            .where(Module.video_id == video_id)
            .distinct()
            .order_by(Course.title)
        )
    )


def consequences(video: Video) -> Consequences:
    """Counts of everything that goes with ``video`` and the reasons it is still in use."""
    vid = video.id
    clip_ids = select(Clip.id).where(Clip.video_id == vid)
    module_ids = select(Module.id).where(Module.video_id == vid)
    counts = [
        ("clip", "clips", _count(select(Clip.id).where(Clip.video_id == vid))),
        (
            "catalogue module",
            "catalogue modules",
            _count(select(Module.id).where(Module.video_id == vid)),
        ),
        (
            "caption track",
            "caption tracks",
            _count(select(Caption.id).where(Caption.video_id == vid)),
        ),
        ("chapter", "chapters", _count(select(Chapter.id).where(Chapter.video_id == vid))),
        (
            "note or bookmark",
            "notes and bookmarks",
            _count(select(Note.id).where(Note.video_id == vid)),
        ),
        (
            "learner's progress row",
            "learners' progress rows",
            _count(select(WatchProgress.id).where(WatchProgress.video_id == vid)),
        ),
        (
            "clip export",
            "clip exports",
            _count(select(ClipExport.id).where(ClipExport.clip_id.in_(clip_ids))),
        ),
        (
            "place in a course",
            "places in courses",
            _count(select(CourseModule.id).where(CourseModule.module_id.in_(module_ids))),
        ),
        (
            "place in an exam scope",
            "places in exam scopes",
            _count(select(ExamScope.id).where(ExamScope.module_id.in_(module_ids))),
        ),
    ]
    blockers = [f"It is the recording of the class “{c.title}”." for c in class_recordings(vid)]
    blockers += [f"It is a module of the course “{c.title}”." for c in courses_using(vid)]
    return Consequences([(one, many, n) for one, many, n in counts if n], blockers)


# --------------------------------------------------------------------------- poster


@dataclass(frozen=True)
class Frame:
    """One storyboard thumbnail: its time and where it sits in which sheet."""

    index: int
    at: float
    sheet_key: str
    x: int
    y: int
    w: int
    h: int


def storyboard_frames(video: Video) -> list[Frame]:
    """Every thumbnail of the video's storyboard (empty: none, or the store is down)."""
    if not (video.is_ready and video.hls_prefix and video.storyboard_path):
        return []
    vtt_key = f"{video.hls_prefix}/{video.storyboard_path}"
    try:
        text = get_storage().get_bytes(vtt_key).decode()
    except StorageError:
        return []
    folder = posixpath.dirname(vtt_key)
    frames: list[Frame] = []
    lines = text.splitlines()
    for number, line in enumerate(lines[:-1]):
        cue, tile = _CUE.match(line), _TILE.match(lines[number + 1].strip())
        if cue is None or tile is None:
            continue
        h, m, s, ms = (int(part) for part in cue.groups())
        at = h * 3600 + m * 60 + s + ms / 1000
        x, y, w, hh = (int(tile.group(i)) for i in range(2, 6))
        frames.append(Frame(len(frames), at, f"{folder}/{tile.group(1)}", x, y, w, hh))
    return frames


def poster_choices(frames: list[Frame]) -> list[Frame]:
    """At most MAX_POSTER_CHOICES frames spread evenly over the recording."""
    if len(frames) <= MAX_POSTER_CHOICES:
        return frames
    step = len(frames) / MAX_POSTER_CHOICES
    return [frames[int(i * step)] for i in range(MAX_POSTER_CHOICES)]


def clip_modules(video_id: int) -> list[Module]:
    """The modules of the recording's clips, by title (each has its own audience)."""
    return list(
        db.session.scalars(
            select(Module)
            .where(Module.video_id == video_id, Module.clip_id.is_not(None))
            .order_by(Module.title, Module.id)
        )
    )
