"""Request-level protections: CSRF for every state-changing request, and which proxy
headers to believe for the client's address and scheme."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from flask import Flask, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.extensions import csrf

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# CGI keys a server sets from the request itself: never taken for the process's copy.
_REQUEST_KEYS = frozenset(
    {
        "REQUEST_METHOD",
        "SCRIPT_NAME",
        "PATH_INFO",
        "QUERY_STRING",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "REMOTE_ADDR",
        "REMOTE_PORT",
        "REQUEST_URI",
        "RAW_URI",
    }
)


class DropProcessEnvironment:
    """Remove from each request's WSGI environ what the server copied from the process.

    granian puts the whole process environment into every request's environ: the app's
    secrets (``SECRET_KEY``, ``DATABASE_URL``) would sit beside the request for anything
    that dumps it, and a variable named like a header (``HTTP_PROXY``) would read as one
    ("httpoxy"). A key whose value is the process's own is dropped; a header the client
    really sent under the same name has its own value and stays.
    """

    def __init__(self, wsgi_app: Any, environment: dict[str, str] | None = None) -> None:
        self.wsgi_app = wsgi_app
        source = os.environ if environment is None else environment
        self.process = {k: v for k, v in source.items() if k not in _REQUEST_KEYS}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        for key, value in self.process.items():
            if environ.get(key) == value:
                del environ[key]
        return self.wsgi_app(environ, start_response)


def uses_bearer_token() -> bool:
    """An API request authenticated by ``Authorization: Bearer`` rather than the cookie."""
    return request.blueprint == "api" and request.headers.get("Authorization", "").startswith(
        "Bearer "
    )


def trust_proxies(app: Flask) -> None:
    """Behind ``TRUSTED_PROXY_HOPS`` reverse proxies, take the client address, scheme and
    host from their ``X-Forwarded-*`` headers (sign-in throttling counts per address;
    Secure cookies and HSTS need to know the request came over HTTPS). With 0, the
    default, those headers are ignored: any client could forge them."""
    hops = int(app.config.get("TRUSTED_PROXY_HOPS") or 0)
    if hops > 0:
        # Flask types wsgi_app as a method; replacing it with middleware is the documented way.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )


def init_app(app: Flask) -> None:
    """Check the CSRF token (form field or ``X-CSRFToken`` header) on every unsafe request.

    Requests that carry a bearer token are exempt: the browser never attaches one on its
    own, so a forged cross-site request cannot use it. So is token creation, which
    authenticates by the credentials in its body and never by the session cookie, and so
    is an API call with no session at all: nothing can be forged for it, and the view
    answers 401.
    """
    trust_proxies(app)
    # Outermost, so no other layer sees the copied environment.
    app.wsgi_app = DropProcessEnvironment(app.wsgi_app)  # type: ignore[method-assign]

    @app.before_request
    def _csrf_protect() -> None:
        if request.method in SAFE_METHODS or uses_bearer_token():
            return
        if request.endpoint == "api.create_token":
            return
        if request.blueprint == "api" and not current_user.is_authenticated:
            return
        csrf.protect()
