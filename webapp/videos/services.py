"""Writes of the video manager: change a video's details, pick its poster, delete it.
They flush; the caller (page, API) commits once, then lets the storage garbage
collection (``webapp.transcoding.gc``) remove what a delete left behind."""

from __future__ import annotations

import io
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from webapp.audiences import services as audiences
from webapp.audit.events import Kind
from webapp.audit.services import record
from webapp.catalogue import services as catalogue
from webapp.catalogue.services import CatalogueError
from webapp.extensions import db
from webapp.models import Clip, ClipExport, CourseModule, Module, Video
from webapp.storage import StorageError, get_storage
from webapp.transcoding.gc import collect_video
from webapp.videos.errors import VideoError, VideoInUse
from webapp.videos.queries import Frame, class_recordings, consequences

log = logging.getLogger(__name__)

MAX_TITLE = 200  # Video.title is VARCHAR(200)
MAX_DESCRIPTION = catalogue.MAX_DESCRIPTION
# Curation lives on the whole-recording module, which exists once the video is READY.
MODULE_FIELDS = ("topic", "level", "tags", "listed", "free_preview")


class VideoChanges(TypedDict, total=False):
    """Any of: a title, a description (None clears it), a topic name or slug (None or ""
    clears it), a level, tags (a list or one comma-separated string), listed."""

    title: str
    description: str | None
    topic: str | None
    level: str
    tags: Sequence[str] | str | None
    listed: bool
    audience: str
    organisation: str | None
    free_preview: bool


def clean_title(value: str | None) -> str:
    """One trimmed line of at most MAX_TITLE characters, or VideoError."""
    title = " ".join((value or "").split())
    if not title:
        raise VideoError("title", "Give the video a title.")
    if len(title) > MAX_TITLE:
        raise VideoError("title", f"The title is too long (at most {MAX_TITLE} characters).")
    return title


def clean_description(value: str | None) -> str:
    """Trimmed text of at most MAX_DESCRIPTION characters, or VideoError."""
    description = (value or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise VideoError(
            "description", f"The description is too long (at most {MAX_DESCRIPTION} characters)."
        )
    return description


def update_video(video: Video, changes: VideoChanges) -> Video:
    """Change the video's details; topic, level, tags and listed go to its catalogue
    module through the catalogue's own curation (one validation path), and the module's
    copy of title and description follows the video. Raises VideoError (field, message)."""
    if "title" in changes:
        video.title = clean_title(changes["title"])
    if "description" in changes:
        video.description = clean_description(changes["description"])
    if "audience" in changes:
        try:
            audiences.set_video_audience(video, changes["audience"], changes.get("organisation"))
        except audiences.AudienceError as exc:
            raise VideoError("audience", _sentence(str(exc))) from None
    module = catalogue.module_of_video(video.id)
    wanted = [name for name in MODULE_FIELDS if name in changes]
    if wanted and module is None:
        raise VideoError(wanted[0], f"The {wanted[0]} can be set once the video is ready.")
    if module is not None:
        _curate(video, module, changes)
        catalogue.sync_video_module(video)
    db.session.flush()
    return video


def _curate(video: Video, module: Module, changes: VideoChanges) -> None:
    for name in ("topic", "level", "tags"):
        if name not in changes:
            continue
        try:
            catalogue.update_module(module, {name: changes[name]})  # type: ignore[misc]
        except CatalogueError as exc:
            raise VideoError(name, _sentence(str(exc))) from None
    if "listed" in changes:
        listed = bool(changes["listed"])
        if listed and catalogue.is_cohort_recording(video.id):
            raise VideoError("listed", "A cohort's class recording stays unlisted.")
        module.listed = listed
    if "free_preview" in changes:
        audiences.set_module_audience(module, free_preview=bool(changes["free_preview"]), keep=True)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


# --------------------------------------------------------------------------- poster


def poster_key(video_id: int) -> str:
    """A fresh key for a picked poster; its folder is a version the GC keeps while in use."""
    return f"videos/{video_id}/poster/p{secrets.token_hex(6)}/poster.jpg"


def set_poster(video: Video, frame: Frame) -> str:
    """Crop ``frame``'s tile out of its storyboard sheet and make it the poster.

    Works the same on local disk and S3: one small GET of the sheet, Pillow crops in
    memory, one PUT. The old poster's folder is left to the garbage collection (the
    default poster sits inside the ladder's prefix and stays with it).
    """
    storage = get_storage()
    try:
        sheet = Image.open(io.BytesIO(storage.get_bytes(frame.sheet_key)))
        tile = sheet.convert("RGB").crop((frame.x, frame.y, frame.x + frame.w, frame.y + frame.h))
    except (StorageError, UnidentifiedImageError, OSError) as exc:
        raise VideoError("poster", "That frame cannot be read now; try again later.") from exc
    out = io.BytesIO()
    tile.save(out, format="JPEG", quality=90)
    key = poster_key(video.id)
    storage.put_bytes(key, out.getvalue(), content_type="image/jpeg")
    video.poster_key = key
    db.session.flush()
    return key


# --------------------------------------------------------------------------- delete


@dataclass(frozen=True)
class Deleted:
    """What a delete leaves for after the commit: the video's id (for the storage GC),
    and the single objects outside its prefixes (the source of a direct upload, the
    clips' exported files)."""

    video_id: int
    loose_keys: list[str]


def delete_video(video: Video, *, force: bool = False) -> Deleted:
    """Delete the video and everything of it (clips, modules, captions, chapters, notes,
    progress, exports: the database cascades). A class recording or course module is
    refused (VideoInUse) unless ``force``, which first takes it out of them."""
    found = consequences(video)
    if found.blockers and not force:
        raise VideoInUse(found.blockers)
    for live_class in class_recordings(video.id):
        live_class.recording_id = None
    places = select(CourseModule).join(Module).where(Module.video_id == video.id)
    for place in db.session.scalars(places):
        db.session.delete(place)
    export_keys = [
        key
        for key in db.session.scalars(
            select(ClipExport.output_key)
            .join(Clip, Clip.id == ClipExport.clip_id)
            .where(Clip.video_id == video.id)
        )
        if key
    ]
    if video.source_key:
        export_keys.append(video.source_key)
    video_id = video.id
    record(Kind.DELETED, target=video, detail={"forced": bool(found.blockers)})
    db.session.flush()
    db.session.delete(video)
    db.session.flush()
    return Deleted(video_id, export_keys)


def remove_media(deleted: Deleted) -> None:
    """After the commit: the storage garbage collection removes everything under the
    deleted video's prefixes; the loose objects go one by one. Best effort: a store that
    is down leaves files behind, never an error for the user (the rows are gone)."""
    collect_video(deleted.video_id)
    storage = get_storage()
    for key in deleted.loose_keys:
        try:
            storage.delete(key)
        except StorageError:
            log.warning("could not delete %s of deleted video %s", key, deleted.video_id)
