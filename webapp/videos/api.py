"""API routes of the video manager: change a video's details, delete it. The contract
(kept stable): ``PATCH /api/v1/videos/<id>`` answers the video as ``GET`` does;
``DELETE`` answers 204, or 409 when it is a class recording or a course module unless
``?force=true``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask import g
from pydantic import AfterValidator, Field

from webapp import jobs
from webapp.access import can_manage, can_view
from webapp.api.blueprint import bp
from webapp.api.contract import Input, Query, operation
from webapp.extensions import db
from webapp.models import Video
from webapp.playback.schemas import VideoOut
from webapp.problems import ApiError, FieldError
from webapp.videos import services
from webapp.videos.errors import VideoError, VideoInUse


def _not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("may be left out, not null")
    return value


AudienceName = Literal["open", "program", "cohort", "instructors", "organisation"]


class VideoChange(Input):
    """Any of the video's details; fields left out stay as they are."""

    title: Annotated[str | None, AfterValidator(_not_null)] = Field(
        None, description="1 to 200 characters, one line; may be left out, not null."
    )
    description: str | None = Field(None, description="Up to 5000 characters; null clears it.")
    topic: str | None = Field(None, description="A topic's name or slug; null or empty clears it.")
    level: Annotated[str | None, AfterValidator(_not_null)] = Field(
        None, description="foundation, intermediate or advanced; may be left out, not null."
    )
    tags: list[str] | None = Field(
        None, description="At most 20 tags of at most 40 characters; null or [] clears them."
    )
    listed: Annotated[bool | None, AfterValidator(_not_null)] = Field(
        None, description="Listed in the library; may be left out, not null."
    )
    audience: Annotated[AudienceName | None, AfterValidator(_not_null)] = Field(
        None,
        description="Who may watch it: open, program, cohort, instructors or organisation "
        "(docs/api.md, Audiences); may be left out, not null.",
    )
    organisation: str | None = Field(
        None,
        max_length=120,
        description="With audience organisation: the slug of the organisation whose members "
        "may watch it (left out: the one it already belongs to).",
    )
    free_preview: Annotated[bool | None, AfterValidator(_not_null)] = Field(
        None,
        description="Its module is a free preview (anyone signed in, no enrolment or "
        "prerequisites); may be left out, not null.",
    )


class DeleteOptions(Query):
    """``force=true`` takes the video out of its classes and courses first."""

    force: bool = False


def _managed(video_id: int) -> Video:
    video = db.session.get(Video, video_id)
    if video is None or not can_view(g.user, video):
        raise ApiError(404, "No such video.")
    if not can_manage(g.user, video):
        raise ApiError(403, "Only the video's instructor or an admin may change it.")
    return video


@operation(
    bp,
    "PATCH",
    "/videos/<int:video_id>",
    body=VideoChange,
    responses={200: VideoOut},
    errors=(403, 404),
)
def update_video(video_id: int, body: VideoChange) -> VideoOut:
    """Change a video's title, description, topic, level, tags or listed."""
    video = _managed(video_id)
    try:
        services.update_video(video, body.model_dump(exclude_unset=True))  # type: ignore[arg-type]
    except VideoError as exc:
        raise ApiError(
            400, f"{exc.field}: {exc.message}", [FieldError(exc.field, exc.message)]
        ) from None
    db.session.commit()
    return VideoOut.of(video, jobs.latest_job(video.id), with_job=True)


@operation(
    bp,
    "DELETE",
    "/videos/<int:video_id>",
    query=DeleteOptions,
    responses={204: None},
    errors=(403, 404, 409),
)
def delete_video(video_id: int, query: DeleteOptions) -> None:
    """Delete a video and everything of it; 409 with the reason when it is a class
    recording or a course module, unless ``force``."""
    video = _managed(video_id)
    try:
        deleted = services.delete_video(video, force=query.force)
    except VideoInUse as exc:
        raise ApiError(409, " ".join(exc.reasons) + " Use ?force=true to remove it.") from None
    db.session.commit()
    services.remove_media(deleted)
