"""Tests for the hardened probe against real (tiny) media and disguised bad uploads."""

from __future__ import annotations

import struct
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

import transcoder.probe as probe_module

# The repo root must be importable; drop once pyproject sets pytest pythonpath = ["."].
from transcoder.errors import InvalidMedia, TranscodeError
from transcoder.limits import Limits
from transcoder.probe import ffprobe_argv, probe, short_format_name
from transcoder.sniff import container_problem, sniff
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
        ("text.mp4", "it is a text document"),
        ("empty.mp4", "The file is empty"),
        ("playlist.mp4", "it is a playlist"),
        ("concat.mp4", "list of file names"),
        ("image.mp4", "it is a still image"),
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


# --------------------------------------------------------------------------- sniffing


MP4_HEAD = struct.pack(">I4s4sI", 24, b"ftyp", b"isom", 512) + b"isomiso2"
_EBML_BODY = bytes.fromhex("4286810142f7810142f2810442f381084282847765626d")  # DocType webm
MKV_HEAD = b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(_EBML_BODY)]) + _EBML_BODY


@pytest.mark.parametrize(
    ("head", "phrase"),
    [
        (b"#EXTM3U\n#EXTINF:10,\nhttp://example.com/a.ts\n", "playlist"),
        (b"\xef\xbb\xbf  \n#EXTM3U\n", "playlist"),
        (b"ffconcat version 1.0\nfile 'a.mp4'\n", "list of file names"),
        (b"# my list\nfile '/etc/passwd'\nfile 'b.mp4'\n", "list of file names"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "still image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "still image"),
        (b"GIF89a\x01\x00", "still image"),
        (struct.pack(">I4s4s", 24, b"ftyp", b"heic") + b"\x00" * 12, "still image"),
        ("Notes from the lecture: caf\u00e9 \u2713\n".encode() * 3, "text document"),
        (b"# Week 3\n# Homework\n", "text document"),
        # The 4 kB sniff window may end in the middle of a multi-byte character.
        (("\u00e9" * 3000).encode()[:4095], "text document"),
    ],
    ids=[
        "hls",
        "hls-bom",
        "ffconcat",
        "concat-list",
        "png",
        "jpeg",
        "gif",
        "heic",
        "text",
        "markdown-headings",
        "text-cut-mid-char",
    ],
)
def test_sniff_refuses_non_video(head: bytes, phrase: str) -> None:
    reason = sniff(head)
    assert reason is not None and phrase in reason


@pytest.mark.parametrize(
    "head",
    [MP4_HEAD, MKV_HEAD, b"\x00\x01binary\xff\xfe", b"   \n\t", b"bad \x1b[31m escape"],
    ids=["mp4", "webm", "binary", "blank", "ansi-escapes"],
)
def test_sniff_leaves_media_and_unknown_bytes_to_ffprobe(head: bytes) -> None:
    assert sniff(head) is None


def box(kind: bytes, payload_size: int, declared: int | None = None) -> bytes:
    """An ISO-BMFF box of ``payload_size`` zero bytes (``declared`` overrides its size)."""
    return struct.pack(">I4s", declared or payload_size + 8, kind) + bytes(payload_size)


@pytest.mark.parametrize(
    ("data", "phrase"),
    [
        (MP4_HEAD + box(b"moov", 100) + box(b"mdat", 1000), None),
        (MP4_HEAD + box(b"moov", 100) + box(b"mdat", 1000, declared=5000), "incomplete"),
        (MP4_HEAD + box(b"mdat", 1000) + box(b"moov", 100, declared=900), "incomplete"),
        (MP4_HEAD + box(b"free", 8) + box(b"mdat", 1000), "index is missing"),
        # size 0 means "to the end of the file"; size 1 means a 64-bit size follows.
        (MP4_HEAD + box(b"moov", 100) + struct.pack(">I4s", 0, b"mdat") + bytes(64), None),
        (MP4_HEAD + box(b"moov", 8) + struct.pack(">I4sQ", 1, b"mdat", 10**9), "incomplete"),
        (MP4_HEAD + box(b"moov", 8) + struct.pack(">I4s", 1, b"mdat"), "incomplete"),
        # Junk after the last box is left to the demuxer, not called truncation.
        (MP4_HEAD + box(b"moov", 100) + b"\x00\x00\x00\x03\x01\x02\x03junk", None),
        (MKV_HEAD + bytes.fromhex("18538067") + bytes.fromhex("01ffffffffffffff"), None),
        (MKV_HEAD + bytes.fromhex("18538067") + bytes.fromhex("4100") + bytes(0x100), None),
        (MKV_HEAD + bytes.fromhex("18538067") + bytes.fromhex("4100") + bytes(10), "incomplete"),
        (b"\x00\x01binary" + bytes(100), None),
    ],
    ids=[
        "complete",
        "mdat-past-eof",
        "moov-past-eof",
        "no-moov",
        "size0-to-eof",
        "largesize-past-eof",
        "largesize-cut",
        "trailing-junk",
        "mkv-unknown-size",
        "mkv-complete",
        "mkv-cut",
        "not-a-container",
    ],
)
def test_container_problem(tmp_path: Path, data: bytes, phrase: str | None) -> None:
    path = tmp_path / "upload"
    path.write_bytes(data)
    problem = container_problem(path, len(data))
    if phrase is None:
        assert problem is None
    else:
        assert problem is not None and phrase in problem


# --------------------------------------------------------------------------- header values


def fake_probe_data(**video: Any) -> dict[str, Any]:
    """ffprobe-shaped JSON for one H.264 stream; ``video`` overrides stream fields."""
    stream = {
        "index": 0,
        "codec_type": "video",
        "codec_name": "h264",
        "width": 640,
        "height": 360,
        "avg_frame_rate": "25/1",
        "r_frame_rate": "25/1",
        "nb_frames": "50",
        "duration": "2.0",
    }
    stream.update(video)
    fmt = {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": stream.pop("fmt_duration", "2.0")}
    return {"format": fmt, "streams": [stream]}


@pytest.fixture
def fake_ffprobe():
    """The checks probe() applies to ffprobe's JSON, fed crafted JSON (a pure function)."""

    def run(limits: Limits | None = None, **video: Any) -> probe_module.MediaInfo:
        return probe_module.media_info(fake_probe_data(**video), 1_000_000, limits or Limits())

    return run


@pytest.mark.parametrize(
    ("fields", "phrase"),
    [
        ({"avg_frame_rate": "0/0", "r_frame_rate": "0/0"}, "frame rate is missing or zero"),
        ({"avg_frame_rate": "0/1", "r_frame_rate": "garbage"}, "frame rate is missing or zero"),
        ({"avg_frame_rate": "1000000/1"}, "frame rate is too high (1e+06 frames"),
        ({"avg_frame_rate": "0/0", "r_frame_rate": "90000/1"}, "frame rate is too high"),
        ({"avg_frame_rate": "1/3600"}, "frame rate is too low"),
        ({"avg_frame_rate": "1e400", "r_frame_rate": "0/0"}, "frame rate is missing or zero"),
        ({"nb_frames": "1"}, "single picture"),
        ({"duration": "inf", "fmt_duration": "nan"}, "no playable length"),
        ({"duration": "N/A", "fmt_duration": "0.1"}, "too short (0.10 seconds"),
        ({"duration": "36000", "fmt_duration": "2.0"}, "too long (10h 00m"),
        ({"width": 4320, "height": 7680}, "picture is too large (4320x7680"),
        ({"width": "N/A"}, "picture size is unknown"),
    ],
)
def test_crafted_header_values_are_refused(fake_ffprobe, fields: dict, phrase: str) -> None:
    with pytest.raises(InvalidMedia) as caught:
        fake_ffprobe(**fields)
    assert phrase in str(caught.value)


def test_frame_rate_fallbacks_and_ntsc(fake_ffprobe) -> None:
    assert fake_ffprobe(avg_frame_rate="0/0", r_frame_rate="30/1").fps == 30.0
    assert fake_ffprobe(avg_frame_rate="30000/1001").fps == pytest.approx(29.97, abs=0.01)
    assert fake_ffprobe(nb_frames="N/A").fps == 25.0  # Matroska has no frame count


def test_portrait_4k_fits_a_landscape_limit(fake_ffprobe) -> None:
    info = fake_ffprobe(width=3840, height=2160, side_data_list=[{"rotation": -90}])
    assert (info.width, info.height) == (2160, 3840)
    assert fake_ffprobe(width=2160, height=3840).height == 3840


def test_weird_rotation_and_index_values_do_not_crash(fake_ffprobe) -> None:
    info = fake_ffprobe(side_data_list=[{"rotation": "nan"}], tags={"rotate": "x"}, index="?")
    assert (info.width, info.height, info.video_stream_index) == (640, 360, 0)


def test_max_fps_limit_on_real_clip(media_dir: Path) -> None:
    with pytest.raises(InvalidMedia, match=r"frame rate is too high \(25 frames per second"):
        probe(media_dir / "valid.mp4", Limits(max_fps=24))


def test_single_frame_clip_is_not_a_lesson(tmp_path: Path) -> None:
    out = tmp_path / "one-frame.mp4"
    ffmpeg("-f", "lavfi", "-i", LAVFI_VIDEO, "-frames:v", "1", "-c:v", "libx264", str(out))
    with pytest.raises(InvalidMedia, match="single picture"):
        probe(out, Limits())


# --------------------------------------------------------------------------- the ffprobe process


@pytest.mark.timeout(30)
def test_hanging_ffprobe_is_killed_and_reported(
    tmp_path: Path, media_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "ffprobe"
    fake.write_text("#!/bin/sh\nexec sleep 60\n")
    fake.chmod(0o755)
    monkeypatch.setattr(probe_module, "FFPROBE", str(fake))
    monkeypatch.setattr(probe_module, "PROBE_TIMEOUT", 1.0)
    started = time.monotonic()
    with pytest.raises(InvalidMedia, match="took too long to analyse"):
        probe(media_dir / "valid.mp4", Limits())
    assert time.monotonic() - started < 10


def test_ffprobe_gets_no_stdin_and_a_timeout(
    media_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}
    real_run = subprocess.run

    def spy(argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        seen.update(kwargs)
        return real_run(argv, **kwargs)

    monkeypatch.setattr(probe_module.subprocess, "run", spy)
    probe(media_dir / "valid.mp4", Limits())
    assert seen["stdin"] is subprocess.DEVNULL
    assert seen["timeout"] == probe_module.PROBE_TIMEOUT


def test_missing_ffprobe_is_a_retryable_error_not_bad_input(
    media_dir: Path, bad_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(probe_module, "FFPROBE", "/nonexistent/ffprobe")
    with pytest.raises(TranscodeError, match="could not start ffprobe"):
        probe(media_dir / "valid.mp4", Limits())
    # Link lists are refused from their first bytes: ffprobe is never needed for them.
    with pytest.raises(InvalidMedia, match="playlist"):
        probe(bad_dir / "playlist.mp4", Limits())


def test_truncated_upload_is_refused(media_dir: Path, tmp_path: Path) -> None:
    data = (media_dir / "valid.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) * 3 // 4])
    with pytest.raises(InvalidMedia, match="incomplete"):
        probe(cut, Limits())
