"""End-to-end tests of transcode() with real ffmpeg on tiny generated clips."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from transcoder.analysis import ANALYSIS_DIR, SCENES_FILE, SILENCES_FILE, Suggestion
from transcoder.argv import hls_argv, rendition_dirs
from transcoder.errors import InvalidMedia
from transcoder.hls import parse_master, parse_media_segments, parse_media_tags
from transcoder.limits import Limits
from transcoder.pipeline import TranscodeResult, transcode
from transcoder.plan import plan_ladder
from transcoder.probe import probe
from transcoder.storyboard import sheet_name
from transcoder.synth import generate

SEGMENT_SECONDS = 2
FPS = 25


@dataclass(frozen=True)
class Run:
    out_dir: Path
    result: TranscodeResult
    progress: tuple[float, ...]
    seconds: float
    audio: bool


def ffprobe_json(path: Path, *args: str) -> dict[str, Any]:
    proc = subprocess.run(
        ["ffprobe", "-v", "error", *args, "-of", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert proc.stderr == "", proc.stderr
    return json.loads(proc.stdout)


def run_transcode(root: Path, name: str, seconds: float, audio: bool) -> Run:
    source = generate(root / f"{name}.mp4", seconds=seconds, fps=FPS, audio=audio, title=name)
    progress: list[float] = []
    out_dir = root / f"{name}-out"
    result = transcode(
        source, out_dir, Limits(), on_progress=progress.append, segment_seconds=SEGMENT_SECONDS
    )
    return Run(out_dir, result, tuple(progress), seconds, audio)


@pytest.fixture(scope="module")
def with_audio(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_transcode(tmp_path_factory.mktemp("hls"), "lesson", seconds=5.0, audio=True)


@pytest.fixture(scope="module")
def without_audio(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_transcode(tmp_path_factory.mktemp("hls"), "silent", seconds=4.0, audio=False)


@pytest.fixture(scope="module", params=["with_audio", "without_audio"])
def run(request: pytest.FixtureRequest) -> Run:
    return request.getfixturevalue(request.param)


def video_renditions(run: Run) -> list:
    """The picture renditions (the shared audio has no size)."""
    return [r for r in run.result.renditions if r.height]


def test_master_lists_video_variants_sharing_one_audio_group(run: Run) -> None:
    text = (run.out_dir / run.result.master).read_text()
    variants = parse_master(text)
    assert [(v.name, v.width, v.height) for v in variants] == [
        ("360p", 640, 360),
        ("240p", 426, 240),
    ]
    assert all(v.bandwidth > 0 for v in variants)
    assert variants[0].bandwidth > variants[1].bandwidth
    media = parse_media_tags(text)
    expected = [(v.name, v.width or None, v.height or None, v.bandwidth, v.uri) for v in variants]
    if run.audio:
        assert [(m.type, m.uri) for m in media] == [("AUDIO", "audio/index.m3u8")]
        # Every video variant names the group; its CODECS announce the AAC it plays.
        assert text.count(f'AUDIO="{media[0].group}"') == len(variants)
        assert all("mp4a" in (v.codecs or "") for v in variants)
        expected.append(("audio", None, None, 128_000, "audio/index.m3u8"))
    else:
        assert media == [] and "AUDIO=" not in text
    assert [
        (r.name, r.width or None, r.height or None, r.bandwidth, r.playlist)
        for r in run.result.renditions
    ] == expected


def test_shared_audio_rendition_carries_only_audio(run: Run) -> None:
    audio_only = [r for r in run.result.renditions if not r.height]
    if not run.audio:
        assert audio_only == []
        return
    data = ffprobe_json(
        run.out_dir / audio_only[0].playlist,
        *("-show_entries", "stream=codec_type,codec_name,sample_rate,channels"),
    )
    streams = [
        (s["codec_type"], s["codec_name"], s["sample_rate"], s["channels"]) for s in data["streams"]
    ]
    assert streams == [("audio", "aac", "48000", 2)]


def test_result_describes_source(run: Run) -> None:
    assert run.result.duration == pytest.approx(run.seconds, abs=0.1)
    assert (run.result.width, run.result.height) == (640, 360)
    assert run.result.master == "master.m3u8"
    assert run.result.poster == "poster.jpg"
    assert [r.playlist for r in video_renditions(run)] == ["360p/index.m3u8", "240p/index.m3u8"]


def test_each_variant_decodes_cleanly(run: Run) -> None:
    for rendition in video_renditions(run):
        data = ffprobe_json(
            run.out_dir / rendition.playlist,
            *("-count_frames", "-show_entries", "stream=codec_type,codec_name,width,height"),
            *("-show_entries", "stream=nb_read_frames,sample_rate,channels,profile"),
        )
        # Video only: the audio is the shared rendition's, encoded once.
        assert [s["codec_type"] for s in data["streams"]] == ["video"]
        video = data["streams"][0]
        assert video["codec_name"] == "h264"
        assert (video["width"], video["height"]) == (rendition.width, rendition.height)
        assert int(video["nb_read_frames"]) == round(run.seconds * FPS)


def test_segments_have_planned_length(run: Run) -> None:
    counts = []
    for rendition in run.result.renditions:
        segments = parse_media_segments((run.out_dir / rendition.playlist).read_text())
        counts.append(len(segments))
        assert len(segments) == -(-round(run.seconds) // SEGMENT_SECONDS)
        for segment in segments[:-1]:
            assert SEGMENT_SECONDS - 0.5 <= segment.duration <= SEGMENT_SECONDS + 0.5
        assert sum(s.duration for s in segments) == pytest.approx(run.seconds, abs=0.2)
    assert len(set(counts)) == 1


def test_every_segment_starts_with_a_keyframe(run: Run) -> None:
    for rendition in video_renditions(run):
        playlist = run.out_dir / rendition.playlist
        for segment in parse_media_segments(playlist.read_text()):
            frames = ffprobe_json(
                playlist.parent / segment.uri,
                *("-select_streams", "v:0", "-read_intervals", "%+#1"),
                *("-show_entries", "frame=key_frame,pict_type"),
            )["frames"]
            assert frames[0]["key_frame"] == 1, f"{rendition.name}/{segment.uri}"
            assert frames[0]["pict_type"] == "I"


def test_segment_boundaries_align_across_renditions(run: Run) -> None:
    durations = [
        [s.duration for s in parse_media_segments((run.out_dir / r.playlist).read_text())]
        for r in run.result.renditions
    ]
    for other in durations[1:]:
        assert other == pytest.approx(durations[0], abs=0.05)


def test_poster_is_a_jpeg_of_planned_width(run: Run) -> None:
    poster = run.out_dir / run.result.poster
    assert poster.read_bytes()[:3] == b"\xff\xd8\xff"
    stream = ffprobe_json(poster, "-show_entries", "stream=codec_name,width,height")["streams"][0]
    assert (stream["codec_name"], stream["width"], stream["height"]) == ("mjpeg", 640, 360)


def test_files_list_matches_disk(run: Run) -> None:
    on_disk = sorted(p.relative_to(run.out_dir).as_posix() for p in run.out_dir.rglob("*"))
    on_disk_files = [p for p in on_disk if (run.out_dir / p).is_file()]
    assert list(run.result.files) == on_disk_files
    assert {"master.m3u8", "poster.jpg", "360p/index.m3u8", "240p/index.m3u8"} <= set(on_disk)
    assert any(f.startswith("360p/seg_") and f.endswith(".ts") for f in run.result.files)


def test_progress_is_monotonic_and_ends_at_100(run: Run) -> None:
    assert run.progress[-1] == 100.0
    assert list(run.progress) == sorted(run.progress)
    assert all(0.0 <= p <= 100.0 for p in run.progress)


def test_invalid_upload_publishes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "notes.mp4"
    source.write_text("#EXTM3U\n#EXTINF:10,\nfile:///etc/passwd\n")
    out_dir = tmp_path / "out"
    with pytest.raises(InvalidMedia):
        transcode(source, out_dir, Limits())
    assert not out_dir.exists() or list(out_dir.iterdir()) == []


def test_upload_over_limits_publishes_nothing(with_audio: Run, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    with pytest.raises(InvalidMedia, match="too long"):
        transcode(with_audio.out_dir.parent / "lesson.mp4", out_dir, Limits(max_duration=1))
    assert not out_dir.exists() or list(out_dir.iterdir()) == []


def test_refuses_non_empty_output_dir(with_audio: Run, tmp_path: Path) -> None:
    (tmp_path / "stale.txt").write_text("old")
    with pytest.raises(ValueError, match="not empty"):
        transcode(with_audio.out_dir.parent / "lesson.mp4", tmp_path, Limits())
    assert [p.name for p in tmp_path.iterdir()] == ["stale.txt"]


def test_storyboard_sheets_and_vtt_cover_the_video(run: Run) -> None:
    assert run.result.storyboard == "storyboard/storyboard.vtt"
    vtt = (run.out_dir / run.result.storyboard).read_text()
    cues = re.findall(r"(\S+) --> (\S+)\n(sheet_\d+\.jpg)#xywh=(\d+),(\d+),(\d+),(\d+)", vtt)
    assert vtt.startswith("WEBVTT") and len(cues) == round(run.seconds)
    assert cues[0][0] == "00:00:00.000" and cues[-1][1] == f"00:00:0{run.seconds:.3f}"
    sheet = run.out_dir / "storyboard" / sheet_name(0)
    size = ffprobe_json(sheet, "-show_entries", "stream=width,height")["streams"][0]
    tile_w, tile_h = int(cues[0][5]), int(cues[0][6])
    assert (tile_w, tile_h) == (160, 90)
    # Every cue's tile lies inside the sheet.
    for *_times, _name, x, y, w, h in cues:
        assert int(x) + int(w) <= size["width"] and int(y) + int(h) <= size["height"]


def _integrated_loudness(path: Path) -> float:
    proc = subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-nostats",
            "-i",
            str(path),
            "-vn",
            "-af",
            "ebur128",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return float(re.findall(r"I:\s+(-?[\d.]+) LUFS", proc.stderr)[-1])


def test_quiet_lecture_audio_is_normalised(tmp_path: Path) -> None:
    source = tmp_path / "quiet.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=s=320x180:r=25:d=8",
            "-f",
            "lavfi",
            "-i",
            "sine=f=300:d=8,volume=-32dB",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-c:a",
            "aac",
            "-shortest",
            str(source),
        ],
        check=True,
        timeout=60,
    )
    before = _integrated_loudness(source)
    result = transcode(source, tmp_path / "out", Limits(), segment_seconds=2)
    audio_only = next(r for r in result.renditions if r.name == "audio")
    after = _integrated_loudness(tmp_path / "out" / audio_only.playlist)
    assert before < -30
    assert after == pytest.approx(-16.0, abs=2.0)


def test_published_playlists_are_vod_and_finished(run: Run) -> None:
    for rendition in run.result.renditions:
        text = (run.out_dir / rendition.playlist).read_text()
        assert "#EXT-X-PLAYLIST-TYPE:VOD" in text and text.rstrip().endswith("#EXT-X-ENDLIST")
    assert not list(run.out_dir.rglob("*.tmp"))


def test_ffmpeg_keeps_reporting_progress_during_the_encode(tmp_path: Path) -> None:
    """Progress reports are the job's heartbeat: no output may hold them back."""
    source = generate(tmp_path / "ten.mp4", seconds=10.0, fps=FPS)
    info = probe(source, Limits())
    plan = plan_ladder(info)
    assert plan.storyboard is not None and plan.shared_audio is not None
    for folder in rendition_dirs(plan, tmp_path / "out"):
        folder.mkdir(parents=True)
    argv = [*hls_argv(source, info, plan, tmp_path / "out"), "-stats_period", "0.05"]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=True)
    times = [int(v) for v in re.findall(r"out_time_us=(\d+)", proc.stdout)]
    assert len(set(times)) >= 4
    assert min(t for t in times if t > 0) < 0.5 * 10_000_000


def test_analysis_leaves_nothing_to_publish(run: Run) -> None:
    assert not (run.out_dir / ANALYSIS_DIR).exists()
    assert not any(name.startswith(f"{ANALYSIS_DIR}/") for name in run.result.files)
    assert all(isinstance(s, Suggestion) for s in run.result.suggestions)


def test_progress_keeps_flowing_with_the_analysis_output(tmp_path: Path) -> None:
    """The scene/silence detection output must not hold the heartbeat back either."""
    source = generate(tmp_path / "ten.mp4", seconds=10.0, fps=FPS)
    info = probe(source, Limits())
    plan = plan_ladder(info)
    out = tmp_path / "out"
    for folder in [*rendition_dirs(plan, out), out / ANALYSIS_DIR]:
        folder.mkdir(parents=True)
    argv = [*hls_argv(source, info, plan, out, analysis=True), "-stats_period", "0.05"]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=True)
    times = [int(v) for v in re.findall(r"out_time_us=(\d+)", proc.stdout)]
    assert len(set(times)) >= 4
    assert min(t for t in times if t > 0) < 0.5 * 10_000_000
    assert (out / ANALYSIS_DIR / SCENES_FILE).is_file()
    assert (out / ANALYSIS_DIR / SILENCES_FILE).is_file()
