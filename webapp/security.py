"""Request-level protections: CSRF for every state-changing request, and which proxy
headers to believe for the client's address and scheme."""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.extensions import csrf

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


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

    @app.before_request
    def _csrf_protect() -> None:
        if request.method in SAFE_METHODS or uses_bearer_token():
            return
        if request.endpoint == "api.create_token":
            return
        if request.blueprint == "api" and not current_user.is_authenticated:
            return
        csrf.protect()
