"""Writes for the catalogue: keep modules in step with videos and clips, curate topics,
levels and tags. They flush; the caller commits."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from flask_babel import gettext as _
from sqlalchemy import exists, func, select

from webapp.audit.events import Kind
from webapp.audit.services import record
from webapp.extensions import db
from webapp.models import (
    Clip,
    Course,
    Level,
    LiveClass,
    Module,
    Program,
    Topic,
    Video,
    VideoState,
)

MAX_TOPIC = 80
MAX_DESCRIPTION = 5000
MAX_TAGS = 20
MAX_TAG = 40
_TAG_OK = re.compile(r"^[\w][\w +#.\-]*$", re.UNICODE)


class CatalogueError(ValueError):
    """Bad input for a catalogue write (the API answers 400, the CLI an error)."""


class TopicInUse(CatalogueError):
    """A topic still used by modules, courses, programs or classes (the API's 409)."""


# --------------------------------------------------------------------------- topics


def slugify(name: str) -> str:
    """``"Data Science & AI"`` → ``"data-science-ai"``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def find_topic(name_or_slug: str) -> Topic | None:
    """The topic with this name (any case) or slug."""
    value = (name_or_slug or "").strip()
    if not value:
        return None
    return db.session.scalars(
        select(Topic).where(
            (func.lower(Topic.name) == value.lower()) | (Topic.slug == slugify(value))
        )
    ).first()


def _topic_name(name: str, current: Topic | None = None) -> tuple[str, str]:
    """A valid, unused topic name and its slug (``current`` may keep its own)."""
    name = " ".join((name or "").split())
    if not name:
        raise CatalogueError(_("a topic needs a name"))
    if len(name) > MAX_TOPIC:
        raise CatalogueError(_("a topic name has at most %(max)d characters", max=MAX_TOPIC))
    slug = slugify(name)
    if not slug:
        raise CatalogueError(_("a topic name needs at least one letter or digit"))
    other = find_topic(name)
    if other is not None and other is not current:
        raise CatalogueError(_("topic %(name)s already exists", name=repr(name)))
    return name, slug


def add_topic(name: str) -> Topic:
    """A new topic; its slug is derived from the name."""
    name, slug = _topic_name(name)
    topic = Topic(name=name, slug=slug)
    db.session.add(topic)
    db.session.flush()
    return topic


def rename_topic(topic: Topic, name: str) -> Topic:
    """Rename a topic; its slug follows the new name."""
    topic.name, topic.slug = _topic_name(name, topic)
    db.session.flush()
    return topic


def topic_users(topic: Topic) -> list[str]:
    """What uses the topic, by name (at most a few of each kind)."""
    from_models: list[tuple[str, Any, Any]] = [
        ("module", Module.title, Module.topic_id),
        ("course", Course.title, Course.topic_id),
        ("program", Program.title, Program.topic_id),
        ("live class", LiveClass.title, LiveClass.topic_id),
    ]
    reasons = []
    for kind, title, column in from_models:
        titles = db.session.scalars(
            select(title).where(column == topic.id).order_by(title).limit(6)
        ).all()
        if titles:
            shown = ", ".join(f"‘{t}’" for t in titles[:5])
            more = " and more" if len(titles) > 5 else ""
            reasons.append(f"{kind}s {shown}{more} use it")
    return reasons


def delete_topic(topic: Topic) -> None:
    """Delete a topic nothing uses; TopicInUse names what still does."""
    users = topic_users(topic)
    if users:
        raise TopicInUse(f"topic ‘{topic.name}’ is in use: {'; '.join(users)}")
    record(Kind.DELETED, target=topic)
    db.session.delete(topic)
    db.session.flush()


# --------------------------------------------------------------------------- module sync


def module_of_video(video_id: int) -> Module | None:
    """The whole-recording module of a video, if any."""
    return db.session.scalars(
        select(Module).where(Module.video_id == video_id, Module.clip_id.is_(None))
    ).first()


def module_of_clip(clip_id: int) -> Module | None:
    """The module of a clip, if any."""
    return db.session.scalars(select(Module).where(Module.clip_id == clip_id)).first()


def is_cohort_recording(video_id: int) -> bool:
    """Whether the video is the recording of some cohort's class (never listed publicly)."""
    return (
        db.session.scalar(
            select(LiveClass.id)
            .where(LiveClass.recording_id == video_id, LiveClass.cohort_id.is_not(None))
            .limit(1)
        )
        is not None
    )


def sync_video_module(video: Video) -> Module | None:
    """Create or refresh the module of a READY video: title, description and duration
    come from the video; topic, level, tags and ``listed`` are kept. None if not READY."""
    if video.state != VideoState.READY:
        return None
    module = module_of_video(video.id)
    if module is None:
        module = Module(
            video_id=video.id,
            clip_id=None,
            level=Level.FOUNDATION,
            tags=[],
            listed=not is_cohort_recording(video.id),
            views=0,
            created_at=video.published_at or video.created_at,
        )
        db.session.add(module)
    module.title = video.title
    module.description = video.description or ""
    module.duration = float(video.duration or 0.0)
    db.session.flush()
    return module


def sync_video(video_id: int) -> Module | None:
    """:func:`sync_video_module` by id (the transcode runner's call site)."""
    video = db.session.get(Video, video_id)
    return sync_video_module(video) if video is not None else None


def sync_clip_module(clip: Clip, topics: Mapping[str, int] | None = None) -> Module:
    """Create or refresh the module of a clip.

    Title, description and duration (end − start) come from the clip. The topic comes
    from the clip's topic text when it names a Topic; otherwise a new module has none and
    an existing one keeps whatever an admin set. ``topics`` (lower-cased name or slug →
    id) spares the lookup query in bulk runs.
    """
    module = module_of_clip(clip.id)
    if module is None:
        module = Module(
            clip_id=clip.id,
            level=Level.FOUNDATION,
            tags=[],
            # A clip of a cohort recording is as private as the recording.
            listed=not is_cohort_recording(clip.video_id),
            views=0,
            created_at=clip.created_at,
        )
        db.session.add(module)
    module.video_id = clip.video_id
    module.title = clip.title
    module.description = clip.description or ""
    module.duration = round(float(clip.end) - float(clip.start), 3)
    topic_id = _topic_id_for(clip.topic, topics)
    if topic_id is not None:
        module.topic_id = topic_id
    db.session.flush()
    return module


def _topic_id_for(text: str | None, topics: Mapping[str, int] | None) -> int | None:
    if text is None or not text.strip():
        return None
    if topics is not None:
        key = text.strip().lower()
        return topics.get(key) or topics.get(slugify(text))
    topic = find_topic(text)
    return topic.id if topic is not None else None


def remove_clip_module(clip: Clip) -> None:
    """Delete a clip's module (before the clip itself goes)."""
    module = module_of_clip(clip.id)
    if module is not None:
        record(Kind.DELETED, target=module, detail={"clip_id": clip.id})
        db.session.delete(module)
        db.session.flush()


@dataclass(frozen=True)
class SyncReport:
    """What a backfill created."""

    videos: int
    clips: int


def sync_all() -> SyncReport:
    """Create the missing modules of READY videos and of clips (existing ones untouched)."""
    videos = db.session.scalars(
        select(Video).where(
            Video.state == VideoState.READY,
            ~exists().where(Module.video_id == Video.id, Module.clip_id.is_(None)),
        )
    ).all()
    for video in videos:
        sync_video_module(video)
    clips = db.session.scalars(
        select(Clip).where(~exists().where(Module.clip_id == Clip.id)).order_by(Clip.id)
    ).all()
    topics = _topic_keys()
    for clip in clips:
        sync_clip_module(clip, topics)
    return SyncReport(videos=len(videos), clips=len(clips))


def _topic_keys() -> dict[str, int]:
    keys: dict[str, int] = {}
    for topic in db.session.scalars(select(Topic)):
        keys[topic.name.lower()] = topic.id
        keys[topic.slug] = topic.id
    return keys


# --------------------------------------------------------------------------- curation


def parse_level(value: str) -> Level:
    """A valid level (any case), or CatalogueError listing the choices."""
    if value.strip().lower() not in set(Level):
        raise CatalogueError(f"level must be one of {', '.join(Level)}")
    return Level(value.strip().lower())


def parse_tags(value: Sequence[str] | str | None) -> list[str]:
    """Tags from a list of strings or a comma-separated string: trimmed, lower-cased,
    de-duplicated, at most MAX_TAGS of at most MAX_TAG characters."""
    if value is None:
        return []
    raw = value.split(",") if isinstance(value, str) else value
    tags: list[str] = []
    for item in raw:
        tag = " ".join(item.split()).lower()
        if not tag:
            continue
        if len(tag) > MAX_TAG:
            raise CatalogueError(f"a tag has at most {MAX_TAG} characters")
        if not _TAG_OK.match(tag):
            raise CatalogueError(f"tag {tag!r} may use letters, digits, spaces and + # . -")
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise CatalogueError(f"a module has at most {MAX_TAGS} tags")
    return tags


class ModuleChanges(TypedDict, total=False):
    """What a curator changes: a topic name or slug (None or "" clears it), a level, tags
    (a list or a comma-separated string), a description (None clears it)."""

    topic: str | None
    level: str
    tags: Sequence[str] | str | None
    description: str | None


def update_module(module: Module, changes: ModuleChanges) -> Module:
    """Change topic, level, tags or description (only those: nothing else is settable)."""
    if "topic" in changes:
        module.topic = _topic_from(changes["topic"])
    if "level" in changes:
        module.level = parse_level(changes["level"])
    if "tags" in changes:
        module.tags = parse_tags(changes["tags"])
    if "description" in changes:
        description = changes["description"] or ""
        if len(description) > MAX_DESCRIPTION:
            raise CatalogueError(f"description has at most {MAX_DESCRIPTION} characters")
        module.description = description.strip()
    db.session.flush()
    return module


def _topic_from(value: str | None) -> Topic | None:
    if not value:
        return None
    topic = find_topic(value)
    if topic is None:
        raise CatalogueError(f"no topic named {value!r} (add it first)")
    return topic
