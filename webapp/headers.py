"""Security headers on every response.

The Content-Security-Policy lets pages run only our own script files (no inline script,
no ``eval``), be framed by nobody, and post forms only to us. hls.js builds its media
source and worker from ``blob:`` URLs, hence ``blob:`` in ``media-src`` and
``worker-src``. With S3 storage the browser fetches segments, posters, thumbnails and
captions, and PUTs upload parts, straight from the store under presigned URLs, so the
origin those URLs point at (the public S3 endpoint) is allowed for ``connect-src``,
``media-src`` and ``img-src``. A view may set any of these headers itself; the defaults
here never overwrite it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

from webapp.storage import StorageError, get_storage

EXTENSION = "security_headers"
PROBE_KEY = "csp-probe/origin.jpg"  # never stored; only presigned to learn the store's origin

STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
NO_STORE_TYPES = frozenset({"text/html", "application/json", "application/problem+json"})


def init_app(app: Flask) -> None:
    """Add the headers to every response of ``app``."""
    app.after_request(add_security_headers)


def add_security_headers(response: Response) -> Response:
    """Set each security header the view has not set itself."""
    headers = response.headers
    # One pass over the view's headers instead of a case-insensitive scan per default:
    # this runs on every response.
    present = {name.lower() for name, _ in headers.items()}
    defaults = default_headers(response.mimetype, request.is_secure)
    headers.extend([(name, value) for name, value in defaults if name.lower() not in present])
    return response


def default_headers(mimetype: str | None, secure: bool) -> list[tuple[str, str]]:
    """The security headers of a response of ``mimetype`` (in an app context)."""
    defaults = [("Content-Security-Policy", content_security_policy())]
    defaults += STATIC_HEADERS.items()
    hsts = current_app.config.get("HSTS_SECONDS", 0)
    if hsts > 0 and secure:
        defaults.append(("Strict-Transport-Security", f"max-age={hsts}; includeSubDomains"))
    # Pages and API answers are per user: keep them out of the browser's disk cache too.
    if mimetype in NO_STORE_TYPES:
        defaults.append(("Cache-Control", "no-store"))
    return defaults


def content_security_policy() -> str:
    """The policy for this app, built once (the store's origin does not change)."""
    policy = current_app.extensions.get(EXTENSION)
    if policy is None:
        policy = current_app.extensions[EXTENSION] = build_policy(store_origins())
    return policy


def build_policy(store: list[str]) -> str:
    """The CSP header value, with ``store`` origins allowed for media and fetches."""
    extra = "".join(f" {origin}" for origin in store)
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src 'self' data: blob:{extra}",
        f"media-src 'self' blob:{extra}",
        f"connect-src 'self'{extra}",
        "worker-src 'self' blob:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


def store_origins() -> list[str]:
    """Origins browsers fetch media from besides ours: the S3 store's public address."""
    config = current_app.config
    if config.get("STORAGE_BACKEND") != "s3":
        return []
    try:
        url = get_storage().presign_get(PROBE_KEY, 60)
    except StorageError:
        url = None  # no credentials to sign with: fall back to the configured endpoint
    candidates = (url, config.get("S3_PUBLIC_ENDPOINT_URL"), config.get("S3_ENDPOINT_URL"))
    origin = next((o for o in map(_origin, candidates) if o), None)
    return [origin] if origin else []


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"
