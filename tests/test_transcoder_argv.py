"""Tests for the pure ffmpeg argv builders."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

# The repo root must be importable; drop once pyproject sets pytest pythonpath = ["."].
from transcoder.argv import fps_expr, hls_argv, poster_argv, var_stream_map
from transcoder.plan import Plan, plan_ladder
from transcoder.probe import MediaInfo

SOURCE = Path("/uploads/lesson.mp4")
OUT = Path("/srv/out/job-1")


def media(*, has_audio: bool = True, format_name: str = "mov", width: int = 640) -> MediaInfo:
    return MediaInfo(
        format_name=format_name,
        duration=10.0,
        width=width,
        height=width * 9 // 16,
        fps=25.0,
        video_codec="h264",
        has_audio=has_audio,
        audio_codec="aac" if has_audio else None,
        bit_rate=None,
        size_bytes=1_000,
        video_stream_index=0,
        audio_stream_index=1 if has_audio else None,
    )


def build(info: MediaInfo, segment_seconds: int = 4) -> tuple[list[str], Plan]:
    plan = plan_ladder(info, segment_seconds)
    return hls_argv(SOURCE, info, plan, OUT), plan


def value(argv: list[str], flag: str) -> str:
    assert argv.count(flag) == 1, f"{flag} should appear exactly once in {argv}"
    return argv[argv.index(flag) + 1]


def test_single_hardened_input() -> None:
    argv, _ = build(media())
    assert argv.count("-i") == 1
    input_at = argv.index("-i")
    assert argv[input_at + 1] == f"file:{SOURCE}"
    assert value(argv, "-protocol_whitelist") == "file"
    assert argv.index("-protocol_whitelist") < input_at
    # The first -f is the forced demuxer, placed before -i.
    first_f = argv.index("-f")
    assert first_f < input_at
    assert argv[first_f + 1] == "mov"


def test_forced_demuxer_follows_probe() -> None:
    argv, _ = build(media(format_name="matroska"))
    assert argv[argv.index("-f") + 1] == "matroska"


def test_relative_source_is_made_absolute() -> None:
    info = media()
    argv = hls_argv(Path("lesson.mp4"), info, plan_ladder(info), OUT)
    path = argv[argv.index("-i") + 1]
    assert path.startswith("file:/")
    assert Path(path.removeprefix("file:")).is_absolute()


def test_video_is_decoded_once_and_split_per_rendition() -> None:
    argv, plan = build(media(width=1920))
    graph = value(argv, "-filter_complex")
    assert len(plan.renditions) == 5
    assert argv.count("-i") == 1
    # Each filter of the graph: its output labels -> (name, args, input label).
    filters = {}
    for source, name, args, outs in re.findall(r"\[(\w+)\](\w+)=?([^\[;]*)((?:\[\w+\])+)", graph):
        for out in re.findall(r"\[(\w+)\]", outs):
            filters[out] = (name, args, source)

    def upstream_scale(label: str) -> str | None:
        """Args of the nearest scale filter feeding ``label`` (through splits)."""
        while label in filters:
            name, args, label = filters[label]
            if name == "scale":
                return args
        return None

    # Encoder settings chose cascade scaling: the top rung is scaled from the one
    # decoded stream, every other rung from the rung above it (a split of two each),
    # plus one split for the storyboard branch; audio uses asplit.
    assert re.findall(r"(?<!a)split=(\d+)", graph) == ["2"] * len(plan.renditions)
    scales = {args: src for name, args, src in filters.values() if name == "scale"}
    sizes = [f"{r.width}:{r.height}:flags=bicubic" for r in plan.renditions]
    assert [args for args in scales if args in sizes] == sizes
    assert upstream_scale(scales[sizes[0]]) is None  # straight from the decoder
    for above, below in zip(sizes, sizes[1:], strict=False):
        assert upstream_scale(scales[below]) == above
    assert "fps=fps=25" in graph


def test_fixed_gop_without_scene_cuts() -> None:
    argv, plan = build(media(), segment_seconds=2)
    assert value(argv, "-sc_threshold") == "0"
    assert value(argv, "-g") == str(plan.gop_frames)
    assert value(argv, "-keyint_min") == str(plan.gop_frames)
    assert plan.gop_frames == 50


def test_per_rendition_rate_control() -> None:
    argv, plan = build(media())
    assert value(argv, "-c:v") == "libx264"
    assert value(argv, "-preset") == "ultrafast"
    assert "mbtree=1" in value(argv, "-x264-params")
    assert value(argv, "-pix_fmt") == "yuv420p"
    for index, rendition in enumerate(plan.renditions):
        assert value(argv, f"-b:v:{index}") == str(rendition.video_bitrate)
        assert value(argv, f"-maxrate:v:{index}") == str(rendition.maxrate)
        assert value(argv, f"-bufsize:v:{index}") == str(rendition.bufsize)
        assert value(argv, f"-profile:v:{index}") in ("main", "high")


def test_audio_is_normalised_and_encoded_once_for_every_variant() -> None:
    argv, plan = build(media(has_audio=True))
    graph = value(argv, "-filter_complex")
    # The one source audio stream feeds loudnorm once and one AAC encoder, which every
    # video variant plays through an HLS audio group.
    assert "[0:1]loudnorm=i=-16.0:lra=11.0:tp=-1.5" in graph
    assert "asplit" not in graph
    assert value(argv, "-c:a") == "aac"
    assert value(argv, "-ar") == "48000"
    assert value(argv, "-ac") == "2"
    assert plan.shared_audio is not None
    assert value(argv, "-b:a:0") == str(plan.shared_audio.bitrate)
    assert "-b:a:1" not in argv
    assert value(argv, "-var_stream_map") == (
        "v:0,agroup:audio,name:360p v:1,agroup:audio,name:240p "
        "a:0,agroup:audio,name:audio,default:yes"
    )


def test_plain_ladder_muxes_audio_per_variant() -> None:
    """Without the shared rendition (what per-rendition pipelines make), every variant
    carries its own audio at its rung's bit rate."""
    plan = replace(plan_ladder(media(has_audio=True)), shared_audio=None)
    argv = hls_argv(SOURCE, media(has_audio=True), plan, OUT)
    graph = value(argv, "-filter_complex")
    assert re.findall(r"asplit=(\d+)", graph) == [str(len(plan.renditions))]
    for index, rendition in enumerate(plan.renditions):
        assert value(argv, f"-b:a:{index}") == str(rendition.audio_bitrate)
    assert value(argv, "-var_stream_map") == "v:0,a:0,name:360p v:1,a:1,name:240p"


def test_no_audio_options_without_audio() -> None:
    argv, plan = build(media(has_audio=False))
    assert plan.shared_audio is None and plan.loudness_target is None
    assert "-c:a" not in argv and "loudnorm" not in value(argv, "-filter_complex")
    assert value(argv, "-var_stream_map") == "v:0,name:360p v:1,name:240p"
    assert var_stream_map(plan) == "v:0,name:360p v:1,name:240p"


def test_storyboard_is_an_extra_output_of_the_same_run() -> None:
    argv, plan = build(media())
    graph = value(argv, "-filter_complex")
    board = plan.storyboard
    assert argv.count("-i") == 1
    assert f"fps=fps=1/{board.interval}" in graph
    # Thumbnails only: tiling in the same run would stall ffmpeg's progress reports.
    assert "tile=" not in graph
    assert f"{OUT}/storyboard/thumb_%05d.jpg" in argv


def test_hls_muxer_options() -> None:
    argv, _ = build(media(), segment_seconds=4)
    assert "hls" in [argv[i + 1] for i, arg in enumerate(argv) if arg == "-f"]
    assert value(argv, "-hls_time") == "4"
    # EVENT while encoding (for the progressive preview); the pipeline finalises to VOD.
    assert value(argv, "-hls_playlist_type") == "event"
    assert value(argv, "-hls_flags") == "independent_segments+temp_file"
    assert value(argv, "-hls_segment_type") == "mpegts"
    assert value(argv, "-master_pl_name") == "master.m3u8"
    assert value(argv, "-hls_segment_filename") == f"{OUT}/%v/seg_%05d.ts"
    assert f"{OUT}/%v/index.m3u8" in argv
    # ffmpeg 5.1's hls muxer turns a "file:" output prefix into a literal directory.
    assert not any(arg.startswith("file:") and str(OUT) in arg for arg in argv)


def test_global_and_hygiene_flags() -> None:
    argv, _ = build(media())
    assert argv[0] == "ffmpeg"
    assert value(argv, "-progress") == "pipe:1"
    assert value(argv, "-v") == "error"
    assert value(argv, "-map_metadata") == "-1"
    for flag in ("-nostats", "-nostdin", "-y", "-sn", "-dn"):
        assert flag in argv


def test_poster_argv_seeks_on_input_and_writes_one_scaled_jpeg() -> None:
    out = OUT / "poster.jpg"
    argv = poster_argv(SOURCE, media(width=1280), out, at_seconds=3.5)
    input_at = argv.index("-i")
    assert argv.count("-i") == 1
    assert argv[input_at + 1] == f"file:{SOURCE}"
    assert value(argv, "-ss") == "3.500"
    assert argv.index("-ss") < input_at
    assert value(argv, "-protocol_whitelist") == "file"
    assert argv[argv.index("-f") + 1] == "mov"
    assert argv.index("-f") < input_at
    assert value(argv, "-frames:v") == "1"
    assert "scale=640:-2" in value(argv, "-filter_complex")
    assert str(out) in argv


def test_poster_is_never_wider_than_source() -> None:
    argv = poster_argv(SOURCE, media(width=320), OUT / "poster.jpg", at_seconds=0)
    assert "scale=320:-2" in value(argv, "-filter_complex")


@pytest.mark.parametrize(
    ("fps", "expected"),
    [(25.0, "25"), (30.0, "30"), (29.97, "30000/1001"), (23.976, "24000/1001"), (12.5, "25/2")],
)
def test_fps_expr(fps: float, expected: str) -> None:
    assert fps_expr(fps) == expected


def analysed(info: MediaInfo) -> list[str]:
    return hls_argv(SOURCE, info, plan_ladder(info), OUT, analysis=True)


def test_analysis_is_one_extra_null_output_of_the_same_decode() -> None:
    argv = analysed(media())
    graph = value(argv, "-filter_complex")
    assert argv.count("-i") == 1
    assert [argv[i + 1] for i, arg in enumerate(argv) if arg == "-f"].count("null") == 1
    assert graph.count("scdet=") == 1 and graph.count("silencedetect=") == 1
    assert f"file={OUT}/analysis/scenes.txt" in graph
    assert f"file={OUT}/analysis/silences.txt" in graph
    # Every analysed frame reaches the output (print mode), none is selected away:
    # an output fed only the rare detections would stall the -progress heartbeat.
    assert "select" not in graph and "mode=print" in graph and "sc_pass" not in graph


def test_silences_are_detected_on_the_source_audio_before_loudnorm() -> None:
    graph = value(analysed(media()), "-filter_complex")
    split = re.search(r"\[0:1\]asplit=2\[(\w+)\]\[(\w+)\]", graph)
    assert split is not None
    feeds = {re.search(rf"\[{label}\](\w+)=", graph).group(1) for label in split.groups()}
    assert feeds == {"loudnorm", "silencedetect"}


def test_scenes_are_detected_on_a_small_grey_copy_of_the_smallest_rendition() -> None:
    info = media(width=1920)
    plan = plan_ladder(info)
    graph = value(analysed(info), "-filter_complex")
    smallest = plan.renditions[-1]
    chain = (
        r"fps=fps=5\[(\w+)\];\[\1\]scale=h=-2:w=160\[(\w+)\];\[\2\]format=gray\[(\w+)\];"
        r"\[\3\]scdet=threshold=0\.5\[(\w+)\];\[\4\]metadata=[^;\[]*key=lavfi\.scd\.score"
    )
    assert re.search(chain, graph)
    assert re.search(
        rf"scale={smallest.width}:{smallest.height}:flags=\w+\[(\w+)\];"
        r"\[\1\]setsar=1\[(\w+)\];\[\2\]split=2",
        graph,
    )


def test_analysis_without_audio_detects_scenes_only() -> None:
    argv = analysed(media(has_audio=False))
    graph = value(argv, "-filter_complex")
    assert "scdet=" in graph and "silencedetect" not in graph and "asplit" not in graph
    assert "null" in argv


def test_no_analysis_unless_asked() -> None:
    argv, _ = build(media())
    assert "scdet" not in value(argv, "-filter_complex") and "null" not in argv


def test_one_x264_thread_per_rung_when_several_share_the_process() -> None:
    argv, plan = build(media(width=1280))
    assert len(plan.renditions) > 1
    assert value(argv, "-threads:v") == "1"


def test_a_single_rung_keeps_x264s_own_threading() -> None:
    argv, plan = build(media(width=320))
    assert len(plan.renditions) == 1
    assert "-threads:v" not in argv
