"""The details given with a file (title, description, topic, level, tags, listed).

Checked when the upload is opened, with the catalogue's own rules, so that a bad detail
is refused before a byte is sent; held on the upload and then on the video until the
video is READY and has its module, which takes them (``apply_pending``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from webapp.catalogue.services import (
    MAX_DESCRIPTION,
    CatalogueError,
    find_topic,
    is_cohort_recording,
    module_of_video,
    parse_level,
    parse_tags,
)
from webapp.extensions import db
from webapp.models import Video
from webapp.uploads.errors import UploadRejected
from webapp.uploads.rules import clean_title


class DetailsRejected(UploadRejected):
    """One or more details are bad; ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Details:
    """Checked details: what the video and its module will get."""

    title: str
    description: str = ""
    topic_id: int | None = None
    level: str | None = None
    tags: list[str] = field(default_factory=list)
    listed: bool | None = None

    def for_module(self) -> dict[str, Any]:
        """What waits on the video for its module (JSON)."""
        data = asdict(self)
        del data["title"], data["description"]
        return data


def check_details(
    *,
    title: str | None,
    description: str | None = None,
    topic: str | None = None,
    level: str | None = None,
    tags: Sequence[str] | str | None = None,
    listed: bool | None = None,
) -> Details:
    """The details, or DetailsRejected naming every field at fault with its message."""
    errors: dict[str, str] = {}
    clean = ""
    try:
        clean = clean_title(title)
    except UploadRejected as exc:
        errors["title"] = str(exc)
    text = (description or "").strip()
    if len(text) > MAX_DESCRIPTION:
        errors["description"] = f"The description has at most {MAX_DESCRIPTION} characters."
    topic_id = None
    if topic and topic.strip():
        found = find_topic(topic)
        if found is None:
            errors["topic"] = f"There is no topic named “{topic.strip()[:80]}”."
        else:
            topic_id = found.id
    chosen = None
    if level and level.strip():
        try:
            chosen = str(parse_level(level))
        except CatalogueError as exc:
            errors["level"] = _sentence(str(exc))
    tag_list: list[str] = []
    try:
        tag_list = parse_tags(tags)
    except CatalogueError as exc:
        errors["tags"] = _sentence(str(exc))
    if errors:
        raise DetailsRejected(errors)
    return Details(clean, text, topic_id, chosen, tag_list, listed)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + "."


def apply_pending(video_id: int) -> None:
    """Give the video's module the details that came with the upload (once; flush only)."""
    video = db.session.get(Video, video_id)
    if video is None or not video.pending_details:
        return
    module = module_of_video(video_id)
    if module is None:
        return
    pending = video.pending_details
    if pending.get("topic_id") is not None:
        module.topic_id = pending["topic_id"]
    if pending.get("level"):
        module.level = parse_level(pending["level"])
    if pending.get("tags"):
        module.tags = list(pending["tags"])
    # A class recording stays unlisted, whatever the upload said.
    if pending.get("listed") is not None and not is_cohort_recording(video_id):
        module.listed = bool(pending["listed"])
    video.pending_details = None
    db.session.flush()
