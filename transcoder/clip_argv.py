"""Pure ffmpeg command lines for clip export: re-encoded pieces, copied runs, final MP4.

Built with ffmpeg-python like ``transcoder.argv``; nothing here spawns a process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import ffmpeg

from transcoder import encoder
from transcoder.argv import FFMPEG, GLOBAL_ARGS, fps_expr
from transcoder.cutplan import Piece
from transcoder.errors import TranscodeError

# Re-encoded pieces are short: spend bits so the seams are invisible.
PIECE_CRF = 18
# Same PPS whatever the rate control: lets the pieces share the ladder's avcC.
STITCH_PARAMS = "stitchable=1"
_X264_PROFILES = {
    "baseline": "baseline",
    "constrained baseline": "baseline",
    "main": "main",
    "high": "high",
}


@dataclass(frozen=True)
class SegmentParams:
    """The ladder's coding parameters, read from one of its segments.

    ``video_start`` is the presentation time of the segment's first frame on the
    MPEG-TS clock (the ladder's segments share one continuous clock).
    """

    width: int
    height: int
    pix_fmt: str
    profile: str | None
    level: str | None
    fps: Fraction
    video_start: Fraction
    has_audio: bool


def parse_segment_params(data: dict[str, Any]) -> SegmentParams:
    """Build :class:`SegmentParams` from ffprobe's JSON (``-show_streams``) of a segment."""
    streams = data.get("streams") or []
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    if video is None:
        raise TranscodeError("the segment has no video stream")
    fps = _fraction(video.get("r_frame_rate")) or _fraction(video.get("avg_frame_rate"))
    time_base = _fraction(video.get("time_base"))
    start_pts = video.get("start_pts")
    if not fps or not time_base or start_pts is None:
        raise TranscodeError("ffprobe did not report the segment's frame rate or timestamps")
    return SegmentParams(
        width=int(video["width"]),
        height=int(video["height"]),
        pix_fmt=str(video.get("pix_fmt") or "yuv420p"),
        profile=_X264_PROFILES.get(str(video.get("profile", "")).lower()),
        level=_level(video.get("level")),
        fps=fps,
        video_start=int(start_pts) * time_base,
        has_audio=any(s.get("codec_type") == "audio" for s in streams),
    )


def piece_argv(source: Path, piece: Piece, params: SegmentParams, gop: int, out: Path) -> list[str]:
    """Re-encode frames ``[piece.skip, piece.skip + piece.frames)`` of ``source`` to MPEG-TS.

    The segment is decoded from its first frame (an IDR) and trimmed by frame index,
    so the cut is exact whatever the timestamps; the encoder repeats the ladder's
    settings (preset, profile, level, GOP, pixel format, frame rate) so the result
    splices in with a plain stream copy. Video only: audio is copied separately.
    """
    video = (
        _segment_input(source)["v:0"]
        .filter("trim", start_frame=piece.skip, end_frame=piece.skip + piece.frames)
        .filter("setpts", "PTS-STARTPTS")
        .filter("fps", fps=fps_expr(float(params.fps)))
    )
    options: dict[str, object] = {
        "c:v": "libx264",
        "preset": encoder.X264_PRESET,
        "pix_fmt": params.pix_fmt,
        "crf": PIECE_CRF,
        "g": gop,
        "keyint_min": gop,
        "sc_threshold": 0,
        "x264-params": _x264_params(),
        "frames:v": piece.frames,
        "map_metadata": -1,
        "an": None,
        "sn": None,
        "dn": None,
    }
    if params.profile:
        options["profile:v"] = params.profile
    if params.level:
        options["level"] = params.level
    output = ffmpeg.output(video, str(Path(out).resolve()), f="mpegts", **options)
    return _compile(output)


def remux_argv(sources: Sequence[Path], out: Path) -> list[str]:
    """Stream-copy the video of the consecutive ladder segments ``sources`` into one TS."""
    output = ffmpeg.output(
        _concat_input(sources)["v:0"],
        str(Path(out).resolve()),
        f="mpegts",
        c="copy",
        map_metadata=-1,
    )
    return _compile(output)


def concat_script(entries: Sequence[tuple[Path, float]]) -> str:
    """An ffconcat script playing each ``(file, seconds)`` for exactly ``seconds``."""
    lines = ["ffconcat version 1.0"]
    for path, seconds in entries:
        quoted = str(Path(path).resolve()).replace("'", "'\\''")
        lines += [f"file '{quoted}'", f"duration {seconds:.6f}"]
    return "\n".join(lines) + "\n"


def final_argv(
    script: Path,
    audio_sources: Sequence[Path],
    audio_start: float,
    duration: float,
    out: Path,
) -> list[str]:
    """Copy the video of ``script`` and the audio of ``audio_sources`` into a fast-start MP4.

    ``audio_start`` is the clip start on the segments' own MPEG-TS clock (hence
    ``-seek_timestamp``); the audio is copied for ``duration`` seconds from there. With
    no ``audio_sources`` the clip is silent.
    """
    video = ffmpeg.input(f"file:{Path(script).resolve()}", f="concat", safe=0, **_FILE_ONLY)
    streams = [video["v:0"]]
    if audio_sources:
        audio = _concat_input(
            audio_sources, seek_timestamp=1, ss=f"{audio_start:.6f}", t=f"{duration:.6f}"
        )
        streams.append(audio["a:0"])
    output = ffmpeg.output(
        *streams,
        str(Path(out).resolve()),
        f="mp4",
        c="copy",
        movflags="+faststart",
        map_metadata=-1,
    )
    return _compile(output)


_FILE_ONLY = {"protocol_whitelist": "file"}


def _segment_input(source: Path, **options: object) -> ffmpeg.nodes.FilterableStream:
    return ffmpeg.input(f"file:{Path(source).resolve()}", f="mpegts", **_FILE_ONLY, **options)


def _concat_input(sources: Sequence[Path], **options: object) -> ffmpeg.nodes.FilterableStream:
    """Consecutive ladder segments read as one MPEG-TS stream (concat protocol)."""
    paths = [str(Path(source).resolve()) for source in sources]
    if not paths or any("|" in path for path in paths):
        raise ValueError("need segment paths without '|' to concatenate")
    return ffmpeg.input(
        "concat:" + "|".join(paths), f="mpegts", protocol_whitelist="file,concat", **options
    )


def _compile(output: ffmpeg.nodes.OutputStream) -> list[str]:
    return output.global_args(*GLOBAL_ARGS).overwrite_output().compile(cmd=FFMPEG)


def _x264_params() -> str:
    extra = encoder.X264_PARAMS
    return f"{extra}:{STITCH_PARAMS}" if extra else STITCH_PARAMS


def _fraction(value: Any) -> Fraction | None:
    try:
        rate = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        return None
    return rate if rate > 0 else None


def _level(value: Any) -> str | None:
    try:
        level = int(value)
    except (TypeError, ValueError):
        return None
    return f"{level // 10}.{level % 10}" if level > 0 else None
