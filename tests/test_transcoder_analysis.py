"""Chapter/clip suggestions: the pure parsers and policy, then real ffmpeg end to end."""

from __future__ import annotations

import logging
import re
import subprocess
from pathlib import Path

import pytest

from transcoder import analysis
from transcoder.analysis import (
    EDGE_SECONDS,
    MERGE_SECONDS,
    MIN_CLIP_SECONDS,
    MIN_PAUSE_SECONDS,
    SCENE_THRESHOLD,
    Scene,
    Silence,
    Suggestion,
    format_time,
    parse_scenes,
    parse_silences,
    suggest,
)
from transcoder.limits import Limits
from transcoder.pipeline import TranscodeResult, transcode
from transcoder.synth import generate

# --------------------------------------------------------------------------- parsers

SCENES_TEXT = """\
frame:110  pts:110     pts_time:22
lavfi.scd.score=6.812
frame:230  pts:230     pts_time:46.0
lavfi.scd.score=1.069
frame:231  pts:231     pts_time:nan
lavfi.scd.score=3.0
frame:232  pts:232     pts_time:46.2
lavfi.scd.mafd=0.4
garbage line
"""

SILENCES_TEXT = """\
frame:140  pts:143360  pts_time:8.5
lavfi.silence_start=8.00021
frame:160  pts:163840  pts_time:10.01
lavfi.silence_end=10.0052
lavfi.silence_duration=2.005
frame:400  pts:409600  pts_time:44.0
lavfi.silence_start=43.5
frame:420  pts:430080  pts_time:45.7
lavfi.silence_end=45.61
lavfi.silence_duration=2.11
frame:670  pts:686080  pts_time:68.5
lavfi.silence_start=67.0
"""


def test_parse_scenes_reads_time_and_score_and_skips_junk() -> None:
    assert parse_scenes(SCENES_TEXT) == [Scene(22.0, 6.812), Scene(46.0, 1.069)]


def test_parse_scenes_of_nothing() -> None:
    assert parse_scenes("") == []


def test_parse_silences_pairs_starts_and_ends() -> None:
    silences = parse_silences(SILENCES_TEXT, duration=70.0)
    assert silences[:2] == [Silence(8.00021, 10.0052), Silence(43.5, 45.61)]


def test_silence_running_to_the_end_ends_at_duration() -> None:
    assert parse_silences(SILENCES_TEXT, duration=70.0)[-1] == Silence(67.0, 70.0)


def test_parse_silences_clamps_and_drops_empty_spans() -> None:
    text = (
        "frame:0 pts:0 pts_time:0\nlavfi.silence_start=-0.02\n"
        "frame:9 pts:9 pts_time:2\nlavfi.silence_end=2.5\n"
        "frame:99 pts:99 pts_time:80\nlavfi.silence_start=80\n"
    )
    assert parse_silences(text, duration=70.0) == [Silence(0.0, 2.5)]


# --------------------------------------------------------------------------- policy


def boundaries(suggestions: list[Suggestion]) -> list[tuple[str, float]]:
    return [(s.kind, s.start) for s in suggestions if s.kind != "clip"]


def clips(suggestions: list[Suggestion]) -> list[tuple[float, float | None]]:
    return [(s.start, s.end) for s in suggestions if s.kind == "clip"]


def test_slide_changes_and_pause_ends_become_boundaries() -> None:
    result = suggest([Scene(30.0, 8.0)], [Silence(50.0, 52.5)], duration=100.0)
    assert boundaries(result) == [("slide", 30.0), ("pause", 52.5)]
    slide, pause = (s for s in result if s.kind != "clip")
    assert slide.end is None and slide.label == "Slide change at 0:30"
    assert pause.label == "After a 2.5 s pause"
    assert 0.0 < pause.score < 1.0 and slide.score == 1.0


def test_weak_scene_changes_and_short_pauses_are_ignored() -> None:
    short = MIN_PAUSE_SECONDS - 0.1
    result = suggest(
        [Scene(30.0, SCENE_THRESHOLD / 2)], [Silence(50.0, 50.0 + short)], duration=100.0
    )
    assert boundaries(result) == []


def test_pause_ending_near_a_slide_change_merges_into_it() -> None:
    gap = MERGE_SECONDS - 0.5
    result = suggest([Scene(30.0, 1.0)], [Silence(26.0, 30.0 - gap)], duration=100.0)
    assert boundaries(result) == [("slide", 30.0)]
    (slide,) = (s for s in result if s.kind == "slide")
    assert slide.label == "Slide change at 0:30 after a 2.5 s pause"
    # The pause confirms the slide change: more confident than either alone.
    alone = suggest([Scene(30.0, 1.0)], [], duration=100.0)[0]
    assert slide.score > alone.score


def test_pause_outside_the_merge_window_stays_separate() -> None:
    result = suggest([Scene(30.0, 1.0)], [Silence(34.0, 36.0)], duration=100.0)
    assert boundaries(result) == [("slide", 30.0), ("pause", 36.0)]


def test_of_two_close_pauses_the_longer_wins() -> None:
    result = suggest([], [Silence(38.0, 42.0), Silence(42.3, 43.9)], duration=100.0)
    assert boundaries(result) == [("pause", 42.0)]


def test_a_multi_frame_transition_is_one_slide_change_at_its_start() -> None:
    scenes = [Scene(30.0, 0.9), Scene(30.2, 4.0), Scene(30.4, 0.6)]
    result = suggest(scenes, [], duration=100.0)
    assert boundaries(result) == [("slide", 30.0)]
    assert result[0].score == pytest.approx(4.0 / analysis.STRONG_SCENE_SCORE)


def test_no_boundaries_near_the_start_or_end() -> None:
    near = EDGE_SECONDS - 0.5
    scenes = [Scene(near, 9.0), Scene(100.0 - near, 9.0), Scene(50.0, 9.0)]
    silences = [Silence(0.0, near), Silence(97.0, 100.0)]
    assert boundaries(suggest(scenes, silences, duration=100.0)) == [("slide", 50.0)]


def test_clips_are_the_spans_of_clip_length_between_boundaries() -> None:
    # Boundaries at 10 (too close to 0 for a clip), 40 and 52 (12 s apart: too short).
    scenes = [Scene(10.0, 9.0), Scene(40.0, 9.0), Scene(52.0, 9.0)]
    result = suggest(scenes, [], duration=100.0)
    assert clips(result) == [(10.0, 40.0), (52.0, 100.0)]
    first = next(s for s in result if s.kind == "clip")
    assert first.label == "Clip 0:10-0:40 (30 s)"


def test_clip_length_bounds() -> None:
    long = analysis.MAX_CLIP_SECONDS + 60.0
    assert clips(suggest([Scene(long, 9.0)], [], duration=long + MIN_CLIP_SECONDS)) == [
        (long, long + MIN_CLIP_SECONDS)
    ]
    assert clips(suggest([], [], duration=MIN_CLIP_SECONDS - 1)) == []
    assert clips(suggest([], [], duration=MIN_CLIP_SECONDS)) == [(0.0, MIN_CLIP_SECONDS)]


def test_output_is_sorted_and_deterministic() -> None:
    scenes = [Scene(60.0, 2.0), Scene(25.0, 9.0)]
    silences = [Silence(80.0, 82.0), Silence(40.0, 43.0)]
    first = suggest(scenes, silences, duration=120.0)
    assert first == suggest(list(reversed(scenes)), list(reversed(silences)), 120.0)
    starts = [s.start for s in first]
    assert starts == sorted(starts)
    assert all(0.0 <= s.score <= 1.0 for s in first)


@pytest.mark.parametrize("duration", [0.0, -1.0, float("nan")])
def test_nothing_for_an_empty_recording(duration: float) -> None:
    assert suggest([Scene(1.0, 9.0)], [Silence(0.0, 1.0)], duration) == []


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0:00"), (59.9, "0:59"), (61, "1:01"), (3725, "1:02:05")]
)
def test_format_time(seconds: float, text: str) -> None:
    assert format_time(seconds) == text


# --------------------------------------------------------------------------- real ffmpeg

# Three "slides" (a dark block on white moving to a new place) changing at 22 s and
# 46 s; a 440 Hz tone silenced from 8.0 to 10.0 s, from 43.5 to 45.6 s (just before the
# second slide change) and from 67 s to the end.
SLIDE_CHANGES = (22.0, 46.0)
DURATION = 70.0
_SLIDES = ((20, 40, 22), (120, 60, 24), (220, 80, 24))  # block x, y; seconds shown
_SILENT = "between(t,8,10)+between(t,43.5,45.6)+gte(t,67)"


def make_lesson(path: Path, *, audio: bool = True) -> Path:
    graph = [
        f"color=c=white:s=320x180:r=5:d={seconds},"
        f"drawbox=x={x}:y={y}:w=80:h=60:color=0x202020:t=fill[v{index}]"
        for index, (x, y, seconds) in enumerate(_SLIDES)
    ]
    graph.append("[v0][v1][v2]concat=n=3:v=1:a=0,format=yuv420p[v]")
    maps = ["-map", "[v]"]
    if audio:
        graph.append(f"sine=f=440:r=48000:d={DURATION:g},volume=volume=0:enable='{_SILENT}'[a]")
        maps += ["-map", "[a]", "-c:a", "aac"]
    argv = ["ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y"]
    argv += ["-filter_complex", ";".join(graph), *maps, "-c:v", "libx264"]
    argv += ["-preset", "veryfast", "-f", "mp4", str(path)]
    subprocess.run(argv, check=True, capture_output=True, timeout=120)
    return path


@pytest.fixture(scope="module")
def lesson(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, TranscodeResult]:
    root = tmp_path_factory.mktemp("analysis")
    out_dir = root / "out"
    return out_dir, transcode(make_lesson(root / "lesson.mp4"), out_dir, Limits())


def test_slide_changes_are_found(lesson: tuple[Path, TranscodeResult]) -> None:
    _, result = lesson
    slides = [s.start for s in result.suggestions if s.kind == "slide"]
    assert slides == pytest.approx(list(SLIDE_CHANGES), abs=0.2)


def test_pause_end_is_a_boundary_and_a_pause_before_a_slide_merges(
    lesson: tuple[Path, TranscodeResult],
) -> None:
    _, result = lesson
    pauses = [s.start for s in result.suggestions if s.kind == "pause"]
    assert pauses == pytest.approx([10.0], abs=0.2)
    second = next(s for s in result.suggestions if s.kind == "slide" and s.start > 40)
    assert re.search(r"after a 2\.\d s pause$", second.label), second.label
    # The silence that runs to the end is no boundary.
    assert all(s.start < DURATION - EDGE_SECONDS for s in result.suggestions)


def test_clip_candidates_span_the_slides(lesson: tuple[Path, TranscodeResult]) -> None:
    _, result = lesson
    spans = [(s.start, s.end) for s in result.suggestions if s.kind == "clip"]
    # 0-10 and 10-22 are too short; 22-46 and 46-end are clip length.
    assert spans == [
        (pytest.approx(22.0, abs=0.2), pytest.approx(46.0, abs=0.2)),
        (pytest.approx(46.0, abs=0.2), pytest.approx(DURATION, abs=0.2)),
    ]


def test_analysis_files_are_not_published(lesson: tuple[Path, TranscodeResult]) -> None:
    out_dir, result = lesson
    assert not (out_dir / analysis.ANALYSIS_DIR).exists()
    assert not any(name.startswith(f"{analysis.ANALYSIS_DIR}/") for name in result.files)


def test_without_audio_only_slide_changes(tmp_path: Path) -> None:
    source = make_lesson(tmp_path / "mute.mp4", audio=False)
    result = transcode(source, tmp_path / "out", Limits())
    assert [s.kind for s in result.suggestions if s.kind != "clip"] == ["slide", "slide"]
    assert [s.start for s in result.suggestions if s.kind == "slide"] == pytest.approx(
        list(SLIDE_CHANGES), abs=0.2
    )


def test_failing_analysis_never_fails_the_transcode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(text: str) -> list[Scene]:
        raise ValueError("unreadable")

    monkeypatch.setattr("transcoder.pipeline.parse_scenes", broken)
    source = generate(tmp_path / "short.mp4", seconds=2.0)
    with caplog.at_level(logging.WARNING, logger="transcoder.pipeline"):
        result = transcode(source, tmp_path / "out", Limits())
    assert result.suggestions == ()
    assert result.renditions and "could not analyse" in caplog.text
    assert not (tmp_path / "out" / analysis.ANALYSIS_DIR).exists()
