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


# --- Lecture-like source (benchmarks) -------------------------------------------------

LECTURE_SLIDE_SECONDS = 25.0
LECTURE_BULLET_SECONDS = 4.0
_LECTURE_TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Why caches matter", ("Memory is slow", "Locality of reference", "Hit rate vs size")),
    ("Cache lines", ("64 bytes on most CPUs", "Spatial locality", "False sharing")),
    ("Write policies", ("Write through", "Write back", "Dirty bits and eviction")),
    ("Replacement", ("LRU and its cost", "Pseudo LRU trees", "Random is not that bad")),
    ("Associativity", ("Direct mapped", "Set associative", "Conflict misses")),
    ("Coherence", ("MESI states", "Snooping buses", "Directories at scale")),
    ("Prefetching", ("Stride detection", "Software hints", "When it hurts")),
    ("Measuring", ("Hardware counters", "perf stat and perf record", "Beware of noise")),
)


def lecture_argv(
    out_path: Path,
    seconds: float,
    width: int = 1920,
    height: int = 1080,
    fps: int = 30,
    slide_seconds: float = LECTURE_SLIDE_SECONDS,
) -> list[str]:
    """ffmpeg argv writing a lecture-like H.264/AAC MP4 screen recording to ``out_path``.

    Mostly still, light slides with dark text (a title bar plus bullets revealed one
    by one, a new slide every ``slide_seconds``), a small moving picture-in-picture in
    the bottom-right corner standing in for the speaker's camera, and quiet speech-like
    audio (voiced syllable bursts with pauses over faint noise, about -30 LUFS). Text
    is drawn only when a DejaVu font is installed.
    """
    slides = max(1, int(-(-seconds // slide_seconds)))
    graph = [
        f"color=c=0xFBFBF8:s={width}x{height}:r={fps}:d={seconds:.3f}[bg]",
        f"testsrc2=s={even_scaled_size(width, 6)}x{even_scaled_size(height, 6)}:r={fps}"
        f":d={seconds:.3f}[cam]",
        f"[bg]{_slide_filters(width, height, slides, slide_seconds)}[slides]",
        f"[slides][cam]overlay=x=W-w-{width // 40}:y=H-h-{height // 22}:shortest=1,"
        "format=yuv420p[v]",
        f"aevalsrc='{_speech_expr()}':s=48000:c=mono:d={seconds:.3f},"
        "aformat=channel_layouts=stereo[a]",
    ]
    return [
        "ffmpeg",
        *_GLOBAL_ARGS,
        "-filter_complex",
        ";".join(graph),
        "-map",
        "[v]",
        "-map",
        "[a]",
        # A typical screen recorder's output: high quality, keyframe every ~2 s.
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "18",
        "-g",
        str(2 * fps),
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        "-movflags",
        "+faststart",
        "-t",
        f"{seconds:.3f}",
        "-f",
        "mp4",
        "-y",
        str(Path(out_path).resolve()),
    ]


def generate_lecture(out_path: Path, seconds: float, **kw: int | float) -> Path:
    """Write a lecture-like recording (see :func:`lecture_argv`); return its path."""
    out_path = Path(out_path)
    run_ffmpeg(
        lecture_argv(out_path, seconds, **kw),  # type: ignore[arg-type]
        duration=seconds,
        on_progress=None,
        timeout=max(120.0, 10 * seconds),
    )
    return out_path


def even_scaled_size(size: int, divisor: int) -> int:
    """``size / divisor`` rounded down to an even number (at least 2)."""
    return max(2, size // divisor // 2 * 2)


def _slide_filters(width: int, height: int, slides: int, slide_seconds: float) -> str:
    """Comma-joined drawbox/drawtext chain painting ``slides`` timed slides."""
    bar = height // 7
    parts = [f"drawbox=x=0:y=0:w=iw:h={bar}:color=0x1F3A5F:t=fill"]
    font = _font_file()
    if font is None:
        return ",".join(parts)
    title_size, bullet_size = max(8, height // 16), max(6, height // 24)
    for slide in range(slides):
        start, end = slide * slide_seconds, (slide + 1) * slide_seconds
        topic, bullets = _LECTURE_TOPICS[slide % len(_LECTURE_TOPICS)]
        texts = [
            (f"{slide + 1}. {topic}", "white", title_size, width // 20, (bar - title_size) // 2, 0)
        ]
        for line, bullet in enumerate(bullets):
            y = bar + height // 10 + line * bullet_size * 2
            texts.append((f"- {bullet}", "0x202020", bullet_size, width // 12, y, 1 + line))
        texts.append(
            (
                f"Lecture 3 - page {slide + 1}",
                "0x707070",
                max(6, height // 45),
                width // 20,
                height - height // 14,
                0,
            )
        )
        for text, color, size, x, y, reveal in texts:
            shown = start + min(reveal * LECTURE_BULLET_SECONDS, slide_seconds / 2)
            parts.append(
                f"drawtext=fontfile={font}:text='{text}':fontcolor={color}:fontsize={size}"
                f":x={x}:y={y}:enable='between(t,{shown:.2f},{end:.2f})'"
            )
    return ",".join(parts)


def _speech_expr() -> str:
    """aevalsrc expression: ~4 syllables/s of a gliding voiced tone, phrase pauses."""
    pitch = "(130+25*sin(2*PI*0.7*t))"
    voice = (
        f"(sin(2*PI*{pitch}*t)+0.5*sin(4*PI*{pitch}*t)+0.3*sin(6*PI*{pitch}*t)"
        f"+0.15*sin(10*PI*{pitch}*t))"
    )
    syllables = "pow(max(sin(2*PI*4.1*t),0),2)"
    phrases = "gt(sin(2*PI*0.23*t)+sin(2*PI*0.61*t)+0.6,0)"
    noise = "0.008*(random(0)-0.5)"
    return f"0.085*{voice}*{syllables}*{phrases}+{noise}"
