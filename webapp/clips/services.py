"""Writes for clips, chapters, suggestions and exports; they flush, the caller commits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from transcoder import analysis
from webapp.catalogue.services import remove_clip_module, sync_clip_module
from webapp.clips import ranges
from webapp.extensions import db
from webapp.models import (
    Chapter,
    Clip,
    ClipExport,
    JobState,
    Suggestion,
    SuggestionStatus,
    User,
    Video,
)


class ClipValues(TypedDict, total=False):
    """A clip's fields as sent (a change names only some); types are already checked."""

    title: str | None
    description: str | None
    topic: str | None
    start: float
    end: float


class ChapterValues(TypedDict, total=False):
    """A chapter's fields as sent (a change names only some)."""

    title: str | None
    start: float


def _clip_values(values: ClipValues, video: Video, current: Clip | None) -> dict:
    """Checked clip fields: ``values`` over the current ones (no other field is read)."""
    merged: ClipValues = {}
    if current is not None:
        merged = {
            "title": current.title,
            "description": current.description,
            "topic": current.topic,
            "start": current.start,
            "end": current.end,
        }
    merged.update(values)
    start, end = ranges.clip_range(merged["start"], merged["end"], video.duration)
    return {
        "title": ranges.text(merged.get("title"), "title", ranges.MAX_TITLE, required=True),
        "description": ranges.text(
            merged.get("description"), "description", ranges.MAX_DESCRIPTION, required=False
        ),
        "topic": ranges.text(merged.get("topic"), "topic", ranges.MAX_TOPIC, required=False),
        "start": start,
        "end": end,
    }


def create_clip(video: Video, author: User, values: ClipValues) -> Clip:
    """A new clip of a READY video: one row, playable at once (no encoding)."""
    if not video.is_ready:
        raise ranges.BadInput("clips can be cut only from a ready recording")
    clip = Clip(video_id=video.id, created_by=author.id, **_clip_values(values, video, None))
    db.session.add(clip)
    db.session.flush()
    sync_clip_module(clip)
    return clip


def update_clip(clip: Clip, changes: ClipValues) -> Clip:
    """Change title, description, topic or range."""
    for key, value in _clip_values(changes, clip.video, clip).items():
        setattr(clip, key, value)
    db.session.flush()
    sync_clip_module(clip)
    return clip


def delete_clip(clip: Clip) -> list[str]:
    """Delete a clip; returns the storage keys of its exports to remove."""
    keys = [
        e.output_key
        for e in db.session.scalars(db.select(ClipExport).where(ClipExport.clip_id == clip.id))
        if e.output_key
    ]
    remove_clip_module(clip)
    db.session.delete(clip)
    db.session.flush()
    return keys


def create_chapter(video: Video, values: ChapterValues) -> Chapter:
    """A chapter (title + start)."""
    chapter = Chapter(
        video_id=video.id,
        title=ranges.text(values.get("title"), "title", ranges.MAX_TITLE, required=True),
        start=ranges.chapter_start(values["start"], video.duration),
    )
    db.session.add(chapter)
    db.session.flush()
    return chapter


def update_chapter(chapter: Chapter, video: Video, changes: ChapterValues) -> Chapter:
    """Rename and/or move a chapter."""
    if "title" in changes:
        chapter.title = ranges.text(changes["title"], "title", ranges.MAX_TITLE, required=True)
    if "start" in changes:
        chapter.start = ranges.chapter_start(changes["start"], video.duration)
    db.session.flush()
    return chapter


def delete_chapter(chapter: Chapter) -> None:
    """Remove a chapter."""
    db.session.delete(chapter)
    db.session.flush()


def chapter_end(chapter: Chapter, video: Video) -> float:
    """Where a chapter ends: the next chapter's start, else the end of the video."""
    later = [
        c.start
        for c in db.session.scalars(db.select(Chapter).where(Chapter.video_id == video.id))
        if c.start > chapter.start
    ]
    return min(later) if later else float(video.duration or chapter.start)


def clip_from_chapter(chapter: Chapter, video: Video, author: User) -> Clip:
    """One action: the chapter's span becomes a clip with the chapter's title."""
    return create_clip(
        video,
        author,
        {"title": chapter.title, "start": chapter.start, "end": chapter_end(chapter, video)},
    )


def replace_suggestions(video_id: int, found: Iterable[analysis.Suggestion]) -> None:
    """Store the transcode pass's suggestions, replacing the pending ones."""
    db.session.execute(
        db.delete(Suggestion).where(
            Suggestion.video_id == video_id,
            Suggestion.status == SuggestionStatus.PENDING.value,
        )
    )
    for item in found:
        db.session.add(
            Suggestion(
                video_id=video_id,
                kind=item.kind,
                start=item.start,
                end=item.end,
                score=item.score,
                label=item.label[:200],
                status=SuggestionStatus.PENDING.value,
            )
        )
    db.session.flush()


def resolve_suggestion(
    suggestion: Suggestion, video: Video, author: User, accept: bool
) -> Clip | Chapter | None:
    """Accept (→ a chapter, or a clip for clip candidates) or discard a suggestion."""
    if suggestion.status != SuggestionStatus.PENDING:
        raise ranges.BadInput(f"this suggestion was already {suggestion.status}")
    suggestion.status = (SuggestionStatus.ACCEPTED if accept else SuggestionStatus.DISCARDED).value
    created: Clip | Chapter | None = None
    if accept and suggestion.kind == "clip":
        if suggestion.end is None:
            raise ranges.BadInput("this clip candidate has no end")
        created = create_clip(
            video,
            author,
            {
                "title": suggestion.label or "Suggested clip",
                "start": suggestion.start,
                "end": suggestion.end,
            },
        )
    elif accept:
        created = create_chapter(
            video, {"title": suggestion.label or "Chapter", "start": suggestion.start}
        )
    db.session.flush()
    return created


def request_export(clip: Clip) -> ClipExport:
    """A QUEUED export job, unless one is already queued or running (then that one)."""
    existing = db.session.scalars(
        db.select(ClipExport).where(
            ClipExport.clip_id == clip.id,
            ClipExport.state.in_([JobState.QUEUED, JobState.RUNNING]),
        )
    ).first()
    if existing is not None:
        return existing
    export = ClipExport(clip_id=clip.id, state=JobState.QUEUED, progress=0.0, attempts=0)
    db.session.add(export)
    db.session.flush()
    return export
