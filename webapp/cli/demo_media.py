"""Lecture-like demo videos: slides with real text, a moving camera inset and speech.

The plan is pure (:func:`timeline`, :func:`captions_vtt`, :func:`chapters`,
:func:`speech_argv`, :func:`render_argv`); :func:`build_lecture` runs espeak-ng once per
sentence (so every caption cue starts and ends with its own speech), lays the sentences
on one WAV track, and has ffmpeg draw the slides over it. Results are cached by content
hash, so seeding again is fast.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
import textwrap
import wave
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from transcoder.run import run_ffmpeg

# Bump when the look or the timing rules change: cached lectures are rebuilt.
BUILDER_VERSION = 1
WIDTH, HEIGHT, FPS = 640, 360, 15  # small and still readable: the transcode stays cheap
WORDS_PER_MINUTE = 160  # espeak-ng's default pace, easy to follow
VOICE = "en-us"
SENTENCE_GAP = 0.35  # silence after each sentence, seconds
SLIDE_GAP = 0.6  # extra silence before the next slide
WRAP = 46  # characters per bullet line at 18 px on 640 px minus the camera inset
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # fonts-dejavu-core
FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
SAMPLE_RATE = 22050  # espeak-ng's output rate
_FFMPEG_GLOBAL = ("-hide_banner", "-nostdin", "-nostats", "-v", "error", "-progress", "pipe:1")


@dataclass(frozen=True)
class Slide:
    """A slide: its title (also its chapter) and 1-4 bullets, each spoken as a sentence."""

    title: str
    bullets: tuple[str, ...]

    def sentences(self) -> tuple[str, ...]:
        """What is said on this slide, in order: the title, then each bullet."""
        return (_sentence(self.title), *(_sentence(b) for b in self.bullets))


@dataclass(frozen=True)
class Lecture:
    """A demo lecture: a title and its slides."""

    title: str
    slides: tuple[Slide, ...]


@dataclass(frozen=True)
class Cue:
    """One spoken sentence and when it is said (seconds)."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class SlideSpan:
    """When a slide is on screen (seconds)."""

    title: str
    start: float
    end: float


@dataclass(frozen=True)
class Timeline:
    """Where every sentence and slide sits in the lecture."""

    cues: tuple[Cue, ...]
    slides: tuple[SlideSpan, ...]

    @property
    def duration(self) -> float:
        """The lecture's length: the end of its last slide."""
        return self.slides[-1].end if self.slides else 0.0


@dataclass(frozen=True)
class BuiltLecture:
    """A rendered lecture: the MP4, its WebVTT captions and its chapters."""

    video: Path
    vtt: str
    chapters: tuple[tuple[str, float], ...]
    duration: float


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text[-1:] in ".?!" else text + "."


# --------------------------------------------------------------------------- pure plan


def timeline(lecture: Lecture, seconds: Sequence[Sequence[float]]) -> Timeline:
    """Lay out ``lecture`` given the spoken length of each slide's sentences
    (``seconds[i][j]`` for sentence j of slide i): sentences follow one another with
    ``SENTENCE_GAP`` between them, and a slide lasts until its last sentence ends plus
    ``SLIDE_GAP``."""
    if len(seconds) != len(lecture.slides):
        raise ValueError("one list of sentence lengths per slide is needed")
    cues: list[Cue] = []
    spans: list[SlideSpan] = []
    at = 0.0
    for slide, lengths in zip(lecture.slides, seconds, strict=True):
        sentences = slide.sentences()
        if len(lengths) != len(sentences):
            raise ValueError(f"slide {slide.title!r} has {len(sentences)} sentences")
        start = at
        for text, length in zip(sentences, lengths, strict=True):
            cues.append(Cue(round(at, 3), round(at + length, 3), text))
            at += length + SENTENCE_GAP
        at += SLIDE_GAP
        spans.append(SlideSpan(slide.title, round(start, 3), round(at, 3)))
    return Timeline(tuple(cues), tuple(spans))


def _stamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def captions_vtt(plan: Timeline) -> str:
    """The spoken sentences as a WebVTT track, a cue each."""
    blocks = ["WEBVTT"]
    blocks += [f"{_stamp(c.start)} --> {_stamp(c.end)}\n{c.text}" for c in plan.cues]
    return "\n\n".join(blocks) + "\n"


def chapters(plan: Timeline) -> tuple[tuple[str, float], ...]:
    """A chapter per slide: its title at the moment it appears."""
    return tuple((s.title, s.start) for s in plan.slides)


def speech_argv(text_file: Path, out_wav: Path) -> list[str]:
    """espeak-ng reading ``text_file`` (a file, so no text is ever taken for an option)
    into a WAV file."""
    return [
        "espeak-ng",
        "-v",
        VOICE,
        "-s",
        str(WORDS_PER_MINUTE),
        "-w",
        str(out_wav),
        "-f",
        str(text_file),
    ]


def bullet_text(slide: Slide) -> str:
    """The slide's bullets as drawn: a dot before each, wrapped to ``WRAP`` characters."""
    lines: list[str] = []
    for bullet in slide.bullets:
        wrapped = textwrap.wrap(bullet, WRAP) or [""]
        lines.append("\u2022 " + wrapped[0])
        lines += ["   " + rest for rest in wrapped[1:]]
    return "\n".join(lines)


def _quoted(path: Path) -> str:
    # Filter arguments in single quotes: the temporary paths we make contain no quote.
    return "'" + str(path).replace("'", "") + "'"


def _camera() -> str:
    # A presenter in front of a wall: the head nods a little, as when talking.
    return (
        "drawbox=x=0:y=0:w=iw:h=ih:color=0x8fb3c9:t=fill,"
        "drawbox=x=30:y=56:w=68:h=40:color=0x1d3557:t=fill,"
        "drawbox=x=48:y='16+2*sin(t*5)':w=32:h=36:color=0xe0ac69:t=fill,"
        "drawbox=x=0:y=0:w=iw:h=ih:color=white:t=2"
    )


def render_argv(
    lecture: Lecture,
    plan: Timeline,
    text_files: Sequence[tuple[Path, Path]],
    speech_wav: Path,
    out_path: Path,
) -> list[str]:
    """ffmpeg drawing ``lecture``'s slides (title and bullets from ``text_files``, a
    ``(title file, bullets file)`` pair per slide, each shown during its span of
    ``plan``) with a camera inset drifting in the corner, over ``speech_wav``."""
    seconds = f"{plan.duration:.3f}"
    draws = [
        "drawbox=x=0:y=0:w=iw:h=64:color=0x1d3557:t=fill",
        f"drawtext=fontfile={_quoted(FONT)}:textfile={_quoted(_footer(text_files))}"
        ":expansion=none:fontsize=12:fontcolor=0x555555:x=24:y=h-24",
    ]
    for span, (title_file, bullets_file) in zip(plan.slides, text_files, strict=True):
        when = f"enable='between(t,{span.start:.3f},{span.end:.3f})'"
        draws.append(
            f"drawtext=fontfile={_quoted(FONT_BOLD)}:textfile={_quoted(title_file)}"
            f":expansion=none:fontsize=24:fontcolor=white:x=24:y=20:{when}"
        )
        draws.append(
            f"drawtext=fontfile={_quoted(FONT)}:textfile={_quoted(bullets_file)}"
            f":expansion=none:fontsize=18:line_spacing=10:fontcolor=0x1d3557:x=32:y=96:{when}"
        )
    graph = (
        f"[0:v]{','.join(draws)}[slides];[1:v]{_camera()}[cam];"
        "[slides][cam]overlay=x='W-w-20+8*sin(t/3)':y='H-h-36+5*sin(t/2)',format=yuv420p[v]"
    )
    return [
        "ffmpeg",
        *_FFMPEG_GLOBAL,
        "-f", "lavfi", "-i", f"color=c=0xf4f1ea:s={WIDTH}x{HEIGHT}:r={FPS}:d={seconds}",
        "-f", "lavfi", "-i", f"color=c=0x8fb3c9:s=128x96:r={FPS}:d={seconds}",
        "-i", str(speech_wav),
        "-filter_complex", graph,
        "-map", "[v]", "-map", "2:a",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-g", str(FPS * 2),
        "-c:a", "aac", "-b:a", "64k", "-ar", "48000", "-ac", "1",
        "-t", seconds, "-movflags", "+faststart",
        "-y", str(out_path),
    ]  # fmt: skip


def _footer(text_files: Sequence[tuple[Path, Path]]) -> Path:
    return text_files[0][0].parent / "footer.txt"


def cache_key(lecture: Lecture) -> str:
    """A digest of everything that shapes the rendered lecture."""
    spec = {"v": BUILDER_VERSION, "size": [WIDTH, HEIGHT, FPS], "lecture": asdict(lecture)}
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:24]


# --------------------------------------------------------------------------- effects


def wav_seconds(path: Path) -> float:
    """The length of a WAV file."""
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def _speak(text: str, folder: Path, name: str) -> Path:
    text_file, out = folder / f"{name}.txt", folder / f"{name}.wav"
    text_file.write_text(text, encoding="utf-8")
    subprocess.run(speech_argv(text_file, out), check=True, capture_output=True, timeout=60)
    return out


def lay_speech(parts: Sequence[tuple[Path, float]], total: float, out: Path) -> Path:
    """One mono WAV of ``total`` seconds with each ``(wav, start)`` placed at its start."""
    frames = bytearray(round(total * SAMPLE_RATE) * 2)
    for path, start in parts:
        with wave.open(str(path), "rb") as wav:
            if (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) != (SAMPLE_RATE, 1, 2):
                raise ValueError(f"{path.name}: not 16-bit mono {SAMPLE_RATE} Hz speech")
            data = wav.readframes(wav.getnframes())
        at = round(start * SAMPLE_RATE) * 2
        data = data[: len(frames) - at]
        frames[at : at + len(data)] = data
    with wave.open(str(out), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(bytes(frames))
    return out


def build_lecture(lecture: Lecture, cache_dir: Path) -> BuiltLecture:
    """The lecture's MP4, captions and chapters, from ``cache_dir`` when built before."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    key = cache_key(lecture)
    video, meta = cache_dir / f"{key}.mp4", cache_dir / f"{key}.json"
    if video.is_file() and meta.is_file():
        saved = json.loads(meta.read_text())
        chapter_list = tuple((str(t), float(s)) for t, s in saved["chapters"])
        return BuiltLecture(video, saved["vtt"], chapter_list, float(saved["duration"]))
    with tempfile.TemporaryDirectory(prefix="demo-lecture-") as tmp:
        folder = Path(tmp)
        plan, wavs = _voice(lecture, folder)
        speech = lay_speech(
            [(w, c.start) for w, c in zip(wavs, plan.cues, strict=True)],
            plan.duration,
            folder / "speech.wav",
        )
        text_files = _slide_files(lecture, folder)
        # Rendered beside its final name, then renamed: a killed seed leaves no half file.
        partial = cache_dir / f"{key}.partial.mp4"
        argv = render_argv(lecture, plan, text_files, speech, partial)
        run_ffmpeg(argv, duration=plan.duration, on_progress=None, timeout=120 + plan.duration)
        partial.replace(video)
    built = BuiltLecture(video, captions_vtt(plan), chapters(plan), plan.duration)
    meta.write_text(
        json.dumps({"vtt": built.vtt, "chapters": built.chapters, "duration": built.duration})
    )
    return built


def _voice(lecture: Lecture, folder: Path) -> tuple[Timeline, list[Path]]:
    sentences = [s for slide in lecture.slides for s in slide.sentences()]
    # espeak-ng is single-threaded and starts slowly: voice the sentences side by side.
    with ThreadPoolExecutor(max_workers=4) as pool:
        wavs = list(pool.map(lambda p: _speak(p[1], folder, f"s{p[0]}"), enumerate(sentences)))
    lengths = iter(wav_seconds(w) for w in wavs)
    seconds = [[next(lengths) for _ in slide.sentences()] for slide in lecture.slides]
    return timeline(lecture, seconds), wavs


def _slide_files(lecture: Lecture, folder: Path) -> list[tuple[Path, Path]]:
    (folder / "footer.txt").write_text(lecture.title, encoding="utf-8")
    files = []
    for i, slide in enumerate(lecture.slides):
        title, bullets = folder / f"title{i}.txt", folder / f"bullets{i}.txt"
        title.write_text(slide.title, encoding="utf-8")
        bullets.write_text(bullet_text(slide), encoding="utf-8")
        files.append((title, bullets))
    return files


def brief(lecture: Lecture) -> Lecture:
    """The lecture cut to its first slide with one bullet (a few seconds: tests)."""
    first = lecture.slides[0]
    return Lecture(lecture.title, (Slide(first.title, first.bullets[:1]),))
