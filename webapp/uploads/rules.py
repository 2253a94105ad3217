"""What a direct upload may declare, and how it is cut into parts (pure functions)."""

from __future__ import annotations

import math
from pathlib import PurePosixPath

from webapp.storage.base import MAX_PART_NUMBER, MIN_PART_SIZE
from webapp.uploads.errors import UploadRejected, UploadTooLarge

# Containers the prober's demuxers open ("mov" and "matroska"), by file extension, with
# the content types browsers report for them.
CONTAINERS: dict[str, frozenset[str]] = {
    ".mp4": frozenset({"video/mp4"}),
    ".m4v": frozenset({"video/mp4", "video/x-m4v"}),
    ".mov": frozenset({"video/quicktime", "video/mp4"}),
    ".mkv": frozenset({"video/x-matroska", "video/matroska", "video/webm"}),
    ".webm": frozenset({"video/webm", "video/x-matroska"}),
}
# Browsers send these when they do not know the type (often for .mkv).
UNKNOWN_TYPES = frozenset({"", "application/octet-stream"})
ACCEPTED_NAMES = "MP4, MOV, M4V, MKV or WebM"
# Parts the browser sends: fewer, larger requests than S3's 5 MiB minimum.
PREFERRED_PART_SIZE = 16 * 1024**2
# S3's cap on one part.
MAX_PART_SIZE = 5 * 1024**3
MAX_FILENAME = 255
MAX_TITLE = 200
# Longer than any ETag a store returns (S3's are 32 hex digits, quoted, with a part count).
MAX_ETAG = 200


def human_bytes(size: int) -> str:
    """``1.5 GB``-style sizes for messages."""
    if size < 1024:
        return f"{size} bytes"
    amount = float(size)
    for unit in ("KB", "MB", "GB"):
        amount /= 1024
        if amount < 1024 or unit == "GB":
            return f"{amount:.1f} {unit}"
    raise AssertionError("unreachable")


def clean_title(title: str | None) -> str:
    """A trimmed, non-empty title of reasonable length, or UploadRejected."""
    title = " ".join((title or "").split())
    if not title:
        raise UploadRejected("Give the recording a title.")
    if len(title) > MAX_TITLE:
        raise UploadRejected(f"The title is too long (at most {MAX_TITLE} characters).")
    return title


def container_extension(filename: str, content_type: str) -> str:
    """The lower-case extension of an acceptable recording, else UploadRejected."""
    name = PurePosixPath(filename.replace("\\", "/")).name
    if not name or len(name) > MAX_FILENAME:
        raise UploadRejected("Give the file name of the recording (at most 255 characters).")
    ext = PurePosixPath(name).suffix.lower()
    if ext not in CONTAINERS:
        raise UploadRejected(
            f"“{name}” is not a video file we accept (send {ACCEPTED_NAMES} recordings)."
        )
    kind = content_type.split(";")[0].strip().lower()
    if kind not in UNKNOWN_TYPES and kind not in CONTAINERS[ext]:
        raise UploadRejected(
            f"“{name}” says it is {kind or 'unknown'}, not a video we accept "
            f"(send {ACCEPTED_NAMES} recordings)."
        )
    return ext


def check_size(size: int, max_bytes: int) -> int:
    """``size`` (a positive number of bytes, as the API's schema declares it), if it is
    within ``max_bytes``."""
    if size > max_bytes:
        raise UploadTooLarge(
            f"The file is too large ({human_bytes(size)}; the limit is {human_bytes(max_bytes)})."
        )
    return size


def part_size(size: int) -> int:
    """The part size a client should use for a ``size``-byte file (at most 10,000 parts)."""
    return max(PREFERRED_PART_SIZE, MIN_PART_SIZE, math.ceil(size / MAX_PART_NUMBER))


def check_parts(parts: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The uploaded parts ``[(number, etag)]`` sorted by number, each once, each with an
    ETag (numbers in range and ETag lengths are checked by the API's schema)."""
    if not parts:
        raise UploadRejected('List the uploaded parts: [{"PartNumber": 1, "ETag": ...}].')
    for number, etag in parts:
        if not etag.strip('"'):
            raise UploadRejected(f"Part {number} needs the ETag the store returned for it.")
    result = sorted(parts)
    if len({number for number, _ in result}) != len(result):
        raise UploadRejected("List each part once.")
    return result
