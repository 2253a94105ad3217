"""Pure builders of ffmpeg command lines (built with ffmpeg-python, never spawned here)."""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import ffmpeg

from transcoder.analysis import (
    ANALYSIS_DIR,
    ANALYSIS_FPS,
    ANALYSIS_WIDTH,
    MIN_PAUSE_SECONDS,
    SCENE_THRESHOLD,
    SCENES_FILE,
    SILENCE_NOISE_DB,
    SILENCES_FILE,
)
from transcoder.encoder import AUDIO_SAMPLE_RATE, CASCADE_SCALING, SCALE_FLAGS, encoder_options
from transcoder.limits import ANALYZE_DURATION_US, PROBE_SIZE_BYTES
from transcoder.plan import Plan, Storyboard
from transcoder.probe import MediaInfo
from transcoder.storyboard import SHEET_PATTERN, THUMB_PATTERN

FFMPEG = "ffmpeg"
MASTER_NAME = "master.m3u8"
PLAYLIST_NAME = "index.m3u8"
AUDIO_GROUP = "audio"
SEGMENT_PATTERN = "seg_%05d.ts"
STORYBOARD_DIR = "storyboard"
LOUDNESS_RANGE = 11.0
TRUE_PEAK = -1.5
GLOBAL_ARGS = ("-hide_banner", "-nostdin", "-nostats", "-v", "error", "-progress", "pipe:1")
_NTSC_BASES = (24, 30, 48, 60)


def hls_argv(
    source: Path, info: MediaInfo, plan: Plan, out_dir: Path, *, analysis: bool = False
) -> list[str]:
    """One ffmpeg process that decodes ``source`` once and writes everything from it.

    Output layout: ``out_dir/master.m3u8``; ``out_dir/<name>/index.m3u8`` +
    ``seg_00000.ts``... per rendition (and ``audio/`` for the shared audio); and
    ``out_dir/storyboard/thumb_00000.jpg``... when the plan has a storyboard. With
    ``analysis``, also ``out_dir/analysis/scenes.txt`` and (with audio)
    ``silences.txt`` for :mod:`transcoder.analysis`. Those directories must exist
    already: ffmpeg's muxers (and metadata filters) do not reliably create them.
    """
    source_in = _hardened_input(source, info)
    video = source_in[str(info.video_stream_index)].filter("fps", fps=fps_expr(plan.fps))
    board_src = None
    if plan.storyboard is not None:
        video, board_src = _split_two(video)
    audio_in = source_in[_audio_selector(info)] if plan.has_audio else None
    silence_src = None
    if analysis and audio_in is not None:
        audio_in, silence_src = _asplit_two(audio_in)
    audio = _audio_branches(audio_in, plan)
    ladder = scaled_ladder(video, plan)
    scene_src = None
    if analysis:
        # The smallest rendition is already small: the cheapest frames to analyse.
        ladder[-1], scene_src = _split_two(ladder[-1])
    streams: list[ffmpeg.nodes.Stream] = []
    if plan.shared_audio is not None:
        streams = [*ladder, *audio]
    else:
        for index, scaled in enumerate(ladder):
            streams.append(scaled)
            if audio:
                streams.append(audio[index])
    out = Path(out_dir).resolve()
    outputs = [
        ffmpeg.output(
            *streams,
            # Plain absolute paths on purpose: with a "file:" prefix the hls muxer
            # creates a literal "file:" directory relative to the working directory.
            str(out / "%v" / PLAYLIST_NAME),
            **encoder_options(plan),
            **_hls_options(plan, out),
        )
    ]
    if board_src is not None and plan.storyboard is not None:
        outputs.append(_storyboard_output(board_src, plan.storyboard, out))
    if scene_src is not None:
        outputs.append(_analysis_output(scene_src, silence_src, plan, out))
    merged = ffmpeg.merge_outputs(*outputs)
    argv: list[str] = merged.global_args(*GLOBAL_ARGS).overwrite_output().compile(cmd=FFMPEG)
    return argv


def _split_two(
    stream: ffmpeg.nodes.FilterableStream,
) -> tuple[ffmpeg.nodes.FilterableStream, ffmpeg.nodes.FilterableStream]:
    pair = stream.split()
    return pair[0], pair[1]


def _asplit_two(
    stream: ffmpeg.nodes.FilterableStream,
) -> tuple[ffmpeg.nodes.FilterableStream, ffmpeg.nodes.FilterableStream]:
    pair = stream.asplit()
    return pair[0], pair[1]


def _audio_branches(
    audio: ffmpeg.nodes.FilterableStream | None, plan: Plan
) -> list[ffmpeg.nodes.FilterableStream]:
    """The audio, normalised once: one stream when shared, else one branch per rung."""
    if audio is None:
        return []
    if plan.loudness_target is not None:
        # Single-pass EBU R128 loudnorm (dynamic mode) works on a stream: no second read
        # of a long recording. It resamples to 192 kHz internally, hence aresample.
        audio = audio.filter(
            "loudnorm", i=plan.loudness_target, lra=LOUDNESS_RANGE, tp=TRUE_PEAK
        ).filter("aresample", AUDIO_SAMPLE_RATE)
    count = 1 if plan.shared_audio is not None else len(plan.renditions)
    if count == 1:
        return [audio]
    branches = audio.asplit()
    return [branches[index] for index in range(count)]


def _storyboard_output(
    stream: ffmpeg.nodes.FilterableStream, board: Storyboard, out: Path
) -> ffmpeg.nodes.OutputStream:
    """One small JPEG every ``interval`` s; :func:`tile_argv` packs them into sheets later.

    Tiling in this run would hold the output back until a whole sheet is full, and
    ffmpeg 5.1 then stops writing ``-progress`` reports (our heartbeat) for that long.
    """
    thumbs = (
        stream.filter("fps", fps=f"1/{board.interval}")
        .filter("scale", board.width, board.height, flags=SCALE_FLAGS)
        .filter("setsar", "1")
    )
    return ffmpeg.output(
        thumbs,
        str(out / STORYBOARD_DIR / THUMB_PATTERN),
        f="image2",
        start_number=0,
        **{"q:v": 5},
    )


def _analysis_output(
    video: ffmpeg.nodes.FilterableStream,
    audio: ffmpeg.nodes.FilterableStream | None,
    plan: Plan,
    out: Path,
) -> ffmpeg.nodes.OutputStream:
    """Scene and silence detection written to ``out/analysis/`` as a side effect.

    Every frame flows on into a ``null`` output (the print filters pass frames through
    untouched): an output that only received the rare detections would hold back
    ffmpeg's ``-progress`` reports, like a tile filter does.
    """
    folder = out / ANALYSIS_DIR
    scenes = (
        video.filter("fps", fps=fps_expr(min(float(ANALYSIS_FPS), plan.fps)))
        .filter("scale", w=min(ANALYSIS_WIDTH, plan.renditions[-1].width) // 2 * 2, h=-2)
        .filter("format", "gray")
        .filter("scdet", threshold=SCENE_THRESHOLD)
        .filter(
            "metadata",
            mode="print",
            key="lavfi.scd.score",
            value=SCENE_THRESHOLD,
            function="greater",
            file=str(folder / SCENES_FILE),
        )
    )
    streams = [scenes]
    if audio is not None:
        # Pauses are measured on the source's own levels, before loudness normalisation.
        silences = audio.filter(
            "silencedetect", noise=f"{SILENCE_NOISE_DB}dB", duration=MIN_PAUSE_SECONDS
        ).filter("ametadata", mode="print", file=str(folder / SILENCES_FILE))
        streams.append(silences)
    return ffmpeg.output(*streams, os.devnull, f="null")


def tile_argv(folder: Path, board: Storyboard) -> list[str]:
    """Pack the thumbnails in ``folder`` into ``sheet_NNN.jpg`` sprite sheets (our files)."""
    folder = Path(folder).resolve()
    thumbs = ffmpeg.input(
        str(folder / THUMB_PATTERN),
        f="image2",
        start_number=0,
        framerate=1,
        protocol_whitelist="file",
    )
    sheets = thumbs.filter("tile", f"{board.columns}x{board.rows}")
    output = ffmpeg.output(
        sheets, str(folder / SHEET_PATTERN), f="image2", start_number=0, **{"q:v": 5}
    )
    global_args = tuple(arg for arg in GLOBAL_ARGS if arg not in ("-progress", "pipe:1"))
    argv: list[str] = output.global_args(*global_args).overwrite_output().compile(cmd=FFMPEG)
    return argv


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
    argv: list[str] = output.global_args(*global_args).overwrite_output().compile(cmd=FFMPEG)
    return argv


def fps_expr(fps: float) -> str:
    """ffmpeg rate string for ``fps``; NTSC rates become exact x000/1001 fractions."""
    for base in _NTSC_BASES:
        ntsc = base * 1000 / 1001
        if abs(fps - ntsc) < 0.005:
            return f"{base * 1000}/1001"
    rate = Fraction(fps).limit_denominator(1000)
    return str(rate.numerator) if rate.denominator == 1 else f"{rate.numerator}/{rate.denominator}"


def var_stream_map(plan: Plan) -> str:
    """``-var_stream_map``: video i per rendition, with the shared audio group or with
    its own audio i."""
    shared = plan.shared_audio if plan.has_audio else None
    parts = []
    for index, rendition in enumerate(plan.renditions):
        if shared is not None:
            audio = f"agroup:{AUDIO_GROUP},"
        else:
            audio = f"a:{index}," if plan.has_audio else ""
        parts.append(f"v:{index},{audio}name:{rendition.name}")
    if shared is not None:
        parts.append(f"a:0,agroup:{AUDIO_GROUP},name:{shared.name},default:yes")
    return " ".join(parts)


def variant_names(plan: Plan) -> list[str]:
    """Names of every HLS playlist the plan produces: the video variants in
    master-playlist order, then the shared audio rendition."""
    names = [rendition.name for rendition in plan.renditions]
    if plan.shared_audio is not None and plan.has_audio:
        names.append(plan.shared_audio.name)
    return names


def rendition_dirs(plan: Plan, out_dir: Path) -> list[Path]:
    """Directories :func:`hls_argv` writes into (create them beforehand)."""
    dirs = [Path(out_dir) / name for name in variant_names(plan)]
    if plan.storyboard is not None:
        dirs.append(Path(out_dir) / STORYBOARD_DIR)
    return dirs


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
    # EVENT playlists are rewritten after every segment (VOD ones only at the end), and
    # temp_file renames each segment into place when complete: together they let the
    # worker publish a growing preview. The pipeline turns them into VOD at the end.
    return {
        "f": "hls",
        "hls_time": plan.segment_seconds,
        "hls_playlist_type": "event",
        "hls_flags": "independent_segments+temp_file",
        "hls_segment_type": "mpegts",
        "hls_segment_filename": str(out / "%v" / SEGMENT_PATTERN),
        "master_pl_name": MASTER_NAME,
        "var_stream_map": var_stream_map(plan),
    }
