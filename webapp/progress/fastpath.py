"""The heartbeat's fast path: a granted beat from an API client, stored without Flask.

A player beats every 10 s for as long as it plays, so at scale nearly every request the
server sees is a heartbeat, and for those Flask's own machinery (request and app
contexts, URL matching, session, hooks, response object) cost about as much as
storing the beat (``bench/heartbeats.py``). This WSGI middleware answers the common
case itself: ``PUT``/``POST`` of a JSON body to ``/api/v1/videos/<id>/progress`` or
``/api/v1/clips/<id>/progress`` with a bearer token and a valid heartbeat grant for
that token and module (``grants.py``). It runs the same code as the Flask view for what
matters: the grant check (``read_grant``), the body's validation (``parse_beat``), the
durable store (``store_heartbeat``) and the security headers (``default_headers``).

Everything else goes to Flask untouched, before a byte of the body is read: a beat
without a grant (its first, which runs the full access checks and gets one), with a
grant that is missing, foreign, tampered or expired, a signed-in browser's beat (the
session cookie and its CSRF token are Flask's to check), a beacon's form body, and any
other request. A bearer request is exempt from CSRF in Flask too (``security.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

from webapp.headers import default_headers
from webapp.progress.beats import NOT_JSON, BadHeartbeat, parse_beat
from webapp.progress.grants import HEADER, Target, grant_key, read_grant, token_caller
from webapp.progress.services import store_heartbeat
from webapp.progress.writer import WriterUnavailable

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
        self._headers: dict[tuple[bool, Any], list[tuple[str, str]]] = {}

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        """Answer a granted API heartbeat here; hand everything else to Flask."""
        taken = self._take(environ)
        if taken is None:
            return self.wsgi_app(environ, start_response)
        target, length = taken
        try:
            beat = parse_beat(_json(environ["wsgi.input"].read(length)))
            status, body = 200, store_heartbeat(self.app, target, beat)
            extra: list[tuple[str, str]] = []
        except BadHeartbeat as exc:
            status, body, extra = 400, {"error": str(exc)}, []
        except WriterUnavailable as exc:
            status, body, extra = 503, {"error": str(exc)}, [("Retry-After", "1")]
        return self._answer(environ, start_response, status, body, extra)

    def _take(self, environ: dict) -> tuple[Target, int] | None:
        """The beat's target and body length, if this request is the fast path's."""
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
        caller = token_caller(authorization[7:])
        target = read_grant(
            grant_key(self.app), caller, environ.get(GRANT_ENVIRON), video_id, clip_id
        )
        return None if target is None else (target, length)

    def _answer(
        self,
        environ: dict,
        start_response: StartResponse,
        status: int,
        body: dict,
        extra: list[tuple[str, str]],
    ) -> list[bytes]:
        # As Flask's jsonify writes it: compact, keys sorted, a final newline.
        data = (json.dumps(body, separators=(",", ":"), sort_keys=True) + "\n").encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        headers += extra + self._security_headers(environ.get("wsgi.url_scheme") == "https")
        start_response(f"{status} {_REASONS[status]}", headers)
        return [data]

    def _security_headers(self, secure: bool) -> list[tuple[str, str]]:
        # The same for every beat but for the scheme (HSTS) and the HSTS setting.
        key = (secure, self.app.config.get("HSTS_SECONDS"))
        headers = self._headers.get(key)
        if headers is None:
            with self.app.app_context():
                headers = self._headers[key] = default_headers("application/json", secure)
        return headers


_REASONS = {200: "OK", 400: "BAD REQUEST", 503: "SERVICE UNAVAILABLE"}


def _json(data: bytes) -> object:
    try:
        return json.loads(data)
    except ValueError:
        raise BadHeartbeat(NOT_JSON) from None


def init_app(app: Flask) -> None:
    """Put the fast path in front of ``app``'s WSGI callable (inside any proxy fix)."""
    app.wsgi_app = HeartbeatFastPath(app, app.wsgi_app)  # type: ignore[method-assign]
