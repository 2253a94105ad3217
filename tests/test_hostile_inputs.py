"""Hostile and awkward uploads, end to end through ``transcode()``.

Every input is generated here (lavfi sources or raw bytes). Each one must end in one
of three ways: a correct HLS ladder, :class:`InvalidMedia` with a message an
instructor can act on, or :class:`TranscodeError` with readable text. Nothing may
hang, no other exception type may escape, no byte of a local "secret" file may reach
the output, and no network request may ever be made.
"""

from __future__ import annotations

import http.server
import json
import secrets
import struct
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import transcoder.pipeline as pipeline
from transcoder.errors import InvalidMedia, TranscodeError
from transcoder.hls import VariantInfo, audio_playlist_uri, parse_master, parse_media_segments
from transcoder.limits import Limits
from transcoder.pipeline import TranscodeResult, transcode
from transcoder.probe import MediaInfo, probe

pytestmark = pytest.mark.timeout(180)

SECRET_MARKER = f"LEARNSTREAM-SECRET-{secrets.token_hex(16)}"
ATTACHMENT_MARKER = f"LEARNSTREAM-ATTACHMENT-{secrets.token_hex(16)}"
H264 = ("-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p")
AAC = ("-c:a", "aac", "-b:a", "64k")
TONE = "sine=frequency=440:sample_rate=48000"
LEAK_WORDS = ("ffprobe", "ffmpeg", "Traceback", "Errno")
PROXY_VARIABLES = (
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
)
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# --------------------------------------------------------------------------- helpers


def ffmpeg(*args: str) -> None:
    """Run a test-only ffmpeg command that builds an input."""
    subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-y", *args],
        stdin=subprocess.DEVNULL,
        check=True,
        timeout=60,
    )


def lavfi_clip(
    out: Path,
    *,
    size: str = "320x180",
    rate: int = 25,
    seconds: float = 2.0,
    audio: bool = True,
    extra: tuple[str, ...] = (),
) -> Path:
    """An H.264 (+AAC) test pattern clip; ``extra`` goes right before the output."""
    args = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}"]
    if audio:
        args += ["-f", "lavfi", "-i", TONE, *AAC]
    ffmpeg(*args, "-t", f"{seconds}", *H264, *extra, str(out))
    return out


def mp4_boxes(data: bytes) -> list[tuple[bytes, bytes]]:
    """Top-level ISO-BMFF boxes of ``data`` as (type, raw bytes) pairs (32-bit sizes)."""
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        boxes.append((kind, data[offset : offset + size]))
        offset += size
    return boxes


def ffprobe_json(path: Path, *args: str) -> dict[str, Any]:
    """ffprobe of our own output (trusted), as parsed JSON."""
    proc = subprocess.run(
        ["ffprobe", "-v", "error", *args, "-of", "json", str(path)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(proc.stdout)


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def assert_no_secret(out_dir: Path) -> None:
    """No byte sequence of the secret (or of a mapped-out attachment) in any output."""
    for path in files_under(out_dir):
        data = path.read_bytes()
        for marker in (SECRET_MARKER, ATTACHMENT_MARKER):
            assert marker.encode() not in data, f"{marker} leaked into {path}"


# --------------------------------------------------------------------------- HTTP trap


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """ffmpeg honours http_proxy: a stray request must hit the trap, not a proxy."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@dataclass
class HttpTrap:
    """A local HTTP server that records every connection made to it."""

    port: int
    hits: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Base URL of the trap."""
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def http_trap() -> Iterator[HttpTrap]:
    trap = HttpTrap(port=0)

    class Recorder(http.server.BaseHTTPRequestHandler):
        def handle(self) -> None:
            trap.hits.append(f"connection from {self.client_address}")
            super().handle()

        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            trap.hits.append(f"GET {self.path}")
            self.send_error(404)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    trap.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # Prove the trap records before trusting an empty record later.
    with pytest.raises(urllib.error.HTTPError) as refused:
        DIRECT.open(f"{trap.url}/self-test", timeout=5)
    refused.value.close()
    assert "GET /self-test" in trap.hits
    trap.hits.clear()
    yield trap
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


# --------------------------------------------------------------------------- corpus


@dataclass(frozen=True)
class Env:
    """Where to build inputs, the secret that must never leak, and the HTTP trap."""

    root: Path
    secret: Path
    trap: HttpTrap


def build_hls_local(env: Env, out: Path) -> None:
    out.write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
        f"#EXTINF:2.0,\nfile://{env.secret}\n#EXTINF:2.0,\n{env.secret}\n#EXT-X-ENDLIST\n"
    )


def build_hls_http(env: Env, out: Path) -> None:
    out.write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
        f"#EXTINF:2.0,\n{env.trap.url}/segment0.ts\n#EXT-X-ENDLIST\n"
    )


def build_ffconcat(env: Env, out: Path) -> None:
    out.write_text(f"ffconcat version 1.0\nfile '{env.secret}'\n")


def build_concat(env: Env, out: Path) -> None:
    out.write_text(f"file '{env.secret}'\nfile '{env.trap.url}/part2.mp4'\n")


def build_truncated_half(env: Env, out: Path) -> None:
    data = lavfi_clip(env.root / "full-faststart.mp4", extra=("-movflags", "+faststart"))
    out.write_bytes(data.read_bytes()[: data.stat().st_size // 2])


def build_truncated_half_moov_last(env: Env, out: Path) -> None:
    data = lavfi_clip(env.root / "full-moov-last.mp4").read_bytes()
    out.write_bytes(data[: len(data) // 2])


def build_truncated_2k(env: Env, out: Path) -> None:
    data = lavfi_clip(env.root / "full-2k.mp4", extra=("-movflags", "+faststart")).read_bytes()
    out.write_bytes(data[:2048])


def build_moov_missing(env: Env, out: Path) -> None:
    data = lavfi_clip(env.root / "full-no-moov.mp4").read_bytes()
    out.write_bytes(b"".join(raw for kind, raw in mp4_boxes(data) if kind != b"moov"))


def build_mdat_only(env: Env, out: Path) -> None:
    data = lavfi_clip(env.root / "full-mdat-only.mp4").read_bytes()
    out.write_bytes(b"".join(raw for kind, raw in mp4_boxes(data) if kind == b"mdat"))


def build_huge_header(env: Env, out: Path) -> None:
    ffmpeg(
        *("-f", "lavfi", "-i", "color=c=navy:size=7680x4320:rate=25", "-frames:v", "1"),
        *H264,
        *("-crf", "51", str(out)),
    )


def build_audio_only(env: Env, out: Path) -> None:
    ffmpeg("-f", "lavfi", "-i", TONE, "-t", "2", *AAC, str(out))


def build_png(env: Env, out: Path) -> None:
    image = env.root / "frame.png"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x180", "-frames:v", "1", str(image))
    image.rename(out)


def build_jpeg(env: Env, out: Path) -> None:
    image = env.root / "frame.jpg"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x180", "-frames:v", "1", str(image))
    image.rename(out)


def build_single_frame_mov(env: Env, out: Path) -> None:
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x180", "-frames:v", "1", "-c:v", "mjpeg", str(out)
    )


def build_text(env: Env, out: Path) -> None:
    out.write_text("Week 3 lecture notes\n\n- recap of week 2\n- exercises\n" * 30)


def build_empty(env: Env, out: Path) -> None:
    out.write_bytes(b"")


def build_random_bytes(env: Env, out: Path) -> None:
    out.write_bytes(b"\x00\x01binary" + secrets.token_bytes(8192))


def build_truncated_mkv(env: Env, out: Path) -> None:
    data = lavfi_clip(env.root / "full.mkv").read_bytes()
    out.write_bytes(data[: len(data) // 2])


def build_fps_240(env: Env, out: Path) -> None:
    lavfi_clip(out, size="160x90", rate=240, seconds=1.0, audio=False)


def build_valid(env: Env, out: Path) -> None:
    lavfi_clip(out, size="640x360", extra=("-movflags", "+faststart"))


def build_fps_60(env: Env, out: Path) -> None:
    lavfi_clip(out, rate=60)


def build_no_audio(env: Env, out: Path) -> None:
    lavfi_clip(out, audio=False)


def build_portrait(env: Env, out: Path) -> None:
    # ffmpeg 5.1 has no -display_rotation; the mov muxer turns the legacy "rotate"
    # tag into a display matrix, but only when remuxing (an encode drops it).
    source = lavfi_clip(env.root / "landscape.mp4")
    ffmpeg("-i", str(source), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(out))


def build_odd_dims(env: Env, out: Path) -> None:
    # testsrc (unlike testsrc2) keeps odd sizes; 4:4:4 H.264 can encode them.
    ffmpeg(
        *("-f", "lavfi", "-i", "testsrc=size=853x479:rate=25", "-f", "lavfi", "-i", TONE),
        *("-t", "1", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv444p"),
        *(*AAC, str(out)),
    )


def build_vfr(env: Env, out: Path) -> None:
    ffmpeg(
        *("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:d=1"),
        *("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:d=1"),
        *("-filter_complex", "[0:v][1:v]concat=n=2:v=1[v]", "-map", "[v]"),
        *("-fps_mode", "vfr", *H264, str(out)),
    )


def build_mono(env: Env, out: Path) -> None:
    lavfi_clip(out, extra=("-ac", "1"))


def build_mkv_extras(env: Env, out: Path) -> None:
    """Subtitles first, two audio tracks around the video, cover art, a text attachment."""
    subs = env.root / "subs.srt"
    subs.write_text("1\n00:00:00,000 --> 00:00:01,500\nSUBTITLE-TEXT\n")
    note = env.root / "notes.txt"
    note.write_text(ATTACHMENT_MARKER)
    cover = env.root / "cover.png"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x90", "-frames:v", "1", str(cover))
    ffmpeg(
        *("-i", str(subs), "-f", "lavfi", "-i", TONE),
        *("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25"),
        *("-f", "lavfi", "-i", "sine=frequency=900:sample_rate=44100"),
        *("-map", "0", "-map", "1", "-map", "2", "-map", "3", "-t", "2"),
        *("-c:s", "srt", *H264, *AAC),
        *("-attach", str(cover), "-metadata:s:t:0", "mimetype=image/png"),
        *("-attach", str(note), "-metadata:s:t:1", "mimetype=text/plain", str(out)),
    )


@dataclass(frozen=True)
class Accept:
    """The upload must transcode; values describe the source as displayed."""

    width: int
    height: int
    audio: bool
    fps: float | None = None
    seconds: float = 2.0


@dataclass(frozen=True)
class Case:
    """One hostile or awkward upload and how it must end."""

    name: str
    build: Callable[[Env, Path], None]
    expect: Accept | str  # a phrase the InvalidMedia message must contain
    suffix: str = ".mp4"


CASES: tuple[Case, ...] = (
    Case("hls-local-secret", build_hls_local, "playlist"),
    Case("hls-http-localhost", build_hls_http, "playlist"),
    Case("ffconcat-secret", build_ffconcat, "list of file names"),
    Case("concat-secret", build_concat, "list of file names"),
    Case("truncated-half", build_truncated_half, "incomplete"),
    Case("truncated-half-moov-last", build_truncated_half_moov_last, "incomplete"),
    Case("truncated-2k", build_truncated_2k, "incomplete"),
    Case("moov-missing", build_moov_missing, "index is missing"),
    Case("mdat-only", build_mdat_only, "index is missing"),
    Case("huge-7680x4320", build_huge_header, "picture is too large (7680x4320"),
    Case("audio-only", build_audio_only, "only audio"),
    Case("png-renamed", build_png, "still image"),
    Case("jpeg-renamed", build_jpeg, "still image"),
    Case("mjpeg-single-frame", build_single_frame_mov, "single picture", ".mov"),
    Case("text", build_text, "text document"),
    Case("empty", build_empty, "empty"),
    Case("random-bytes", build_random_bytes, "unrecognised or unsupported"),
    Case("truncated-mkv", build_truncated_mkv, "incomplete", ".mkv"),
    Case("fps-240", build_fps_240, "frame rate is too high"),
    Case("valid-25fps", build_valid, Accept(640, 360, audio=True, fps=25.0)),
    Case("fps-60", build_fps_60, Accept(320, 180, audio=True, fps=60.0)),
    Case("no-audio", build_no_audio, Accept(320, 180, audio=False)),
    Case("portrait-rotate-90", build_portrait, Accept(180, 320, audio=True)),
    Case("odd-853x479", build_odd_dims, Accept(853, 479, audio=True, seconds=1.0)),
    Case("vfr-25-then-30", build_vfr, Accept(320, 180, audio=False)),
    Case("mono-audio", build_mono, Accept(320, 180, audio=True)),
    Case("mkv-subs-attachments", build_mkv_extras, Accept(320, 180, audio=True), ".mkv"),
)
BY_NAME = {case.name: case for case in CASES}
LIST_FILES = ("hls-local-secret", "hls-http-localhost", "ffconcat-secret", "concat-secret")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, http_trap: HttpTrap) -> dict[str, Path]:
    """Every input, built once per module (a few seconds in all)."""
    root = tmp_path_factory.mktemp("hostile")
    secret = root / "secret.txt"
    secret.write_text(f"{SECRET_MARKER}\npassword={SECRET_MARKER}\n")
    env = Env(root=root, secret=secret, trap=http_trap)
    uploads = root / "uploads"
    uploads.mkdir()
    paths = {}
    for case in CASES:
        path = uploads / f"{case.name}{case.suffix}"
        case.build(env, path)
        paths[case.name] = path
    return paths


# --------------------------------------------------------------------------- outcome checks


def attempt(source: Path, out_dir: Path) -> TranscodeResult | InvalidMedia | TranscodeError:
    """transcode(); the two expected exception types are returned, any other escapes."""
    try:
        return transcode(source, out_dir, Limits(), segment_seconds=2)
    except (InvalidMedia, TranscodeError) as exc:
        return exc


def assert_clear_rejection(exc: InvalidMedia, phrase: str, root: Path) -> None:
    text = str(exc)
    assert phrase in text
    assert text[0].isupper()
    for leak in (*LEAK_WORDS, str(root)):
        assert leak not in text


def media_streams(path: Path) -> list[dict[str, Any]]:
    return ffprobe_json(path, "-show_streams")["streams"]


def assert_variant_decodes(playlist: Path) -> None:
    proc = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(playlist), "-f", "null", "-"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


def check_video_variant(variant: VariantInfo, out_dir: Path, expect: Accept) -> None:
    playlist = out_dir / variant.uri
    segments = parse_media_segments(playlist.read_text())
    assert segments
    streams = media_streams(playlist.parent / segments[0].uri)
    video = [s for s in streams if s["codec_type"] == "video"]
    audio = [s for s in streams if s["codec_type"] == "audio"]
    # Video only (no subtitles/data): the audio is the shared rendition's.
    assert len(video) == 1 and audio == []
    assert {s["codec_type"] for s in streams} == {"video"}
    width, height = video[0]["width"], video[0]["height"]
    assert width % 2 == 0 and height % 2 == 0
    assert width <= expect.width and height <= expect.height  # never upscaled
    assert (width >= height) == (expect.width >= expect.height)  # orientation kept
    if expect.fps is not None:
        fps = float(Fraction(video[0]["avg_frame_rate"]))
        assert fps == pytest.approx(expect.fps, rel=0.02)
    total = sum(segment.duration for segment in segments)
    assert total == pytest.approx(expect.seconds, abs=0.35)
    assert_variant_decodes(playlist)


def check_accepted(result: TranscodeResult, out_dir: Path, expect: Accept) -> None:
    master = (out_dir / result.master).read_text()
    video_variants = parse_master(master)
    assert video_variants and all(v.width for v in video_variants)
    for variant in video_variants:
        check_video_variant(variant, out_dir, expect)
    audio = audio_playlist_uri(master)
    assert (audio is not None) == expect.audio
    if audio is not None:
        playlist = out_dir / audio
        segments = parse_media_segments(playlist.read_text())
        streams = media_streams(playlist.parent / segments[0].uri)
        assert [s["codec_type"] for s in streams] == ["audio"]
        assert sum(s.duration for s in segments) == pytest.approx(expect.seconds, abs=0.35)
        assert_variant_decodes(playlist)
    poster = out_dir / result.poster
    assert poster.is_file() and poster.stat().st_size > 0


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_upload_ends_cleanly(
    case: Case, corpus: dict[str, Path], http_trap: HttpTrap, tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"
    outcome = attempt(corpus[case.name], out_dir)
    if isinstance(case.expect, Accept):
        assert isinstance(outcome, TranscodeResult), f"{case.name} was refused: {outcome}"
        check_accepted(outcome, out_dir, case.expect)
    else:
        assert isinstance(outcome, InvalidMedia), f"{case.name}: {outcome!r}"
        assert_clear_rejection(outcome, case.expect, corpus[case.name].parent.parent)
        assert files_under(out_dir) == []
    assert_no_secret(out_dir)
    assert http_trap.hits == []


def test_portrait_source_really_carries_rotation(corpus: dict[str, Path]) -> None:
    """Guard for the portrait case: the remux must have produced a display matrix."""
    video = media_streams(corpus["portrait-rotate-90"])[0]
    rotations = [sd.get("rotation") for sd in video.get("side_data_list", [])]
    assert (video["width"], video["height"]) == (320, 180)
    assert rotations and abs(int(rotations[0])) == 90


def test_mkv_extras_use_only_first_video_and_audio(corpus: dict[str, Path]) -> None:
    info = probe(corpus["mkv-subs-attachments"], Limits())
    kinds = [s["codec_type"] for s in media_streams(corpus["mkv-subs-attachments"])]
    assert kinds[info.video_stream_index] == "video"
    assert info.audio_stream_index == kinds.index("audio")
    assert kinds.count("audio") == 2 and "subtitle" in kinds and "attachment" in kinds


@pytest.mark.parametrize("forced", ["mov", "matroska"])
@pytest.mark.parametrize("name", LIST_FILES)
def test_forced_demuxer_holds_even_if_probe_is_bypassed(
    name: str,
    forced: str,
    corpus: dict[str, Path],
    http_trap: HttpTrap,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Second line of defence: ffmpeg's own forced demuxer refuses link lists."""
    source = corpus[name]
    forged = MediaInfo(
        format_name=forced,
        duration=2.0,
        width=320,
        height=180,
        fps=25.0,
        video_codec="h264",
        has_audio=True,
        audio_codec="aac",
        bit_rate=None,
        size_bytes=source.stat().st_size,
        video_stream_index=0,
        audio_stream_index=1,
    )
    monkeypatch.setattr(pipeline, "probe", lambda *args, **kwargs: forged)
    out_dir = tmp_path / "out"
    with pytest.raises(TranscodeError) as caught:
        transcode(source, out_dir, Limits(), segment_seconds=2)
    assert "ffmpeg failed" in caught.value.message
    assert files_under(out_dir) == []
    assert_no_secret(out_dir)
    assert http_trap.hits == []
