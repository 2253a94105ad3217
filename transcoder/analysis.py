"""Chapter and clip *suggestions* from slide changes and speech pauses (pure, no I/O).

The HLS run (:func:`transcoder.argv.hls_argv` with ``analysis=True``) writes two small
text files into ``<out_dir>/analysis/`` as a side effect of the one decode:

* ``scenes.txt``: ``scdet`` on a small grey copy of the smallest rendition, sampled at
  ``ANALYSIS_FPS``; ``metadata=mode=print`` lists only the frames whose
  ``lavfi.scd.score`` (0-100, mean absolute luma change in % of full scale) exceeds
  ``SCENE_THRESHOLD``.
* ``silences.txt``: ``silencedetect`` on the source audio *before* loudness
  normalisation; ``ametadata=mode=print`` lists ``lavfi.silence_start``/``_end``.

Both files use ffmpeg's print format: a ``frame:N pts:P pts_time:T`` header line
followed by ``key=value`` lines. This module parses them and turns them into
suggestions a teacher can accept or ignore: chapter boundaries (``"slide"`` and
``"pause"``) and clip candidates (``"clip"``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal

# --- Detection (the ffmpeg filters in transcoder.argv use these) -----------------------
ANALYSIS_DIR = "analysis"
SCENES_FILE = "scenes.txt"
SILENCES_FILE = "silences.txt"
# Scene detection runs on a grey copy this wide (px) at most this many frames/s.
# Sampling a few frames per second also folds a transition drawn over 2-3 frames into
# one comparison, so its change is measured whole.
ANALYSIS_WIDTH = 160
ANALYSIS_FPS = 5
# scdet score threshold (0-100). Measured on a lecture-like recording (light slides,
# dark text, 160 px, 5 fps): slide changes score ~1.0-1.2, a bullet being revealed
# 0.2-0.33, a still slide < 0.05; a hard cut in camera footage scores 10+. scdet's
# default of 10 would miss every text-slide change.
SCENE_THRESHOLD = 0.5
# silencedetect: quieter than this for at least this long is a pause.
SILENCE_NOISE_DB = -35
MIN_PAUSE_SECONDS = 1.5

# --- Suggestion policy -----------------------------------------------------------------
# Boundaries closer than this are one event (a multi-frame transition; a speaker who
# pauses, then moves to the next slide): the slide change's time is kept.
MERGE_SECONDS = 2.0
# No chapter boundary this close to the start or the end of the video.
EDGE_SECONDS = 5.0
# Clip candidates: spans between consecutive boundaries of this length (s).
MIN_CLIP_SECONDS = 20.0
MAX_CLIP_SECONDS = 15 * 60.0
# Scores are in 0-1: a slide change this strong (scdet score), or a pause this long
# (s), counts as certain.
STRONG_SCENE_SCORE = 5.0
STRONG_PAUSE_SECONDS = 4.0

SuggestionKind = Literal["slide", "pause", "clip"]
_HEADER = re.compile(r"^frame:\s*\d+\s+pts:\s*\S+\s+pts_time:\s*(\S+)\s*$")


@dataclass(frozen=True)
class Scene:
    """A detected picture change at ``time`` s with its scdet ``score`` (0-100)."""

    time: float
    score: float


@dataclass(frozen=True)
class Silence:
    """Audio quieter than ``SILENCE_NOISE_DB`` from ``start`` to ``end`` (s)."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        """Length of the silence in seconds."""
        return self.end - self.start


@dataclass(frozen=True)
class Suggestion:
    """A suggested chapter boundary (``end`` is None) or clip (``start``-``end``).

    ``score`` is a confidence in 0-1; ``label`` is a short human-readable description.
    """

    kind: SuggestionKind
    start: float
    end: float | None
    score: float
    label: str


def parse_scenes(text: str) -> list[Scene]:
    """Scene changes from ``metadata=mode=print`` output of ``scdet``, in time order.

    Each printed frame with a ``lavfi.scd.score`` becomes a :class:`Scene` at the
    frame's ``pts_time``. Malformed or non-finite entries are skipped.
    """
    scenes = []
    for time, values in _frames(text):
        score = _finite(values.get("lavfi.scd.score"))
        if score is not None:
            scenes.append(Scene(time=time, score=score))
    return sorted(scenes, key=lambda scene: scene.time)


def parse_silences(text: str, duration: float) -> list[Silence]:
    """Silences from ``ametadata=mode=print`` output of ``silencedetect``, in order.

    A start without a matching end (silence running to the end of the recording, where
    silencedetect reports nothing on a frame) ends at ``duration``. Times are clamped
    to ``0..duration``; empty spans are dropped.
    """
    silences = []
    start: float | None = None
    for _, values in _frames(text):
        begin = _finite(values.get("lavfi.silence_start"))
        end = _finite(values.get("lavfi.silence_end"))
        if end is not None and start is not None:
            silences.append(_clamped(start, end, duration))
            start = None
        if begin is not None:
            start = begin
    if start is not None:
        silences.append(_clamped(start, duration, duration))
    return [silence for silence in silences if silence.duration > 0]


def suggest(
    scenes: Sequence[Scene], silences: Sequence[Silence], duration: float
) -> list[Suggestion]:
    """Chapter boundaries and clip candidates for a ``duration``-second video.

    Boundaries: slide changes (scenes scoring at least ``SCENE_THRESHOLD``; changes
    within ``MERGE_SECONDS`` of each other are one, at the first) and the ends of
    pauses of at least ``MIN_PAUSE_SECONDS``. A pause ending within ``MERGE_SECONDS``
    of a slide change confirms it (slide time kept, score raised) instead of adding a
    boundary; of two pauses that close, the longer wins. Nothing within
    ``EDGE_SECONDS`` of either end. Clips: spans between consecutive boundaries (the
    start and end of the video included) of ``MIN_CLIP_SECONDS``-``MAX_CLIP_SECONDS``.
    Output is sorted by start time, boundaries before clips starting at the same time.
    """
    if not duration > 0:
        return []
    inside = _inside(duration)
    slides = [b for b in _slide_boundaries(scenes) if inside(b.time)]
    pauses = [b for b in _pause_boundaries(silences, duration) if inside(b.time)]
    boundaries = _merge(slides, pauses)
    clips = _clips(boundaries, duration)
    return sorted([*boundaries, *clips], key=lambda s: (s.start, s.kind == "clip"))


def format_time(seconds: float) -> str:
    """``m:ss`` (or ``h:mm:ss`` from one hour), rounded down to whole seconds: the rule of
    ``webapp.timefmt.clock``, which this library cannot import (a test keeps them equal)."""
    whole = max(0, math.floor(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _frames(text: str) -> Iterator[tuple[float, dict[str, str]]]:
    """(pts_time, {key: value}) for every printed frame with a finite time."""
    time: float | None = None
    values: dict[str, str] = {}
    for line in text.splitlines():
        header = _HEADER.match(line.strip())
        if header:
            if time is not None:
                yield time, values
            time, values = _finite(header.group(1)), {}
            continue
        key, sep, value = line.strip().partition("=")
        if sep and time is not None:
            values[key] = value
    if time is not None:
        yield time, values


def _finite(value: str | None) -> float | None:
    try:
        number = float(value) if value is not None else math.nan
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _clamped(start: float, end: float, duration: float) -> Silence:
    return Silence(start=min(max(start, 0.0), duration), end=min(max(end, 0.0), duration))


def _inside(duration: float) -> Callable[[float], bool]:
    low, high = EDGE_SECONDS, duration - EDGE_SECONDS
    return lambda time: low <= time <= high


@dataclass(frozen=True)
class _Boundary:
    """A chapter boundary in the making: ``pause`` is the length of a pause ending here."""

    kind: Literal["slide", "pause"]
    time: float
    score: float
    pause: float | None = None

    def suggestion(self) -> Suggestion:
        if self.kind == "pause":
            label = f"After a {self.pause:.1f} s pause"
        else:
            label = f"Slide change at {format_time(self.time)}"
            if self.pause is not None:
                label += f" after a {self.pause:.1f} s pause"
        return Suggestion(self.kind, self.time, None, self.score, label)


def _slide_boundaries(scenes: Sequence[Scene]) -> list[_Boundary]:
    """One boundary per cluster of strong scene changes, at the cluster's first."""
    clusters: list[tuple[float, float]] = []  # (first time, best score)
    for scene in sorted(scenes, key=lambda s: s.time):
        if scene.score < SCENE_THRESHOLD:
            continue
        if clusters and scene.time - clusters[-1][0] < MERGE_SECONDS:
            clusters[-1] = (clusters[-1][0], max(clusters[-1][1], scene.score))
        else:
            clusters.append((scene.time, scene.score))
    return [
        _Boundary("slide", _round(time), _confidence(score, STRONG_SCENE_SCORE))
        for time, score in clusters
    ]


def _pause_boundaries(silences: Sequence[Silence], duration: float) -> list[_Boundary]:
    """A boundary where speech resumes after each long pause (not at the very end)."""
    return [
        _Boundary(
            "pause",
            _round(silence.end),
            _confidence(silence.duration, STRONG_PAUSE_SECONDS),
            pause=round(silence.duration, 3),
        )
        for silence in silences
        if silence.duration >= MIN_PAUSE_SECONDS and silence.end < duration
    ]


def _merge(slides: list[_Boundary], pauses: list[_Boundary]) -> list[Suggestion]:
    """Fold each pause into a slide change (or a longer pause) within MERGE_SECONDS.

    Longer pauses are placed first, so of two pauses that close the longer one stays.
    A slide change absorbs at most one pause (the longest) and keeps its own time.
    """
    boundaries = list(slides)
    for pause in sorted(pauses, key=lambda p: (-(p.pause or 0.0), p.time)):
        near = [b for b in boundaries if abs(b.time - pause.time) < MERGE_SECONDS]
        if not near:
            boundaries.append(pause)
            continue
        nearest = min(near, key=lambda b: (abs(b.time - pause.time), b.time))
        if nearest.kind == "slide" and nearest.pause is None:
            combined = round(1 - (1 - nearest.score) * (1 - pause.score), 3)
            boundaries[boundaries.index(nearest)] = replace(
                nearest, score=combined, pause=pause.pause
            )
    return [b.suggestion() for b in sorted(boundaries, key=lambda b: b.time)]


def _clips(boundaries: Sequence[Suggestion], duration: float) -> list[Suggestion]:
    """Spans between consecutive boundaries (and the video's ends) of clip length."""
    points = [(0.0, 1.0), *((b.start, b.score) for b in boundaries), (_round(duration), 1.0)]
    clips = []
    for (start, start_score), (end, end_score) in zip(points, points[1:], strict=False):
        length = end - start
        if MIN_CLIP_SECONDS <= length <= MAX_CLIP_SECONDS:
            label = f"Clip {format_time(start)}-{format_time(end)} ({length:.0f} s)"
            clips.append(Suggestion("clip", start, end, min(start_score, end_score), label))
    return clips


def _confidence(value: float, strong: float) -> float:
    return round(min(max(value / strong, 0.0), 1.0), 3)


def _round(seconds: float) -> float:
    return round(float(seconds), 3)
