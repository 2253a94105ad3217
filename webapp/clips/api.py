"""API routes for clips, chapters, suggestions, clip exports and clip progress."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import Response, g

from webapp.access import can_manage, video_or_404
from webapp.api.auth import api_user
from webapp.api.blueprint import bp
from webapp.api.contract import Input, operation
from webapp.clips import exports, services
from webapp.clips.queries import chapters_of, clip_or_404, clips_of, suggestions_of
from webapp.clips.ranges import BadInput
from webapp.clips.schemas import (
    ChapterChange,
    ChapterList,
    ChapterOut,
    ClipChange,
    ClipList,
    ClipOut,
    ClipProgress,
    ClipProgressDetail,
    ExportOut,
    LatestExport,
    NewChapter,
    NewClip,
    Resolution,
    SuggestionList,
    SuggestionOut,
)
from webapp.extensions import db
from webapp.models import (
    Chapter,
    Clip,
    Suggestion,
    Video,
)
from webapp.problems import ApiError
from webapp.progress.endpoint import heartbeat_response, offer_grant
from webapp.progress.schemas import HEARTBEAT_ERRORS, HeartbeatBody
from webapp.progress.services import detail, get_progress
from webapp.storage import get_storage

Row = TypeVar("Row", Clip, Chapter, Suggestion)

# ----------------------------------------------------------------------------- helpers


@contextmanager
def _checked() -> Iterator[None]:
    """The services' refusals (BadInput) as 400 problems."""
    try:
        yield
    except BadInput as exc:
        raise ApiError(400, str(exc)) from None


def _managed_video(video_id: int) -> Video:
    """The video, if the caller may see it (404) and change it (403)."""
    video = video_or_404(video_id, g.user)
    if not can_manage(g.user, video):
        raise ApiError(
            403, "Only the recording's instructor or an admin may change clips and chapters."
        )
    return video


def _child(model: type[Row], child_id: int, video: Video) -> Row:
    row = db.session.get(model, child_id)
    if row is None or row.video_id != video.id:
        raise ApiError(404, "No such item on this video.")
    return row


def _sent(body: Input) -> Any:
    """The fields the caller sent, for a service's typed values."""
    return body.model_dump(exclude_unset=True)


# ----------------------------------------------------------------------------- clips


@operation(bp, "GET", "/videos/<int:video_id>/clips", responses={200: ClipList}, errors=(404,))
def list_clips(video_id: int) -> ClipList:
    """Clips of a video."""
    video = video_or_404(video_id, g.user)
    return ClipList(clips=[ClipOut.of(c) for c in clips_of(video.id)])


@operation(
    bp,
    "POST",
    "/videos/<int:video_id>/clips",
    body=NewClip,
    responses={201: ClipOut},
    errors=(403, 404),
)
def create_clip(video_id: int, body: NewClip) -> ClipOut:
    """Cut a clip from a ready recording."""
    video = _managed_video(video_id)
    with _checked():
        clip = services.create_clip(video, g.user, _sent(body))
    db.session.commit()
    return ClipOut.of(clip)


@operation(
    bp,
    "GET",
    "/videos/<int:video_id>/clips/<int:clip_id>",
    responses={200: ClipOut},
    errors=(404,),
)
def get_clip(video_id: int, clip_id: int) -> ClipOut:
    """One clip."""
    video = video_or_404(video_id, g.user)
    return ClipOut.of(_child(Clip, clip_id, video))


@operation(
    bp,
    "PATCH",
    "/videos/<int:video_id>/clips/<int:clip_id>",
    body=ClipChange,
    responses={200: ClipOut},
    errors=(403, 404),
)
def update_clip(video_id: int, clip_id: int, body: ClipChange) -> ClipOut:
    """Change a clip's title, description, topic or range."""
    video = _managed_video(video_id)
    with _checked():
        clip = services.update_clip(_child(Clip, clip_id, video), _sent(body))
    db.session.commit()
    return ClipOut.of(clip)


@operation(
    bp,
    "DELETE",
    "/videos/<int:video_id>/clips/<int:clip_id>",
    responses={204: None},
    errors=(403, 404),
)
def delete_clip(video_id: int, clip_id: int) -> None:
    """Delete a clip (and its exported file)."""
    video = _managed_video(video_id)
    keys = services.delete_clip(_child(Clip, clip_id, video))
    db.session.commit()
    for key in keys:
        get_storage().delete(key)


@operation(
    bp,
    "POST",
    "/videos/<int:video_id>/clips/<int:clip_id>/export",
    responses={202: ExportOut},
    errors=(403, 404),
)
def export_clip(video_id: int, clip_id: int) -> ExportOut:
    """Render the clip into its own MP4 (a job); 202 with the job."""
    video = _managed_video(video_id)
    export = services.request_export(_child(Clip, clip_id, video))
    db.session.commit()
    exports.dispatch(export.id)
    return ExportOut.of(export)


@operation(
    bp,
    "GET",
    "/videos/<int:video_id>/clips/<int:clip_id>/export",
    responses={200: LatestExport},
    errors=(403, 404),
)
def get_export(video_id: int, clip_id: int) -> LatestExport:
    """The latest export of a clip (``null`` when never exported)."""
    video = _managed_video(video_id)
    clip = _child(Clip, clip_id, video)
    export = exports.latest_export(clip.id)
    return LatestExport(export=ExportOut.of(export) if export is not None else None)


# ----------------------------------------------------------------------------- chapters


@operation(
    bp, "GET", "/videos/<int:video_id>/chapters", responses={200: ChapterList}, errors=(404,)
)
def list_chapters(video_id: int) -> ChapterList:
    """Chapters in time order."""
    video = video_or_404(video_id, g.user)
    return ChapterList(chapters=[ChapterOut.of(c) for c in chapters_of(video.id)])


@operation(
    bp,
    "POST",
    "/videos/<int:video_id>/chapters",
    body=NewChapter,
    responses={201: ChapterOut},
    errors=(403, 404),
)
def create_chapter(video_id: int, body: NewChapter) -> ChapterOut:
    """Add a chapter."""
    video = _managed_video(video_id)
    with _checked():
        chapter = services.create_chapter(video, _sent(body))
    db.session.commit()
    return ChapterOut.of(chapter)


@operation(
    bp,
    "PATCH",
    "/videos/<int:video_id>/chapters/<int:chapter_id>",
    body=ChapterChange,
    responses={200: ChapterOut},
    errors=(403, 404),
)
def update_chapter(video_id: int, chapter_id: int, body: ChapterChange) -> ChapterOut:
    """Rename or move a chapter."""
    video = _managed_video(video_id)
    with _checked():
        chapter = services.update_chapter(_child(Chapter, chapter_id, video), video, _sent(body))
    db.session.commit()
    return ChapterOut.of(chapter)


@operation(
    bp,
    "DELETE",
    "/videos/<int:video_id>/chapters/<int:chapter_id>",
    responses={204: None},
    errors=(403, 404),
)
def delete_chapter(video_id: int, chapter_id: int) -> None:
    """Delete a chapter."""
    video = _managed_video(video_id)
    services.delete_chapter(_child(Chapter, chapter_id, video))
    db.session.commit()


@operation(
    bp,
    "POST",
    "/videos/<int:video_id>/chapters/<int:chapter_id>/clip",
    responses={201: ClipOut},
    errors=(403, 404),
)
def chapter_to_clip(video_id: int, chapter_id: int) -> ClipOut:
    """Turn a chapter (up to the next one) into a clip."""
    video = _managed_video(video_id)
    with _checked():
        clip = services.clip_from_chapter(_child(Chapter, chapter_id, video), video, g.user)
    db.session.commit()
    return ClipOut.of(clip)


# ----------------------------------------------------------------------------- suggestions


@operation(
    bp,
    "GET",
    "/videos/<int:video_id>/suggestions",
    responses={200: SuggestionList},
    errors=(403, 404),
)
def list_suggestions(video_id: int) -> SuggestionList:
    """Pending chapter boundaries and clip candidates found while transcoding."""
    video = _managed_video(video_id)
    return SuggestionList(suggestions=[SuggestionOut.of(s) for s in suggestions_of(video.id)])


@operation(
    bp,
    "POST",
    "/videos/<int:video_id>/suggestions/<int:suggestion_id>/<any(accept, discard):action>",
    responses={200: Resolution},
    errors=(403, 404),
)
def resolve_suggestion(video_id: int, suggestion_id: int, action: str) -> Resolution:
    """Accept (creates the chapter or clip) or discard a suggestion."""
    video = _managed_video(video_id)
    suggestion = _child(Suggestion, suggestion_id, video)
    with _checked():
        created = services.resolve_suggestion(suggestion, video, g.user, accept=action == "accept")
    db.session.commit()
    return Resolution(
        suggestion=SuggestionOut.of(suggestion),
        clip=ClipOut.of(created) if isinstance(created, Clip) else None,
        chapter=ChapterOut.of(created) if isinstance(created, Chapter) else None,
    )


# ----------------------------------------------------------------------------- clip progress


@operation(
    bp,
    "GET",
    "/clips/<int:clip_id>/progress",
    responses={200: ClipProgressDetail},
    errors=(403, 404),
)
def get_clip_progress(clip_id: int) -> ClipProgressDetail:
    """The caller's progress on a clip (seconds from the clip's start); the
    ``X-Heartbeat-Grant`` header starts a watch session."""
    clip = clip_or_404(clip_id, g.user)
    offer_grant(g.user, clip.video_id, clip.id, clip.duration)
    return ClipProgressDetail(**detail(get_progress(g.user, clip.video, clip), clip.video, clip))


@operation(
    bp,
    "PUT",
    "/clips/<int:clip_id>/progress",
    responses={200: ClipProgress},
    errors=HEARTBEAT_ERRORS,
    auth="public",
    documented_body=HeartbeatBody,
)
def put_clip_progress(clip_id: int) -> Response:
    """Heartbeat for a clip, in seconds from the clip's start; answers once stored.

    The body is JSON ``{"position", "played"?, "session"?, "seq"?, "rate"?}`` (see
    docs/api.md); the caller is the session or a Bearer token.
    """
    return heartbeat_response(api_user, clip_id=clip_id)


@operation(
    bp,
    "POST",
    "/clips/<int:clip_id>/progress",
    responses={200: ClipProgress},
    errors=HEARTBEAT_ERRORS,
    auth="public",
    documented_body=HeartbeatBody,
)
def beacon_clip_progress(clip_id: int) -> Response:
    """The page-hide beacon of a clip's heartbeat (``navigator.sendBeacon``).

    The body is the heartbeat as JSON, or a form (what a beacon sends without a
    preflight) with the heartbeat's JSON as ``beat`` and the session's ``csrf_token``.
    """
    return heartbeat_response(api_user, clip_id=clip_id)
