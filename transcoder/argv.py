"""Pure builders of ffmpeg command lines (built with ffmpeg-python, never spawned here)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import ffmpeg

from transcoder.encoder import CASCADE_SCALING, SCALE_FLAGS, encoder_options
from transcoder.limits import ANALYZE_DURATION_US, PROBE_SIZE_BYTES
from transcoder.plan import Plan
from transcoder.probe import MediaInfo

FFMPEG = "ffmpeg"
MASTER_NAME = "master.m3u8"
PLAYLIST_NAME = "index.m3u8"
SEGMENT_PATTERN = "seg_%05d.ts"
GLOBAL_ARGS = ("-hide_banner", "-nostdin", "-nostats", "-v", "error", "-progress", "pipe:1")
_NTSC_BASES = (24, 30, 48, 60)


def hls_argv(source: Path, info: MediaInfo, plan: Plan, out_dir: Path) -> list[str]:
    """One ffmpeg process that decodes ``source`` once and writes every HLS rendition.

    Output layout: ``out_dir/master.m3u8`` and ``out_dir/<name>/index.m3u8`` +
    ``seg_00000.ts``... per rendition. The rendition directories must exist already:
    ffmpeg's hls muxer does not reliably create them.
    """
    source_in = _hardened_input(source, info)
    video = source_in[str(info.video_stream_index)].filter("fps", fps=fps_expr(plan.fps))
    streams: list[ffmpeg.nodes.Stream] = []
    for scaled in scaled_ladder(video, plan):
        streams.append(scaled)
        if plan.has_audio:
            # Mapping the same input stream twice yields two encoded audio streams,
            # one per variant, which is what -var_stream_map needs.
            streams.append(source_in[_audio_selector(info)])
    out = Path(out_dir).resolve()
    output = ffmpeg.output(
        *streams,
        # Plain absolute paths on purpose: with a "file:" prefix the hls muxer creates
        # a literal "file:" directory relative to the working directory.
        str(out / "%v" / PLAYLIST_NAME),
        **encoder_options(plan),
        **_hls_options(plan, out),
    )
    return output.global_args(*GLOBAL_ARGS).overwrite_output().compile(cmd=FFMPEG)


def scaled_ladder(
    video: ffmpeg.nodes.FilterableStream, plan: Plan
) -> list[ffmpeg.nodes.FilterableStream]:
    """One scaled stream per rendition from a single decoded ``video``.

    With ``CASCADE_SCALING`` each rung is scaled from the rung above it (cheaper: the
    big source frame is read once); otherwise every rung is scaled from the source.
    """
    sizes = [(r.width, r.height) for r in plan.renditions]
    outputs = []
    if CASCADE_SCALING:
        current = video
        for index, (width, height) in enumerate(sizes):
            scaled = current.filter("scale", width, height, flags=SCALE_FLAGS)
            if index == len(sizes) - 1:
                outputs.append(scaled)
                break
            pair = scaled.split()
            outputs.append(pair[0])
            current = pair[1]
    else:
        branches = video.split()
        outputs = [
            branches[index].filter("scale", width, height, flags=SCALE_FLAGS)
            for index, (width, height) in enumerate(sizes)
        ]
    return [stream.filter("setsar", "1") for stream in outputs]


def poster_argv(
    source: Path, info: MediaInfo, out_path: Path, at_seconds: float, width: int = 640
) -> list[str]:
    """Grab one frame at ``at_seconds`` (input seek) as a JPEG ``width`` pixels wide.

    The width is never larger than the source's; the height keeps the aspect ratio.
    """
    poster_width = min(width, info.width) // 2 * 2
    frame = (
        _hardened_input(source, info, ss=f"{max(at_seconds, 0.0):.3f}")[
            str(info.video_stream_index)
        ]
        .filter("scale", poster_width, -2)
        .filter("setsar", "1")
    )
    output = ffmpeg.output(
        frame,
        str(Path(out_path).resolve()),
        f="image2",
        update=1,
        **{"frames:v": 1, "q:v": 3, "map_metadata": -1},
        an=None,
        sn=None,
        dn=None,
    )
    global_args = tuple(arg for arg in GLOBAL_ARGS if arg not in ("-progress", "pipe:1"))
    return output.global_args(*global_args).overwrite_output().compile(cmd=FFMPEG)


def fps_expr(fps: float) -> str:
    """ffmpeg rate string for ``fps``; NTSC rates become exact x000/1001 fractions."""
    for base in _NTSC_BASES:
        ntsc = base * 1000 / 1001
        if abs(fps - ntsc) < 0.005:
            return f"{base * 1000}/1001"
    rate = Fraction(fps).limit_denominator(1000)
    return str(rate.numerator) if rate.denominator == 1 else f"{rate.numerator}/{rate.denominator}"


def var_stream_map(plan: Plan) -> str:
    """``-var_stream_map`` value pairing video i (and audio i) with a rendition name."""
    parts = []
    for index, rendition in enumerate(plan.renditions):
        audio = f"a:{index}," if plan.has_audio else ""
        parts.append(f"v:{index},{audio}name:{rendition.name}")
    return " ".join(parts)


def rendition_dirs(plan: Plan, out_dir: Path) -> list[Path]:
    """Directories :func:`hls_argv` writes renditions into (create them beforehand)."""
    return [Path(out_dir) / rendition.name for rendition in plan.renditions]


def _hardened_input(source: Path, info: MediaInfo, **extra: str) -> ffmpeg.nodes.FilterableStream:
    # Forcing the demuxer probed earlier means content sniffing cannot switch to a
    # playlist/concat demuxer, and only local files can ever be opened.
    return ffmpeg.input(
        f"file:{Path(source).resolve()}",
        f=info.format_name,
        protocol_whitelist="file",
        probesize=PROBE_SIZE_BYTES,
        analyzeduration=ANALYZE_DURATION_US,
        **extra,
    )


def _audio_selector(info: MediaInfo) -> str:
    index = info.audio_stream_index
    return "a:0" if index is None else str(index)


def _hls_options(plan: Plan, out: Path) -> dict[str, object]:
    return {
        "f": "hls",
        "hls_time": plan.segment_seconds,
        "hls_playlist_type": "vod",
        "hls_flags": "independent_segments",
        "hls_segment_type": "mpegts",
        "hls_segment_filename": str(out / "%v" / SEGMENT_PATTERN),
        "master_pl_name": MASTER_NAME,
        "var_stream_map": var_stream_map(plan),
    }
