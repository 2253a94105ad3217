"""Who may send heartbeats for what: the full checks once, then a signed grant.

A player beats every 10 s for as long as it plays. Checking the caller's token, account
and access to the video on every beat would cost more than storing the beat, so a beat
without a valid grant runs the same checks as every API route (``api_user``,
``video_or_404`` / ``clip_or_404``) and its response carries a grant in the
``X-Heartbeat-Grant`` header: the module, its duration and the caller, signed with the
app's secret, valid for ``HEARTBEAT_GRANT_SECONDS``, like a signed media link. Later
beats send it back (the same header, or the ``grant`` field of a beacon's form) and are
accepted without the access queries, in any process. A grant is bound to the bearer
token (by digest) or to the signed-in user, and to one module; a missing, foreign,
tampered or expired grant only means the full checks run again. Revoked access stops
heartbeats within the grant's lifetime.

A grant also records when its watch session began (``issued``): watched time is
credited at most ``PLAYER_MAX_RATE`` x the wall time since then (``rules.py``). Reading
one's progress on a module (what the player does when its page loads) hands out a
grant too, so the session starts before playback does. A grant renewed after it
expired, within one lifetime, keeps its session's start: a long lecture does not lose
the beat that renewed it.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, abort, current_app

from webapp.access import video_or_404
from webapp.clips.queries import clip_or_404
from webapp.models import User

HEADER = "X-Heartbeat-Grant"
SALT = b"heartbeat-grant"
EXTENSION = "progress_grant_key"
Authenticate = Callable[[], User]  # the API's caller check (webapp.api.auth.api_user)


@dataclass(frozen=True)
class Target:
    """A module a caller may send heartbeats for, and the grant that says so."""

    user_id: int
    video_id: int
    clip_id: int | None
    duration: float
    grant: str | None = None  # a fresh grant to hand back; None when one was presented
    issued: float = 0.0  # when the watch session began (epoch seconds)


def grant_key(app: Flask) -> bytes:
    """The app's key for signing grants (derived from ``SECRET_KEY``, computed once)."""
    key = app.extensions.get(EXTENSION)
    if key is None:
        secret = app.config["SECRET_KEY"].encode()
        key = app.extensions[EXTENSION] = hmac.new(secret, SALT, "sha256").digest()
    return key


def _signature(key: bytes, caller: str, fields: str) -> str:
    return hmac.new(key, f"{caller}|{fields}".encode(), "sha256").hexdigest()[:32]


def token_caller(token: str) -> str:
    """The caller a grant records for a bearer token: the token's digest."""
    return "t:" + hashlib.sha256(token.strip().encode()).hexdigest()[:32]


def _genuine(
    key: bytes, caller: str, presented: str | None, video_id: int | None, clip_id: int | None
) -> tuple[Target, float] | None:
    """The target a presented grant names and when it expires, if it is genuine, the
    caller's own and for this module, expired or not (pure)."""
    if not presented or len(presented) > 200:
        return None
    fields, _, signature = presented.rpartition(":")
    if not hmac.compare_digest(signature, _signature(key, caller, fields)):
        return None
    try:
        user, video, clip, duration, issued, expires = fields.split(":")
        granted = Target(
            int(user), int(video), int(clip) if clip else None, float(duration), None, float(issued)
        )
        until = float(expires)
    except ValueError:
        return None
    if granted.clip_id != clip_id or (clip_id is None and granted.video_id != video_id):
        return None
    return granted, until


def read_grant(
    key: bytes, caller: str, presented: str | None, video_id: int | None, clip_id: int | None
) -> Target | None:
    """The target a presented grant names, if it is genuine, current, the caller's own
    and for this module (pure). Format: ``user:video:clip:duration:issued:expires:signature``
    where the signature (HMAC-SHA256 of the fields and the caller) binds it to the
    caller."""
    genuine = _genuine(key, caller, presented, video_id, clip_id)
    if genuine is None or genuine[1] <= time.time():
        return None
    return genuine[0]


def _session_start(
    caller: str, presented: str | None, video_id: int | None, clip_id: int | None
) -> float:
    """When the watch session of a grant issued now begins: now, or the start of the
    caller's own grant for this module that expired less than a lifetime ago."""
    now = time.time()
    genuine = _genuine(grant_key(current_app), caller, presented, video_id, clip_id)
    lifetime = current_app.config["HEARTBEAT_GRANT_SECONDS"]
    if genuine is None or genuine[1] <= now - lifetime:
        return now
    return min(now, genuine[0].issued)


def issue_grant(
    caller: str,
    user_id: int,
    video_id: int,
    clip_id: int | None,
    duration: float,
    presented: str | None = None,
) -> Target:
    """A fresh grant for a caller whose access was just checked (in a request context);
    ``presented`` is the grant it sent, whose session a renewal continues."""
    issued = _session_start(caller, presented, video_id, clip_id)
    expires = int(time.time() + current_app.config["HEARTBEAT_GRANT_SECONDS"])
    clip = "" if clip_id is None else str(clip_id)
    fields = f"{user_id}:{video_id}:{clip}:{float(duration)!r}:{issued!r}:{expires}"
    grant = f"{fields}:{_signature(grant_key(current_app), caller, fields)}"
    return Target(user_id, video_id, clip_id, duration, grant, issued)


def checked_target(
    caller: str,
    video_id: int | None,
    clip_id: int | None,
    authenticate: Authenticate,
    presented: str | None = None,
) -> Target:
    """The caller's target after the full checks, with a fresh grant: those of every API
    route (401, 404; 409 for a video not ready to watch). In a request context."""
    user = authenticate()
    if clip_id is not None:
        clip = clip_or_404(clip_id, user)
        return issue_grant(caller, user.id, clip.video_id, clip.id, clip.duration, presented)
    assert video_id is not None
    video = video_or_404(video_id, user)
    if not video.is_playable:
        abort(409, "the video is not ready to watch yet")
    return issue_grant(caller, user.id, video.id, None, video.duration or 0.0, presented)
