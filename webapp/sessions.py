"""Flask's signed-cookie sessions, with the signing serializer built once per key set.

Flask builds a new ``URLSafeTimedSerializer`` on every request, twice (to open the
session and to save it), even for API calls that carry no cookie at all. The serializer
holds no per-request state, so one per app and set of keys serves every thread. It is
rebuilt when ``SECRET_KEY`` or ``SECRET_KEY_FALLBACKS`` change (key rotation, tests).
"""

from __future__ import annotations

import hashlib
import threading

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class CachedSigningSessionInterface(SecureCookieSessionInterface):
    """``SecureCookieSessionInterface`` that reuses its signing serializer, and signs
    with HMAC-SHA256 instead of Flask's SHA-1."""

    digest_method = staticmethod(hashlib.sha256)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cached: tuple[tuple[object, ...], URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """The serializer for the app's current keys, built on first use of those keys."""
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = self._cached
        if cached is not None and cached[0] == keys:
            return cached[1]
        with self._lock:
            serializer = super().get_signing_serializer(app)
            self._cached = (keys, serializer)
        return serializer


def init_app(app: Flask) -> None:
    """Give ``app`` its own caching session interface."""
    app.session_interface = CachedSigningSessionInterface()
