"""JSON shapes of API objects."""

from __future__ import annotations

from flask import url_for

from webapp.models import TranscodeJob, Video


def job_json(job: TranscodeJob | None) -> dict | None:
    """State, progress and error of a transcode job."""
    if job is None:
        return None
    return {
        "id": job.id,
        "state": job.state,
        "progress": job.progress,
        "attempts": job.attempts,
        "error": job.error,
    }


def video_json(video: Video, job: TranscodeJob | None = None, *, with_job: bool = False) -> dict:
    """``{id, title, state, duration, renditions, hls_url, preview, storyboard_url,
    poster_url}`` (+ ``job`` for owners and admins)."""
    body = {
        "id": video.id,
        "title": video.title,
        "state": video.state,
        "duration": video.duration,
        "renditions": [
            {"name": r.name, "width": r.width, "height": r.height, "bandwidth": r.bandwidth}
            for r in video.renditions
        ],
        "hls_url": (
            url_for("playback.hls", video_id=video.id, rel="master.m3u8")
            if video.is_playable
            else None
        ),
        "preview": video.is_playable and not video.is_ready,
        "storyboard_url": (
            url_for("playback.hls", video_id=video.id, rel=video.storyboard_path)
            if video.is_ready and video.storyboard_path
            else None
        ),
        "poster_url": (url_for("playback.poster", video_id=video.id) if video.poster_key else None),
    }
    if with_job:
        body["job"] = job_json(job)
    return body
