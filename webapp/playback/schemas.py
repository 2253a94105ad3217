"""The JSON shapes of a video and its transcode job, shared by the playback and upload APIs."""

from __future__ import annotations

from flask import url_for
from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from webapp.api.contract import Output
from webapp.catalogue.services import module_of_video
from webapp.models import Rendition, TranscodeJob, Video


class JobOut(Output):
    """State, progress and error of a transcode job."""

    id: int
    state: str
    progress: float
    attempts: int
    error: str | None

    @classmethod
    def of(cls, job: TranscodeJob) -> JobOut:
        """The shape of ``job``."""
        return cls(
            id=job.id,
            state=job.state,
            progress=job.progress,
            attempts=job.attempts,
            error=job.error,
        )


class RenditionOut(Output):
    """One rung of the video's ladder."""

    name: str
    width: int
    height: int
    bandwidth: int

    @classmethod
    def of(cls, rendition: Rendition) -> RenditionOut:
        """The shape of ``rendition``."""
        return cls(
            name=rendition.name,
            width=rendition.width,
            height=rendition.height,
            bandwidth=rendition.bandwidth,
        )


class VideoOut(Output):
    """A video, its renditions and where to play it; ``job`` for its owner and admins."""

    id: int
    title: str
    description: str
    topic: str | None = Field(description="The topic's name (null: none).")
    level: str | None = Field(description="Null until the video is ready (no module yet).")
    tags: list[str]
    listed: bool = Field(description="Listed in the library (cohort recordings never are).")
    audience: str = Field(
        description="Who may watch it: open, program, cohort, organisation (reserved) or "
        "instructors."
    )
    free_preview: bool = Field(description="Its module is a free preview.")
    state: str
    duration: float | None
    renditions: list[RenditionOut]
    hls_url: str | None = Field(description="The master playlist, once playable.")
    preview: bool = Field(description="Playable while the full ladder is still being made.")
    storyboard_url: str | None
    poster_url: str | None
    job: JobOut | None = Field(
        default=None,
        description="The latest transcode job (null: none); only for the owner and admins, "
        "absent for everyone else.",
    )

    @model_serializer(mode="wrap")
    def _without_unset_job(self, handler: SerializerFunctionWrapHandler):  # noqa: ANN202
        # No return annotation on purpose: pydantic then documents the fields, not a dict.
        data = handler(self)
        if "job" not in self.model_fields_set:
            data.pop("job", None)
        return data

    @classmethod
    def of(
        cls, video: Video, job: TranscodeJob | None = None, *, with_job: bool = False
    ) -> VideoOut:
        """The shape of ``video``; ``with_job`` adds ``job`` (the caller manages the video).
        Topic, level, tags and listed are its catalogue module's (one query)."""
        module = module_of_video(video.id)
        out = cls(
            id=video.id,
            title=video.title,
            description=video.description or "",
            topic=module.topic.name if module is not None and module.topic else None,
            level=str(module.level) if module is not None else None,
            tags=list(module.tags or []) if module is not None else [],
            listed=module.listed if module is not None else False,
            audience=str(video.audience),
            free_preview=module.free_preview if module is not None else False,
            state=video.state,
            duration=video.duration,
            renditions=[RenditionOut.of(r) for r in video.renditions],
            hls_url=(
                url_for("playback.hls", video_id=video.id, rel="master.m3u8")
                if video.is_playable
                else None
            ),
            preview=video.is_playable and not video.is_ready,
            storyboard_url=(
                url_for("playback.hls", video_id=video.id, rel=video.storyboard_path)
                if video.is_ready and video.storyboard_path
                else None
            ),
            poster_url=(
                url_for("playback.poster", video_id=video.id) if video.poster_key else None
            ),
        )
        if with_job:
            out.job = JobOut.of(job) if job is not None else None
        return out
