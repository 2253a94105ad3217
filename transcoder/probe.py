"""Inspect an upload with a hardened ffprobe and decide whether we can transcode it.

Defence in depth against hostile uploads: before ffprobe ever sees a file, its first
bytes are sniffed so playlists, concat scripts, images and text are refused outright;
ffprobe itself runs with a file-only protocol whitelist, a demuxer whitelist, bounded
probing and a wall-clock timeout; and MP4/Matroska files whose structure says they
were cut short are refused instead of being half-transcoded.
"""

from __future__ import annotations

import json
import math
import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from transcoder.child import child_setup
from transcoder.errors import SERVER_PROBLEM, InvalidMedia, TranscodeError
from transcoder.limits import (
    ANALYZE_DURATION_US,
    PROBE_SIZE_BYTES,
    PROBE_TIMEOUT_SECONDS,
    Limits,
)
from transcoder.sniff import UNREADABLE, container_problem, read_head, reject_non_video

FFPROBE = "ffprobe"
PROBE_TIMEOUT = PROBE_TIMEOUT_SECONDS


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
    probing the same bytes again cannot help. Raises :class:`TranscodeError` only when
    ffprobe itself cannot be started.
    """
    path = Path(path).resolve()
    size = _check_size(path, limits)
    reject_non_video(read_head(path))
    data = _run_ffprobe(path, limits, forced_format)
    info = media_info(data, size, limits)
    problem = container_problem(path, size)
    if problem is not None:
        raise InvalidMedia(problem)
    return info


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
        raise InvalidMedia(f"{UNREADABLE} (not a regular file)")
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
            preexec_fn=child_setup(),  # dies with its worker, like ffmpeg
        )
    except subprocess.TimeoutExpired:
        raise InvalidMedia(f"{UNREADABLE} (it took too long to analyse)") from None
    except OSError as exc:  # a broken installation, not a bad upload: retryable
        raise TranscodeError(f"could not start ffprobe: {exc}", reason=SERVER_PROBLEM) from exc
    if proc.returncode != 0:
        problem = container_problem(path, path.stat().st_size)
        raise InvalidMedia(problem or f"{UNREADABLE} (unrecognised or unsupported file format)")
    try:
        data = json.loads(proc.stdout or b"{}")
    except json.JSONDecodeError:
        raise InvalidMedia(f"{UNREADABLE} (unrecognised file format)") from None
    if not isinstance(data, dict) or "format" not in data:
        raise InvalidMedia(f"{UNREADABLE} (unrecognised file format)")
    return data


def media_info(data: dict[str, Any], size: int, limits: Limits) -> MediaInfo:
    """Validate ffprobe's JSON for a ``size``-byte file against ``limits`` (pure)."""
    fmt = data["format"] if isinstance(data.get("format"), dict) else {}
    streams = [s for s in data.get("streams") or [] if isinstance(s, dict)]
    format_name = short_format_name(str(fmt.get("format_name", "")), limits.allowed_demuxers)
    if format_name is None:
        raise InvalidMedia(f"{UNREADABLE} (unsupported file format)")

    video = _pick_video_stream(streams)
    codec = str(video.get("codec_name") or "unknown")
    if codec not in limits.allowed_video_codecs:
        raise InvalidMedia(f"{UNREADABLE} (unsupported video codec '{codec}')")

    width, height = _display_size(video)
    _check_dimensions(width, height, limits)
    _check_not_still(video)
    duration = _duration(fmt, video)
    _check_duration(duration, _longest_duration(fmt, streams), limits)
    fps = _frame_rate(video, limits)

    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    return MediaInfo(
        format_name=format_name,
        duration=duration,
        width=width,
        height=height,
        fps=fps,
        video_codec=codec,
        has_audio=audio is not None,
        audio_codec=str(audio.get("codec_name")) if audio else None,
        bit_rate=_int_or_none(video.get("bit_rate")) or _int_or_none(fmt.get("bit_rate")),
        size_bytes=size,
        video_stream_index=_int_or_none(video.get("index")) or 0,
        audio_stream_index=_int_or_none(audio.get("index")) if audio else None,
    )


def _pick_video_stream(streams: list[dict[str, Any]]) -> dict[str, Any]:
    for stream in streams:
        disposition = stream.get("disposition") or {}
        # Cover art in an .m4a is a "video" stream with attached_pic set: not a video.
        if stream.get("codec_type") == "video" and not disposition.get("attached_pic"):
            return stream
    if any(s.get("codec_type") == "audio" for s in streams):
        raise InvalidMedia(f"{UNREADABLE} (it contains only audio, no video stream)")
    raise InvalidMedia(f"{UNREADABLE} (no video stream)")


def _display_size(video: dict[str, Any]) -> tuple[int, int]:
    width = _int_or_none(video.get("width")) or 0
    height = _int_or_none(video.get("height")) or 0
    if width <= 0 or height <= 0:
        raise InvalidMedia(f"{UNREADABLE} (the picture size is unknown)")
    # ffmpeg auto-rotates phone footage on decode, so plan with the displayed size.
    if abs(_rotation(video)) % 180 == 90:
        width, height = height, width
    return width, height


def _rotation(video: dict[str, Any]) -> int:
    for side_data in video.get("side_data_list") or []:
        if isinstance(side_data, dict) and "rotation" in side_data:
            return _degrees(side_data["rotation"])
    return _degrees((video.get("tags") or {}).get("rotate"))


def _degrees(value: Any) -> int:
    degrees = _float_or_none(value)
    return round(degrees) if degrees is not None else 0


def _check_dimensions(width: int, height: int, limits: Limits) -> None:
    # Either orientation fits: a 2160x3840 phone clip is as big as a 3840x2160 one.
    fits = (width <= limits.max_width and height <= limits.max_height) or (
        height <= limits.max_width and width <= limits.max_height
    )
    if not fits:
        raise InvalidMedia(
            f"The video's picture is too large ({width}x{height}; the limit is "
            f"{limits.max_width}x{limits.max_height})"
        )


def _duration(fmt: dict[str, Any], video: dict[str, Any]) -> float:
    for value in (fmt.get("duration"), video.get("duration")):
        seconds = _float_or_none(value)
        if seconds is not None and seconds > 0:
            return seconds
    raise InvalidMedia(f"{UNREADABLE} (it has no playable length)")


def _longest_duration(fmt: dict[str, Any], streams: list[dict[str, Any]]) -> float:
    """The longest length any header claims: what ffmpeg may end up decoding."""
    values = [fmt.get("duration"), *(s.get("duration") for s in streams)]
    return max((v for v in map(_float_or_none, values) if v is not None), default=0.0)


def _check_duration(duration: float, longest: float, limits: Limits) -> None:
    if max(duration, longest) > limits.max_duration:
        raise InvalidMedia(
            f"The video is too long ({_human_duration(max(duration, longest))}; the limit "
            f"is {_human_duration(limits.max_duration)})"
        )
    if duration < limits.min_duration:
        raise InvalidMedia(
            f"The video is too short ({duration:.2f} seconds; a lesson must be at least "
            f"{limits.min_duration:g} seconds long)"
        )


def _check_not_still(video: dict[str, Any]) -> None:
    frames = _int_or_none(video.get("nb_frames"))
    if frames is not None and 0 < frames < 2:
        raise InvalidMedia(f"{UNREADABLE} (it holds a single picture, not a moving video)")


def _frame_rate(video: dict[str, Any], limits: Limits) -> float:
    rate = _stream_rate(video)
    if rate is None:
        raise InvalidMedia(f"{UNREADABLE} (its frame rate is missing or zero)")
    if rate > limits.max_fps:
        raise InvalidMedia(
            f"The video's frame rate is too high ({rate:.4g} frames per second; the limit "
            f"is {limits.max_fps:g})"
        )
    if rate < limits.min_fps:
        raise InvalidMedia(
            f"The video's frame rate is too low ({rate:.2g} frames per second; the "
            f"minimum is {limits.min_fps:g})"
        )
    return rate


def _stream_rate(video: dict[str, Any]) -> float | None:
    # avg_frame_rate is the honest one for variable-frame-rate phone footage;
    # r_frame_rate is a fallback (it can be a timebase-like 90000/1).
    for key in ("avg_frame_rate", "r_frame_rate"):
        rate = _rate_or_none(video.get(key))
        if rate is not None:
            return rate
    return None


def _rate_or_none(value: Any) -> float | None:
    try:
        rate = float(Fraction(str(value)))
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    return rate if math.isfinite(rate) and rate > 0 else None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _float_or_none(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


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
