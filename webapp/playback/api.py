"""A video as the API shows it: its renditions, where to play it, and (for those who
manage it) its transcode job."""

from __future__ import annotations

from flask import g

from webapp import jobs
from webapp.access import can_manage, video_or_404
from webapp.api.blueprint import bp
from webapp.api.contract import operation
from webapp.playback.schemas import VideoOut


@operation(bp, "GET", "/videos/<int:video_id>", responses={200: VideoOut}, errors=(403, 404))
def get_video(video_id: int) -> VideoOut:
    """A video and its renditions; owners and admins also see the transcode job."""
    video = video_or_404(video_id, g.user)
    manage = can_manage(g.user, video)
    job = jobs.latest_job(video.id) if manage else None
    return VideoOut.of(video, job, with_job=manage)
