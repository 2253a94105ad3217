"""Where a notification may send its reader: a path inside this site, nothing else."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_path(url: str) -> str | None:
    """``url`` when it is a path of this site ("/videos/3?t=42"), else None: no scheme,
    no host, no protocol-relative ``//host`` or ``/\\host`` (browsers read both as a
    host), no control characters."""
    if not url.startswith("/") or url.startswith(("//", "/\\")):
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 or ch == "\\" for ch in url):
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    return url
