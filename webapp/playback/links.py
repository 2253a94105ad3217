"""Short-lived links to media objects: presigned by the store (S3) or signed by the app.

The links carry the permission: whoever holds one may fetch that one object until it
expires, without a session, so a CDN or the player can fetch segments directly. They are
handed out only inside playlists the app built for a viewer it has authorized.
"""

from __future__ import annotations

import time

from flask import abort, current_app, url_for

from webapp.extensions import db
from webapp.models import Video
from webapp.playback.delivery import is_safe_relative
from webapp.playback.playlists import Signer
from webapp.playback.signing import InvalidMediaLink, check, expires_at, signature
from webapp.storage import check_key, get_storage


def link_ttl() -> int:
    """How long a link stays valid, in seconds (``MEDIA_URL_TTL_MINUTES``)."""
    return current_app.config["MEDIA_URL_TTL_MINUTES"] * 60


def signer_for(video: Video) -> Signer:
    """Map a path inside ``video``'s playable ladder to a link valid for ``link_ttl()``."""
    prefix = video.playable_prefix
    if prefix is None:
        raise ValueError(f"video {video.id} has nothing to play")
    storage = get_storage()
    secret = current_app.config["SECRET_KEY"]
    ttl = link_ttl()
    expires = expires_at(time.time(), ttl)

    def sign(rel: str) -> str:
        key = check_key(f"{prefix}/{rel}")
        url = storage.presign_get(key, ttl)
        if url is not None:
            return url
        sig = signature(secret, video.id, key, expires)
        return url_for("playback.media", video_id=video.id, rel=rel, exp=expires, sig=sig)

    return sign


def verified_key(video_id: int, rel: str, expires: int | None, sig: str) -> str:
    """The storage key a signed app link names, or 403: unknown or unplayable video, a
    path outside its current ladder, a wrong signature or a past expiry all look alike."""
    video = db.session.get(Video, video_id)
    prefix = video.playable_prefix if video is not None else None
    if prefix is None or expires is None or not sig or not is_safe_relative(rel):
        abort(403, "This media link is not valid.")
    key = f"{prefix}/{rel}"
    try:
        check(current_app.config["SECRET_KEY"], video_id, key, expires, sig, now=time.time())
    except InvalidMediaLink as exc:
        abort(403, str(exc))
    return key
