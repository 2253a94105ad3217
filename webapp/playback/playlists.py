"""Rewrite playlists and WebVTT tracks so every media URI they name is a signed link (pure).

``sign`` maps a path inside the ladder ("360p/seg_00000.ts") to the URL the client
should fetch. Playlist URIs (``.m3u8``) stay relative: they resolve to the app's own
playlist route, which checks the viewer and signs again on every fetch.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

Signer = Callable[[str], str]

# URI="..." in tags such as EXT-X-MAP, EXT-X-KEY, EXT-X-MEDIA, EXT-X-I-FRAME-STREAM-INF.
_URI_ATTRIBUTE = re.compile(r'URI="([^"]*)"')
# An image cue payload of a thumbnails track: "sheet_000.jpg#xywh=0,0,160,90".
_IMAGE_CUE = re.compile(r"^([A-Za-z0-9_./-]+\.(?:jpg|jpeg|png|webp))(#.*)?$", re.IGNORECASE)


def ladder_path(base: str, uri: str) -> str | None:
    """The path inside the ladder that ``uri`` (relative to directory ``base``) names, or
    None for an absolute URI or one that climbs out of the ladder."""
    if "://" in uri or uri.startswith(("/", "data:")):
        return None
    path = posixpath.normpath(posixpath.join(base, uri))
    if path.startswith("../") or path in (".", ".."):
        return None
    return path


def _resolve(base: str, uri: str, sign: Signer) -> str:
    if uri.split("?", 1)[0].endswith(".m3u8"):
        return uri
    path = ladder_path(base, uri)
    if path is None:
        raise ValueError(f"a playlist names a URI outside its ladder: {uri!r}")
    return sign(path)


def sign_playlist(text: str, base: str, sign: Signer) -> str:
    """An HLS playlist at directory ``base`` with every non-playlist URI (segment lines
    and ``URI="..."`` attributes) replaced by ``sign(path)``."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            lines.append(line)
        elif stripped.startswith("#"):
            lines.append(
                _URI_ATTRIBUTE.sub(lambda m: f'URI="{_resolve(base, m.group(1), sign)}"', line)
            )
        else:
            lines.append(_resolve(base, stripped, sign))
    return "\n".join(lines) + "\n"


def sign_vtt(text: str, base: str, sign: Signer) -> str:
    """A WebVTT track at directory ``base`` with image cue payloads (thumbnails tracks)
    signed; the media fragment (``#xywh=...``) is kept. Text cues are left alone."""
    lines = []
    for line in text.splitlines():
        match = _IMAGE_CUE.match(line.strip())
        path = ladder_path(base, match.group(1)) if match else None
        if match is None or path is None:
            lines.append(line)
        else:
            lines.append(sign(path) + (match.group(2) or ""))
    return "\n".join(lines) + "\n"
