"""Request and response schemas of the clip, chapter, suggestion, export and clip-progress
routes (``webapp/clips/api.py``)."""

from __future__ import annotations

from typing import Annotated

from flask import url_for
from pydantic import AfterValidator, Field

from webapp.api.contract import Input, Output
from webapp.clips.ranges import MAX_DESCRIPTION, MAX_TITLE, MAX_TOPIC
from webapp.models import Chapter, Clip, ClipExport, JobState, Suggestion, SuggestionStatus

# Seconds on the recording's timeline: a finite number, not negative (integers too).
Seconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Title = Annotated[str, Field(max_length=MAX_TITLE, description="Not blank.")]
Description = Annotated[str | None, Field(max_length=MAX_DESCRIPTION)]
Topic = Annotated[str | None, Field(max_length=MAX_TOPIC)]


def _not_null(value: object) -> object:
    if value is None:
        raise ValueError("may be left out, not null")
    return value


# A field a change may leave out but not set to null.
NewTitle = Annotated[Title | None, AfterValidator(_not_null)]
NewSeconds = Annotated[Seconds | None, AfterValidator(_not_null)]

# ----------------------------------------------------------------------------- inputs


class NewClip(Input):
    """A clip to cut: ``[start, end)`` of the recording, at least half a second."""

    title: Title
    start: Seconds
    end: Seconds
    description: Description = None
    topic: Topic = None


class ClipChange(Input):
    """A clip's new title, description, topic or range (only the fields sent change)."""

    title: NewTitle = None
    start: NewSeconds = None
    end: NewSeconds = None
    description: Description = None
    topic: Topic = None


class NewChapter(Input):
    """A chapter: its title and where it starts."""

    title: Title
    start: Seconds


class ChapterChange(Input):
    """A chapter's new title and/or start."""

    title: NewTitle = None
    start: NewSeconds = None


# ----------------------------------------------------------------------------- outputs


class ClipOut(Output):
    """A clip as a micro-lesson."""

    id: int
    video_id: int
    title: str
    description: str
    topic: str
    start: float
    end: float
    duration: float
    hls_url: str
    watch_url: str
    full_recording_url: str

    @classmethod
    def of(cls, clip: Clip) -> ClipOut:
        """The clip ``clip``."""
        return cls(
            id=clip.id,
            video_id=clip.video_id,
            title=clip.title,
            description=clip.description,
            topic=clip.topic,
            start=clip.start,
            end=clip.end,
            duration=round(clip.duration, 3),
            hls_url=url_for("clips.hls_master", clip_id=clip.id),
            watch_url=url_for("clips.watch", clip_id=clip.id),
            full_recording_url=url_for("playback.watch", video_id=clip.video_id, t=clip.start),
        )


class ClipList(Output):
    """A video's clips."""

    clips: list[ClipOut]


class ChapterOut(Output):
    """A chapter marker."""

    id: int
    video_id: int
    title: str
    start: float

    @classmethod
    def of(cls, chapter: Chapter) -> ChapterOut:
        """The chapter ``chapter``."""
        return cls(
            id=chapter.id, video_id=chapter.video_id, title=chapter.title, start=chapter.start
        )


class ChapterList(Output):
    """A video's chapters in time order."""

    chapters: list[ChapterOut]


class SuggestionOut(Output):
    """A suggested chapter boundary or clip candidate."""

    id: int
    kind: str = Field(description="slide, pause or clip")
    start: float
    end: float | None
    score: float
    label: str
    status: SuggestionStatus

    @classmethod
    def of(cls, item: Suggestion) -> SuggestionOut:
        """The suggestion ``item``."""
        return cls(
            id=item.id,
            kind=item.kind,
            start=item.start,
            end=item.end,
            score=item.score,
            label=item.label,
            status=SuggestionStatus(item.status),
        )


class SuggestionList(Output):
    """A video's pending suggestions."""

    suggestions: list[SuggestionOut]


class Resolution(Output):
    """A resolved suggestion and what accepting it created (a clip or a chapter)."""

    suggestion: SuggestionOut
    clip: ClipOut | None = Field(None, exclude_if=lambda v: v is None)
    chapter: ChapterOut | None = Field(None, exclude_if=lambda v: v is None)


class ExportOut(Output):
    """A clip export job and, once ready, where to download the file."""

    id: int
    state: JobState
    progress: float
    error: str | None
    size_bytes: int | None
    download_url: str | None

    @classmethod
    def of(cls, export: ClipExport) -> ExportOut:
        """The export ``export``."""
        return cls(
            id=export.id,
            state=JobState(export.state),
            progress=export.progress,
            error=export.error,
            size_bytes=export.size_bytes,
            download_url=(
                url_for("clips.download", clip_id=export.clip_id) if export.output_key else None
            ),
        )


class LatestExport(Output):
    """A clip's latest export (null when it was never exported)."""

    export: ExportOut | None


class ClipProgress(Output):
    """The caller's standing on a clip, in seconds from the clip's start."""

    position: float
    watched_seconds: float
    percent: float
    completed: bool


class ClipProgressDetail(ClipProgress):
    """The standing with the watched intervals (what the player's bar draws)."""

    # Numbers as stored (a whole second stays an integer, as before the schema).
    intervals: list[tuple[float | int, float | int]]
