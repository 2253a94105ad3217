"""The heartbeat's fast path: a granted beat from an API client, stored without Flask.

A player beats every 10 s for as long as it plays, so at scale nearly every request the
server sees is a heartbeat, and for those Flask's own machinery (request and app
contexts, URL matching, session, hooks, response object) cost about as much as
storing the beat (``bench/heartbeats.py``). This WSGI middleware answers the common
case itself: ``PUT``/``POST`` of a JSON body to ``/api/v1/videos/<id>/progress`` or
``/api/v1/clips/<id>/progress`` with a bearer token and a valid heartbeat grant for
that token and module (``grants.py``). Its answer is the Flask view's by construction:
both call ``heartbeat.answer_beat`` (the grant check, the body's validation, the durable
store, the answer's status, body and headers); the security headers come from the same
``default_headers`` that Flask's ``after_request`` adds.

Everything else goes to Flask untouched, before a byte of the body is read: a beat
without a grant (its first, which runs the full access checks and gets one), with a
grant that is missing, foreign, tampered or expired, a signed-in browser's beat (the
session cookie and its CSRF token are Flask's to check), a beacon's form body, and any
other request. A bearer request is exempt from CSRF in Flask too (``security.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.http import HTTP_STATUS_CODES

from webapp.headers import default_headers
from webapp.observability.metrics import FAST_BEATS_BY_CLASS
from webapp.progress.grants import HEADER, token_caller
from webapp.progress.heartbeat import Answer, BeatRequest, answer_beat

PATH = re.compile(r"/api/v1/(videos|clips)/([1-9][0-9]{0,17})/progress")
MAX_BODY = 64 * 1024  # a beat is well under 4 KiB; larger bodies take the usual route
GRANT_ENVIRON = "HTTP_" + HEADER.upper().replace("-", "_")
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict, StartResponse], Iterable[bytes]]


class HeartbeatFastPath:
    """WSGI middleware in front of ``app.wsgi_app``; see the module's docstring."""

    def __init__(self, app: Flask, wsgi_app: WsgiApp) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self._headers: dict[tuple[bool, Any, str], list[tuple[str, str]]] = {}

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        """Answer a granted API heartbeat here; hand everything else to Flask."""
        beat = self._beat(environ)
        # No grant: ``answer_beat`` has not read the body, so Flask gets all of it.
        answer = None if beat is None else answer_beat(self.app, beat, None)
        if answer is None:
            return self.wsgi_app(environ, start_response)
        return self._answer(environ, start_response, answer)

    def _beat(self, environ: dict) -> BeatRequest | None:
        """The beat, if the request has the fast path's shape (bearer, JSON, no cookie)."""
        if environ.get("REQUEST_METHOD") not in ("PUT", "POST"):
            return None
        match = PATH.fullmatch(environ.get("PATH_INFO", ""))  # what Flask's routes match
        authorization = environ.get("HTTP_AUTHORIZATION", "")
        if match is None or not authorization.startswith("Bearer "):
            return None
        mimetype = environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
        if mimetype != "application/json" or "HTTP_COOKIE" in environ:
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None
        if not 0 <= length <= MAX_BODY:
            return None
        kind, number = match.group(1), int(match.group(2))
        video_id, clip_id = (number, None) if kind == "videos" else (None, number)
        stream = environ["wsgi.input"]
        return BeatRequest(
            video_id,
            clip_id,
            token_caller(authorization[7:]),
            environ.get(GRANT_ENVIRON),
            lambda: stream.read(length),
        )

    def _answer(self, environ: dict, start_response: StartResponse, answer: Answer) -> list[bytes]:
        FAST_BEATS_BY_CLASS[str(answer.status)[0]].inc()  # a counter: no clock, no histogram
        data = answer.data()
        headers = [("Content-Type", answer.content_type), ("Content-Length", str(len(data)))]
        headers += answer.headers
        headers += self._security_headers(
            environ.get("wsgi.url_scheme") == "https", answer.content_type
        )
        start_response(f"{answer.status} {HTTP_STATUS_CODES[answer.status].upper()}", headers)
        return [data]

    def _security_headers(self, secure: bool, content_type: str) -> list[tuple[str, str]]:
        # The same for every beat but for the scheme (HSTS), the HSTS setting and the type.
        key = (secure, self.app.config.get("HSTS_SECONDS"), content_type)
        headers = self._headers.get(key)
        if headers is None:
            with self.app.app_context():
                headers = self._headers[key] = default_headers(content_type, secure)
        return headers


def init_app(app: Flask) -> None:
    """Put the fast path in front of ``app``'s WSGI callable (inside any proxy fix)."""
    app.wsgi_app = HeartbeatFastPath(app, app.wsgi_app)  # type: ignore[method-assign]
