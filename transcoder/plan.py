"""Pure decision of which HLS renditions to encode for a probed source (no I/O)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from transcoder.probe import MediaInfo

# (short side, video bits/s at <=30 fps, audio bits/s), best first. "Short side" is
# the height of landscape video and the width of portrait (phone) video.
LADDER: tuple[tuple[int, int, int], ...] = (
    (1080, 5_000_000, 128_000),
    (720, 2_800_000, 128_000),
    (480, 1_400_000, 96_000),
    (360, 800_000, 96_000),
    (240, 400_000, 64_000),
)
MAX_FPS = 60.0
MIN_FPS = 1.0
# Source bit rates can be tiny (static slides) or bogus; below this H.264 falls apart.
MIN_VIDEO_BITRATE = 100_000
MAXRATE_FACTOR = 1.07
BUFSIZE_FACTOR = 1.5
# The one AAC rendition every video variant plays (an HLS audio group): encoded once
# instead of once per rung, and the audio-only choice for a bad connection.
SHARED_AUDIO_BITRATE = 128_000
# Integrated loudness target (LUFS, measured per EBU R128): the level podcasts and
# streaming services use, since learners listen on laptops and phones, not in a studio.
LOUDNESS_TARGET = -16.0
# Storyboard: at most this many seek-preview thumbnails, this long side, per-sheet grid.
STORYBOARD_MAX_THUMBS = 300
STORYBOARD_LONG_SIDE = 160
STORYBOARD_GRID = 10


@dataclass(frozen=True)
class Rendition:
    """One HLS variant: picture size and rate-control targets (bits/s)."""

    name: str
    width: int
    height: int
    video_bitrate: int
    maxrate: int
    bufsize: int
    audio_bitrate: int


@dataclass(frozen=True)
class SharedAudio:
    """The audio rendition all video variants share (HLS ``EXT-X-MEDIA`` audio group)."""

    name: str = "audio"
    bitrate: int = SHARED_AUDIO_BITRATE


@dataclass(frozen=True)
class Storyboard:
    """Seek-preview thumbnails every ``interval`` s, tiled ``columns`` x ``rows`` per sheet."""

    interval: int
    width: int
    height: int
    columns: int
    rows: int
    count: int

    @property
    def per_sheet(self) -> int:
        """Thumbnails on one full sheet."""
        return self.columns * self.rows

    @property
    def sheets(self) -> int:
        """How many sprite sheets the thumbnails fill."""
        return math.ceil(self.count / self.per_sheet)


@dataclass(frozen=True)
class Plan:
    """Everything the encoder needs besides the source: renditions and timing.

    ``gop_frames`` is ``fps * segment_seconds`` so every rendition places keyframes at
    the same instants and every segment starts with one. With ``shared_audio`` the
    video variants carry no audio and all play that one rendition; without it (a plain
    ladder, as one-process-per-rendition pipelines make) each variant muxes its own
    audio at its rung's ``audio_bitrate``.
    """

    renditions: tuple[Rendition, ...]
    fps: float
    gop_frames: int
    segment_seconds: int
    has_audio: bool
    shared_audio: SharedAudio | None = None
    storyboard: Storyboard | None = None
    loudness_target: float | None = None


def plan_ladder(
    info: MediaInfo,
    segment_seconds: int = 4,
    *,
    extras: bool = True,
) -> Plan:
    """Choose the rendition ladder for ``info`` without ever upscaling.

    With ``extras`` the audio (when there is some) is one shared, loudness-normalised
    rendition, and the plan asks for a storyboard of seek-preview thumbnails.
    """
    if segment_seconds < 1:
        raise ValueError("segment_seconds must be at least 1")
    fps = plan_fps(info.fps)
    factor = fps_bitrate_factor(fps)
    renditions = tuple(
        _rendition(info, width, height, name, base, audio, factor)
        for width, height, name, base, audio in _sizes(info.width, info.height)
    )
    return Plan(
        renditions=renditions,
        fps=fps,
        gop_frames=max(1, round(fps * segment_seconds)),
        segment_seconds=segment_seconds,
        has_audio=info.has_audio,
        shared_audio=SharedAudio() if extras and info.has_audio else None,
        storyboard=plan_storyboard(info.width, info.height, info.duration) if extras else None,
        loudness_target=LOUDNESS_TARGET if extras and info.has_audio else None,
    )


def plan_storyboard(width: int, height: int, duration: float) -> Storyboard:
    """Thumbnail spacing and sprite geometry: whole seconds, at most 300 thumbnails."""
    interval = max(1, math.ceil(duration / STORYBOARD_MAX_THUMBS))
    count = max(1, math.ceil(duration / interval))
    if width >= height:
        thumb = (STORYBOARD_LONG_SIDE, even_scaled(height, STORYBOARD_LONG_SIDE, width))
    else:
        thumb = (even_scaled(width, STORYBOARD_LONG_SIDE, height), STORYBOARD_LONG_SIDE)
    columns = min(STORYBOARD_GRID, count)
    rows = min(STORYBOARD_GRID, math.ceil(count / columns))
    return Storyboard(interval, *thumb, columns=columns, rows=rows, count=count)


def plan_fps(source_fps: float) -> float:
    """Output frame rate: the source's, capped at 60 and rounded to 3 decimals."""
    return round(min(max(source_fps, MIN_FPS), MAX_FPS), 3)


def fps_bitrate_factor(fps: float) -> float:
    """Bit-rate multiplier: 1.0 up to 30 fps, rising linearly to 1.5 at 60 fps."""
    return 1.0 + 0.5 * min(max((fps - 30.0) / 30.0, 0.0), 1.0)


def even_scaled(size: int, numerator: int, denominator: int) -> int:
    """``size * numerator / denominator`` rounded down to an even number (min 2)."""
    return max(2, (size * numerator // denominator) // 2 * 2)


def _sizes(width: int, height: int) -> list[tuple[int, int, str, int, int]]:
    """(width, height, name, base video bps, audio bps) for each rung that fits."""
    landscape = width >= height
    short = height if landscape else width
    rungs = [rung for rung in LADDER if rung[0] <= short]
    if not rungs:
        # Smaller than the smallest rung: one rendition at (even) source size.
        _, base, audio = LADDER[-1]
        even_w, even_h = max(2, width // 2 * 2), max(2, height // 2 * 2)
        return [(even_w, even_h, f"{min(even_w, even_h)}p", base, audio)]
    sizes = []
    for rung_short, base, audio in rungs:
        if landscape:
            size = (even_scaled(width, rung_short, height), rung_short)
        else:
            size = (rung_short, even_scaled(height, rung_short, width))
        sizes.append((*size, f"{rung_short}p", base, audio))
    return sizes


def _rendition(
    info: MediaInfo, width: int, height: int, name: str, base: int, audio: int, factor: float
) -> Rendition:
    bitrate = round(base * factor)
    if info.bit_rate:
        # Re-encoding cannot add quality: never spend more than the source had.
        bitrate = max(MIN_VIDEO_BITRATE, min(bitrate, info.bit_rate))
    return Rendition(
        name=name,
        width=width,
        height=height,
        video_bitrate=bitrate,
        maxrate=round(bitrate * MAXRATE_FACTOR),
        bufsize=round(bitrate * BUFSIZE_FACTOR),
        audio_bitrate=audio,
    )
