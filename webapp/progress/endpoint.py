"""The heartbeat routes' Flask side: read the request, call ``answer_beat``, respond.

``PUT``/``POST /api/v1/videos/<id>/progress`` and ``/api/v1/clips/<id>/progress`` are
thin views over ``heartbeat_response``; the beats the fast path (``fastpath.py``) does
not answer come here: first beats (the full checks run, a grant is issued), missing or
stale grants, signed-in browsers (session cookie; Flask checks their CSRF token) and
page-hide beacons (a form body with ``beat``, ``grant`` and ``csrf_token`` fields, what
``navigator.sendBeacon`` can send).
"""

from __future__ import annotations

from flask import Response, abort, after_this_request, current_app, request
from flask_login import current_user

from webapp.extensions import db
from webapp.models import User
from webapp.progress.grants import (
    HEADER,
    Authenticate,
    Target,
    checked_target,
    issue_grant,
    token_caller,
)
from webapp.progress.heartbeat import BeatRequest, answer_beat

BEACON_FIELD = "beat"
GRANT_FIELD = "grant"  # in a beacon's form body, next to ``beat`` and ``csrf_token``


def heartbeat_response(
    authenticate: Authenticate, video_id: int | None = None, clip_id: int | None = None
) -> Response:
    """The whole of a heartbeat view for a video or a clip (docs/api.md): 200 with the
    progress once stored, 400 for a bad beat, 503 when it could not be stored now, and
    the API's 401/404/409 from ``authenticate`` and the access checks."""
    caller = _caller(authenticate)
    beat = BeatRequest(video_id, clip_id, caller, _grant(), _body)

    def full_checks() -> Target:
        target = checked_target(caller, video_id, clip_id, authenticate, beat.grant)
        _end_transaction()
        return target

    _end_transaction()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    answer = answer_beat(app, beat, full_checks)
    assert answer is not None  # with full checks there is always one
    return Response(
        answer.data(), answer.status, list(answer.headers), content_type=answer.content_type
    )


def offer_grant(user: User, video_id: int, clip_id: int | None, duration: float) -> None:
    """Send a heartbeat grant with this response, whose watch session starts now: for a
    progress read by ``user``, whose access to the module was just checked. The player
    reads its progress when its page loads, so its first beat may report what it played
    since then (a grant's session bounds the watched time credited, ``rules.py``)."""
    header = request.headers.get("Authorization", "")
    caller = token_caller(header[7:]) if header.startswith("Bearer ") else f"u:{user.id}"
    grant = issue_grant(caller, user.id, video_id, clip_id, duration).grant
    assert grant is not None

    @after_this_request
    def _hand_over(response: Response) -> Response:
        response.headers[HEADER] = grant
        return response


def _caller(authenticate: Authenticate) -> str:
    """Who is calling, as a grant records it: the bearer token's digest or the user."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return token_caller(header[7:])
    if not header and current_user.is_authenticated:
        return f"u:{current_user.id}"
    authenticate()  # no usable credentials: the API's own 401
    abort(401)


def _grant() -> str | None:
    return request.headers.get(HEADER) or request.form.get(GRANT_FIELD)


def _body() -> bytes | str | None:
    if request.is_json:
        return request.get_data()
    return request.form.get(BEACON_FIELD)


def _end_transaction() -> None:
    # The beat waits for the writer's commit (its own connection): hold none meanwhile.
    if db.session.registry.has():
        db.session.rollback()
