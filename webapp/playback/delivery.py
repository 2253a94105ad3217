"""Serve stored media objects with their real content type."""

from __future__ import annotations

import re

from flask import Response, abort, send_file, stream_with_context

from webapp.storage import LocalStorage, ObjectNotFound, Storage
from webapp.storage.content_types import content_type

# Relative paths inside a published ladder: "master.m3u8", "360p/seg_00001.ts".
_REL_RE = re.compile(r"^(?:[A-Za-z0-9_-]+/)?[A-Za-z0-9_.-]+$")


def is_safe_relative(rel: str) -> bool:
    """Whether ``rel`` has the shape of a path inside a ladder (no way out of it)."""
    return bool(_REL_RE.match(rel)) and ".." not in rel


def safe_relative(rel: str) -> str:
    """A path inside a ladder, or 404."""
    if not is_safe_relative(rel):
        abort(404)
    return rel


def serve(storage: Storage, key: str, max_age: int = 3600) -> Response:
    """Send one object (range requests supported on local disk)."""
    mimetype = content_type(key)
    try:
        if isinstance(storage, LocalStorage):
            path = storage.path(key)
            if not path.is_file():
                raise ObjectNotFound(key)
            response = send_file(path, mimetype=mimetype, conditional=True, max_age=max_age)
        else:
            body = storage.open(key)
            response = Response(
                stream_with_context(iter(lambda: body.read(256 * 1024), b"")), mimetype=mimetype
            )
            # A viewer who stops mid-object (seek, closed tab) must not leave the
            # storage connection open until garbage collection.
            response.call_on_close(body.close)
    except ObjectNotFound:
        abort(404)
    # Media is private to signed-in users: no shared caches.
    response.headers["Cache-Control"] = f"private, max-age={max_age}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def send_personal(body: str, key: str) -> Response:
    """A playlist or track rewritten for one viewer (fresh links): never stored by caches."""
    response = Response(body, mimetype=content_type(key))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
