"""Caption files in, one clean WebVTT track out (pure).

``parse_caption_file`` decodes the upload (UTF-8 or UTF-16 with a byte-order mark; binary
data is refused), reads it as WebVTT or SRT, makes every cue's text inert
(:mod:`webapp.captions.cuetext`), checks the cues (in time order, each ending after it
starts, none ending past the video plus ``DURATION_TOLERANCE``, caps on size and count),
and returns a :class:`CaptionTrack` whose ``to_vtt()`` is what we store and serve.

Errors name the line of the uploaded file. Overlapping cues are kept: WebVTT shows
both (two speakers talking at once). Readers are lenient where browsers are (a timing
line without a blank line before it starts a new cue, while "-->" in text that does
not start with a time stays text; in SRT a cue number stuck to
the previous text is still a cue number), strict where a browser would silently drop cues.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from webapp.captions import cuetext
from webapp.captions.errors import CaptionError, CaptionTooLarge

MAX_BYTES = 2 * 1024 * 1024
MAX_CUES = 20_000
MAX_CUE_CHARS = 1_000
DURATION_TOLERANCE = 2.0  # seconds a cue may run past the end of the video
FORMATS = ("vtt", "srt")

_VTT_HEADER = re.compile(r"^WEBVTT(?:[ \t].*)?$")
_VTT_TIME = re.compile(r"^(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})$")
_SRT_TIME = re.compile(r"^(\d{1,3}):([0-5]?\d):([0-5]?\d)[,.](\d{1,3})$")
_VTT_BLOCK = re.compile(r"^(?:NOTE|STYLE|REGION)(?:[ \t]|$)")
_SETTING = re.compile(r"^(vertical|line|position|size|align):([\w.%,-]{1,20})$")
_EXAMPLE = {"vtt": "00:00:01.000 --> 00:00:04.000", "srt": "00:00:01,000 --> 00:00:04,000"}
_TIME_FORMAT = {"vtt": "[HH:]MM:SS.mmm, e.g. 01:02.500", "srt": "HH:MM:SS,mmm, e.g. 00:01:02,500"}
_ALLOWED_CONTROLS = frozenset("\t\n\r\f")


@dataclass(frozen=True)
class Cue:
    """One cue: times in milliseconds, inert payload text, optional WebVTT settings."""

    start_ms: int
    end_ms: int
    text: str
    line: int = 0  # of its timing line in the uploaded file
    settings: str = ""

    @property
    def start(self) -> float:
        """Start in seconds."""
        return self.start_ms / 1000

    @property
    def end(self) -> float:
        """End in seconds."""
        return self.end_ms / 1000

    @property
    def plain(self) -> str:
        """The words of the cue (for search and transcripts)."""
        return cuetext.plain(self.text)


@dataclass(frozen=True)
class CaptionTrack:
    """A validated track and the format it was uploaded in."""

    source_format: str
    cues: tuple[Cue, ...] = field(default_factory=tuple)

    def to_vtt(self) -> str:
        """The track as a WebVTT file."""
        return serialize(self.cues)


# --------------------------------------------------------------------------- decoding


def decode(data: bytes) -> str:
    """The text of an upload with ``\\n`` line ends and no byte-order mark."""
    if len(data) > MAX_BYTES:
        raise CaptionTooLarge(f"the file is over the {MAX_BYTES // (1024 * 1024)} MB limit")
    if not data.strip():
        raise CaptionError("the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _decode(data, "utf-16")
    else:
        if b"\x00" in data:
            raise CaptionError("this is not a text file (it contains binary data)")
        text = _decode(data, "utf-8-sig")
    if any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS for ch in text):
        raise CaptionError("this is not a text file (it contains control characters)")
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise CaptionError(
            f"the file is not valid {'UTF-16' if '16' in encoding else 'UTF-8'} text "
            f"(byte {exc.start}); save it as UTF-8"
        ) from None


def detect_format(text: str, filename: str | None = None) -> str:
    """``vtt`` or ``srt``: by the file name's extension when it names one, else by content."""
    suffix = (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    if suffix in FORMATS:
        return suffix
    first = text.lstrip("\n").split("\n", 1)[0].strip()
    if first.startswith("WEBVTT"):
        return "vtt"
    if first.isdigit() or "-->" in first:
        return "srt"
    raise CaptionError(
        "the file is neither WebVTT (first line “WEBVTT”) nor SRT (numbered cues with "
        f"timing lines such as “{_EXAMPLE['srt']}”)"
    )


# --------------------------------------------------------------------------- reading


@dataclass
class _Open:
    start_ms: int
    end_ms: int
    settings: str
    line: int
    payload: list[str] = field(default_factory=list)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _timestamp(raw: str, line: int, fmt: str) -> int:
    pattern = _VTT_TIME if fmt == "vtt" else _SRT_TIME
    match = pattern.match(raw)
    if match is None:
        hint = ""
        if fmt == "vtt" and "," in raw:
            hint = " (WebVTT puts a full stop, not a comma, before the milliseconds)"
        raise CaptionError(
            f"line {line}: bad timestamp “{_short(raw)}”: expected {_TIME_FORMAT[fmt]}{hint}"
        )
    hours, minutes, seconds, fraction = match.groups()
    millis = int(fraction.ljust(3, "0"))
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + millis


def _settings(raw: str) -> str:
    """Known cue settings with plain values; anything else (regions included) dropped."""
    return " ".join(token for token in raw.split() if _SETTING.match(token))


def _timing(text: str, line: int, fmt: str) -> _Open:
    left, _, right = text.partition("-->")
    rest = right.split(None, 1)
    if not left.strip() or not rest:
        raise CaptionError(
            f"line {line}: a timing line needs a start and an end, e.g. “{_EXAMPLE[fmt]}”"
        )
    start = _timestamp(left.strip(), line, fmt)
    end = _timestamp(rest[0], line, fmt)
    settings = _settings(rest[1]) if fmt == "vtt" and len(rest) > 1 else ""
    return _Open(start, end, settings, line)


def _read_cues(lines: Sequence[str], first_line: int, fmt: str) -> list[Cue]:
    cues: list[Cue] = []
    current: _Open | None = None
    label: tuple[int, str] | None = None  # a cue identifier (VTT) or number (SRT)
    skipping = False  # inside a NOTE, STYLE or REGION block

    def close() -> None:
        if current is None:
            return
        text = cuetext.sanitize("\n".join(current.payload))
        if text:
            cues.append(Cue(current.start_ms, current.end_ms, text, current.line, current.settings))

    for number, line in enumerate(lines, start=first_line):
        stripped = line.strip()
        if not stripped:
            if label is not None:
                break
            close()
            current, skipping = None, False
        elif skipping:
            continue
        elif "-->" in stripped and (current is None or stripped[0].isdigit()):
            if current is not None:
                # No blank line before this cue; in SRT the line above is its number.
                if fmt == "srt" and current.payload and current.payload[-1].strip().isdigit():
                    current.payload.pop()
                close()
            current, label = _timing(stripped, number, fmt), None
        elif current is not None:
            current.payload.append(line)
        elif fmt == "vtt" and label is None and _VTT_BLOCK.match(stripped):
            skipping = True
        elif label is not None:
            raise CaptionError(
                f"line {number}: expected a timing line such as “{_EXAMPLE[fmt]}” after "
                f"“{_short(label[1])}”, found “{_short(stripped)}”"
            )
        else:
            label = (number, stripped)
    close()
    if label is not None:
        raise CaptionError(f"line {label[0]}: “{_short(label[1])}” has no timing line after it")
    return cues


def read_vtt(text: str) -> list[Cue]:
    """The cues of a WebVTT file (header, NOTE, STYLE and REGION blocks are dropped)."""
    lines = text.split("\n")
    if not _VTT_HEADER.match(lines[0]):
        raise CaptionError("line 1: a WebVTT file must start with “WEBVTT”")
    body_start = 1
    while body_start < len(lines) and lines[body_start].strip():
        if "-->" in lines[body_start]:
            break  # no blank line after the header: cues start here
        body_start += 1
    return _read_cues(lines[body_start:], body_start + 1, "vtt")


def read_srt(text: str) -> list[Cue]:
    """The cues of an SRT file (cue numbers are not checked, nor kept)."""
    return _read_cues(text.split("\n"), 1, "srt")


# --------------------------------------------------------------------------- checks


def format_timestamp(ms: int) -> str:
    """``HH:MM:SS.mmm``."""
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def validate(cues: Sequence[Cue], duration: float | None) -> None:
    """Raise CaptionError unless the cues make a sound track for a video of ``duration``
    seconds (None: unknown, not checked)."""
    if not cues:
        raise CaptionError("the file has no cues with text")
    if len(cues) > MAX_CUES:
        raise CaptionError(f"the file has {len(cues)} cues; the limit is {MAX_CUES}")
    limit_ms = None if duration is None else round((duration + DURATION_TOLERANCE) * 1000)
    previous: Cue | None = None
    for cue in cues:
        where = f"line {cue.line}"
        if cue.end_ms <= cue.start_ms:
            raise CaptionError(
                f"{where}: the cue ends ({format_timestamp(cue.end_ms)}) before or when it "
                f"starts ({format_timestamp(cue.start_ms)})"
            )
        if previous is not None and cue.start_ms < previous.start_ms:
            raise CaptionError(
                f"{where}: the cue starts at {format_timestamp(cue.start_ms)}, before the cue "
                f"on line {previous.line} ({format_timestamp(previous.start_ms)}); cues must "
                "be in time order"
            )
        if limit_ms is not None and cue.end_ms > limit_ms:
            raise CaptionError(
                f"{where}: the cue ends at {format_timestamp(cue.end_ms)}, after the end of "
                f"the video ({format_timestamp(round((duration or 0) * 1000))})"
            )
        if len(cue.text) > MAX_CUE_CHARS:
            raise CaptionError(f"{where}: the cue text is over {MAX_CUE_CHARS} characters")
        previous = cue


def serialize(cues: Sequence[Cue]) -> str:
    """A WebVTT file of ``cues`` (already inert)."""
    blocks = ["WEBVTT"]
    for cue in cues:
        timing = f"{format_timestamp(cue.start_ms)} --> {format_timestamp(cue.end_ms)}"
        if cue.settings:
            timing += " " + cue.settings
        blocks.append(f"{timing}\n{cue.text}")
    return "\n\n".join(blocks) + "\n"


def parse_caption_file(
    data: bytes, duration: float | None, filename: str | None = None
) -> CaptionTrack:
    """Decode, read, clean and check an uploaded caption file (see the module docstring)."""
    text = decode(data)
    fmt = detect_format(text, filename)
    cues = read_vtt(text) if fmt == "vtt" else read_srt(text)
    validate(cues, duration)
    return CaptionTrack(fmt, tuple(cues))
