"""Content types of the media objects we store and serve."""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import quote

CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
    ".mkv": "video/x-matroska",
    ".jpg": "image/jpeg",
    ".vtt": "text/vtt",
}


def content_type(key: str) -> str:
    """The MIME type for a key, by its extension."""
    return CONTENT_TYPES.get(PurePosixPath(key).suffix.lower(), "application/octet-stream")


def content_disposition(download_name: str) -> str:
    """An ``attachment`` header value that saves as ``download_name`` (RFC 6266)."""
    fallback = "".join(
        ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in download_name
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(download_name, safe='')}"
