"""Frame-accurate clip export: the pure planner, the argv builders, and real exports.

The real exports cut a 12 s, 25 fps testsrc2 recording (its frames differ visibly:
moving pattern, burnt-in counter) transcoded into 2 s segments, and compare decoded
frames of the clip with frames of the ladder's top rendition.
"""

from __future__ import annotations

import json
import math
import shutil
import struct
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from transcoder.argv import hls_argv, rendition_dirs
from transcoder.clip_argv import SegmentParams, concat_script, final_argv, piece_argv
from transcoder.clip_export import (
    ExportResult,
    audio_segments_needed,
    export_clip,
    media_playlist,
    probe_segment,
    segments_needed,
    shared_audio_playlist,
)
from transcoder.cutplan import Piece, SegmentSpan, plan_cut
from transcoder.errors import TranscodeError
from transcoder.hls import Segment, event_to_vod, parse_master
from transcoder.limits import Limits
from transcoder.pipeline import transcode
from transcoder.plan import plan_ladder
from transcoder.probe import probe
from transcoder.run import run_ffmpeg
from transcoder.synth import generate

FPS = 25
FRAME = 1 / FPS
SECONDS = 12.0
SEGMENT_SECONDS = 2
# Frames are compared as grey 320x180 pictures (mean absolute difference per pixel).
THUMB_W, THUMB_H = 320, 180
THUMB_BYTES = THUMB_W * THUMB_H
MP4_FORMAT = "mov,mp4,m4a,3gp,3g2,mj2"

SIX = [Segment(2.0, f"seg_{index:05d}.ts") for index in range(6)]


# --------------------------------------------------------------------------- planner


def indexes(spans: tuple[SegmentSpan, ...]) -> list[int]:
    return [span.index for span in spans]


def test_boundaries_copy_whole_segments_only() -> None:
    plan = plan_cut(SIX, FPS, 2.0, 8.0)
    assert plan.head is None and plan.tail is None
    assert indexes(plan.middle) == [1, 2, 3]
    assert (plan.start, plan.end, plan.duration) == (2.0, 8.0, 6.0)
    assert plan.copied_seconds == 6.0 and plan.reencoded_seconds == 0.0


def test_whole_recording_is_all_copied() -> None:
    plan = plan_cut(SIX, FPS, 0.0, SECONDS)
    assert plan.head is None and plan.tail is None
    assert indexes(plan.middle) == [0, 1, 2, 3, 4, 5]


def test_general_case_has_head_middle_and_tail() -> None:
    plan = plan_cut(SIX, FPS, 3.28, 9.6)
    assert plan.head is not None and plan.tail is not None
    assert (plan.head.segment.index, plan.head.skip, plan.head.frames) == (1, 32, 18)
    assert plan.head.start == pytest.approx(3.28) and plan.head.duration == pytest.approx(0.72)
    assert indexes(plan.middle) == [2, 3]
    assert (plan.tail.segment.index, plan.tail.skip, plan.tail.frames) == (4, 0, 40)
    assert plan.reencoded_seconds == pytest.approx(2.32)
    assert plan.copied_seconds == pytest.approx(4.0)
    assert plan.duration == pytest.approx(6.32)


def test_inside_one_segment_is_a_single_piece() -> None:
    plan = plan_cut(SIX, FPS, 4.5, 5.3)
    assert plan.head == Piece(plan.head.segment, skip=12, frames=20, fps=FPS)  # type: ignore[union-attr]
    assert plan.head is not None and plan.head.segment.index == 2
    assert plan.tail is None and plan.middle == ()
    assert plan.reencoded_seconds == pytest.approx(0.8) and plan.copied_seconds == 0.0


def test_start_on_boundary_end_inside_is_a_tail_only() -> None:
    plan = plan_cut(SIX, FPS, 4.0, 4.52)
    assert plan.head is None and plan.middle == ()
    assert plan.tail is not None
    assert (plan.tail.segment.index, plan.tail.skip, plan.tail.frames) == (2, 0, 13)


def test_head_reaching_a_boundary_needs_no_tail() -> None:
    plan = plan_cut(SIX, FPS, 4.5, 8.0)
    assert plan.head is not None and (plan.head.skip, plan.head.frames) == (12, 38)
    assert indexes(plan.middle) == [3] and plan.tail is None


def test_times_snap_to_the_nearest_frame() -> None:
    snapped = plan_cut(SIX, FPS, 3.2899, 9.6149)
    assert (snapped.first_frame, snapped.end_frame) == (82, 240)
    assert snapped == plan_cut(SIX, FPS, 3.28, 9.6)
    # Within half a frame of a boundary the piece vanishes: whole segments are copied.
    assert plan_cut(SIX, FPS, 1.99, 8.01).head is None
    # Halfway between two frames: the one on screen at that instant (4.48 s to 4.52 s).
    assert plan_cut(SIX, FPS, 4.5, 5.3).first_frame == 112


def test_short_last_segment_and_ntsc_rate() -> None:
    segments = [Segment(2.002, "a.ts"), Segment(2.002, "b.ts"), Segment(0.5005, "c.ts")]
    fps = 30000 / 1001
    plan = plan_cut(segments, fps, 2.002, 4.5045)
    assert plan.head is None and plan.tail is None
    assert [span.frames for span in plan.middle] == [60, 15]
    assert plan.duration == pytest.approx(2.5025)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (5.0, 5.0, "before its end"),
        (6.0, 5.0, "before its end"),
        (-0.5, 2.0, "negative"),
        (1.0, 12.5, "past the end"),
        (math.nan, 2.0, "finite"),
        (1.0, math.nan, "finite"),
        (1.0, math.inf, "finite"),
        (3.0, 3.01, "shorter than one frame"),
    ],
)
def test_bad_ranges_are_rejected(start: float, end: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        plan_cut(SIX, FPS, start, end)


def test_empty_playlist_and_bad_fps_are_rejected() -> None:
    with pytest.raises(ValueError, match="no segments"):
        plan_cut([], FPS, 0.0, 1.0)
    with pytest.raises(ValueError, match="fps"):
        plan_cut(SIX, 0.0, 0.0, 1.0)


def playlist_text(segments: list[Segment]) -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:6", "#EXT-X-TARGETDURATION:2"]
    for segment in segments:
        lines += [f"#EXTINF:{segment.duration:.6f},", segment.uri]
    return "\n".join([*lines, "#EXT-X-ENDLIST", ""])


def test_segments_needed_adds_neighbours_only_near_boundaries() -> None:
    text = playlist_text(SIX)
    uris = [segment.uri for segment in SIX]
    assert segments_needed(text, 4.5, 5.3) == uris[2:3]
    assert segments_needed(text, 3.28, 9.0) == uris[1:5]
    # Audio of a boundary's first/last instants may sit in the neighbouring segment.
    assert segments_needed(text, 2.0, 8.0) == uris[0:5]
    assert segments_needed(text, 0.0, SECONDS) == uris
    with pytest.raises(ValueError, match="past the end"):
        segments_needed(text, 1.0, 13.0)


def test_segments_needed_covers_every_segment_the_plan_reads() -> None:
    text = playlist_text(SIX)
    for start, end in [(0.0, 0.3), (1.98, 2.02), (3.28, 9.6), (5.5, 12.0), (11.9, 12.0)]:
        plan = plan_cut(SIX, FPS, start, end)
        used = {span.uri for span in (*plan.video_segments, *plan.audio)}
        assert used <= set(segments_needed(text, start, end)), (start, end)


# --------------------------------------------------------------------------- builders


def test_concat_script_quotes_paths_and_sets_durations(tmp_path: Path) -> None:
    odd = tmp_path / "it's.ts"
    script = concat_script([(odd, 0.72), (tmp_path / "b.ts", 4.0)])
    assert script.splitlines() == [
        "ffconcat version 1.0",
        f"file '{tmp_path}/it'\\''s.ts'",
        "duration 0.720000",
        f"file '{tmp_path}/b.ts'",
        "duration 4.000000",
    ]


def test_piece_argv_trims_by_frame_and_repeats_the_ladder_settings(tmp_path: Path) -> None:
    piece = plan_cut(SIX, FPS, 3.28, 9.6).head
    assert piece is not None
    params = probe_params_stub()
    argv = piece_argv(tmp_path / "seg.ts", piece, params, 50, tmp_path / "head.ts")
    joined = " ".join(argv)
    assert "trim=end_frame=50:start_frame=32" in joined
    for option in ("-profile:v main", "-level 3.0", "-g 50", "-sc_threshold 0", "-frames:v 18"):
        assert option in joined
    assert "stitchable=1" in joined and "-an" in argv and "-progress" in argv
    assert argv[argv.index("-protocol_whitelist") + 1] == "file"


def test_final_argv_copies_concat_video_and_seeked_audio(tmp_path: Path) -> None:
    argv = final_argv(tmp_path / "v.ffconcat", [tmp_path / "a.ts"], 4.76, 6.32, tmp_path / "o")
    assert argv[argv.index("-f") + 1] == "concat" and "-safe" in argv
    assert f"concat:{tmp_path}/a.ts" in argv
    assert argv[argv.index("-ss") + 1] == "4.760000" and "-seek_timestamp" in argv
    assert argv[argv.index("-c") + 1] == "copy"
    assert argv[argv.index("-movflags") + 1] == "+faststart"
    silent = final_argv(tmp_path / "v.ffconcat", [], 0.0, 1.0, tmp_path / "o")
    assert not any(arg.startswith("concat:") for arg in silent)


def probe_params_stub() -> Any:
    from fractions import Fraction

    return SegmentParams(640, 360, "yuv420p", "main", "3.0", Fraction(25), Fraction(37, 25), True)


# --------------------------------------------------------------------------- real media


@dataclass(frozen=True)
class Ladder:
    root: Path
    master: Path
    top: Path
    audio: Path
    frames: list[bytes]


@dataclass(frozen=True)
class Export:
    path: Path
    result: ExportResult
    progress: list[float]


def run(argv: list[str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(argv, capture_output=True, timeout=60, check=True)


def grey_frames(path: Path) -> list[bytes]:
    raw = run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-vf", f"scale={THUMB_W}:{THUMB_H}"]
        + ["-f", "rawvideo", "-pix_fmt", "gray", "-"]
    ).stdout
    return [raw[i : i + THUMB_BYTES] for i in range(0, len(raw), THUMB_BYTES)]


def difference(a: bytes, b: bytes) -> float:
    """Mean absolute difference per pixel (0 = identical)."""
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)


def ffprobe(path: Path, *args: str) -> dict[str, Any]:
    proc = run(["ffprobe", "-v", "error", *args, "-of", "json", str(path)])
    return json.loads(proc.stdout)


def stream_durations(path: Path) -> dict[str, float]:
    data = ffprobe(path, "-show_entries", "stream=codec_type,duration")
    return {s["codec_type"]: float(s["duration"]) for s in data["streams"]}


def top_level_boxes(path: Path) -> list[str]:
    boxes = []
    with path.open("rb") as stream:
        while header := stream.read(8):
            size, kind = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", stream.read(8))[0] - 8
            boxes.append(kind.decode("latin-1"))
            stream.seek(size - 8, 1)
    return boxes


@pytest.fixture(scope="module")
def ladder(tmp_path_factory: pytest.TempPathFactory) -> Ladder:
    root = tmp_path_factory.mktemp("clip")
    source = generate(
        root / "lesson.mp4", seconds=SECONDS, width=640, height=360, fps=FPS, audio=True
    )
    out = root / "hls"
    transcode(source, out, Limits(), segment_seconds=SEGMENT_SECONDS)
    top = media_playlist(out / "master.m3u8")
    audio = shared_audio_playlist(out / "master.m3u8")
    assert audio == (out / "audio" / "index.m3u8").resolve()
    frames = grey_frames(top)
    assert len(frames) == SECONDS * FPS
    return Ladder(root, out / "master.m3u8", top, audio, frames)


@pytest.fixture(scope="module")
def exports(ladder: Ladder) -> dict[str, Export]:
    made = {}
    for name, start, end in [("general", 3.28, 9.6), ("aligned", 2.0, 8.0), ("inside", 4.5, 5.3)]:
        progress: list[float] = []
        path = ladder.root / f"{name}.mp4"
        result = export_clip(
            ladder.top, start, end, path, on_progress=progress.append, audio_playlist=ladder.audio
        )
        made[name] = Export(path, result, progress)
    return made


def assert_frame_is(ladder: Ladder, frame: bytes, index: int) -> None:
    """``frame`` is ladder frame ``index``, far closer to it than to its neighbours."""
    here = difference(frame, ladder.frames[index])
    neighbours = [difference(frame, ladder.frames[i]) for i in (index - 1, index + 1)]
    assert here < min(neighbours) / 4, (index, here, neighbours)


def test_general_export_is_frame_accurate(ladder: Ladder, exports: dict[str, Export]) -> None:
    export = exports["general"]
    durations = stream_durations(export.path)
    assert abs(durations["video"] - 6.32) <= FRAME
    assert abs(durations["audio"] - durations["video"]) <= 0.1
    frames = grey_frames(export.path)
    assert len(frames) == 158
    assert_frame_is(ladder, frames[0], 82)  # 3.28 s
    assert_frame_is(ladder, frames[-1], 239)  # 9.6 s - 1/25
    # The copied middle is the ladder's own bitstream: identical pictures.
    assert frames[18] == ladder.frames[100] and frames[117] == ladder.frames[199]
    assert export.result.duration == pytest.approx(6.32)
    assert export.result.reencoded_seconds == pytest.approx(2.32)
    assert export.result.copied_seconds == pytest.approx(4.0)
    assert export.result.size_bytes == export.path.stat().st_size


def test_aligned_export_copies_everything(ladder: Ladder, exports: dict[str, Export]) -> None:
    export = exports["aligned"]
    assert export.result.reencoded_seconds == 0
    assert export.result.copied_seconds == pytest.approx(6.0)
    durations = stream_durations(export.path)
    assert abs(durations["video"] - 6.0) <= FRAME
    assert abs(durations["audio"] - durations["video"]) <= 0.1
    frames = grey_frames(export.path)
    assert frames[0] == ladder.frames[50] and frames[-1] == ladder.frames[199]


def test_export_inside_one_segment(ladder: Ladder, exports: dict[str, Export]) -> None:
    export = exports["inside"]
    assert export.result.copied_seconds == 0
    assert export.result.reencoded_seconds == pytest.approx(0.8)
    durations = stream_durations(export.path)
    assert abs(durations["video"] - 0.8) <= FRAME
    assert abs(durations["audio"] - durations["video"]) <= 0.1
    frames = grey_frames(export.path)
    assert len(frames) == 20
    assert_frame_is(ladder, frames[0], 112)  # on screen at 4.5 s
    assert_frame_is(ladder, frames[-1], 131)  # on screen at 5.3 s - 1/25


@pytest.mark.parametrize("name", ["general", "aligned", "inside"])
def test_exports_are_clean_fast_start_mp4(exports: dict[str, Export], name: str) -> None:
    path = exports[name].path
    assert ffprobe(path, "-show_entries", "format=format_name")["format"]["format_name"] == (
        MP4_FORMAT
    )
    boxes = top_level_boxes(path)
    assert boxes.index("moov") < boxes.index("mdat"), boxes
    decode = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert decode.returncode == 0 and decode.stderr == ""
    leftovers = [p.name for p in path.parent.iterdir() if p.name.endswith(".part")]
    assert leftovers == []


def test_progress_only_moves_forward_to_100(exports: dict[str, Export]) -> None:
    for export in exports.values():
        assert export.progress == sorted(export.progress)
        assert export.progress[-1] == 100.0


def copy_needed(playlist: Path, needed: Callable[..., list[str]], folder: Path) -> Path:
    """Copy ``playlist`` and only the segments ``needed`` names for 1.52-4.4 s."""
    folder.mkdir()
    text = playlist.read_text()
    (folder / "index.m3u8").write_text(text)
    for uri in needed(text, 1.52, 4.4):
        shutil.copy(playlist.parent / uri, folder / uri)
    return folder / "index.m3u8"


def test_worker_flow_with_only_the_needed_segments(ladder: Ladder, tmp_path: Path) -> None:
    """Download only what segments_needed names; the export must not need more."""
    local = copy_needed(ladder.top, segments_needed, tmp_path / "dl").parent
    audio = copy_needed(ladder.audio, audio_segments_needed, tmp_path / "audio").parent
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    out = tmp_path / "clip.mp4"
    result = export_clip(
        local / "index.m3u8", 1.52, 4.4, out, work_dir=scratch, audio_playlist=audio / "index.m3u8"
    )
    assert set(stream_durations(out)) == {"video", "audio"}
    assert result.duration == pytest.approx(2.88)
    assert result.copied_seconds == pytest.approx(2.0)
    assert list(scratch.iterdir()) == []  # the private scratch directory is gone
    frames = grey_frames(out)
    assert_frame_is(ladder, frames[0], 38)  # 1.52 s
    with pytest.raises(FileNotFoundError, match="seg_00003.ts is missing"):
        export_clip(local / "index.m3u8", 5.0, 9.0, tmp_path / "missing.mp4")
    assert not (tmp_path / "missing.mp4").exists()


def test_bad_range_writes_nothing(ladder: Ladder, tmp_path: Path) -> None:
    out = tmp_path / "bad.mp4"
    with pytest.raises(ValueError, match="past the end"):
        export_clip(ladder.master, 5.0, 30.0, out)
    with pytest.raises(ValueError, match="before its end"):
        export_clip(ladder.master, 5.0, 5.0, out)
    assert list(tmp_path.iterdir()) == []


def test_ffmpeg_failure_raises_and_keeps_the_old_file(ladder: Ladder, tmp_path: Path) -> None:
    local = tmp_path / "broken"
    shutil.copytree(ladder.top.parent, local)
    data = bytearray((local / "seg_00002.ts").read_bytes())
    data[len(data) // 4 :] = bytes(len(data) - len(data) // 4)  # zero most of the segment
    (local / "seg_00002.ts").write_bytes(bytes(data))
    out = tmp_path / "clip.mp4"
    out.write_bytes(b"previous export")
    with pytest.raises(TranscodeError, match="ffmpeg"):
        export_clip(local / "index.m3u8", 4.5, 5.9, out)
    assert out.read_bytes() == b"previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken", "clip.mp4"]


def test_probe_reads_the_ladder_parameters(ladder: Ladder) -> None:
    params = probe_segment(ladder.top.parent / "seg_00001.ts")
    assert (params.width, params.height, params.fps) == (640, 360, FPS)
    # Video only: the ladder's audio is its shared rendition. No CABAC, B-frames or 8x8
    # transforms (ultrafast): x264 signals the lowest profile that fits, Baseline.
    assert params.pix_fmt == "yuv420p" and params.profile == "baseline"
    assert not params.has_audio


def test_segment_uris_must_stay_inside_the_folder(tmp_path: Path) -> None:
    for uri in ("../escape.ts", "/etc/passwd", "http://example.com/a.ts", "a|b.ts"):
        (tmp_path / "index.m3u8").write_text(playlist_text([Segment(2.0, uri)]))
        with pytest.raises(ValueError, match="refusing segment URI"):
            export_clip(tmp_path / "index.m3u8", 0.0, 1.0, tmp_path / "o.mp4")


# --------------------------------------------------------------------------- A/V sync

SYNC_AT = 3.0  # a white flash and a 1 kHz beep start together here in the source


def flash_and_beep_source(path: Path) -> Path:
    """6 s of testsrc2 with a white flash and a beep both starting at ``SYNC_AT``."""
    flash = f"drawbox=color=white:t=fill:enable='between(t,{SYNC_AT},{SYNC_AT + 0.19})'"
    mute = f"volume=0:enable='lt(t,{SYNC_AT})+gt(t,{SYNC_AT + 0.2})'"
    run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"testsrc2=s=320x180:r={FPS},{flash}"]
        + ["-f", "lavfi", "-i", f"sine=frequency=1000:sample_rate=48000,{mute}", "-t", "6"]
        + ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"]
        + ["-c:a", "aac", "-ac", "2", "-movflags", "+faststart", "-y", str(path)]
    )
    return path


def flash_and_onset(path: Path) -> tuple[float, float]:
    """(first white frame, first loud audio sample) of ``path``, in seconds."""
    white = next(i for i, frame in enumerate(grey_frames(path)) if min(frame) > 200) / FPS
    raw = run(["ffmpeg", "-v", "error", "-i", str(path), "-ac", "1", "-f", "s16le", "-"]).stdout
    samples = struct.unpack(f"<{len(raw) // 2}h", raw)
    loud = max(map(abs, samples)) * 0.3
    return white, next(i for i, v in enumerate(samples) if abs(v) > loud) / 48000


def muxed_audio_ladder(source: Path, out: Path) -> None:
    """A ladder whose variants each carry their own audio (published before the shared
    audio rendition, and what per-rendition pipelines make)."""
    info = probe(source, Limits())
    plan = replace(plan_ladder(info, SEGMENT_SECONDS), shared_audio=None)
    for folder in rendition_dirs(plan, out):
        folder.mkdir(parents=True)
    run_ffmpeg(
        hls_argv(source, info, plan, out), duration=info.duration, on_progress=None, timeout=120.0
    )
    for variant in parse_master((out / "master.m3u8").read_text()):
        playlist = out / variant.uri
        playlist.write_text(event_to_vod(playlist.read_text()))


@pytest.mark.parametrize("shared", [True, False], ids=["shared-audio", "audio-in-variants"])
def test_audio_stays_in_sync_with_video(tmp_path: Path, shared: bool) -> None:
    source = flash_and_beep_source(tmp_path / "sync.mp4")
    if shared:
        transcode(source, tmp_path / "hls", Limits(), segment_seconds=SEGMENT_SECONDS)
    else:
        muxed_audio_ladder(source, tmp_path / "hls")
    assert (tmp_path / "hls" / "audio").is_dir() == shared
    clip = tmp_path / "clip.mp4"
    export_clip(tmp_path / "hls" / "master.m3u8", 1.28, 4.72, clip)
    source_flash, source_beep = flash_and_onset(source)
    clip_flash, clip_beep = flash_and_onset(clip)
    assert clip_flash == pytest.approx(SYNC_AT - 1.28)
    # Same audio lag behind the picture as in the source, to well under one AAC frame.
    assert abs((clip_beep - clip_flash) - (source_beep - source_flash)) < 0.005
