"""Synthetic test recordings (lavfi sources) for tests and the demo-content seeder."""

from __future__ import annotations

import re
from pathlib import Path

import ffmpeg

from transcoder.run import run_ffmpeg

FONT_CANDIDATES: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
)
_GLOBAL_ARGS = ("-hide_banner", "-nostdin", "-nostats", "-v", "error", "-progress", "pipe:1")
# drawtext escaping through ffmpeg-python and the filter-graph parser is fragile, so
# characters that would need escaping are swapped for look-alikes or dropped.
_TITLE_LOOKALIKES = str.maketrans({"'": "\u2019", ":": " -", ",": " "})
_TITLE_UNSAFE = re.compile(r"[\\;\[\]=%{}\"\x00-\x1f]")


def synth_argv(
    out_path: Path,
    seconds: float = 4.0,
    width: int = 640,
    height: int = 360,
    fps: int = 25,
    audio: bool = True,
    pattern: str = "testsrc2",
    tone_hz: int = 440,
    title: str | None = None,
) -> list[str]:
    """ffmpeg argv writing an H.264(+AAC) MP4 test recording to ``out_path``.

    ``pattern`` is a lavfi video source that accepts ``size`` and ``rate`` (testsrc2,
    testsrc, smptebars, rgbtestsrc, ...). ``title`` is burnt in with drawtext when a
    TrueType font file is installed, and silently skipped otherwise.
    """
    video = ffmpeg.input(f"{pattern}=size={width}x{height}:rate={fps}", f="lavfi")
    font = _font_file()
    if title and font is not None:
        video = _draw_title(video, title, font, width, height)
    streams = [video]
    options: dict[str, object] = {
        "c:v": "libx264",
        "preset": "veryfast",
        "pix_fmt": "yuv420p",
        "movflags": "+faststart",
        "t": f"{seconds:.3f}",
    }
    if audio:
        streams.append(ffmpeg.input(f"sine=frequency={tone_hz}:sample_rate=48000", f="lavfi"))
        options.update({"c:a": "aac", "b:a": "96k", "ac": 2})
    output = ffmpeg.output(*streams, str(Path(out_path).resolve()), f="mp4", **options)
    return output.global_args(*_GLOBAL_ARGS).overwrite_output().compile(cmd="ffmpeg")


def generate(out_path: Path, **kw: object) -> Path:
    """Write a synthetic recording (see :func:`synth_argv` for ``kw``); return its path."""
    out_path = Path(out_path)
    seconds = float(kw.get("seconds", 4.0))  # type: ignore[arg-type]
    argv = synth_argv(out_path, **kw)  # type: ignore[arg-type]
    run_ffmpeg(argv, duration=seconds, on_progress=None, timeout=max(60.0, 10 * seconds))
    return out_path


def _font_file() -> Path | None:
    return next((font for font in FONT_CANDIDATES if font.is_file()), None)


def _draw_title(
    video: ffmpeg.nodes.FilterableStream, title: str, font: Path, width: int, height: int
) -> ffmpeg.nodes.FilterableStream:
    text = _TITLE_UNSAFE.sub("", title.translate(_TITLE_LOOKALIKES)).strip()[:60]
    if not text:
        return video
    return video.filter(
        "drawtext",
        fontfile=str(font),
        text=text,
        expansion="none",
        # Big enough to read, small enough that a long title fits the frame's width.
        fontsize=max(12, min(height // 12, int(width / (0.62 * max(len(text), 1))))),
        fontcolor="white",
        box=1,
        boxcolor="black@0.6",
        boxborderw=8,
        x="(w-text_w)/2",
        y="h-text_h-h/10",
    )
