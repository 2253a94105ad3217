"""Tests for the hardened probe against real (tiny) media and disguised bad uploads."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

# The repo root must be importable; drop once pyproject sets pytest pythonpath = ["."].
from transcoder.errors import InvalidMedia
from transcoder.limits import Limits
from transcoder.probe import ffprobe_argv, probe, short_format_name
from transcoder.synth import generate

LAVFI_VIDEO = "testsrc2=size=320x180:rate=25"
LAVFI_AUDIO = "sine=frequency=440:sample_rate=48000"


def ffmpeg(*args: str) -> None:
    """Test-only helper to build odd inputs the synth module does not produce."""
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True, timeout=60)


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("probe-media")
    generate(root / "valid.mp4", seconds=2.0, width=640, height=360, fps=25)
    generate(root / "silent.mp4", seconds=1.0, width=320, height=180, audio=False)
    return root


@pytest.fixture(scope="module")
def bad_dir(media_dir: Path) -> Path:
    root = media_dir / "bad"
    root.mkdir()
    (root / "text.mp4").write_text("These are my lecture notes, not a video.\n" * 20)
    (root / "empty.mp4").write_bytes(b"")
    (root / "playlist.mp4").write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n"
    )
    (root / "concat.mp4").write_text("ffconcat version 1.0\nfile /etc/passwd\n")
    ffmpeg("-f", "lavfi", "-i", LAVFI_VIDEO, "-frames:v", "1", "-f", "image2", str(root / "p.png"))
    (root / "p.png").rename(root / "image.mp4")
    ffmpeg("-f", "lavfi", "-i", LAVFI_AUDIO, "-t", "1", "-c:a", "aac", str(root / "audio.mp4"))
    ffmpeg(
        *("-f", "lavfi", "-i", LAVFI_AUDIO, "-f", "lavfi", "-i", LAVFI_VIDEO),
        *("-map", "0", "-map", "1", "-t", "1", "-frames:v", "1", "-c:a", "aac", "-c:v", "png"),
        *("-disposition:v:0", "attached_pic", str(root / "cover-art.mp4")),
    )
    return root


@pytest.fixture(scope="module")
def rotated(media_dir: Path) -> Path:
    out = media_dir / "rotated.mp4"
    ffmpeg(
        "-i", str(media_dir / "silent.mp4"), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(out)
    )
    return out


def test_valid_clip_fields(media_dir: Path) -> None:
    path = media_dir / "valid.mp4"
    info = probe(path, Limits())
    assert info.format_name == "mov"
    assert info.duration == pytest.approx(2.0, abs=0.1)
    assert (info.width, info.height) == (640, 360)
    assert info.fps == pytest.approx(25.0)
    assert info.video_codec == "h264"
    assert info.has_audio is True
    assert info.audio_codec == "aac"
    assert info.bit_rate is not None and info.bit_rate > 0
    assert info.size_bytes == path.stat().st_size
    assert info.video_stream_index != info.audio_stream_index


def test_clip_without_audio(media_dir: Path) -> None:
    info = probe(str(media_dir / "silent.mp4"), Limits())
    assert info.has_audio is False
    assert info.audio_codec is None
    assert info.audio_stream_index is None


def test_rotated_phone_clip_reports_display_size(rotated: Path) -> None:
    info = probe(rotated, Limits())
    assert (info.width, info.height) == (180, 320)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("text.mp4", "not a video we can read"),
        ("empty.mp4", "The file is empty"),
        ("playlist.mp4", "not a video we can read"),
        ("concat.mp4", "not a video we can read"),
        ("image.mp4", "not a video we can read"),
        ("audio.mp4", "only audio"),
        ("cover-art.mp4", "only audio"),
    ],
)
def test_bad_uploads_are_rejected_clearly(bad_dir: Path, name: str, message: str) -> None:
    with pytest.raises(InvalidMedia) as caught:
        probe(bad_dir / name, Limits())
    text = str(caught.value)
    assert message in text
    assert text[0].isupper()
    # Instructors see this: no tool names, paths or tracebacks.
    for leak in ("ffprobe", "ffmpeg", str(bad_dir), "Traceback"):
        assert leak not in text


def test_missing_file_is_invalid(tmp_path: Path) -> None:
    with pytest.raises(InvalidMedia, match="could not be found"):
        probe(tmp_path / "nope.mp4", Limits())


def test_too_long(media_dir: Path) -> None:
    with pytest.raises(InvalidMedia, match=r"too long \(2s; the limit is 1s\)"):
        probe(media_dir / "valid.mp4", Limits(max_duration=1))


def test_too_big(media_dir: Path) -> None:
    with pytest.raises(InvalidMedia, match="too large .*limit is 100 bytes"):
        probe(media_dir / "valid.mp4", Limits(max_bytes=100))


def test_too_wide(media_dir: Path) -> None:
    with pytest.raises(InvalidMedia, match="picture is too large .640x360"):
        probe(media_dir / "valid.mp4", Limits(max_width=320))


def test_too_tall(media_dir: Path) -> None:
    with pytest.raises(InvalidMedia, match="picture is too large"):
        probe(media_dir / "valid.mp4", Limits(max_height=200))


def test_codec_outside_allowlist(media_dir: Path) -> None:
    with pytest.raises(InvalidMedia, match="unsupported video codec 'h264'"):
        probe(media_dir / "valid.mp4", Limits(allowed_video_codecs=("vp9",)))


def test_demuxer_outside_allowlist(media_dir: Path) -> None:
    with pytest.raises(InvalidMedia, match="not a video we can read"):
        probe(media_dir / "valid.mp4", Limits(allowed_demuxers=("matroska",)))


def test_forced_format_must_match(media_dir: Path) -> None:
    assert probe(media_dir / "valid.mp4", Limits(), forced_format="mov").format_name == "mov"
    with pytest.raises(InvalidMedia):
        probe(media_dir / "valid.mp4", Limits(), forced_format="matroska")


def test_webm_vp9_is_accepted(tmp_path: Path) -> None:
    out = tmp_path / "clip.webm"
    ffmpeg(
        *("-f", "lavfi", "-i", LAVFI_VIDEO, "-f", "lavfi", "-i", LAVFI_AUDIO, "-t", "1"),
        *("-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "200k"),
        *("-c:a", "libopus", str(out)),
    )
    info = probe(out, Limits())
    assert info.format_name == "matroska"
    assert info.video_codec == "vp9"
    assert info.audio_codec == "opus"
    assert (info.width, info.height) == (320, 180)
    assert info.duration == pytest.approx(1.0, abs=0.1)


def test_ffprobe_argv_is_hardened(tmp_path: Path) -> None:
    argv = ffprobe_argv(tmp_path / "x.mp4", Limits())
    assert argv[argv.index("-protocol_whitelist") + 1] == "file"
    assert argv[argv.index("-format_whitelist") + 1] == "mov,matroska"
    assert argv[argv.index("-v") + 1] == "error"
    assert argv[-1] == f"file:{tmp_path / 'x.mp4'}"


@pytest.mark.parametrize(
    ("format_name", "expected"),
    [
        ("mov,mp4,m4a,3gp,3g2,mj2", "mov"),
        ("matroska,webm", "matroska"),
        ("hls", None),
        ("image2", None),
    ],
)
def test_short_format_name(format_name: str, expected: str | None) -> None:
    assert short_format_name(format_name, ("mov", "matroska")) == expected
