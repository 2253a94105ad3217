"""Signed media links: an HMAC over (video id, storage key, expiry), checked without a session.

Pure functions: the caller passes the secret and the current time, so expiry is testable
without a clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math

# Different from every other use of SECRET_KEY (sessions, CSRF), so a signature made
# here can never be replayed as one of those, nor the other way round.
_PURPOSE = b"learnstream.media-link.v1"


class InvalidMediaLink(Exception):
    """The link was not issued for this object, was altered, or has expired."""


def expires_at(now: float, ttl_seconds: int) -> int:
    """The expiry of a link made at ``now``: at least ``ttl_seconds`` later, rounded up to
    a whole minute so that playlists fetched within the same minute name the very same
    URLs (browser and CDN caches can then reuse the segments)."""
    return math.ceil((now + ttl_seconds) / 60) * 60


def signature(secret: str, video_id: int, key: str, expires: int) -> str:
    """The URL-safe signature of one object of one video until ``expires`` (Unix time)."""
    derived = hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()
    message = f"{video_id}\n{key}\n{expires}".encode()
    digest = hmac.new(derived, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def check(secret: str, video_id: int, key: str, expires: int, sig: str, *, now: float) -> None:
    """Raise InvalidMediaLink unless ``sig`` signs exactly this video, key and expiry and
    the expiry has not passed at ``now``."""
    expected = signature(secret, video_id, key, expires).encode()
    if not hmac.compare_digest(expected, sig.encode()):
        raise InvalidMediaLink("This media link is not valid.")
    if expires <= now:
        raise InvalidMediaLink("This media link has expired.")
