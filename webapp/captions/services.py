"""Writes for caption tracks: store, relabel, make default, delete. They flush; the caller
commits, then deletes the storage keys they hand back (never before the commit, so a
failed request leaves the current file in place)."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update

from webapp.captions.errors import CaptionError
from webapp.captions.languages import clean_label, normalize_tag
from webapp.captions.parsing import CaptionTrack, parse_caption_file
from webapp.captions.queries import caption_of
from webapp.extensions import db
from webapp.models import Caption, CaptionCue, CaptionFormat, User, Video
from webapp.storage import check_key, get_storage


def storage_key(video_id: int, language: str, version: int) -> str:
    """Where a version of a track is stored."""
    return check_key(f"captions/{video_id}/{language}-{version}.vtt")


def store_caption(
    video: Video,
    author: User,
    language: str | None,
    label: str | None,
    data: bytes,
    filename: str | None = None,
    make_default: bool = False,
) -> tuple[Caption, bool, str | None]:
    """Validate an uploaded file and make it ``video``'s track in ``language`` (a new one,
    or the next version of the existing one). Returns the track, whether it is new, and
    the storage key of the version it replaced (to delete after the commit)."""
    tag = normalize_tag(language)
    label_text = clean_label(label, tag)
    if video.duration is None:
        raise CaptionError("the recording has no known duration yet: add captions once it is ready")
    track = parse_caption_file(data, video.duration, filename)
    caption = caption_of(video.id, tag)
    created = caption is None
    previous_key = None if caption is None else caption.storage_key
    if caption is None:
        has_default = db.session.scalar(
            select(Caption.id).where(Caption.video_id == video.id, Caption.is_default).limit(1)
        )
        caption = Caption(video_id=video.id, language=tag, version=1, is_default=not has_default)
        db.session.add(caption)
    else:
        caption.version += 1
    caption.label = label_text
    caption.source_format = CaptionFormat(track.source_format)
    caption.cue_count = len(track.cues)
    caption.uploaded_by = author.id
    caption.storage_key = storage_key(video.id, tag, caption.version)
    get_storage().put_bytes(caption.storage_key, track.to_vtt().encode(), "text/vtt")
    db.session.flush()
    _replace_cues(caption, track)
    if make_default:
        set_default(caption)
    return caption, created, previous_key


def _replace_cues(caption: Caption, track: CaptionTrack) -> None:
    db.session.execute(delete(CaptionCue).where(CaptionCue.caption_id == caption.id))
    rows = [
        {
            "caption_id": caption.id,
            "video_id": caption.video_id,
            "start": cue.start,
            "end": cue.end,
            "text": cue.plain,
        }
        for cue in track.cues
    ]
    db.session.execute(insert(CaptionCue), rows)
    db.session.flush()


def set_default(caption: Caption) -> Caption:
    """Make ``caption`` its video's default track (the one shown when the learner's
    language has no track, and in the transcript while captions are off)."""
    db.session.execute(
        update(Caption)
        .where(Caption.video_id == caption.video_id, Caption.id != caption.id)
        .values(is_default=False)
        .execution_options(synchronize_session="fetch")
    )
    caption.is_default = True
    db.session.flush()
    return caption


def relabel(caption: Caption, label: str | None) -> Caption:
    """Change the name shown in the caption menu (empty: the language's own name)."""
    caption.label = clean_label(label, caption.language)
    db.session.flush()
    return caption


def delete_caption(caption: Caption) -> str:
    """Delete a track and its cues; returns its storage key (to delete after the commit).
    If it was the default, the oldest remaining track becomes the default."""
    key = caption.storage_key
    video_id, was_default = caption.video_id, caption.is_default
    db.session.execute(delete(CaptionCue).where(CaptionCue.caption_id == caption.id))
    db.session.delete(caption)
    db.session.flush()
    if was_default:
        successor = db.session.scalar(
            select(Caption).where(Caption.video_id == video_id).order_by(Caption.id).limit(1)
        )
        if successor is not None:
            set_default(successor)
    return key


def discard_objects(keys: list[str | None]) -> None:
    """Delete replaced or deleted track files (after the commit)."""
    storage = get_storage()
    for key in keys:
        if key:
            storage.delete(key)
