"""Upload limits enforced by :func:`transcoder.probe.probe`."""

from __future__ import annotations

from dataclasses import dataclass

# Codecs whose decoders ship with Debian's ffmpeg and that real cameras, phones,
# screen recorders and editors produce.
DEFAULT_VIDEO_CODECS: tuple[str, ...] = (
    "h264",
    "hevc",
    "vp8",
    "vp9",
    "av1",
    "mpeg4",
    "mpeg2video",
    "prores",
    "dnxhd",
    "mjpeg",
)


# How much of an upload ffprobe/ffmpeg may read, and how much media time they may
# analyse, to find the streams: bounded so a crafted file cannot make probing crawl.
PROBE_SIZE_BYTES = 50_000_000
ANALYZE_DURATION_US = 30_000_000


@dataclass(frozen=True)
class Limits:
    """What an upload may look like.

    ``allowed_demuxers`` are short names: "mov" stands for ffmpeg's
    "mov,mp4,m4a,3gp,3g2,mj2" demuxer and "matroska" for "matroska,webm".
    """

    max_bytes: int = 4 * 1024**3
    max_duration: float = 4 * 3600.0
    max_width: int = 3840
    max_height: int = 2160
    max_fps: float = 120.0
    allowed_demuxers: tuple[str, ...] = ("mov", "matroska")
    allowed_video_codecs: tuple[str, ...] = DEFAULT_VIDEO_CODECS
