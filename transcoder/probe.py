"""Inspect an upload with a hardened ffprobe and decide whether we can transcode it."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from transcoder.errors import InvalidMedia
from transcoder.limits import ANALYZE_DURATION_US, PROBE_SIZE_BYTES, Limits

FFPROBE = "ffprobe"
PROBE_TIMEOUT = 60.0
DEFAULT_FPS = 30.0

_UNREADABLE = "This file is not a video we can read"


@dataclass(frozen=True)
class MediaInfo:
    """What the transcoder needs to know about an accepted upload.

    ``width``/``height`` are the displayed size (already swapped for rotated phone
    footage). ``bit_rate`` is the video stream's bit rate when known, else the
    container's overall bit rate, else ``None``. The stream indexes are absolute
    ffmpeg stream indexes so cover art or a second audio track is never picked up.
    """

    format_name: str
    duration: float
    width: int
    height: int
    fps: float
    video_codec: str
    has_audio: bool
    audio_codec: str | None
    bit_rate: int | None
    size_bytes: int
    video_stream_index: int = 0
    audio_stream_index: int | None = None


def probe(path: str | Path, limits: Limits, forced_format: str | None = None) -> MediaInfo:
    """Probe ``path`` and return its :class:`MediaInfo`.

    ``forced_format`` (a short demuxer name) skips format detection. Raises
    :class:`InvalidMedia`, with an instructor-readable message, for anything we will
    not transcode; an ffprobe failure or timeout counts as bad input too, because
    probing the same bytes again cannot help.
    """
    path = Path(path).resolve()
    size = _check_size(path, limits)
    data = _run_ffprobe(path, limits, forced_format)
    return _media_info(data, size, limits)


def ffprobe_argv(path: Path, limits: Limits, forced_format: str | None = None) -> list[str]:
    """Build the hardened ffprobe command line for ``path`` (pure)."""
    argv = [
        FFPROBE,
        "-v",
        "error",
        "-protocol_whitelist",
        "file",
        "-probesize",
        str(PROBE_SIZE_BYTES),
        "-analyzeduration",
        str(ANALYZE_DURATION_US),
        # Only these demuxers may ever open the upload, so a playlist or concat
        # script disguised as .mp4 cannot make ffmpeg follow links.
        "-format_whitelist",
        ",".join(limits.allowed_demuxers),
    ]
    if forced_format:
        argv += ["-f", forced_format]
    argv += ["-show_format", "-show_streams", "-of", "json", f"file:{path}"]
    return argv


def short_format_name(format_name: str, allowed: tuple[str, ...]) -> str | None:
    """Map ffprobe's ``format_name`` to one of our short demuxer names.

    ffprobe reports the demuxer's full comma list ("mov,mp4,m4a,3gp,3g2,mj2",
    "matroska,webm"); the short name is what ``-f`` accepts later.
    """
    names = format_name.split(",")
    for short in allowed:
        if short in names:
            return short
    return None


def _check_size(path: Path, limits: Limits) -> int:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InvalidMedia("The uploaded file could not be found") from None
    if not path.is_file():
        raise InvalidMedia(f"{_UNREADABLE} (not a regular file)")
    if size == 0:
        raise InvalidMedia("The file is empty")
    if size > limits.max_bytes:
        raise InvalidMedia(
            f"The file is too large ({_human_bytes(size)}; the limit is "
            f"{_human_bytes(limits.max_bytes)})"
        )
    return size


def _run_ffprobe(path: Path, limits: Limits, forced_format: str | None) -> dict[str, Any]:
    argv = ffprobe_argv(path, limits, forced_format)
    try:
        proc = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=PROBE_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise InvalidMedia(f"{_UNREADABLE} (it took too long to analyse)") from None
    if proc.returncode != 0:
        raise InvalidMedia(f"{_UNREADABLE} (unrecognised or unsupported file format)")
    try:
        data = json.loads(proc.stdout or b"{}")
    except json.JSONDecodeError:
        raise InvalidMedia(f"{_UNREADABLE} (unrecognised file format)") from None
    if not isinstance(data, dict) or "format" not in data:
        raise InvalidMedia(f"{_UNREADABLE} (unrecognised file format)")
    return data


def _media_info(data: dict[str, Any], size: int, limits: Limits) -> MediaInfo:
    fmt = data["format"]
    streams: list[dict[str, Any]] = data.get("streams") or []
    format_name = short_format_name(str(fmt.get("format_name", "")), limits.allowed_demuxers)
    if format_name is None:
        raise InvalidMedia(f"{_UNREADABLE} (unsupported file format)")

    video = _pick_video_stream(streams)
    codec = str(video.get("codec_name") or "unknown")
    if codec not in limits.allowed_video_codecs:
        raise InvalidMedia(f"{_UNREADABLE} (unsupported video codec '{codec}')")

    width, height = _display_size(video)
    _check_dimensions(width, height, limits)
    duration = _duration(fmt, video)
    _check_duration(duration, limits)

    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    return MediaInfo(
        format_name=format_name,
        duration=duration,
        width=width,
        height=height,
        fps=_fps(video),
        video_codec=codec,
        has_audio=audio is not None,
        audio_codec=str(audio.get("codec_name")) if audio else None,
        bit_rate=_int_or_none(video.get("bit_rate")) or _int_or_none(fmt.get("bit_rate")),
        size_bytes=size,
        video_stream_index=int(video.get("index", 0)),
        audio_stream_index=int(audio.get("index", 0)) if audio else None,
    )


def _pick_video_stream(streams: list[dict[str, Any]]) -> dict[str, Any]:
    for stream in streams:
        disposition = stream.get("disposition") or {}
        # Cover art in an .m4a is a "video" stream with attached_pic set: not a video.
        if stream.get("codec_type") == "video" and not disposition.get("attached_pic"):
            return stream
    if any(s.get("codec_type") == "audio" for s in streams):
        raise InvalidMedia(f"{_UNREADABLE} (it contains only audio, no video stream)")
    raise InvalidMedia(f"{_UNREADABLE} (no video stream)")


def _display_size(video: dict[str, Any]) -> tuple[int, int]:
    width = _int_or_none(video.get("width")) or 0
    height = _int_or_none(video.get("height")) or 0
    if width <= 0 or height <= 0:
        raise InvalidMedia(f"{_UNREADABLE} (the picture size is unknown)")
    # ffmpeg auto-rotates phone footage on decode, so plan with the displayed size.
    if abs(_rotation(video)) % 180 == 90:
        width, height = height, width
    return width, height


def _rotation(video: dict[str, Any]) -> int:
    for side_data in video.get("side_data_list") or []:
        if "rotation" in side_data:
            return int(float(side_data["rotation"]))
    rotate = (video.get("tags") or {}).get("rotate")
    return int(float(rotate)) if rotate else 0


def _check_dimensions(width: int, height: int, limits: Limits) -> None:
    if width > limits.max_width or height > limits.max_height:
        raise InvalidMedia(
            f"The video's picture is too large ({width}x{height}; the limit is "
            f"{limits.max_width}x{limits.max_height})"
        )


def _duration(fmt: dict[str, Any], video: dict[str, Any]) -> float:
    for value in (fmt.get("duration"), video.get("duration")):
        seconds = _float_or_none(value)
        if seconds is not None and seconds > 0:
            return seconds
    raise InvalidMedia(f"{_UNREADABLE} (it has no playable length)")


def _check_duration(duration: float, limits: Limits) -> None:
    if duration > limits.max_duration:
        raise InvalidMedia(
            f"The video is too long ({_human_duration(duration)}; the limit is "
            f"{_human_duration(limits.max_duration)})"
        )


def _fps(video: dict[str, Any]) -> float:
    # avg_frame_rate is the honest one for variable-frame-rate phone footage;
    # r_frame_rate is a fallback (it can be a timebase-like 90000/1).
    for key in ("avg_frame_rate", "r_frame_rate"):
        rate = _rate_or_none(video.get(key))
        if rate is not None and 0 < rate <= 1000:
            return rate
    return DEFAULT_FPS


def _rate_or_none(value: Any) -> float | None:
    try:
        rate = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        return None
    return float(rate) if rate > 0 else None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _float_or_none(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _human_bytes(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    amount = size / 1024
    for unit in ("KB", "MB"):
        if amount < 1024:
            return f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{amount:.1f} GB"


def _human_duration(seconds: float) -> str:
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"
