"""The caller's progress on a video: read it, and the heartbeat that records it.

The heartbeat's body is read by ``webapp.progress.beats`` rather than by the contract: a
page closing sends it with ``navigator.sendBeacon`` as a form (``beat`` holds the JSON),
which no JSON body model describes. Its caller is checked by the heartbeat grant
(``webapp.progress.grants``), so the route is declared ``auth="public"``.
"""

from __future__ import annotations

from flask import Response, g

from webapp.access import video_or_404
from webapp.api.auth import api_user
from webapp.api.blueprint import bp
from webapp.api.contract import operation
from webapp.progress.endpoint import heartbeat_response, offer_grant
from webapp.progress.schemas import HEARTBEAT_ERRORS, HeartbeatBody, ProgressDetail, ProgressOut
from webapp.progress.services import detail, get_progress

PROGRESS = "/videos/<int:video_id>/progress"


@operation(bp, "GET", PROGRESS, responses={200: ProgressDetail}, errors=(403, 404))
def get_progress_view(video_id: int) -> ProgressDetail:
    """The caller's own progress on a video, with the watched intervals; for a video
    ready to watch, the ``X-Heartbeat-Grant`` header starts a watch session."""
    video = video_or_404(video_id, g.user)
    if video.is_playable:
        offer_grant(g.user, video.id, None, video.duration or 0.0)
    return ProgressDetail.model_validate(detail(get_progress(g.user, video), video))


@operation(
    bp,
    "PUT",
    PROGRESS,
    responses={200: ProgressOut},
    errors=HEARTBEAT_ERRORS,
    auth="public",
    documented_body=HeartbeatBody,
)
def put_progress(video_id: int) -> Response:
    """The heartbeat (docs/api.md): JSON ``{position, played?, session?, seq?, rate?}``.

    Answers once the beat is stored, with the progress after it. The first beat runs the
    full access checks and gets an ``X-Heartbeat-Grant`` header to send back with the next.
    """
    return heartbeat_response(api_user, video_id=video_id)


@operation(
    bp,
    "POST",
    PROGRESS,
    responses={200: ProgressOut},
    errors=HEARTBEAT_ERRORS,
    auth="public",
    endpoint="post_progress",
    documented_body=HeartbeatBody,
)
def post_progress(video_id: int) -> Response:
    """The page-hide beacon: the heartbeat sent with ``navigator.sendBeacon``.

    The same beat as ``PUT``, as JSON or as a form whose ``beat`` field holds it (with
    ``csrf_token`` and ``grant`` fields beside it).
    """
    return heartbeat_response(api_user, video_id=video_id)
