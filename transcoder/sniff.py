"""Cheap checks on an upload's bytes before any demuxer sees it (pure reads, no ffmpeg).

Playlists, file lists, images and text are recognised from the first bytes; MP4 and
Matroska files are checked for being cut off or missing their index.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import IO

from transcoder.errors import InvalidMedia

SNIFF_BYTES = 4096
# Top-level ISO-BMFF boxes walked before giving up (fragmented MP4 has many).
MAX_TOP_LEVEL_BOXES = 100_000

UNREADABLE = "This file is not a video we can read"
_PLAYLIST = f"{UNREADABLE} (it is a playlist that only points to other files)"
_FILE_LIST = f"{UNREADABLE} (it is a list of file names, not a recording)"
_IMAGE = f"{UNREADABLE} (it is a still image, not a video)"
_TEXT = f"{UNREADABLE} (it is a text document, not a video)"
_TRUNCATED = (
    f"{UNREADABLE} (it is incomplete: the file was cut off, "
    "perhaps during the upload; please upload it again)"
)
_NO_INDEX = (
    f"{UNREADABLE} (it is damaged: the recording's index is missing, which happens "
    "when a recording is not stopped properly)"
)

_IMAGE_MAGIC: tuple[bytes, ...] = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")
# ISO-BMFF major brands of still-image (HEIF/AVIF) files, which look like MP4.
_IMAGE_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"mif1", b"avif"})
_TEXT_CONTROLS = frozenset(b"\t\n\r\f")
# Boxes an MP4/QuickTime file can start with; anything else is not judged as MP4.
_MP4_FIRST_BOXES = frozenset(
    {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot", b"uuid", b"styp"}
)
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_MKV_SEGMENT = b"\x18\x53\x80\x67"


def sniff(head: bytes) -> str | None:
    """Why the file starting with ``head`` is certainly not a video, else ``None``.

    Pure and cheap: recognises HLS playlists, ffconcat/concat scripts, common image
    formats and plain text, so none of them ever reaches a demuxer.
    """
    if head.startswith(_IMAGE_MAGIC) or (head[4:8] == b"ftyp" and head[8:12] in _IMAGE_BRANDS):
        return _IMAGE
    text = _as_text(head)
    if text is None:
        return None
    first = text.lstrip("\ufeff \t\r\n")
    if first.startswith("#EXTM3U"):
        return _PLAYLIST
    if first.startswith("ffconcat") or _is_file_list(first):
        return _FILE_LIST
    return _TEXT


def container_problem(path: Path, size: int) -> str | None:
    """A message if the MP4/Matroska structure of ``path`` shows it is incomplete.

    MP4: a top-level box running past the end of the file, or no ``moov`` index.
    Matroska: a Segment whose declared size runs past the end of the file (live
    recordings with an unknown size are not judged). Other files: ``None``.
    """
    with path.open("rb") as stream:
        head = stream.read(16)
        if head.startswith(_EBML_MAGIC):
            return _matroska_problem(stream, size)
        if head[4:8] in _MP4_FIRST_BOXES:
            return _mp4_problem(stream, size)
    return None


def read_head(path: Path) -> bytes:
    """The first bytes of the file, enough to recognise its kind."""
    with path.open("rb") as stream:
        return stream.read(SNIFF_BYTES)


def reject_non_video(head: bytes) -> None:
    """InvalidMedia with the reason when the bytes are not a video container."""
    reason = sniff(head)
    if reason is not None:
        raise InvalidMedia(reason)


def _as_text(head: bytes) -> str | None:
    """``head`` decoded as UTF-8 text without control bytes, else ``None``."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The sniff window may end inside a multi-byte character.
        if exc.start < len(head) - 3:
            return None
        text = head[: exc.start].decode("utf-8")
    if any(ord(char) < 0x20 and ord(char) not in _TEXT_CONTROLS for char in text):
        return None
    return text if text.strip() else None


def _is_file_list(text: str) -> bool:
    """A concat-demuxer script: only ``file '...'`` lines (and comments)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    has_file = any(line.startswith("file ") for line in lines)
    return has_file and all(line.startswith(("file ", "#")) for line in lines)


def _plausible_box_type(box_type: bytes) -> bool:
    return len(box_type) == 4 and all(0x20 <= byte <= 0x7E or byte == 0xA9 for byte in box_type)


def _mp4_problem(stream: IO[bytes], size: int) -> str | None:
    offset = 0
    seen: set[bytes] = set()
    for _ in range(MAX_TOP_LEVEL_BOXES):
        if size - offset < 8:
            return None if b"moov" in seen else _NO_INDEX
        stream.seek(offset)
        header = stream.read(16)
        box_size, box_type = struct.unpack(">I4s", header[:8])
        if box_size == 1:
            if len(header) < 16:
                return _TRUNCATED
            box_size = struct.unpack(">Q", header[8:16])[0]
        elif box_size == 0:  # "extends to the end of the file"
            box_size = size - offset
        if box_size < 8 or not _plausible_box_type(box_type):
            return None  # trailing junk some writers leave: let the demuxer judge
        if offset + box_size > size:
            return _TRUNCATED
        seen.add(box_type)
        offset += box_size
    return None


def _matroska_problem(stream: IO[bytes], size: int) -> str | None:
    stream.seek(0)
    data = stream.read(SNIFF_BYTES)
    header = _ebml_size(data, len(_EBML_MAGIC))
    if header is None:
        return None
    header_size, width = header
    pos = len(_EBML_MAGIC) + width + header_size
    if data[pos : pos + 4] != _MKV_SEGMENT:
        return None
    segment = _ebml_size(data, pos + 4)
    if segment is None:
        return None
    segment_size, width = segment
    if segment_size == (1 << (7 * width)) - 1:  # unknown size: a live recording
        return None
    return _TRUNCATED if pos + 4 + width + segment_size > size else None


def _ebml_size(data: bytes, pos: int) -> tuple[int, int] | None:
    """Decode the EBML variable-length integer at ``pos``: (value, width in bytes)."""
    if pos >= len(data) or data[pos] == 0:
        return None
    first = data[pos]
    width = 9 - first.bit_length()
    if pos + width > len(data):
        return None
    value = first & ((1 << (8 - width)) - 1)
    for byte in data[pos + 1 : pos + width]:
        value = (value << 8) | byte
    return value, width
