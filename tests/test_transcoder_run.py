"""Tests for the ffmpeg runner: progress parsing, errors, timeouts, no leaked children."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

import pytest

# The repo root must be importable; drop once pyproject sets pytest pythonpath = ["."].
from transcoder.binaries import ffmpeg_executable, resolve
from transcoder.errors import TranscodeError
from transcoder.run import ProgressParser, run_ffmpeg
from transcoder.synth import synth_argv

# One ffmpeg 5.1 -progress block; note out_time_ms is microseconds too.
BLOCK = """frame=50
fps=0.00
stream_0_0_q=28.0
bitrate= 100.0kbits/s
total_size=51244
out_time_us={us}
out_time_ms={us}
out_time=00:00:02.000000
dup_frames=0
drop_frames=0
speed=3.9x
progress={state}
"""

ENDLESS = [
    "ffmpeg",
    "-nostdin",
    "-v",
    "error",
    "-progress",
    "pipe:1",
    "-re",
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=64x36:rate=10",
    "-f",
    "null",
    "-",
]


def ffmpeg_children() -> list[int]:
    """PIDs of ffmpeg processes (running or zombie) whose parent is this process."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        if ppid == os.getpid() and comm == "ffmpeg":
            children.append(int(entry.name))
    return children


def test_parser_reads_microseconds_from_both_keys() -> None:
    parser = ProgressParser(duration=4.0)
    assert parser.feed("out_time_us=1000000") == 25.0
    assert parser.feed("out_time_ms=3000000\n") == 75.0
    assert parser.feed("progress=continue") is None
    assert parser.feed("progress=end") == 100.0


def test_parser_ignores_noise_and_never_goes_backwards() -> None:
    parser = ProgressParser(duration=10.0)
    assert parser.feed("out_time_us=N/A") is None
    assert parser.feed("out_time_us=-23220") is None
    assert parser.feed("garbage without equals sign") is None
    assert parser.feed("bitrate=N/A") is None
    assert parser.feed("out_time_us=5000000") == 50.0
    assert parser.feed("out_time_us=5000000") is None
    assert parser.feed("out_time_us=4000000") is None
    assert parser.percent == 50.0


def parse_progress(lines: Iterable[str], duration: float) -> float:
    """Percent (0-100) a parser reaches after reading all ``lines`` of ``-progress`` output."""
    parser = ProgressParser(duration)
    for line in lines:
        parser.feed(line)
    return parser.percent


def test_parser_clamps_past_the_end() -> None:
    assert parse_progress(["out_time_us=99000000"], duration=4.0) == 100.0


def test_parse_progress_on_canned_blocks() -> None:
    text = BLOCK.format(us=2_000_000, state="continue")
    assert parse_progress(text.splitlines(), duration=8.0) == 25.0
    text += BLOCK.format(us=8_000_000, state="end")
    assert parse_progress(text.splitlines(), duration=8.0) == 100.0


def test_real_ffmpeg_reports_progress_up_to_100(tmp_path: Path) -> None:
    seen: list[float] = []
    argv = synth_argv(tmp_path / "clip.mp4", seconds=2.0, width=160, height=90)
    run_ffmpeg(argv, duration=2.0, on_progress=seen.append, timeout=60, min_interval=0)
    assert (tmp_path / "clip.mp4").stat().st_size > 0
    assert seen[-1] == 100.0
    assert seen == sorted(seen)
    assert all(0.0 <= p <= 100.0 for p in seen)
    assert ffmpeg_children() == []


def test_failing_ffmpeg_raises_with_stderr_tail(tmp_path: Path) -> None:
    missing = tmp_path / "missing.mp4"
    argv = ["ffmpeg", "-nostdin", "-v", "error", "-i", f"file:{missing}", "-f", "null", "-"]
    with pytest.raises(TranscodeError) as caught:
        run_ffmpeg(argv, duration=1.0, on_progress=None, timeout=60)
    assert "exit code" in str(caught.value)
    assert "No such file or directory" in caught.value.stderr_tail
    assert "No such file or directory" in str(caught.value)
    assert ffmpeg_children() == []


def test_stderr_tail_is_limited_to_last_lines(tmp_path: Path) -> None:
    # -v debug floods stderr; only the last lines may be kept.
    argv = ["ffmpeg", "-nostdin", "-v", "debug", "-i", f"file:{tmp_path / 'x.mp4'}", "-f", "null"]
    with pytest.raises(TranscodeError) as caught:
        run_ffmpeg(argv, duration=1.0, on_progress=None, timeout=60)
    assert 0 < len(caught.value.stderr_tail.splitlines()) <= 20


def test_missing_binary_is_a_transcode_error() -> None:
    with pytest.raises(TranscodeError, match="could not start ffmpeg"):
        run_ffmpeg(["/nonexistent/ffmpeg"], duration=1.0, on_progress=None, timeout=5)


def test_timeout_kills_ffmpeg() -> None:
    with pytest.raises(TranscodeError, match="timed out"):
        run_ffmpeg(ENDLESS, duration=1.0, on_progress=None, timeout=1.0)
    assert ffmpeg_children() == []


def test_exception_in_callback_kills_ffmpeg_and_propagates() -> None:
    class Stop(Exception):
        pass

    def explode(percent: float) -> None:
        raise Stop(percent)

    with pytest.raises(Stop):
        run_ffmpeg(ENDLESS, duration=3600.0, on_progress=explode, timeout=120, min_interval=0)
    assert ffmpeg_children() == []


def test_ffmpeg_binary_setting_picks_the_executable(monkeypatch: pytest.MonkeyPatch) -> None:
    ffmpeg_executable.cache_clear()
    monkeypatch.setenv("FFMPEG_BINARY", "/opt/other/ffmpeg")
    try:
        assert resolve(["ffmpeg", "-version"]) == ["/opt/other/ffmpeg", "-version"]
        # Only the bare program name is replaced (ffprobe and explicit paths are kept).
        assert resolve(["ffprobe", "-version"]) == ["ffprobe", "-version"]
        assert resolve(["/usr/bin/ffmpeg"]) == ["/usr/bin/ffmpeg"]
    finally:
        ffmpeg_executable.cache_clear()


def test_run_ffmpeg_runs_the_configured_executable(monkeypatch: pytest.MonkeyPatch) -> None:
    ffmpeg_executable.cache_clear()
    monkeypatch.setenv("FFMPEG_BINARY", "/nonexistent/ffmpeg")
    try:
        with pytest.raises(TranscodeError, match="could not start ffmpeg"):
            run_ffmpeg(["ffmpeg", "-version"], duration=1.0, on_progress=None, timeout=10)
    finally:
        ffmpeg_executable.cache_clear()


def test_default_executable_is_an_ffmpeg_with_libx264() -> None:
    ffmpeg_executable.cache_clear()
    out = subprocess.run(
        [ffmpeg_executable(), "-hide_banner", "-encoders"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "libx264" in out.stdout
