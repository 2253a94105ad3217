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
# Wall-clock budget for one ffprobe run; a file that takes longer is treated as bad.
PROBE_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class Limits:
    """What an upload may look like.

    ``max_width`` x ``max_height`` bounds the displayed picture in either orientation,
    so a portrait phone clip of the same size as an allowed landscape one is allowed.
    ``min_duration`` and a single-frame check keep still pictures out; the frame rate
    must lie in ``[min_fps, max_fps]``. ``allowed_demuxers`` are short names: "mov"
    stands for ffmpeg's "mov,mp4,m4a,3gp,3g2,mj2" demuxer and "matroska" for
    "matroska,webm".
    """

    max_bytes: int = 4 * 1024**3
    max_duration: float = 4 * 3600.0
    min_duration: float = 0.5
    max_width: int = 3840
    max_height: int = 2160
    max_fps: float = 120.0
    # Below one frame every ten seconds the "rate" is a broken or crafted header.
    min_fps: float = 0.1
    allowed_demuxers: tuple[str, ...] = ("mov", "matroska")
    allowed_video_codecs: tuple[str, ...] = DEFAULT_VIDEO_CODECS
